// SPDX-License-Identifier: Apache-2.0
// The drones example's physics and planner alone: rotor power against momentum theory's closed
// forms (hover, axial climb, Glauert's high-speed limit), air density at ISA sea level, and
// routes over and around a hand-made skyline.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "flight.hpp"

namespace drones {
namespace {

constexpr double kG = 9.80665;

// hover: P = T^1.5 / sqrt(2 rho A) (ideal power of an actuator disk); 11 kg on four 0.38 m
// rotors at 1.225 kg/m3: T = 107.873 N, A = 1.81458 m2, P = 531.37 W of air power,
// 531.37 / 0.7 + 40 = 799.10 W drawn
TEST(RotorPower, HoverIsTheActuatorDiskIdealPowerOverTheEfficiency) {
  const Airframe a;
  EXPECT_NEAR(a.diskAreaM2(), 1.81458, 1e-5);
  const double t = 11 * kG;
  EXPECT_NEAR(inducedVelocity(t, 1.225, a.diskAreaM2(), 0, 0), 4.92589, 1e-5);
  EXPECT_NEAR(rotorPowerW(a, t, 1.225, 0, 0), 799.10, 0.01);
}

// axial climb at Vc: v_i = -Vc/2 + sqrt((Vc/2)^2 + v_h^2) (Leishman 2006, ch. 2): 3.31643 m/s
// at 4 m/s; the power adds T (Vc + v_i)
TEST(RotorPower, AxialClimbFollowsTheClosedForm) {
  const Airframe a;
  const double t = 11 * kG;
  const double vi = inducedVelocity(t, 1.225, a.diskAreaM2(), 4.0, 0);
  EXPECT_NEAR(vi, 3.31643, 1e-5);
  EXPECT_NEAR(rotorPowerW(a, t, 1.225, 4.0, 0), t * (4.0 + vi) / 0.7 + 40, 1e-6);
  // climbing costs more than hovering, descending less
  EXPECT_GT(rotorPowerW(a, t, 1.225, 4.0, 0), rotorPowerW(a, t, 1.225, 0, 0));
  EXPECT_LT(rotorPowerW(a, t, 1.225, -2.0, 0), rotorPowerW(a, t, 1.225, 0, 0));
}

// fast forward flight: v_i -> T / (2 rho A V) (Glauert's high-speed limit)
TEST(RotorPower, FastForwardFlightApproachesGlauertsLimit) {
  const Airframe a;
  const double t = 11 * kG, v = 30;
  const double vi = inducedVelocity(t, 1.225, a.diskAreaM2(), 0, v);
  EXPECT_NEAR(vi, t / (2 * 1.225 * a.diskAreaM2() * v), 0.01 * vi);
  // and induced power falls with speed: the familiar bucket of the power curve
  EXPECT_LT(inducedVelocity(t, 1.225, a.diskAreaM2(), 0, 10), 4.92589);
}

TEST(Air, DensityAtIsaSeaLevel) {
  EXPECT_NEAR(airDensity(15, 101325), 1.2250, 1e-4);
  EXPECT_NEAR(airDensity(35, 101325), 1.1455, 1e-3);  // a hot day: 6.5 % less lift per rotor
}

// a skyline: flat ground at 0, a 60 m block across x = 480..520 for |y| < 50, and optionally a
// 200 m wall at x = 980..1020 for |y| < `wall` (above the 120 m ceiling)
struct Skyline {
  double wall = 0;
  double top(double x, double y) const {
    if (x > 480 && x < 520 && std::abs(y) < 50)
      return 60;
    if (x > 980 && x < 1020 && std::abs(y) < wall)
      return 200;
    return 0;
  }
  TopsFn tops() const {
    return [this](std::span<const double> xy, std::span<double> t) {
      for (std::size_t i = 0; i < t.size(); ++i)
        t[i] = top(xy[2 * i], xy[2 * i + 1]);
    };
  }
  // a sweep is clear when no sample along it (1 m apart) comes within 2 m of the skyline
  ClearFn clear() const {
    return [this](const Vec3& a, const Vec3& b) {
      const double len = std::hypot(b.x - a.x, b.y - a.y, b.z - a.z);
      const int n = static_cast<int>(len) + 1;
      for (int i = 0; i <= n; ++i) {
        const double f = i / static_cast<double>(n);
        const double x = a.x + (b.x - a.x) * f, y = a.y + (b.y - a.y) * f;
        const double z = a.z + (b.z - a.z) * f;
        for (double dx : {-2.0, 0.0, 2.0})
          for (double dy : {-2.0, 0.0, 2.0})
            if (z - 2 < top(x + dx, y + dy))
              return false;
      }
      return true;
    };
  }
};

TEST(Route, StraightOverTheRoofsWithTheClearance) {
  const Skyline s;
  const Route r = planRoute({0, 0, 0.3}, {800, 0, 10}, 0, PlanLimits{}, s.tops(), s.clear());
  ASSERT_TRUE(r.found);
  EXPECT_FALSE(r.detour);
  EXPECT_DOUBLE_EQ(r.cruiseZ, 80);  // 60 m block + 20 m clearance
  ASSERT_EQ(r.points.size(), 4u);   // pad, above the pad, above the target, target
  EXPECT_NEAR(r.lengthM(), 79.7 + 800 + 70, 1e-9);
  EXPECT_EQ(r.unclearLegs, 0);
  // with nothing tall on the way the minimum altitude holds
  const Route low = planRoute({0, 200, 0.3}, {800, 200, 10}, 0, PlanLimits{}, s.tops(), s.clear());
  EXPECT_DOUBLE_EQ(low.cruiseZ, 50);
}

TEST(Route, AroundWhatRisesAboveTheCeilingOrNotAtAll) {
  Skyline s;
  s.wall = 300;
  const Route r = planRoute({0, 0, 0.3}, {1500, 0, 10}, 0, PlanLimits{}, s.tops(), s.clear());
  ASSERT_TRUE(r.found);
  EXPECT_TRUE(r.detour);
  EXPECT_DOUBLE_EQ(r.cruiseZ, 120);
  ASSERT_GT(r.points.size(), 4u);
  // every level leg clears the wall and the route is not much longer than going round its end
  for (std::size_t i = 2; i + 2 < r.points.size(); ++i)
    EXPECT_TRUE(s.clear()(r.points[i], r.points[i + 1]));
  EXPECT_EQ(r.unclearLegs, 0);
  const double around = std::hypot(1000, 302) * 2;
  EXPECT_LT(r.lengthM(), around * 1.1 + 2 * 120);
  EXPECT_GT(r.lengthM(), 1500 + 2 * 110);
  // a wall longer than the search box: no route
  s.wall = 5000;
  EXPECT_FALSE(planRoute({0, 0, 0.3}, {1500, 0, 10}, 0, PlanLimits{}, s.tops(), s.clear()).found);
}

}  // namespace
}  // namespace drones
