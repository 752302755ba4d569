// SPDX-License-Identifier: Apache-2.0
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "gis/city_builder.hpp"
#include "support/twin_test.hpp"

namespace twin::gis {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// two buildings in EPSG:25832 with the columns a German cadastre export might have
constexpr const char* kBuildings = R"({
  "type": "FeatureCollection",
  "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
  "features": [
    {"type": "Feature", "properties": {"hoehe": 15.0, "nutzung": "office", "bez": "Verwaltung"},
     "geometry": {"type": "Polygon", "coordinates": [[[347000, 5660000], [347020, 5660000], [347020, 5660010], [347000, 5660010], [347000, 5660000]]]}},
    {"type": "Feature", "properties": {"geschosse": 2, "nutzung": "residential"},
     "geometry": {"type": "Polygon", "coordinates": [[[347100, 5660000], [347110, 5660000], [347110, 5660010], [347100, 5660010], [347100, 5660000]]]}}
  ]
})";

class VectorSources : public test::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    dir_ = test::makeTempDir("vector");
    test::writeFile(dir_ + "/gebaeude.geojson", kBuildings);
  }
  void TearDown() override {
    fs::remove_all(dir_);
    EngineTest::TearDown();
  }
  CitySource mapped(const std::string& file) {
    CitySource s(file);
    s.kind = "buildings";
    s.fields = {{"height", "hoehe"},
                {"building:levels", "geschosse"},
                {"building", "nutzung"},
                {"name", "bez"}};
    return s;
  }
  core::Result<CityModel> build(std::vector<CitySource> sources) {
    CityDef def;
    def.sources = std::move(sources);
    def.osmConfig = TWIN_OSM_CONFIG;
    return buildCity(def);
  }
  void expectTwoBuildings(const core::Result<CityModel>& city) {
    ASSERT_TRUE(city) << city.error().message;
    ASSERT_EQ(city->buildings.size(), 2u);
    const Building& office =
        city->buildings[0].name == "Verwaltung" ? city->buildings[0] : city->buildings[1];
    const Building& home = &office == &city->buildings[0] ? city->buildings[1] : city->buildings[0];
    EXPECT_EQ(office.heightSource, HeightSource::Tagged);
    EXPECT_DOUBLE_EQ(office.heightM, 15.0);
    EXPECT_EQ(office.use, UseClass::Office);
    EXPECT_NEAR(office.footprintM2, 200.0, 1e-6);
    EXPECT_EQ(home.heightSource, HeightSource::Levels);
    EXPECT_DOUBLE_EQ(home.heightM, 6.0);
    EXPECT_EQ(home.use, UseClass::Residential);
    EXPECT_EQ(city->originE, 347000.0);
    EXPECT_EQ(city->originN, 5660000.0);
  }
  std::string dir_;
};

TEST_F(VectorSources, GeoJsonWithAColumnMapping) {
  expectTwoBuildings(build({mapped(dir_ + "/gebaeude.geojson")}));
}

TEST_F(VectorSources, GeoPackageShapefileAndFlatGeobufReadTheSame) {
  // converted with GDAL's own tool, as a planner's export would be
  for (const std::string out : {"gebaeude.gpkg", "gebaeude.shp", "gebaeude.fgb"}) {
    auto r = test::runCommand("ogr2ogr '" + dir_ + "/" + out + "' '" + dir_ + "/gebaeude.geojson'");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    expectTwoBuildings(build({mapped(dir_ + "/" + out)}));
  }
}

TEST_F(VectorSources, MistakesAreNamed) {
  test::writeFile(dir_ + "/broken.geojson", std::string(kBuildings).substr(0, 300));
  auto broken = build({mapped(dir_ + "/broken.geojson")});
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, core::ErrorCode::BadInput);
  EXPECT_THAT(broken.error().message, HasSubstr("broken.geojson: not a vector file GDAL can read"));
  CitySource wrongColumn = mapped(dir_ + "/gebaeude.geojson");
  wrongColumn.fields["height"] = "hoehe_m";
  auto column = build({wrongColumn});
  ASSERT_FALSE(column);
  EXPECT_THAT(column.error().message, HasSubstr("has no column 'hoehe_m' (for height)"));
  CitySource wrongLayer = mapped(dir_ + "/gebaeude.geojson");
  wrongLayer.layer = "strassen";
  auto layer = build({wrongLayer});
  ASSERT_FALSE(layer);
  EXPECT_THAT(layer.error().message, HasSubstr("no layer 'strassen'"));
}

}  // namespace
}  // namespace twin::gis
