// SPDX-License-Identifier: Apache-2.0
// Gaussian plume and puff against a published worked example and published dispersion
// coefficients (tests/data/dispersion, SOURCE.md there), mass balances, threshold distances and
// the substance table's errors.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "dispersion/gaussian.hpp"
#include "dispersion/substances.hpp"

namespace twin::dispersion {
namespace {

std::vector<std::vector<std::string>> readCsv(const std::string& name) {
  std::ifstream in(std::string(TWIN_TEST_DATA_DIR) + "/dispersion/" + name);
  EXPECT_TRUE(in) << name;
  std::vector<std::vector<std::string>> rows;
  std::string line;
  bool header = false;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    if (!header) {
      header = true;
      continue;
    }
    std::vector<std::string> cells;
    std::istringstream ls(line);
    std::string c;
    while (std::getline(ls, c, ','))
      cells.push_back(c);
    rows.push_back(cells);
  }
  return rows;
}

TEST(Dispersion, WorkedExampleOfBoubelEtAl1994WithinTwoPercent) {
  const auto rows = readCsv("boubel1994_example.csv");
  ASSERT_EQ(rows.size(), 3u);
  Release r;
  r.height_m = 40.0;
  r.wind_mps = 2.0;
  r.stability = Stability::B;
  r.scheme = SigmaScheme::PasquillGifford;
  for (const auto& row : rows) {
    const double x = std::stod(row[0]) * 1000.0;
    const Sigmas s = sigmas(r.scheme, r.stability, x);
    EXPECT_NEAR(s.z_m, std::stod(row[1]), 0.02 * std::stod(row[1])) << x;
    EXPECT_NEAR(s.y_m, std::stod(row[2]), 0.02 * std::stod(row[2])) << x;
    const double chi = plumeConcentration(r, 0.37e-3, x, 0.0, 0.0) * 1000.0;  // g/m3
    EXPECT_NEAR(chi, std::stod(row[3]), 0.02 * std::stod(row[3])) << x;
  }
  // the book's maximum lies near 0.28 km: the concentration there beats both neighbours' table
  // values' order (0.26 < 0.28 > 0.30)
  const double c26 = plumeConcentration(r, 1.0, 260.0, 0, 0);
  const double c28 = plumeConcentration(r, 1.0, 280.0, 0, 0);
  const double c30 = plumeConcentration(r, 1.0, 300.0, 0, 0);
  EXPECT_GT(c28, c26);
  EXPECT_GT(c28, c30);
}

TEST(Dispersion, PasquillGiffordSigmaZMatchesThePublishedTable) {
  const auto rows = readCsv("pg_sigma_z.csv");
  ASSERT_EQ(rows.size(), 16u);
  for (const auto& row : rows) {
    const Stability s = *parseStability(row[0]);
    const double x = std::stod(row[1]) * 1000.0;
    const double want = std::stod(row[2]);
    // the table's values carry three significant digits
    EXPECT_NEAR(sigmas(SigmaScheme::PasquillGifford, s, x).z_m, want, 0.006 * want)
        << row[0] << " " << x;
  }
  // sigma_z of class A stops at 5 km
  EXPECT_DOUBLE_EQ(sigmas(SigmaScheme::PasquillGifford, Stability::A, 20000.0).z_m, 5000.0);
}

TEST(Dispersion, PasquillGiffordSigmaZIsContinuousAcrossItsRanges) {
  // the piecewise fit's pieces meet within 2 % (a mistyped coefficient breaks this)
  const std::vector<std::pair<Stability, std::vector<double>>> breaks{
      {Stability::A, {100, 150, 200, 250, 300, 400, 500}},
      {Stability::B, {200, 400}},
      {Stability::D, {300, 1000, 3000, 10000, 30000}},
      {Stability::E, {100, 300, 1000, 2000, 4000, 10000, 20000, 40000}},
      {Stability::F, {200, 700, 1000, 2000, 3000, 7000, 15000, 30000, 60000}}};
  for (const auto& [s, xs] : breaks) {
    for (double x : xs) {
      const double below = sigmas(SigmaScheme::PasquillGifford, s, x * 0.99999).z_m;
      const double above = sigmas(SigmaScheme::PasquillGifford, s, x * 1.00001).z_m;
      EXPECT_NEAR(above, below, 0.02 * below) << stabilityLetter(s) << " at " << x << " m";
    }
  }
}

TEST(Dispersion, BriggsCoefficientsAtHundredMetresOneAndTenKilometres) {
  const auto rows = readCsv("briggs_sigmas.csv");
  ASSERT_EQ(rows.size(), 36u);
  for (const auto& row : rows) {
    const SigmaScheme scheme = *parseSigmaScheme(row[0]);
    const Stability s = *parseStability(row[1]);
    const double x = std::stod(row[2]);
    const Sigmas got = sigmas(scheme, s, x);
    EXPECT_NEAR(got.y_m, std::stod(row[3]), 1e-3 * std::stod(row[3])) << row[0] << row[1] << x;
    EXPECT_NEAR(got.z_m, std::stod(row[4]), 1e-3 * std::stod(row[4])) << row[0] << row[1] << x;
  }
  // stability orders the spread: more unstable, wider (rural, every distance)
  for (double x : {100.0, 1000.0, 10000.0})
    for (int c = 1; c < 6; ++c)
      EXPECT_GT(sigmas(SigmaScheme::BriggsRural, static_cast<Stability>(c), x).z_m,
                sigmas(SigmaScheme::BriggsRural, static_cast<Stability>(c + 1), x).z_m);
}

TEST(Dispersion, PlumeCarriesItsEmissionRateThroughEveryCrossSection) {
  // u * integral of C over y and z >= 0 equals the rate (ground reflection conserves mass)
  for (SigmaScheme scheme : {SigmaScheme::BriggsRural, SigmaScheme::BriggsUrban}) {
    Release r;
    r.height_m = 25.0;
    r.wind_mps = 4.0;
    r.stability = Stability::D;
    r.scheme = scheme;
    for (double x : {300.0, 2000.0}) {
      const Sigmas s = sigmas(scheme, r.stability, x);
      const double dy = s.y_m / 40.0, dz = s.z_m / 40.0;
      double sum = 0.0;
      for (double y = -8 * s.y_m; y <= 8 * s.y_m; y += dy)
        for (double z = 0.5 * dz; z <= r.height_m + 8 * s.z_m; z += dz)
          sum += plumeConcentration(r, 2.0, x, y, z) * dy * dz;
      EXPECT_NEAR(sum * r.wind_mps, 2.0, 2.0 * 0.005) << x;
    }
  }
}

TEST(Dispersion, PuffHoldsItsMassAndPeaksWhereItsCentrePasses) {
  Release r;
  r.height_m = 5.0;
  r.wind_mps = 3.0;
  r.stability = Stability::F;
  const double mass = 1000.0, t = 400.0;  // centre at 1,200 m
  const Sigmas s = sigmas(r.scheme, r.stability, r.wind_mps * t);
  const double dh = s.y_m / 12.0, dz = s.z_m / 24.0;
  double sum = 0.0;
  for (double x = 1200 - 7 * s.y_m; x <= 1200 + 7 * s.y_m; x += dh)
    for (double y = -7 * s.y_m; y <= 7 * s.y_m; y += dh)
      for (double z = 0.5 * dz; z <= r.height_m + 8 * s.z_m; z += dz)
        sum += puffConcentration(r, mass, x, y, z, t) * dh * dh * dz;
  EXPECT_NEAR(sum, mass, mass * 0.005);
  // at the ground under the centre: M / ((2 pi)^1.5 sy^2 sz) * 2 exp(-H^2 / 2 sz^2)
  const double want = mass / (std::pow(2 * std::numbers::pi, 1.5) * s.y_m * s.y_m * s.z_m) * 2 *
                      std::exp(-0.5 * (5.0 / s.z_m) * (5.0 / s.z_m));
  EXPECT_NEAR(puffConcentration(r, mass, 1200, 0, 0, t), want, want * 1e-12);
  EXPECT_NEAR(puffPeakConcentration(r, mass, 1200, 0, 0), want, want * 1e-12);
  EXPECT_LT(puffConcentration(r, mass, 1200, 0, 0, t * 0.8), want);
}

TEST(Dispersion, ThresholdDistanceIsWhereTheCentreLineFallsToTheThreshold) {
  Release r;
  r.height_m = 10.0;
  r.wind_mps = 3.0;
  r.stability = Stability::D;
  const double rate = 2.0;    // kg/s
  const double thr = 5.8e-6;  // 5.8 mg/m3, chlorine's AEGL-2 (60 min)
  const double d = plumeThresholdDistance(r, rate, thr);
  ASSERT_GT(d, 100.0);
  EXPECT_NEAR(plumeConcentration(r, rate, d, 0, 0), thr, thr * 0.01);
  EXPECT_LT(plumeConcentration(r, rate, d * 1.01, 0, 0), thr);
  // a threshold above the plume's maximum is never reached; a tiny one reaches the search's end
  EXPECT_EQ(plumeThresholdDistance(r, rate, 1.0), 0.0);
  EXPECT_EQ(plumeThresholdDistance(r, rate, 1e-15, 0.0, 20000.0), 20000.0);
  // a stable night carries the same release farther than a neutral day
  Release night = r;
  night.stability = Stability::F;
  EXPECT_GT(plumeThresholdDistance(night, rate, thr), 2.0 * d);
}

TEST(Dispersion, WindProfileAndParsing) {
  EXPECT_DOUBLE_EQ(windAtHeight(3.0, 5.0, Stability::D, false), 3.0);
  EXPECT_NEAR(windAtHeight(3.0, 100.0, Stability::D, false), 3.0 * std::pow(10.0, 0.15), 1e-12);
  EXPECT_NEAR(windAtHeight(3.0, 100.0, Stability::F, true), 3.0 * std::pow(10.0, 0.30), 1e-12);
  EXPECT_EQ(parseStability("d"), Stability::D);
  EXPECT_EQ(parseStability("6"), Stability::F);
  EXPECT_FALSE(parseStability("G"));
  EXPECT_FALSE(stabilityFromIndex(0.0));
  EXPECT_EQ(stabilityFromIndex(5.0), Stability::E);
  EXPECT_FALSE(parseSigmaScheme("briggs"));
  // upwind and below ground nothing arrives
  Release r;
  EXPECT_EQ(plumeConcentration(r, 1.0, -5.0, 0, 0), 0.0);
  EXPECT_EQ(plumeConcentration(r, 1.0, 50.0, 0, -1), 0.0);
}

TEST(Substances, ShippedTableConvertsAeglToMassConcentration) {
  std::string error;
  auto table =
      readSubstances(std::string(TWIN_SOURCE_DIR) + "/assets/industry/substances.csv", error);
  ASSERT_TRUE(table) << error;
  const Substance* cl = table->find("Chlorine");
  ASSERT_NE(cl, nullptr);
  ASSERT_EQ(cl->levels.size(), 3u);
  EXPECT_EQ(cl->levels[1].name, "AEGL-2");
  // 2.0 ppm x 70.906 g/mol / 24.45 L/mol = 5.80 mg/m3 for an hour
  EXPECT_NEAR(cl->thresholdKgM3(cl->levels[1], 3600.0), 5.800e-6, 0.001e-6);
  // a 20-minute exposure takes the 30-minute value (2.8 ppm)
  EXPECT_NEAR(cl->thresholdKgM3(cl->levels[1], 1200.0), 2.8 * 70.906 / 24.45 * 1e-6, 1e-12);
  const Substance* ph = table->find("phosgene");
  ASSERT_NE(ph, nullptr);
  EXPECT_TRUE(std::isnan(ph->thresholdKgM3(ph->levels[0], 3600.0)));  // AEGL-1 not recommended
  EXPECT_EQ(table->names(), "ammonia, chlorine, phosgene");
}

TEST(Substances, BadTablesNameFileAndLine) {
  const std::string path = ::testing::TempDir() + "/bad_substances.csv";
  auto check = [&](const std::string& text, const std::string& want) {
    std::ofstream(path) << text;
    std::string error;
    EXPECT_FALSE(readSubstances(path, error));
    EXPECT_NE(error.find(want), std::string::npos) << error;
  };
  const std::string header =
      "substance,cas,molar_mass_g_mol,level,ppm_10min,ppm_30min,ppm_60min,ppm_4h,ppm_8h\n";
  check("# only a comment\nname,x\n", ":2: expected the header");
  check(header + "chlorine,7782-50-5,-1,AEGL-1,1,1,1,1,1\n", ":2: expected a molar mass");
  check(header + "chlorine,7782-50-5,70.9,AEGL-1,1,1,abc,1,1\n",
        ":2: expected a concentration in ppm > 0 (or empty for NR) in column ppm_60min");
  check(header + "chlorine,7782-50-5,70.9,AEGL-1,1,1,1,1\n", ":2: expected 9 comma-separated");
  check(header +
            "chlorine,7782-50-5,70.9,AEGL-1,1,1,1,1,1\nchlorine,7782-50-5,70.9,AEGL-1,1,1,1,"
            "1,1\n",
        ":3: level AEGL-1 of chlorine appears twice");
  check("", ":1: empty substance table");
  std::string error;
  EXPECT_FALSE(readSubstances("/nonexistent/substances.csv", error));
  EXPECT_NE(error.find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace twin::dispersion
