// SPDX-License-Identifier: Apache-2.0
// Battery energy of electric vehicles per step: the longitudinal energy balance of Kurczveil,
// López & Schnieder (2014), "Implementation of an Energy Model and a Charging Infrastructure in
// SUMO" (SUMO's device.battery), written as power. At speed v (m/s) and acceleration a (m/s2)
// on a flat road the wheels need
//
//   P_wheel = (m + m_rot) a v + 1/2 rho A c_w v^3 + c_roll m g v
//
// which the battery supplies at the drive efficiency (P_wheel / eta_prop) or, braking, takes
// back at the recuperation efficiency (P_wheel * eta_recup, only above the stopping threshold),
// plus a constant draw of the on-board consumers. Left out: road gradient (the networks are
// flat) and the radial (cornering) drag, which needs curve radii the networks do not carry.
// Defaults: the Kia Soul EV that SUMO documents as its default electric vehicle (SUMO user
// documentation, Models/Electric: 1830 kg, 40 kg rotating mass, 2.6 m2, c_w 0.35, c_roll 0.01,
// 100 W consumers, 98 % drive and 96 % recuperation efficiency, 0.1 km/h threshold).
#pragma once

namespace twin::traffic {

struct EvParams {
  double massKg = 1830.0;
  double rotatingMassKg = 40.0;
  double frontAreaM2 = 2.6;
  double dragCoefficient = 0.35;
  double rollCoefficient = 0.01;
  double auxiliaryW = 100.0;
  double propulsionEfficiency = 0.98;
  double recuperationEfficiency = 0.96;
  double stoppingThresholdMs = 0.1 / 3.6;
};

constexpr double kAirDensity = 1.2041;  // kg/m3, dry air at 20 degC and 1013.25 hPa
constexpr double kGravity = 9.81;       // m/s2

// power the battery gives (W; negative: it is charged by braking) at speed v and acceleration a
inline double evBatteryPowerW(const EvParams& p, double v, double a) {
  if (v <= 0.0)
    return p.auxiliaryW;
  const double wheel = (p.massKg + p.rotatingMassKg) * a * v +
                       0.5 * kAirDensity * p.frontAreaM2 * p.dragCoefficient * v * v * v +
                       p.rollCoefficient * p.massKg * kGravity * v;
  if (wheel >= 0.0)
    return wheel / p.propulsionEfficiency + p.auxiliaryW;
  return (v >= p.stoppingThresholdMs ? wheel * p.recuperationEfficiency : 0.0) + p.auxiliaryW;
}

}  // namespace twin::traffic
