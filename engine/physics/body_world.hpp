// SPDX-License-Identifier: Apache-2.0
// Rigid bodies among the city's buildings and terrain: a Bullet discrete dynamics world per model
// instance, with the city's BVH (shared, read-only) as static geometry.
#pragma once

#include <memory>

#include "core/ray_service.hpp"
#include "physics/ray_world.hpp"

namespace twin::physics {

// A body world over `city`, which must outlive it.
std::unique_ptr<core::BodyWorld> newBodyWorld(const RayWorld& city);

}  // namespace twin::physics
