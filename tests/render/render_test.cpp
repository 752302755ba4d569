// SPDX-License-Identifier: Apache-2.0
// Headless renders of the hand-made fixture city (EGL surfaceless, Mesa llvmpipe): the image has
// content, building colours appear, the caption is drawn, and the same render is identical.
#include <sched.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <osg/Image>
#include <osgDB/ReadFile>
#include <set>

#include "gis/city_builder.hpp"
#include "render/detail/scene.hpp"
#include "render/headless.hpp"
#include "support/twin_test.hpp"

namespace twin::render {
namespace {

namespace fs = std::filesystem;

class Render : public test::EngineTest {
 protected:
  static void SetUpTestSuite() {
    gis::CityDef def;
    def.sources = {test::dataPath("osm/witten-stockum.osm.pbf")};
    def.osmConfig = TWIN_OSM_CONFIG;
    auto c = gis::buildCity(def);
    ASSERT_TRUE(c) << c.error().message;
    city_ = new gis::CityModel(std::move(*c));
  }
  static void TearDownTestSuite() {
    delete city_;
    city_ = nullptr;
  }
  void SetUp() override {
    EngineTest::SetUp();
    dir_ = test::makeTempDir("render");
  }
  void TearDown() override {
    fs::remove_all(dir_);
    EngineTest::TearDown();
  }
  static gis::CityModel* city_;
  std::string dir_;
};
gis::CityModel* Render::city_ = nullptr;

RenderDef smallDef() {
  RenderDef d;
  d.width = 480;
  d.height = 270;
  d.caption = "witten-stockum test";
  return d;
}

TEST_F(Render, CityImageHasContentBuildingsAndCaption) {
  const std::string png = dir_ + "/overview.png";
  ASSERT_TRUE(renderCityPng(*city_, smallDef(), core::Frame{}, png));
  osg::ref_ptr<osg::Image> img = osgDB::readImageFile(png);
  ASSERT_TRUE(img.valid());
  ASSERT_EQ(img->s(), 480);
  ASSERT_EQ(img->t(), 270);
  std::set<std::uint32_t> colours;
  int sandy = 0, sky = 0;
  for (int y = 0; y < img->t(); ++y) {
    for (int x = 0; x < img->s(); ++x) {
      const osg::Vec4 c = img->getColor(x, y);
      colours.insert(static_cast<std::uint32_t>(c.r() * 255) << 16 |
                     static_cast<std::uint32_t>(c.g() * 255) << 8 |
                     static_cast<std::uint32_t>(c.b() * 255));
      // residential buildings are sand coloured (red > green > blue, warm)
      if (c.r() > 0.75f && c.r() - c.b() > 0.18f && c.g() > c.b())
        ++sandy;
      if (std::abs(c.r() - 0.80f) < 0.02f && std::abs(c.b() - 0.92f) < 0.02f)
        ++sky;
    }
  }
  EXPECT_GT(colours.size(), 200u) << "the image is (nearly) uniform";
  EXPECT_GT(sandy, 200) << "no residential building colour";
  EXPECT_GT(sky, 1000) << "no sky above the oblique city";
  // caption: dark text pixels on the pale panel in the bottom-left corner
  int dark = 0, pale = 0;
  for (int y = 0; y < 30; ++y) {
    for (int x = 0; x < 200; ++x) {
      const osg::Vec4 c = img->getColor(x, y);
      const float lum = 0.3f * c.r() + 0.59f * c.g() + 0.11f * c.b();
      dark += lum < 0.5f ? 1 : 0;
      pale += lum > 0.85f ? 1 : 0;
    }
  }
  EXPECT_GT(dark, 60) << "no caption text";
  EXPECT_GT(pale, 2000) << "no caption panel";
}

TEST_F(Render, SameRenderTwiceIsIdentical) {
  ASSERT_TRUE(renderCityPng(*city_, smallDef(), core::Frame{}, dir_ + "/a.png"));
  ASSERT_TRUE(renderCityPng(*city_, smallDef(), core::Frame{}, dir_ + "/b.png"));
  EXPECT_EQ(test::readFile(dir_ + "/a.png"), test::readFile(dir_ + "/b.png"));
}

TEST_F(Render, ARenderLeavesTheCallersThreadFreeToRunOnEveryCore) {
  // OSG pins a single-threaded viewer's thread to CPU 0; that thread is the simulation's, and
  // runs side by side shared one core after their first render
  cpu_set_t before, after;
  ASSERT_EQ(::sched_getaffinity(0, sizeof before, &before), 0);
  if (CPU_COUNT(&before) < 2)
    GTEST_SKIP() << "one CPU: nothing to pin away from";
  ASSERT_TRUE(renderCityPng(*city_, smallDef(), core::Frame{}, dir_ + "/a.png"));
  ASSERT_EQ(::sched_getaffinity(0, sizeof after, &after), 0);
  EXPECT_EQ(CPU_COUNT(&after), CPU_COUNT(&before));
  EXPECT_TRUE(CPU_EQUAL(&after, &before));
}

TEST_F(Render, UnknownCameraAndBadSizeAreRefused) {
  RenderDef d = smallDef();
  d.camera = "helicopter";
  auto st = renderCityPng(*city_, d, core::Frame{}, dir_ + "/x.png");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, core::ErrorCode::BadInput);
  EXPECT_THAT(st.error().message, ::testing::HasSubstr("cameras: overview, center, park"));
  EXPECT_FALSE(fs::exists(dir_ + "/x.png"));
  int w = 0, h = 0;
  EXPECT_TRUE(parseSize("1920x1080", w, h));
  EXPECT_EQ(w, 1920);
  EXPECT_FALSE(parseSize("1920", w, h));
  EXPECT_FALSE(parseSize("10x10", w, h));
  EXPECT_FALSE(parseSize("1920x1080px", w, h));
}

// a frame with one big box (explicit colour) at (x, y) local metres
core::Frame boxFrame(double x, double y, std::uint32_t rgba) {
  core::Frame f;
  core::Layer& l = f.layers.emplace_back();
  l.name = "test.boxes";
  l.kind = core::LayerKind::Instances;
  l.scale = core::ColourScale::Rgba;
  l.instances.push_back({1, x, y, 0.0, 0.0, 80.f, 80.f, 30.f, 0.f, rgba});
  return f;
}

// pixels of the top-down RGB image where `match` holds, and the mean column of them
std::pair<int, double> countWhere(const std::vector<std::uint8_t>& rgb, int w,
                                  const std::function<bool(int, int, int)>& match) {
  int n = 0;
  double sumX = 0;
  for (std::size_t i = 0; i + 2 < rgb.size(); i += 3) {
    if (match(rgb[i], rgb[i + 1], rgb[i + 2])) {
      ++n;
      sumX += static_cast<double>((i / 3) % static_cast<std::size_t>(w));
    }
  }
  return {n, n > 0 ? sumX / n : -1.0};
}

bool isRed(int r, int g, int b) {
  return r > 170 && g < 60 && b < 60;
}

TEST_F(Render, InstanceLayerMovesBetweenFrames) {
  auto r = OffscreenRenderer::create(*city_, smallDef());
  ASSERT_TRUE(r) << r.error().message;
  const gis::Box& e = city_->extent;
  const double cx = (e.minX + e.maxX) / 2, cy = (e.minY + e.maxY) / 2;
  auto none = (*r)->renderRgb(core::Frame{}, "none");
  auto a = (*r)->renderRgb(boxFrame(cx - 300, cy, 0xe01010ffu), "a");
  auto b = (*r)->renderRgb(boxFrame(cx + 300, cy, 0xe01010ffu), "b");
  ASSERT_TRUE(none && a && b);
  const auto [n0, x0] = countWhere(*none, 480, isRed);
  const auto [na, xa] = countWhere(*a, 480, isRed);
  const auto [nb, xb] = countWhere(*b, 480, isRed);
  EXPECT_LT(n0, 5) << "the city alone has no pure red";
  EXPECT_GT(na, 20) << "the box is not drawn";
  EXPECT_GT(nb, 20);
  // 600 m to the east moves the box right by a good part of the image
  EXPECT_GT(xb - xa, 60.0) << "box at x " << xa << " then " << xb;
  EXPECT_EQ((*r)->instancesShown(), 1u);
  // the box is gone again when a frame has no layers
  auto again = (*r)->renderRgb(core::Frame{}, "none");
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *none);
}

TEST_F(Render, BuildingValuesRecolourBuildingsAndGetALegend) {
  auto r = OffscreenRenderer::create(*city_, smallDef());
  ASSERT_TRUE(r);
  core::Frame f;
  core::Layer& l = f.layers.emplace_back();
  l.name = "test.heat";
  l.title = "Heat demand";
  l.unit = "kWh";
  l.kind = core::LayerKind::BuildingValues;
  l.scale = core::ColourScale::Viridis;
  l.values.assign(city_->buildings.size(), 100.0);  // every building at the top of the range
  l.valueMin = 0.0;
  l.valueMax = 100.0;
  auto plain = (*r)->renderRgb(core::Frame{}, "plain");
  auto coloured = (*r)->renderRgb(f, "coloured");
  ASSERT_TRUE(plain && coloured);
  // viridis' top is yellow (0.99, 0.91, 0.14), shaded by the sun on walls and roofs
  auto yellow = [](int rr, int g, int b) { return rr > 150 && g > 140 && b < 70; };
  EXPECT_LT(countWhere(*plain, 480, yellow).first, 50);
  EXPECT_GT(countWhere(*coloured, 480, yellow).first, 300);
  // the legend's bar in the bottom-right corner starts in viridis' dark purple
  auto purple = [](int rr, int g, int b) { return rr > 50 && rr < 90 && g < 30 && b > 65; };
  int legend = 0;
  for (int y = 200; y < 270; ++y) {
    for (int x = 240; x < 480; ++x) {
      const std::size_t i = (static_cast<std::size_t>(y) * 480 + static_cast<std::size_t>(x)) * 3;
      legend += purple((*coloured)[i], (*coloured)[i + 1], (*coloured)[i + 2]) ? 1 : 0;
    }
  }
  EXPECT_GT(legend, 10) << "no legend bar";
  // and the colours come back when the layer goes away
  auto back = (*r)->renderRgb(core::Frame{}, "plain");
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, *plain);
}

TEST_F(Render, GroundRasterAndPolygonsAreDrawnOnTheGround) {
  auto r = OffscreenRenderer::create(*city_, smallDef());
  ASSERT_TRUE(r);
  const gis::Box& e = city_->extent;
  core::Frame f;
  core::Layer& raster = f.layers.emplace_back();
  raster.name = "test.plume";
  raster.kind = core::LayerKind::GroundRaster;
  raster.scale = core::ColourScale::Magma;
  raster.valueMin = 0.0;
  raster.valueMax = 1.0;
  // the western half of the city at the darkest magma (near black), NaN elsewhere
  raster.raster = {e.minX, e.minY, (e.maxX - e.minX) / 4.0, 4, 4, {}};
  for (int i = 0; i < 16; ++i)
    raster.raster.values.push_back(i % 4 < 2 ? 0.0 : NAN);
  auto plain = (*r)->renderRgb(core::Frame{}, "x");
  auto shaded = (*r)->renderRgb(f, "x");
  ASSERT_TRUE(plain && shaded);
  auto dark = [](int rr, int g, int b) { return rr + g + b < 330; };
  const auto [n0, x0] = countWhere(*plain, 480, dark);
  const auto [n1, x1] = countWhere(*shaded, 480, dark);
  EXPECT_GT(n1, n0 + 2000) << "the raster does not darken the ground";
  EXPECT_LT(x1, 240.0) << "the dark half should be the western one";
}

TEST_F(Render, LabelsAreWrittenAtTheirPlace) {
  auto r = OffscreenRenderer::create(*city_, smallDef());
  ASSERT_TRUE(r);
  const gis::Box& e = city_->extent;
  core::Frame f;
  core::Layer& ras = f.layers.emplace_back();
  ras.name = "test.r";
  ras.kind = core::LayerKind::GroundRaster;
  ras.valueMin = 0;
  ras.valueMax = 1;
  ras.raster = {e.minX, e.minY, (e.maxX - e.minX) / 2, 2, 2, {0.5, 0.5, 0.5, 0.5}};
  f.layers.push_back(boxFrame(e.minX, e.minY, 0xff0000ffu).layers[0]);
  core::Layer& zone = f.layers.emplace_back();
  zone.name = "test.zone";
  zone.kind = core::LayerKind::GroundPolygons;
  zone.valueMin = 0;
  zone.valueMax = 2;
  zone.polygons.push_back(
      {{e.minX, e.minY, e.minX + 100, e.minY, e.minX + 100, e.minY + 100}, 1.0});
  core::Layer& l = f.layers.emplace_back();
  l.name = "test.labels";
  l.kind = core::LayerKind::Labels;
  l.scale = core::ColourScale::Rgba;
  l.labels.push_back({e.minX + (e.maxX - e.minX) * 0.8, (e.minY + e.maxY) / 2, 20.0, "test layer"});
  core::Frame without = f;
  without.layers.pop_back();
  auto plain = (*r)->renderRgb(without, "x");
  auto labelled = (*r)->renderRgb(f, "x");
  ASSERT_TRUE(plain && labelled);
  int changed = 0;
  double sumX = 0;
  for (std::size_t i = 0; i < plain->size(); i += 3) {
    if (std::abs(int((*plain)[i]) - int((*labelled)[i])) > 60) {
      ++changed;
      sumX += static_cast<double>((i / 3) % 480);
    }
  }
  EXPECT_GT(changed, 80) << "no label text";
  EXPECT_GT(sumX / std::max(changed, 1), 260.0) << "the label should be right of the centre";
}

TEST(RoofShapes, GabledAndHippedRoofsRiseFromTheEavesToTheRidge) {
  // a 20 m x 10 m house, 10 m to the ridge: a 35 degree roof over 5 m is 3.5 m high
  auto house = [](gis::RoofShape roof) {
    gis::CityModel c;
    c.extent = {0, 0, 100, 100};
    gis::Building b;
    b.parts.push_back({{{40, 45}, {60, 45}, {60, 55}, {40, 55}}, {}});
    b.box = {40, 45, 60, 55};
    b.centre = {50, 50};
    b.heightM = 10.0;
    b.roof = roof;
    c.buildings.push_back(b);
    return c;
  };
  for (gis::RoofShape roof :
       {gis::RoofShape::Flat, gis::RoofShape::Gabled, gis::RoofShape::Hipped}) {
    const gis::CityModel c = house(roof);
    detail::CityScene scene = detail::buildCityScene(c);
    ASSERT_FALSE(scene.buildingGeoms.empty());
    const auto range = scene.buildingRanges[0][0];  // the near version
    ASSERT_GE(range.geometry, 0);
    const auto* v = static_cast<const osg::Vec3Array*>(
        scene.buildingGeoms[static_cast<std::size_t>(range.geometry)]->getVertexArray());
    std::set<float> heights;
    int ridge = 0;
    for (unsigned k = range.first; k < range.first + range.count; ++k) {
      heights.insert(std::round((*v)[k].z() * 100.f) / 100.f);
      if (roof != gis::RoofShape::Flat && std::abs((*v)[k].z() - 10.f) < 1e-3f) {
        ++ridge;
        // the ridge runs along the long side, in the middle of the short one
        EXPECT_NEAR((*v)[k].y(), 50.f, 1e-3f) << "roof " << int(roof);
        if (roof == gis::RoofShape::Hipped) {
          EXPECT_NEAR(std::abs((*v)[k].x() - 50.f), 5.f, 1e-3f);  // hips shorten the ridge
        }
      }
    }
    if (roof == gis::RoofShape::Flat) {
      EXPECT_EQ(heights, (std::set<float>{0.f, 10.f}));
    } else {
      EXPECT_TRUE(heights.contains(6.5f)) << "no eaves at 6.5 m";
      EXPECT_GT(ridge, 1) << "no ridge at 10 m";
      EXPECT_EQ(*heights.rbegin(), 10.f);
    }
  }
}

TEST(TerrainScene, GroundAndBuildingsFollowTheDem) {
  // a slope rising 0.1 m per metre eastwards from 100 m, a house standing at x = 50
  gis::CityModel c;
  c.extent = {0, 0, 100, 100};
  gis::TerrainTile t;
  t.x0 = -10;
  t.y0 = 110;
  t.cellX = 10;
  t.cellY = -10;
  t.cols = 12;
  t.rows = 12;
  for (int r = 0; r < t.rows; ++r) {
    for (int col = 0; col < t.cols; ++col)
      t.z.push_back(static_cast<float>(100.0 + 0.1 * (t.x0 + (col + 0.5) * t.cellX)));
  }
  c.terrain.push_back(t);
  gis::Building b;
  b.parts.push_back({{{45, 45}, {55, 45}, {55, 55}, {45, 55}}, {}});
  b.box = {45, 45, 55, 55};
  b.centre = {50, 50};
  b.heightM = 6.0;
  c.buildings.push_back(b);
  detail::CityScene scene = detail::buildCityScene(c);
  ASSERT_TRUE(scene.hasTerrain);
  // the lowest cell centre is x = -5: 99.5 m
  EXPECT_NEAR(scene.groundBase, 99.5, 1e-4);
  EXPECT_NEAR(scene.groundAt(50, 50), 105.0 - 99.5, 1e-4);
  const auto range = scene.buildingRanges[0][0];
  const auto* v = static_cast<const osg::Vec3Array*>(
      scene.buildingGeoms[static_cast<std::size_t>(range.geometry)]->getVertexArray());
  float lo = INFINITY, hi = -INFINITY;
  for (unsigned k = range.first; k < range.first + range.count; ++k) {
    lo = std::min(lo, (*v)[k].z());
    hi = std::max(hi, (*v)[k].z());
  }
  EXPECT_NEAR(lo, 5.5f, 1e-3f) << "the house stands on the ground";
  EXPECT_NEAR(hi, 11.5f, 1e-3f);
  // the ground's first child geometry follows the slope
  const auto* ground = scene.root->getChild(0)->asGeode()->getDrawable(0)->asGeometry();
  const auto* gv = static_cast<const osg::Vec3Array*>(ground->getVertexArray());
  ASSERT_GT(gv->size(), 4u);
  for (const osg::Vec3& q : *gv) {
    if (q.x() >= 0 && q.x() <= 100 && q.y() >= 0 && q.y() <= 100) {
      EXPECT_NEAR(q.z(), 0.1f * q.x() + 0.5f, 1e-3f) << q.x();
    }
  }
}

}  // namespace
}  // namespace twin::render
