// SPDX-License-Identifier: Apache-2.0
// The city's triangles in a Bullet bounding-volume hierarchy (btBvhTriangleMeshShape, quantized)
// for batched, parallel ray casts: sun rays for roof shading, line of sight, clearance checks.
// Local metres in float (PLATFORM.md §6: a local origin keeps float Bullet exact enough).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/executor.hpp"
#include "core/mesh.hpp"
#include "core/status.hpp"

namespace twin::physics {

// A ray from an origin along a unit direction, up to `maxT` metres.
struct Ray {
  float ox = 0, oy = 0, oz = 0;
  float dx = 0, dy = 0, dz = 1;
  float maxT = 1e5f;
};

// The closest hit of a ray: distance along it, the triangle's owner (-1: terrain) and the
// triangle's unit normal facing the ray's origin; `hit` false when nothing was within maxT.
struct Hit {
  bool hit = false;
  float t = 0.0f;
  std::int32_t owner = -1;
  float nx = 0, ny = 0, nz = 0;
};

class RayWorld {
 public:
  // BadInput for an empty mesh, indices out of range or a non-finite vertex.
  static core::Result<std::unique_ptr<RayWorld>> build(core::TriangleMesh mesh);
  ~RayWorld();
  RayWorld(const RayWorld&) = delete;
  RayWorld& operator=(const RayWorld&) = delete;

  // Whether each ray hits anything within maxT (shadow rays). Parallel over `executor` in
  // blocks (null: this thread); each result depends on its ray alone, so the output is the same
  // whatever the thread count. `blocked` gets one byte per ray (1: hit).
  void anyHit(std::span<const Ray> rays, std::span<std::uint8_t> blocked,
              core::Executor* executor = nullptr) const;
  // The closest hit of each ray.
  void closestHit(std::span<const Ray> rays, std::span<Hit> hits,
                  core::Executor* executor = nullptr) const;

  // The closest contact of a sphere of radius[i] swept along each ray (t: the distance its centre
  // travelled to the contact). Sweeps that start in contact report t = 0.
  void sweepSphere(std::span<const Ray> rays, std::span<const float> radius, std::span<Hit> hits,
                   core::Executor* executor = nullptr) const;

  std::size_t triangleCount() const;
  // Axis-aligned bounds of all triangles: min x, y, z, max x, y, z.
  std::array<float, 6> bounds() const;

 private:
  RayWorld();
  friend class BulletBodyWorld;  // shares the static city shape
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace twin::physics
