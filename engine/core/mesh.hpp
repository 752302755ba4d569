// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace twin::core {

// A triangle soup in local metres (z: height above sea level), with the entity each triangle
// belongs to (a building index, -1 for terrain): what the GIS module builds from a city and the
// physics module turns into a ray-cast world.
struct TriangleMesh {
  std::vector<float> xyz;              // 3 floats per vertex
  std::vector<std::uint32_t> indices;  // 3 per triangle
  std::vector<std::int32_t> owner;     // 1 per triangle

  std::size_t vertexCount() const { return xyz.size() / 3; }
  std::size_t triangleCount() const { return indices.size() / 3; }
  std::uint32_t addVertex(double x, double y, double z) {
    xyz.push_back(static_cast<float>(x));
    xyz.push_back(static_cast<float>(y));
    xyz.push_back(static_cast<float>(z));
    return static_cast<std::uint32_t>(xyz.size() / 3 - 1);
  }
  void addTriangle(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::int32_t who) {
    indices.push_back(a);
    indices.push_back(b);
    indices.push_back(c);
    owner.push_back(who);
  }
};

}  // namespace twin::core
