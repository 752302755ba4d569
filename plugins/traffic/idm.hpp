// SPDX-License-Identifier: Apache-2.0
// Car following and lane changing, as pure functions of the local situation:
//   IDM, the Intelligent Driver Model (Treiber, Hennecke & Helbing 2000, Phys. Rev. E 62, 1805):
//     a = a_max [1 - (v/v0)^delta - (s*/s)^2],  s* = s0 + max(0, v T + v dv / (2 sqrt(a_max b)))
//   MOBIL, "minimizing overall braking induced by lane changes" (Kesting, Treiber & Helbing 2007,
//   Transp. Res. Rec. 1999), in its European (keep-right) form:
//     safety     a'_n >= -b_safe             (the new follower does not brake too hard)
//     incentive  a'_c - a_c + p (a'_n - a_n + a'_o - a_o) > a_th (+ a_bias for a change left)
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

namespace twin::traffic {

// Parameters of one vehicle type (SUMO's names in brackets where they differ).
struct IdmParams {
  double accel = 2.6;           // a_max, m/s2 [accel]
  double decel = 4.5;           // b, comfortable deceleration, m/s2 [decel]
  double emergencyDecel = 9.0;  // the most a vehicle can brake, m/s2
  double tau = 1.0;             // T, desired time headway, s
  double minGap = 2.5;          // s0, jam distance, m
  double delta = 4.0;           // acceleration exponent
  double length = 5.0;          // m
};

// IDM acceleration of a vehicle at speed v with desired speed v0, a leader at net gap s (bumper
// to bumper, m) driving at vLeader. No leader: s = +inf.
// (v/v0)^delta, with the common exponent 4 (Treiber et al.'s choice) as two squarings
inline double idmSpeedTerm(double ratio, double delta) {
  if (delta == 4.0) {
    const double r2 = ratio * ratio;
    return r2 * r2;
  }
  return std::pow(ratio, delta);
}

// IDM acceleration with 1 / (2 sqrt(a_max b)) given (hoisted out of loops)
inline double idmAccelK(const IdmParams& p, double v, double v0, double s, double vLeader,
                        double inv2SqrtAb) {
  const double free = v0 > 0 ? 1.0 - idmSpeedTerm(v / v0, p.delta) : -1.0;
  if (!(s < std::numeric_limits<double>::infinity()))
    return p.accel * free;
  const double dv = v - vLeader;
  const double sStar = p.minGap + std::max(0.0, v * p.tau + v * dv * inv2SqrtAb);
  const double gap = std::max(s, 0.01);
  const double r = sStar / gap;
  return p.accel * (free - r * r);
}

inline double idmAccel(const IdmParams& p, double v, double v0, double s, double vLeader) {
  return idmAccelK(p, v, v0, s, vLeader, 0.5 / std::sqrt(p.accel * p.decel));
}

// The speed after one step of dt seconds: the IDM integrated in `substeps` equal sub-steps (as
// SUMO's IDM "stepping" does) with the leader at constant speed, never below zero and never
// braking harder than the emergency deceleration.
inline double idmSpeed(const IdmParams& p, double v, double v0, double s, double vLeader, double dt,
                       int substeps) {
  const double h = dt / substeps;
  const double k = 0.5 / std::sqrt(p.accel * p.decel);
  const bool free = !(s < std::numeric_limits<double>::infinity());
  double speed = v, gap = s;
  for (int i = 0; i < substeps; ++i) {
    const double a = std::max(idmAccelK(p, speed, v0, gap, vLeader, k), -p.emergencyDecel);
    double next = std::max(0.0, speed + a * h);
    // The continuous IDM approaches v0 without crossing it (at v0 its acceleration is <= 0, and
    // on a free road it decelerates towards v0 from above). A sub-step must not cross it
    // either: with v0 below about 4 a h (a tight turn, 2.6 m/s here) the speed would jump over
    // v0, brake back to 0 and never leave the spot.
    if (speed <= v0 && next > v0)
      next = v0;
    else if (free && speed >= v0 && next < v0)
      next = v0;
    if (!free)
      gap -= (0.5 * (speed + next) - vLeader) * h;
    speed = next;
  }
  return speed;
}

// MOBIL's decision for one candidate lane. Accelerations as IDM gives them: `self` before and
// `selfNew` after the change; the old follower `oldF` before and `oldFNew` after (it gets the
// changer's leader); the new follower `newF` before and `newFNew` after.
struct MobilParams {
  double politeness = 0.2;     // p: weight of the others' advantage
  double threshold = 0.1;      // a_th, m/s2
  double safeDecel = 4.0;      // b_safe, m/s2
  double keepRightBias = 0.2;  // a_bias, m/s2: a change to the left must gain this much more
};

inline bool mobilSafe(const MobilParams& m, double newFNew) {
  return newFNew >= -m.safeDecel;
}

// incentive of the change (m/s2); positive and above the threshold means change
inline double mobilIncentive(const MobilParams& m, double self, double selfNew, double oldF,
                             double oldFNew, double newF, double newFNew, bool toLeft) {
  const double gain = selfNew - self + m.politeness * (newFNew - newF + oldFNew - oldF);
  return gain - m.threshold - (toLeft ? m.keepRightBias : -m.keepRightBias);
}

}  // namespace twin::traffic
