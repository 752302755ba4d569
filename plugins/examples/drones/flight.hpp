// SPDX-License-Identifier: Apache-2.0
// Flight physics and route planning of the drones example, free of the host so they can be
// tested alone: the rotor power of a multicopter from momentum theory and a planner that keeps
// a route above the city's roofs (height queries and sweeps are passed in).
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

namespace drones {

struct Vec3 {
  double x = 0, y = 0, z = 0;
};

// The airframe and its battery. Power: actuator-disk momentum theory in forward flight
// (Glauert; as used for delivery drones by Stolaroff et al. 2018, Nature Communications 9:409):
//   P = T (v_n + v_i) / eta,  v_i = T / (2 rho A sqrt(v_p^2 + (v_n + v_i)^2))
// with T the rotors' total thrust, A their disk area, v_n the airflow through the disks
// (positive when climbing into it), v_p the airflow along them, eta the electrical-to-air power
// efficiency (motors, controllers, the propellers' figure of merit), plus the avionics.
struct Airframe {
  double massKg = 9.0;  // empty, with battery
  double rotorRadiusM = 0.38;
  int rotors = 4;
  double efficiency = 0.7;
  double dragAreaM2 = 0.12;  // drag coefficient x frontal area
  double avionicsW = 40.0;
  double diskAreaM2() const;
};

// induced velocity (m/s) at thrust T (N): the root of Glauert's relation by bisection
double inducedVelocity(double thrustN, double rho, double diskAreaM2, double vNormal,
                       double vParallel);
// electrical power (W) drawn at thrust T
double rotorPowerW(const Airframe& a, double thrustN, double rho, double vNormal, double vParallel);
// density of dry air (kg/m3) from the ideal-gas law, R = 287.058 J/(kg K)
double airDensity(double temperatureC, double pressurePa);

// What the planner asks of the city: the top (roof or ground, z) at each of n points (x y pairs)
// and whether a sphere of the drone's safety radius moves freely from a to b.
using TopsFn = std::function<void(std::span<const double> xy, std::span<double> top)>;
using ClearFn = std::function<bool(const Vec3& a, const Vec3& b)>;

struct PlanLimits {
  double clearanceM = 20;  // above the highest roof along the route
  double minAglM = 50;     // cruise at least this high above the route's ground
  double maxAglM = 120;    // and at most this high (EU 2019/947, open category: 120 m)
  double cellM = 10;       // sampling step and detour grid cell
  double corridorM = 10;   // half width of the corridor sampled along the straight line
};

struct Route {
  std::vector<Vec3> points;  // pad, above the pad, [detour corners], above the target, target
  double cruiseZ = 0;
  double lowestZ = 0;   // the lowest cruise the roofs allow (highest + clearance, min altitude)
  double ceilingZ = 0;  // the highest cruise allowed
  bool detour = false;  // the straight line was blocked: the route goes around at maxAgl
  bool found = false;   // false: no route under the ceiling (the order cannot be served)
  int unclearLegs = 0;  // legs whose sweep still touched something (reported, not flown around)
  double lengthM() const;
};

// A route from the pad to the drop point `target` (its z: the drop altitude). groundZ: the
// terrain under the route, the reference of the altitude limits.
Route planRoute(const Vec3& pad, const Vec3& target, double groundZ, const PlanLimits& limits,
                const TopsFn& tops, const ClearFn& clear);

// The way back: the route reversed, its level legs `layerM` higher (or lower, when the ceiling
// is too close) so that drones going out and coming back do not meet head-on (as the
// semicircular rule separates opposite directions); level as it was when neither fits.
std::vector<Vec3> returnPath(const Route& out, double layerM);

}  // namespace drones
