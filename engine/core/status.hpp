// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace twin::core {

// What kind of failure an Error is; the CLI maps these to exit codes (DESIGN.md §3).
enum class ErrorCode {
  BadInput,       // usage, scenario, data file or plugin problem found before running (exit 2)
  NotFound,       // a named file, model type or port does not exist (exit 2)
  PluginRefused,  // a plugin failed the ABI handshake or could not be loaded (exit 2)
  ModelFailed,    // a model returned Error/Fatal while running (exit 1)
  Io,             // reading or writing failed while running (exit 1)
  Internal,       // a broken invariant in citytwin itself (exit 1)
};

// An expected failure: a code and a message a planner can act on.
struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;
};

// Wraps an Error so Result<T> can be built from it, as std::unexpected does.
class Unexpected {
 public:
  explicit Unexpected(Error e) : error_(std::move(e)) {}
  Unexpected(ErrorCode code, std::string message) : error_{code, std::move(message)} {}
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
};

// A value or an Error. Mirrors the std::expected interface (C++23) so that we can switch to it.
template <typename T>
class Result {
 public:
  Result(T value) : data_(std::in_place_index<0>, std::move(value)) {}           // NOLINT implicit
  Result(Unexpected u) : data_(std::in_place_index<1>, std::move(u).error()) {}  // NOLINT

  bool has_value() const { return data_.index() == 0; }  // NOLINT std::expected naming
  explicit operator bool() const { return has_value(); }
  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  const Error& error() const { return std::get<1>(data_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> data_;
};

// Success or an Error (std::expected<void, Error>).
template <>
class Result<void> {
 public:
  Result() = default;
  Result(Unexpected u) : error_(std::move(u).error()), ok_(false) {}  // NOLINT implicit

  bool has_value() const { return ok_; }  // NOLINT std::expected naming
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

// Shorthand for returning a failure: `return fail(ErrorCode::BadInput, "...")`.
inline Unexpected fail(ErrorCode code, std::string message) {
  return Unexpected(code, std::move(message));
}

// Called when a TWIN_ASSERT fails; the default prints the condition and aborts.
using AssertHandler = void (*)(const char* condition, const char* file, int line);
void setAssertHandler(AssertHandler handler);
[[noreturn]] void assertFailed(const char* condition, const char* file, int line);

}  // namespace twin::core

// Checks an invariant of our own code (not user input); active in every build type.
#define TWIN_ASSERT(cond)                                    \
  do {                                                       \
    if (!(cond)) {                                           \
      ::twin::core::assertFailed(#cond, __FILE__, __LINE__); \
    }                                                        \
  } while (false)
