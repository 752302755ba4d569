// SPDX-License-Identifier: Apache-2.0
// RayWorld's Bullet objects, shared by the ray casts and the body worlds (private header).
#pragma once

#include <BulletCollision/CollisionShapes/btBvhTriangleMeshShape.h>
#include <BulletCollision/CollisionShapes/btTriangleIndexVertexArray.h>

#include <array>
#include <memory>
#include <vector>

#include "core/mesh.hpp"
#include "physics/ray_world.hpp"

namespace twin::physics {

struct RayWorld::Impl {
  core::TriangleMesh mesh;
  std::vector<int> indices;  // Bullet wants int indices
  std::unique_ptr<btTriangleIndexVertexArray> array;
  std::unique_ptr<btBvhTriangleMeshShape> shape;
  std::array<float, 6> box{};
};

}  // namespace twin::physics
