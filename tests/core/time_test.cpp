// SPDX-License-Identifier: Apache-2.0
#include "core/time.hpp"

#include <gtest/gtest.h>

namespace twin::core {
namespace {

TEST(Duration, ParsesExactNanoseconds) {
  EXPECT_EQ(*parseDurationNs("10ms"), 10'000'000);
  EXPECT_EQ(*parseDurationNs("15min"), 900'000'000'000);
  EXPECT_EQ(*parseDurationNs("1.5h"), 5'400'000'000'000);
  EXPECT_EQ(*parseDurationNs("24h"), 86'400'000'000'000);
  EXPECT_EQ(*parseDurationNs("0.5ms"), 500'000);
  EXPECT_EQ(*parseDurationNs("2d"), 172'800'000'000'000);
  EXPECT_EQ(*parseDurationNs(" 1 s "), 1'000'000'000);
}

TEST(Duration, RefusesWhatItCannotRepresent) {
  EXPECT_FALSE(parseDurationNs("15"));     // unit would be a guess
  EXPECT_FALSE(parseDurationNs("1.5ns"));  // not whole nanoseconds
  EXPECT_FALSE(parseDurationNs("5 weeks"));
  EXPECT_FALSE(parseDurationNs("min"));
  EXPECT_FALSE(parseDurationNs("-1s"));
  EXPECT_FALSE(parseDurationNs("99999999999999999999h"));
  // found by fuzzing: seven decimals of an hour overflowed 64-bit arithmetic (undefined)
  EXPECT_EQ(*parseDurationNs("1.3333333h"), 4'799'999'880'000);
  EXPECT_EQ(*parseDurationNs("1.25h"), 4'500'000'000'000);
  EXPECT_EQ(*parseDurationNs("0.0000001h"), 360'000);
  EXPECT_FALSE(parseDurationNs("2562047.8h"));  // just past 2^63 ns
  EXPECT_EQ(*parseDurationNs("2562047.7h"), 9'223'371'720'000'000'000);
  // found by fuzzing: the last digit of a number just under 2^63 overflowed (undefined)
  EXPECT_EQ(*parseDurationNs("9223372036854775807ns"), 9'223'372'036'854'775'807);
  EXPECT_FALSE(parseDurationNs("9223372036854775808ns"));
  EXPECT_FALSE(parseDurationNs("9223372036854775809h"));
  EXPECT_NE(parseDurationNs("5 weeks").error().message.find("unknown time unit"),
            std::string::npos);
}

TEST(Duration, FormatsCompactly) {
  EXPECT_EQ(formatDurationNs(900'000'000'000), "15min");
  EXPECT_EQ(formatDurationNs(10'000'000), "10ms");
  EXPECT_EQ(formatDurationNs(86'400'000'000'000), "1d");
  EXPECT_EQ(formatDurationNs(1'500'000'000), "1500ms");
}

TEST(Calendar, ParsesIsoWithOffset) {
  auto z = parseIsoDateTime("2026-06-17T00:00:00+02:00");
  ASSERT_TRUE(z);
  EXPECT_EQ(z->unixS, 1781647200);  // 2026-06-16T22:00:00Z
  EXPECT_EQ(z->utcOffsetS, 7200);
  EXPECT_EQ(parseIsoDateTime("1970-01-01T00:00:00Z")->unixS, 0);
  EXPECT_EQ(parseIsoDateTime("2000-03-01T12:30")->unixS, 951913800);
  EXPECT_EQ(parseIsoDateTime("2026-01-10T08:00:00-05:00")->unixS, 1768050000);
  EXPECT_TRUE(parseIsoDateTime("2024-02-29T00:00:00Z"));
  EXPECT_FALSE(parseIsoDateTime("2026-02-29T00:00:00Z"));
  EXPECT_FALSE(parseIsoDateTime("2026-13-01"));
  EXPECT_FALSE(parseIsoDateTime("2026-06-17T25:00:00"));
  EXPECT_FALSE(parseIsoDateTime("17.06.2026"));
}

TEST(Calendar, LocalTimeOfTicks) {
  Calendar cal{.startUnixS = 1781647200, .utcOffsetS = 7200, .tickNs = 10'000'000};
  const CivilTime start = cal.local(0);
  EXPECT_EQ(start.year, 2026);
  EXPECT_EQ(start.month, 6);
  EXPECT_EQ(start.day, 17);
  EXPECT_EQ(start.hour, 0);
  EXPECT_EQ(start.weekday, 2);  // Wednesday
  EXPECT_EQ(start.dayOfYear, 168);
  EXPECT_EQ(cal.iso(8 * 360'000), "2026-06-17T08:00:00+02:00");
  EXPECT_EQ(cal.iso(8 * 360'000 + 25), "2026-06-17T08:00:00.25+02:00");
  EXPECT_EQ(cal.iso(24 * 360'000), "2026-06-18T00:00:00+02:00");
  EXPECT_DOUBLE_EQ(cal.seconds(360'000), 3600.0);
  const CivilTime newYear = civilFromUnix(parseIsoDateTime("2024-12-31T23:59:59Z")->unixS, 3600);
  EXPECT_EQ(newYear.year, 2025);
  EXPECT_EQ(newYear.dayOfYear, 1);
  EXPECT_EQ(newYear.hour, 0);
}

}  // namespace
}  // namespace twin::core
