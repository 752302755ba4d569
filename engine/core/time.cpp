// SPDX-License-Identifier: Apache-2.0
#include "core/time.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <limits>

namespace twin::core {
namespace {

struct DurationUnit {
  std::string_view name;
  std::int64_t ns;
};

constexpr std::array<DurationUnit, 7> kDurationUnits{{
    {"ns", 1},
    {"us", 1'000},
    {"ms", 1'000'000},
    {"s", kNanosPerSecond},
    {"min", 60 * kNanosPerSecond},
    {"h", 3600 * kNanosPerSecond},
    {"d", 86400 * kNanosPerSecond},
}};

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

// reads exactly `n` digits at `pos`
bool readDigits(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
  if (pos + n > s.size()) {
    return false;
  }
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!isDigit(c)) {
      return false;
    }
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

int daysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && isLeapYear(year)) {
    return 29;
  }
  return kDays[static_cast<std::size_t>(month - 1)];
}

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) {
    --q;
  }
  return q;
}

}  // namespace

bool isLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

Result<std::int64_t> parseDurationNs(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ')
    s.remove_suffix(1);
  auto bad = [&](std::string_view why) {
    return fail(ErrorCode::BadInput, "'" + std::string(text) + "' is not a duration: " +
                                         std::string(why) + "; expected e.g. 10ms, 15min, 24h");
  };
  std::size_t pos = 0;
  std::int64_t whole = 0;
  std::int64_t frac = 0;
  std::int64_t fracScale = 1;
  bool anyDigit = false;
  while (pos < s.size() && isDigit(s[pos])) {
    // exact: 922337203685477580 itself takes a last digit up to 7 (found by fuzzing)
    const int digit = s[pos] - '0';
    if (whole > (std::numeric_limits<std::int64_t>::max() - digit) / 10)
      return bad("too large");
    whole = whole * 10 + digit;
    anyDigit = true;
    ++pos;
  }
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    while (pos < s.size() && isDigit(s[pos])) {
      if (fracScale > 1'000'000'000'000)
        return bad("too many decimals");
      frac = frac * 10 + (s[pos] - '0');
      fracScale *= 10;
      anyDigit = true;
      ++pos;
    }
  }
  if (!anyDigit)
    return bad("no number");
  while (pos < s.size() && s[pos] == ' ')
    ++pos;
  std::string_view unit = s.substr(pos);
  if (unit.empty())
    return bad("missing unit");
  for (const DurationUnit& u : kDurationUnits) {
    if (u.name == unit) {
      if (whole > std::numeric_limits<std::int64_t>::max() / u.ns)
        return bad("too large");
      // in 128 bits: 13 decimals of an hour overflow 64 (found by fuzzing: "1.3333333h")
      __extension__ using Wide = __int128;
      const Wide fracNs = static_cast<Wide>(frac) * u.ns;
      // the fraction must give a whole number of nanoseconds
      if (fracNs % fracScale != 0)
        return bad("not a whole number of nanoseconds");
      const Wide total = static_cast<Wide>(whole) * u.ns + fracNs / fracScale;
      if (total > std::numeric_limits<std::int64_t>::max())
        return bad("too large");
      return static_cast<std::int64_t>(total);
    }
  }
  return bad("unknown time unit '" + std::string(unit) + "' (use ns, us, ms, s, min, h, d)");
}

std::string formatDurationNs(std::int64_t ns) {
  if (ns == 0)
    return "0s";
  for (auto it = kDurationUnits.rbegin(); it != kDurationUnits.rend(); ++it) {
    if (ns % it->ns == 0) {
      return std::to_string(ns / it->ns) + std::string(it->name);
    }
  }
  return std::to_string(ns) + "ns";
}

std::int64_t daysFromCivil(int year, int month, int day) {
  const std::int64_t y = static_cast<std::int64_t>(year) - (month <= 2 ? 1 : 0);
  const std::int64_t era = floorDiv(y, 400);
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilTime civilFromUnix(std::int64_t unixS, std::int32_t utcOffsetS, std::int64_t nanos) {
  const std::int64_t local = unixS + utcOffsetS;
  const std::int64_t days = floorDiv(local, 86400);
  const std::int64_t secs = local - days * 86400;
  // civil_from_days (H. Hinnant)
  const std::int64_t z = days + 719468;
  const std::int64_t era = floorDiv(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  CivilTime c;
  c.year = static_cast<int>(y);
  c.month = static_cast<int>(m);
  c.day = static_cast<int>(d);
  c.hour = static_cast<int>(secs / 3600);
  c.minute = static_cast<int>((secs % 3600) / 60);
  c.second = static_cast<int>(secs % 60);
  c.nanos = nanos;
  // 1970-01-01 was a Thursday (ISO weekday index 3)
  c.weekday = static_cast<int>(((days % 7) + 7 + 3) % 7);
  c.dayOfYear = static_cast<int>(days - daysFromCivil(c.year, 1, 1) + 1);
  return c;
}

std::string formatIso(std::int64_t unixS, std::int32_t utcOffsetS, std::int64_t nanos) {
  const CivilTime c = civilFromUnix(unixS, utcOffsetS, nanos);
  char buf[64];
  const int off = utcOffsetS < 0 ? -utcOffsetS : utcOffsetS;
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", c.year, c.month, c.day,
                        c.hour, c.minute, c.second);
  std::string out(buf, static_cast<std::size_t>(n));
  if (nanos != 0) {
    n = std::snprintf(buf, sizeof buf, ".%09lld", static_cast<long long>(nanos));
    std::string frac(buf, static_cast<std::size_t>(n));
    while (frac.back() == '0')
      frac.pop_back();
    out += frac;
  }
  if (utcOffsetS == 0) {
    out += 'Z';
  } else {
    n = std::snprintf(buf, sizeof buf, "%c%02d:%02d", utcOffsetS < 0 ? '-' : '+', off / 3600,
                      (off % 3600) / 60);
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

Result<ZonedTime> parseIsoDateTime(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return fail(ErrorCode::BadInput, "'" + std::string(text) +
                                         "' is not a date-time: " + std::string(why) +
                                         "; expected ISO 8601 like 2026-06-17T00:00:00+02:00");
  };
  std::size_t p = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!readDigits(text, p, 4, year) || p >= text.size() || text[p++] != '-' ||
      !readDigits(text, p, 2, month) || p >= text.size() || text[p++] != '-' ||
      !readDigits(text, p, 2, day)) {
    return bad("bad date");
  }
  if (month < 1 || month > 12)
    return bad("month out of range");
  if (day < 1 || day > daysInMonth(year, month))
    return bad("day out of range");
  if (p < text.size()) {
    if (text[p] != 'T' && text[p] != ' ')
      return bad("expected 'T' between date and time");
    ++p;
    if (!readDigits(text, p, 2, hour) || p >= text.size() || text[p++] != ':' ||
        !readDigits(text, p, 2, minute)) {
      return bad("bad time of day");
    }
    if (p < text.size() && text[p] == ':') {
      ++p;
      if (!readDigits(text, p, 2, second))
        return bad("bad seconds");
    }
    if (hour > 23 || minute > 59 || second > 59)
      return bad("time of day out of range");
  }
  std::int32_t offset = 0;
  if (p < text.size()) {
    char c = text[p];
    if (c == 'Z') {
      ++p;
    } else if (c == '+' || c == '-') {
      ++p;
      int oh = 0, om = 0;
      if (!readDigits(text, p, 2, oh))
        return bad("bad UTC offset");
      if (p < text.size() && text[p] == ':')
        ++p;
      if (!readDigits(text, p, 2, om))
        return bad("bad UTC offset");
      if (oh > 18 || om > 59)
        return bad("UTC offset out of range");
      offset = (oh * 3600 + om * 60) * (c == '-' ? -1 : 1);
    } else {
      return bad("unexpected text after the time");
    }
  }
  if (p != text.size())
    return bad("unexpected text at the end");
  ZonedTime z;
  z.utcOffsetS = offset;
  z.unixS = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  return z;
}

std::int64_t Calendar::unixSeconds(Tick t) const {
  // split to avoid overflow: ticks * tickNs can exceed int64 for long runs at 1 ns ticks
  const std::int64_t ticksPerSecond =
      tickNs > 0 && kNanosPerSecond % tickNs == 0 ? kNanosPerSecond / tickNs : 0;
  if (ticksPerSecond > 0) {
    return startUnixS + floorDiv(t, ticksPerSecond);
  }
  return startUnixS + floorDiv(t * tickNs, kNanosPerSecond);
}

std::int64_t Calendar::subsecondNanos(Tick t) const {
  const std::int64_t ticksPerSecond =
      tickNs > 0 && kNanosPerSecond % tickNs == 0 ? kNanosPerSecond / tickNs : 0;
  if (ticksPerSecond > 0) {
    return (t - floorDiv(t, ticksPerSecond) * ticksPerSecond) * tickNs;
  }
  const std::int64_t ns = t * tickNs;
  return ns - floorDiv(ns, kNanosPerSecond) * kNanosPerSecond;
}

CivilTime Calendar::local(Tick t) const {
  return civilFromUnix(unixSeconds(t), utcOffsetS, subsecondNanos(t));
}

std::string Calendar::iso(Tick t) const {
  return formatIso(unixSeconds(t), utcOffsetS, subsecondNanos(t));
}

}  // namespace twin::core
