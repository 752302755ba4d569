// SPDX-License-Identifier: Apache-2.0
#include "gis/crs.hpp"

#include <gtest/gtest.h>

namespace twin::gis {
namespace {

TEST(Crs, LonLatToUtm32ToTheMillimetre) {
  // reference: PROJ/cs2cs, lon 7 lat 51 -> E 359666.7037, N 5651728.6825 (PLATFORM.md §5)
  auto t = Transformer::create("EPSG:4326", "EPSG:25832");
  ASSERT_TRUE(t) << t.error().message;
  Vec2 p{7.0, 51.0};
  ASSERT_TRUE(t->transform(p));
  EXPECT_NEAR(p.x, 359666.7037, 0.001);
  EXPECT_NEAR(p.y, 5651728.6825, 0.001);
  // and back
  auto back = Transformer::create("EPSG:25832", "EPSG:4326");
  ASSERT_TRUE(back->transform(p));
  EXPECT_NEAR(p.x, 7.0, 1e-9);
  EXPECT_NEAR(p.y, 51.0, 1e-9);
}

TEST(Crs, AuthorityAxisOrderWouldBeSilentlyWrong) {
  // the same point given as (lat, lon), as EPSG:4326's authority order has it, lands far away:
  // this is the mistake the traditional-GIS-order setting in Transformer prevents
  auto t = Transformer::create("EPSG:4326", "EPSG:25832");
  Vec2 swapped{51.0, 7.0};
  t->transform(swapped);
  EXPECT_GT(std::abs(swapped.x - 359666.7037), 1e5);
}

TEST(Crs, KnownNamesAreMapped) {
  EXPECT_EQ(normaliseCrsName("urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH*GCG2016"), "EPSG:25832");
  EXPECT_EQ(normaliseCrsName("urn:adv:crs:ETRS89_UTM33*DE_DHHN2016_NH"), "EPSG:25833");
  EXPECT_EQ(normaliseCrsName("urn:ogc:def:crs:EPSG::25832"), "EPSG:25832");
  EXPECT_EQ(normaliseCrsName("EPSG:4326"), "EPSG:4326");
  EXPECT_EQ(utmCrsFor(6.83, 51.09), "EPSG:25832");   // Dormagen
  EXPECT_EQ(utmCrsFor(13.4, 52.5), "EPSG:25833");    // Berlin
  EXPECT_EQ(utmCrsFor(-74.0, 40.7), "EPSG:32618");   // New York
  EXPECT_EQ(utmCrsFor(151.2, -33.9), "EPSG:32756");  // Sydney
  auto bad = Transformer::create("EPSG:4326", "EPSG:99999999");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("unknown coordinate reference system"), std::string::npos);
}

}  // namespace
}  // namespace twin::gis
