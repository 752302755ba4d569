// SPDX-License-Identifier: Apache-2.0
// Rigid bodies and sphere sweeps among a hand-built city (one 20 x 20 x 10 m block at the
// origin, no DEM): free fall against the closed form of semi-implicit Euler, hovering, resting
// on a roof, sweeps against walls and roof edges, refusals, same calls -> same bits.
#include <gtest/gtest.h>

#include <cmath>

#include "gis/city_mesh.hpp"
#include "physics/body_world.hpp"
#include "physics/ray_world.hpp"

namespace twin::physics {
namespace {

constexpr double kG = 9.80665;

class Bodies : public ::testing::Test {
 protected:
  void SetUp() override {
    gis::CityModel city;
    gis::Building b;
    b.parts.push_back({{{-10, -10}, {10, -10}, {10, 10}, {-10, 10}}, {}});
    b.box = {-10, -10, 10, 10};
    b.centre = {0, 0};
    b.heightM = 10;
    city.buildings.push_back(b);
    auto w = RayWorld::build(gis::cityTriangles(city));
    ASSERT_TRUE(w) << w.error().message;
    city_ = std::move(*w);
    world_ = newBodyWorld(*city_);
  }
  std::int64_t sphere(double x, double y, double z, double r = 0.5, double mass = 2.0) {
    core::BodyDesc d;
    d.shape = 0;
    d.sx = r;
    d.massKg = mass;
    d.x = x;
    d.y = y;
    d.z = z;
    auto id = world_->add(d);
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : -1;
  }
  core::BodyState state(std::int64_t id) {
    core::BodyState s;
    EXPECT_TRUE(world_->get(id, s));
    return s;
  }
  std::unique_ptr<RayWorld> city_;
  std::unique_ptr<core::BodyWorld> world_;
};

// symplectic Euler from rest: v_n = -g n h, z_n = z_0 - g h^2 n (n + 1) / 2
TEST_F(Bodies, FreeFallFollowsSemiImplicitEulerExactlyInFixedSubsteps) {
  const std::int64_t id = sphere(100, 100, 100);
  int calls = 0;
  ASSERT_TRUE(world_->step(1.0, 0.01, [&](std::int64_t k) { EXPECT_EQ(k, calls++); }));
  EXPECT_EQ(calls, 100);
  const core::BodyState s = state(id);
  EXPECT_NEAR(s.vz, -kG * 1.0, 1e-4);
  EXPECT_NEAR(s.z, 100 - kG * 0.01 * 0.01 * 100 * 101 / 2, 1e-3);  // 95.0476, not 95.0967
  EXPECT_NEAR(s.x, 100, 1e-6);
  EXPECT_FALSE(s.contact);
}

TEST_F(Bodies, AForceOfMgHoldsABodyInTheAirAndIsHeldUntilChanged) {
  const std::int64_t id = sphere(100, 100, 50, 0.5, 3.0);
  const double up[3] = {0, 0, 3.0 * kG}, none[3] = {0, 0, 0};
  ASSERT_TRUE(world_->setForce(id, up, none));
  ASSERT_TRUE(world_->step(10.0, 0.02, {}));
  EXPECT_NEAR(state(id).z, 50, 1e-3);
  EXPECT_NEAR(state(id).vz, 0, 1e-4);
  // 1 N sideways more on 3 kg for 2 s: x grows by a t^2 / 2 = 0.667 m (to first order in h)
  const double push[3] = {1, 0, 3.0 * kG};
  ASSERT_TRUE(world_->setForce(id, push, none));
  ASSERT_TRUE(world_->step(2.0, 0.001, {}));
  EXPECT_NEAR(state(id).x - 100, 1.0 / 3.0 * 2 * 2 / 2, 2e-3);
  EXPECT_NEAR(state(id).vx, 2.0 / 3.0, 1e-4);
}

TEST_F(Bodies, ABodyDroppedOnTheRoofComesToRestOnIt) {
  const std::int64_t id = sphere(0, 0, 14);
  ASSERT_TRUE(world_->step(4.0, 1.0 / 120, {}));
  const core::BodyState s = state(id);
  EXPECT_NEAR(s.z, 10.5, 0.03);  // roof at 10 m, radius 0.5 m
  EXPECT_NEAR(s.vz, 0, 0.05);
  EXPECT_TRUE(s.contact);
  EXPECT_GT(s.contacts, 100);
  // and one dropped beside the block lands on the floor of a city without a DEM (z = 0)
  const std::int64_t out = sphere(30, 0, 5);
  ASSERT_TRUE(world_->step(3.0, 1.0 / 120, {}));
  EXPECT_NEAR(state(out).z, 0.5, 0.03);
}

TEST_F(Bodies, RefusesWhatItCannotStepWithAReason) {
  const std::int64_t id = sphere(0, 0, 50);
  auto st = world_->step(1.0, 0.3, {});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("whole number of sub-steps"), std::string::npos);
  core::BodyDesc bad;
  bad.massKg = 0;
  EXPECT_FALSE(world_->add(bad));
  bad.massKg = 1;
  bad.x = std::nan("");
  EXPECT_FALSE(world_->add(bad));
  bad.x = 0;
  bad.shape = 7;
  EXPECT_FALSE(world_->add(bad));
  core::BodyState s;
  EXPECT_FALSE(world_->get(id + 1, s));
  EXPECT_TRUE(world_->remove(id));
  EXPECT_FALSE(world_->remove(id));
  EXPECT_EQ(world_->bodyCount(), 0u);
  // ids are never reused
  EXPECT_EQ(sphere(0, 0, 50), id + 1);
}

TEST_F(Bodies, SameCallsGiveTheSameBitsAndASetStateResumes) {
  auto run = [&](core::BodyWorld& w) {
    core::BodyDesc d;  // a tumbling box thrown at the block's corner
    d.sx = 0.4;
    d.sy = 0.3;
    d.sz = 0.2;
    d.massKg = 5;
    d.x = -20;
    d.y = -20;
    d.z = 12;
    d.vx = 8;
    d.vy = 7;
    d.headingRad = 0.3;
    const std::int64_t id = *w.add(d);
    EXPECT_TRUE(w.step(5.0, 0.005, {}));
    core::BodyState s;
    EXPECT_TRUE(w.get(id, s));
    return s;
  };
  auto other = newBodyWorld(*city_);
  const core::BodyState a = run(*world_), b = run(*other);
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.y, b.y);
  EXPECT_EQ(a.z, b.z);
  EXPECT_EQ(a.qw, b.qw);
  EXPECT_EQ(a.contacts, b.contacts);
  EXPECT_GT(a.contacts, 0);  // it did hit the block or the floor
  // a state set on a fresh body is read back as set
  const std::int64_t id = sphere(50, 50, 50);
  core::BodyState s = a;
  s.x = 50;
  ASSERT_TRUE(world_->set(id, s));
  const core::BodyState r = state(id);
  EXPECT_NEAR(r.x, 50, 1e-5);
  EXPECT_NEAR(r.vx, a.vx, 1e-6);
  EXPECT_EQ(r.contacts, a.contacts);
}

TEST_F(Bodies, SphereSweepsFindWallsAndRoofEdgesThatARayMisses) {
  // towards the west wall (x = -10) at 5 m: the centre stops one radius before it
  std::vector<Ray> rays{
      {-30, 0, 5, 1, 0, 0, 100}, {-30, 0, 10.6f, 1, 0, 0, 100}, {-30, 0, 12, 1, 0, 0, 100}};
  std::vector<float> radius{1, 1, 1};
  std::vector<Hit> hits(3);
  city_->sweepSphere(rays, radius, hits);
  ASSERT_TRUE(hits[0].hit);
  EXPECT_NEAR(hits[0].t, 19.0, 0.02);
  EXPECT_EQ(hits[0].owner, 0);
  EXPECT_NEAR(hits[0].nx, -1.0, 1e-3);
  // 0.6 m above the roof a ray passes but a 1 m sphere grazes the roof: a clearance problem
  ASSERT_TRUE(hits[1].hit);
  EXPECT_GT(hits[1].t, 19.0);
  std::vector<std::uint8_t> blocked(1);
  city_->anyHit(std::span(rays).subspan(1, 1), blocked);
  EXPECT_EQ(blocked[0], 0);
  // 2 m above the roof the sphere clears it
  EXPECT_FALSE(hits[2].hit);
}

}  // namespace
}  // namespace twin::physics
