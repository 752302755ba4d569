// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "core/status.hpp"

namespace twin::core {

// A ray in the city's local metres (z above sea level): origin, unit direction, length.
struct RayQuery {
  double ox = 0, oy = 0, oz = 0;
  double dx = 0, dy = 0, dz = 1;
  double maxT = 1e5;
};

// The closest hit of a ray; owner: building index, -1 terrain.
struct RayResult {
  bool hit = false;
  double t = 0.0;
  std::int32_t owner = -1;
  double nx = 0, ny = 0, nz = 0;
};

// A sphere of `radius` metres swept along a ray (ABI 1.6): the closest contact, as a ray's hit
// (t: distance the centre travelled; normal: of the surface touched, facing the sphere).
struct SweepQuery {
  RayQuery ray;
  double radius = 0.5;
};

// Rigid bodies in the city (ABI 1.6): shapes, state and a world stepped in exact fixed
// sub-steps. Shapes: 0 sphere (radius sx), 1 box (half extents sx sy sz), 2 cylinder along z
// (radius sx, half height sz).
struct BodyDesc {
  int shape = 1;
  double sx = 0.5, sy = 0.5, sz = 0.5;
  double massKg = 1.0;
  double x = 0, y = 0, z = 0, headingRad = 0;
  double vx = 0, vy = 0, vz = 0;
  double linearDamping = 0, angularDamping = 0, friction = 0.5, restitution = 0;
  bool gravity = true;
  bool lockRotation = false;  // the body does not rotate (attitude held by a controller)
};

struct BodyState {
  double x = 0, y = 0, z = 0;
  double qx = 0, qy = 0, qz = 0, qw = 1;
  double vx = 0, vy = 0, vz = 0;
  double wx = 0, wy = 0, wz = 0;
  bool contact = false;       // touching the city or another body after the last sub-step
  std::int64_t contacts = 0;  // sub-steps that ended in contact since the body was added
};

// One model instance's bodies with the city as static geometry. Not thread-safe: one instance
// steps it. Results depend only on the calls made, in their order (Bullet's sequential solver on
// one thread), so a run is the same for any thread count.
class BodyWorld {
 public:
  virtual ~BodyWorld() = default;
  // a new body's id (ids increase from 0 and are never reused); BadInput for a malformed desc
  virtual Result<std::int64_t> add(const BodyDesc& desc) = 0;
  virtual Status remove(std::int64_t id) = 0;
  // force (N) through the centre and torque (N m), world axes, held until changed
  virtual Status setForce(std::int64_t id, const double force[3], const double torque[3]) = 0;
  virtual Status get(std::int64_t id, BodyState& out) const = 0;
  // position, orientation and velocities as given (restoring a snapshot); contact counters too
  virtual Status set(std::int64_t id, const BodyState& state) = 0;
  // n = dt / substep sub-steps of exactly `substep` seconds (BadInput unless n is a whole
  // number within 1e-9); beforeSubstep(k) runs before sub-step k to change forces
  virtual Status step(double dtS, double substepS,
                      const std::function<void(std::int64_t)>& beforeSubstep) = 0;
  virtual std::size_t bodyCount() const = 0;
};

// Ray casts against the city, offered to models through the plugin ABI (1.2). The physics
// module implements it; the plugin module only forwards. Implementations are thread-safe and
// their answers depend on the rays alone.
class RayService {
 public:
  virtual ~RayService() = default;
  virtual Status anyHit(std::span<const RayQuery> rays, std::span<std::uint8_t> blocked) const = 0;
  virtual Status closestHit(std::span<const RayQuery> rays, std::span<RayResult> hits) const = 0;
  // since ABI 1.6: sphere sweeps and a rigid-body world of one's own
  virtual Status sweepSphere(std::span<const SweepQuery> sweeps,
                             std::span<RayResult> hits) const = 0;
  virtual Result<std::unique_ptr<BodyWorld>> newBodyWorld() const = 0;
};

}  // namespace twin::core
