// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the MATPOWER case reader (format 2 .m files) on arbitrary text: a case or a
// clear error, never a crash or an unbounded allocation.
#include <string>

#include "fuzz_support.hpp"
#include "physics/matpower.hpp"

extern "C" int TWIN_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)twin::physics::parseMatpowerCase(text, "fuzz.m");
  return 0;
}
