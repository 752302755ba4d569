// SPDX-License-Identifier: Apache-2.0
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "gis/city_builder.hpp"
#include "gis/crs.hpp"
#include "support/twin_test.hpp"

namespace twin::gis {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class CityGml : public test::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    dir_ = test::makeTempDir("citygml");
  }
  void TearDown() override {
    fs::remove_all(dir_);
    EngineTest::TearDown();
  }
  std::string fixture(const std::string& name) {
    const std::string to = dir_ + "/" + name;
    fs::copy_file(test::dataPath("citygml/" + name), to);
    return to;
  }
  core::Result<CityModel> build(std::vector<std::string> sources, std::string crs = "EPSG:25832") {
    CityDef def;
    def.sources.assign(sources.begin(), sources.end());
    def.crs = std::move(crs);
    def.osmConfig = TWIN_OSM_CONFIG;
    return buildCity(def);
  }
  std::string dir_;
};

TEST_F(CityGml, NrwLod2TileWithAdvUrn) {
  auto city = build({fixture("LoD2_32_333_5728_1_NW.gml.gz")});
  ASSERT_TRUE(city) << city.error().message;
  EXPECT_EQ(city->crs, "EPSG:25832");
  EXPECT_EQ(city->buildings.size(), 199u);  // tests/data/citygml/SOURCE.md
  EXPECT_TRUE(city->problems.empty());
  EXPECT_EQ(city->originE, 332000.0);  // data extent starts at E 332994.6
  EXPECT_EQ(city->originN, 5728000.0);
  const Building* first = nullptr;
  std::size_t roofs = 0, walls = 0;
  for (const Building& b : city->buildings) {
    EXPECT_EQ(b.heightSource, HeightSource::Measured);
    ASSERT_FALSE(b.meshVertices.empty()) << b.name;
    ASSERT_EQ(b.meshVertices.size(), 3 * b.meshKinds.size());
    for (SurfaceKind k : b.meshKinds) {
      roofs += k == SurfaceKind::Roof;
      walls += k == SurfaceKind::Wall;
    }
    // mesh and footprint agree in plan
    for (const Vec3& v : b.meshVertices) {
      ASSERT_GE(v.x, b.box.minX - 1.0);
      ASSERT_LE(v.x, b.box.maxX + 1.0);
    }
    if (b.name == "DENW34AL0000hF0x")
      first = &b;
  }
  EXPECT_GT(roofs, 199u);
  EXPECT_GT(walls, 4 * 199u);
  ASSERT_NE(first, nullptr);
  // read by hand from the file: bldg:measuredHeight 10.129, function 31001_1010 (Wohnhaus),
  // roofType 3100 (Satteldach)
  EXPECT_DOUBLE_EQ(first->heightM, 10.129);
  EXPECT_EQ(first->use, UseClass::Residential);
  EXPECT_EQ(first->roof, RoofShape::Gabled);
  EXPECT_GT(first->groundZ, 15.0);  // Lower Rhine: ground ~20 m above NHN
  EXPECT_LT(first->groundZ, 40.0);
}

TEST_F(CityGml, OtherProducerStyleAndUtmZone) {
  const std::string file = fixture("lod1_box_utm33.gml");
  // in its own zone: exact
  auto own = build({file}, "auto");
  ASSERT_TRUE(own) << own.error().message;
  EXPECT_EQ(own->crs, "EPSG:25833");
  ASSERT_EQ(own->buildings.size(), 1u);
  const Building& b = own->buildings[0];
  EXPECT_EQ(b.heightSource, HeightSource::Measured);
  EXPECT_DOUBLE_EQ(b.heightM, 12.0);  // no measuredHeight: the solid's vertical extent
  EXPECT_DOUBLE_EQ(b.groundZ, 100.0);
  EXPECT_NEAR(b.footprintM2, 200.0, 1e-6);  // only the bottom face, not the top one too
  EXPECT_EQ(b.floors, 4);
  EXPECT_EQ(b.use, UseClass::Office);  // ALKIS 2020 Buerogebaeude
  // the mesh covers the box's surface: 2 x 200 + 2 x 120 + 2 x 240 m²
  double surface = 0.0;
  for (std::size_t t = 0; t < b.meshKinds.size(); ++t) {
    const Vec3& p = b.meshVertices[3 * t];
    const Vec3& q = b.meshVertices[3 * t + 1];
    const Vec3& r = b.meshVertices[3 * t + 2];
    const double ux = q.x - p.x, uy = q.y - p.y, uz = q.z - p.z;
    const double vx = r.x - p.x, vy = r.y - p.y, vz = r.z - p.z;
    surface += 0.5 * std::sqrt(std::pow(uy * vz - uz * vy, 2) + std::pow(uz * vx - ux * vz, 2) +
                               std::pow(ux * vy - uy * vx, 2));
  }
  EXPECT_NEAR(surface, 1120.0, 1e-6);
  // reprojected into zone 32: the same building, UTM scale distortion only
  auto z32 = build({file}, "EPSG:25832");
  ASSERT_TRUE(z32);
  EXPECT_NEAR(z32->buildings[0].footprintM2, 200.0, 0.5);
  EXPECT_DOUBLE_EQ(z32->buildings[0].heightM, 12.0);
}

TEST_F(CityGml, BrokenOrForeignFilesAreRefused) {
  test::writeFile(dir_ + "/empty.gml", "<?xml version=\"1.0\"?><foo/>");
  auto foreign = build({dir_ + "/empty.gml"});
  ASSERT_FALSE(foreign);
  EXPECT_THAT(foreign.error().message, HasSubstr("not a CityGML file"));
  const std::string whole = test::readFile(test::dataPath("citygml/lod1_box_utm33.gml"));
  std::string noSrs = whole;
  noSrs.replace(noSrs.find("srsName=\"EPSG:25833\""), 20, "");
  test::writeFile(dir_ + "/nosrs.gml", noSrs);
  auto unknownCrs = build({dir_ + "/nosrs.gml"});
  ASSERT_FALSE(unknownCrs);
  EXPECT_THAT(unknownCrs.error().message, HasSubstr("names no srsName"));
  test::writeFile(dir_ + "/cut.gml", whole.substr(0, whole.size() / 2));
  auto cut = build({dir_ + "/cut.gml"});
  ASSERT_FALSE(cut);
  EXPECT_THAT(cut.error().message, HasSubstr("cut.gml"));
}

TEST_F(CityGml, CombinesWithOsmAndTerrainInOneCity) {
  // LoD2 buildings + the OSM hand-made roads: two sources, two CRS, one city
  fs::copy_file(test::dataPath("osm/handmade.osm"), dir_ + "/handmade.osm");
  auto city = build({fixture("LoD2_32_333_5728_1_NW.gml.gz"), dir_ + "/handmade.osm"});
  ASSERT_TRUE(city) << city.error().message;
  EXPECT_EQ(city->buildings.size(), 199u + 6u);
  EXPECT_EQ(city->roads.nodes.size(), 7u);
}

TEST_F(CityGml, MeasuredBuildingsReplaceTheSame2dBuildings) {
  // an OSM outline of the box building (from its UTM 33 corners) and one building elsewhere
  auto toLonLat = Transformer::create("EPSG:25833", "EPSG:4326");
  ASSERT_TRUE(toLonLat);
  std::vector<Vec2> corners{{299999.0, 5653999.0}, {300011.0, 5653999.0}, {300011.0, 5654021.0},
                            {299999.0, 5654021.0}, {300100.0, 5654000.0}, {300110.0, 5654000.0},
                            {300110.0, 5654010.0}, {300100.0, 5654010.0}};
  ASSERT_TRUE(toLonLat->transform(corners));
  std::string osm = "<?xml version=\"1.0\"?>\n<osm version=\"0.6\">\n";
  for (std::size_t i = 0; i < corners.size(); ++i) {
    char line[160];
    std::snprintf(line, sizeof line, "  <node id=\"%zu\" lat=\"%.9f\" lon=\"%.9f\"/>\n", i + 1,
                  corners[i].y, corners[i].x);
    osm += line;
  }
  osm +=
      "  <way id=\"100\"><nd ref=\"1\"/><nd ref=\"2\"/><nd ref=\"3\"/><nd ref=\"4\"/><nd "
      "ref=\"1\"/><tag k=\"building\" v=\"yes\"/></way>\n";
  osm +=
      "  <way id=\"101\"><nd ref=\"5\"/><nd ref=\"6\"/><nd ref=\"7\"/><nd ref=\"8\"/><nd "
      "ref=\"5\"/><tag k=\"building\" v=\"house\"/></way>\n</osm>\n";
  test::writeFile(dir_ + "/outline.osm", osm);
  auto city = build({fixture("lod1_box_utm33.gml"), dir_ + "/outline.osm"}, "EPSG:25833");
  ASSERT_TRUE(city) << city.error().message;
  ASSERT_EQ(city->buildings.size(), 2u);
  EXPECT_EQ(city->problems.at("building: replaced by a measured 3D building"), 1u);
  int measured = 0;
  for (const Building& b : city->buildings)
    measured += b.heightSource == HeightSource::Measured;
  EXPECT_EQ(measured, 1);
}

}  // namespace
}  // namespace twin::gis
