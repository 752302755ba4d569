// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cmath>
#include <span>
#include <vector>

namespace twin::gis {

// A point in local metres: x east, y north, relative to the city's origin (double precision).
struct Vec2 {
  double x = 0.0;
  double y = 0.0;
};

// A closed ring without the repeated closing vertex; outer rings counter-clockwise.
using Ring = std::vector<Vec2>;

struct Polygon {
  Ring outer;
  std::vector<Ring> holes;
};

// Axis-aligned box in local metres.
struct Box {
  double minX = 0.0, minY = 0.0, maxX = 0.0, maxY = 0.0;
  bool contains(Vec2 p) const { return p.x >= minX && p.x <= maxX && p.y >= minY && p.y <= maxY; }
  bool intersects(const Box& o) const {
    return minX <= o.maxX && o.minX <= maxX && minY <= o.maxY && o.minY <= maxY;
  }
  void expand(Vec2 p) {
    minX = std::min(minX, p.x);
    minY = std::min(minY, p.y);
    maxX = std::max(maxX, p.x);
    maxY = std::max(maxY, p.y);
  }
  static Box empty() { return Box{1e300, 1e300, -1e300, -1e300}; }
};

// Signed area (shoelace): positive for counter-clockwise rings.
double signedArea(std::span<const Vec2> ring);
// Area of a polygon: outer minus holes, in m².
double area(const Polygon& p);
// Area-weighted centroid of the outer ring (falls back to the vertex mean for degenerate rings).
Vec2 centroid(const Ring& ring);
// Even-odd point-in-polygon test, holes excluded.
bool contains(const Polygon& p, Vec2 q);
bool contains(const Ring& ring, Vec2 q);
// Length of a polyline in metres.
double length(std::span<const Vec2> line);
Box bounds(std::span<const Vec2> points);
inline double distance(Vec2 a, Vec2 b) {
  return std::hypot(a.x - b.x, a.y - b.y);
}

}  // namespace twin::gis
