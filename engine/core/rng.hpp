// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace twin::core {

// SplitMix64 (Steele, Lea & Flood 2014): used only to expand a seed into generator state.
inline std::uint64_t splitMix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// One random stream: xoshiro256** (Blackman & Vigna 2018). Its whole state is 32 bytes of
// plain data, so it lives in SimState and snapshots copy it.
struct RngStream {
  std::array<std::uint64_t, 4> s{};

  std::uint64_t next() {
    const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
  // uniform in [0, 1) with 53 random bits
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
};

// The stream of one model instance: seeded from the scenario seed and the instance name, so it
// does not depend on the order of models or on which thread runs them.
RngStream makeRngStream(std::uint64_t scenarioSeed, std::string_view instanceName);

}  // namespace twin::core
