// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <filesystem>

#include "gis/city_cache.hpp"
#include "support/twin_test.hpp"

namespace twin::gis {
namespace {

namespace fs = std::filesystem;

class CityCache : public test::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    dir_ = test::makeTempDir("cache");
    fs::copy_file(test::dataPath("osm/witten-stockum.osm.pbf"), dir_ + "/w.osm.pbf");
    fs::copy_file(test::dataPath("citygml/lod1_box_utm33.gml"), dir_ + "/box.gml");
    def_.sources = {dir_ + "/w.osm.pbf", dir_ + "/box.gml"};
    def_.osmConfig = TWIN_OSM_CONFIG;
  }
  void TearDown() override {
    fs::remove_all(dir_);
    EngineTest::TearDown();
  }
  std::string dir_;
  CityDef def_;
};

TEST_F(CityCache, SecondLoadComesFromTheCacheAndIsTheSameCity) {
  bool cached = true;
  auto first = buildCityCached(def_, dir_ + "/cache", &cached);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_FALSE(cached);
  auto second = buildCityCached(def_, dir_ + "/cache", &cached);
  ASSERT_TRUE(second);
  EXPECT_TRUE(cached);
  const CitySummary a = first->summary(), b = second->summary();
  EXPECT_EQ(a.buildings, b.buildings);
  EXPECT_EQ(a.floorAreaM2, b.floorAreaM2);
  EXPECT_EQ(a.residents, b.residents);
  EXPECT_EQ(a.roadKm, b.roadKm);
  EXPECT_EQ(a.graphEdges, b.graphEdges);
  EXPECT_EQ(a.junctions, b.junctions);
  EXPECT_EQ(first->problems, second->problems);
  EXPECT_EQ(first->originE, second->originE);
  for (std::size_t i = 0; i < first->buildings.size(); i += 97) {
    const Building& x = first->buildings[i];
    const Building& y = second->buildings[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.heightM, y.heightM);
    ASSERT_EQ(x.parts.size(), y.parts.size());
    EXPECT_EQ(x.parts[0].outer.size(), y.parts[0].outer.size());
    EXPECT_EQ(x.meshVertices.size(), y.meshVertices.size());
  }
  // the indices are rebuilt: the same query gives the same answer
  const Vec2 p = first->buildings[10].centre;
  EXPECT_EQ(first->buildingsNear(p, 150.0), second->buildingsNear(p, 150.0));
  EXPECT_EQ(first->nearestRoadNode(p, true), second->nearestRoadNode(p, true));
}

TEST_F(CityCache, AChangedSourceOrOptionIsAnotherKey) {
  auto k1 = cityCacheKey(def_);
  ASSERT_TRUE(k1);
  CityDef other = def_;
  other.population = 5000;
  EXPECT_NE(*cityCacheKey(other), *k1);
  // one byte changed in a source
  std::string gml = test::readFile(dir_ + "/box.gml");
  gml.replace(gml.find("31001_2020"), 10, "31001_2050");
  test::writeFile(dir_ + "/box.gml", gml);
  EXPECT_NE(*cityCacheKey(def_), *k1);
}

TEST_F(CityCache, ABrokenCacheFileIsIgnored) {
  auto key = cityCacheKey(def_);
  ASSERT_TRUE(buildCityCached(def_, dir_ + "/cache"));
  const std::string file = dir_ + "/cache/city-" + *key + ".bin";
  ASSERT_TRUE(fs::exists(file));
  const std::string whole = test::readFile(file);
  test::writeFile(file, whole.substr(0, whole.size() / 2));
  EXPECT_FALSE(loadCityCache(dir_ + "/cache", *key).has_value());
  bool cached = true;
  auto city = buildCityCached(def_, dir_ + "/cache", &cached);
  ASSERT_TRUE(city);
  EXPECT_FALSE(cached);
  EXPECT_EQ(city->buildings.size(), 2513u);  // rebuilt (and the cache rewritten)
  EXPECT_TRUE(loadCityCache(dir_ + "/cache", *key).has_value());
}

}  // namespace
}  // namespace twin::gis
