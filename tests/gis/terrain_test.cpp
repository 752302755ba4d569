// SPDX-License-Identifier: Apache-2.0
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gis/city_builder.hpp"
#include "gis/crs.hpp"
#include "support/twin_test.hpp"

namespace twin::gis {
namespace {

namespace fs = std::filesystem;

// the DEM as published in text form (tests/data/dem): x values, y values (north to south) and
// heights with x varying fastest; independent of GDAL
struct TextDem {
  std::vector<double> x, y, z;
};
TextDem readTextDem() {
  std::ifstream in(test::dataPath("dem/rhine_data_2d_20.txt"));
  std::vector<double> numbers;
  std::string line;
  std::vector<std::size_t> sectionStarts;
  while (std::getline(in, line)) {
    if (line.empty())
      continue;
    if (line[0] == '#') {
      sectionStarts.push_back(numbers.size());
      continue;
    }
    numbers.push_back(std::stod(line));
  }
  // sections: nx, ny, x values, y values, z values
  TextDem d;
  const auto nx = static_cast<std::size_t>(numbers[0]);
  const auto ny = static_cast<std::size_t>(numbers[1]);
  d.x.assign(numbers.begin() + 2, numbers.begin() + 2 + static_cast<std::ptrdiff_t>(nx));
  d.y.assign(numbers.begin() + 2 + static_cast<std::ptrdiff_t>(nx),
             numbers.begin() + 2 + static_cast<std::ptrdiff_t>(nx + ny));
  d.z.assign(numbers.begin() + 2 + static_cast<std::ptrdiff_t>(nx + ny), numbers.end());
  return d;
}

class Terrain : public test::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    dir_ = test::makeTempDir("terrain");
    dem_ = dir_ + "/dgm.tif";
    fs::copy_file(std::string(TWIN_SOURCE_DIR) + "/assets/terrain/cologne_rhine_dgm1_20m.tif",
                  dem_);
  }
  void TearDown() override {
    fs::remove_all(dir_);
    EngineTest::TearDown();
  }
  core::Result<CityModel> build(std::vector<std::string> sources, std::string crs = "EPSG:25832") {
    CityDef def;
    def.sources.assign(sources.begin(), sources.end());
    def.crs = std::move(crs);
    def.osmConfig = TWIN_OSM_CONFIG;
    return buildCity(def);
  }
  std::string dir_;
  std::string dem_;
};

TEST_F(Terrain, HeightsAtGridPointsMatchThePublishedText) {
  const TextDem text = readTextDem();
  ASSERT_EQ(text.x.size(), 50u);
  ASSERT_EQ(text.y.size(), 50u);
  ASSERT_EQ(text.z.size(), 2500u);
  auto city = build({dem_});
  ASSERT_TRUE(city) << city.error().message;
  ASSERT_EQ(city->terrain.size(), 1u);
  EXPECT_EQ(city->originE, 356000.0);
  EXPECT_EQ(city->originN, 5646000.0);
  for (std::size_t j = 0; j < text.y.size(); j += 7) {
    for (std::size_t i = 0; i < text.x.size(); i += 3) {
      const Vec2 p{text.x[i] - city->originE, text.y[j] - city->originN};
      ASSERT_NEAR(city->groundAt(p), text.z[j * 50 + i], 1e-4) << i << "," << j;
    }
  }
  // halfway between four grid points: their mean (bilinear)
  const Vec2 mid{text.x[10] + 10.0 - city->originE, text.y[20] - 10.0 - city->originN};
  const double mean =
      (text.z[20 * 50 + 10] + text.z[20 * 50 + 11] + text.z[21 * 50 + 10] + text.z[21 * 50 + 11]) /
      4.0;
  EXPECT_NEAR(city->groundAt(mid), mean, 1e-4);
  EXPECT_TRUE(std::isnan(city->groundAt({-5000.0, 0.0})));
  const CitySummary s = city->summary();
  EXPECT_NEAR(s.terrainMinM, 39.01, 0.01);  // SOURCE.md: min 39.01 m, max 50.33 m
  EXPECT_NEAR(s.terrainMaxM, 50.33, 0.01);
}

TEST_F(Terrain, RasterInAnotherCrsIsWarped) {
  // the same ground in UTM zone 33: within the 20 m grid's resampling error
  auto city = build({dem_}, "EPSG:25833");
  ASSERT_TRUE(city) << city.error().message;
  const TextDem text = readTextDem();
  auto t = Transformer::create("EPSG:25832", "EPSG:25833");
  ASSERT_TRUE(t);
  double worst = 0.0;
  for (std::size_t k : {520u, 1275u, 1830u}) {
    Vec2 p{text.x[k % 50], text.y[k / 50]};
    ASSERT_TRUE(t->transform(p));
    const double z = city->groundAt({p.x - city->originE, p.y - city->originN});
    ASSERT_FALSE(std::isnan(z));
    worst = std::max(worst, std::abs(z - text.z[k]));
  }
  EXPECT_LT(worst, 1.0);
}

TEST_F(Terrain, BuildingsStandOnTheGround) {
  // one building on the DEM (Deutz, near the Rhine) and one far outside it
  test::writeFile(dir_ + "/two.osm", R"(<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6">
  <node id="1" lat="50.9520000" lon="6.9700000"/>
  <node id="2" lat="50.9520000" lon="6.9702000"/>
  <node id="3" lat="50.9521500" lon="6.9702000"/>
  <node id="4" lat="50.9521500" lon="6.9700000"/>
  <node id="5" lat="51.1000000" lon="6.8000000"/>
  <node id="6" lat="51.1000000" lon="6.8002000"/>
  <node id="7" lat="51.1001500" lon="6.8002000"/>
  <node id="8" lat="51.1001500" lon="6.8000000"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/><tag k="building" v="house"/><tag k="name" v="on"/></way>
  <way id="11"><nd ref="5"/><nd ref="6"/><nd ref="7"/><nd ref="8"/><nd ref="5"/><tag k="building" v="house"/><tag k="name" v="off"/></way>
</osm>
)");
  auto city = build({dir_ + "/two.osm", dem_});
  ASSERT_TRUE(city) << city.error().message;
  ASSERT_EQ(city->buildings.size(), 2u);
  const Building& on = city->buildings[0].name == "on" ? city->buildings[0] : city->buildings[1];
  EXPECT_NEAR(on.groundZ, city->groundAt(on.centre), 1e-12);
  EXPECT_GT(on.groundZ, 39.0);
  EXPECT_LT(on.groundZ, 51.0);
  EXPECT_EQ(city->problems.at("building: outside the terrain, ground at 0 m"), 1u);
}

TEST_F(Terrain, ARasterWithoutCrsNeedsOneFromTheScenario) {
  // the published text grid as an ESRI ASCII grid: no CRS in the file
  const TextDem text = readTextDem();
  std::string asc = "ncols 50\nnrows 50\nxllcenter 357000\nyllcenter 5646019\ncellsize 20\n";
  for (std::size_t j = 0; j < 50; ++j) {
    for (std::size_t i = 0; i < 50; ++i)
      asc += std::to_string(text.z[j * 50 + i]) + " ";
    asc += "\n";
  }
  test::writeFile(dir_ + "/grid.asc", asc);
  auto without = build({dir_ + "/grid.asc"});
  ASSERT_FALSE(without);
  EXPECT_THAT(without.error().message, ::testing::HasSubstr("has no coordinate reference system"));
  CitySource stated(dir_ + "/grid.asc");
  stated.crs = "EPSG:25832";
  CityDef def;
  def.sources = {stated};
  def.osmConfig = TWIN_OSM_CONFIG;
  auto with = buildCity(def);
  ASSERT_TRUE(with) << with.error().message;
  const Vec2 p{text.x[7] - with->originE, text.y[9] - with->originN};
  EXPECT_NEAR(with->groundAt(p), text.z[9 * 50 + 7], 1e-3);
}

TEST_F(Terrain, BrokenRasterIsAClearError) {
  const std::string whole = test::readFile(dem_);
  test::writeFile(dir_ + "/cut.tif", whole.substr(0, 300));
  auto city = build({dir_ + "/cut.tif"});
  ASSERT_FALSE(city);
  EXPECT_EQ(city.error().code, core::ErrorCode::BadInput);
  EXPECT_THAT(city.error().message, ::testing::HasSubstr("cut.tif"));
}

}  // namespace
}  // namespace twin::gis
