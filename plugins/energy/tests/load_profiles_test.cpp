// SPDX-License-Identifier: Apache-2.0
// BDEW standard load profiles on the calendar, against the check values published with the
// data (assets/energy/SOURCE.md; year 2023 without public holidays, per 1,000 kWh/a): annual
// energy 998.57 kWh (H0 static), 997.45 kWh (H0 dynamised), 1017.64 kWh (G0), 999.93 kWh (L0);
// peak of the dynamised H0 0.2679 kW.
#include "load_profiles.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <stdexcept>

#include "support/twin_test.hpp"

namespace twin::energy {
namespace {

namespace fs = std::filesystem;

const std::string kSelp = std::string(TWIN_SOURCE_DIR) + "/assets/energy/bdew1999/selp_series.csv";

double energyKWh(const std::vector<double>& kw) {
  return std::accumulate(kw.begin(), kw.end(), 0.0) * 0.25;
}

TEST(LoadProfiles, AnnualEnergyMatchesThePublishedCheckValues) {
  const auto p = StandardLoadProfiles::load(kSelp);
  ASSERT_EQ(p.names().size(), 11u);
  const int h0 = p.index("h0"), g0 = p.index("g0"), l0 = p.index("l0");
  ASSERT_GE(h0, 0);
  const auto h0Static = p.year(h0, 2023, 1000.0, false, false);
  ASSERT_EQ(h0Static.size(), 365u * 96u);
  EXPECT_NEAR(energyKWh(h0Static), 998.57, 0.005);
  const auto h0Dyn = p.year(h0, 2023, 1000.0, false, true);
  EXPECT_NEAR(energyKWh(h0Dyn), 997.45, 0.005);
  EXPECT_NEAR(*std::max_element(h0Dyn.begin(), h0Dyn.end()), 0.2679, 0.00005);
  EXPECT_NEAR(energyKWh(p.year(g0, 2023, 1000.0, false)), 1017.64, 0.005);
  EXPECT_NEAR(energyKWh(p.year(l0, 2023, 1000.0, false)), 999.93, 0.005);
  // scaling is linear in the annual consumption; a leap year has 366 days
  EXPECT_NEAR(energyKWh(p.year(g0, 2023, 3500.0, false)), 3.5 * 1017.64, 0.02);
  EXPECT_EQ(p.year(h0, 2024, 1000.0).size(), 366u * 96u);
}

TEST(LoadProfiles, Bdew2025AnnualEnergyMatchesTheCheckValues) {
  // the check values of the data's README (2023, no public holidays, kWh per 1,000,000 kWh/a):
  // H25 998,943 static and 995,428 dynamised, G25 1,016,361, L25 1,000,203, P25 948,252 and
  // 999,037, S25 888,013 and 999,778; here per 1,000 kWh/a
  const auto p =
      StandardLoadProfiles::load2025(std::string(TWIN_SOURCE_DIR) + "/assets/energy/bdew2025");
  ASSERT_TRUE(p.monthly());
  struct Check {
    const char* name;
    double staticKWh, dynamicKWh;
  };
  for (const Check& c : {Check{"h25", 998.943, 995.428}, Check{"g25", 1016.361, 1016.361},
                         Check{"l25", 1000.203, 1000.203}, Check{"p25", 948.252, 999.037},
                         Check{"s25", 888.013, 999.778}}) {
    const int k = p.index(c.name);
    ASSERT_GE(k, 0) << c.name;
    EXPECT_NEAR(energyKWh(p.year(k, 2023, 1000.0, false, false)), c.staticKWh, 0.0015) << c.name;
    EXPECT_NEAR(energyKWh(p.year(k, 2023, 1000.0, false, true)), c.dynamicKWh, 0.0015) << c.name;
  }
  // H25 dynamised: 13.39 to 57.09 kWh per quarter hour per GWh/a = 0.05356 to 0.22836 kW
  const auto h25 = p.year(p.index("h25"), 2023, 1000.0, false, true);
  EXPECT_NEAR(*std::min_element(h25.begin(), h25.end()), 0.05356, 0.00002);
  EXPECT_NEAR(*std::max_element(h25.begin(), h25.end()), 0.22836, 0.00002);
  EXPECT_FALSE(p.dynamic(p.index("g25")));
  EXPECT_THROW(p.value(0, Season::Summer, DayType::Workday, 0), std::logic_error);
}

TEST(LoadProfiles, Bdew2025BrokenFileNamesTheLine) {
  const std::string dir = test::makeTempDir("slp25");
  for (const char* n : {"h25", "g25", "l25", "p25", "s25"})
    fs::copy_file(std::string(TWIN_SOURCE_DIR) + "/assets/energy/bdew2025/" + n + ".csv",
                  dir + "/" + n + ".csv");
  std::string g = test::readFile(dir + "/g25.csv");
  g.replace(g.find("15.045"), 6, "-1");
  test::writeFile(dir + "/g25.csv", g);
  try {
    StandardLoadProfiles::load2025(dir);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("g25.csv:3: column 2 is not a value >= 0: '-1'"),
              std::string::npos)
        << e.what();
  }
}

TEST(LoadProfiles, CalendarFollowsBdew) {
  EXPECT_EQ(dayOfWeek(2026, 6, 17), 3);  // a Wednesday
  EXPECT_EQ(dayOfWeek(2023, 1, 1), 7);
  int m = 0, d = 0;
  easterSunday(2026, m, d);
  EXPECT_EQ(m * 100 + d, 405);
  easterSunday(2024, m, d);
  EXPECT_EQ(m * 100 + d, 331);
  // NRW 2026: Good Friday 3 Apr, Easter Monday 6 Apr, Ascension 14 May, Whit Monday 25 May,
  // Corpus Christi 4 Jun, All Saints 1 Nov
  for (auto [mm, dd] : {std::pair{4, 3}, {4, 6}, {5, 14}, {5, 25}, {6, 4}, {11, 1}, {10, 3}})
    EXPECT_TRUE(isPublicHoliday(2026, mm, dd)) << mm << "/" << dd;
  EXPECT_FALSE(isPublicHoliday(2026, 6, 4, false));  // Corpus Christi is not nationwide
  EXPECT_FALSE(isPublicHoliday(2026, 6, 17));
  EXPECT_EQ(bdewDayType(2026, 6, 4), DayType::Sunday);
  EXPECT_EQ(bdewDayType(2026, 12, 24), DayType::Saturday);  // a Thursday
  EXPECT_EQ(bdewDayType(2026, 6, 17), DayType::Workday);
  EXPECT_EQ(bdewSeason(3, 20), Season::Winter);
  EXPECT_EQ(bdewSeason(3, 21), Season::Transition);
  EXPECT_EQ(bdewSeason(5, 15), Season::Summer);
  EXPECT_EQ(bdewSeason(9, 15), Season::Transition);
  EXPECT_EQ(bdewSeason(11, 1), Season::Winter);
  // F(t): 1.24203 on 1 January, rounded to 1.2420; below 1 in summer
  EXPECT_DOUBLE_EQ(h0Dynamisation(1), 1.242);
  EXPECT_LT(h0Dynamisation(180), 1.0);
}

TEST(LoadProfiles, BrokenFileNamesTheLine) {
  const std::string dir = test::makeTempDir("slp");
  test::writeFile(dir + "/x.csv",
                  ",period,weekday,h0\n2007-01-01 00:00:00,summer,1,0.1\n"
                  "2007-01-01 00:15:00,autumn,1,0.1\n");
  try {
    StandardLoadProfiles::load(dir + "/x.csv");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("x.csv:3: unknown period 'autumn'"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace twin::energy
