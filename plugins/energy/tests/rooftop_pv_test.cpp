// SPDX-License-Identifier: Apache-2.0
// energy.pv's geometry and time helpers: roof sample points, Unix time to civil time.
#include <gtest/gtest.h>

#include <cmath>

#include "rooftop_pv.hpp"

namespace twin::energy {
namespace {

TEST(RoofSamples, GridPointsInsideTheRingOnly) {
  // a 10 m x 10 m square with a 5 m grid: 4 points at 2.5 and 7.5
  const std::vector<double> square{0, 0, 10, 0, 10, 10, 0, 10};
  const std::vector<std::span<const double>> one{square};
  const auto pts = roofSamplePoints(one, 5.0);
  ASSERT_EQ(pts.size(), 4u);
  EXPECT_DOUBLE_EQ(pts[0][0], 2.5);
  EXPECT_DOUBLE_EQ(pts[3][1], 7.5);
  // an L (10 x 10 without its upper right 5 x 5 quarter): 3 of the 4 grid points
  const std::vector<double> ell{0, 0, 10, 0, 10, 5, 5, 5, 5, 10, 0, 10};
  const std::vector<std::span<const double>> l{ell};
  EXPECT_EQ(roofSamplePoints(l, 5.0).size(), 3u);
  // a roof smaller than the grid gets one point: its vertex mean
  const std::vector<double> tiny{0, 0, 2, 0, 2, 2, 0, 2};
  const std::vector<std::span<const double>> t{tiny};
  const auto c = roofSamplePoints(t, 5.0);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_DOUBLE_EQ(c[0][0], 1.0);
  EXPECT_DOUBLE_EQ(c[0][1], 1.0);
}

TEST(CivilTime, UnixTimesBecomeDates) {
  const Civil epoch = civilFromUnix(0);
  EXPECT_EQ(epoch.year, 1970);
  EXPECT_EQ(epoch.month, 1);
  EXPECT_EQ(epoch.day, 1);
  // 2026-06-17T06:00:00Z = 1781676000 (the baseline's 08:00 CEST)
  const Civil b = civilFromUnix(1781676000.5);
  EXPECT_EQ(b.year, 2026);
  EXPECT_EQ(b.month, 6);
  EXPECT_EQ(b.day, 17);
  EXPECT_EQ(b.hour, 6);
  EXPECT_EQ(b.minute, 0);
  EXPECT_DOUBLE_EQ(b.second, 0.5);
  // a leap day and the turn of a century that is a leap year
  const Civil leap = civilFromUnix(951782400);  // 2000-02-29T00:00:00Z
  EXPECT_EQ(leap.month, 2);
  EXPECT_EQ(leap.day, 29);
  const Civil before = civilFromUnix(-1);  // 1969-12-31T23:59:59Z
  EXPECT_EQ(before.year, 1969);
  EXPECT_EQ(before.hour, 23);
  EXPECT_DOUBLE_EQ(before.second, 59.0);
}

}  // namespace
}  // namespace twin::energy
