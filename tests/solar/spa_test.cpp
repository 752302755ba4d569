// SPDX-License-Identifier: Apache-2.0
// The NREL SPA against its published test vectors (tests/data/solar/spa_reference.csv): every
// value to the number of decimals it is given with (the paper's 6 for zenith and azimuth), the
// full-precision cases to 1e-6 deg, and sunrise, transit and sunset to the second.
#include "solar/spa.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "support/twin_test.hpp"

namespace twin::solar {
namespace {

struct Row {
  std::vector<std::string> cells;
  const std::string& operator[](std::size_t i) const { return cells.at(i); }
};

std::vector<Row> readReference() {
  std::ifstream in(test::dataPath("solar/spa_reference.csv"));
  std::vector<Row> rows;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    Row r;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ','))
      r.cells.push_back(cell);
    if (r.cells.size() >= 16)
      rows.push_back(r);
  }
  return rows;
}

double num(const std::string& s) {
  return s.empty() ? 0.0 : std::stod(s);
}

SpaInput inputOf(const Row& r) {
  SpaInput in;
  std::sscanf(r[1].c_str(), "%d-%d-%dT%d:%d:%lf", &in.year, &in.month, &in.day, &in.hour,
              &in.minute, &in.second);
  in.timezoneH = num(r[2]);
  in.latitudeDeg = num(r[3]);
  in.longitudeDeg = num(r[4]);
  in.elevationM = num(r[5]);
  in.pressureMbar = num(r[6]);
  in.temperatureC = num(r[7]);
  in.deltaT = num(r[8]);
  in.deltaUt1 = num(r[9]);
  in.atmosRefractDeg = num(r[10]);
  in.slopeDeg = num(r[11]);
  in.azmRotationDeg = num(r[12]);
  return in;
}

// half a unit in the last published decimal (or in the decimals the source says to compare);
// full-precision values to 1e-6
double tolerance(const std::string& value, const std::string& source) {
  int said = 0;
  if (const auto at = source.find("compare at ");
      at != std::string::npos && std::sscanf(source.c_str() + at, "compare at %d", &said) == 1) {
    return 0.5 * std::pow(10.0, -said) + 1e-12;
  }
  const auto dot = value.find('.');
  if (dot == std::string::npos)
    return 0.5;
  const auto decimals = static_cast<int>(value.size() - dot - 1);
  return decimals >= 9 ? 1e-6 : 0.5 * std::pow(10.0, -decimals) + 1e-12;
}

// "HH:MM:SS" or decimal hours -> hours
double hours(const std::string& v) {
  int h = 0, m = 0, s = 0;
  if (std::sscanf(v.c_str(), "%d:%d:%d", &h, &m, &s) == 3)
    return h + m / 60.0 + s / 3600.0;
  return std::stod(v);
}

TEST(Spa, MatchesEveryPublishedValue) {
  const auto rows = readReference();
  ASSERT_GT(rows.size(), 60u);
  int checked = 0;
  for (const Row& row : rows) {
    const SpaResult r = spa(inputOf(row));
    const std::string& q = row[13];
    const std::string& v = row[14];
    const std::map<std::string, double> values{
        {"julian_day", r.jd},
        {"julian_century", r.jc},
        {"julian_ephemeris_day", r.jde},
        {"julian_ephemeris_century", r.jce},
        {"julian_ephemeris_millennium", r.jme},
        {"earth_heliocentric_longitude_L", r.l},
        {"earth_heliocentric_latitude_B", r.b},
        {"earth_radius_vector_R", r.r},
        {"geocentric_longitude_Theta", r.theta},
        {"geocentric_latitude_beta", r.beta},
        {"nutation_X0", r.x[0]},
        {"nutation_X1", r.x[1]},
        {"nutation_X2", r.x[2]},
        {"nutation_X3", r.x[3]},
        {"nutation_X4", r.x[4]},
        {"nutation_longitude_dPsi", r.delPsi},
        {"nutation_obliquity_dEpsilon", r.delEpsilon},
        {"mean_obliquity_epsilon0", r.epsilon0},
        {"true_obliquity_epsilon", r.epsilon},
        {"aberration_correction_dTau", r.delTau},
        {"apparent_sun_longitude_lambda", r.lambda},
        {"mean_sidereal_time_nu0", r.nu0},
        {"apparent_sidereal_time_nu", r.nu},
        {"geocentric_right_ascension_alpha", r.alpha},
        {"geocentric_declination_delta", r.delta},
        {"observer_local_hour_angle_H", r.h},
        {"equatorial_horizontal_parallax_xi", r.xi},
        {"parallax_in_right_ascension_dAlpha", r.delAlpha},
        {"topocentric_right_ascension_alpha_prime", r.alphaPrime},
        {"topocentric_declination_delta_prime", r.deltaPrime},
        {"topocentric_local_hour_angle_H_prime", r.hPrime},
        {"topocentric_elevation_no_refraction_e0", r.e0},
        {"refraction_correction_de", r.delE},
        {"topocentric_elevation_e", r.e},
        {"topocentric_zenith", r.zenith},
        {"topocentric_astronomers_azimuth_Gamma", r.azimuthAstro},
        {"topocentric_azimuth_Phi", r.azimuth},
        {"surface_incidence_angle", r.incidence},
        {"topocentric_zenith_fullprec", r.zenith},
        {"topocentric_azimuth_fullprec", r.azimuth},
        {"surface_incidence_angle_fullprec", r.incidence},
    };
    if (auto it = values.find(q); it != values.end()) {
      // the sidereal time multiplies the Julian day's last printed digit 361-fold: 1e-6.
      // GOLDEN_2003B comes from pvlib's test table only (R3), whose azimuth for that day lies
      // 3.7e-5 deg from this SPA while NREL's own outputs (the paper's 2003 example, the 2004
      // full-precision case) agree to 1e-6: it is held to 4 decimals
      double tol = q.starts_with("mean_sidereal") || q.starts_with("apparent_sidereal")
                       ? 1e-6
                       : tolerance(v, row[16]);
      if (row[0] == "GOLDEN_2003B")
        tol = 5e-5;
      EXPECT_NEAR(it->second, std::stod(v), tol) << row[0] << " " << q;
      ++checked;
      continue;
    }
    const double mine = q == "sunrise_local"       ? r.sunrise
                        : q == "sunset_local"      ? r.sunset
                        : q == "sun_transit_local" ? r.sunTransit
                                                   : NAN;
    ASSERT_FALSE(std::isnan(mine)) << "unknown quantity " << q;
    // clock times: whole seconds, truncated or rounded by the reference
    const double tol = v.find(':') != std::string::npos ? 1.0 / 3600.0 : 1e-6;
    EXPECT_NEAR(mine, hours(v), tol) << row[0] << " " << q << " (hours)";
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(rows.size()));
}

TEST(Spa, PolarNightHasNoSunrise) {
  SpaInput in;
  in.year = 2026;
  in.month = 12;
  in.day = 21;
  in.hour = 12;
  in.latitudeDeg = 78.2;  // Longyearbyen
  in.longitudeDeg = 15.6;
  in.timezoneH = 1;
  const SpaResult r = spa(in);
  EXPECT_TRUE(std::isnan(r.sunrise));
  EXPECT_TRUE(std::isnan(r.sunset));
  EXPECT_GT(r.zenith, 90.0);
}

}  // namespace
}  // namespace twin::solar
