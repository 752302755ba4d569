// SPDX-License-Identifier: Apache-2.0
// SigLinDe heat profiles on the Essen test reference year: the year sums exactly to the annual
// demand, winter days carry far more than summer days, the sigmoid and the temperature classes
// follow the guideline's definitions.
#include "heat_profiles.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "support/twin_test.hpp"
#include "try_reader.hpp"

namespace twin::energy {
namespace {

const std::string kDir = std::string(TWIN_SOURCE_DIR) + "/assets/energy/heat_bdew_siglinde";

std::vector<double> essenDailyMeans() {
  const auto year =
      weather::readTry2010(std::string(TWIN_SOURCE_DIR) + "/assets/weather/TRY2010_05_Jahr.dat");
  std::vector<double> days(365, 0.0);
  for (std::size_t i = 0; i < year.hours.size(); ++i)
    days[i / 24] += year.hours[i].temperatureC / 24.0;
  return days;
}

TEST(HeatProfiles, YearSumsToTheAnnualDemandAndFollowsTheWeather) {
  const auto h = HeatProfiles::load(kDir);
  const auto temps = essenDailyMeans();
  // a single-family house of 1958-68, 150 m2, as built: TABULA 265 kWh/m2a heat need
  const double annual = 150.0 * 265.0;
  const auto kw = h.hourly("EFH", 4, false, 2026, temps, annual);
  ASSERT_EQ(kw.size(), 365u * 24u);
  EXPECT_NEAR(std::accumulate(kw.begin(), kw.end(), 0.0), annual, 1e-6 * annual);
  double jan = 0, jul = 0;
  for (std::size_t i = 0; i < 31 * 24; ++i)
    jan += kw[i];
  for (std::size_t i = 181 * 24; i < 212 * 24; ++i)
    jul += kw[i];
  EXPECT_GT(jan, 5.0 * jul) << "January " << jan << " kWh, July " << jul << " kWh";
  EXPECT_GT(jul, 0.0) << "hot water stays in summer";
  // without hot water (D = 0) the year still sums to the demand given, and the coldest day
  // of the year carries a larger share than with it
  const auto noDhw = h.hourly("EFH", 4, false, 2026, temps, annual, false);
  EXPECT_NEAR(std::accumulate(noDhw.begin(), noDhw.end(), 0.0), annual, 1e-6 * annual);
  std::size_t coldest = 0;
  for (std::size_t i = 1; i < temps.size(); ++i)
    coldest = temps[i] < temps[coldest] ? i : coldest;
  auto day = [](const std::vector<double>& v, std::size_t d) {
    return std::accumulate(v.begin() + static_cast<std::ptrdiff_t>(d * 24),
                           v.begin() + static_cast<std::ptrdiff_t>(d * 24 + 24), 0.0);
  };
  EXPECT_GT(day(noDhw, coldest), day(kw, coldest));
  for (double x : kw)
    ASSERT_GE(x, 0.0);
}

TEST(HeatProfiles, SigmoidAndClassesFollowTheGuideline) {
  const auto h = HeatProfiles::load(kDir);
  const SigmoidParams p = h.sigmoid("EFH", 4, false);
  // h(T) = A / (1 + (B / (T - 40))^C) + D, falling with temperature
  const double at0 = HeatProfiles::dailyFactor(p, 0.0);
  EXPECT_NEAR(at0, p.a / (1.0 + std::pow(p.b / -40.0, p.c)) + p.d, 1e-12);
  EXPECT_GT(HeatProfiles::dailyFactor(p, -10.0), at0);
  EXPECT_GT(at0, HeatProfiles::dailyFactor(p, 15.0));
  EXPECT_NEAR(HeatProfiles::dailyFactor(p, 30.0, false) + p.d, HeatProfiles::dailyFactor(p, 30.0),
              1e-12);
  // classes: <= -15, -14..-10, ..., 21..25, >= 26 (rounded up to whole degrees)
  EXPECT_EQ(HeatProfiles::temperatureClass(-15.0), 1);
  EXPECT_EQ(HeatProfiles::temperatureClass(-14.5), 2);
  EXPECT_EQ(HeatProfiles::temperatureClass(-10.0), 2);
  EXPECT_EQ(HeatProfiles::temperatureClass(-9.5), 3);
  EXPECT_EQ(HeatProfiles::temperatureClass(0.0), 4);
  EXPECT_EQ(HeatProfiles::temperatureClass(0.2), 5);
  EXPECT_EQ(HeatProfiles::temperatureClass(25.0), 9);
  EXPECT_EQ(HeatProfiles::temperatureClass(25.1), 10);
  // hourly shares sum to one; an office heats less on Sunday than on Wednesday
  const auto s = h.hourShares("EFH", 4, 3, 5.0);
  EXPECT_NEAR(std::accumulate(s.begin(), s.end(), 0.0), 1.0, 1e-12);
  EXPECT_LT(h.weekdayFactor("GKO", 7), h.weekdayFactor("GKO", 3));
  EXPECT_THROW(h.sigmoid("EFH", 12, false), std::runtime_error);
}

}  // namespace
}  // namespace twin::energy
