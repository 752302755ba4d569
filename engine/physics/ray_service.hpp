// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include "core/executor.hpp"
#include "core/mesh.hpp"
#include "core/ray_service.hpp"
#include "physics/ray_world.hpp"

namespace twin::physics {

// The ray-cast service models get through the plugin ABI: builds the RayWorld from `mesh()` on
// the first call (most runs never cast a ray, and the BVH of a city takes about a second), then
// answers every call from it, in parallel over `executor` (null: the calling thread).
class LazyRayService final : public core::RayService {
 public:
  LazyRayService(std::function<core::TriangleMesh()> mesh, core::Executor* executor)
      : mesh_(std::move(mesh)), executor_(executor) {}
  core::Status anyHit(std::span<const core::RayQuery> rays,
                      std::span<std::uint8_t> blocked) const override;
  core::Status closestHit(std::span<const core::RayQuery> rays,
                          std::span<core::RayResult> hits) const override;
  core::Status sweepSphere(std::span<const core::SweepQuery> sweeps,
                           std::span<core::RayResult> hits) const override;
  // a body world over the city (the world is built first); it must not outlive this service
  core::Result<std::unique_ptr<core::BodyWorld>> newBodyWorld() const override;
  // Builds the world now (benchmarks, tests); the error of a failed build.
  core::Status prepare() const;

 private:
  std::function<core::TriangleMesh()> mesh_;
  core::Executor* executor_;
  mutable std::once_flag once_;
  mutable std::unique_ptr<RayWorld> world_;
  mutable core::Status built_;
};

}  // namespace twin::physics
