// SPDX-License-Identifier: Apache-2.0
// The city's daily demand (city_demand.hpp): the shipped time-of-day table and its reader,
// trip generation at MiD 2017's rates, the gravity model's deterrence, tours that come home
// after their activity, one-to-many routes equal to single searches, and determinism.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bench_reader.hpp"
#include "city_demand.hpp"
#include "city_network.hpp"
#include "routing.hpp"
#include "support/twin_test.hpp"

namespace twin::traffic {
namespace {

using ::testing::HasSubstr;

const std::string kTimeOfDay = std::string(TWIN_SOURCE_DIR) + "/assets/traffic/time_of_day_mid.csv";

const ParallelFor kSerial =
    [](std::size_t n, const std::function<void(std::size_t, std::size_t)>& fn) { fn(0, n); };
// blocks of 7 in reverse order on two threads: results must not depend on the split
const ParallelFor kBlocks = [](std::size_t n,
                               const std::function<void(std::size_t, std::size_t)>& fn) {
  std::vector<std::pair<std::size_t, std::size_t>> blocks;
  for (std::size_t b = 0; b < n; b += 7)
    blocks.emplace_back(b, std::min(n, b + 7));
  std::reverse(blocks.begin(), blocks.end());
  std::thread other([&] {
    for (std::size_t i = 0; i < blocks.size(); i += 2)
      fn(blocks[i].first, blocks[i].second);
  });
  for (std::size_t i = 1; i < blocks.size(); i += 2)
    fn(blocks[i].first, blocks[i].second);
  other.join();
};

// ---- the time-of-day table ------------------------------------------------------------------

TEST(TimeOfDay, TheShippedTableHasMidsPeaks) {
  const TimeOfDay t = readTimeOfDay(kTimeOfDay);
  ASSERT_EQ(t.binStartS.size(), 289u);  // 288 bins of 5 minutes
  EXPECT_DOUBLE_EQ(t.binStartS.back(), 86400.0);
  // assets/traffic/SOURCE.md: work and school arrivals peak from 7 to 8, shopping from 10 to 11
  EXPECT_NEAR(t.share(TimeColumn::ArrivalHbw, 7 * 3600.0, 8 * 3600.0), 0.291, 0.001);
  EXPECT_NEAR(t.share(TimeColumn::ArrivalHbe, 7 * 3600.0, 8 * 3600.0), 0.526, 0.001);
  EXPECT_NEAR(t.share(TimeColumn::ArrivalHbs, 10 * 3600.0, 11 * 3600.0), 0.170, 0.001);
  EXPECT_NEAR(t.share(TimeColumn::ArrivalHbw, 0.0, 86400.0), 1.0, 1e-12);
  // the mean work activity lasts 8.0 hours (481 minutes at the bins' middles)
  double mean = 0;
  for (std::size_t k = 0; k + 1 < t.binStartS.size(); ++k)
    mean += 0.5 * (t.binStartS[k] + t.binStartS[k + 1]) *
            t.share(TimeColumn::DurationHbw, t.binStartS[k], t.binStartS[k + 1]);
  EXPECT_NEAR(mean / 60.0, 481.0, 1.0);
  // a draw lands in the bin its first number picks, where its second says
  EXPECT_DOUBLE_EQ(t.sample(TimeColumn::ArrivalHbw, 0.0, 0.0), 0.0);
  const double cumTo7 = t.share(TimeColumn::ArrivalHbw, 0.0, 7 * 3600.0);
  const double s = t.sample(TimeColumn::ArrivalHbw, cumTo7 + 1e-9, 0.5);
  EXPECT_NEAR(s, 7 * 3600.0 + 150.0, 1e-6);
}

class TimeOfDayFile : public test::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    dir_ = test::makeTempDir("tod");
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    EngineTest::TearDown();
  }
  std::string error(const std::string& content) {
    test::writeFile(dir_ + "/t.csv", content);
    try {
      (void)readTimeOfDay(dir_ + "/t.csv");
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "no error";
  }
  std::string dir_;
};

TEST_F(TimeOfDayFile, BadTablesAreRefusedWithFileAndLine) {
  const std::string head =
      "minute_from,minute_to,arrival_hbw,duration_hbw,arrival_hbe,duration_hbe,arrival_hbs,"
      "duration_hbs,arrival_hbo,duration_hbo,arrival_nhbw\n";
  EXPECT_THAT(error("minute_from,minute_to,arrival_hbw\n0,5,1\n"),
              HasSubstr("t.csv:1: missing column 'duration_hbw'"));
  EXPECT_THAT(error(head + "0,5,1,1,1,1,1,1,1,1,1\n5,10,1,x,1,1,1,1,1,1,1\n"),
              HasSubstr("t.csv:3: column 'duration_hbw': expected a number, found 'x'"));
  EXPECT_THAT(error(head + "0,5,1,1,1,1,1,1,1,1,1\n10,15,1,1,1,1,1,1,1,1,1\n"),
              HasSubstr("t.csv:3: the bin 10 to 15 does not follow on"));
  EXPECT_THAT(error(head + "0,5,1,1,1,1,1,1,1,1,-1\n"),
              HasSubstr("t.csv:2: column 'arrival_nhbw': a share must not be negative"));
  EXPECT_THAT(error(head + "0,5,0,1,1,1,1,1,1,1,1\n"),
              HasSubstr("column 'arrival_hbw' has no share > 0"));
  EXPECT_THAT(error(head), HasSubstr("no bins"));
}

// ---- cities ---------------------------------------------------------------------------------

// A synthetic city: two-way residential roads (1 lane, 50 km/h) between the given nodes, and
// buildings.
struct SynthCity {
  std::vector<TwinRoadNode> nodes;
  std::vector<std::vector<double>> xy;
  std::vector<TwinRoadLink> links;
  std::vector<TwinBuilding> buildings;
  TwinCityInfo info{};
  void road(std::uint32_t a, std::uint32_t b, int cls = 6, int lanes = 1) {
    for (auto [f, t] : {std::pair{a, b}, std::pair{b, a}})
      xy.push_back({nodes[f].x, nodes[f].y, nodes[t].x, nodes[t].y});
    const auto i = static_cast<std::int32_t>(links.size());
    const double len = std::hypot(nodes[b].x - nodes[a].x, nodes[b].y - nodes[a].y);
    links.push_back({a, b, i + 1, cls, 1, lanes, 13.89, len, nullptr, 2});
    links.push_back({b, a, i, cls, 1, lanes, 13.89, len, nullptr, 2});
  }
  void building(double x, double y, double residents, double jobs, int use) {
    TwinBuilding b{};
    b.x = x;
    b.y = y;
    b.footprint_m2 = 200;
    b.floor_area_m2 = 600;
    b.residents = residents;
    b.jobs = jobs;
    b.use_class = use;
    b.floors = 3;
    buildings.push_back(b);
  }
  void finish(double minX, double minY, double maxX, double maxY) {
    for (std::size_t i = 0; i < links.size(); ++i)
      links[i].xy = xy[i].data();
    info.struct_size = sizeof(TwinCityInfo);
    info.min_x = minX;
    info.min_y = minY;
    info.max_x = maxX;
    info.max_y = maxY;
    info.road_nodes = nodes.data();
    info.road_node_count = nodes.size();
    info.road_links = links.data();
    info.road_link_count = links.size();
    info.buildings = buildings.data();
    info.building_count = buildings.size();
  }
};

// 7 x 7 junctions 200 m apart; homes in the western blocks, offices in the eastern ones, a
// school and two shops among them
SynthCity gridCity() {
  SynthCity c;
  for (int y = 0; y < 7; ++y) {
    for (int x = 0; x < 7; ++x)
      c.nodes.push_back({x * 200.0, y * 200.0, TWIN_JUNCTION_RIGHT_BEFORE_LEFT, 1});
  }
  for (std::uint32_t y = 0; y < 7; ++y) {
    for (std::uint32_t x = 0; x < 7; ++x) {
      if (x + 1 < 7)
        c.road(y * 7 + x, y * 7 + x + 1);
      if (y + 1 < 7)
        c.road(y * 7 + x, (y + 1) * 7 + x);
    }
  }
  for (int by = 0; by < 6; ++by) {
    for (int bx = 0; bx < 6; ++bx) {
      // each building stands 20 m off the block's southern road, at a third of the block
      const double x = bx * 200.0 + 70.0, y = by * 200.0 + 20.0;
      if (bx < 3)
        c.building(x, y, 500, 0, TWIN_USE_RESIDENTIAL);
      else if (bx == 4 && by == 1)
        c.building(x, y, 0, 100, TWIN_USE_EDUCATION);
      else if ((bx == 5 && by == 4) || (bx == 3 && by == 5))
        c.building(x, y, 0, 80, TWIN_USE_COMMERCIAL);
      else
        c.building(x, y, 0, 200, TWIN_USE_OFFICE);
    }
  }
  c.finish(0, 0, 1200, 1200);
  return c;
}

// the grid city with roads out of it: a secondary road of 2 lanes east from its eastern edge
// to the end of the extract (x = 1500), a residential road west to x = -300, and a secondary
// road into a block that ends there, far from the extract's edge
SynthCity gridCityWithRoadsOut() {
  SynthCity c = gridCity();
  c.nodes.push_back({1500, 600, TWIN_JUNCTION_PRIORITY, 1});  // 49: the end of the road east
  c.nodes.push_back({-300, 0, TWIN_JUNCTION_PRIORITY, 1});    // 50: residential, west
  c.nodes.push_back({700, 700, TWIN_JUNCTION_PRIORITY, 1});   // 51: inside a block
  c.road(3 * 7 + 6, 49, 3, 2);
  c.road(0, 50);
  c.road(3 * 7 + 3, 51, 3, 2);
  c.finish(-300, 0, 1500, 1200);
  return c;
}

// ... and a second secondary road out, south from (600, 0) to the extract's edge at y = -300
SynthCity gridCityWithTwoGates() {
  SynthCity c = gridCity();
  c.nodes.push_back({1500, 600, TWIN_JUNCTION_PRIORITY, 1});  // 49: east
  c.nodes.push_back({600, -300, TWIN_JUNCTION_PRIORITY, 1});  // 50: south
  c.road(3 * 7 + 6, 49, 3, 2);
  c.road(3, 50, 3, 2);
  c.finish(0, -300, 1500, 1200);
  return c;
}

struct Made {
  Demand demand;
  CityDemandStats stats;
};

Made make(const SynthCity& c, const Network& net, const Router& router, double scale,
          std::uint64_t seed, const ParallelFor& pf = kSerial, double outShare = 0.0,
          double inPerOut = 0.0, double through = 0.0) {
  static const TimeOfDay tod = readTimeOfDay(kTimeOfDay);
  CityDemandOptions o;
  o.scale = scale;
  o.outCommuterShare = outShare;
  o.inPerOutCommuter = inPerOut;
  o.throughPerCrossing = through;
  Made m;
  m.demand = cityDemand(c.info, net, router, tod, o, seed, pf, &m.stats);
  return m;
}

std::string purposeOf(const Trip& t) {
  return t.id.substr(0, t.id.find('-'));
}

double pointToEdge(const Edge& e, double x, double y) {
  double best = 1e300;
  for (std::size_t i = 1; i < e.shape.size(); ++i) {
    const auto& a = e.shape[i - 1];
    const auto& b = e.shape[i];
    const double dx = b[0] - a[0], dy = b[1] - a[1];
    const double f =
        std::clamp(((x - a[0]) * dx + (y - a[1]) * dy) / (dx * dx + dy * dy), 0.0, 1.0);
    best = std::min(best, std::hypot(a[0] + f * dx - x, a[1] + f * dy - y));
  }
  return best;
}

TEST(CityDemand, TripsAtMidRatesToolsAndSchoolsAndHomeAfterTheActivity) {
  const SynthCity c = gridCity();
  const Network net = buildCityNetwork(c.info);
  const Router router(net);
  const Made m = make(c, net, router, 1.0, 42);
  const TimeOfDay tod = readTimeOfDay(kTimeOfDay);
  EXPECT_DOUBLE_EQ(m.stats.residents, 18 * 500.0);
  EXPECT_EQ(m.stats.buildingsWithoutRoad, 0u);
  EXPECT_EQ(m.stats.unroutable, 0u);
  // trips per purpose: 9,000 residents x 3.1 trips x the purpose's share of MiD's 260 M trips a
  // day x 43 % as car drivers (tours come in pairs; a few return home after midnight or stay
  // on one road)
  std::map<std::string, std::size_t> count;
  for (const Trip& t : m.demand.trips)
    ++count[purposeOf(t)];
  for (std::size_t p = 0; p < kPurposes; ++p) {
    const double expected = 9000.0 * 3.1 * kMid2017[p].tripsPerDayM / 260.0 * 0.43;
    const std::size_t n = count[kMid2017[p].name];
    EXPECT_EQ(n, m.stats.trips[p]);
    EXPECT_NEAR(static_cast<double>(n), expected, 0.05 * expected + 10) << kMid2017[p].name;
  }
  EXPECT_EQ(m.demand.trips.size(),
            std::accumulate(m.stats.trips.begin(), m.stats.trips.end(), std::size_t{0}));
  // sorted by departure, all within the day, every route a chain of connected roads
  for (std::size_t i = 0; i < m.demand.trips.size(); ++i) {
    const Trip& t = m.demand.trips[i];
    if (i > 0) {
      EXPECT_LE(m.demand.trips[i - 1].depart, t.depart);
    }
    EXPECT_GE(t.depart, 0.0);
    EXPECT_LT(t.depart, 86400.0);
    const auto r = m.demand.route(t);
    ASSERT_FALSE(r.empty());
    for (std::size_t k = 1; k < r.size(); ++k)
      EXPECT_TRUE(net.edgeConnects(r[k - 1], r[k])) << t.id;
  }
  // destinations by purpose: shopping at the two shops, education at the school, work at the
  // offices, school and shops (their jobs), never at a home
  std::map<std::string, const Trip*> byId;
  for (const Trip& t : m.demand.trips)
    byId[t.id] = &t;
  auto near = [&](const Trip& t, double x, double y) {
    return pointToEdge(net.edges[m.demand.route(t).back()], x, y) <= 20.0 + 1e-9;
  };
  std::size_t outs = 0, inPeak = 0, backs = 0;
  for (const Trip& t : m.demand.trips) {
    if (t.id.ends_with("-out") && purposeOf(t) == "shopping") {
      EXPECT_TRUE(near(t, 5 * 200.0 + 70, 4 * 200.0 + 20) ||
                  near(t, 3 * 200.0 + 70, 5 * 200.0 + 20))
          << t.id;
    }
    if (t.id.ends_with("-out") && purposeOf(t) == "education") {
      EXPECT_TRUE(near(t, 4 * 200.0 + 70, 1 * 200.0 + 20)) << t.id;
    }
    if (t.id.ends_with("-out") && purposeOf(t) == "work") {
      // east of the homes; arriving at the time the table gives (depart + free-flow time)
      EXPECT_GE(net.edges[m.demand.route(t).back()].shape.back()[0], 600.0 - 1e-9) << t.id;
      const std::vector<std::uint32_t> r(m.demand.route(t).begin(), m.demand.route(t).end());
      const double arrival = t.depart + router.routeCost(r);
      ++outs;
      inPeak += arrival >= 7 * 3600.0 && arrival < 8 * 3600.0 ? 1 : 0;
      // the trip home leaves after the work is done
      const std::string back = t.id.substr(0, t.id.size() - 4) + "-back";
      if (byId.contains(back)) {
        ++backs;
        EXPECT_GE(byId[back]->depart, arrival - 1e-6) << t.id;
      }
    }
  }
  ASSERT_GT(outs, 800u);
  const double share = static_cast<double>(inPeak) / static_cast<double>(outs);
  EXPECT_NEAR(share, tod.share(TimeColumn::ArrivalHbw, 7 * 3600.0, 8 * 3600.0), 0.05);
  EXPECT_GT(backs, outs * 9 / 10);
  // day and night: the hours from 7 to 8 and from 16 to 17 carry ten times the traffic of
  // the hour from 3 to 4
  std::vector<std::size_t> hour(24, 0);
  for (const Trip& t : m.demand.trips)
    ++hour[static_cast<std::size_t>(t.depart / 3600.0)];
  EXPECT_GT(hour[7], 10 * hour[3]);
  EXPECT_GT(hour[16], 10 * hour[3]);
}

// Only the secondary road cut off at the extract's edge is a way out: not the residential
// road, nor the secondary road that ends inside the town.
TEST(CityDemand, TheFringeGateIsTheMainRoadCutOffAtTheExtractsEdge) {
  const SynthCity c = gridCityWithRoadsOut();
  const Network net = buildCityNetwork(c.info);
  const std::vector<Gate> gates = fringeGates(net);
  ASSERT_EQ(gates.size(), 1u);
  const Gate& g = gates[0];
  EXPECT_DOUBLE_EQ(net.nodes[g.node].x, 1500.0);
  EXPECT_DOUBLE_EQ(net.nodes[g.node].y, 600.0);
  EXPECT_EQ(net.edges[g.in].from, g.node);  // into the network from the gate
  EXPECT_EQ(net.edges[g.out].to, g.node);   // out of it to the gate
  EXPECT_DOUBLE_EQ(g.weight, 2.0);          // its lanes
  // it lies on the extract's edge itself: a gate even with no fringe around the edge
  EXPECT_EQ(fringeGates(net, 0.0).size(), 1u);
  EXPECT_TRUE(fringeGates(buildCityNetwork(gridCity().info)).empty());
}

// Commuting across the fringe: a share of the residents' work tours go out through the gate
// and come home through it, and people from beyond come in to the workplaces, the given number
// per tour out, arriving for work in the morning and leaving through the gate again.
TEST(CityDemand, WorkBeyondTheNetworkGoesThroughItsFringeGates) {
  const SynthCity c = gridCityWithRoadsOut();
  const Network net = buildCityNetwork(c.info);
  const Router router(net);
  const Gate g = fringeGates(net).at(0);
  const Made none = make(c, net, router, 1.0, 42);
  EXPECT_EQ(none.stats.outCommuteTours + none.stats.inCommuteTours, 0u);
  const Made m = make(c, net, router, 1.0, 42, kSerial, 0.5, 2.0);
  EXPECT_EQ(m.stats.gates, 1u);
  EXPECT_EQ(m.stats.unroutable, 0u);
  // 9,000 residents x 3.1 trips x 43/260 for work x 43 % by car, in tours of two: 992 tours,
  // half of them beyond the network (3 standard deviations: 47)
  EXPECT_NEAR(static_cast<double>(m.stats.outCommuteTours), 496.0, 47.0);
  EXPECT_NEAR(static_cast<double>(m.stats.inCommuteTours),
              2.0 * static_cast<double>(m.stats.outCommuteTours), 1.0);
  std::size_t away = 0, home = 0, in = 0, inMorning = 0, outAgain = 0;
  for (const Trip& t : m.demand.trips) {
    const auto r = m.demand.route(t);
    ASSERT_FALSE(r.empty());
    if (t.id.ends_with("-away")) {
      ++away;
      EXPECT_EQ(r.back(), g.out) << t.id;
      EXPECT_TRUE(t.id.starts_with("work-")) << t.id;
    } else if (t.id.ends_with("-home")) {
      ++home;
      EXPECT_EQ(r.front(), g.in) << t.id;
    } else if (t.id.starts_with("commute-") && t.id.ends_with("-in")) {
      ++in;
      EXPECT_EQ(r.front(), g.in) << t.id;
      // to a workplace: the offices, school and shops lie east of x = 600
      EXPECT_GE(net.edges[r.back()].shape.back()[0], 600.0 - 1e-9) << t.id;
      inMorning += t.depart >= 5 * 3600.0 && t.depart < 10 * 3600.0 ? 1 : 0;
    } else if (t.id.starts_with("commute-")) {
      ++outAgain;
      EXPECT_TRUE(t.id.ends_with("-out")) << t.id;
      EXPECT_EQ(r.back(), g.out) << t.id;
    }
  }
  EXPECT_EQ(away, m.stats.outCommuteTours);
  EXPECT_GT(home, away * 9 / 10);  // a few come home after midnight
  EXPECT_EQ(in, m.stats.inCommuteTours);
  EXPECT_GT(outAgain, in * 9 / 10);
  // MiD's work arrivals: most between 5 and 10 (the trips depart before)
  EXPECT_GT(static_cast<double>(inMorning), 0.6 * static_cast<double>(in));
  // a resident's work tour goes beyond or stays inside: the work trips grow by the tours in
  // (less the trips home after midnight, left out)
  const double expected = static_cast<double>(none.stats.trips[0] + 2 * m.stats.inCommuteTours);
  EXPECT_LE(static_cast<double>(m.stats.trips[0]), expected + 10.0);
  EXPECT_GE(static_cast<double>(m.stats.trips[0]), 0.95 * expected);
}

// Through traffic: trips from one gate to the other, as many per trip across the fringe as
// asked, at the times of the city's own trips (both peaks), on the fastest path between them.
TEST(CityDemand, ThroughTrafficGoesFromOneFringeGateToAnother) {
  const SynthCity c = gridCityWithTwoGates();
  const Network net = buildCityNetwork(c.info);
  const Router router(net);
  const std::vector<Gate> gates = fringeGates(net);
  ASSERT_EQ(gates.size(), 2u);
  const Made without = make(c, net, router, 1.0, 42, kSerial, 0.5, 2.0, 0.0);
  const Made m = make(c, net, router, 1.0, 42, kSerial, 0.5, 2.0, 0.5);
  EXPECT_EQ(without.stats.throughTrips, 0u);
  // the rest of the demand does not change
  EXPECT_EQ(m.stats.trips, without.stats.trips);
  EXPECT_EQ(m.stats.inCommuteTours, without.stats.inCommuteTours);
  const double crossing =
      2.0 * static_cast<double>(m.stats.outCommuteTours + m.stats.inCommuteTours);
  // half a trip through per crossing, less the few drawn after midnight
  EXPECT_LE(static_cast<double>(m.stats.throughTrips), 0.5 * crossing + 1.0);
  EXPECT_GE(static_cast<double>(m.stats.throughTrips), 0.97 * 0.5 * crossing);
  std::size_t through = 0, morning = 0, evening = 0, eastToSouth = 0;
  std::size_t own = 0, ownMorning = 0, ownEvening = 0;
  auto isMorning = [](const Trip& t) { return t.depart >= 6 * 3600.0 && t.depart < 9 * 3600.0; };
  auto isEvening = [](const Trip& t) { return t.depart >= 15 * 3600.0 && t.depart < 19 * 3600.0; };
  for (const Trip& t : m.demand.trips) {
    if (!t.id.starts_with("through-")) {
      ++own;
      ownMorning += isMorning(t) ? 1 : 0;
      ownEvening += isEvening(t) ? 1 : 0;
      continue;
    }
    ++through;
    const auto r = m.demand.route(t);
    ASSERT_GE(r.size(), 2u);
    EXPECT_TRUE(r.front() == gates[0].in || r.front() == gates[1].in) << t.id;  // in by a gate
    const Gate& a = r.front() == gates[0].in ? gates[0] : gates[1];
    const Gate& b = &a == &gates[0] ? gates[1] : gates[0];
    EXPECT_EQ(r.back(), b.out) << t.id;  // out by the other gate
    EXPECT_TRUE(t.id.ends_with("-to-" + net.nodes[b.node].id)) << t.id;
    EXPECT_EQ(router.routeCost({r.begin(), r.end()}),
              router.routeCost(router.route(a.in, b.out)));  // the fastest way through
    eastToSouth += net.nodes[a.node].x > 1400 ? 1 : 0;
    morning += isMorning(t) ? 1 : 0;
    evening += isEvening(t) ? 1 : 0;
  }
  EXPECT_EQ(through, m.stats.throughTrips);
  // both gates have 2 lanes: half each way (3 standard deviations)
  const double n = static_cast<double>(through);
  EXPECT_NEAR(static_cast<double>(eastToSouth), n / 2, 3 * std::sqrt(n / 4));
  // the city's own profile: the shares of the morning (6-9) and afternoon (15-19) peaks as
  // in the city's trips (3 standard deviations), both well above an even spread over the day
  for (const auto& [part, ownPart] :
       {std::pair{morning, ownMorning}, std::pair{evening, ownEvening}}) {
    const double share = static_cast<double>(ownPart) / static_cast<double>(own);
    EXPECT_GT(share, 0.15);
    EXPECT_NEAR(static_cast<double>(part), share * n, 3 * std::sqrt(share * (1 - share) * n));
  }
}

TEST(CityDemand, SameForAnyThreadSplitAndScaledBySharingTours) {
  const SynthCity c = gridCity();
  const Network net = buildCityNetwork(c.info);
  const Router router(net);
  const Made a = make(c, net, router, 1.0, 42);
  const Made b = make(c, net, router, 1.0, 42, kBlocks);
  ASSERT_EQ(a.demand.trips.size(), b.demand.trips.size());
  EXPECT_EQ(a.demand.routeEdges, b.demand.routeEdges);
  for (std::size_t i = 0; i < a.demand.trips.size(); ++i) {
    EXPECT_EQ(a.demand.trips[i].id, b.demand.trips[i].id);
    EXPECT_EQ(a.demand.trips[i].depart, b.demand.trips[i].depart);
  }
  // another seed, another day
  const Made other = make(c, net, router, 1.0, 43);
  EXPECT_NE(other.demand.routeEdges, a.demand.routeEdges);
  // half the scale, about half the trips
  const Made half = make(c, net, router, 0.5, 42);
  EXPECT_NEAR(static_cast<double>(half.demand.trips.size()),
              0.5 * static_cast<double>(a.demand.trips.size()),
              0.05 * static_cast<double>(a.demand.trips.size()));
}

// A scenario that starts at 08:00 local time drives the day's trips from 08:00 on, each as much
// sooner: the same trips as a run from midnight, less those that left before eight.
TEST(CityDemand, ARunStartingLaterDrivesTheTripsFromItsStart) {
  const SynthCity c = gridCity();
  const Network net = buildCityNetwork(c.info);
  const Router router(net);
  static const TimeOfDay tod = readTimeOfDay(kTimeOfDay);
  CityDemandOptions o;
  CityDemandStats fromMidnight, fromEight;
  const Demand all = cityDemand(c.info, net, router, tod, o, 42, kSerial, &fromMidnight);
  o.startS = 8 * 3600.0;
  const Demand later = cityDemand(c.info, net, router, tod, o, 42, kSerial, &fromEight);
  std::vector<std::pair<std::string, double>> expected, got;
  for (const Trip& t : all.trips) {
    if (t.depart >= 8 * 3600.0)
      expected.emplace_back(t.id, t.depart - 8 * 3600.0);
  }
  for (const Trip& t : later.trips)
    got.emplace_back(t.id, t.depart);
  EXPECT_EQ(got, expected);
  EXPECT_EQ(fromEight.beforeStart, all.trips.size() - later.trips.size());
  EXPECT_GT(fromEight.beforeStart, all.trips.size() / 20);  // 9 % leave before eight
}

// One road east-west, 4 km; homes at its western end, two equal shops 800 m and 2,800 m from
// them (zone centres): the gravity model sends exp(-ln 2 x 2,000 / median) as many trips to the
// far one as to the near one: 0.843 for work (median 8.1 km), 0.5 for shopping (2.0 km).
TEST(CityDemand, DestinationsFollowTheGravityModelsDeterrence) {
  SynthCity c;
  for (int i = 0; i <= 20; ++i)
    c.nodes.push_back({i * 200.0, 0.0, TWIN_JUNCTION_PRIORITY, 1});
  for (std::uint32_t i = 0; i < 20; ++i)
    c.road(i, i + 1);
  c.building(100, 30, 30000, 0, TWIN_USE_RESIDENTIAL);
  c.building(900, 30, 0, 100, TWIN_USE_COMMERCIAL);
  c.building(2900, 30, 0, 100, TWIN_USE_COMMERCIAL);
  c.finish(0, -200, 4000, 200);
  const Network net = buildCityNetwork(c.info);
  const Router router(net);
  const Made m = make(c, net, router, 1.0, 7);
  std::map<std::string, std::pair<double, double>> nearFar;
  for (const Trip& t : m.demand.trips) {
    if (!t.id.ends_with("-out"))
      continue;
    const double x = net.edges[m.demand.route(t).back()].shape.back()[0];
    auto& [n, f] = nearFar[purposeOf(t)];
    (x < 2000 ? n : f) += 1;
  }
  const auto& [wn, wf] = nearFar["work"];
  const auto& [sn, sf] = nearFar["shopping"];
  ASSERT_GT(wn + wf, 2000.0);
  ASSERT_GT(sn + sf, 2000.0);
  EXPECT_NEAR(wf / wn, std::exp(-std::log(2.0) * 2000.0 / 8100.0), 0.09);
  EXPECT_NEAR(sf / sn, 0.5, 0.06);
}

TEST(Routing, OneTreePerOriginGivesTheSingleSearchesCosts) {
  const Network net = readBenchNetwork(std::string(TWIN_SOURCE_DIR) + "/assets/traffic/grid10");
  const Router router(net);
  Router::Scratch scratch;
  const auto n = static_cast<std::uint32_t>(net.edges.size());
  for (std::uint32_t from : {0u, 17u, n / 2, n - 1}) {
    std::vector<std::uint32_t> targets;
    for (std::uint32_t k = 0; k < 40; ++k)
      targets.push_back((from * 7 + k * 37) % n);
    targets.push_back(from);
    targets.push_back(targets[3]);  // twice
    std::vector<std::vector<std::uint32_t>> paths;
    std::vector<double> costs;
    router.routesFrom(from, targets, scratch, paths, costs);
    ASSERT_EQ(paths.size(), targets.size());
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const auto single = router.route(from, targets[i]);
      ASSERT_FALSE(paths[i].empty());
      EXPECT_EQ(paths[i].front(), from);
      EXPECT_EQ(paths[i].back(), targets[i]);
      EXPECT_NEAR(costs[i], router.routeCost(single), 1e-6);
      EXPECT_NEAR(router.routeCost(paths[i]), costs[i], 1e-6);
    }
  }
}

}  // namespace
}  // namespace twin::traffic
