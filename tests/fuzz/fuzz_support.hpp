// SPDX-License-Identifier: Apache-2.0
// Shared by the fuzz targets: a scratch folder of this process (on tmpfs when there is one) and
// a file writer, for the readers that take paths. Each target defines TWIN_FUZZ_ENTRY, which is
// libFuzzer's LLVMFuzzerTestOneInput in a fuzz build (TWIN_FUZZ) and a uniquely named function
// in the regression test that replays every corpus and crash file under the normal sanitizers.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace twin::fuzz {

inline const std::string& scratchDir() {
  static const std::string dir = [] {
    const char* base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    std::string d = std::string(base) + "/citytwin-fuzz-" + std::to_string(::getpid());
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

inline void writeFile(const std::string& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

// the input's parts separated by a line "===" (a folder of several files in one input)
inline std::string_view part(std::string_view all, std::size_t index) {
  constexpr std::string_view kSep = "\n===\n";
  for (std::size_t i = 0; i < index; ++i) {
    const std::size_t at = all.find(kSep);
    if (at == std::string_view::npos)
      return {};
    all.remove_prefix(at + kSep.size());
  }
  return all.substr(0, all.find(kSep));
}

}  // namespace twin::fuzz
