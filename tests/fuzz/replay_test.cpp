// SPDX-License-Identifier: Apache-2.0
// Every file of every fuzz target's seed corpus (tests/fuzz/corpus/<target>) and every input a
// fuzzer crashed on (tests/fuzz/regressions/<target>, kept after the fix) through the target's
// entry function, under AddressSanitizer + UBSan in the normal test build: what was fixed stays
// fixed, without clang or libFuzzer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" {
int twin_fuzz_units(const std::uint8_t*, std::size_t);
int twin_fuzz_matpower(const std::uint8_t*, std::size_t);
int twin_fuzz_park(const std::uint8_t*, std::size_t);
int twin_fuzz_traffic_bench(const std::uint8_t*, std::size_t);
int twin_fuzz_scenario(const std::uint8_t*, std::size_t);
int twin_fuzz_set_option(const std::uint8_t*, std::size_t);
int twin_fuzz_city(const std::uint8_t*, std::size_t);
}

namespace {

namespace fs = std::filesystem;
using Entry = int (*)(const std::uint8_t*, std::size_t);

// the files of corpus/<target> and regressions/<target>, in name order
std::vector<fs::path> inputs(const std::string& target) {
  std::vector<fs::path> out;
  for (const char* kind : {"corpus", "regressions"}) {
    const fs::path dir = fs::path(TWIN_FUZZ_DIR) / kind / target;
    if (!fs::is_directory(dir))
      continue;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.is_regular_file())
        out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::size_t replay(const std::string& target, Entry entry) {
  const std::vector<fs::path> files = inputs(target);
  for (const fs::path& f : files) {
    SCOPED_TRACE(f.string());
    std::ifstream in(f, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
    EXPECT_EQ(entry(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), 0);
  }
  return files.size();
}

// each target has a seed corpus; the replay of it and of its regressions must pass
TEST(FuzzReplay, Units) {
  EXPECT_GE(replay("units", &twin_fuzz_units), 10u);
}
TEST(FuzzReplay, Matpower) {
  EXPECT_GE(replay("matpower", &twin_fuzz_matpower), 3u);
}
TEST(FuzzReplay, Park) {
  EXPECT_GE(replay("park", &twin_fuzz_park), 1u);
}
TEST(FuzzReplay, TrafficBench) {
  EXPECT_GE(replay("traffic_bench", &twin_fuzz_traffic_bench), 1u);
}
TEST(FuzzReplay, Scenario) {
  EXPECT_GE(replay("scenario", &twin_fuzz_scenario), 5u);
}
TEST(FuzzReplay, SetOption) {
  EXPECT_GE(replay("set_option", &twin_fuzz_set_option), 3u);
}
TEST(FuzzReplay, City) {
  EXPECT_GE(replay("city", &twin_fuzz_city), 8u);
}

}  // namespace
