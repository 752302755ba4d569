// SPDX-License-Identifier: Apache-2.0
// PV yield on the Essen test reference year against the cross-check table in
// tests/data/solar/pv_yield_estimate_try2010_05.csv (same weather, same model settings): annual
// plane-of-array irradiation and AC yield within 0.5 %; and the transposition's limits.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "solar/pv.hpp"
#include "solar/spa.hpp"
#include "support/twin_test.hpp"
#include "try_reader.hpp"

namespace twin::solar {
namespace {

TEST(PvYield, EssenTryMatchesTheCrossCheckTable) {
  const auto year =
      weather::readTry2010(std::string(TWIN_SOURCE_DIR) + "/assets/weather/TRY2010_05_Jahr.dat");
  ASSERT_EQ(year.hours.size(), 8760u);
  std::ifstream in(test::dataPath("solar/pv_yield_estimate_try2010_05.csv"));
  std::string line;
  std::getline(in, line);
  int rows = 0;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string site, cell;
    std::getline(ss, site, ',');
    double v[6];
    for (double& x : v) {
      std::getline(ss, cell, ',');
      x = std::stod(cell);
    }
    const double lat = v[0], lon = v[1], tilt = v[2], azimuth = v[3], poaRef = v[4], acRef = v[5];
    double poa = 0, ac = 0;
    PvSystem pv;
    for (const weather::TryHour& h : year.hours) {
      // the values are centred on the labelled full hour, CET (UTC+1), in a non-leap year
      SpaInput s;
      s.year = 2010;
      s.month = h.month;
      s.day = h.day;
      s.hour = h.hour == 24 ? 23 : h.hour;
      s.minute = h.hour == 24 ? 59 : 0;
      s.second = h.hour == 24 ? 59.999 : 0;
      s.timezoneH = 1.0;
      s.deltaT = 66.0;
      s.latitudeDeg = lat;
      s.longitudeDeg = lon;
      s.pressureMbar = h.pressureHpa;
      s.temperatureC = h.temperatureC;
      const SpaResult sun = spa(s, false);
      static constexpr int kBefore[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
      const int doy = kBefore[h.month - 1] + h.day;
      const PlaneIrradiance p = hayDavies(h.beamHorizontalWm2, h.diffuseHorizontalWm2, sun.zenith,
                                          sun.azimuth, tilt, azimuth, extraterrestrialNormal(doy));
      poa += p.poa / 1000.0;  // kWh/m2 over one hour
      ac += pvAcPower(pv, p.poa, h.temperatureC);
    }
    // the issue asks for 2 % / 3 %; the table's model differs from this one only in its sun
    // position (NOAA/Spencer instead of SPA), and both agree within 0.1 %: held to 0.5 %
    EXPECT_NEAR(poa, poaRef, 0.005 * poaRef) << site << " " << tilt << "/" << azimuth;
    EXPECT_NEAR(ac, acRef, 0.005 * acRef) << site << " " << tilt << "/" << azimuth;
    ++rows;
  }
  EXPECT_EQ(rows, 12);
}

TEST(PvYield, TranspositionLimits) {
  // a horizontal plane receives exactly the global horizontal irradiance
  const PlaneIrradiance flat = hayDavies(300, 200, 40, 180, 0, 180, 1361);
  EXPECT_NEAR(flat.poa, 500.0, 1e-9);
  EXPECT_NEAR(flat.ground, 0.0, 1e-12);
  // a vertical plane facing away from a low sun sees no beam, half the isotropic sky and
  // half the ground's reflection
  const PlaneIrradiance away = hayDavies(100, 100, 80, 90, 90, 270, 1361);
  EXPECT_NEAR(away.beam, 0.0, 1e-12);
  EXPECT_NEAR(away.ground, 200.0 * 0.2 / 2.0, 1e-9);
  // no output at night, less when hot
  PvSystem pv;
  EXPECT_EQ(pvAcPower(pv, 0.0, 20.0), 0.0);
  EXPECT_GT(pvAcPower(pv, 800.0, 0.0), pvAcPower(pv, 800.0, 30.0));
  // at STC-like conditions (cell at 25 C) 1 kWp gives 1 kW dc: 0.86 * 0.96 ac
  EXPECT_NEAR(pvAcPower(pv, 1000.0, 25.0 - 1000.0 / 800.0 * 25.0), 0.86 * 0.96, 1e-9);
}

}  // namespace
}  // namespace twin::solar
