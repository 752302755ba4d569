// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace twin::core {

// Appends plain values to a byte buffer in host byte order (snapshots are not a file format;
// they are restored by the same build).
class ByteWriter {
 public:
  template <typename T>
  requires std::is_trivially_copyable_v<T>
  void put(const T& v) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
  }
  void putDoubles(std::span<const double> values) {
    put<std::uint64_t>(values.size());
    const auto* p = reinterpret_cast<const std::uint8_t*>(values.data());
    bytes_.insert(bytes_.end(), p, p + values.size_bytes());
  }
  void putBytes(std::span<const std::uint8_t> data) {
    put<std::uint64_t>(data.size());
    bytes_.insert(bytes_.end(), data.begin(), data.end());
  }
  std::vector<std::uint8_t>& bytes() { return bytes_; }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
};

// Reads what ByteWriter wrote; every read checks bounds and sets ok() false on overrun.
class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> data) : data_(data) {}
  template <typename T>
  requires std::is_trivially_copyable_v<T> T get() {
    T v{};
    if (pos_ + sizeof(T) > data_.size()) {
      ok_ = false;
      return v;
    }
    std::memcpy(&v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  void getDoubles(std::vector<double>& out) {
    const auto n = get<std::uint64_t>();
    if (!ok_ || n > (data_.size() - pos_) / sizeof(double)) {
      ok_ = false;
      return;
    }
    out.resize(n);
    if (n > 0)  // an empty vector's data() may be null, which memcpy must not get
      std::memcpy(out.data(), data_.data() + pos_, n * sizeof(double));
    pos_ += n * sizeof(double);
  }
  std::span<const std::uint8_t> getBytes() {
    const auto n = get<std::uint64_t>();
    if (!ok_ || n > data_.size() - pos_) {
      ok_ = false;
      return {};
    }
    auto s = data_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  bool ok() const { return ok_; }
  bool atEnd() const { return pos_ == data_.size(); }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace twin::core
