// SPDX-License-Identifier: Apache-2.0
#include "core/rng.hpp"

#include "core/hash.hpp"

namespace twin::core {

RngStream makeRngStream(std::uint64_t scenarioSeed, std::string_view instanceName) {
  std::uint64_t x = scenarioSeed ^ fnv1a64(instanceName);
  RngStream r;
  for (std::uint64_t& word : r.s) {
    word = splitMix64(x);
  }
  return r;
}

std::string toHex(std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kDigits[value & 0xF];
    value >>= 4;
  }
  return out;
}

}  // namespace twin::core
