// SPDX-License-Identifier: Apache-2.0
#include "gis/geometry.hpp"

namespace twin::gis {

double signedArea(std::span<const Vec2> ring) {
  if (ring.size() < 3)
    return 0.0;
  // shoelace relative to the first vertex, which keeps precision for large coordinates
  const Vec2 o = ring[0];
  double twice = 0.0;
  for (std::size_t i = 1; i + 1 < ring.size(); ++i) {
    const double ax = ring[i].x - o.x, ay = ring[i].y - o.y;
    const double bx = ring[i + 1].x - o.x, by = ring[i + 1].y - o.y;
    twice += ax * by - bx * ay;
  }
  return twice / 2.0;
}

double area(const Polygon& p) {
  double a = std::abs(signedArea(p.outer));
  for (const Ring& h : p.holes)
    a -= std::abs(signedArea(h));
  return std::max(a, 0.0);
}

Vec2 centroid(const Ring& ring) {
  if (ring.empty())
    return {};
  const Vec2 o = ring[0];
  double a2 = 0.0, cx = 0.0, cy = 0.0;
  for (std::size_t i = 0; i < ring.size(); ++i) {
    const Vec2 p{ring[i].x - o.x, ring[i].y - o.y};
    const Vec2 q{ring[(i + 1) % ring.size()].x - o.x, ring[(i + 1) % ring.size()].y - o.y};
    const double cross = p.x * q.y - q.x * p.y;
    a2 += cross;
    cx += (p.x + q.x) * cross;
    cy += (p.y + q.y) * cross;
  }
  if (std::abs(a2) < 1e-12) {
    Vec2 mean{};
    for (const Vec2& p : ring) {
      mean.x += p.x;
      mean.y += p.y;
    }
    return {mean.x / static_cast<double>(ring.size()), mean.y / static_cast<double>(ring.size())};
  }
  return {o.x + cx / (3.0 * a2), o.y + cy / (3.0 * a2)};
}

bool contains(const Ring& ring, Vec2 q) {
  bool inside = false;
  for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
    const Vec2 a = ring[i], b = ring[j];
    if ((a.y > q.y) != (b.y > q.y)) {
      const double x = a.x + (q.y - a.y) * (b.x - a.x) / (b.y - a.y);
      if (q.x < x)
        inside = !inside;
    }
  }
  return inside;
}

bool contains(const Polygon& p, Vec2 q) {
  if (p.outer.size() < 3 || !contains(p.outer, q))
    return false;
  for (const Ring& h : p.holes) {
    if (h.size() >= 3 && contains(h, q))
      return false;
  }
  return true;
}

double length(std::span<const Vec2> line) {
  double l = 0.0;
  for (std::size_t i = 1; i < line.size(); ++i)
    l += distance(line[i - 1], line[i]);
  return l;
}

Box bounds(std::span<const Vec2> points) {
  Box b = Box::empty();
  for (const Vec2& p : points)
    b.expand(p);
  return b;
}

}  // namespace twin::gis
