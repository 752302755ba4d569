// SPDX-License-Identifier: Apache-2.0
// results.gpkg: written by GDAL, reopened with GDAL: layers, CRS, feature counts, attribute
// names with units, NULL for missing values; difference layers; the map reader of reports.
#include <gdal_priv.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <filesystem>

#include "gis/city_builder.hpp"
#include "gis/results_gpkg.hpp"
#include "support/twin_test.hpp"

namespace twin::gis {
namespace {

namespace fs = std::filesystem;

class ResultsGpkg : public test::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    dir_ = test::makeTempDir("gpkg");
    CityDef def;
    def.sources = {test::dataPath("osm/witten-stockum.osm.pbf")};
    def.osmConfig = TWIN_OSM_CONFIG;
    auto c = buildCity(def);
    ASSERT_TRUE(c) << c.error().message;
    city_ = std::move(*c);
    ASSERT_GT(city_.buildings.size(), 100u);
  }
  void TearDown() override {
    fs::remove_all(dir_);
    EngineTest::TearDown();
  }
  // a building column: the building index, NaN for building 3; a link column: length / 10
  std::string write(const std::string& name, double offset) {
    ResultColumn b{columnName("energy.demand", "kWh/a"), {}};
    for (std::size_t i = 0; i < city_.buildings.size(); ++i)
      b.values.push_back(i == 3 ? NAN : static_cast<double>(i) + offset);
    ResultColumn l{columnName("traffic.flow", "1/h"), {}};
    for (const RoadEdge& e : city_.roads.edges)
      l.values.push_back(e.lengthM / 10.0 + offset);
    const std::string path = dir_ + "/" + name;
    core::Status st = writeResultsGpkg(city_, {b}, {l}, path);
    EXPECT_TRUE(st) << st.error().message;
    return path;
  }
  std::string dir_;
  CityModel city_;
};

TEST(ResultColumns, NamesCarryTheirUnits) {
  EXPECT_EQ(columnName("energy.pv_yield", "kWh/a"), "energy_pv_yield_kwh_per_a");
  EXPECT_EQ(columnName("traffic.Speed", "km/h"), "traffic_speed_km_per_h");
  EXPECT_EQ(columnName("demo.share", "%"), "demo_share_pct");
  EXPECT_EQ(columnName("weather.t",
                       "\xC2\xB0"
                       "C"),
            "weather_t_degc");
  EXPECT_EQ(columnName("demo.count", "1"), "demo_count");
  EXPECT_EQ(columnName("3d", ""), "v_3d");
}

TEST_F(ResultsGpkg, ReopensWithTheLayersCrsCountsAndValues) {
  const std::string path = write("r.gpkg", 0.0);
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR));
  ASSERT_TRUE(ds);
  EXPECT_STREQ(ds->GetDriver()->GetDescription(), "GPKG");
  OGRLayer* b = ds->GetLayerByName("buildings");
  OGRLayer* l = ds->GetLayerByName("road_links");
  ASSERT_NE(b, nullptr);
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(b->GetFeatureCount(), static_cast<GIntBig>(city_.buildings.size()));
  EXPECT_EQ(l->GetFeatureCount(), static_cast<GIntBig>(city_.roads.edges.size()));
  const OGRSpatialReference* srs = b->GetSpatialRef();
  ASSERT_NE(srs, nullptr);
  EXPECT_STREQ(srs->GetAuthorityCode(nullptr), "25832");
  EXPECT_EQ(wkbFlatten(b->GetGeomType()), wkbMultiPolygon);
  EXPECT_EQ(wkbFlatten(l->GetGeomType()), wkbLineString);
  EXPECT_GE(b->GetLayerDefn()->GetFieldIndex("energy_demand_kwh_per_a"), 0);
  EXPECT_GE(l->GetLayerDefn()->GetFieldIndex("traffic_flow_1_per_h"), 0);
  // feature 5 is building 5: its value, its floor area, its footprint in absolute UTM metres
  b->SetAttributeFilter("building_id = 5");
  OGRFeatureUniquePtr f(b->GetNextFeature());
  ASSERT_TRUE(f);
  EXPECT_DOUBLE_EQ(f->GetFieldAsDouble("energy_demand_kwh_per_a"), 5.0);
  EXPECT_DOUBLE_EQ(f->GetFieldAsDouble("floor_area_m2"), city_.buildings[5].floorAreaM2);
  EXPECT_STREQ(f->GetFieldAsString("use"), std::string(toString(city_.buildings[5].use)).c_str());
  OGREnvelope env;
  f->GetGeometryRef()->getEnvelope(&env);
  EXPECT_NEAR(env.MinX, city_.buildings[5].box.minX + city_.originE, 1e-6);
  EXPECT_NEAR(env.MaxY, city_.buildings[5].box.maxY + city_.originN, 1e-6);
  b->SetAttributeFilter("building_id = 3");
  OGRFeatureUniquePtr missing(b->GetNextFeature());
  ASSERT_TRUE(missing);
  EXPECT_TRUE(missing->IsFieldNull(missing->GetFieldIndex("energy_demand_kwh_per_a")));
  // a column with the wrong length is refused
  EXPECT_FALSE(writeResultsGpkg(city_, {{"x", {1.0}}}, {}, dir_ + "/bad.gpkg"));
}

TEST_F(ResultsGpkg, DifferenceLayersHoldVariantMinusBaseline) {
  const std::string base = write("base.gpkg", 0.0);
  const std::string variant = write("variant.gpkg", 2.5);
  auto layers = writeDifferenceGpkg(base, variant, dir_ + "/delta.gpkg");
  ASSERT_TRUE(layers) << layers.error().message;
  EXPECT_EQ(*layers, (std::vector<std::string>{"buildings_delta", "road_links_delta"}));
  GDALDatasetUniquePtr ds(GDALDataset::Open((dir_ + "/delta.gpkg").c_str(), GDAL_OF_VECTOR));
  ASSERT_TRUE(ds);
  OGRLayer* b = ds->GetLayerByName("buildings_delta");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->GetFeatureCount(), static_cast<GIntBig>(city_.buildings.size()));
  // only model results get a delta column; the city's own attributes do not
  EXPECT_GE(b->GetLayerDefn()->GetFieldIndex("delta_energy_demand_kwh_per_a"), 0);
  EXPECT_LT(b->GetLayerDefn()->GetFieldIndex("delta_floor_area_m2"), 0);
  std::size_t n = 0, nulls = 0;
  for (auto& f : *b) {
    const int i = f->GetFieldIndex("delta_energy_demand_kwh_per_a");
    if (f->IsFieldNull(i)) {
      ++nulls;
      EXPECT_EQ(f->GetFieldAsInteger64("building_id"), 3);
    } else {
      EXPECT_DOUBLE_EQ(f->GetFieldAsDouble(i), 2.5);
    }
    ++n;
  }
  EXPECT_EQ(nulls, 1u);
  EXPECT_EQ(n, city_.buildings.size());
  EXPECT_FALSE(writeDifferenceGpkg(base, dir_ + "/none.gpkg", dir_ + "/d2.gpkg"));
}

TEST_F(ResultsGpkg, MapReaderReturnsFootprintsWithValues) {
  const std::string path = write("m.gpkg", 0.0);
  auto cols = realColumns(path, "buildings");
  ASSERT_TRUE(cols);
  EXPECT_THAT(*cols, ::testing::Contains("energy_demand_kwh_per_a"));
  auto features = readMapLayer(path, "buildings", "energy_demand_kwh_per_a", 0.5);
  ASSERT_TRUE(features) << features.error().message;
  ASSERT_EQ(features->size(), city_.buildings.size());
  EXPECT_DOUBLE_EQ((*features)[7].value, 7.0);
  EXPECT_TRUE(std::isnan((*features)[3].value));
  EXPECT_GE((*features)[7].rings[0].size(), 3u);
  EXPECT_FALSE(readMapLayer(path, "buildings", "nope", 0.5));
  EXPECT_FALSE(readMapLayer(path, "nope", "", 0.5));
}

TEST_F(ResultsGpkg, LinkSeriesRowsReopenWithGdal) {
  // three quarter hours of two columns: link 0 has no value at all (no rows), link 1 an
  // infinite one (NULL), the others i + 100 k and NaN on odd links in the second column
  const std::size_t links = city_.roads.edges.size();
  ASSERT_GT(links, 70u);  // more rows than one statement takes
  ResultLinkSeries series;
  series.columns = {columnName("traffic.interval_flow", "1/h"),
                    columnName("traffic.interval_speed", "km/h")};
  for (int k = 0; k < 3; ++k) {
    series.times.push_back("2026-06-17T0" + std::to_string(5 + k) + ":15:00Z");
    std::vector<double> flow(links), speed(links);
    for (std::size_t i = 0; i < links; ++i) {
      flow[i] = static_cast<double>(i) + 100.0 * k;
      speed[i] = i % 2 == 1 ? NAN : 0.5 * static_cast<double>(i);
    }
    flow[0] = NAN;
    speed[0] = NAN;
    flow[1] = INFINITY;
    series.values.push_back({flow, speed});
  }
  const std::string path = dir_ + "/series.gpkg";
  core::Status st = writeResultsGpkg(city_, {}, {}, path, {}, series);
  ASSERT_TRUE(st) << st.error().message;
  {
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR));
    ASSERT_TRUE(ds);
    OGRLayer* t = ds->GetLayerByName("road_link_series");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->GetGeomType(), wkbNone);
    // GDAL's own count (gpkg_ogr_contents) and a real count agree
    EXPECT_EQ(t->GetFeatureCount(), static_cast<GIntBig>(3 * (links - 1)));
    t->SetAttributeFilter(nullptr);
    GIntBig counted = 0;
    for (auto& f : *t) {
      (void)f;
      ++counted;
    }
    EXPECT_EQ(counted, static_cast<GIntBig>(3 * (links - 1)));
    const int timeField = t->GetLayerDefn()->GetFieldIndex("time");
    ASSERT_GE(timeField, 0);
    EXPECT_EQ(t->GetLayerDefn()->GetFieldDefn(timeField)->GetType(), OFTDateTime);
    t->SetAttributeFilter("link_id = 6 AND time = '2026-06-17T06:15:00.000Z'");
    OGRFeatureUniquePtr f(t->GetNextFeature());
    ASSERT_TRUE(f);
    EXPECT_DOUBLE_EQ(f->GetFieldAsDouble("traffic_interval_flow_1_per_h"), 106.0);
    EXPECT_DOUBLE_EQ(f->GetFieldAsDouble("traffic_interval_speed_km_per_h"), 3.0);
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, tz = 0;
    float sec = 0;
    ASSERT_TRUE(f->GetFieldAsDateTime(timeField, &y, &mo, &d, &h, &mi, &sec, &tz));
    EXPECT_EQ(y * 10000 + mo * 100 + d, 20260617);
    EXPECT_EQ(h * 100 + mi, 615);
    EXPECT_EQ(tz, 100);  // UTC
    t->SetAttributeFilter("link_id = 7 AND time = '2026-06-17T07:15:00.000Z'");
    OGRFeatureUniquePtr odd(t->GetNextFeature());
    ASSERT_TRUE(odd);
    EXPECT_DOUBLE_EQ(odd->GetFieldAsDouble("traffic_interval_flow_1_per_h"), 207.0);
    EXPECT_TRUE(odd->IsFieldNull(odd->GetFieldIndex("traffic_interval_speed_km_per_h")));
    t->SetAttributeFilter("link_id = 1");
    OGRFeatureUniquePtr inf(t->GetNextFeature());
    ASSERT_TRUE(inf);
    EXPECT_TRUE(inf->IsFieldNull(inf->GetFieldIndex("traffic_interval_flow_1_per_h")));
    t->SetAttributeFilter("link_id = 0");
    EXPECT_EQ(t->GetFeatureCount(), 0);
  }
  // the file stays a GeoPackage GDAL keeps counting in: one more row through GDAL
  {
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    ASSERT_TRUE(ds);
    OGRLayer* t = ds->GetLayerByName("road_link_series");
    ASSERT_NE(t, nullptr);
    OGRFeature f(t->GetLayerDefn());
    f.SetField("link_id", static_cast<GIntBig>(0));
    ASSERT_EQ(t->CreateFeature(&f), OGRERR_NONE);
  }
  GDALDatasetUniquePtr again(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->GetLayerByName("road_link_series")->GetFeatureCount(),
            static_cast<GIntBig>(3 * (links - 1) + 1));
}

}  // namespace
}  // namespace twin::gis
