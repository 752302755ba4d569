// SPDX-License-Identifier: Apache-2.0
#include "core/units.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace twin::core {
namespace {

TEST(Units, QuantitiesFromScenarios) {
  EXPECT_DOUBLE_EQ(parseQuantity("2.5MW")->si(), 2.5e6);
  EXPECT_DOUBLE_EQ(parseQuantity("2.5 MW")->si(), 2.5e6);
  EXPECT_NEAR(parseQuantity("40km/h")->si(), 11.111111111111, 1e-9);
  EXPECT_DOUBLE_EQ(parseQuantity("15min")->si(), 900.0);
  EXPECT_DOUBLE_EQ(parseQuantity("3%")->si(), 0.03);
  EXPECT_DOUBLE_EQ(parseQuantity("180000")->si(), 180000.0);
  EXPECT_TRUE(parseQuantity("180000")->unit.isDimensionless());
  EXPECT_DOUBLE_EQ(parseQuantity("20degC")->si(), 293.15);
  EXPECT_DOUBLE_EQ(parseQuantity("1kWh")->si(), 3.6e6);
  EXPECT_NEAR(parseQuantity("5t/h")->si(), 1.388888888889, 1e-9);
  EXPECT_DOUBLE_EQ(parseQuantity("1e-3s")->si(), 1e-3);
  EXPECT_DOUBLE_EQ(parseQuantity("-4.5K")->si(), -4.5);
  EXPECT_DOUBLE_EQ(parseQuantity("2mm")->si(), 0.002);
  EXPECT_DOUBLE_EQ(parseQuantity("90deg")->si(), 1.5707963267948966);
}

TEST(Units, Dimensions) {
  EXPECT_EQ(dimensionName(*parseUnit("W")), "power");
  EXPECT_EQ(dimensionName(*parseUnit("kWh")), "energy");
  EXPECT_EQ(dimensionName(*parseUnit("W/m2")), "irradiance (power per area)");
  EXPECT_EQ(dimensionName(*parseUnit("W/m^2")), "irradiance (power per area)");
  EXPECT_EQ(dimensionName(*parseUnit("km/h")), "speed");
  EXPECT_EQ(dimensionName(*parseUnit("m/s2")), "acceleration");
  EXPECT_EQ(dimensionName(*parseUnit("m\xC2\xB2")), "area");
  EXPECT_EQ(dimensionName(*parseUnit("J/kg.K")), "m^2*s^-2*K^-1");
  EXPECT_EQ(dimensionName(*parseUnit("1")), "dimensionless");
}

TEST(Units, RefusesUnknownOrNonFinite) {
  EXPECT_FALSE(parseQuantity("5 parsecs"));
  EXPECT_FALSE(parseQuantity("abc"));
  EXPECT_FALSE(parseQuantity("nan"));
  EXPECT_FALSE(parseQuantity("inf"));
  EXPECT_FALSE(parseQuantity("1e999"));
  EXPECT_FALSE(parseUnit("m^0"));
  EXPECT_NE(parseQuantity("5 parsecs").error().message.find("unknown unit 'parsecs'"),
            std::string::npos);
}

// found by fuzzing: "GW095" was GW to the 95th, a scale of (1e9)^95 = inf that then converted
TEST(Units, RefusesExponentsAndChainsBeyondWhatAQuantityNeeds) {
  EXPECT_TRUE(parseUnit("m4"));
  EXPECT_TRUE(parseUnit("s^-4"));
  EXPECT_FALSE(parseUnit("GW095"));
  EXPECT_NE(parseUnit("GW095").error().message.find("outside -4..4"), std::string::npos);
  EXPECT_FALSE(unitConversion("GW095", "GW095"));
  EXPECT_FALSE(parseUnit("m/m/m/m/m/m/m/m/m/m"));
  // every unit that parses has a finite, non-zero scale
  for (const char* u : {"GW4", "mm-4", "TWh/ms", "kt*km4"}) {
    auto p = parseUnit(u);
    ASSERT_TRUE(p) << u;
    EXPECT_TRUE(std::isfinite(p->scale) && p->scale != 0.0) << u;
  }
}

TEST(Units, ConversionBetweenPorts) {
  EXPECT_DOUBLE_EQ(unitConversion("kW", "W")->factor, 1000.0);
  EXPECT_DOUBLE_EQ(unitConversion("MWh", "kWh")->factor, 1000.0);
  EXPECT_DOUBLE_EQ(unitConversion("degC", "K")->apply(20.0), 293.15);
  EXPECT_DOUBLE_EQ(unitConversion("K", "degC")->apply(273.15), 0.0);
  EXPECT_TRUE(unitConversion("W", "W")->isIdentity());
  auto bad = unitConversion("W", "m/s");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("power"), std::string::npos);
  EXPECT_NE(bad.error().message.find("speed"), std::string::npos);
}

TEST(ByteSize, BinaryAndDecimalPrefixesAndNoGuessing) {
  EXPECT_EQ(*parseByteSize("4GiB"), 4ull << 30);
  EXPECT_EQ(*parseByteSize("512 MiB"), 512ull << 20);
  EXPECT_EQ(*parseByteSize("1.5GB"), 1'500'000'000ull);
  EXPECT_EQ(*parseByteSize("2000000B"), 2'000'000ull);
  EXPECT_EQ(*parseByteSize("1kB"), 1000ull);
  EXPECT_EQ(*parseByteSize("1KiB"), 1024ull);
  EXPECT_FALSE(parseByteSize("12"));  // bytes or gibibytes would be a guess
  EXPECT_FALSE(parseByteSize("GiB"));
  EXPECT_FALSE(parseByteSize("1.2.3GiB"));
  EXPECT_FALSE(parseByteSize("5 GiBs"));
  EXPECT_FALSE(parseByteSize("99999999TiB"));  // above 2^62
  EXPECT_NE(parseByteSize("12").error().message.find("missing unit"), std::string::npos);
  EXPECT_EQ(formatBytes(900), "900 B");
  EXPECT_EQ(formatBytes(12 * 1024), "12.0 KiB");
  EXPECT_EQ(formatBytes(1717986918), "1.6 GiB");
  EXPECT_EQ(formatBytes(512ull << 20), "512 MiB");
}

}  // namespace
}  // namespace twin::core
