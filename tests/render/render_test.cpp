// SPDX-License-Identifier: Apache-2.0
// Headless renders of the hand-made fixture city (EGL surfaceless, Mesa llvmpipe): the image has
// content, building colours appear, the caption is drawn, and the same render is identical.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <osg/Image>
#include <osgDB/ReadFile>
#include <set>

#include "gis/city_builder.hpp"
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
  ASSERT_TRUE(renderCityPng(*city_, smallDef(), png));
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
  ASSERT_TRUE(renderCityPng(*city_, smallDef(), dir_ + "/a.png"));
  ASSERT_TRUE(renderCityPng(*city_, smallDef(), dir_ + "/b.png"));
  EXPECT_EQ(test::readFile(dir_ + "/a.png"), test::readFile(dir_ + "/b.png"));
}

TEST_F(Render, UnknownCameraAndBadSizeAreRefused) {
  RenderDef d = smallDef();
  d.camera = "helicopter";
  auto st = renderCityPng(*city_, d, dir_ + "/x.png");
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

}  // namespace
}  // namespace twin::render
