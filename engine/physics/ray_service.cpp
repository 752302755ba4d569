// SPDX-License-Identifier: Apache-2.0
#include "physics/ray_service.hpp"

#include <cmath>

#include "physics/body_world.hpp"

namespace twin::physics {
namespace {

std::vector<Ray> toRays(std::span<const core::RayQuery> q) {
  std::vector<Ray> out(q.size());
  for (std::size_t i = 0; i < q.size(); ++i) {
    const core::RayQuery& r = q[i];
    out[i] = {static_cast<float>(r.ox),  static_cast<float>(r.oy), static_cast<float>(r.oz),
              static_cast<float>(r.dx),  static_cast<float>(r.dy), static_cast<float>(r.dz),
              static_cast<float>(r.maxT)};
  }
  return out;
}

}  // namespace

core::Status LazyRayService::prepare() const {
  std::call_once(once_, [&] {
    auto w = RayWorld::build(mesh_());
    if (w)
      world_ = std::move(*w);
    else
      built_ = core::Unexpected(w.error());
  });
  return built_;
}

core::Status LazyRayService::anyHit(std::span<const core::RayQuery> rays,
                                    std::span<std::uint8_t> blocked) const {
  if (core::Status st = prepare(); !st)
    return st;
  if (blocked.size() < rays.size())
    return core::fail(core::ErrorCode::BadInput, "ray casts: fewer results than rays");
  const std::vector<Ray> r = toRays(rays);
  world_->anyHit(r, blocked.first(rays.size()), executor_);
  return {};
}

core::Status LazyRayService::closestHit(std::span<const core::RayQuery> rays,
                                        std::span<core::RayResult> hits) const {
  if (core::Status st = prepare(); !st)
    return st;
  if (hits.size() < rays.size())
    return core::fail(core::ErrorCode::BadInput, "ray casts: fewer results than rays");
  const std::vector<Ray> r = toRays(rays);
  std::vector<Hit> h(r.size());
  world_->closestHit(r, h, executor_);
  for (std::size_t i = 0; i < h.size(); ++i)
    hits[i] = {h[i].hit, h[i].t, h[i].owner, h[i].nx, h[i].ny, h[i].nz};
  return {};
}

core::Status LazyRayService::sweepSphere(std::span<const core::SweepQuery> sweeps,
                                         std::span<core::RayResult> hits) const {
  if (core::Status st = prepare(); !st)
    return st;
  if (hits.size() < sweeps.size())
    return core::fail(core::ErrorCode::BadInput, "sweeps: fewer results than sweeps");
  std::vector<core::RayQuery> q(sweeps.size());
  std::vector<float> radius(sweeps.size());
  for (std::size_t i = 0; i < sweeps.size(); ++i) {
    q[i] = sweeps[i].ray;
    if (!std::isfinite(sweeps[i].radius) || !(sweeps[i].radius > 0))
      return core::fail(core::ErrorCode::BadInput,
                        "sweep " + std::to_string(i) + ": the radius must be above 0 m");
    radius[i] = static_cast<float>(sweeps[i].radius);
  }
  const std::vector<Ray> r = toRays(q);
  std::vector<Hit> h(r.size());
  world_->sweepSphere(r, radius, h, executor_);
  for (std::size_t i = 0; i < h.size(); ++i)
    hits[i] = {h[i].hit, h[i].t, h[i].owner, h[i].nx, h[i].ny, h[i].nz};
  return {};
}

core::Result<std::unique_ptr<core::BodyWorld>> LazyRayService::newBodyWorld() const {
  if (core::Status st = prepare(); !st)
    return core::Unexpected(st.error());
  return physics::newBodyWorld(*world_);
}

}  // namespace twin::physics
