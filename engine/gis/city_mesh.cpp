// SPDX-License-Identifier: Apache-2.0
#include "gis/city_mesh.hpp"

#include <array>
#include <cmath>

#include "gis/geometry.hpp"

namespace twin::gis {
namespace {

double cross(Vec2 o, Vec2 a, Vec2 b) {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

bool inTriangle(Vec2 p, Vec2 a, Vec2 b, Vec2 c) {
  // counter-clockwise a, b, c: p inside or on an edge
  return cross(a, b, p) >= 0 && cross(b, c, p) >= 0 && cross(c, a, p) >= 0;
}

}  // namespace

std::vector<std::array<std::size_t, 3>> earClip(const Ring& ring) {
  std::vector<std::array<std::size_t, 3>> out;
  const std::size_t n = ring.size();
  if (n < 3)
    return out;
  // work counter-clockwise
  std::vector<std::size_t> idx(n);
  const bool ccw = signedArea(ring) >= 0;
  for (std::size_t i = 0; i < n; ++i)
    idx[i] = ccw ? i : n - 1 - i;
  std::size_t guard = 0;
  while (idx.size() > 3 && guard < 4 * n * n) {
    bool clipped = false;
    const std::size_t m = idx.size();
    for (std::size_t k = 0; k < m; ++k) {
      const std::size_t ip = idx[(k + m - 1) % m], ic = idx[k], in = idx[(k + 1) % m];
      const Vec2 a = ring[ip], b = ring[ic], c = ring[in];
      ++guard;
      if (cross(a, b, c) <= 0)
        continue;  // reflex or flat
      bool empty = true;
      for (std::size_t j = 0; j < m && empty; ++j) {
        const std::size_t q = idx[j];
        if (q == ip || q == ic || q == in)
          continue;
        const Vec2 p = ring[q];
        if ((p.x == a.x && p.y == a.y) || (p.x == b.x && p.y == b.y) || (p.x == c.x && p.y == c.y))
          continue;
        empty = !inTriangle(p, a, b, c);
      }
      if (!empty)
        continue;
      out.push_back({ip, ic, in});
      idx.erase(idx.begin() + static_cast<std::ptrdiff_t>(k));
      clipped = true;
      break;
    }
    if (!clipped)
      break;  // not simple: stop with what was clipped
  }
  if (idx.size() == 3 && cross(ring[idx[0]], ring[idx[1]], ring[idx[2]]) > 0)
    out.push_back({idx[0], idx[1], idx[2]});
  return out;
}

core::TriangleMesh cityTriangles(const CityModel& city, const CityMeshOptions& options) {
  core::TriangleMesh m;
  for (std::size_t bi = 0; bi < city.buildings.size(); ++bi) {
    const Building& b = city.buildings[bi];
    const auto who = static_cast<std::int32_t>(bi);
    if (!b.meshVertices.empty()) {
      for (std::size_t t = 0; t + 2 < b.meshVertices.size(); t += 3) {
        std::array<std::uint32_t, 3> v{};
        for (std::size_t k = 0; k < 3; ++k) {
          const Vec3& p = b.meshVertices[t + k];
          v[k] = m.addVertex(p.x, p.y, p.z);
        }
        m.addTriangle(v[0], v[1], v[2], who);
      }
      continue;
    }
    const double z0 = b.groundZ, z1 = b.groundZ + b.heightM;
    for (const Polygon& part : b.parts) {
      auto walls = [&](const Ring& r) {
        for (std::size_t i = 0; i < r.size(); ++i) {
          const Vec2 a = r[i], c = r[(i + 1) % r.size()];
          if (a.x == c.x && a.y == c.y)
            continue;
          const std::uint32_t v0 = m.addVertex(a.x, a.y, z0), v1 = m.addVertex(c.x, c.y, z0),
                              v2 = m.addVertex(c.x, c.y, z1), v3 = m.addVertex(a.x, a.y, z1);
          m.addTriangle(v0, v1, v2, who);
          m.addTriangle(v0, v2, v3, who);
        }
      };
      walls(part.outer);
      for (const Ring& h : part.holes)
        walls(h);
      if (options.roofs && part.outer.size() >= 3) {
        const std::uint32_t base = static_cast<std::uint32_t>(m.vertexCount());
        for (const Vec2& p : part.outer)
          m.addVertex(p.x, p.y, z1);
        for (const auto& t : earClip(part.outer)) {
          m.addTriangle(base + static_cast<std::uint32_t>(t[0]),
                        base + static_cast<std::uint32_t>(t[1]),
                        base + static_cast<std::uint32_t>(t[2]), who);
        }
      }
    }
  }
  if (options.terrain) {
    for (const TerrainTile& tile : city.terrain) {
      // vertices at the cell centres, two triangles per quad of four valid centres
      const std::uint32_t base = static_cast<std::uint32_t>(m.vertexCount());
      for (int r = 0; r < tile.rows; ++r) {
        for (int c = 0; c < tile.cols; ++c) {
          const float z = tile.z[static_cast<std::size_t>(r) * static_cast<std::size_t>(tile.cols) +
                                 static_cast<std::size_t>(c)];
          m.addVertex(tile.x0 + (c + 0.5) * tile.cellX, tile.y0 + (r + 0.5) * tile.cellY,
                      std::isnan(z) ? 0.0 : static_cast<double>(z));
        }
      }
      auto at = [&](int r, int c) { return base + static_cast<std::uint32_t>(r * tile.cols + c); };
      auto valid = [&](int r, int c) {
        return !std::isnan(tile.z[static_cast<std::size_t>(r * tile.cols + c)]);
      };
      for (int r = 0; r + 1 < tile.rows; ++r) {
        for (int c = 0; c + 1 < tile.cols; ++c) {
          if (!valid(r, c) || !valid(r, c + 1) || !valid(r + 1, c) || !valid(r + 1, c + 1))
            continue;
          m.addTriangle(at(r, c), at(r + 1, c), at(r + 1, c + 1), -1);
          m.addTriangle(at(r, c), at(r + 1, c + 1), at(r, c + 1), -1);
        }
      }
    }
  }
  return m;
}

}  // namespace twin::gis
