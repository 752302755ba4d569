// SPDX-License-Identifier: Apache-2.0
// industry.release: who is inside at which hour (HAZUS shares), the release followed over a row
// of buildings (front, levels, people, zones, the end of the event), the puff's peak whatever the
// step, snapshots, and the industrial centre.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "hazard.hpp"
#include "occupancy.hpp"
#include "release_model.hpp"

namespace twin::industry {
namespace {

using dispersion::Stability;

TEST(Occupancy, HazusSharesByNightAndDayAndLinearInBetween) {
  const Presence night = presenceAt(2.0, TWIN_USE_INDUSTRIAL);
  EXPECT_DOUBLE_EQ(night.residents, 1.0);
  EXPECT_DOUBLE_EQ(night.jobs, 0.10);
  const Presence day = presenceAt(14.0, TWIN_USE_INDUSTRIAL);
  EXPECT_DOUBLE_EQ(day.residents, 0.29);
  EXPECT_DOUBLE_EQ(day.jobs, 0.80);
  EXPECT_DOUBLE_EQ(presenceAt(14.0, TWIN_USE_OFFICE).jobs, 0.98);
  EXPECT_DOUBLE_EQ(presenceAt(2.0, TWIN_USE_COMMERCIAL).jobs, 0.02);
  EXPECT_DOUBLE_EQ(presenceAt(2.0, TWIN_USE_EDUCATION).jobs, 0.0);
  // 07:30 is halfway through the 06:00-09:00 ramp; 19:00 halfway through 16:00-22:00
  EXPECT_NEAR(presenceAt(7.5, TWIN_USE_OFFICE).jobs, 0.5 * (0.02 + 0.98), 1e-12);
  EXPECT_NEAR(presenceAt(19.0, TWIN_USE_RESIDENTIAL).residents, 0.5 * (1.0 + 0.29), 1e-12);
  EXPECT_DOUBLE_EQ(presenceAt(23.5, TWIN_USE_RESIDENTIAL).residents, 1.0);
}

TEST(Clock, ParsesHoursAndMinutes) {
  double s = 0;
  EXPECT_TRUE(parseClock("02:00", s));
  EXPECT_DOUBLE_EQ(s, 7200.0);
  EXPECT_TRUE(parseClock("08:30:15", s));
  EXPECT_DOUBLE_EQ(s, 8 * 3600.0 + 30 * 60 + 15);
  EXPECT_FALSE(parseClock("24:00", s));
  EXPECT_FALSE(parseClock("2:00", s));
  EXPECT_FALSE(parseClock("02:00x", s));
  EXPECT_FALSE(parseClock("noon", s));
}

// chlorine's AEGLs for 30 minutes (ppm 0.5, 2.8, 28) in kg/m3
std::array<double, kLevels> chlorine30() {
  const double k = 70.906 / 24.45 * 1e-6;
  return {0.5 * k, 2.8 * k, 28.0 * k};
}

// residents 100 and 10 jobs in an office at every 100 m east of the source, 2 km; one west
std::vector<BuildingPoint> row() {
  std::vector<BuildingPoint> b;
  for (int i = 1; i <= 20; ++i)
    b.push_back({100.0 * i, 0.0, 100.0, 10.0, TWIN_USE_OFFICE});
  b.push_back({-500.0, 0.0, 100.0, 10.0, TWIN_USE_OFFICE});
  return b;
}

ReleaseSpec continuous() {
  ReleaseSpec s;
  s.rate_kg_s = 1.0;
  s.duration_s = 1800.0;
  s.height_m = 2.0;
  s.start_s = 600.0;
  s.scheme = dispersion::SigmaScheme::BriggsUrban;
  s.receptor_m = 1.5;
  return s;
}

const Met kWest{3.0, 270.0, Stability::D};  // from the west: the gas travels east (+x)

TEST(Hazard, PlumeArrivesWithItsFrontAndFollowsTheGaussianModel) {
  HazardEvent e(continuous(), chlorine30(), row());
  e.step(0.0, 60.0, 2.0, kWest);
  EXPECT_FALSE(e.started());
  e.step(600.0, 60.0, 2.0, kWest);  // the release begins: nothing has travelled yet
  EXPECT_TRUE(e.started());
  EXPECT_EQ(e.peaks()[0], 0.0);
  e.step(660.0, 60.0, 2.0, kWest);  // front at 180 m: 100 m reached, 200 m not
  EXPECT_GT(e.peaks()[0], 0.0);
  EXPECT_EQ(e.peaks()[1], 0.0);
  for (double t = 720.0; t <= 1800.0; t += 60.0)
    e.step(t, 60.0, 2.0, kWest);
  // every building east now sees the steady plume; the one west never
  dispersion::Release r;
  r.height_m = 2.0;
  r.wind_mps = 3.0;  // below 10 m the 10 m wind
  r.stability = Stability::D;
  r.scheme = dispersion::SigmaScheme::BriggsUrban;
  for (int i = 0; i < 20; ++i) {
    const double want = dispersion::plumeConcentration(r, 1.0, 100.0 * (i + 1), 0.0, 1.5);
    EXPECT_NEAR(e.peaks()[static_cast<std::size_t>(i)], want, want * 1e-12) << i;
  }
  EXPECT_EQ(e.peaks()[20], 0.0);
  EXPECT_EQ(e.levels()[20], 0);
  // levels follow the thresholds building by building
  const auto thr = chlorine30();
  for (std::size_t i = 0; i < 20; ++i) {
    int want = 0;
    for (std::size_t k = 0; k < kLevels; ++k)
      if (e.peaks()[i] >= thr[k])
        want = static_cast<int>(k + 1);
    EXPECT_EQ(e.levels()[i], want) << i;
  }
  EXPECT_EQ(e.levels()[0], 3);  // 100 m downwind is above AEGL-3
  // at 02:00 each reached building counts its 100 residents and 2 % of its 10 jobs
  EXPECT_NEAR(e.people()[1], static_cast<double>(e.buildings()[1]) * (100.0 + 0.2), 1e-9);
  EXPECT_NEAR(e.releasedKg(), 1200.0, 1e-9);
}

TEST(Hazard, SameReleaseByDayCountsTheWorkersNotTheSleepers) {
  HazardEvent night(continuous(), chlorine30(), row());
  HazardEvent day(continuous(), chlorine30(), row());
  for (double t = 0.0; t <= 3600.0; t += 60.0) {
    night.step(t, 60.0, 2.0, kWest);
    day.step(t, 60.0, 14.0, kWest);
  }
  ASSERT_EQ(night.buildings()[1], day.buildings()[1]);
  const double n = static_cast<double>(night.buildings()[1]);
  EXPECT_NEAR(night.people()[1], n * (100.0 * 1.0 + 10.0 * 0.02), 1e-9);
  EXPECT_NEAR(day.people()[1], n * (100.0 * 0.29 + 10.0 * 0.98), 1e-9);
  EXPECT_GT(night.people()[1], 2.0 * day.people()[1]);
}

bool inside(const std::vector<double>& xy, double x, double y) {
  bool in = false;
  const std::size_t n = xy.size() / 2;
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    const double xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];
    if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
      in = !in;
  }
  return in;
}

TEST(Hazard, ZonesAreTheIsoConcentrationFootprintAndTheEventEnds) {
  ReleaseSpec spec = continuous();
  HazardEvent e(spec, chlorine30(), row());
  double t = 0.0;
  for (; t <= 2400.0; t += 60.0)
    e.step(t, 60.0, 2.0, kWest);
  const auto thr = chlorine30();
  dispersion::Release r;
  r.height_m = 2.0;
  r.wind_mps = 3.0;
  r.stability = Stability::D;
  r.scheme = dispersion::SigmaScheme::BriggsUrban;
  const Zone& z2 = e.zones()[1];
  ASSERT_GE(z2.xy.size(), 6u);
  // reach: where the centre line falls to AEGL-2
  EXPECT_NEAR(z2.reach_m, dispersion::plumeThresholdDistance(r, 1.0, thr[1], 1.5),
              1e-3 * z2.reach_m);
  // area: 2 * integral of the half-width sy * sqrt(2 ln(C0/T)) along the plume (midpoint rule)
  double area = 0.0;
  const double dx = 0.05;
  for (double x = 1.0 + dx / 2; x < z2.reach_m; x += dx) {
    const double c = dispersion::plumeConcentration(r, 1.0, x, 0.0, 1.5);
    if (c > thr[1])
      area += 2.0 * dispersion::sigmas(r.scheme, r.stability, x).y_m *
              std::sqrt(2.0 * std::log(c / thr[1])) * dx;
  }
  EXPECT_NEAR(z2.area_m2, area, 0.02 * area);
  // the buildings above AEGL-2 lie inside the zone, those below outside
  for (std::size_t i = 0; i < 20; ++i) {
    const double x = 100.0 * static_cast<double>(i + 1);
    EXPECT_EQ(inside(z2.xy, x, 0.0), e.peaks()[i] >= thr[1]) << x;
  }
  EXPECT_FALSE(inside(z2.xy, -500.0, 0.0));
  // once the tail has passed the AEGL-1 reach the event is over and nothing is in the air
  for (; t <= 86400.0 && !e.over(); t += 60.0)
    e.step(t, 60.0, 2.0, kWest);
  EXPECT_TRUE(e.over());
  EXPECT_FALSE(e.active());
  EXPECT_EQ(e.concentrationAt(500.0, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(e.releasedKg(), 1800.0);
  // the largest zones stay for the results
  EXPECT_GE(e.zones()[1].xy.size(), 6u);
}

TEST(Hazard, PuffPeakIsFoundWhateverTheStep) {
  ReleaseSpec spec;
  spec.mass_kg = 500.0;
  spec.start_s = 0.0;
  spec.height_m = 0.0;
  spec.scheme = dispersion::SigmaScheme::BriggsRural;
  const Met met{2.0, 270.0, Stability::F};
  HazardEvent coarse(spec, chlorine30(), row());
  HazardEvent fine(spec, chlorine30(), row());
  for (double t = 0.0; t <= 1500.0; t += 60.0)
    coarse.step(t, 60.0, 2.0, met);
  for (double t = 0.0; t <= 1500.0; t += 7.0)
    fine.step(t, 7.0, 2.0, met);
  dispersion::Release r;
  r.height_m = 0.0;
  r.wind_mps = 2.0;
  r.stability = Stability::F;
  r.scheme = dispersion::SigmaScheme::BriggsRural;
  for (std::size_t i = 0; i < 10; ++i) {  // the first 1 km, passed within 1,500 s at 2 m/s
    const double want =
        dispersion::puffPeakConcentration(r, 500.0, 100.0 * static_cast<double>(i + 1), 0, 1.5);
    // the peak as the centre passes, or a little more where a step samples the receptor just
    // after (the puff still grows vertically, which raises the ground value near a ground
    // release): never less, and within 1 %
    EXPECT_GE(coarse.peaks()[i], want * (1 - 1e-12)) << i;
    EXPECT_GE(fine.peaks()[i], want * (1 - 1e-12)) << i;
    EXPECT_NEAR(coarse.peaks()[i], want, want * 0.01) << i;
    EXPECT_NEAR(fine.peaks()[i], want, want * 0.01) << i;
    EXPECT_EQ(coarse.levels()[i], fine.levels()[i]);
  }
}

TEST(Hazard, SnapshotResumesExactly) {
  HazardEvent a(continuous(), chlorine30(), row());
  HazardEvent b(continuous(), chlorine30(), row());
  const Met turning[] = {kWest, {4.0, 250.0, Stability::C}, {2.0, 300.0, Stability::E}};
  double t = 0.0;
  for (int i = 0; i < 25; ++i, t += 60.0)
    a.step(t, 60.0, 2.0, turning[i % 3]);
  b.load(a.save());
  for (int i = 25; i < 80; ++i, t += 60.0) {
    a.step(t, 60.0, 2.0, turning[i % 3]);
    b.step(t, 60.0, 2.0, turning[i % 3]);
  }
  EXPECT_EQ(a.save(), b.save());
  EXPECT_EQ(a.peaks(), b.peaks());
  std::vector<std::uint8_t> bad = a.save();
  bad.pop_back();
  EXPECT_THROW(b.load(bad), std::runtime_error);
}

TEST(Hazard, IndustrialCentreIsTheDensestIndustrialCluster) {
  std::vector<BuildingPoint> b;
  std::vector<double> fp;
  // a lone industrial shed far west, a cluster of four east, offices everywhere
  b.push_back({-3000, 0, 0, 5, TWIN_USE_INDUSTRIAL});
  fp.push_back(3000.0);
  for (double x : {1000.0, 1100.0}) {
    for (double y : {0.0, 100.0}) {
      b.push_back({x, y, 0, 50, TWIN_USE_INDUSTRIAL});
      fp.push_back(1000.0);
    }
  }
  b.push_back({0, 0, 0, 500, TWIN_USE_OFFICE});
  fp.push_back(90000.0);
  double x = 0, y = 0;
  ASSERT_TRUE(industrialCentre(b, fp, x, y));
  EXPECT_NEAR(x, 1050.0, 1e-9);
  EXPECT_NEAR(y, 50.0, 1e-9);
  std::vector<BuildingPoint> none{{0, 0, 10, 0, TWIN_USE_RESIDENTIAL}};
  EXPECT_FALSE(industrialCentre(none, {100.0}, x, y));
}

TEST(Hazard, SiteCentreIsTheParksCentroidOrItsBuildingsWhenConcave) {
  // a 400 m x 200 m rectangle: its centroid
  const std::vector<double> rect{0, 0, 400, 0, 400, 200, 0, 200};
  std::vector<BuildingPoint> b{{50, 50, 0, 10, TWIN_USE_INDUSTRIAL},
                               {350, 150, 0, 10, TWIN_USE_INDUSTRIAL},
                               {900, 900, 50, 0, TWIN_USE_RESIDENTIAL}};
  const std::vector<double> fp{100.0, 300.0, 100.0};
  double x = 0, y = 0;
  ASSERT_TRUE(siteCentre(rect, b, fp, x, y));
  EXPECT_NEAR(x, 200.0, 1e-9);
  EXPECT_NEAR(y, 100.0, 1e-9);
  // a U whose centroid lies in the gap: the buildings inside, weighted by footprint
  const std::vector<double> u{0,   0,   300, 0,   300, 300, 200, 300,
                              200, 100, 100, 100, 100, 300, 0,   300};
  EXPECT_FALSE(pointInRing(u, 150, 200));
  std::vector<BuildingPoint> ub{{50, 250, 0, 10, TWIN_USE_INDUSTRIAL},
                                {250, 250, 0, 10, TWIN_USE_INDUSTRIAL},
                                {150, 200, 0, 10, TWIN_USE_INDUSTRIAL}};  // in the gap: outside
  ASSERT_TRUE(siteCentre(u, ub, {100.0, 300.0, 1000.0}, x, y));
  EXPECT_NEAR(x, (50 * 100 + 250 * 300) / 400.0, 1e-9);
  EXPECT_NEAR(y, 250.0, 1e-9);
  EXPECT_FALSE(siteCentre({}, ub, {1, 1, 1}, x, y));
}

TEST(Sdk, LargestLandUseOfAClassFromTheCityTables) {
  // two industrial areas and a residential one, as the host hands them over (ABI 1.4)
  const std::vector<double> xy{0, 0, 10,  0, 10,  10,           // industrial, 50 m2
                               0, 0, 100, 0, 100, 100, 0, 100,  // residential, 10,000 m2
                               0, 0, 40,  0, 40,  40};          // industrial, 800 m2
  const std::vector<std::size_t> start{0, 3, 7, 10};
  const std::vector<std::int32_t> cls{TWIN_LAND_INDUSTRIAL, TWIN_LAND_RESIDENTIAL,
                                      TWIN_LAND_INDUSTRIAL};
  const std::vector<double> area{50.0, 10000.0, 800.0};
  TwinCityInfo c{};
  c.struct_size = sizeof(TwinCityInfo);
  c.land_use_xy = xy.data();
  c.land_use_start = start.data();
  c.land_use_class = cls.data();
  c.land_use_area_m2 = area.data();
  c.land_use_count = 3;
  const sdk::LandUseRing park = sdk::largestLandUse(&c, TWIN_LAND_INDUSTRIAL);
  ASSERT_EQ(park.xy.size(), 6u);
  EXPECT_EQ(park.xy[2], 40.0);
  EXPECT_EQ(park.areaM2, 800.0);
  EXPECT_TRUE(sdk::largestLandUse(&c, TWIN_LAND_FOREST).xy.empty());
  // an older host's smaller struct has no land use
  c.struct_size = static_cast<std::uint32_t>(offsetof(TwinCityInfo, land_use_xy));
  EXPECT_TRUE(sdk::largestLandUse(&c, TWIN_LAND_INDUSTRIAL).xy.empty());
  EXPECT_TRUE(sdk::largestLandUse(nullptr, TWIN_LAND_INDUSTRIAL).xy.empty());
}

}  // namespace
}  // namespace twin::industry
