// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.hpp"

namespace twin::core {

// Simulation time: an integer count of the scenario's base tick (default 10 ms). Never
// accumulate time in floating point; convert to seconds only for model arithmetic.
using Tick = std::int64_t;

inline constexpr std::int64_t kNanosPerSecond = 1'000'000'000;

// Parses a duration such as "10ms", "15min", "1.5h", "24h", "2d" into whole nanoseconds,
// exactly (no floating point). Units: ns, us, ms, s, min, h, d. A bare number is an error
// because its unit would be a guess.
Result<std::int64_t> parseDurationNs(std::string_view text);

// Formats nanoseconds compactly and exactly: 900000000000 -> "15min", 10000000 -> "10ms".
std::string formatDurationNs(std::int64_t ns);

// A civil (calendar) date and time of day, in some fixed UTC offset.
struct CivilTime {
  int year = 1970;
  int month = 1;   // 1..12
  int day = 1;     // 1..31
  int hour = 0;    // 0..23
  int minute = 0;  // 0..59
  int second = 0;  // 0..59
  std::int64_t nanos = 0;
  int weekday = 3;    // 0 = Monday .. 6 = Sunday (ISO 8601 order)
  int dayOfYear = 1;  // 1..366
};

// An instant with the UTC offset it was written in, e.g. 2026-06-17T00:00:00+02:00.
struct ZonedTime {
  std::int64_t unixS = 0;       // seconds since 1970-01-01T00:00:00Z
  std::int32_t utcOffsetS = 0;  // local = UTC + offset
};

// Parses ISO 8601 "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM|-HH:MM]"; no offset means UTC.
Result<ZonedTime> parseIsoDateTime(std::string_view text);

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t daysFromCivil(int year, int month, int day);

// Civil time of `unixS` seconds (+ `nanos`) at `utcOffsetS`.
CivilTime civilFromUnix(std::int64_t unixS, std::int32_t utcOffsetS, std::int64_t nanos = 0);

// "2026-06-17T08:00:00+02:00"; fractional seconds only when non-zero.
std::string formatIso(std::int64_t unixS, std::int32_t utcOffsetS, std::int64_t nanos = 0);

bool isLeapYear(int year);

// Maps ticks to wall-clock time for one scenario: start instant, its UTC offset, tick length.
struct Calendar {
  std::int64_t startUnixS = 0;
  std::int32_t utcOffsetS = 0;
  std::int64_t tickNs = 10'000'000;

  // Seconds since the scenario start (for model arithmetic only).
  double seconds(Tick t) const {
    return static_cast<double>(t) * static_cast<double>(tickNs) / 1e9;
  }
  // Local civil time at tick `t` in the scenario's UTC offset.
  CivilTime local(Tick t) const;
  // ISO 8601 text of tick `t` in the scenario's offset.
  std::string iso(Tick t) const;
  // Whole Unix seconds and the nanoseconds past them at tick `t`.
  std::int64_t unixSeconds(Tick t) const;
  std::int64_t subsecondNanos(Tick t) const;
};

}  // namespace twin::core
