// SPDX-License-Identifier: Apache-2.0
// Headless renders of the hand-made fixture city (EGL surfaceless, Mesa llvmpipe): the image has
// content, building colours appear, the caption is drawn, and the same render is identical.
#include <sched.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <numbers>
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

TEST(FlatRoofs, CoverTheFootprintConvexOrNot) {
  // a convex house (a fan of 2 triangles) and an L-shaped one (concave: the tessellator), both
  // 10 m high; their roof triangles add up to the footprints' areas
  gis::CityModel c;
  c.extent = {0, 0, 100, 100};
  auto add = [&](gis::Ring r) {
    gis::Building b;
    b.parts.push_back({std::move(r), {}});
    b.box = {0, 0, 100, 100};
    b.centre = {50, 50};
    b.heightM = 10.0;
    c.buildings.push_back(b);
  };
  add({{10, 10}, {30, 10}, {30, 20}, {10, 20}});                      // 200 m2
  add({{40, 40}, {60, 40}, {60, 50}, {50, 50}, {50, 70}, {40, 70}});  // 200 + 200 m2
  detail::CityScene scene = detail::buildCityScene(c);
  const auto range0 = scene.buildingRanges[0][0], range1 = scene.buildingRanges[1][0];
  const osg::Geometry& g = *scene.buildingGeoms[static_cast<std::size_t>(range0.geometry)];
  const auto& v = static_cast<const osg::Vec3Array&>(*g.getVertexArray());
  const auto& idx = static_cast<const osg::DrawElementsUInt&>(*g.getPrimitiveSet(0));
  double area[2] = {0, 0};
  int tris[2] = {0, 0};
  for (std::size_t t = 0; t + 2 < idx.size(); t += 3) {
    const osg::Vec3 &a = v[idx[t]], &b = v[idx[t + 1]], &d = v[idx[t + 2]];
    if (a.z() != 10.f || b.z() != 10.f || d.z() != 10.f)
      continue;  // a wall
    const int house = idx[t] >= range1.first && idx[t] < range1.first + range1.count ? 1 : 0;
    area[house] += std::abs(((b - a) ^ (d - a)).z()) / 2.0;
    ++tris[house];
  }
  EXPECT_NEAR(area[0], 200.0, 1e-3);
  EXPECT_EQ(tris[0], 2);
  EXPECT_NEAR(area[1], 400.0, 1e-3);
  EXPECT_EQ(tris[1], 4);
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
  // the ground (the static city's first child) follows the slope
  const auto* ground =
      scene.root->getChild(0)->asGroup()->getChild(0)->asGeode()->getDrawable(0)->asGeometry();
  const auto* gv = static_cast<const osg::Vec3Array*>(ground->getVertexArray());
  ASSERT_GT(gv->size(), 4u);
  for (const osg::Vec3& q : *gv) {
    if (q.x() >= 0 && q.x() <= 100 && q.y() >= 0 && q.y() <= 100) {
      EXPECT_NEAR(q.z(), 0.1f * q.x() + 0.5f, 1e-3f) << q.x();
    }
  }
}

TEST(FacingElements, OnlyBinsThatCanFaceTheEyeAreDrawn) {
  detail::FacingElements f;
  f.minXY = {0.f, 0.f};
  f.maxXY = {100.f, 100.f};
  // seen from far south and above: the walls facing north (normals from 22.5 to 157.5 degrees,
  // bins 1 to 6) cannot face the eye; bin 0 (east) and 7 (west) can from the tile's corners
  const unsigned south = f.visibleBins({50.f, -5000.f, 3000.f});
  unsigned expected = 0;
  for (int k : {0, 7, 8, 9, 10, 11, 12, 13, 14, 15})
    expected |= 1u << k;
  EXPECT_EQ(south, expected);
  // from far east: the walls facing west (bins 5 to 10) are left out
  const unsigned east = f.visibleBins({9000.f, 50.f, 500.f});
  for (int k = 0; k < detail::kWallBins; ++k)
    EXPECT_EQ((east >> k) & 1u, (k >= 5 && k <= 10) ? 0u : 1u) << "bin " << k;
  // above the tile every direction faces some point of it
  EXPECT_EQ(f.visibleBins({50.f, 50.f, 400.f}), (1u << detail::kWallBins) - 1u);
}

TEST_F(Render, LeavingOutWallsTurnedAwayChangesNoPixel) {
  for (const char* camera : {"overview", "center"}) {
    RenderDef d = smallDef();
    d.camera = camera;
    auto r = OffscreenRenderer::create(*city_, d);
    ASSERT_TRUE(r) << r.error().message;
    (*r)->setKeepCityImage(false);  // every frame draws the city
    detail::FacingElements::setEnabled(false);
    detail::FacingElements::resetCounts();
    auto all = (*r)->renderRgb(core::Frame{}, "walls");
    EXPECT_EQ(detail::FacingElements::counts().skipped, 0u);
    detail::FacingElements::setEnabled(true);
    detail::FacingElements::resetCounts();
    auto facing = (*r)->renderRgb(core::Frame{}, "walls");
    const auto counts = detail::FacingElements::counts();
    ASSERT_TRUE(all && facing);
    EXPECT_EQ(*facing, *all) << camera;
    // a good part of the walls faces away from an eye outside the town; from above its centre
    // fewer tiles lie wholly to one side
    EXPECT_GT(counts.skipped, std::string(camera) == "overview" ? counts.drawn / 10 : 0u) << camera;
  }
}

// The city's image kept between frames gives the image drawn in full, frame by frame: with
// moving boxes, a value layer coming and going, and the camera turning; with and without
// multisampling. Frames at rest keep it, a new view or new colours draw the city again.
TEST_F(Render, KeptCityImageIsTheImageDrawnInFull) {
  const gis::Box& e = city_->extent;
  const double cx = (e.minX + e.maxX) / 2, cy = (e.minY + e.maxY) / 2;
  // a box no higher than the houses: dynamic layers that reach beyond the city move the near
  // and far planes (a new projection: the city is drawn again)
  auto lowBox = [](double x, double y, std::uint32_t rgba) {
    core::Frame f = boxFrame(x, y, rgba);
    f.layers[0].instances[0].height = 4.f;
    return f;
  };
  core::Frame heat;
  core::Layer& l = heat.layers.emplace_back();
  l.name = "test.heat";
  l.kind = core::LayerKind::BuildingValues;
  l.valueMin = 0.0;
  l.valueMax = 100.0;
  for (std::size_t i = 0; i < city_->buildings.size(); ++i)
    l.values.push_back(static_cast<double>(i % 101));
  core::Frame boxAndHeat = lowBox(cx + 120, cy, 0xe01010ffu);
  boxAndHeat.layers.push_back(heat.layers[0]);
  struct Step {
    core::Frame frame;
    double orbit;
    bool cityDrawn;  // with the image kept
  };
  const std::vector<Step> steps = {
      {lowBox(cx - 300, cy, 0xe01010ffu), 0.0, true},  // at rest since create(): kept
      {lowBox(cx - 200, cy, 0xe01010ffu), 0.0, false},
      {lowBox(cx - 100, cy, 0xe01010ffu), 0.0, false},
      {boxAndHeat, 0.0, true},                          // new colours
      {boxAndHeat, 0.0, true},                          // at rest again: kept
      {boxAndHeat, 0.0, false},                         // the same values: the image stays
      {lowBox(cx, cy, 0xe01010ffu), 0.0, true},         // the layer gone: colours as built
      {lowBox(cx + 100, cy, 0xe01010ffu), 20.0, true},  // the camera turned
      {lowBox(cx + 200, cy, 0xe01010ffu), 0.0, true},
      {lowBox(cx + 300, cy, 0xe01010ffu), 0.0, false}};
  for (int samples : {0, 4}) {
    RenderDef d = smallDef();
    d.samples = samples;
    // one renderer after the other (each makes its own context current)
    std::vector<std::vector<std::uint8_t>> images[2];
    for (bool keep : {true, false}) {
      auto r = OffscreenRenderer::create(*city_, d);
      ASSERT_TRUE(r) << r.error().message;
      (*r)->setKeepCityImage(keep);
      for (std::size_t i = 0; i < steps.size(); ++i) {
        SCOPED_TRACE("samples " + std::to_string(samples) + ", frame " + std::to_string(i));
        if (steps[i].orbit != 0.0)
          (*r)->orbit(steps[i].orbit);
        const std::size_t drawn = (*r)->framesCityDrawn(), kept = (*r)->framesCityKept();
        auto a = (*r)->renderRgb(steps[i].frame, "kept");
        ASSERT_TRUE(a);
        images[keep ? 0 : 1].push_back(std::move(*a));
        if (keep) {
          EXPECT_EQ((*r)->framesCityDrawn() - drawn, steps[i].cityDrawn ? 1u : 0u);
          EXPECT_EQ((*r)->framesCityKept() - kept, steps[i].cityDrawn ? 0u : 1u);
        }
      }
      if (!keep) {
        EXPECT_EQ((*r)->framesCityKept(), 0u);
      }
    }
    int redSeen = 0;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      EXPECT_TRUE(images[0][i] == images[1][i])
          << "samples " << samples << ", frame " << i
          << ": the kept image differs from the city drawn in full";
      redSeen += countWhere(images[0][i], 480, isRed).first > 20 ? 1 : 0;
    }
    EXPECT_GE(redSeen, 8) << "the moving box is drawn over the kept city";
    // the turned camera sees another picture
    EXPECT_FALSE(images[0][7] == images[0][6]);
  }
}

TEST(PartyWalls, WallsBackToBackAreLeftOutUpToTheLowerNeighbour) {
  // three houses in a row sharing walls at x = 10 and x = 20: A and B 10 m high, C 16 m
  gis::CityModel c;
  c.extent = {0, 0, 100, 100};
  auto add = [&](double x0, double h, bool clockwise) {
    gis::Building b;
    gis::Ring r{{x0, 40}, {x0 + 10, 40}, {x0 + 10, 50}, {x0, 50}};
    if (clockwise)
      std::reverse(r.begin(), r.end());  // OSM ways run either way round
    b.parts.push_back({r, {}});
    b.box = {x0, 40, x0 + 10, 50};
    b.centre = {x0 + 5, 45};
    b.heightM = h;
    c.buildings.push_back(b);
  };
  add(0, 10, false);
  add(10, 10, true);
  add(20, 16, false);
  detail::CityScene scene = detail::buildCityScene(c);
  for (std::size_t level = 0; level < 2; ++level) {
    // per house: the lowest z of its wall triangles standing on the line x (inf: none there)
    auto lowestAt = [&](std::size_t house, float x) {
      const auto range = scene.buildingRanges[house][level];
      const osg::Geometry& g = *scene.buildingGeoms[static_cast<std::size_t>(range.geometry)];
      const auto& v = static_cast<const osg::Vec3Array&>(*g.getVertexArray());
      const auto& idx = static_cast<const osg::DrawElementsUInt&>(*g.getPrimitiveSet(0));
      float lo = INFINITY;
      for (std::size_t t = 0; t + 2 < idx.size(); t += 3) {
        bool onLine = true;
        for (std::size_t k = t; k < t + 3; ++k) {
          onLine = onLine && idx[k] >= range.first && idx[k] < range.first + range.count &&
                   std::abs(v[idx[k]].x() - x) < 1e-4f;
        }
        for (std::size_t k = t; k < t + 3 && onLine; ++k)
          lo = std::min(lo, v[idx[k]].z());
      }
      return lo;
    };
    // A and B: no wall between them; B's wall is hidden by C, which shows the 6 m above B
    EXPECT_EQ(lowestAt(0, 10.f), INFINITY) << "level " << level;
    EXPECT_EQ(lowestAt(1, 10.f), INFINITY);
    EXPECT_EQ(lowestAt(1, 20.f), INFINITY);
    EXPECT_FLOAT_EQ(lowestAt(2, 20.f), 10.f);
    // the outer walls reach the ground
    EXPECT_FLOAT_EQ(lowestAt(0, 0.f), 0.f);
    EXPECT_FLOAT_EQ(lowestAt(2, 30.f), 0.f);
    // 3 roofs of 2 triangles, 4 + 2 + 3 full walls and C's strip: 12 walls of 2
    const auto* g =
        scene.buildingGeoms[static_cast<std::size_t>(scene.buildingRanges[0][level].geometry)]
            .get();
    EXPECT_EQ(g->getPrimitiveSet(0)->getNumIndices() / 3, 6u + 2u * (3u + 2u + 3u + 1u))
        << "level " << level;
  }
}

TEST(InstanceLayer, FacesTurnedAwayAndSmallBoxesSidesAreLeftOut) {
  gis::CityModel c;
  c.extent = {0, 0, 1000, 1000};
  detail::CityScene scene = detail::buildCityScene(c);
  detail::DynamicLayers layers(scene, 1920, 1080);
  core::Frame f;
  core::Layer& l = f.layers.emplace_back();
  l.name = "test.boxes";
  l.kind = core::LayerKind::Instances;
  l.scale = core::ColourScale::Rgba;
  l.instances.push_back({1, 500.0, 500.0, 0.0, 0.0, 5.f, 2.f, 1.5f, 0.f, 0xff0000ffu});
  // the view unknown: all five faces
  layers.update(f);
  EXPECT_EQ(layers.instanceTriangles(), 10u);
  // 200 m west, 300 m south of the car and 200 m up, 1080 px over 45 degrees: the car is about
  // 16 px long; its roof, the side facing south and the rear facing west are seen (heading 0:
  // east), the front and the north side are turned away by more than 10 degrees
  const double pxPerRad = 540.0 / std::tan(22.5 * std::numbers::pi / 180.0);
  layers.setView({300.0, 200.0, 200.0}, pxPerRad);
  layers.update(f);
  EXPECT_EQ(layers.instanceTriangles(), 6u);
  // 20 km away it is under two pixels: its roof alone
  layers.setView({480.0, -20000.0, 5000.0}, pxPerRad);
  layers.update(f);
  EXPECT_EQ(layers.instanceTriangles(), 2u);
}

}  // namespace
}  // namespace twin::render
