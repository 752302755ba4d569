// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the industrial park file (YAML with units and shares): a park or one message
// with file:line:col, never a crash.
#include <cstdlib>
#include <string>

#include "fuzz_support.hpp"
#include "park.hpp"

extern "C" int TWIN_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  const std::string path = twin::fuzz::scratchDir() + "/park.yaml";
  twin::fuzz::writeFile(path, std::string_view(reinterpret_cast<const char*>(data), size));
  std::string error;
  const auto park = twin::industry::readPark(path, error);
  if (!park && error.empty())
    std::abort();  // a refusal must say why
  return 0;
}
