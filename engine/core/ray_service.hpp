// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
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

// Ray casts against the city, offered to models through the plugin ABI (1.2). The physics
// module implements it; the plugin module only forwards. Implementations are thread-safe and
// their answers depend on the rays alone.
class RayService {
 public:
  virtual ~RayService() = default;
  virtual Status anyHit(std::span<const RayQuery> rays, std::span<std::uint8_t> blocked) const = 0;
  virtual Status closestHit(std::span<const RayQuery> rays, std::span<RayResult> hits) const = 0;
};

}  // namespace twin::core
