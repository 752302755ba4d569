// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace twin::core {

// 64-bit FNV-1a (Fowler, Noll, Vo): a fast, stable, platform-independent fingerprint for state
// hashes and seeds. Not cryptographic.
class Fnv1a64 {
 public:
  void add(std::span<const std::byte> bytes) {
    for (std::byte b : bytes) {
      h_ ^= static_cast<std::uint64_t>(b);
      h_ *= 0x100000001B3ULL;
    }
  }
  void add(std::string_view text) { add(std::as_bytes(std::span(text.data(), text.size()))); }
  std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 0xCBF29CE484222325ULL;
};

inline std::uint64_t fnv1a64(std::string_view text) {
  Fnv1a64 h;
  h.add(text);
  return h.value();
}

// 16 lower-case hex digits.
std::string toHex(std::uint64_t value);

}  // namespace twin::core
