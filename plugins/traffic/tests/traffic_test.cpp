// SPDX-License-Identifier: Apache-2.0
// traffic.micro's core: IDM and MOBIL by hand, the IDM fundamental diagram on a ring road, a
// signal's throughput per green, conservation of vehicles, determinism for any thread count,
// A* against brute force, the benchmark-format reader and its errors, and the SUMO reference
// case grid10_1k.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <barrier>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <numbers>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "bench_reader.hpp"
#include "city_network.hpp"
#include "closures.hpp"
#include "emissions.hpp"
#include "ev_energy.hpp"
#include "idm.hpp"
#include "random_trips.hpp"
#include "rerouting.hpp"
#include "routing.hpp"
#include "sim.hpp"
#include "support/twin_test.hpp"

namespace twin::traffic {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// the shipped benchmark case (assets/traffic/SOURCE.md)
const std::string kAssets = std::string(TWIN_SOURCE_DIR) + "/assets/traffic";

// ---- IDM and MOBIL by hand ------------------------------------------------------------------

IdmParams benchIdm() {
  IdmParams p;  // the benchmark's IDM car: a 2.6, b 4.5, T 1 s, s0 2.5 m, delta 4, 5 m long
  return p;
}

TEST(Idm, AccelerationsAsComputedByHand) {
  const IdmParams p = benchIdm();
  // free road: a (1 - (v/v0)^4) = 2.6 (1 - 0.5^4) = 2.4375
  EXPECT_NEAR(idmAccel(p, 10, 20, std::numeric_limits<double>::infinity(), 0), 2.4375, 1e-12);
  // following: s* = 2.5 + 10 * 1 + 10 * 2 / (2 sqrt(2.6 * 4.5)) = 15.4235267;
  // a = 2.6 (1 - 0.0625 - (15.4235267 / 20)^2) = 0.8912464
  EXPECT_NEAR(idmAccel(p, 10, 20, 20, 8), 0.8912463506531368, 1e-12);
  // standing 5 m behind a standing car: 2.6 (1 - (2.5 / 5)^2) = 1.95
  EXPECT_NEAR(idmAccel(p, 0, 20, 5, 0), 1.95, 1e-12);
  // at the desired speed on a free road: no acceleration; above it: braking
  EXPECT_NEAR(idmAccel(p, 20, 20, std::numeric_limits<double>::infinity(), 0), 0.0, 1e-12);
  EXPECT_LT(idmAccel(p, 25, 20, std::numeric_limits<double>::infinity(), 0), 0.0);
  // one step integrated in 4 sub-steps on a free road from rest: each sub-step adds
  // a(v) * 0.25; the first is 2.6 * 0.25 = 0.65 exactly
  EXPECT_NEAR(idmSpeed(p, 0, 20, std::numeric_limits<double>::infinity(), 0, 0.25, 1), 0.65, 1e-12);
  // never negative, whatever the gap
  EXPECT_GE(idmSpeed(p, 5, 20, 0.1, 0, 1.0, 4), 0.0);
  // a desired speed below a h (a tight turn, 0.4 m/s): from rest the sub-steps reach it and
  // stay there (without the cap at v0 the second sub-step braked from 0.65 back to 0, and a
  // vehicle starting on such a lane never moved)
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_DOUBLE_EQ(idmSpeed(p, 0, 0.4, inf, 0, 1.0, 4), 0.4);
  // from above it brakes towards v0, never below on a free road
  EXPECT_DOUBLE_EQ(idmSpeed(p, 1.0, 0.4, inf, 0, 1.0, 4), 0.4);
  // behind a leader it may still brake below v0
  EXPECT_LT(idmSpeed(p, 10, 20, 5, 0, 1.0, 4), 10.0);
}

TEST(Mobil, IncentiveAndSafetyAsComputedByHand) {
  const MobilParams m;  // p 0.2, threshold 0.1, b_safe 4, bias 0.2
  // gain 0.5 - (-1) + 0.2 ((-0.6 - 0.3) + (0.2 - (-0.5))) = 1.46; to the left: - 0.1 - 0.2
  EXPECT_NEAR(mobilIncentive(m, -1.0, 0.5, -0.5, 0.2, 0.3, -0.6, true), 1.16, 1e-12);
  // to the right the keep-right bias helps: 1.46 - 0.1 + 0.2
  EXPECT_NEAR(mobilIncentive(m, -1.0, 0.5, -0.5, 0.2, 0.3, -0.6, false), 1.56, 1e-12);
  // no gain: a change to the left is refused, one to the right (bias) is taken
  EXPECT_LT(mobilIncentive(m, 1.0, 1.0, 0, 0, 0, 0, true), 0.0);
  EXPECT_GT(mobilIncentive(m, 1.0, 1.0, 0, 0, 0, 0, false), 0.0);
  EXPECT_TRUE(mobilSafe(m, -0.6));
  EXPECT_TRUE(mobilSafe(m, -4.0));
  EXPECT_FALSE(mobilSafe(m, -4.5));
}

// ---- small networks built by hand ----------------------------------------------------------

struct Builder {
  Network net;
  std::vector<ConnectionInput> conns;
  std::vector<std::vector<bool>> allow;
  std::uint32_t node(const std::string& id, double x, double y) {
    net.nodes.push_back({id, x, y, "priority"});
    return static_cast<std::uint32_t>(net.nodes.size() - 1);
  }
  std::uint32_t edge(const std::string& id, std::uint32_t from, std::uint32_t to,
                     std::uint32_t lanes, double speed, double length = -1) {
    Edge e;
    e.id = id;
    e.from = from;
    e.to = to;
    e.laneCount = lanes;
    e.speed = speed;
    const Node &a = net.nodes[from], &b = net.nodes[to];
    e.shape = {{a.x, a.y}, {b.x, b.y}};
    e.length = length > 0 ? length : std::hypot(b.x - a.x, b.y - a.y);
    net.edgeIndex[id] = static_cast<std::uint32_t>(net.edges.size());
    net.edges.push_back(e);
    allow.emplace_back(lanes, true);
    return static_cast<std::uint32_t>(net.edges.size() - 1);
  }
  void connect(std::uint32_t from, std::uint32_t fl, std::uint32_t to, std::uint32_t tl,
               char dir = 's', char state = 'M', std::int32_t signal = -1, std::int32_t link = -1,
               double via = 0.1) {
    conns.push_back({from, fl, to, tl, net.edges[from].to, dir, state, signal, link, via});
  }
  Network finish() {
    finishNetwork(net, conns, allow);
    return net;
  }
};

std::uint32_t addTrip(Demand& d, const std::string& id, double depart,
                      const std::vector<std::uint32_t>& route) {
  Trip t;
  t.id = id;
  t.depart = depart;
  t.routeBegin = static_cast<std::uint32_t>(d.routeEdges.size());
  d.routeEdges.insert(d.routeEdges.end(), route.begin(), route.end());
  t.routeEnd = static_cast<std::uint32_t>(d.routeEdges.size());
  d.trips.push_back(t);
  return static_cast<std::uint32_t>(d.trips.size() - 1);
}

VehicleType exactCar() {
  VehicleType t;
  t.id = "car";
  t.speedFactorDev = 0;  // every driver wants the limit exactly: a clean equilibrium
  return t;
}

const ParallelFor kSerial =
    [](std::size_t n, const std::function<void(std::size_t, std::size_t)>& fn) { fn(0, n); };

// ---- the IDM fundamental diagram on a ring road --------------------------------------------

// The IDM's equilibrium speed at net gap s (Treiber & Kesting, Traffic Flow Dynamics, 2013,
// eq. 11.23): s = (s0 + v T) / sqrt(1 - (v/v0)^delta), solved for v by bisection.
double equilibriumSpeed(const IdmParams& p, double v0, double s) {
  double lo = 0, hi = v0;
  for (int i = 0; i < 200; ++i) {
    const double v = 0.5 * (lo + hi);
    const double need = (p.minGap + v * p.tau) / std::sqrt(1 - std::pow(v / v0, p.delta));
    (need < s ? lo : hi) = v;
  }
  return 0.5 * (lo + hi);
}

TEST(RingRoad, FlowAtTheCapacityDensityMatchesTheIdmEquilibrium) {
  const IdmParams p = benchIdm();
  const double v0 = 13.89;
  // the capacity point of the analytic fundamental diagram Q(rho) = rho v_e(1/rho - l)
  double bestQ = 0, bestD = 0;
  for (double d = 8.0; d < 100.0; d += 0.01) {
    const double q = equilibriumSpeed(p, v0, d - p.length) / d;
    if (q > bestQ) {
      bestQ = q;
      bestD = d;
    }
  }
  // sanity of the analytic curve: about 1,900 veh/h at about 40 veh/km for these parameters
  EXPECT_GT(bestQ * 3600, 1500);
  EXPECT_LT(bestQ * 3600, 2500);

  // a single-lane ring of 4 edges with n vehicles each, evenly spaced at bestD, from rest
  const int n = 10;
  const double via = 0.1;
  const double l = n * bestD - via;
  Builder b;
  const auto n0 = b.node("a", 0, 0), n1 = b.node("b", l, 0), n2 = b.node("c", l, l),
             n3 = b.node("d", 0, l);
  const std::uint32_t e0 = b.edge("e0", n0, n1, 1, v0), e1 = b.edge("e1", n1, n2, 1, v0),
                      e2 = b.edge("e2", n2, n3, 1, v0), e3 = b.edge("e3", n3, n0, 1, v0);
  const std::vector<std::uint32_t> ring{e0, e1, e2, e3};
  for (int k = 0; k < 4; ++k)
    b.connect(ring[static_cast<std::size_t>(k)], 0, ring[static_cast<std::size_t>((k + 1) % 4)], 0,
              's', 'M', -1, -1, via);
  const Network net = b.finish();
  Demand demand;
  for (int k = 0; k < 4; ++k) {
    for (int j = 0; j < n; ++j) {
      std::vector<std::uint32_t> route;
      for (int lap = 0; lap < 200; ++lap)
        route.push_back(ring[static_cast<std::size_t>((k + lap) % 4)]);
      addTrip(demand, "v" + std::to_string(k) + "_" + std::to_string(j), 0, route);
    }
  }
  Simulation sim(net, {exactCar()}, demand, SimParams{}, 1);
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < n; ++j)
      sim.place(static_cast<std::uint32_t>(k * n + j), 0, p.length + j * bestD, 0.0, 0.0);
  // let it relax from rest, then average the speed over 5 minutes
  for (int t = 1; t <= 600; ++t)
    sim.step(t, kSerial);
  double speedSum = 0;
  for (int t = 601; t <= 900; ++t) {
    sim.step(t, kSerial);
    speedSum += sim.meanSpeed();
  }
  ASSERT_EQ(sim.running(), static_cast<std::size_t>(4 * n));
  const double flow = speedSum / 300.0 / bestD;  // veh/s = rho v
  EXPECT_NEAR(flow, bestQ, 0.05 * bestQ)
      << "analytic " << bestQ * 3600 << " veh/h, simulated " << flow * 3600 << " veh/h";
  EXPECT_EQ(sim.stats().teleports, 0u);
}

// ---- a signal's throughput per green ------------------------------------------------------

TEST(Signal, DischargesAQueueAtASaturationFlowAndNothingOnRed) {
  // A (500 m) -> signal -> B (500 m), one lane, 13.89 m/s; the program: red 90 s, then green
  // 42 s, yellow 3 s (the benchmark grids' timing). 70 vehicles queue during the red.
  Builder b;
  const auto j0 = b.node("j0", 0, 0), j1 = b.node("j1", 500, 0), j2 = b.node("j2", 1000, 0);
  const auto a = b.edge("A", j0, j1, 1, 13.89), c = b.edge("B", j1, j2, 1, 13.89);
  SignalProgram prog;
  prog.id = "tl";
  prog.durations = {90, 42, 3};
  prog.states = {"r", "G", "y"};
  prog.cycle = 135;
  b.net.signals.push_back(prog);
  b.connect(a, 0, c, 0, 's', 'O', 0, 0, 10.0);
  const Network net = b.finish();
  Demand demand;
  for (int i = 0; i < 70; ++i)
    addTrip(demand, "v" + std::to_string(i), i * 1.0, {a, c});
  Simulation sim(net, {exactCar()}, demand, SimParams{}, 1);
  std::vector<std::uint32_t> exitsAt(200, 0);
  for (int t = 0; t < 200; ++t) {
    sim.step(t, kSerial);
    exitsAt[static_cast<std::size_t>(t)] = sim.laneExits()[0];
  }
  // nothing crosses during the red (t = 0 .. 89); green from t = 90, yellow from 132, red from 135
  EXPECT_EQ(exitsAt[89], 0u);
  // one green (+ yellow): HCM 2010's base saturation flow is 1,900 veh/h/lane, i.e. about 22
  // vehicles in 42 s of effective green; the IDM car discharges within 20 % of that
  const std::uint32_t perGreen = exitsAt[134] - exitsAt[89];
  EXPECT_GE(perGreen, 18u);
  EXPECT_LE(perGreen, 27u);
  // and the next red holds the rest back again
  EXPECT_EQ(exitsAt[199], exitsAt[134]);
  EXPECT_GT(sim.running(), 20u);
}

// ---- emissions: the HBEFA3-based model against SUMO 1.15's own output -----------------------

TEST(Emissions, TheHbefa3ModelGivesSumosRatesStepByStep) {
  // tests/data/traffic/SOURCE.md: four vehicles through a speed change and a stop, as SUMO
  // 1.15 computed them
  std::ifstream in(std::string(TWIN_SOURCE_DIR) + "/tests/data/traffic/emissions_hbefa3_sumo.csv");
  ASSERT_TRUE(in) << "missing reference";
  std::string line;
  std::getline(in, line);
  std::map<std::string, double> lastSpeed;
  struct Total {
    double ours = 0, sumo = 0;
  };
  std::map<std::string, Total> co2, nox;
  int rows = 0, compared = 0, coasting = 0;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string f[7];
    for (auto& x : f)
      std::getline(ss, x, ',');
    const std::string& veh = f[1];
    const int cls = findEmissionClass("HBEFA3/" + f[2]);
    ASSERT_GE(cls, 0) << f[2];
    const double v = std::stod(f[3]);
    const double a = lastSpeed.count(veh) != 0 ? v - lastSpeed[veh] : 0.0;  // 1 s steps
    lastSpeed[veh] = v;
    const double sumoCo2 = std::stod(f[4]), sumoNox = std::stod(f[5]);
    const EmissionRates r = emissionRates(emissionClasses()[static_cast<std::size_t>(cls)], v, a);
    ++rows;
    co2[veh].ours += r.co2;
    co2[veh].sumo += sumoCo2;
    nox[veh].ours += r.nox;
    nox[veh].sumo += sumoNox;
    if (sumoCo2 == 0.0 && sumoNox == 0.0 && (r.co2 > 0.0 || r.nox > 0.0)) {
      ++coasting;  // SUMO's fuel cut-off while coasting, which this model leaves out
      EXPECT_LT(a, 0.0) << veh << " " << f[0];
      continue;
    }
    ++compared;
    // SUMO printed 6 decimals
    EXPECT_NEAR(r.co2, sumoCo2, 1e-5 * sumoCo2 + 2e-6) << veh << " t=" << f[0];
    EXPECT_NEAR(r.nox, sumoNox, 1e-5 * sumoNox + 2e-6) << veh << " t=" << f[0];
  }
  EXPECT_EQ(rows, 631);
  EXPECT_EQ(compared, 597);
  EXPECT_EQ(coasting, 34);
  // whole trips: a few per cent above SUMO, the coasting steps' share
  ASSERT_EQ(co2.size(), 4u);
  for (const auto& [veh, t] : co2) {
    EXPECT_GT(t.ours / t.sumo, 1.0) << veh;
    EXPECT_LT(t.ours / t.sumo, 1.035) << veh;
    EXPECT_GT(nox[veh].ours / nox[veh].sumo, 1.0) << veh;
    EXPECT_LT(nox[veh].ours / nox[veh].sumo, 1.035) << veh;
  }
  // the car: 343 g of CO2 over 1.6 km with a stop in SUMO
  EXPECT_NEAR(co2["car"].sumo / 1000.0, 343.4, 0.1);
}

TEST(Emissions, TheSimulationSumsEachVehiclesRatesAndElectricCarsEmitNothing) {
  Network net = readBenchNetwork(kAssets + "/grid10");
  std::vector<VehicleType> vtypes = readBenchVTypes(kAssets + "/vtypes.csv", "idm");
  Demand all = readBenchDemand(kAssets + "/grid10/demand_grid10_1k.csv.gz", net, vtypes, true);
  for (bool ev : {false, true}) {
    Demand one;
    one.routeEdges = all.routeEdges;
    one.trips.push_back(all.trips[0]);
    one.trips[0].ev = ev;
    Simulation sim(net, vtypes, one, SimParams{}, 3);
    double expected = 0, lastSpeed = -1;
    const EmissionClass& car = emissionClasses()[static_cast<std::size_t>(
        defaultEmissionClass(static_cast<int>(VehicleClass::Car), false))];
    EXPECT_EQ(car.name, "PC_G_EU4");  // SUMO 1.15's default class
    for (int t = 0; t < 2000 && !sim.finished(); ++t) {
      // the speed before the step (a vehicle inserted in the last step has its insertion speed)
      sim.step(t, kSerial);
      const auto vs = sim.vehicles();
      if (vs.empty()) {
        lastSpeed = -1;
        continue;
      }
      ASSERT_EQ(vs.size(), 1u);
      if (lastSpeed >= 0 && !ev)
        expected += emissionRates(car, vs[0].speed, vs[0].speed - lastSpeed).co2;
      lastSpeed = vs[0].speed;
    }
    ASSERT_TRUE(sim.finished());
    const SimStats st = sim.stats();
    EXPECT_GT(st.vehicleMeters, 1000.0);
    if (ev) {
      EXPECT_EQ(st.co2Mg, 0.0);
      EXPECT_EQ(st.noxMg, 0.0);
    } else {
      // every step but the arrival's (the vehicle is gone before vehicles() sees it)
      EXPECT_GT(st.co2Mg, expected);
      EXPECT_LT(st.co2Mg, expected + 12000.0);  // at most one step of a car accelerating, mg
    }
  }
}

TEST(EvEnergy, BatteryPowerAtHandWorkedPoints) {
  // SUMO's default electric car (Kia Soul EV): 1830 kg + 40 kg rotating, A c_w = 2.6 * 0.35,
  // c_roll 0.01, 100 W consumers, 98 % drive and 96 % recuperation efficiency
  const EvParams kia;
  // cruising at 50 km/h: air 1/2 * 1.2041 * 0.91 * 13.889^3 = 1,467.86 W, rolling
  // 0.01 * 1830 * 9.81 * 13.889 = 2,493.38 W; / 0.98 + 100 W
  EXPECT_NEAR(evBatteryPowerW(kia, 50.0 / 3.6, 0.0), 4142.05, 0.01);
  // accelerating at 1 m/s2 through 36 km/h: + 1870 * 1 * 10 = 18,700 W at the wheels
  EXPECT_NEAR(evBatteryPowerW(kia, 10.0, 1.0), 21572.55, 0.01);
  // braking at 1 m/s2 there: -16,356.90 W at the wheels, 96 % of it back into the battery
  EXPECT_NEAR(evBatteryPowerW(kia, 10.0, -1.0), -15602.63, 0.01);
  // standing, and braking below the stopping threshold (0.1 km/h): the consumers alone
  EXPECT_EQ(evBatteryPowerW(kia, 0.0, 0.0), 100.0);
  EXPECT_EQ(evBatteryPowerW(kia, 0.02, -1.0), 100.0);
}

TEST(EvEnergy, TheSimulationSumsAnElectricCarsBatteryEnergyStepByStep) {
  Network net = readBenchNetwork(kAssets + "/grid10");
  std::vector<VehicleType> vtypes = readBenchVTypes(kAssets + "/vtypes.csv", "idm");
  Demand all = readBenchDemand(kAssets + "/grid10/demand_grid10_1k.csv.gz", net, vtypes, true);
  for (bool ev : {false, true}) {
    Demand one;
    one.routeEdges = all.routeEdges;
    one.trips.push_back(all.trips[0]);
    one.trips[0].ev = ev;
    Simulation sim(net, vtypes, one, SimParams{}, 3);
    double expected = 0, lastSpeed = -1;
    for (int t = 0; t < 2000 && !sim.finished(); ++t) {
      sim.step(t, kSerial);
      const auto vs = sim.vehicles();
      if (vs.empty()) {
        lastSpeed = -1;
        continue;
      }
      if (lastSpeed >= 0)
        expected += evBatteryPowerW(EvParams{}, vs[0].speed, vs[0].speed - lastSpeed);
      lastSpeed = vs[0].speed;
    }
    ASSERT_TRUE(sim.finished());
    const SimStats st = sim.stats();
    if (!ev) {
      EXPECT_EQ(st.evEnergyJ, 0.0);
      EXPECT_EQ(st.evMeters, 0.0);
      continue;
    }
    EXPECT_DOUBLE_EQ(st.evMeters, st.vehicleMeters);
    // every step but the insertion's and the arrival's: at most one step each of hard driving
    EXPECT_NEAR(st.evEnergyJ, expected, 50e3);
    // signalised town driving with stops: 10..20 kWh/100 km for this car
    const double kwhPer100km = st.evEnergyJ / 3.6e6 / (st.evMeters / 1e5);
    EXPECT_GT(kwhPer100km, 10.0);
    EXPECT_LT(kwhPer100km, 20.0);
  }
}

TEST(Emissions, TheGrid10CaseEmitsWhatSumoComputesWithinAFewPercent) {
  // SUMO 1.15 with its emissions device on grid10_1k (IDM, routes given; tests/data/traffic/
  // SOURCE.md): 569.17 kg CO2 and 0.2238 kg NOx over 1,726 km. This model leaves out SUMO's
  // coasting cut-off, so it comes out slightly above.
  Network net = readBenchNetwork(kAssets + "/grid10");
  std::vector<VehicleType> vtypes = readBenchVTypes(kAssets + "/vtypes.csv", "idm");
  Demand demand = readBenchDemand(kAssets + "/grid10/demand_grid10_1k.csv.gz", net, vtypes, true);
  Simulation sim(net, vtypes, demand, SimParams{}, 42);
  for (int t = 0; t < 6000 && !sim.finished(); ++t)
    sim.step(t, kSerial);
  ASSERT_TRUE(sim.finished());
  const SimStats st = sim.stats();
  const double co2Kg = st.co2Mg * 1e-6, noxKg = st.noxMg * 1e-6;
  EXPECT_GT(co2Kg / 569.17, 1.0);
  EXPECT_LT(co2Kg / 569.17, 1.05);
  EXPECT_GT(noxKg / 0.2238, 0.98);
  EXPECT_LT(noxKg / 0.2238, 1.05);
  EXPECT_NEAR(st.vehicleMeters / 1000.0, 1726.0, 1726.0 * 0.01);
}

// ---- conservation and determinism on the benchmark grid ------------------------------------

struct Grid10 {
  Network net = readBenchNetwork(kAssets + "/grid10");
  std::vector<VehicleType> vtypes = readBenchVTypes(kAssets + "/vtypes.csv", "idm");
  Demand demand = readBenchDemand(kAssets + "/grid10/demand_grid10_1k.csv.gz", net, vtypes, true);
};

TEST(Grid10, EveryVehicleIsAccountedForAtEveryStep) {
  Grid10 g;
  // a quarter of the trips at once: a backlog forms at the busy edges
  for (std::size_t i = 0; i < g.demand.trips.size(); ++i)
    g.demand.trips[i].depart = std::floor(static_cast<double>(i) / 4.0);
  Simulation sim(g.net, g.vtypes, g.demand, SimParams{}, 7);
  std::size_t maxBacklog = 0;
  std::uint64_t insertedBefore = 0;
  std::vector<Simulation::Running> listed;
  int t = 0;
  for (; t < 4000 && !sim.finished(); ++t) {
    sim.step(t, kSerial);
    const SimStats s = sim.stats();
    const std::size_t due = static_cast<std::size_t>(std::min(250.0, std::floor(t) + 1) * 4);
    // every trip due so far is waiting, running or arrived; none is lost or doubled
    ASSERT_EQ(s.inserted + sim.backlog(), std::min(due, g.demand.trips.size())) << "t=" << t;
    ASSERT_EQ(s.arrived + sim.running(), s.inserted) << "t=" << t;
    ASSERT_EQ(sim.insertedLastStep().size(), s.inserted - insertedBefore) << "t=" << t;
    insertedBefore = s.inserted;
    maxBacklog = std::max(maxBacklog, sim.backlog());
    // the vehicles listed for rerouting and the mean speed count each vehicle on the network
    // once, also on a lane that several vehicles entered in the same step
    const auto all = sim.vehicles();
    sim.runningVehicles(listed);
    std::vector<std::uint32_t> ids;
    for (const auto& r : listed)
      ids.push_back(r.v);
    std::sort(ids.begin(), ids.end());
    ASSERT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end()) << "t=" << t;
    ASSERT_EQ(ids.size(), all.size()) << "t=" << t;
    double speedSum = 0;
    for (const auto& v : all)
      speedSum += v.speed;
    if (!all.empty()) {
      ASSERT_NEAR(sim.meanSpeed(), speedSum / static_cast<double>(all.size()), 1e-9) << t;
    }
  }
  EXPECT_TRUE(sim.finished());
  EXPECT_GT(maxBacklog, 0u);
  EXPECT_EQ(sim.stats().arrived, 1000u);
}

// runs blocks in reverse order and, in a second variant, on two real threads
const ParallelFor kReverse = [](std::size_t n,
                                const std::function<void(std::size_t, std::size_t)>& fn) {
  const std::size_t blocks = std::min<std::size_t>(n, 7);
  for (std::size_t b = blocks; b-- > 0;)
    fn(n * b / blocks, n * (b + 1) / blocks);
};
const ParallelFor kTwoThreads = [](std::size_t n,
                                   const std::function<void(std::size_t, std::size_t)>& fn) {
  std::thread other([&] { fn(n / 2, n); });
  fn(0, n / 2);
  other.join();
};

// ---- a run split over processes (Domain): the single run's results exactly ----------------

// the processes of a split run as threads: each exchange is a barrier with a mailbox
class Mailbox {
 public:
  explicit Mailbox(std::size_t n)
      : n_(n), box_(n, std::vector<std::vector<std::uint8_t>>(n)), barrier_(std::ptrdiff_t(n)) {}
  std::vector<std::vector<std::uint8_t>> exchange(std::size_t self,
                                                  std::vector<std::vector<std::uint8_t>> out) {
    out.resize(n_);
    for (std::size_t p = 0; p < n_; ++p)
      box_[p][self] = std::move(out[p]);
    barrier_.arrive_and_wait();
    auto in = std::move(box_[self]);
    box_[self].assign(n_, {});
    barrier_.arrive_and_wait();
    return in;
  }

 private:
  std::size_t n_;
  std::vector<std::vector<std::vector<std::uint8_t>>> box_;  // [to][from]
  std::barrier<> barrier_;
};

struct SplitResult {
  std::vector<std::pair<std::uint32_t, double>> arrivals;  // (vehicle, t), sorted
  std::vector<double> odometer;                            // per vehicle, from its last process
  SimStats stats;
  std::vector<std::uint64_t> handedOver;
  bool finished = true;
};

// runs `steps` steps with the junctions split by `owner` (all 0: one process)
SplitResult runSplit(const Grid10& g, const std::vector<std::uint32_t>& owner, std::size_t parts,
                     int steps) {
  SimParams params;
  params.timeToTeleport = 20;  // s: so that queues at the borders teleport across them too
  Mailbox mail(parts);
  std::vector<std::unique_ptr<Simulation>> sims;
  for (std::size_t p = 0; p < parts; ++p) {
    sims.push_back(std::make_unique<Simulation>(g.net, g.vtypes, g.demand, params, 42));
    if (parts > 1) {
      sims[p]->setDomain(Domain{owner, static_cast<std::uint32_t>(p),
                                [&mail, p](auto out) { return mail.exchange(p, std::move(out)); }});
    }
  }
  std::vector<std::vector<std::pair<std::uint32_t, double>>> arrivals(parts);
  std::vector<std::thread> threads;
  for (std::size_t p = 0; p < parts; ++p) {
    threads.emplace_back([&, p] {
      for (int t = 0; t < steps; ++t) {
        sims[p]->step(t, kSerial);
        for (const auto& a : sims[p]->arrivals())
          arrivals[p].emplace_back(a.vehicle, a.t);
      }
    });
  }
  for (auto& th : threads)
    th.join();
  SplitResult r;
  r.odometer.assign(g.demand.trips.size(), 0.0);
  for (std::size_t p = 0; p < parts; ++p) {
    r.arrivals.insert(r.arrivals.end(), arrivals[p].begin(), arrivals[p].end());
    for (const auto& a : arrivals[p])
      r.odometer[a.first] = sims[p]->odometer(a.first);
    const SimStats s = sims[p]->stats();
    r.stats.inserted += s.inserted;
    r.stats.arrived += s.arrived;
    r.stats.teleports += s.teleports;
    r.stats.vehicleUpdates += s.vehicleUpdates;
    r.stats.laneChanges += s.laneChanges;
    r.handedOver.push_back(sims[p]->handedOver());
    r.finished = r.finished && sims[p]->finished();
  }
  std::sort(r.arrivals.begin(), r.arrivals.end());
  return r;
}

TEST(Grid10, ARunSplitOverProcessesGivesTheSingleRunsArrivalsExactly) {
  Grid10 g;
  // a third of the trips at once: queues, backlogs and gridlock teleports cross the borders
  for (std::size_t i = 0; i < g.demand.trips.size(); ++i)
    g.demand.trips[i].depart = std::floor(static_cast<double>(i) / 3.0);
  const int steps = 3000;
  const std::size_t n = g.net.nodes.size();
  const SplitResult one = runSplit(g, std::vector<std::uint32_t>(n, 0), 1, steps);
  ASSERT_TRUE(one.finished);
  ASSERT_EQ(one.stats.arrived, 1000u);
  EXPECT_GT(one.stats.teleports, 20u) << "the case should cross borders by teleport too";
  // two halves by x (a few boundary edges), and three processes dealt round-robin (nearly
  // every edge is a boundary: the hardest split)
  double xMid = 0;
  for (const Node& node : g.net.nodes)
    xMid += node.x / static_cast<double>(n);
  std::vector<std::uint32_t> halves(n), dealt(n);
  for (std::size_t i = 0; i < n; ++i) {
    halves[i] = g.net.nodes[i].x < xMid ? 0u : 1u;
    dealt[i] = static_cast<std::uint32_t>(i % 3);
  }
  for (const auto& [owner, parts] :
       {std::pair{halves, std::size_t{2}}, std::pair{dealt, std::size_t{3}}}) {
    const SplitResult split = runSplit(g, owner, parts, steps);
    EXPECT_TRUE(split.finished) << parts;
    EXPECT_EQ(split.stats.inserted, one.stats.inserted) << parts;
    EXPECT_EQ(split.stats.arrived, one.stats.arrived) << parts;
    EXPECT_EQ(split.stats.teleports, one.stats.teleports) << parts;
    EXPECT_EQ(split.stats.laneChanges, one.stats.laneChanges) << parts;
    EXPECT_EQ(split.stats.vehicleUpdates, one.stats.vehicleUpdates) << parts;
    // every vehicle arrives at the same time, having driven the same metres, to the bit
    EXPECT_EQ(split.arrivals, one.arrivals) << parts;
    EXPECT_EQ(split.odometer, one.odometer) << parts;
    for (std::size_t p = 0; p < parts; ++p)
      EXPECT_GT(split.handedOver[p], 100u) << "process " << p << " of " << parts;
  }
}

// ---- road closures: detours around a closed edge -----------------------------------------

TEST(Grid10, AClosedRoadIsAvoidedWhileClosedAndUsedAgainAfterwards) {
  Grid10 g;
  // I5I4, the edge most routes of grid10_1k cross (43 of 1,000), closed from 10 to 40 minutes
  const std::uint32_t closedEdge = g.net.findEdge("I5I4");
  ASSERT_NE(closedEdge, kNone);
  RoadClosures closures(g.net, {parseClosure(g.net, "I5I4 10min 40min")});
  Simulation sim(g.net, g.vtypes, g.demand, SimParams{}, 42);
  std::vector<std::uint32_t> lastEdge(g.demand.trips.size(), kNone);
  std::vector<std::uint8_t> detoured(g.demand.trips.size(), 0);
  int enteredWhileClosed = 0, enteredByDetoured = 0, enteredAfter = 0;
  std::vector<std::string> log;
  for (int t = 0; t < 6000 && !sim.finished(); ++t) {
    std::vector<std::size_t> routeStart(g.demand.trips.size());
    for (std::uint32_t v = 0; v < routeStart.size(); ++v)
      routeStart[v] = static_cast<std::size_t>(sim.route(v).data() - g.demand.routeEdges.data());
    for (const std::string& line : closures.apply(t, g.demand, sim, kSerial))
      log.push_back(line);
    for (std::uint32_t v = 0; v < routeStart.size(); ++v) {
      if (static_cast<std::size_t>(sim.route(v).data() - g.demand.routeEdges.data()) !=
          routeStart[v])
        detoured[v] = 1;
    }
    sim.step(t, kSerial);
    for (const auto& vv : sim.vehicles()) {
      const std::uint32_t e = g.net.lanes[vv.lane].edge;
      if (e == kNone || e == lastEdge[vv.trip])
        continue;
      lastEdge[vv.trip] = e;
      if (e != closedEdge)
        continue;
      if (t >= 600 && t < 2400) {
        ++enteredWhileClosed;
        enteredByDetoured += detoured[vv.trip];
      } else if (t >= 2400) {
        ++enteredAfter;
      }
    }
  }
  ASSERT_TRUE(sim.finished());
  EXPECT_EQ(sim.stats().arrived, 1000u);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0], "road closed at t = 600 s: 1 edge(s) from I5I4");
  EXPECT_EQ(log[2], "road reopened at t = 2400 s: 1 edge(s) from I5I4");
  // the trips that would have crossed it while closed took detours; only those that start or
  // end on it (or were crossing into it at 10 min) drove it
  EXPECT_EQ(closures.rerouted(), 24u);
  EXPECT_EQ(closures.unavoidable(), 4u);
  EXPECT_EQ(enteredByDetoured, 0);
  EXPECT_LE(enteredWhileClosed, 6);
  EXPECT_GT(enteredAfter, 5);  // open again: routes through it are used
}

TEST(Grid10, BitIdenticalForAnyThreadCountAndBlockOrder) {
  Grid10 g;
  auto run = [&](const ParallelFor& pf, int steps) {
    Simulation sim(g.net, g.vtypes, g.demand, SimParams{}, 42);
    for (int t = 0; t < steps; ++t)
      sim.step(t, pf);
    return sim.saveState();
  };
  const auto serial = run(kSerial, 1500);
  EXPECT_EQ(run(kReverse, 1500), serial);
  EXPECT_EQ(run(kTwoThreads, 1500), serial);
  // and a saved state resumes exactly
  Simulation a(g.net, g.vtypes, g.demand, SimParams{}, 42);
  for (int t = 0; t < 700; ++t)
    a.step(t, kSerial);
  Simulation b2(g.net, g.vtypes, g.demand, SimParams{}, 42);
  b2.loadState(a.saveState());
  for (int t = 700; t < 1500; ++t)
    b2.step(t, kSerial);
  EXPECT_EQ(b2.saveState(), serial);
}

TEST(Grid10, TripsAddedWhileRunningDriveAsIfGivenUpFront) {
  // the last 300 trips (by departure) withheld and added while running, a minute before they
  // are due (as trips from another model arrive): the same vehicles, the same state
  Grid10 g;
  const std::size_t n = g.demand.trips.size(), keep = n - 300;
  Demand part = g.demand;
  part.trips.resize(keep);
  Simulation full(g.net, g.vtypes, g.demand, SimParams{}, 42);
  Simulation added(g.net, g.vtypes, part, SimParams{}, 42);
  std::size_t next = keep;
  for (int t = 0; t < 6000 && !(full.finished() && added.finished()); ++t) {
    while (next < n && g.demand.trips[next].depart <= t + 60.0) {
      part.trips.push_back(g.demand.trips[next]);  // routes index the same routeEdges
      added.addTrip(static_cast<std::uint32_t>(next++));
    }
    full.step(t, kSerial);
    added.step(t, kSerial);
    if (t % 100 == 0) {  // every vehicle in the same place at the same speed
      const auto a = full.vehicles(), b = added.vehicles();
      ASSERT_EQ(a.size(), b.size()) << "t=" << t;
      for (std::size_t i = 0; i < a.size(); ++i) {
        ASSERT_EQ(a[i].trip, b[i].trip) << "t=" << t;
        ASSERT_EQ(a[i].lane, b[i].lane) << "t=" << t;
        ASSERT_EQ(a[i].pos, b[i].pos) << "t=" << t;
        ASSERT_EQ(a[i].speed, b[i].speed) << "t=" << t;
      }
    }
  }
  EXPECT_EQ(next, n);
  EXPECT_EQ(full.stats().arrived, n);
  EXPECT_TRUE(added.finished());
  const SimStats fs = full.stats(), as = added.stats();
  EXPECT_EQ(as.inserted, fs.inserted);
  EXPECT_EQ(as.travelTimeSum, fs.travelTimeSum);
  EXPECT_EQ(as.departDelaySum, fs.departDelaySum);
  EXPECT_EQ(as.vehicleMeters, fs.vehicleMeters);
  EXPECT_EQ(as.laneChanges, fs.laneChanges);
  EXPECT_EQ(as.teleports, fs.teleports);
  EXPECT_EQ(added.laneExits(), full.laneExits());
  // a trip is added once
  EXPECT_THROW(added.addTrip(static_cast<std::uint32_t>(n - 1)), std::invalid_argument);
  // a run whose trips all come later is not finished before the first one
  Demand none;
  none.routeEdges = g.demand.routeEdges;
  Simulation waiting(g.net, g.vtypes, none, SimParams{}, 42);
  waiting.step(0, kSerial);
  EXPECT_FALSE(waiting.finished());
}

TEST(Grid10, MeanTravelTimeWithinTenPercentOfSumoIdm) {
  Grid10 g;
  Simulation sim(g.net, g.vtypes, g.demand, SimParams{}, 42);
  int t = 0;
  for (; t < 7200 && !sim.finished(); ++t)
    sim.step(t, kSerial);
  const SimStats s = sim.stats();
  ASSERT_EQ(s.arrived, 1000u);
  EXPECT_EQ(s.teleports, 0u);
  // SUMO 1.15 with the IDM type on the same inputs: 229.4 s (assets/traffic/SOURCE.md)
  const double mean = s.travelTimeSum / static_cast<double>(s.arrived);
  EXPECT_NEAR(mean, 229.4, 0.10 * 229.4);
  // routes as SUMO drives them: 1,726 m on average
  EXPECT_NEAR(s.vehicleMeters / 1000.0, 1726.0, 0.02 * 1726.0);
}

// ---- route choice while running (rerouting.hpp) ---------------------------------------------

// 600 trips, one a second, across grid10 from its south-west corner to its north-east one: more
// than one route carries. Routed on the empty network they all take the same one of the many
// equally short routes.
Demand cornerToCorner(const Network& net) {
  const std::uint32_t from = net.findEdge("A0A1"), to = net.findEdge("J8J9");
  EXPECT_NE(from, kNone);
  EXPECT_NE(to, kNone);
  const std::vector<std::uint32_t> path = Router(net).route(from, to);
  Demand d;
  d.routeEdges = path;
  for (int i = 0; i < 600; ++i) {
    Trip t;
    t.id = "c" + std::to_string(i);
    t.depart = i;
    t.routeEnd = static_cast<std::uint32_t>(path.size());
    d.trips.push_back(t);
  }
  return d;
}

struct RerouteRun {
  SimStats stats;
  std::size_t routes = 0;  // distinct routes driven
  std::size_t atDeparture = 0, enRoute = 0;
  std::vector<std::uint8_t> state;
  std::vector<std::uint32_t> routeEdges;
};

RerouteRun runCorner(const Grid10& g, double probability, const ParallelFor& pf) {
  Demand d = cornerToCorner(g.net);
  ReroutingParams rp;
  rp.probability = probability;
  rp.period = 60;
  rp.adaptationInterval = 10;
  rp.adaptationSteps = 6;
  rp.seed = 42;
  Rerouter rerouter(g.net, rp);
  RoadClosures none(g.net, {});
  Simulation sim(g.net, g.vtypes, d, SimParams{}, 42);
  for (int t = 0; t < 7200 && !sim.finished(); ++t) {
    rerouter.apply(t, 1.0, 600, d, sim, none, pf);
    sim.step(t, pf);
  }
  RerouteRun r;
  r.stats = sim.stats();
  std::set<std::vector<std::uint32_t>> routes;
  for (std::uint32_t v = 0; v < d.trips.size(); ++v) {
    const auto route = sim.route(v);
    routes.emplace(route.begin(), route.end());
  }
  r.routes = routes.size();
  r.atDeparture = rerouter.atDeparture();
  r.enRoute = rerouter.enRoute();
  r.state = sim.saveState();
  r.routeEdges = d.routeEdges;
  return r;
}

TEST(Rerouting, ADemandOneRouteCannotCarrySpreadsOverParallelRoutes) {
  Grid10 g;
  const RerouteRun fixed = runCorner(g, 0.0, kSerial);
  const RerouteRun spread = runCorner(g, 1.0, kSerial);
  ASSERT_EQ(fixed.stats.arrived, 600u);
  ASSERT_EQ(spread.stats.arrived, 600u);
  EXPECT_EQ(fixed.routes, 1u);
  EXPECT_EQ(fixed.atDeparture + fixed.enRoute, 0u);
  // with routing devices the queue on the first route sends later trips other ways, at
  // departure and en route
  EXPECT_GE(spread.routes, 5u);
  EXPECT_GT(spread.atDeparture, 50u);
  EXPECT_GT(spread.enRoute, 10u);
  const double fixedMean = fixed.stats.travelTimeSum / 600.0;
  const double spreadMean = spread.stats.travelTimeSum / 600.0;
  EXPECT_LT(spreadMean, 0.8 * fixedMean) << fixedMean << " s with the routes of the empty network";
  // other routes of (nearly) the same length, no long detours: within 5 % of the shortest
  EXPECT_LT(spread.stats.vehicleMeters, 1.05 * fixed.stats.vehicleMeters);
}

TEST(Rerouting, BitIdenticalForAnyThreadCount) {
  Grid10 g;
  const RerouteRun serial = runCorner(g, 0.5, kSerial);
  const RerouteRun two = runCorner(g, 0.5, kTwoThreads);
  const RerouteRun reverse = runCorner(g, 0.5, kReverse);
  EXPECT_GT(serial.atDeparture + serial.enRoute, 0u);
  EXPECT_EQ(two.state, serial.state);
  EXPECT_EQ(two.routeEdges, serial.routeEdges);
  EXPECT_EQ(reverse.state, serial.state);
  EXPECT_EQ(reverse.routeEdges, serial.routeEdges);
}

TEST(Rerouting, AnEdgesTravelTimeIsItsLengthOverTheMeanSpeedOfItsVehicles) {
  Grid10 g;
  Demand d = cornerToCorner(g.net);
  ReroutingParams rp;
  rp.probability = 1;
  rp.adaptationInterval = 10;
  rp.adaptationSteps = 2;
  Rerouter rerouter(g.net, rp);
  RoadClosures none(g.net, {});
  Simulation sim(g.net, g.vtypes, d, SimParams{}, 42);
  const std::uint32_t e = g.net.findEdge("A0A1");
  const Edge& edge = g.net.edges[e];
  auto sums = [&] {
    double sum = 0;
    std::uint64_t n = 0;
    for (std::uint32_t l = edge.firstLane; l < edge.firstLane + edge.laneCount; ++l) {
      sum += sim.laneSpeedSum()[l];
      n += sim.laneVehicleSteps()[l];
    }
    return std::pair{sum, n};
  };
  // before any sample: the speed limit
  EXPECT_DOUBLE_EQ(rerouter.edgeTime(e), edge.length / edge.speed);
  // the sums at 0, 10 and 20 s (the state after the step to 10 s is what the apply before the
  // step to 11 s sees)
  std::vector<std::pair<double, std::uint64_t>> at{{0.0, 0}};
  for (int t = 0; t <= 21; ++t) {
    if (t % 10 == 1 && t > 1)
      at.push_back(sums());
    rerouter.apply(t, 1.0, 600, d, sim, none, kSerial);
    sim.step(t, kSerial);
  }
  // samples at 10 s and 20 s: the mean speeds of (0, 10] and (10, 20], averaged
  const double v1 = (at[1].first - at[0].first) / static_cast<double>(at[1].second - at[0].second);
  const double v2 = (at[2].first - at[1].first) / static_cast<double>(at[2].second - at[1].second);
  ASSERT_GT(v1, 0.5);
  ASSERT_LT(v2, edge.speed);
  EXPECT_DOUBLE_EQ(rerouter.edgeTime(e), edge.length / (0.5 * (v1 + v2)));
  // an edge nobody drove on keeps its speed limit
  const std::uint32_t far = g.net.findEdge("J9J8");
  ASSERT_NE(far, kNone);
  EXPECT_DOUBLE_EQ(rerouter.edgeTime(far), g.net.edges[far].length / g.net.edges[far].speed);
}

TEST(Rerouting, AVehicleStuckOnALaneThatDoesNotGoItsWayTakesARouteFromThatLane) {
  // B4B5's lane 0 goes straight or right at B5; only lane 1 turns left into B5A5. Vehicle 0
  // stands at the end of lane 0 wanting to turn left, five vehicles stand beside and behind it
  // on lane 1 at a red light: no gap.
  Grid10 g;
  const std::uint32_t in = g.net.findEdge("B4B5"), left = g.net.findEdge("B5A5");
  const std::uint32_t straight = g.net.findEdge("B5B6"), right = g.net.findEdge("B5C5");
  ASSERT_NE(in, kNone);
  ASSERT_NE(left, kNone);
  const Edge& edge = g.net.edges[in];
  ASSERT_EQ(g.net.connectionTo(edge.firstLane, left), kNone);
  ASSERT_NE(g.net.connectionTo(edge.firstLane + 1, left), kNone);
  const Connection& goStraight =
      g.net.connections[g.net.connectionTo(edge.firstLane + 1, straight)];
  const SignalProgram& sp = g.net.signals[static_cast<std::size_t>(goStraight.signal)];
  auto red = [&](double t) {
    return sp.states[sp.phaseAt(t)][static_cast<std::size_t>(goStraight.linkIndex)] == 'r';
  };
  // a start with 15 s of red ahead for lane 1
  int t0 = 0;
  while (t0 < 1000) {
    bool all = true;
    for (int u = 0; u <= 15 && all; ++u)
      all = red(t0 + u);
    if (all)
      break;
    ++t0;
  }
  ASSERT_LT(t0, 1000);
  Demand d;
  auto addTrip = [&](std::vector<std::uint32_t> route) {
    Trip t;
    t.id = "s" + std::to_string(d.trips.size());
    t.depart = t0;
    t.routeBegin = static_cast<std::uint32_t>(d.routeEdges.size());
    d.routeEdges.insert(d.routeEdges.end(), route.begin(), route.end());
    t.routeEnd = static_cast<std::uint32_t>(d.routeEdges.size());
    d.trips.push_back(t);
  };
  addTrip({in, left});
  for (int k = 0; k < 5; ++k)
    addTrip({in, straight});
  auto run = [&](double stuckAfter, SimStats& stats) {
    Demand copy = d;
    ReroutingParams rp;
    rp.stuckAfter = stuckAfter;
    Rerouter rerouter(g.net, rp);
    RoadClosures none(g.net, {});
    SimParams params;
    params.timeToTeleport = 60;
    Simulation sim(g.net, g.vtypes, copy, params, 42);
    sim.place(0, 0, edge.length - 1.0, 0.0, t0);
    for (std::uint32_t k = 0; k < 5; ++k)
      sim.place(k + 1, 1, edge.length - 1.0 - 7.5 * k, 0.0, t0);
    std::vector<std::uint32_t> route;
    for (int t = t0 + 1; t < t0 + 600 && !sim.finished(); ++t) {
      rerouter.apply(t, 1.0, copy.trips.size(), copy, sim, none, kSerial);
      if (route.empty() && rerouter.unstuck() > 0) {
        const auto r = sim.route(0);
        route.assign(r.begin(), r.end());
        EXPECT_LE(t - t0, 7) << "stood " << stuckAfter << " s, then rerouted";
      }
      sim.step(t, kSerial);
    }
    EXPECT_TRUE(sim.finished());
    stats = sim.stats();
    return route;
  };
  SimStats withRoute, without;
  const auto route = run(5.0, withRoute);
  ASSERT_GE(route.size(), 3u);
  EXPECT_EQ(route[0], in);
  EXPECT_TRUE(route[1] == straight || route[1] == right) << g.net.edges[route[1]].id;
  EXPECT_EQ(route.back(), left);  // the same destination, reached another way
  EXPECT_EQ(withRoute.teleports, 0u);
  EXPECT_EQ(withRoute.arrived, 6u);
  // off (stuck_after 0), its route stays
  EXPECT_TRUE(run(0.0, without).empty());
}

TEST(Rerouting, AVehicleThatWaitsInVainForRoomAheadTakesAnotherWay) {
  // M ends at j, from where A goes on to a light that stays red, and R goes round to the same
  // destination D. A is full of cars standing at the light: vehicle 0 at the end of M, bound
  // for A, waits for room behind the junction that never comes.
  Builder b;
  const auto s0 = b.node("s", 0, 0), j = b.node("j", 100, 0), e1 = b.node("e1", 150, 0);
  const auto x = b.node("x", 300, 0), k = b.node("k", 100, -100), y = b.node("y", 400, 0);
  const auto m = b.edge("M", s0, j, 1, 13.89), a = b.edge("A", j, e1, 1, 13.89);
  const auto a2 = b.edge("A2", e1, x, 1, 13.89), r = b.edge("R", j, k, 1, 13.89);
  const auto kx = b.edge("K", k, x, 1, 13.89), d = b.edge("D", x, y, 1, 13.89);
  SignalProgram red;
  red.id = "red";
  red.durations = {1000};
  red.states = {"r"};
  red.cycle = 1000;
  b.net.signals.push_back(red);
  b.connect(m, 0, a, 0, 's', 'M', -1, -1, 10.0);
  b.connect(m, 0, r, 0, 'r', 'M', -1, -1, 10.0);
  b.connect(a, 0, a2, 0, 's', 'O', 0, 0, 10.0);
  b.connect(r, 0, kx, 0, 'l', 'M', -1, -1, 10.0);
  b.connect(a2, 0, d, 0, 's', 'M', -1, -1, 10.0);
  b.connect(kx, 0, d, 0, 'r', 'm', -1, -1, 10.0);
  const Network net = b.finish();
  Demand demand;
  addTrip(demand, "v0", 0, {m, a, a2, d});
  for (int i = 0; i < 6; ++i)
    addTrip(demand, "block" + std::to_string(i), 0, {a, a2, d});
  auto run = [&](double stuckAfter, std::vector<std::uint32_t>& route, double& arrived) {
    Demand copy = demand;
    ReroutingParams rp;
    rp.stuckAfter = stuckAfter;
    Rerouter rerouter(net, rp);
    RoadClosures none(net, {});
    SimParams params;
    params.timeToTeleport = 1000;
    Simulation sim(net, {exactCar()}, copy, params, 1);
    sim.place(0, 0, net.edges[m].length - 1.0, 0.0, 0);
    for (std::uint32_t i = 0; i < 6; ++i)
      sim.place(i + 1, 0, net.edges[a].length - 0.5 - 7.5 * i, 0.0, 0);
    arrived = -1;
    for (int t = 1; t < 300 && arrived < 0; ++t) {
      rerouter.apply(t, 1.0, copy.trips.size(), copy, sim, none, kSerial);
      sim.step(t, kSerial);
      for (const auto& arr : sim.arrivals())
        if (arr.vehicle == 0)
          arrived = arr.t;
    }
    const auto rt = sim.route(0);
    route.assign(rt.begin(), rt.end());
    EXPECT_EQ(sim.stats().teleports, 0u);
    return rerouter.unstuck();
  };
  std::vector<std::uint32_t> route;
  double arrived = 0;
  // off: it still waits at the end of M after 300 s
  EXPECT_EQ(run(0.0, route, arrived), 0u);
  EXPECT_LT(arrived, 0.0);
  EXPECT_EQ(route, (std::vector<std::uint32_t>{m, a, a2, d}));
  // after 30 s of waiting in vain it goes round by R and K and arrives
  EXPECT_EQ(run(30.0, route, arrived), 1u);
  EXPECT_EQ(route, (std::vector<std::uint32_t>{m, r, kx, d}));
  EXPECT_GT(arrived, 30.0);
  EXPECT_LT(arrived, 100.0);
}

// ---- routing -------------------------------------------------------------------------------

// A side x side grid of junctions 100 m apart, roads both ways, each missing with the given
// share; random speeds and lengths (>= the straight line), every turn but the U-turn allowed
// with a random crossing length.
Network randomGrid(int side, double missing, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  Builder b;
  std::vector<std::uint32_t> nodes;
  for (int y = 0; y < side; ++y)
    for (int x = 0; x < side; ++x)
      nodes.push_back(b.node(std::to_string(x) + "_" + std::to_string(y), x * 100.0, y * 100.0));
  auto at = [&](int x, int y) { return nodes[static_cast<std::size_t>(y * side + x)]; };
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x) {
      for (auto [dx, dy] : {std::pair{1, 0}, std::pair{0, 1}, std::pair{-1, 0}, std::pair{0, -1}}) {
        const int nx = x + dx, ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= side || ny >= side || u(rng) < missing)
          continue;
        b.edge(std::to_string(x) + "_" + std::to_string(y) + ">" + std::to_string(nx) + "_" +
                   std::to_string(ny),
               at(x, y), at(nx, ny), 1, 8.0 + 20.0 * u(rng), 100.0 * (1.0 + u(rng)));
      }
    }
  }
  const std::size_t ne = b.net.edges.size();
  for (std::uint32_t e = 0; e < ne; ++e) {
    for (std::uint32_t f = 0; f < ne; ++f) {
      if (b.net.edges[e].to == b.net.edges[f].from && b.net.edges[f].to != b.net.edges[e].from)
        b.connect(e, 0, f, 0, 's', 'M', -1, -1, 5.0 + 10.0 * u(rng));
    }
  }
  return b.finish();
}

// Chains (an edge whose one way on has no other way in) are walked without the heap: a target
// inside a chain, a chain against a parallel road, a one-way ring, in both searches.
TEST(Routing, ChainsOfEdgesWithOneWayInAndOutRouteAsAnyOther) {
  for (const double chainSpeed : {5.0, 30.0}) {
    Builder b;
    const auto S = b.node("S", 0, 0), A = b.node("A", 100, 0), B = b.node("B", 200, 0),
               C = b.node("C", 300, 0), T = b.node("T", 400, 0), D = b.node("D", 200, 100),
               X = b.node("X", 500, 0), Y = b.node("Y", 600, 0), Z = b.node("Z", 550, 80);
    const auto s = b.edge("s", S, A, 1, 13.9);
    const auto a1 = b.edge("a1", A, B, 1, chainSpeed), a2 = b.edge("a2", B, C, 1, chainSpeed),
               a3 = b.edge("a3", C, T, 1, chainSpeed);
    const auto d1 = b.edge("d1", A, D, 1, 13.9), d2 = b.edge("d2", D, T, 1, 13.9);
    const auto x = b.edge("x", T, X, 1, 13.9);
    const auto r1 = b.edge("r1", X, Y, 1, 13.9), r2 = b.edge("r2", Y, Z, 1, 13.9),
               r3 = b.edge("r3", Z, X, 1, 13.9);
    b.connect(s, 0, a1, 0);
    b.connect(s, 0, d1, 0, 'l');
    b.connect(a1, 0, a2, 0);
    b.connect(a2, 0, a3, 0);
    b.connect(a3, 0, x, 0);
    b.connect(d1, 0, d2, 0, 'r');
    b.connect(d2, 0, x, 0, 'r');
    b.connect(x, 0, r1, 0);
    b.connect(r1, 0, r2, 0, 'l');
    b.connect(r2, 0, r3, 0, 'l');
    b.connect(r3, 0, r1, 0, 'l');
    const Network net = b.finish();
    Router router(net);
    router.setLandmarks(Router::landmarks(router, 3));
    using Path = std::vector<std::uint32_t>;
    EXPECT_EQ(router.route(s, a2), (Path{s, a1, a2}));
    // 300 m at 5 m/s (60 s) lose to 365 m at 13.9 m/s (26 s); at 30 m/s (10 s) they win
    const Path viaChain{s, a1, a2, a3, x}, viaD{s, d1, d2, x};
    EXPECT_EQ(router.route(s, x), chainSpeed > 13.9 ? viaChain : viaD);
    EXPECT_EQ(router.route(r2, r1), (Path{r2, r3, r1}));
    EXPECT_EQ(router.route(s, r3), (chainSpeed > 13.9 ? Path{s, a1, a2, a3, x, r1, r2, r3}
                                                      : Path{s, d1, d2, x, r1, r2, r3}));
    EXPECT_TRUE(router.route(r1, s).empty());
    // one tree: the same paths and their costs
    const std::vector<std::uint32_t> targets{a2, x, r3, s};
    Router::Scratch scratch;
    std::vector<Path> paths;
    std::vector<double> costs;
    router.routesFrom(s, targets, scratch, paths, costs);
    for (std::size_t i = 0; i < targets.size(); ++i) {
      EXPECT_EQ(paths[i], router.route(s, targets[i])) << net.edges[targets[i]].id;
      EXPECT_NEAR(costs[i], router.routeCost(paths[i]), 1e-9);
    }
    // the chain's cost by hand: its three 100 m edges and the start's, with the crossings
    EXPECT_NEAR(
        router.routeCost({s, a1, a2}),
        100 / 13.9 + 200 / chainSpeed + router.crossingTime(s, a1) + router.crossingTime(a1, a2),
        1e-9);
  }
}

TEST(Routing, AStarFindsTheOptimumOfBruteForce) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  for (int trial = 0; trial < 20; ++trial) {
    // a 3 x 3 grid, both directions, random lengths (>= the straight line) and speeds,
    // every turn but the U-turn allowed, some edges missing
    const Network net = randomGrid(3, 0.1, rng);
    const std::size_t ne = net.edges.size();
    Router router(net);
    std::vector<std::vector<std::uint32_t>> next(ne);
    for (const Connection& c : net.connections)
      next[c.fromEdge].push_back(c.toEdge);
    // brute force: every simple path (no edge twice) by depth-first search
    for (int q = 0; q < 5; ++q) {
      const auto from = static_cast<std::uint32_t>(u(rng) * static_cast<double>(ne));
      const auto to = static_cast<std::uint32_t>(u(rng) * static_cast<double>(ne));
      double best = std::numeric_limits<double>::infinity();
      std::vector<std::uint32_t> path{from};
      std::vector<bool> used(ne, false);
      used[from] = true;
      std::function<void()> dfs = [&] {
        if (path.back() == to) {
          best = std::min(best, router.routeCost(path));
          return;
        }
        for (std::uint32_t nx : next[path.back()]) {
          if (used[nx])
            continue;
          used[nx] = true;
          path.push_back(nx);
          dfs();
          path.pop_back();
          used[nx] = false;
        }
      };
      dfs();
      const std::vector<std::uint32_t> r = router.route(from, to);
      if (!std::isfinite(best)) {
        EXPECT_TRUE(r.empty());
        continue;
      }
      ASSERT_FALSE(r.empty());
      EXPECT_EQ(r.front(), from);
      EXPECT_EQ(r.back(), to);
      EXPECT_NEAR(router.routeCost(r), best, 1e-9) << "trial " << trial << " query " << q;
    }
  }
}

// ALT's bounds from free-flow landmark tables stay admissible when queues and closures raise the
// costs: A* with them finds the optimum of a plain Dijkstra search (routesFrom) on 6 x 6 grids.
TEST(Routing, LandmarkBoundsFindDijkstrasOptimumUnderRaisedCosts) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  int compared = 0, unreachable = 0;
  for (int trial = 0; trial < 8; ++trial) {
    const Network net = randomGrid(6, 0.15, rng);
    const std::size_t ne = net.edges.size();
    Router router(net);
    const auto lm = Router::landmarks(router, 8);
    ASSERT_EQ(lm->count, 8u);
    ASSERT_EQ(lm->edges.size(), 8u);
    EXPECT_EQ(std::set<std::uint32_t>(lm->edges.begin(), lm->edges.end()).size(), 8u);
    router.setLandmarks(lm);
    // queues: every edge up to 5 times its free-flow time, a few closed
    std::vector<double> cost = router.costs();
    for (double& c : cost)
      c *= u(rng) < 0.05 ? 1e9 : 1.0 + 4.0 * u(rng);
    router.setCosts(cost);
    Router::Scratch scratch;
    for (int q = 0; q < 40; ++q) {
      const auto from = static_cast<std::uint32_t>(u(rng) * static_cast<double>(ne));
      const auto to = static_cast<std::uint32_t>(u(rng) * static_cast<double>(ne));
      std::vector<std::vector<std::uint32_t>> paths;
      std::vector<double> costs;
      const std::uint32_t targets[] = {to};
      router.routesFrom(from, targets, scratch, paths, costs);
      const std::vector<std::uint32_t> r = router.route(from, to, scratch);
      if (!std::isfinite(costs[0])) {
        EXPECT_TRUE(r.empty());
        ++unreachable;
        continue;
      }
      ASSERT_FALSE(r.empty());
      EXPECT_EQ(r.front(), from);
      EXPECT_EQ(r.back(), to);
      EXPECT_NEAR(router.routeCost(r), costs[0], 1e-9 * costs[0]) << "trial " << trial;
      ++compared;
    }
  }
  EXPECT_GT(compared, 250);
  // costs below free flow would break the bounds: refused
  Builder b;
  const std::uint32_t a = b.node("a", 0, 0), c = b.node("c", 100, 0);
  b.edge("ac", a, c, 1, 10.0, 100.0);
  const Network net = b.finish();
  Router router(net);
  EXPECT_THROW(router.setCosts({5.0}), std::invalid_argument);
  EXPECT_NO_THROW(router.setCosts({10.0}));
}

// ---- the benchmark format ------------------------------------------------------------------

class BenchFormat : public test::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    dir_ = test::makeTempDir("traffic-bench");
    // a T: west (w) and east (e) ends on a main road through junction c, a side road to s;
    // one signal at c with two phases
    test::writeFile(dir_ + "/nodes.geojson", R"({"type":"FeatureCollection","features":[
 {"type":"Feature","geometry":{"type":"Point","coordinates":[0,0]},"properties":{"id":"w","type":"dead_end"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[200,0]},"properties":{"id":"c","type":"traffic_light","tl":"c"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[400,0]},"properties":{"id":"e","type":"dead_end"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[200,-200]},"properties":{"id":"s","type":"dead_end"}}]})");
    test::writeFile(dir_ + "/edges.geojson", R"({"type":"FeatureCollection","features":[
 {"type":"Feature","geometry":{"type":"LineString","coordinates":[[0,-1.6],[190,-1.6]]},"properties":{"id":"we","from":"w","to":"c","lanes":2,"lane_allows_car":[true,true],"speed":13.89,"length":190}},
 {"type":"Feature","geometry":{"type":"LineString","coordinates":[[210,-1.6],[400,-1.6]]},"properties":{"id":"ce","from":"c","to":"e","lanes":1,"speed":13.89,"length":190}},
 {"type":"Feature","geometry":{"type":"LineString","coordinates":[[400,1.6],[210,1.6]]},"properties":{"id":"ec","from":"e","to":"c","lanes":1,"speed":13.89,"length":190}},
 {"type":"Feature","geometry":{"type":"LineString","coordinates":[[190,1.6],[0,1.6]]},"properties":{"id":"cw","from":"c","to":"w","lanes":1,"speed":13.89,"length":190}},
 {"type":"Feature","geometry":{"type":"LineString","coordinates":[[198.4,-10],[198.4,-200]]},"properties":{"id":"cs","from":"c","to":"s","lanes":1,"speed":8.33,"length":190}}]})");
    test::writeFile(dir_ + "/tls.csv",
                    "tl,program,type,offset_s,phase,duration_s,state\n"
                    "c,0,static,0,0,30,GGGg\n"
                    "c,0,static,0,1,3,yyyy\n");
    test::writeFile(dir_ + "/connections.csv",
                    "from_edge,from_lane,to_edge,to_lane,via_node,direction,state,tl,tl_link_index,"
                    "via_length_m\n"
                    "we,0,cs,0,c,r,O,c,0,9.0\n"
                    "we,1,ce,0,c,s,O,c,1,20.0\n"
                    "ec,0,cw,0,c,s,O,c,2,20.0\n"
                    "ec,0,cs,0,c,l,o,c,3,15.0\n");
    test::writeFile(dir_ + "/vtypes.csv",
                    "source,accel,decel,id,length,minGap,tau,speedDev,delta\n"
                    "idm.add.xml,2.6,4.5,car,5.0,2.5,1.0,0.1,4\n"
                    "krauss.add.xml,2.6,4.5,car,5.0,2.5,1.0,0.1,\n");
    test::writeFile(dir_ + "/demand.csv",
                    "id,depart_s,from_edge,to_edge,vtype,depart_lane,depart_speed,route_edges\n"
                    "b,5,ec,cs,car,best,max,ec cs\n"
                    "a,0,we,ce,car,best,max,we ce\n");
  }
  void TearDown() override {
    fs::remove_all(dir_);
    EngineTest::TearDown();
  }
  std::string dir_;
};

TEST_F(BenchFormat, ReadsATinyHandWrittenCase) {
  const Network net = readBenchNetwork(dir_);
  EXPECT_EQ(net.nodes.size(), 4u);
  EXPECT_EQ(net.edges.size(), 5u);
  EXPECT_EQ(net.normalLaneCount, 6u);    // 2 + 1 + 1 + 1 + 1
  EXPECT_EQ(net.lanes.size(), 6u + 4u);  // one internal lane per connection
  ASSERT_EQ(net.signals.size(), 1u);
  EXPECT_DOUBLE_EQ(net.signals[0].cycle, 33.0);
  EXPECT_EQ(net.signals[0].phaseAt(31.0), 1u);
  EXPECT_EQ(net.signals[0].phaseAt(34.0), 0u);  // the cycle repeats
  // connections are sorted by lane; the left turn from ec yields to nothing on 'g'... it has
  // the straight we->ce as a foe (the paths cross) and merges with we->cs into cs
  const std::uint32_t we = net.findEdge("we"), ec = net.findEdge("ec"), cs = net.findEdge("cs");
  const std::uint32_t left = net.connectionTo(net.edges[ec].firstLane, cs);
  ASSERT_NE(left, kNone);
  const Connection& l = net.connections[left];
  EXPECT_EQ(l.direction, 'l');
  EXPECT_EQ(l.linkIndex, 3);
  std::vector<std::uint32_t> foes;
  for (std::uint32_t k = l.foeBegin; k < l.foeEnd; ++k)
    foes.push_back(net.foes[k].connection);
  EXPECT_EQ(foes.size(), 2u);
  EXPECT_NE(std::find(foes.begin(), foes.end(),
                      net.connectionTo(net.edges[we].firstLane + 1, net.findEdge("ce"))),
            foes.end());
  EXPECT_NE(std::find(foes.begin(), foes.end(), net.connectionTo(net.edges[we].firstLane, cs)),
            foes.end());
  // the left turn is slower than the road: sqrt(5.5 m/s2 * 2 * 15 m / pi) = 7.25 m/s
  EXPECT_NEAR(net.lanes[l.internalLane].speed, std::sqrt(5.5 * 2 * 15.0 / 3.141592653589793), 1e-9);
  // vehicle types: the idm rows only
  const auto vt = readBenchVTypes(dir_ + "/vtypes.csv", "idm");
  ASSERT_EQ(vt.size(), 1u);
  EXPECT_DOUBLE_EQ(vt[0].idm.delta, 4.0);
  // demand sorted by departure
  const Demand d = readBenchDemand(dir_ + "/demand.csv", net, vt, true);
  ASSERT_EQ(d.trips.size(), 2u);
  EXPECT_EQ(d.trips[0].id, "a");
  EXPECT_EQ(d.route(d.trips[1]).size(), 2u);
}

TEST_F(BenchFormat, VehicleClassesAndEmissionClassesComeFromTheTypesFile) {
  test::writeFile(dir_ + "/types.csv",
                  "source,id,vClass,accel,decel,length,emissionClass\n"
                  "idm.add.xml,car,passenger,2.6,4.5,5,\n"
                  "idm.add.xml,van,delivery,2.0,4.5,6.5,HBEFA3/LDV_D_EU5\n"
                  "idm.add.xml,lorry,truck,1.3,4.0,7.1,\n"
                  "idm.add.xml,bus,bus,1.2,4.0,12,HBEFA3/Bus\n");
  const auto vt = readBenchVTypes(dir_ + "/types.csv", "idm");
  ASSERT_EQ(vt.size(), 4u);
  EXPECT_EQ(vt[0].cls, VehicleClass::Car);
  EXPECT_EQ(vt[1].cls, VehicleClass::Van);
  EXPECT_EQ(vt[2].cls, VehicleClass::Truck);
  EXPECT_EQ(vt[3].cls, VehicleClass::Bus);
  EXPECT_EQ(vt[0].emissionClass, -1);  // the simulation takes the class's default
  EXPECT_EQ(vt[1].emissionClass, findEmissionClass("LDV_D_EU5"));
  EXPECT_EQ(vt[3].emissionClass, findEmissionClass("Bus"));
  EXPECT_EQ(emissionClasses()[static_cast<std::size_t>(defaultEmissionClass(
                                  static_cast<int>(VehicleClass::Truck), false))]
                .name,
            "HDV_D_EU6");
  test::writeFile(dir_ + "/types.csv", "source,id,vClass,emissionClass\nidm.add.xml,tram,tram,\n");
  try {
    (void)readBenchVTypes(dir_ + "/types.csv", "idm");
    FAIL() << "no error";
  } catch (const BenchError& e) {
    EXPECT_THAT(e.what(), HasSubstr("types.csv:2: vehicle type tram: vClass 'tram' is not one"));
  }
  test::writeFile(dir_ + "/types.csv",
                  "source,id,vClass,emissionClass\nidm.add.xml,car,passenger,HBEFA4/PC_petrol\n");
  try {
    (void)readBenchVTypes(dir_ + "/types.csv", "idm");
    FAIL() << "no error";
  } catch (const BenchError& e) {
    EXPECT_THAT(e.what(), HasSubstr("types.csv:2: vehicle type car: unknown emission class "
                                    "'HBEFA4/PC_petrol'"));
  }
}

TEST_F(BenchFormat, BadFilesAreRefusedWithFileAndLine) {
  test::writeFile(dir_ + "/connections.csv",
                  "from_edge,from_lane,to_edge,to_lane,via_node,direction,state,tl,tl_link_index,"
                  "via_length_m\n"
                  "we,0,cs,0,c,r,O,c,0,9.0\n"
                  "we,1,nowhere,0,c,s,O,c,1,20.0\n");
  try {
    (void)readBenchNetwork(dir_);
    FAIL() << "no error";
  } catch (const BenchError& e) {
    EXPECT_THAT(e.what(), HasSubstr("connections.csv:3: unknown edge 'nowhere'"));
  }
  test::writeFile(dir_ + "/connections.csv",
                  "from_edge,from_lane,to_edge,to_lane,via_node,direction,state,tl,tl_link_index,"
                  "via_length_m\n"
                  "we,0,cs,0,c,r,O,c,9,9.0\n");
  try {
    (void)readBenchNetwork(dir_);
    FAIL() << "no error";
  } catch (const BenchError& e) {
    EXPECT_THAT(e.what(), HasSubstr("connections.csv:2: tl_link_index 9 is outside signal c"));
  }
  // a route that jumps between edges that do not connect
  test::writeFile(dir_ + "/connections.csv",
                  "from_edge,from_lane,to_edge,to_lane,via_node,direction,state,tl,tl_link_index,"
                  "via_length_m\n"
                  "we,1,ce,0,c,s,O,c,1,20.0\n");
  const Network net = readBenchNetwork(dir_);
  const auto vt = readBenchVTypes(dir_ + "/vtypes.csv", "idm");
  test::writeFile(dir_ + "/demand.csv",
                  "id,depart_s,from_edge,to_edge,vtype,depart_lane,depart_speed,route_edges\n"
                  "a,0,we,cs,car,best,max,we cs\n");
  try {
    (void)readBenchDemand(dir_ + "/demand.csv", net, vt, true);
    FAIL() << "no error";
  } catch (const BenchError& e) {
    EXPECT_THAT(e.what(), HasSubstr("demand.csv:2: trip a: edge we has no connection to cs"));
  }
  test::writeFile(dir_ + "/demand.csv",
                  "id,depart_s,from_edge,to_edge,vtype,depart_lane,depart_speed,route_edges\n"
                  "a,soon,we,ce,car,best,max,we ce\n");
  try {
    (void)readBenchDemand(dir_ + "/demand.csv", net, vt, true);
    FAIL() << "no error";
  } catch (const BenchError& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("demand.csv:2: column 'depart_s': expected a number, found 'soon'"));
  }
  EXPECT_THROW((void)readBenchNetwork(dir_ + "/missing"), BenchError);
  EXPECT_THROW((void)readBenchVTypes(dir_ + "/vtypes.csv", "wiedemann"), BenchError);
}

}  // namespace
}  // namespace twin::traffic

namespace twin::traffic {
namespace {

// ---- the network from a city's road graph ---------------------------------------------------

// A cross: a secondary road west-east (2 lanes each way) and a residential road south-north
// (1 lane each way) meet at node 0; the arms end at nodes 1 (W), 2 (E), 3 (S), 4 (N); the
// north arm bends at node 5 on its way to node 4.
struct CrossCity {
  std::vector<TwinRoadNode> nodes{{0, 0, TWIN_JUNCTION_PRIORITY, 1},
                                  {-200, 0, 0, 1},
                                  {200, 0, 0, 1},
                                  {0, -200, 0, 1},
                                  {50, 250, 0, 1},
                                  {0, 150, 0, 1}};
  std::vector<std::vector<double>> xy;
  std::vector<TwinRoadLink> links;
  std::vector<std::uint32_t> banned;
  TwinCityInfo info{};
  CrossCity() {
    auto road = [&](std::uint32_t a, std::uint32_t b, int cls, int lanes, double speed) {
      for (auto [f, t] : {std::pair{a, b}, std::pair{b, a}}) {
        xy.push_back({nodes[f].x, nodes[f].y, nodes[t].x, nodes[t].y});
      }
      const auto i = static_cast<std::int32_t>(links.size());
      const double len = std::hypot(nodes[b].x - nodes[a].x, nodes[b].y - nodes[a].y);
      links.push_back({a, b, i + 1, cls, 1, lanes, speed, len, nullptr, 2});
      links.push_back({b, a, i, cls, 1, lanes, speed, len, nullptr, 2});
    };
    road(1, 0, 3, 2, 13.89);  // links 0 (W->0), 1 (0->W)
    road(0, 2, 3, 2, 13.89);  // links 2 (0->E), 3 (E->0)
    road(3, 0, 6, 1, 8.33);   // links 4 (S->0), 5 (0->S)
    road(0, 5, 6, 1, 8.33);   // links 6 (0->bend), 7 (bend->0)
    road(5, 4, 6, 1, 8.33);   // links 8 (bend->N), 9 (N->bend)
    finish();
  }
  void finish() {
    for (std::size_t i = 0; i < links.size(); ++i)
      links[i].xy = xy[i].data();
    info.struct_size = sizeof(TwinCityInfo);
    info.road_nodes = nodes.data();
    info.road_node_count = nodes.size();
    info.road_links = links.data();
    info.road_link_count = links.size();
    info.banned_turns = banned.empty() ? nullptr : banned.data();
    info.banned_turn_count = banned.size() / 2;
  }
};

const Connection* find(const Network& net, const std::string& from, std::uint32_t lane,
                       const std::string& to) {
  const std::uint32_t e = net.findEdge(from), t = net.findEdge(to);
  if (e == kNone || t == kNone || lane >= net.edges[e].laneCount)
    return nullptr;
  const std::uint32_t c = net.connectionTo(net.edges[e].firstLane + lane, t);
  return c == kNone ? nullptr : &net.connections[c];
}

TEST(CityNetwork, TurnsLanesAndRightOfWayAtAPriorityJunction) {
  CrossCity city;
  const Network net = buildCityNetwork(city.info);
  EXPECT_EQ(net.edges.size(), 10u);
  EXPECT_TRUE(net.signals.empty());
  EXPECT_EQ(net.nodes[0].type, "priority");
  // from the west (2 lanes): straight from both lanes, right (south) from lane 0 only, left
  // (north) from lane 1 only
  ASSERT_NE(find(net, "L0", 0, "L2"), nullptr);
  ASSERT_NE(find(net, "L0", 1, "L2"), nullptr);
  EXPECT_EQ(find(net, "L0", 1, "L2")->direction, 's');
  EXPECT_EQ(net.lanes[find(net, "L0", 1, "L2")->toLane].index, 1u);
  ASSERT_NE(find(net, "L0", 0, "L5"), nullptr);
  EXPECT_EQ(find(net, "L0", 0, "L5")->direction, 'r');
  EXPECT_EQ(find(net, "L0", 1, "L5"), nullptr);
  ASSERT_NE(find(net, "L0", 1, "L6"), nullptr);
  EXPECT_EQ(find(net, "L0", 1, "L6")->direction, 'l');
  EXPECT_EQ(find(net, "L0", 0, "L6"), nullptr);
  // the turnaround back west: from the leftmost lane only, and it yields
  EXPECT_EQ(find(net, "L0", 0, "L1"), nullptr);
  ASSERT_NE(find(net, "L0", 1, "L1"), nullptr);
  EXPECT_EQ(find(net, "L0", 1, "L1")->direction, 't');
  EXPECT_EQ(find(net, "L0", 1, "L1")->state, 'm');
  // right of way: the secondary road is major, its left turn and the residential road yield
  EXPECT_EQ(find(net, "L0", 0, "L2")->state, 'M');
  EXPECT_EQ(find(net, "L0", 1, "L6")->state, 'm');
  EXPECT_EQ(find(net, "L4", 0, "L2")->state, 'm');
  // the left turn from the west crosses the straight from the east: foes, and it yields
  const Connection* left = find(net, "L0", 1, "L6");
  const Connection* oncoming = find(net, "L3", 0, "L1");
  ASSERT_NE(oncoming, nullptr);
  bool foe = false;
  for (std::uint32_t k = left->foeBegin; k < left->foeEnd; ++k) {
    if (&net.connections[net.foes[k].connection] == oncoming)
      foe = net.foes[k].yieldStatic;
  }
  EXPECT_TRUE(foe);
  // the bend (node 5) is no junction: straight on, no internal length to speak of
  ASSERT_NE(find(net, "L6", 0, "L8"), nullptr);
  EXPECT_EQ(find(net, "L6", 0, "L8")->state, 'M');
  EXPECT_LT(find(net, "L6", 0, "L8")->via, 1.0);
  // dead ends turn back; a plain bend does not (netconvert's --no-turnarounds.geometry)
  ASSERT_NE(find(net, "L8", 0, "L9"), nullptr);
  EXPECT_EQ(find(net, "L8", 0, "L9")->direction, 't');
  EXPECT_EQ(find(net, "L6", 0, "L7"), nullptr);
  EXPECT_EQ(find(net, "L9", 0, "L8"), nullptr);
}

// A city built road by road: one link per direction of each two-way road, one for a one-way.
struct RoadCity : CrossCity {
  explicit RoadCity(std::vector<TwinRoadNode> ns) {
    nodes = std::move(ns);
    xy.clear();
    links.clear();
  }
  // returns the index of the a -> b link (its twin, if any, follows)
  std::size_t road(std::uint32_t a, std::uint32_t b, int cls, int lanes, bool oneWay = false) {
    const std::size_t first = links.size();
    const double len = std::hypot(nodes[b].x - nodes[a].x, nodes[b].y - nodes[a].y);
    const auto i = static_cast<std::int32_t>(first);
    xy.push_back({nodes[a].x, nodes[a].y, nodes[b].x, nodes[b].y});
    links.push_back({a, b, oneWay ? -1 : i + 1, cls, 1, lanes, 13.89, len, nullptr, 2});
    if (!oneWay) {
      xy.push_back({nodes[b].x, nodes[b].y, nodes[a].x, nodes[a].y});
      links.push_back({b, a, i, cls, 1, lanes, 13.89, len, nullptr, 2});
    }
    return first;
  }
};

// A primary road west-east crosses a secondary dual carriageway whose two one-way halves meet
// it 12 m apart (nodes A and B), as OSM draws it: two junctions joined into one, the 12 m
// between them inside it.
TEST(CityNetwork, AJunctionSplitOverTwoNodesIsJoinedIntoOne) {
  auto make = [] {
    RoadCity c({{-6, 0, TWIN_JUNCTION_PRIORITY, 1},  // 0: A
                {6, 0, TWIN_JUNCTION_PRIORITY, 1},   // 1: B
                {-200, 0, 0, 1},                     // 2: W
                {200, 0, 0, 1},                      // 3: E
                {-6, 200, 0, 1},                     // 4: N1 (southbound carriageway)
                {-6, -200, 0, 1},                    // 5: S1
                {6, -200, 0, 1},                     // 6: S2 (northbound carriageway)
                {6, 200, 0, 1}});                    // 7: N2
    c.road(2, 0, 2, 1);                              // L0 W->A, L1 A->W
    c.road(0, 1, 2, 1);                              // L2 A->B, L3 B->A (12 m)
    c.road(1, 3, 2, 1);                              // L4 B->E, L5 E->B
    c.road(4, 0, 3, 1, true);                        // L6 N1->A
    c.road(0, 5, 3, 1, true);                        // L7 A->S1
    c.road(6, 1, 3, 1, true);                        // L8 S2->B
    c.road(1, 7, 3, 1, true);                        // L9 B->N2
    return c;
  };
  RoadCity city = make();
  city.finish();
  const Network net = buildCityNetwork(city.info);
  EXPECT_EQ(net.edges.size(), 8u);
  ASSERT_EQ(net.absorbed.size(), 2u);
  EXPECT_EQ(net.absorbed.at("L2"), 0u);
  EXPECT_EQ(net.findEdge("L2"), kNone);
  // one junction at the two nodes' middle; every approach ends there
  EXPECT_DOUBLE_EQ(net.nodes[0].x, 0.0);
  EXPECT_EQ(net.nodes[1].type, "joined");
  for (const Edge& e : net.edges)
    EXPECT_TRUE(e.from == 0 || e.to == 0) << e.id;
  const double r = CityNetworkOptions{}.junctionRadiusM;
  const double pi = std::numbers::pi;
  // straight across, 12 m inside plus the junction's own 2 r; the primary road is major
  const Connection* we = find(net, "L0", 0, "L4");
  ASSERT_NE(we, nullptr);
  EXPECT_EQ(we->direction, 's');
  EXPECT_EQ(we->state, 'M');
  EXPECT_DOUBLE_EQ(we->via, 12.0 + 2 * r);
  // left from the west into the northbound carriageway: through B, and it yields
  const Connection* wn = find(net, "L0", 0, "L9");
  ASSERT_NE(wn, nullptr);
  EXPECT_EQ(wn->direction, 'l');
  EXPECT_EQ(wn->state, 'm');
  EXPECT_DOUBLE_EQ(wn->via, 12.0 + pi * r);
  // right from the west into the southbound carriageway: at A, nothing inside
  const Connection* ws = find(net, "L0", 0, "L7");
  ASSERT_NE(ws, nullptr);
  EXPECT_EQ(ws->direction, 'r');
  EXPECT_DOUBLE_EQ(ws->via, pi * r / 2);
  // from one carriageway into the other: a turnaround across the median, which yields
  for (const auto& [from, to] : {std::pair{"L6", "L9"}, std::pair{"L8", "L7"}}) {
    const Connection* u = find(net, from, 0, to);
    ASSERT_NE(u, nullptr) << from;
    EXPECT_EQ(u->direction, 't');
    EXPECT_EQ(u->state, 'm');
    EXPECT_DOUBLE_EQ(u->via, 12.0 + pi * kLaneWidth);
  }
  // a minor approach yields to the major straight it crosses
  const Connection* nsLeft = find(net, "L6", 0, "L4");
  ASSERT_NE(nsLeft, nullptr);
  EXPECT_EQ(nsLeft->direction, 'l');
  bool yields = false;
  for (std::uint32_t k = nsLeft->foeBegin; k < nsLeft->foeEnd; ++k) {
    if (&net.connections[net.foes[k].connection] == we)
      yields = net.foes[k].yieldStatic;
  }
  EXPECT_TRUE(yields);

  // a turn ban between links inside holds: no left turn from A->B into B->N2
  RoadCity banned = make();
  banned.banned = {2, 9};
  banned.finish();
  const Network nb = buildCityNetwork(banned.info);
  EXPECT_EQ(find(nb, "L0", 0, "L9"), nullptr);
  EXPECT_NE(find(nb, "L0", 0, "L4"), nullptr);

  // closures may name the links inside: the roads into the junction close it
  const Closure cl = parseClosure(net, "L0+L2 7h 8h");
  EXPECT_EQ(cl.edges.size(), 1u);
  ASSERT_EQ(cl.inside.size(), 1u);
  EXPECT_EQ(cl.inside[0], "L2");
  EXPECT_THAT([&] { (void)parseClosure(net, "L3 7h 8h"); },
              ThrowsMessage<std::runtime_error>(HasSubstr("inside the joined junction n0")));

  // with joining off: two junctions, the 12 m link an edge of its own
  CityNetworkOptions off;
  off.joinDistM = 0;
  const Network two = buildCityNetwork(city.info, off);
  EXPECT_EQ(two.edges.size(), 10u);
  EXPECT_TRUE(two.absorbed.empty());
  EXPECT_NE(find(two, "L0", 0, "L2"), nullptr);
  EXPECT_NE(find(two, "L2", 0, "L4"), nullptr);
  // and with the junctions farther apart than the join distance too
  CityNetworkOptions near;
  near.joinDistM = 11.5;
  EXPECT_TRUE(buildCityNetwork(city.info, near).absorbed.empty());
}

// OSM puts a junction's traffic lights on its approaches: lit approaches within 25 m on two
// sides make the junction signalised; one lit approach (a pedestrian light) does not.
TEST(CityNetwork, LightsOnTheApproachesSignaliseTheJunction) {
  auto make = [](double westLight, bool southLit) {
    RoadCity c({{0, 0, TWIN_JUNCTION_PRIORITY, 1},
                {-200, 0, 0, 1},
                {200, 0, 0, 1},
                {0, -200, 0, 1},
                {0, 200, 0, 1},
                {-westLight, 0, TWIN_JUNCTION_SIGNALS, 1},
                {0, -20, southLit ? TWIN_JUNCTION_SIGNALS : TWIN_JUNCTION_NONE, 1}});
    c.road(1, 5, 3, 1);  // L0 W->light, L1
    c.road(5, 0, 3, 1);  // L2 light->0, L3
    c.road(0, 2, 3, 1);  // L4, L5
    c.road(3, 6, 6, 1);  // L6 S->light, L7
    c.road(6, 0, 6, 1);  // L8 light->0, L9
    c.road(0, 4, 6, 1);  // L10, L11
    c.finish();
    return c;
  };
  {
    const RoadCity city = make(20, true);
    const Network net = buildCityNetwork(city.info);
    ASSERT_EQ(net.signals.size(), 1u);
    EXPECT_EQ(net.guessedSignals, 1u);
    EXPECT_EQ(net.nodes[0].type, "traffic_light");
    EXPECT_EQ(find(net, "L2", 0, "L4")->signal, 0);
    // the light's own node stays a plain bend
    EXPECT_EQ(find(net, "L0", 0, "L2")->signal, -1);
  }
  EXPECT_TRUE(buildCityNetwork(make(20, false).info).signals.empty());
  EXPECT_TRUE(buildCityNetwork(make(30, true).info).signals.empty());
  CityNetworkOptions off;
  off.signalGuessDistM = 0;
  EXPECT_TRUE(buildCityNetwork(make(20, true).info, off).signals.empty());
}

// A two-lane road that bends by 90 degrees at a node where no other road meets: a curve of one
// road, not a turn. Both lanes go on into their own lane, at the road's speed.
TEST(CityNetwork, APlainBendKeepsEveryLaneAtTheRoadsSpeed) {
  CrossCity city;
  city.nodes = {{0, 0, TWIN_JUNCTION_PRIORITY, 1}, {-200, 0, 0, 1}, {0, 200, 0, 1}};
  city.xy.clear();
  city.links.clear();
  auto road = [&](std::uint32_t a, std::uint32_t b) {
    for (auto [f, t] : {std::pair{a, b}, std::pair{b, a}})
      city.xy.push_back({city.nodes[f].x, city.nodes[f].y, city.nodes[t].x, city.nodes[t].y});
    const auto i = static_cast<std::int32_t>(city.links.size());
    city.links.push_back({a, b, i + 1, 3, 1, 2, 13.89, 200.0, nullptr, 2});
    city.links.push_back({b, a, i, 3, 1, 2, 13.89, 200.0, nullptr, 2});
  };
  road(1, 0);  // L0 west -> bend, L1 back
  road(0, 2);  // L2 bend -> north, L3 back
  city.finish();
  const Network net = buildCityNetwork(city.info);
  for (std::uint32_t lane : {0u, 1u}) {
    const Connection* c = find(net, "L0", lane, "L2");
    ASSERT_NE(c, nullptr) << lane;
    EXPECT_EQ(c->direction, 's');
    EXPECT_EQ(net.lanes[c->toLane].index, lane);
    EXPECT_DOUBLE_EQ(net.lanes[c->internalLane].speed, 13.89);
  }
}

TEST(CityNetwork, BannedTurnsAndSignalPrograms) {
  CrossCity city;
  city.nodes[0].control = TWIN_JUNCTION_SIGNALS;
  city.banned = {0, 6};  // no left turn from the west into the north arm
  city.finish();
  const Network net = buildCityNetwork(city.info);
  EXPECT_EQ(find(net, "L0", 1, "L6"), nullptr);
  EXPECT_NE(find(net, "L0", 0, "L5"), nullptr);  // the right turn stays
  ASSERT_EQ(net.signals.size(), 1u);
  const SignalProgram& p = net.signals[0];
  EXPECT_EQ(net.nodes[0].type, "traffic_light");
  ASSERT_EQ(p.durations.size(), 4u);
  EXPECT_DOUBLE_EQ(p.durations[0], 31.0);
  // ITE yellow: 1 s + 13.89 / (2 * 3.05) = 3.277 s
  EXPECT_NEAR(p.durations[1], 1.0 + 13.89 / 6.1, 1e-9);
  // phase 0: the west-east axis goes, south-north waits; phase 2 the other way round
  const Connection* we = find(net, "L0", 0, "L2");
  const Connection* sn = find(net, "L4", 0, "L6");
  const Connection* sLeft = find(net, "L4", 0, "L1");
  ASSERT_TRUE(we && sn && sLeft);
  const auto at = [&](const Connection* c, int phase) {
    return p.states[static_cast<std::size_t>(phase)][static_cast<std::size_t>(c->linkIndex)];
  };
  EXPECT_EQ(at(we, 0), 'G');
  EXPECT_EQ(at(we, 1), 'y');
  EXPECT_EQ(at(we, 2), 'r');
  EXPECT_EQ(at(sn, 0), 'r');
  EXPECT_EQ(at(sn, 2), 'G');
  EXPECT_EQ(at(sLeft, 2), 'g');  // permissive left turn
}

// `n` trips from edge a to edge b departing evenly over the first 3,000 s
void addFlow(Demand& d, const Network& net, const Router& router, const std::string& a,
             const std::string& b, int n) {
  const auto route = router.route(net.findEdge(a), net.findEdge(b));
  ASSERT_FALSE(route.empty());
  for (int i = 0; i < n; ++i)
    addTrip(d, a + b + std::to_string(i), 3000.0 * i / n, route);
}

TEST(CityNetwork, WebsterTimesTheSignalFromPeakHourFlows) {
  CrossCity city;
  city.nodes[0].control = TWIN_JUNCTION_SIGNALS;
  city.finish();
  const double yellow = 1.0 + 13.89 / 6.1;
  {
    // light: y = 500 / (1900 x 2) and 100 / 1900, Y = 0.1842; C0 = (1.5 x 8 + 5) / (1 - Y)
    // = 20.8 s, below the 40 s minimum; effective green 32 s split 0.1316 : 0.0526
    Network net = buildCityNetwork(city.info);
    const Router router(net);
    Demand d;
    addFlow(d, net, router, "L0", "L2", 500);
    addFlow(d, net, router, "L4", "L8", 100);
    ASSERT_EQ(timeSignalsWebster(net, d, router), 1u);
    const SignalProgram& p = net.signals[0];
    const double yA = 500.0 / 3800.0, yB = 100.0 / 1900.0;
    EXPECT_NEAR(p.cycle, 40.0, 1e-9);
    EXPECT_NEAR(p.durations[0], 32.0 * yA / (yA + yB) - yellow + 4.0, 1e-9);
    EXPECT_NEAR(p.durations[2], 32.0 * yB / (yA + yB) - yellow + 4.0, 1e-9);
    EXPECT_NEAR(p.durations[1], yellow, 1e-9);
  }
  {
    // heavy: Y = 2000 / 3800 + 400 / 1900 = 0.7368; C0 = 17 / 0.2632 = 64.6 s
    Network net = buildCityNetwork(city.info);
    const Router router(net);
    Demand d;
    addFlow(d, net, router, "L0", "L2", 2000);
    addFlow(d, net, router, "L4", "L8", 400);
    ASSERT_EQ(timeSignalsWebster(net, d, router), 1u);
    const double Y = 2000.0 / 3800.0 + 400.0 / 1900.0;
    EXPECT_NEAR(net.signals[0].cycle, 17.0 / (1.0 - Y), 1e-9);
    EXPECT_GT(net.signals[0].durations[0], net.signals[0].durations[2]);
  }
  {
    // no trips through it: the program keeps netconvert's default timing
    Network net = buildCityNetwork(city.info);
    const Router router(net);
    Demand d;
    addFlow(d, net, router, "L8", "L9", 10);  // dead end, away from the signal
    EXPECT_EQ(timeSignalsWebster(net, d, router), 0u);
    EXPECT_DOUBLE_EQ(net.signals[0].durations[0], 31.0);
  }
}

TEST(RandomTrips, LengthWeightedEdgesFarEnoughApartAndStablePerTrip) {
  const Network net = readBenchNetwork(kAssets + "/grid10");
  const Demand d = randomDemand(net, 400, 3600.0, 500.0, 9);
  ASSERT_EQ(d.trips.size(), 400u);
  EXPECT_DOUBLE_EQ(d.trips[0].depart, 0.0);
  EXPECT_DOUBLE_EQ(d.trips[200].depart, 1800.0);
  for (const Trip& t : d.trips) {
    const auto r = d.route(t);
    ASSERT_EQ(r.size(), 2u);
    EXPECT_NE(r[0], r[1]);
    const auto& a = net.edges[r[0]].shape.front();
    const auto& b = net.edges[r[1]].shape.back();
    EXPECT_GE(std::hypot(b[0] - a[0], b[1] - a[1]), 500.0);
  }
  // trip i is the same whatever the count (its own random stream)
  const Demand fewer = randomDemand(net, 10, 3600.0, 500.0, 9);
  EXPECT_EQ(fewer.route(fewer.trips[7])[0], d.route(d.trips[7])[0]);
  EXPECT_EQ(fewer.route(fewer.trips[7])[1], d.route(d.trips[7])[1]);
  // another seed, other trips
  const Demand other = randomDemand(net, 400, 3600.0, 500.0, 10);
  int same = 0;
  for (std::size_t i = 0; i < 400; ++i)
    same += other.route(other.trips[i])[0] == d.route(d.trips[i])[0] ? 1 : 0;
  EXPECT_LT(same, 40);
}

// Every turn into the south arm banned: its two edges are reached (or left) one way only. They
// fall out of the main component, and random trips neither start nor end on them.
TEST(CityNetwork, EdgesReachedOneWayOnlyAreLeftOutOfTheMainComponent) {
  CrossCity whole;
  Network all = buildCityNetwork(whole.info);
  EXPECT_EQ(markMainComponent(all), 0u);
  CrossCity city;
  city.banned = {0, 5, 3, 5, 7, 5, 4, 5};
  city.finish();
  Network net = buildCityNetwork(city.info);
  EXPECT_FALSE(net.edges[net.findEdge("L4")].mainComponent);
  EXPECT_FALSE(net.edges[net.findEdge("L5")].mainComponent);
  EXPECT_EQ(markMainComponent(net), 2u);
  for (const char* id : {"L0", "L1", "L2", "L3", "L6", "L7", "L8", "L9"})
    EXPECT_TRUE(net.edges[net.findEdge(id)].mainComponent) << id;
  const Demand d = randomDemand(net, 300, 3600.0, 100.0, 5);
  const Router router(net);
  for (const Trip& t : d.trips) {
    const auto r = d.route(t);
    for (std::uint32_t e : r)
      EXPECT_TRUE(net.edges[e].mainComponent) << net.edges[e].id;
    EXPECT_FALSE(router.route(r.front(), r.back()).empty());
  }
}

TEST(CityNetwork, VehiclesDriveAcrossIt) {
  CrossCity city;
  city.nodes[0].control = TWIN_JUNCTION_SIGNALS;
  city.finish();
  const Network net = buildCityNetwork(city.info);
  Router router(net);
  Demand demand;
  const std::vector<std::pair<std::string, std::string>> od{
      {"L0", "L2"}, {"L3", "L5"}, {"L4", "L8"}, {"L9", "L1"}};
  for (int i = 0; i < 40; ++i) {
    const auto& [a, b] = od[static_cast<std::size_t>(i) % od.size()];
    const auto route = router.route(net.findEdge(a), net.findEdge(b));
    ASSERT_FALSE(route.empty()) << a << " -> " << b;
    addTrip(demand, "t" + std::to_string(i), i * 5.0, route);
  }
  Simulation sim(net, {exactCar()}, demand, SimParams{}, 3);
  int t = 0;
  for (; t < 3600 && !sim.finished(); ++t)
    sim.step(t, kSerial);
  EXPECT_TRUE(sim.finished());
  EXPECT_EQ(sim.stats().arrived, 40u);
  EXPECT_EQ(sim.stats().teleports, 0u);
  // link outputs: the 10 trips from the west left its link once each; vehicles queued at the
  // signal on some approach; mean speeds stay below the limits
  const Edge& west = net.edges[net.findEdge("L0")];
  std::uint32_t through = 0;
  for (std::uint32_t l = west.firstLane; l < west.firstLane + west.laneCount; ++l)
    through += sim.laneExits()[l];
  EXPECT_EQ(through, 10u);
  std::uint32_t queued = 0;
  for (std::uint32_t q : sim.edgeMaxQueue())
    queued = std::max(queued, q);
  EXPECT_GE(queued, 1u);
  for (std::uint32_t l = 0; l < net.normalLaneCount; ++l) {
    if (sim.laneVehicleSteps()[l] > 0) {
      const double mean = sim.laneSpeedSum()[l] / static_cast<double>(sim.laneVehicleSteps()[l]);
      EXPECT_LE(mean, net.lanes[l].speed * 1.3);
    }
  }
}

}  // namespace
}  // namespace twin::traffic
