// SPDX-License-Identifier: Apache-2.0
// energy.grid's parts: the TABULA typology, the heat-pump COP regression, the synthetic grid
// (radial, every building connected, sized for its design load, within the voltage budget),
// its per-unit conversion against an independent fixed-point solution of a feeder, and the EV
// charging sessions.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numeric>
#include <stdexcept>

#include "building_demand.hpp"
#include "grid_model.hpp"
#include "physics/powerflow.hpp"
#include "support/twin_test.hpp"
#include "synthetic_grid.hpp"

namespace twin::energy {
namespace {

const std::string kAssets = std::string(TWIN_SOURCE_DIR) + "/assets/energy";

TEST(Tabula, FindsTheTypeOfASizeClassAndYear) {
  const Tabula t = Tabula::load(kAssets + "/benchmarks/tabula_de_residential_heat_need.csv");
  EXPECT_EQ(t.size(), 40u);  // the generic West German types: SFH, TH, MFH, AB
  const TabulaType& sfh = t.find("SFH", 1965);
  EXPECT_EQ(sfh.code, "DE.N.SFH.05.Gen.ReEx.001");
  EXPECT_DOUBLE_EQ(sfh.qh[0], 265.3);  // as built
  EXPECT_DOUBLE_EQ(sfh.qh[1], 128.1);  // usual refurbishment
  EXPECT_DOUBLE_EQ(sfh.qh[2], 69.9);   // advanced
  EXPECT_DOUBLE_EQ(sfh.qw, 10.0);
  EXPECT_EQ(sfh.band, 5);
  EXPECT_EQ(t.find("MFH", 2020).code, "DE.N.MFH.12.Gen.ReEx.001");  // open-ended band
  EXPECT_EQ(t.find("MFH", 1700).code, "DE.N.MFH.01.Gen.ReEx.001");
  // apartment blocks start in 1860: an older one takes the nearest band
  EXPECT_EQ(t.find("AB", 1800).code, "DE.N.AB.02.Gen.ReEx.001");
  EXPECT_THROW(t.find("castle", 1500), std::runtime_error);
  EXPECT_EQ(residentialSizeClass(2, 180), "SFH");
  EXPECT_EQ(residentialSizeClass(4, 1200), "MFH");
  EXPECT_EQ(residentialSizeClass(8, 2400), "AB");
  EXPECT_EQ(parseRefurbishment("advanced"), Refurbishment::Advanced);
  EXPECT_THROW(parseRefurbishment("some"), std::runtime_error);
}

TEST(Tabula, BrokenFileNamesTheLine) {
  const std::string dir = test::makeTempDir("tabula");
  test::writeFile(dir + "/t.csv",
                  "tabula_code,size_class,year_from,year_to,a,n,q1,q2,q3,qw\n"
                  "DE.N.SFH.05.Gen.ReEx.001,SFH,1958,1968,121.2,1,265.3,lots,69.9,10\n");
  try {
    Tabula::load(dir + "/t.csv");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("t.csv:2: field 8 is not a number: 'lots'"),
              std::string::npos)
        << e.what();
  }
}

TEST(HeatPump, CopFollowsRuhnauEtAl) {
  // COP = 0.85 (6.08 - 0.09 dT + 0.0005 dT^2): dT 40 K -> 0.85 x 3.28; dT 26 K -> 0.85 x 4.078
  EXPECT_NEAR(airSourceCop(0.0, 40.0), 0.85 * 3.28, 1e-12);
  EXPECT_NEAR(airSourceCop(7.0, radiatorSinkC(7.0)), 0.85 * 4.078, 1e-12);
  EXPECT_DOUBLE_EQ(radiatorSinkC(-10.0), 50.0);
  // colder air, lower COP; never above the regression's 15 K start
  EXPECT_LT(airSourceCop(-10.0, radiatorSinkC(-10.0)), airSourceCop(5.0, radiatorSinkC(5.0)));
  EXPECT_DOUBLE_EQ(airSourceCop(30.0, 35.0), airSourceCop(20.0, 35.0));
}

// A street grid of n x n nodes, `spacing` apart, both directions per street, and one building
// at every node's corner.
struct GridCity {
  std::vector<TwinRoadNode> nodes;
  std::vector<TwinRoadLink> links;
  std::vector<double> xy;  // 4 values per link
  std::vector<TwinBuilding> buildings;
  TwinCityInfo info{};
  GridCity(int n, double spacing) {
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i)
        nodes.push_back({i * spacing, j * spacing, TWIN_JUNCTION_PRIORITY, 1});
    auto id = [n](int i, int j) { return static_cast<std::uint32_t>(j * n + i); };
    std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        if (i + 1 < n)
          pairs.emplace_back(id(i, j), id(i + 1, j));
        if (j + 1 < n)
          pairs.emplace_back(id(i, j), id(i, j + 1));
      }
    xy.reserve(pairs.size() * 8);
    for (auto [a, b] : pairs)
      for (auto [f, t] : {std::pair{a, b}, std::pair{b, a}}) {
        TwinRoadLink l{};
        l.from = f;
        l.to = t;
        l.twin =
            static_cast<std::int32_t>(links.size() % 2 == 0 ? links.size() + 1 : links.size() - 1);
        l.road_class = 6;
        l.car_allowed = 1;
        l.lanes = 1;
        l.speed_limit_mps = 8.33;
        l.length_m = spacing;
        l.point_count = 2;
        links.push_back(l);
        xy.insert(xy.end(), {nodes[f].x, nodes[f].y, nodes[t].x, nodes[t].y});
      }
    for (std::size_t k = 0; k < links.size(); ++k)
      links[k].xy = xy.data() + 4 * k;
    for (const TwinRoadNode& nd : nodes) {
      TwinBuilding b{};
      b.x = nd.x + 10;
      b.y = nd.y + 10;
      b.footprint_m2 = 150;
      b.floor_area_m2 = 450;
      b.floors = 3;
      buildings.push_back(b);
    }
    info.struct_size = sizeof(TwinCityInfo);
    info.building_count = buildings.size();
    info.buildings = buildings.data();
    info.road_node_count = nodes.size();
    info.road_nodes = nodes.data();
    info.road_link_count = links.size();
    info.road_links = links.data();
  }
};

TEST(SyntheticGrid, IsRadialConnectsEveryBuildingAndHoldsTheVoltageAtDesignLoad) {
  const GridTypes types = GridTypes::load(kAssets + "/grid_types.csv");
  GridCity city(12, 80.0);                                  // 144 buildings on 0.77 km2
  std::vector<double> design(city.buildings.size(), 25.0);  // kW each: 3.6 MW in all
  design[5] = 0.0;                                          // one without a connection
  const GridDesign d;
  const SyntheticGrid g = buildSyntheticGrid(city.info, design, types, d);
  EXPECT_EQ(g.unconnectedBuildings, 0u);
  EXPECT_EQ(g.buildingBus[5], -1);
  for (std::size_t i = 0; i < design.size(); ++i) {
    if (design[i] > 0) {
      EXPECT_GE(g.buildingBus[i], 0) << i;
    }
  }
  EXPECT_NEAR(g.designMW, 143 * 0.025, 1e-9);
  // radial: every bus but the reference buses has exactly one feeding branch
  EXPECT_EQ(g.branches.size() + g.substations.size(), g.buses.size());
  std::vector<int> feeds(g.buses.size(), 0);
  for (const GridBranch& b : g.branches)
    ++feeds[static_cast<std::size_t>(b.to)];
  for (std::size_t k = 0; k < g.buses.size(); ++k)
    EXPECT_EQ(feeds[k], g.buses[k].reference ? 0 : 1) << k;
  // 3.6 MW over 630 kVA x 0.7 per area: at least 9 transformers; their rating covers the load
  EXPECT_GE(g.lvTransformers, 9u);
  double rating = 0;
  for (const GridBranch& b : g.branches)
    if (b.kind == BranchKind::LvTransformer)
      rating += b.ratingMVA;
  EXPECT_GE(rating * d.lvUtilisation * d.powerFactor, g.designMW - 1e-9);
  ASSERT_EQ(g.substations.size(), 1u);

  // at design load (cos phi 0.95) the power flow converges and every bus stays within the
  // planning budget: setpoint 1.02 minus 4 % LV drop, the transformer and the MV cables
  physics::PfCase pc = g.toCase(types, d);
  for (std::size_t i = 0; i < design.size(); ++i)
    if (g.buildingBus[i] >= 0) {
      auto& bus = pc.buses[static_cast<std::size_t>(g.buildingBus[i])];
      bus.pdMW += design[i] / 1000.0;
      bus.qdMVAr += design[i] / 1000.0 * std::tan(std::acos(0.95));
    }
  auto pf = physics::PowerFlow::create(pc);
  ASSERT_TRUE(pf.has_value()) << pf.error().message;
  const physics::PfResult r = (*pf)->solve(pc);
  ASSERT_TRUE(r.converged);
  EXPECT_LE(r.iterations, 5);
  const double vmin = *std::min_element(r.vm.begin(), r.vm.end());
  EXPECT_GT(vmin, 0.95);
  EXPECT_LT(vmin, 1.02);
  // the substation supplies the load plus the losses
  EXPECT_NEAR(r.pgMW[0], g.designMW + r.lossMW, 1e-6);
  for (const physics::BranchFlow& b : r.branches)
    EXPECT_LT(b.loading, 1.0);
}

TEST(SyntheticGrid, PerUnitImpedancesMatchAFixedPointSolutionOfTheFeeder) {
  // substation busbar (1.02 p.u.) - 0.4 MVA transformer - 150 m of NAYY 4x150 SE - 60 kW at
  // cos phi 0.95: the power flow of toCase's per-unit model against V2 = V1 - Z conj(S / V2)
  // iterated in volts and ohms
  const GridTypes types = GridTypes::load(kAssets + "/grid_types.csv");
  const GridDesign d;
  SyntheticGrid g;
  g.buses = {{0, 0, BusLevel::Mv, 0, true},
             {0, 0, BusLevel::Lv, 0, false},
             {150, 0, BusLevel::Lv, 0, false}};
  g.substations = {{0, 1, 40, 0}};
  GridBranch t;
  t.from = 0;
  t.to = 1;
  t.kind = BranchKind::LvTransformer;
  t.type = 1;  // 0.4 MVA 10/0.4 kV
  t.ratingMVA = 0.4;
  GridBranch c;
  c.from = 1;
  c.to = 2;
  c.kind = BranchKind::LvCable;
  c.type = 0;  // NAYY 4x150 SE: 100 m and 50 m in series
  addCableSection(c, types.cables[0], 100, 1);
  addCableSection(c, types.cables[0], 50, 1);
  EXPECT_DOUBLE_EQ(c.lengthM, 150.0);
  EXPECT_DOUBLE_EQ(c.ratingMVA, types.cables[0].ratingMVA());
  g.branches = {t, c};
  physics::PfCase pc = g.toCase(types, d);
  const double p = 0.060, q = p * std::tan(std::acos(0.95));
  pc.buses[2].pdMW = p;
  pc.buses[2].qdMVAr = q;
  auto pf = physics::PowerFlow::create(pc);
  ASSERT_TRUE(pf.has_value());
  const physics::PfResult r = (*pf)->solve(pc);
  ASSERT_TRUE(r.converged);

  // the same on the 0.4 kV side in ohms (single-phase equivalent), cable charging left out
  const TransformerType& tt = types.transformers[1];
  const double u = 400.0;
  const double zt = tt.vkPct / 100.0 * u * u / (tt.snMVA * 1e6);
  const double rt = tt.vkrPct / 100.0 * u * u / (tt.snMVA * 1e6);
  const std::complex<double> zT(rt, std::sqrt(zt * zt - rt * rt));
  const std::complex<double> zC(0.208 * 0.150, 0.080 * 0.150);
  const std::complex<double> s(p * 1e6 / 3.0, q * 1e6 / 3.0);  // per phase
  const std::complex<double> v0(1.02 * u / std::sqrt(3.0), 0.0);
  std::complex<double> v2 = v0;
  for (int k = 0; k < 100; ++k)
    v2 = v0 - (zT + zC) * std::conj(s / v2);
  const std::complex<double> i = std::conj(s / v2);
  const std::complex<double> v1 = v0 - zT * i;
  EXPECT_NEAR(r.vm[1], std::abs(v1) / (u / std::sqrt(3.0)), 2e-5);
  EXPECT_NEAR(r.vm[2], std::abs(v2) / (u / std::sqrt(3.0)), 2e-5);
  const double lossW = 3.0 * std::norm(i) * (zT + zC).real();
  EXPECT_NEAR(r.lossMW * 1e6, lossW, 0.5);
  // loading of the transformer: |S| at its terminals over 0.4 MVA
  EXPECT_NEAR(r.branches[0].loading, std::abs(3.0 * v0 * std::conj(i)) / 0.4e6, 1e-3);
}

TEST(SyntheticGrid, BrokenTypeLibraryNamesTheLine) {
  const std::string dir = test::makeTempDir("gridtypes");
  test::writeFile(dir + "/g.csv",
                  "kind,name,a,b,c,d,e\ncable,NAYY,0.4,0.2,0.08,260,0.27\nfuse,x,1,2,3,4,5\n");
  try {
    GridTypes::load(dir + "/g.csv");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("g.csv:3: unknown kind 'fuse'"), std::string::npos)
        << e.what();
  }
}

TEST(EvCharging, SessionsRechargeTheDaysDistanceAndSmartOnesStayInTheNight) {
  constexpr double kmYear = 12300, perKm = 0.19, kw = 11;
  double energy = 0;
  int n = 0;
  for (std::uint64_t car = 0; car < 4000; ++car)
    for (std::int64_t day = 0; day < 5; ++day) {
      const double d0 = static_cast<double>(day) * 86400.0;
      const ChargingSession u =
          chargingSession(42, "grid", car, day, kmYear, perKm, kw, Charging::Uncontrolled);
      const ChargingSession s =
          chargingSession(42, "grid", car, day, kmYear, perKm, kw, Charging::Smart);
      // the same car on the same day drives the same distance either way
      EXPECT_DOUBLE_EQ(u.durationS, s.durationS);
      energy += u.durationS / 3600.0 * kw;
      ++n;
      // arrival between 10:00 and 23:30 of its day
      EXPECT_GE(u.startS, d0 + 10 * 3600.0);
      EXPECT_LE(u.startS, d0 + 23.5 * 3600.0);
      // smart: from 22:00 (or the arrival), done by 06:30 when the session fits
      EXPECT_GE(s.startS, std::max(u.startS, d0 + 22 * 3600.0) - 1e-6);
      if (s.durationS < 8.5 * 3600.0) {
        EXPECT_LE(s.startS + s.durationS, d0 + 86400.0 + 6.5 * 3600.0 + 1e-6);
      }
    }
  // the mean daily energy: 12,300 km / 365 x 0.19 kWh/km = 6.40 kWh (exponential distances)
  EXPECT_NEAR(energy / n, kmYear / 365.0 * perKm, 0.03 * kmYear / 365.0 * perKm);
  // common random numbers: the same car and day give the same session
  const ChargingSession a = chargingSession(42, "grid", 7, 1, kmYear, perKm, kw, Charging::Smart);
  const ChargingSession b = chargingSession(42, "grid", 7, 1, kmYear, perKm, kw, Charging::Smart);
  EXPECT_EQ(a.startS, b.startS);
  EXPECT_NE(a.startS, chargingSession(43, "grid", 7, 1, kmYear, perKm, kw, Charging::Smart).startS);
}

TEST(DailyProfile, HoldsEachValueUntilTheNextRowAndNamesBrokenLines) {
  const std::string dir = test::makeTempDir("daily");
  test::writeFile(dir + "/co2.csv", "time,g_per_kwh\n00:00,420\n06:30,350\n12:00,210\n18:00,450\n");
  const DailyProfile p = DailyProfile::load(dir + "/co2.csv");
  EXPECT_DOUBLE_EQ(p.at(0.0), 420.0);
  EXPECT_DOUBLE_EQ(p.at(6.5 * 3600.0 - 1.0), 420.0);
  EXPECT_DOUBLE_EQ(p.at(6.5 * 3600.0), 350.0);
  EXPECT_DOUBLE_EQ(p.at(13 * 3600.0), 210.0);
  EXPECT_DOUBLE_EQ(p.at(86399.0), 450.0);
  test::writeFile(dir + "/bad.csv", "00:00,420\n05:00,lots\n");
  try {
    DailyProfile::load(dir + "/bad.csv");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.csv:2: expected 'HH:MM,value'"), std::string::npos)
        << e.what();
  }
  test::writeFile(dir + "/late.csv", "01:00,420\n");
  EXPECT_THROW(DailyProfile::load(dir + "/late.csv"), std::runtime_error);
}

}  // namespace
}  // namespace twin::energy
