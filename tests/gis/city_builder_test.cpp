// SPDX-License-Identifier: Apache-2.0
#include "gis/city_builder.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "support/twin_test.hpp"

namespace twin::gis {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class CityBuilder : public test::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    dir_ = test::makeTempDir("gis");
  }
  void TearDown() override {
    fs::remove_all(dir_);
    EngineTest::TearDown();
  }
  // copies a fixture into the temp folder first: GDAL may write side files next to it
  std::string fixture(const std::string& name) {
    const std::string to = dir_ + "/" + fs::path(name).filename().string();
    fs::copy_file(name, to, fs::copy_options::overwrite_existing);
    return to;
  }
  core::Result<CityModel> build(const std::string& file, std::string crs = "EPSG:25832",
                                double population = 0.0) {
    CityDef def;
    def.sources = {file};
    def.crs = std::move(crs);
    def.population = population;
    def.osmConfig = TWIN_OSM_CONFIG;
    return buildCity(def);
  }
  std::string dir_;
};

const Building& byName(const CityModel& c, const std::string& name) {
  for (const Building& b : c.buildings) {
    if (b.name == name)
      return b;
  }
  throw std::runtime_error("no building " + name);
}

std::uint64_t problem(const CityModel& c, const std::string& key) {
  auto it = c.problems.find(key);
  return it == c.problems.end() ? 0 : it->second;
}

TEST_F(CityBuilder, HandMadeCityHeightsUsesAndProblems) {
  auto city = build(fixture(test::dataPath("osm/handmade.osm")));
  ASSERT_TRUE(city) << city.error().message;
  // origin: the extent's south-west corner rounded down to 1 km; lon 7, lat 51 is the corner
  EXPECT_EQ(city->originE, 359000.0);
  EXPECT_EQ(city->originN, 5651000.0);
  EXPECT_NEAR(city->originE + city->extent.minX, 359666.7037, 0.001);
  ASSERT_EQ(city->buildings.size(), 6u);  // F (two-point ring) skipped
  EXPECT_EQ(problem(*city, "building: invalid geometry, skipped"), 1u);
  EXPECT_EQ(problem(*city, "building: invalid geometry, repaired"), 1u);

  // height precedence: tag > levels x 3 m + roof levels > default by use class
  const Building& a = byName(*city, "A");
  EXPECT_EQ(a.heightSource, HeightSource::Tagged);
  EXPECT_DOUBLE_EQ(a.heightM, 12.0);
  EXPECT_EQ(a.floors, 5);
  const Building& b = byName(*city, "B");
  EXPECT_EQ(b.heightSource, HeightSource::Levels);
  EXPECT_DOUBLE_EQ(b.heightM, 15.0);
  EXPECT_EQ(b.floors, 4);
  EXPECT_EQ(b.roof, RoofShape::Gabled);
  EXPECT_EQ(b.use, UseClass::Residential);
  const Building& c = byName(*city, "C");
  EXPECT_EQ(c.use, UseClass::Education);  // from the school point inside
  EXPECT_EQ(c.heightSource, HeightSource::Default);
  EXPECT_DOUBLE_EQ(c.heightM, 9.0);
  EXPECT_GT(c.jobs, 0.0);
  EXPECT_EQ(c.residents, 0.0);
  const Building& d = byName(*city, "D");
  EXPECT_EQ(d.use, UseClass::Residential);
  EXPECT_EQ(d.constructionYear, 1912);
  // residents = floor area x 0.75 / 47.4 m² per person
  EXPECT_NEAR(d.residents, d.floorAreaM2 * 0.75 / 47.4, 1e-9);
  EXPECT_NEAR(d.floorAreaM2, d.footprintM2 * 3, 1e-9);
  // a 0.0002° square at 51° N is about 14.0 m x 22.2 m
  EXPECT_NEAR(d.footprintM2, 311.0, 3.0);
  EXPECT_EQ(byName(*city, "G").use, UseClass::Industrial);  // from the land use around it
  const Building& e = byName(*city, "E");
  EXPECT_EQ(e.parts.size(), 2u);  // the bow-tie became two triangles
  EXPECT_NEAR(e.footprintM2, 311.0 / 2.0, 2.0);
}

// OSM counts bus lanes in `lanes`: those reserved for buses are not car lanes (psv:lanes and
// bus:lanes per lane, lanes:psv and lanes:bus as counts; :forward / :backward on two-way roads)
TEST_F(CityBuilder, BusLanesAreNotCarLanes) {
  const std::string osm = dir_ + "/bus.osm";
  {
    std::ofstream f(osm);
    f << R"osm(<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="citytwin tests (hand-made)">
  <node id="1" lat="51.0000" lon="7.0000"/>
  <node id="2" lat="51.0000" lon="7.0020"/>
  <node id="3" lat="51.0010" lon="7.0000"/>
  <node id="4" lat="51.0010" lon="7.0020"/>
  <node id="5" lat="51.0020" lon="7.0000"/>
  <node id="6" lat="51.0020" lon="7.0020"/>
  <node id="7" lat="51.0030" lon="7.0000"/>
  <node id="8" lat="51.0030" lon="7.0020"/>
  <node id="9" lat="51.0040" lon="7.0000"/>
  <node id="10" lat="51.0040" lon="7.0020"/>
  <way id="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/><tag k="name" v="Bus right"/>
    <tag k="oneway" v="yes"/><tag k="lanes" v="3"/><tag k="psv:lanes" v="||designated"/></way>
  <way id="2"><nd ref="3"/><nd ref="4"/><tag k="highway" v="secondary"/><tag k="name" v="Two way"/>
    <tag k="lanes" v="4"/><tag k="lanes:forward" v="2"/><tag k="lanes:backward" v="2"/>
    <tag k="bus:lanes:backward" v="designated|yes"/></way>
  <way id="3"><nd ref="5"/><nd ref="6"/><tag k="highway" v="tertiary"/><tag k="name" v="Counted"/>
    <tag k="oneway" v="yes"/><tag k="lanes" v="2"/><tag k="lanes:psv" v="1"/></way>
  <way id="4"><nd ref="7"/><nd ref="8"/><tag k="highway" v="primary"/><tag k="name" v="All bus"/>
    <tag k="oneway" v="yes"/><tag k="lanes" v="1"/><tag k="psv:lanes" v="designated"/></way>
  <way id="5"><nd ref="9"/><nd ref="10"/><tag k="highway" v="primary"/><tag k="name" v="Shared"/>
    <tag k="oneway" v="yes"/><tag k="lanes" v="2"/><tag k="psv:lanes" v="yes|yes"/></way>
</osm>
)osm";
  }
  auto city = build(osm);
  ASSERT_TRUE(city) << city.error().message;
  std::map<std::string, std::vector<int>> lanes;  // by name: forward (west to east) first
  for (const RoadEdge& e : city->roads.edges) {
    const bool eastward = city->roads.nodes[e.to].p.x > city->roads.nodes[e.from].p.x;
    auto& v = lanes[e.name];
    v.insert(eastward ? v.begin() : v.end(), e.lanes);
  }
  EXPECT_EQ(lanes["Bus right"], (std::vector<int>{2}));
  EXPECT_EQ(lanes["Two way"], (std::vector<int>{2, 1}));
  EXPECT_EQ(lanes["Counted"], (std::vector<int>{1}));
  EXPECT_EQ(lanes["All bus"], (std::vector<int>{1}));  // a road keeps one lane
  EXPECT_EQ(lanes["Shared"], (std::vector<int>{2}));   // open to all: no bus lane
}

TEST_F(CityBuilder, HandMadeRoadGraph) {
  auto city = build(fixture(test::dataPath("osm/handmade.osm")));
  ASSERT_TRUE(city);
  const RoadGraph& g = city->roads;
  ASSERT_EQ(g.nodes.size(), 7u);
  ASSERT_EQ(g.edges.size(), 10u);
  int car = 0, oneWayPrimary = 0, signals = 0, main = 0;
  for (const RoadEdge& e : g.edges) {
    car += e.carAllowed ? 1 : 0;
    main += e.inMainComponent ? 1 : 0;
    if (e.roadClass == RoadClass::Primary) {
      ++oneWayPrimary;
      EXPECT_EQ(e.twin, -1);
      EXPECT_NEAR(e.speedLimitMps, 30.0 / 3.6, 1e-12);
      EXPECT_TRUE(e.speedTagged);
      EXPECT_EQ(e.lanes, 2);  // one-way: all tagged lanes go forward
    }
    if (e.roadClass == RoadClass::Residential) {
      EXPECT_NEAR(e.speedLimitMps, 50.0 / 3.6, 1e-12);  // German default in built-up areas
      EXPECT_EQ(e.lanes, 1);
      EXPECT_GE(e.twin, 0);
    }
    if (e.roadClass == RoadClass::Pedestrian) {
      EXPECT_FALSE(e.carAllowed);
    }
  }
  EXPECT_EQ(car, 8);
  EXPECT_EQ(oneWayPrimary, 1);
  EXPECT_EQ(main, 7);  // all car edges but the isolated one-way service road
  EXPECT_EQ(problem(*city, "road: car edge outside the main network"), 1u);
  for (const RoadNode& n : g.nodes)
    signals += n.control == JunctionControl::TrafficSignals;
  EXPECT_EQ(signals, 1);
  // the no-left-turn relation bans Ringstrasse (both directions into the signals) -> primary;
  // the one via a way is counted, not applied
  EXPECT_EQ(g.turnRestrictions, 1u);
  ASSERT_EQ(g.bannedTurns.size(), 2u);
  for (const auto& [from, to] : g.bannedTurns) {
    EXPECT_EQ(g.edges[from].wayId, 1008);
    EXPECT_EQ(g.edges[to].wayId, 1009);
    EXPECT_EQ(g.edges[from].to, g.edges[to].from);
    EXPECT_EQ(g.nodes[g.edges[to].from].control, JunctionControl::TrafficSignals);
    EXPECT_TRUE(g.turnBanned(from, to));
  }
  EXPECT_EQ(problem(*city, "turn restriction: via a way, not applied"), 1u);
  // nearest car node to the isolated service road is in the main network
  const std::int64_t near = city->nearestRoadNode(g.nodes[g.edges.back().from].p, true);
  ASSERT_GE(near, 0);
  EXPECT_TRUE(g.nodes[static_cast<std::size_t>(near)].inMainComponent);
}

void checkGraphInvariants(const CityModel& city) {
  const RoadGraph& g = city.roads;
  ASSERT_EQ(g.outEdges.size(), g.nodes.size());
  for (std::size_t i = 0; i < g.edges.size(); ++i) {
    const RoadEdge& e = g.edges[i];
    ASSERT_LT(e.from, g.nodes.size());
    ASSERT_LT(e.to, g.nodes.size());
    ASSERT_NE(e.from, e.to);
    ASSERT_GT(e.lengthM, 0.0);
    ASSERT_GE(e.geometry.size(), 2u);
    EXPECT_EQ(distance(e.geometry.front(), g.nodes[e.from].p), 0.0);
    EXPECT_EQ(distance(e.geometry.back(), g.nodes[e.to].p), 0.0);
    EXPECT_NEAR(length(e.geometry), e.lengthM, 1e-6);
    ASSERT_GT(e.speedLimitMps, 0.0);
    ASSERT_GE(e.lanes, 1);
    if (e.twin >= 0) {
      const RoadEdge& t = g.edges[static_cast<std::size_t>(e.twin)];
      EXPECT_EQ(t.twin, static_cast<std::int32_t>(i));
      EXPECT_EQ(t.from, e.to);
      EXPECT_EQ(t.to, e.from);
    }
    if (e.inMainComponent) {
      EXPECT_TRUE(g.nodes[e.from].inMainComponent && g.nodes[e.to].inMainComponent);
    }
  }
}

TEST_F(CityBuilder, WittenStockumMatchesIndependentCounts) {
  auto city = build(fixture(test::dataPath("osm/witten-stockum.osm.pbf")));
  ASSERT_TRUE(city) << city.error().message;
  EXPECT_EQ(city->buildings.size(), 2512u);  // GDAL/OGR count (tests/data/osm/SOURCE.md)
  EXPECT_EQ(city->highwayLines, 794u);
  checkGraphInvariants(*city);
  const CitySummary s = city->summary();
  EXPECT_GT(s.mainComponentShare, 0.95);
  EXPECT_NEAR(s.roadKm, 42.9, 0.1);
  // every building lies inside the extent, every centre inside its own box
  for (const Building& b : city->buildings) {
    ASSERT_TRUE(city->extent.intersects(b.box));
    ASSERT_TRUE(b.box.contains(b.centre));
    ASSERT_GT(b.heightM, 0.0);
  }
}

TEST_F(CityBuilder, MonacoWithAutomaticCrs) {
  auto city = build(fixture(test::dataPath("osm/monaco.osm.pbf")), "auto");
  ASSERT_TRUE(city) << city.error().message;
  EXPECT_EQ(city->crs, "EPSG:25832");  // lon 7.4: UTM zone 32, ETRS89 in Europe
  std::uint64_t skipped = 0;
  for (const auto& [k, v] : city->problems) {
    if (k.rfind("building:", 0) == 0 && k.find("skipped") != std::string::npos)
      skipped += v;
  }
  // GDAL's SQL count is 966; its feature iteration yields one fewer (as for Aachen below)
  EXPECT_GE(city->buildings.size() + skipped, 965u);
  EXPECT_LE(city->buildings.size() + skipped, 966u);
  EXPECT_EQ(city->highwayLines, 860u);
  checkGraphInvariants(*city);
}

TEST_F(CityBuilder, AachenAccountsForEveryBuilding) {
  auto city = build(std::string(TWIN_SOURCE_DIR) + "/assets/cities/aachen/aachen.osm.pbf");
  ASSERT_TRUE(city) << city.error().message;
  std::uint64_t skipped = 0;
  for (const auto& [k, v] : city->problems) {
    if (k.rfind("building:", 0) == 0 && k.find("skipped") != std::string::npos)
      skipped += v;
  }
  // GDAL's SQL count is 35,193; its feature iteration yields 35,182 building features, every one
  // of which is either in the model or counted as skipped
  EXPECT_EQ(city->buildings.size() + skipped, 35182u);
  EXPECT_GE(static_cast<double>(city->buildings.size()), 0.999 * 35193);
  EXPECT_EQ(city->highwayLines, 14702u);
  const CitySummary s = city->summary();
  EXPECT_GT(s.mainComponentShare, 0.95);
  EXPECT_GT(s.junctions.at("traffic_signals"), 100u);
  EXPECT_GT(s.turnRestrictions, 50u);
  checkGraphInvariants(*city);
}

TEST_F(CityBuilder, PopulationIsScaledToTheScenarioTotal) {
  auto city = build(fixture(test::dataPath("osm/witten-stockum.osm.pbf")), "EPSG:25832", 6000.0);
  ASSERT_TRUE(city);
  EXPECT_NEAR(city->summary().residents, 6000.0, 1e-6);
  EXPECT_GT(city->populationScale, 1.0);
}

TEST_F(CityBuilder, BrokenInputsGetClearErrors) {
  // missing file
  auto missing = build(dir_ + "/nope.osm.pbf");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, core::ErrorCode::NotFound);
  // truncated PBF: GDAL takes it and fails while reading ("mine but broken")
  const std::string whole = test::readFile(test::dataPath("osm/witten-stockum.osm.pbf"));
  test::writeFile(dir_ + "/cut.osm.pbf", whole.substr(0, whole.size() / 2));
  auto cut = build(dir_ + "/cut.osm.pbf");
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().code, core::ErrorCode::BadInput);
  EXPECT_THAT(cut.error().message, HasSubstr("cut.osm.pbf"));
  // not OSM at all ("not mine")
  test::writeFile(dir_ + "/text.osm.pbf", "hello, this is not a protobuf file\n");
  auto text = build(dir_ + "/text.osm.pbf");
  ASSERT_FALSE(text);
  EXPECT_THAT(text.error().message, HasSubstr("not an OpenStreetMap file"));
  // a GeoJSON with a syntax error
  test::writeFile(dir_ + "/city.geojson", "{\"type\": \"FeatureCollection\", \"features\": [");
  auto geo = build(dir_ + "/city.geojson");
  ASSERT_FALSE(geo);
  EXPECT_EQ(geo.error().code, core::ErrorCode::BadInput);
  EXPECT_THAT(geo.error().message, HasSubstr("city.geojson: not a vector file GDAL can read"));
  // a format citytwin does not read
  test::writeFile(dir_ + "/city.xyz", "1 2 3\n");
  auto xyz = build(dir_ + "/city.xyz");
  ASSERT_FALSE(xyz);
  EXPECT_THAT(xyz.error().message, HasSubstr("unsupported city source"));
  // unknown CRS
  auto crs = build(fixture(test::dataPath("osm/handmade.osm")), "EPSG:0");
  ASSERT_FALSE(crs);
  EXPECT_THAT(crs.error().message, HasSubstr("unknown coordinate reference system"));
}

TEST(Rules, TagParsing) {
  EXPECT_DOUBLE_EQ(rules::parseLength("12"), 12.0);
  EXPECT_DOUBLE_EQ(rules::parseLength("12.5 m"), 12.5);
  EXPECT_DOUBLE_EQ(rules::parseLength("12,5"), 12.5);
  EXPECT_NEAR(rules::parseLength("40'"), 12.192, 1e-9);
  EXPECT_LT(rules::parseLength("tall"), 0.0);
  EXPECT_NEAR(rules::parseMaxspeed("50"), 13.8889, 1e-4);
  EXPECT_NEAR(rules::parseMaxspeed("30 mph"), 13.4112, 1e-4);
  EXPECT_NEAR(rules::parseMaxspeed("DE:urban"), 13.8889, 1e-4);
  EXPECT_NEAR(rules::parseMaxspeed("DE:rural"), 27.7778, 1e-4);
  EXPECT_NEAR(rules::parseMaxspeed("walk"), 7.0 / 3.6, 1e-9);
  EXPECT_LT(rules::parseMaxspeed("signals"), 0.0);
  EXPECT_EQ(rules::parseYear("1912"), 1912);
  EXPECT_EQ(rules::parseYear("~1900"), 1900);
  EXPECT_EQ(rules::parseYear("1950-05-01"), 1950);
  EXPECT_EQ(rules::parseYear("C19"), 0);
  EXPECT_EQ(rules::parseYear("12345"), 0);
  bool ancillary = false, known = false;
  EXPECT_EQ(rules::useFromTags("garage", "", "", "", "", "", ancillary, known), UseClass::Other);
  EXPECT_TRUE(ancillary);
  EXPECT_EQ(rules::useFromTags("yes", "", "", "bakery", "", "", ancillary, known),
            UseClass::Commercial);
  EXPECT_EQ(rules::useFromTags("yes", "", "", "", "", "", ancillary, known), UseClass::Other);
  EXPECT_FALSE(known);
  EXPECT_EQ(rules::roadClass("primary_link"), RoadClass::Primary);
  EXPECT_EQ(rules::roadClass("steps"), RoadClass::Pedestrian);
}

}  // namespace
}  // namespace twin::gis
