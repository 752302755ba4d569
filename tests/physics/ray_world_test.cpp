// SPDX-License-Identifier: Apache-2.0
// Ray casts against the city: ear clipping of roofs, a hand-built street canyon whose shaded
// fraction is known in closed form, closest hits, determinism across threads, bad meshes.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "exec/tbb_executor.hpp"
#include "gis/city_mesh.hpp"
#include "physics/ray_world.hpp"

namespace twin::physics {
namespace {

gis::Building box(double x0, double y0, double x1, double y1, double h) {
  gis::Building b;
  b.parts.push_back({{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}, {}});
  b.box = {x0, y0, x1, y1};
  b.centre = {(x0 + x1) / 2, (y0 + y1) / 2};
  b.heightM = h;
  return b;
}

TEST(EarClip, TrianglesCoverTheRingInEitherOrientation) {
  const gis::Ring square{{0, 0}, {4, 0}, {4, 4}, {0, 4}};
  EXPECT_EQ(gis::earClip(square).size(), 2u);
  // an L of area 4*4 - 2*2 = 12, clockwise
  const gis::Ring ell{{0, 0}, {0, 4}, {2, 4}, {2, 2}, {4, 2}, {4, 0}};
  const auto tris = gis::earClip(ell);
  ASSERT_EQ(tris.size(), 4u);
  double area = 0.0;
  for (const auto& t : tris) {
    const gis::Vec2 a = ell[t[0]], b = ell[t[1]], c = ell[t[2]];
    const double twice = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
    EXPECT_GT(twice, 0.0);  // counter-clockwise, none flipped
    area += twice / 2;
  }
  EXPECT_DOUBLE_EQ(area, 12.0);
}

// A street canyon along x: two 200 m long blocks, 10 m high, 10 m deep, with a 20 m street
// between them (y 0..20). Floor points across the street at x = 100 see the sun (elevation a,
// in the y-z plane, from the north) unless the northern block's wall (y = 20) is in the way:
// a point at y (0.05 m above the floor) is shaded when (20 - y) tan a < 9.95, i.e. for
// y > 20 - 9.95 / tan a, so the shaded share of the street is min(1, 9.95 / (20 tan a)):
// 0.4975 at 45 degrees, 0.2872 at 60 degrees.
class StreetCanyon : public ::testing::Test {
 protected:
  void SetUp() override {
    gis::CityModel city;
    city.buildings.push_back(box(0, -10, 200, 0, 10));
    city.buildings.push_back(box(0, 20, 200, 30, 10));
    auto w = RayWorld::build(gis::cityTriangles(city));
    ASSERT_TRUE(w) << w.error().message;
    world_ = std::move(*w);
  }
  // shaded share of 2,000 floor points across the street, sun direction (dx, dy, dz)
  double shaded(double dx, double dy, double dz, core::Executor* exec = nullptr) {
    std::vector<Ray> rays;
    const int n = 2000;
    for (int i = 0; i < n; ++i) {
      Ray r;
      r.ox = 100.0f;
      r.oy = static_cast<float>(20.0 * (i + 0.5) / n);
      r.oz = 0.05f;
      r.dx = static_cast<float>(dx);
      r.dy = static_cast<float>(dy);
      r.dz = static_cast<float>(dz);
      r.maxT = 1000.0f;
      rays.push_back(r);
    }
    std::vector<std::uint8_t> blocked(rays.size());
    world_->anyHit(rays, blocked, exec);
    last_ = blocked;
    double s = 0;
    for (std::uint8_t b : blocked)
      s += b;
    return s / n;
  }
  std::unique_ptr<RayWorld> world_;
  std::vector<std::uint8_t> last_;
};

TEST_F(StreetCanyon, ShadedShareMatchesTheClosedForm) {
  EXPECT_EQ(world_->triangleCount(), 2u * (8 + 2));  // 4 walls of 2 triangles + a roof each
  for (double deg : {30.0, 45.0, 60.0, 75.0}) {
    const double a = deg * std::numbers::pi / 180.0;
    const double expected = std::min(1.0, 9.95 / (20.0 * std::tan(a)));
    EXPECT_NEAR(shaded(0.0, std::cos(a), std::sin(a)), expected, 1.0 / 2000 + 1e-9) << deg;
  }
  // the sun along the street: nothing in the way (the blocks end long before the ray is low)
  const double a = 30.0 * std::numbers::pi / 180.0;
  EXPECT_EQ(shaded(std::cos(a), 0.0, std::sin(a)), 0.0);
  // below the horizon of the wall from the south side: the southern block shades the rest
  EXPECT_NEAR(shaded(0.0, -std::cos(a), std::sin(a)), std::min(1.0, 9.95 / (20 * std::tan(a))),
              1.0 / 2000 + 1e-9);
}

TEST_F(StreetCanyon, ThreadsGiveTheSameAnswer) {
  const double a = 40.0 * std::numbers::pi / 180.0;
  shaded(0.3, std::cos(a), std::sin(a));
  const auto serial = last_;
  exec::TbbExecutor two(2);
  shaded(0.3, std::cos(a), std::sin(a), &two);
  EXPECT_EQ(last_, serial);
}

TEST_F(StreetCanyon, ClosestHitNamesTheBuildingAndFacesTheRay) {
  std::vector<Ray> rays(3);
  rays[0] = {100, 25, 50, 0, 0, -1, 100};  // down onto the northern roof (10 m)
  rays[1] = {100, 10, 5, 0, 1, 0, 100};    // across the street into the northern wall
  rays[2] = {100, 10, 5, 0, 0, 1, 100};    // straight up out of the street
  std::vector<Hit> hits(rays.size());
  world_->closestHit(rays, hits);
  ASSERT_TRUE(hits[0].hit);
  EXPECT_EQ(hits[0].owner, 1);
  EXPECT_NEAR(hits[0].t, 40.0f, 1e-3f);
  EXPECT_NEAR(hits[0].nz, 1.0f, 1e-6f);
  ASSERT_TRUE(hits[1].hit);
  EXPECT_EQ(hits[1].owner, 1);
  EXPECT_NEAR(hits[1].t, 10.0f, 1e-3f);
  EXPECT_NEAR(hits[1].ny, -1.0f, 1e-6f);
  EXPECT_FALSE(hits[2].hit);
}

TEST(RayWorldBuild, RefusesMeshesItCannotUse) {
  EXPECT_FALSE(RayWorld::build({}));
  core::TriangleMesh bad;
  bad.addVertex(0, 0, 0);
  bad.addTriangle(0, 1, 2, 0);
  EXPECT_FALSE(RayWorld::build(bad));
  core::TriangleMesh nan;
  nan.addVertex(0, 0, 0);
  nan.addVertex(1, 0, NAN);
  nan.addVertex(0, 1, 0);
  nan.addTriangle(0, 1, 2, 0);
  auto r = RayWorld::build(nan);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::BadInput);
}

}  // namespace
}  // namespace twin::physics
