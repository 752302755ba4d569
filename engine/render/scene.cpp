// SPDX-License-Identifier: Apache-2.0
// The static city scene: land use, roads, rail, water, the park outline and buildings merged
// per 1 km tile (a few hundred drawables for a whole city, VBOs, no display lists).
#include <osg/Geometry>
#include <osg/LOD>
#include <osg/State>
#include <osg/Texture2D>
#include <osg/TriangleFunctor>
#include <osgUtil/Tessellator>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <map>
#include <numbers>
#include <span>
#include <thread>

#include "render/detail/scene.hpp"

namespace twin::render::detail {
namespace {
using gis::Vec2;

constexpr double kTileM = 1000.0;  // about 3 drawables per km² of city
constexpr double kFarM = 2000.0;   // tiles whose centre is farther from the eye: simplified

// a restrained palette: light ground, warm residential, cooler work places
osg::Vec4 landUseColour(gis::LandUseClass c) {
  static const std::array<osg::Vec4, gis::kLandUseClassCount> kColours{{
      {0.89f, 0.87f, 0.83f, 1.f},  // residential
      {0.90f, 0.85f, 0.81f, 1.f},  // commercial
      {0.85f, 0.82f, 0.86f, 1.f},  // industrial
      {0.76f, 0.85f, 0.68f, 1.f},  // green
      {0.60f, 0.75f, 0.55f, 1.f},  // forest
      {0.89f, 0.89f, 0.76f, 1.f},  // farmland
      {0.56f, 0.73f, 0.87f, 1.f},  // water
      {0.83f, 0.81f, 0.79f, 1.f},  // railway
      {0.87f, 0.86f, 0.83f, 1.f},  // other
  }};
  return kColours[static_cast<std::size_t>(c)];
}

osg::Vec4 buildingColour(const gis::Building& b) {
  if (b.ancillary)
    return {0.80f, 0.78f, 0.75f, 1.f};
  static const std::array<osg::Vec4, gis::kUseClassCount> kColours{{
      {0.94f, 0.82f, 0.64f, 1.f},  // residential: sand
      {0.87f, 0.58f, 0.47f, 1.f},  // commercial: terracotta
      {0.57f, 0.67f, 0.81f, 1.f},  // office: blue grey
      {0.64f, 0.60f, 0.72f, 1.f},  // industrial: violet grey
      {0.91f, 0.74f, 0.46f, 1.f},  // public: amber
      {0.76f, 0.64f, 0.86f, 1.f},  // education: lilac
      {0.86f, 0.48f, 0.52f, 1.f},  // health: rose
      {0.82f, 0.80f, 0.76f, 1.f},  // other: grey
  }};
  return kColours[static_cast<std::size_t>(b.use)];
}

// the bin of a wall's outward normal (horizontal) by the compass direction it faces; -1 for
// faces that are not walls
int wallBin(const osg::Vec3& normal) {
  if (std::abs(normal.z()) > 1e-4f * normal.length() || normal.length2() == 0.f)
    return -1;
  double a = std::atan2(static_cast<double>(normal.y()), static_cast<double>(normal.x()));
  if (a < 0.0)
    a += 2.0 * std::numbers::pi;
  return std::clamp(static_cast<int>(a / (2.0 * std::numbers::pi) * kWallBins), 0, kWallBins - 1);
}

// indexed triangles of one tile and one layer, with the sun's light baked into the colours
// (flat faces: a quad is 4 vertices, a polygon shares its corners)
struct Mesh {
  osg::ref_ptr<osg::Vec3Array> v = new osg::Vec3Array;
  osg::ref_ptr<osg::Vec4Array> c = new osg::Vec4Array;
  osg::ref_ptr<osg::DrawElementsUInt> idx = new osg::DrawElementsUInt(GL_TRIANGLES);
  std::vector<float> light;  // n.l per vertex, to recolour with the same shading
  // building tiles: walls apart from the other faces, by the direction they face (FacingElements)
  bool binWalls = false;
  std::array<std::vector<unsigned>, kWallBins> wallIdx;
  int binOf(const osg::Vec3& normal) const { return binWalls ? wallBin(normal) : -1; }
  void put(unsigned i, int bin) {
    if (bin >= 0)
      wallIdx[static_cast<std::size_t>(bin)].push_back(i);
    else
      idx->push_back(i);
  }
  unsigned add(const osg::Vec3& p, float nl, const osg::Vec4& colour) {
    v->push_back(p);
    c->push_back(litColour(colour, nl));
    light.push_back(nl);
    return static_cast<unsigned>(v->size() - 1);
  }
  // triangles wind counter-clockwise seen from the side `normal` points to, so back faces can
  // be culled
  static bool facing(const osg::Vec3& a, const osg::Vec3& b, const osg::Vec3& d,
                     const osg::Vec3& normal) {
    return ((b - a) ^ (d - a)) * normal >= 0.f;
  }
  void tri(const osg::Vec3& a, const osg::Vec3& b, const osg::Vec3& d, const osg::Vec3& normal,
           const osg::Vec4& colour) {
    const float nl = sunLight(normal);
    const bool ccw = facing(a, b, d, normal);
    const int bin = binOf(normal);
    for (const osg::Vec3* p : {&a, ccw ? &b : &d, ccw ? &d : &b})
      put(add(*p, nl, colour), bin);
  }
  void quad(const osg::Vec3& a, const osg::Vec3& b, const osg::Vec3& d, const osg::Vec3& e,
            const osg::Vec3& normal, const osg::Vec4& colour) {
    const float nl = sunLight(normal);
    const unsigned i = add(a, nl, colour), j = add(b, nl, colour), k = add(d, nl, colour),
                   l = add(e, nl, colour);
    const int bin = binOf(normal);
    if (facing(a, b, d, normal)) {
      for (unsigned q : {i, j, k, i, k, l})
        put(q, bin);
    } else {
      for (unsigned q : {i, k, j, i, l, k})
        put(q, bin);
    }
  }
  // a flat triangulated polygon: corners the triangles share are one vertex
  void polygon(const std::vector<osg::Vec3>& tris, const osg::Vec3& normal,
               const osg::Vec4& colour) {
    const float nl = sunLight(normal);
    std::map<std::pair<float, float>, unsigned> seen;
    for (std::size_t t = 0; t + 2 < tris.size(); t += 3) {
      const bool ccw = facing(tris[t], tris[t + 1], tris[t + 2], normal);
      for (std::size_t k : {t, ccw ? t + 1 : t + 2, ccw ? t + 2 : t + 1}) {
        auto [it, fresh] = seen.try_emplace({tris[k].x(), tris[k].y()}, 0u);
        if (fresh)
          it->second = add(tris[k], nl, colour);
        idx->push_back(it->second);
      }
    }
  }
};

struct TriangleCollector {
  std::vector<osg::Vec3>* out = nullptr;
  void operator()(const osg::Vec3& a, const osg::Vec3& b, const osg::Vec3& c) const {
    out->push_back(a);
    out->push_back(b);
    out->push_back(c);
  }
};

// triangulates a polygon with holes at height z (GLU tessellator through osgUtil, odd winding);
// a convex ring without holes (most footprints) as a fan, without the tessellator's set-up
std::vector<osg::Vec3> triangulate(const gis::Polygon& p, float z) {
  if (p.holes.empty() && p.outer.size() >= 3) {
    const gis::Ring& r = p.outer;
    // convex: every turn the same way, and once round in all (not a star winding twice)
    bool pos = false, neg = false;
    double turning = 0.0;
    for (std::size_t i = 0; i < r.size() && !(pos && neg); ++i) {
      const Vec2 a = r[i], b = r[(i + 1) % r.size()], c = r[(i + 2) % r.size()];
      const double cross = (b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x);
      const double dot = (b.x - a.x) * (c.x - b.x) + (b.y - a.y) * (c.y - b.y);
      pos = pos || cross > 0.0;
      neg = neg || cross < 0.0;
      turning += std::atan2(cross, dot);
    }
    if (pos != neg && std::abs(std::abs(turning) - 2.0 * std::numbers::pi) < 0.01) {
      std::vector<osg::Vec3> tris;
      tris.reserve(3 * (r.size() - 2));
      auto at = [&](std::size_t i) {
        return osg::Vec3(static_cast<float>(r[i].x), static_cast<float>(r[i].y), z);
      };
      for (std::size_t i = 1; i + 1 < r.size(); ++i) {
        tris.push_back(at(0));
        tris.push_back(at(i));
        tris.push_back(at(i + 1));
      }
      return tris;
    }
  }
  osg::ref_ptr<osg::Geometry> g = new osg::Geometry;
  osg::ref_ptr<osg::Vec3Array> v = new osg::Vec3Array;
  auto addRing = [&](const gis::Ring& r) {
    const auto first = static_cast<GLint>(v->size());
    for (const Vec2& q : r)
      v->push_back({static_cast<float>(q.x), static_cast<float>(q.y), z});
    g->addPrimitiveSet(new osg::DrawArrays(GL_POLYGON, first, static_cast<GLsizei>(r.size())));
  };
  g->setVertexArray(v);
  addRing(p.outer);
  for (const gis::Ring& h : p.holes) {
    if (h.size() >= 3)
      addRing(h);
  }
  osg::ref_ptr<osgUtil::Tessellator> t = new osgUtil::Tessellator;
  t->setTessellationType(osgUtil::Tessellator::TESS_TYPE_GEOMETRY);
  t->setWindingType(osgUtil::Tessellator::TESS_WINDING_ODD);
  t->setBoundaryOnly(false);
  t->retessellatePolygons(*g);
  std::vector<osg::Vec3> tris;
  osg::TriangleFunctor<TriangleCollector> f;
  f.out = &tris;
  g->accept(f);
  return tris;
}

// The ground's height in the scene: the DEM relative to its lowest point (so z stays small and
// precise in floats), 0 without one.
struct GroundHeight {
  const gis::CityModel* city = nullptr;
  double baseZ = 0.0;
  double step = 25.0;  // terrain grid spacing (m)
  float at(Vec2 p) const {
    double h = city->groundAt(p);
    if (std::isnan(h)) {
      // beyond the DEM (the margin around the city): the height at the nearest point of the
      // city's extent, so the ground does not drop off at the edge
      const gis::Box& e = city->extent;
      h = city->groundAt({std::clamp(p.x, e.minX + 1.0, e.maxX - 1.0),
                          std::clamp(p.y, e.minY + 1.0, e.maxY - 1.0)});
    }
    return std::isnan(h) ? 0.f : static_cast<float>(h - baseZ);
  }
  std::vector<Vec2> densify(const std::vector<Vec2>& line) const {
    std::vector<Vec2> out;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (i > 0) {
        const Vec2 a = line[i - 1], b = line[i];
        const auto n = static_cast<int>(std::ceil(std::hypot(b.x - a.x, b.y - a.y) / step));
        for (int k = 1; k < n; ++k) {
          const double t = static_cast<double>(k) / n;
          out.push_back({a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t});
        }
      }
      out.push_back(line[i]);
    }
    return out;
  }
};
// set while a scene with terrain is built (one build at a time per thread)
thread_local const GroundHeight* gGround = nullptr;

// a polyline as a flat ribbon of `width` metres at height z, its centre `offset` metres to the
// right of the line (right-hand traffic: each direction of a two-way road on its own side)
void ribbon(Mesh& m, const std::vector<Vec2>& input, double width, float z, const osg::Vec4& colour,
            double offset = 0.0) {
  const double h = width / 2.0;
  // on terrain: segments no longer than the terrain grid, each end at the ground's height
  const std::vector<Vec2> line = gGround != nullptr ? gGround->densify(input) : input;
  for (std::size_t i = 1; i < line.size(); ++i) {
    const Vec2 a = line[i - 1], b = line[i];
    const float za = z + (gGround != nullptr ? gGround->at(a) : 0.f);
    const float zb = z + (gGround != nullptr ? gGround->at(b) : 0.f);
    const double dx = b.x - a.x, dy = b.y - a.y, len = std::hypot(dx, dy);
    if (len <= 0.0)
      continue;
    const double lx = -dy / len, ly = dx / len;  // unit normal to the left
    const double l0 = -offset + h, r0 = -offset - h;
    const osg::Vec3 up(0, 0, 1);
    m.quad({static_cast<float>(a.x + lx * l0), static_cast<float>(a.y + ly * l0), za},
           {static_cast<float>(a.x + lx * r0), static_cast<float>(a.y + ly * r0), za},
           {static_cast<float>(b.x + lx * r0), static_cast<float>(b.y + ly * r0), zb},
           {static_cast<float>(b.x + lx * l0), static_cast<float>(b.y + ly * l0), zb}, up, colour);
  }
}

// Douglas & Peucker (1973) line simplification of one stretch of a ring: keeps the vertices
// more than `tol` metres off the chord, recursively
void douglasPeucker(const gis::Ring& r, std::size_t i, std::size_t j, double tol,
                    std::vector<bool>& keep) {
  if (j <= i + 1)
    return;
  const Vec2 a = r[i], b = r[j % r.size()];
  const double dx = b.x - a.x, dy = b.y - a.y, len = std::hypot(dx, dy);
  double worst = -1.0;
  std::size_t at = i;
  for (std::size_t k = i + 1; k < j; ++k) {
    const double d = len > 0.0 ? std::abs(dx * (r[k].y - a.y) - dy * (r[k].x - a.x)) / len
                               : std::hypot(r[k].x - a.x, r[k].y - a.y);
    if (d > worst) {
      worst = d;
      at = k;
    }
  }
  if (worst > tol) {
    keep[at] = true;
    douglasPeucker(r, i, at, tol, keep);
    douglasPeucker(r, at, j, tol, keep);
  }
}

// a ring (not closed) simplified to `tol` metres; rings that would collapse stay as they are
gis::Ring simplifyRing(const gis::Ring& r, double tol) {
  if (r.size() <= 4)
    return r;
  // split at vertex 0 and the vertex farthest from it, simplify both halves
  std::size_t far = 0;
  double best = -1.0;
  for (std::size_t k = 1; k < r.size(); ++k) {
    const double d = std::hypot(r[k].x - r[0].x, r[k].y - r[0].y);
    if (d > best) {
      best = d;
      far = k;
    }
  }
  std::vector<bool> keep(r.size(), false);
  keep[0] = keep[far] = true;
  douglasPeucker(r, 0, far, tol, keep);
  douglasPeucker(r, far, r.size(), tol, keep);
  gis::Ring out;
  for (std::size_t k = 0; k < r.size(); ++k) {
    if (keep[k])
      out.push_back(r[k]);
  }
  return out.size() >= 3 ? out : r;
}

// an open polyline simplified to `tol` metres, its ends kept
std::vector<Vec2> simplifyLine(const std::vector<Vec2>& line, double tol) {
  if (line.size() <= 2)
    return line;
  std::vector<bool> keep(line.size(), false);
  keep.front() = keep.back() = true;
  douglasPeucker(line, 0, line.size() - 1, tol, keep);
  std::vector<Vec2> out;
  for (std::size_t k = 0; k < line.size(); ++k) {
    if (keep[k])
      out.push_back(line[k]);
  }
  return out;
}

// ---- pitched roofs from OSM roof:shape ------------------------------------------------------
// The roof is the minimum of a few planes over the footprint's minimum-area rectangle (u along
// its long side, v across): gabled = two planes meeting at the ridge, hipped = four (the ends
// with the same pitch), pyramidal = four meeting at the apex, skillion = one. Each plane's region
// is convex, so the footprint is clipped into it (Sutherland & Hodgman 1974), triangulated and
// lifted; walls rise to the roof line, split where the active plane changes.
struct RoofPlane {
  double a = 0, b = 0, c = 0;  // z above the eaves = a x + b y + c
  double at(Vec2 p) const { return a * p.x + b * p.y + c; }
};

struct RoofFrame {
  Vec2 centre;
  Vec2 axis;  // unit vector along the long side
  double length = 0, width = 0;
};

// minimum-area enclosing rectangle over the convex hull's edge directions (Freeman & Shapira 1975)
RoofFrame roofFrame(const gis::Ring& ring) {
  std::vector<Vec2> pts(ring.begin(), ring.end());
  std::sort(pts.begin(), pts.end(),
            [](Vec2 p, Vec2 q) { return p.x != q.x ? p.x < q.x : p.y < q.y; });
  auto cross = [](Vec2 o, Vec2 p, Vec2 q) {
    return (p.x - o.x) * (q.y - o.y) - (p.y - o.y) * (q.x - o.x);
  };
  std::vector<Vec2> hull;  // Andrew's monotone chain
  for (int pass = 0; pass < 2; ++pass) {
    const std::size_t start = hull.size();
    for (const Vec2& p : pts) {
      while (hull.size() >= start + 2 && cross(hull[hull.size() - 2], hull.back(), p) <= 0)
        hull.pop_back();
      hull.push_back(p);
    }
    hull.pop_back();
    std::reverse(pts.begin(), pts.end());
  }
  RoofFrame best;
  double bestArea = INFINITY;
  for (std::size_t i = 0; i < hull.size(); ++i) {
    const Vec2 e{hull[(i + 1) % hull.size()].x - hull[i].x,
                 hull[(i + 1) % hull.size()].y - hull[i].y};
    const double len = std::hypot(e.x, e.y);
    if (len <= 0)
      continue;
    const Vec2 u{e.x / len, e.y / len};
    double u0 = INFINITY, u1 = -INFINITY, v0 = INFINITY, v1 = -INFINITY;
    for (const Vec2& p : hull) {
      const double pu = p.x * u.x + p.y * u.y, pv = -p.x * u.y + p.y * u.x;
      u0 = std::min(u0, pu);
      u1 = std::max(u1, pu);
      v0 = std::min(v0, pv);
      v1 = std::max(v1, pv);
    }
    const double area = (u1 - u0) * (v1 - v0);
    if (area < bestArea) {
      bestArea = area;
      const double cu = (u0 + u1) / 2, cv = (v0 + v1) / 2;
      best.centre = {cu * u.x - cv * u.y, cu * u.y + cv * u.x};
      if (u1 - u0 >= v1 - v0) {
        best.axis = u;
        best.length = u1 - u0;
        best.width = v1 - v0;
      } else {
        best.axis = {-u.y, u.x};
        best.length = v1 - v0;
        best.width = u1 - u0;
      }
    }
  }
  return best;
}

// the planes of a roof of height h over the frame (z above the eaves)
std::vector<RoofPlane> roofPlanes(gis::RoofShape shape, const RoofFrame& f, double h) {
  // u = (p - centre) . axis, v = (p - centre) . normal; a plane k (d - s t) with t = u or v
  const Vec2 ax = f.axis, nv{-f.axis.y, f.axis.x};
  auto plane = [&](Vec2 dir, double half, double sign, double k) {
    // z = k (half - sign * ((p - centre) . dir))
    RoofPlane r;
    r.a = -k * sign * dir.x;
    r.b = -k * sign * dir.y;
    r.c = k * (half + sign * (f.centre.x * dir.x + f.centre.y * dir.y));
    return r;
  };
  const double hl = f.length / 2, hw = f.width / 2;
  switch (shape) {
    case gis::RoofShape::Gabled:
      return {plane(nv, hw, 1, h / hw), plane(nv, hw, -1, h / hw)};
    case gis::RoofShape::Hipped:
      return {plane(nv, hw, 1, h / hw), plane(nv, hw, -1, h / hw), plane(ax, hl, 1, h / hw),
              plane(ax, hl, -1, h / hw)};
    case gis::RoofShape::Pyramidal:
      return {plane(nv, hw, 1, h / hw), plane(nv, hw, -1, h / hw), plane(ax, hl, 1, h / hl),
              plane(ax, hl, -1, h / hl)};
    case gis::RoofShape::Skillion:
      return {plane(nv, hw, 1, h / (2 * hw))};  // high along one long side
    default:
      return {};
  }
}

// keeps the part of a ring where a x + b y + c >= 0 (Sutherland-Hodgman, one half-plane)
gis::Ring clipRing(const gis::Ring& ring, double a, double b, double c) {
  gis::Ring out;
  for (std::size_t i = 0; i < ring.size(); ++i) {
    const Vec2 p = ring[i], q = ring[(i + 1) % ring.size()];
    const double dp = a * p.x + b * p.y + c, dq = a * q.x + b * q.y + c;
    if (dp >= 0)
      out.push_back(p);
    if ((dp >= 0) != (dq >= 0)) {
      const double t = dp / (dp - dq);
      out.push_back({p.x + (q.x - p.x) * t, p.y + (q.y - p.y) * t});
    }
  }
  return out;
}

double roofAt(const std::vector<RoofPlane>& planes, Vec2 p) {
  double z = INFINITY;
  for (const RoofPlane& r : planes)
    z = std::min(z, r.at(p));
  return std::max(0.0, z);
}

// a closed ring as a raised band (the park outline)
void band(Mesh& m, const gis::Ring& ring, double width, float z, const osg::Vec4& colour) {
  std::vector<Vec2> closed(ring.begin(), ring.end());
  if (!closed.empty())
    closed.push_back(closed.front());
  ribbon(m, closed, width, z, colour);
}

using TileKey = std::pair<int, int>;
TileKey tileOf(Vec2 p) {
  return {static_cast<int>(std::floor(p.x / kTileM)), static_cast<int>(std::floor(p.y / kTileM))};
}

// a tile's mesh as one indexed geometry in a VBO; a building tile's walls after its other faces,
// bin by bin, drawn as far as they can face the eye
osg::ref_ptr<osg::Geometry> tileGeometry(Mesh& m) {
  osg::ref_ptr<osg::Geometry> g = new osg::Geometry;
  g->setUseDisplayList(false);
  g->setUseVertexBufferObjects(true);
  g->setVertexArray(m.v);
  g->setColorArray(m.c, osg::Array::BIND_PER_VERTEX);
  if (!m.binWalls) {
    g->addPrimitiveSet(m.idx);
    return g;
  }
  osg::ref_ptr<FacingElements> f = new FacingElements;
  f->reserve(m.idx->size() + [&] {
    std::size_t n = 0;
    for (const auto& w : m.wallIdx)
      n += w.size();
    return n;
  }());
  f->insert(f->end(), m.idx->begin(), m.idx->end());
  f->ends[0] = static_cast<unsigned>(f->size());
  for (std::size_t k = 0; k < m.wallIdx.size(); ++k) {
    f->insert(f->end(), m.wallIdx[k].begin(), m.wallIdx[k].end());
    f->ends[k + 1] = static_cast<unsigned>(f->size());
    m.wallIdx[k] = {};
  }
  osg::BoundingBox box;
  for (const osg::Vec3& p : *m.v)
    box.expandBy(p);
  f->minXY = {box.xMin(), box.yMin()};
  f->maxXY = {box.xMax(), box.yMax()};
  m.idx = f;
  g->addPrimitiveSet(f);
  return g;
}

// one geometry per non-empty tile
osg::ref_ptr<osg::Geode> geodeOf(std::map<TileKey, Mesh>& tiles) {
  osg::ref_ptr<osg::Geode> geode = new osg::Geode;
  for (auto& [key, m] : tiles) {
    if (!m.v->empty())
      geode->addDrawable(tileGeometry(m));
  }
  return geode;
}

// the geometries value layers recolour: appended to `geoms` (index: tile -> position there)
// with each vertex's sun n.l in `light`
void recolourableGeometries(std::map<TileKey, Mesh>& tiles,
                            std::vector<osg::ref_ptr<osg::Geometry>>& geoms,
                            std::map<TileKey, int>& index, std::vector<std::vector<float>>& light) {
  for (auto& [key, m] : tiles) {
    if (m.v->empty())
      continue;
    osg::ref_ptr<osg::Geometry> g = tileGeometry(m);
    g->setDataVariance(osg::Object::DYNAMIC);  // colours change with value layers
    index[key] = static_cast<int>(geoms.size());
    light.push_back(std::move(m.light));
    geoms.push_back(g);
  }
}

struct PendingRange {
  TileKey tile;
  unsigned first = 0, count = 0;
};

}  // namespace

float sunLight(const osg::Vec3& normal) {
  // a sun from the south-west, 41 degrees high
  static const osg::Vec3 kSun = [] {
    osg::Vec3 d(-0.45f, -0.6f, 0.66f);
    d.normalize();
    return d;
  }();
  osg::Vec3 n = normal;
  if (n.normalize() <= 0.f)
    return 0.f;
  return std::max(0.f, n * kSun);
}

osg::Vec4 litColour(const osg::Vec4& colour, float nl) {
  // fixed-function lighting (colour as ambient and diffuse material): sky ambient plus the
  // sun's diffuse term, clamped as OpenGL clamps
  const osg::Vec3 ambient(0.55f, 0.55f, 0.57f), diffuse(0.55f, 0.53f, 0.50f);
  return {std::min(1.f, colour.r() * (ambient.x() + diffuse.x() * nl)),
          std::min(1.f, colour.g() * (ambient.y() + diffuse.y() * nl)),
          std::min(1.f, colour.b() * (ambient.z() + diffuse.z() * nl)), colour.a()};
}

float CityScene::groundAt(double x, double y) const {
  if (!hasTerrain || city == nullptr)
    return 0.f;
  const double h = city->groundAt({x, y});
  return std::isnan(h) ? 0.f : static_cast<float>(h - groundBase);
}

osg::ref_ptr<osg::Geometry> polygonGeometry(const gis::Polygon& polygon, float z,
                                            const osg::Vec4& colour) {
  if (polygon.outer.size() < 3)
    return nullptr;
  const std::vector<osg::Vec3> tris = triangulate(polygon, z);
  if (tris.empty())
    return nullptr;
  osg::ref_ptr<osg::Geometry> g = new osg::Geometry;
  g->setVertexArray(new osg::Vec3Array(tris.begin(), tris.end()));
  osg::ref_ptr<osg::Vec4Array> c = new osg::Vec4Array;
  c->push_back(colour);
  g->setColorArray(c, osg::Array::BIND_OVERALL);
  g->addPrimitiveSet(new osg::DrawArrays(GL_TRIANGLES, 0, static_cast<GLsizei>(tris.size())));
  return g;
}

namespace {

// Land use painted into one image (larger areas first, smaller ones over them), lit by the sun
// from above: the ground is then a single textured layer (no overdraw of stacked polygons)
// that also drapes over terrain.
osg::ref_ptr<osg::Image> landUseImage(const gis::CityModel& city, double x0, double y0, double cell,
                                      int w, int h) {
  osg::ref_ptr<osg::Image> img = new osg::Image;
  img->allocateImage(w, h, 1, GL_RGB, GL_UNSIGNED_BYTE);
  unsigned char* px = img->data();
  auto rgb = [](const osg::Vec4& c, unsigned char out[3]) {
    for (unsigned k = 0; k < 3; ++k)
      out[k] = static_cast<unsigned char>(std::lround(std::clamp(c[k], 0.f, 1.f) * 255.f));
  };
  unsigned char base[3];
  rgb(osg::Vec4(0.87f, 0.86f, 0.83f, 1.f), base);
  for (int i = 0; i < w * h; ++i)
    std::copy(base, base + 3, px + 3 * i);
  std::vector<std::size_t> order(city.landUse.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return city.landUse[a].areaM2 > city.landUse[b].areaM2;
  });
  for (std::size_t i : order) {
    const gis::LandUseArea& a = city.landUse[i];
    unsigned char c[3];
    rgb(landUseColour(a.landUse), c);
    const std::vector<osg::Vec3> tris = triangulate(a.polygon, 0.f);
    // each triangle filled at the pixel centres inside it (edge functions)
    for (std::size_t t = 0; t + 2 < tris.size(); t += 3) {
      double vx[3], vy[3];
      for (int k = 0; k < 3; ++k) {
        vx[k] = (tris[t + static_cast<std::size_t>(k)].x() - x0) / cell;
        vy[k] = (tris[t + static_cast<std::size_t>(k)].y() - y0) / cell;
      }
      const double area = (vx[1] - vx[0]) * (vy[2] - vy[0]) - (vy[1] - vy[0]) * (vx[2] - vx[0]);
      if (area == 0.0)
        continue;
      const int c0 = std::max(0, static_cast<int>(std::floor(std::min({vx[0], vx[1], vx[2]}))));
      const int c1 = std::min(w - 1, static_cast<int>(std::ceil(std::max({vx[0], vx[1], vx[2]}))));
      const int r0 = std::max(0, static_cast<int>(std::floor(std::min({vy[0], vy[1], vy[2]}))));
      const int r1 = std::min(h - 1, static_cast<int>(std::ceil(std::max({vy[0], vy[1], vy[2]}))));
      for (int r = r0; r <= r1; ++r) {
        for (int col = c0; col <= c1; ++col) {
          const double qx = col + 0.5, qy = r + 0.5;
          bool inside = true;
          for (int k = 0; k < 3 && inside; ++k) {
            const int l = (k + 1) % 3;
            const double e = (vx[l] - vx[k]) * (qy - vy[k]) - (vy[l] - vy[k]) * (qx - vx[k]);
            inside = area > 0 ? e >= 0 : e <= 0;
          }
          if (inside)
            std::copy(c, c + 3, px + 3 * (static_cast<std::ptrdiff_t>(r) * w + col));
        }
      }
    }
  }
  return img;
}

osg::ref_ptr<osg::Geode> groundLayer(const gis::CityModel& city, const GroundHeight& heights,
                                     bool terrain) {
  const gis::Box& e = city.extent;
  const double x0 = e.minX - 200, y0 = e.minY - 200, x1 = e.maxX + 200, y1 = e.maxY + 200;
  // about 4 m per pixel for a city like Aachen, at most 2048 pixels a side
  const double cell = std::max(2.0, std::max(x1 - x0, y1 - y0) / 2048.0);
  const int w = std::max(1, static_cast<int>(std::ceil((x1 - x0) / cell)));
  const int h = std::max(1, static_cast<int>(std::ceil((y1 - y0) / cell)));
  osg::ref_ptr<osg::Texture2D> tex = new osg::Texture2D(landUseImage(city, x0, y0, cell, w, h));
  tex->setFilter(osg::Texture::MIN_FILTER, osg::Texture::LINEAR_MIPMAP_NEAREST);
  tex->setFilter(osg::Texture::MAG_FILTER, osg::Texture::LINEAR);
  tex->setWrap(osg::Texture::WRAP_S, osg::Texture::CLAMP_TO_EDGE);
  tex->setWrap(osg::Texture::WRAP_T, osg::Texture::CLAMP_TO_EDGE);
  tex->setResizeNonPowerOfTwoHint(false);
  const double tw = w * cell, th = h * cell;  // the image's extent
  // flat: one quad; terrain: a grid at the ground's height, shaded by its slopes
  const int nx = terrain ? std::max(1, static_cast<int>(std::ceil((x1 - x0) / heights.step))) : 1;
  const int ny = terrain ? std::max(1, static_cast<int>(std::ceil((y1 - y0) / heights.step))) : 1;
  osg::ref_ptr<osg::Vec3Array> v = new osg::Vec3Array;
  osg::ref_ptr<osg::Vec2Array> t = new osg::Vec2Array;
  osg::ref_ptr<osg::Vec4Array> c = new osg::Vec4Array;
  auto zAt = [&](double x, double y) { return terrain ? heights.at({x, y}) : -0.05f; };
  for (int j = 0; j <= ny; ++j) {
    for (int i = 0; i <= nx; ++i) {
      const double x = x0 + (x1 - x0) * i / nx, y = y0 + (y1 - y0) * j / ny;
      v->push_back({static_cast<float>(x), static_cast<float>(y), zAt(x, y)});
      t->push_back({static_cast<float>((x - x0) / tw), static_cast<float>((y - y0) / th)});
      osg::Vec3 normal(0.f, 0.f, 1.f);
      if (terrain) {
        const double d = heights.step;
        normal = {zAt(x - d, y) - zAt(x + d, y), zAt(x, y - d) - zAt(x, y + d),
                  static_cast<float>(2.0 * d)};
      }
      c->push_back(litColour({1.f, 1.f, 1.f, 1.f}, sunLight(normal)));
    }
  }
  osg::ref_ptr<osg::DrawElementsUInt> idx = new osg::DrawElementsUInt(GL_TRIANGLES);
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      const auto a = static_cast<unsigned>(j * (nx + 1) + i), b = a + 1,
                 d = a + static_cast<unsigned>(nx + 1), e2 = d + 1;
      for (unsigned q : {a, b, e2, a, e2, d})  // counter-clockwise from above
        idx->push_back(q);
    }
  }
  osg::ref_ptr<osg::Geometry> g = new osg::Geometry;
  g->setUseDisplayList(false);
  g->setUseVertexBufferObjects(true);
  g->setVertexArray(v);
  g->setTexCoordArray(0, t);
  g->setColorArray(c, osg::Array::BIND_PER_VERTEX);
  g->addPrimitiveSet(idx);
  g->getOrCreateStateSet()->setTextureAttributeAndModes(0, tex);
  osg::ref_ptr<osg::Geode> geode = new osg::Geode;
  geode->addDrawable(g);
  return geode;
}

std::atomic<bool> gFacingEnabled{true};
std::atomic<std::uint64_t> gFacingDrawn{0}, gFacingSkipped{0};

}  // namespace

void FacingElements::setEnabled(bool on) {
  gFacingEnabled = on;
}

FacingElements::Counts FacingElements::counts() {
  return {gFacingDrawn.load(), gFacingSkipped.load()};
}

void FacingElements::resetCounts() {
  gFacingDrawn = 0;
  gFacingSkipped = 0;
}

unsigned FacingElements::visibleBins(const osg::Vec3& eye) const {
  // a wall with outward normal n at p faces the eye when n.(eye - p) > 0; over a bin's range of
  // directions (under 180 degrees) that is largest at one of its two edges unless the eye's
  // direction lies inside (then both edges are positive too), and over the extent it is linear
  // in p, so largest at a corner
  static const auto kEdges = [] {
    std::array<osg::Vec2d, kWallBins + 1> e;
    for (int k = 0; k <= kWallBins; ++k) {
      const double a = 2.0 * std::numbers::pi * k / kWallBins;
      e[static_cast<std::size_t>(k)] = {std::cos(a), std::sin(a)};
    }
    return e;
  }();
  const osg::Vec2d corners[4] = {{minXY.x(), minXY.y()},
                                 {maxXY.x(), minXY.y()},
                                 {maxXY.x(), maxXY.y()},
                                 {minXY.x(), maxXY.y()}};
  bool edgeFaces[kWallBins + 1];
  for (std::size_t k = 0; k <= kWallBins; ++k) {
    edgeFaces[k] = false;
    for (const osg::Vec2d& c : corners) {
      // a millimetre of slack: walls seen exactly edge-on stay in
      if (kEdges[k] * osg::Vec2d(eye.x() - c.x(), eye.y() - c.y()) > -1e-3) {
        edgeFaces[k] = true;
        break;
      }
    }
  }
  unsigned mask = 0;
  for (std::size_t k = 0; k < kWallBins; ++k) {
    if (edgeFaces[k] || edgeFaces[k + 1])
      mask |= 1u << k;
  }
  return mask;
}

void FacingElements::draw(osg::State& state, bool useVertexBufferObjects) const {
  const osg::Vec3 eye = osg::Vec3(0.f, 0.f, 0.f) * osg::Matrix::inverse(state.getModelViewMatrix());
  const unsigned mask =
      gFacingEnabled ? visibleBins(eye) : (1u << kWallBins) - 1u;  // kWallBins < 32
  const GLvoid* base = nullptr;
  osg::GLBufferObject* ebo =
      useVertexBufferObjects ? getOrCreateGLBufferObject(state.getContextID()) : nullptr;
  if (ebo != nullptr) {
    state.getCurrentVertexArrayState()->bindElementBufferObject(ebo);
    base = reinterpret_cast<const GLvoid*>(ebo->getOffset(getBufferIndex()));
  } else {
    if (useVertexBufferObjects)
      state.getCurrentVertexArrayState()->unbindElementBufferObject();
    base = &front();
  }
  // runs of consecutive drawn segments: segment 0 the other faces, segment k + 1 bin k
  std::uint64_t drawn = 0;
  auto drawRange = [&](unsigned from, unsigned to) {
    if (to > from) {
      drawn += to - from;
      glDrawElements(_mode, static_cast<GLsizei>(to - from), GL_UNSIGNED_INT,
                     reinterpret_cast<const GLvoid*>(reinterpret_cast<std::uintptr_t>(base) +
                                                     from * sizeof(GLuint)));
    }
  };
  unsigned runStart = 0, at = 0;
  bool inRun = true;
  for (std::size_t seg = 0; seg <= kWallBins; ++seg) {
    const unsigned segStart = seg == 0 ? 0u : ends[seg - 1], segEnd = ends[seg];
    const bool shown = seg == 0 || (mask & (1u << (seg - 1))) != 0;
    if (shown && !inRun) {
      runStart = segStart;
      inRun = true;
    } else if (!shown && inRun) {
      drawRange(runStart, segStart);
      inRun = false;
    }
    at = segEnd;
  }
  if (inRun)
    drawRange(runStart, at);
  gFacingDrawn += drawn;
  gFacingSkipped += size() - drawn;
}

const gis::LandUseArea* parkArea(const gis::CityModel& city) {
  const gis::LandUseArea* park = nullptr;
  for (const gis::LandUseArea& a : city.landUse) {
    if (a.landUse == gis::LandUseClass::Industrial && (park == nullptr || a.areaM2 > park->areaM2))
      park = &a;
  }
  return park;
}

// the whole static scene
CityScene buildCityScene(const gis::CityModel& city) {
  std::map<TileKey, Mesh> lines, roads[2], buildings[2];  // [near, far]
  std::vector<std::array<PendingRange, 2>> buildingPending(city.buildings.size()),
      linkPending(city.roads.edges.size());
  const osg::Vec3 up(0, 0, 1);
  // the ground's height: flat, or the DEM relative to its lowest point
  GroundHeight heights;
  heights.city = &city;
  const bool terrain = !city.terrain.empty();
  if (terrain) {
    double lo = INFINITY;
    for (const gis::TerrainTile& t : city.terrain) {
      for (float z : t.z) {
        if (!std::isnan(z))
          lo = std::min(lo, static_cast<double>(z));
      }
    }
    heights.baseZ = std::isfinite(lo) ? lo : 0.0;
    const gis::Box& e = city.extent;
    heights.step = std::max(
        {std::abs(city.terrain[0].cellX), std::max(e.maxX - e.minX, e.maxY - e.minY) / 300.0, 5.0});
  }
  struct Install {  // ribbons read the ground while this scene is built
    explicit Install(const GroundHeight* g) { gGround = g; }
    ~Install() { gGround = nullptr; }
    Install(const Install&) = delete;
    Install& operator=(const Install&) = delete;
  } install(terrain ? &heights : nullptr);
  CityScene scene;
  scene.groundBase = heights.baseZ;
  scene.hasTerrain = terrain;
  osg::ref_ptr<osg::Geode> groundGeode = groundLayer(city, heights, terrain);
  // roads: near, each directed edge its own ribbon (on the right half of a two-way road) so a
  // link value layer colours each direction, paths narrow and pale; far, one ribbon per road,
  // its line simplified to 1 m, and no paths (under a pixel there)
  for (std::size_t i = 0; i < city.roads.edges.size(); ++i) {
    const gis::RoadEdge& e = city.roads.edges[i];
    if (e.geometry.size() < 2)
      continue;
    const TileKey tile = tileOf(e.geometry[e.geometry.size() / 2]);
    Mesh& m = roads[0][tile];
    const auto first = static_cast<unsigned>(m.v->size());
    const osg::Vec4 asphalt(0.40f, 0.40f, 0.43f, 1.f);
    const bool firstOfPair = e.twin < 0 || static_cast<std::size_t>(e.twin) > i;
    if (e.carAllowed) {
      const double w = 3.0 * std::max(1, e.lanes) + 0.5;
      ribbon(m, e.geometry, w, 1.2f, asphalt, e.twin >= 0 ? w / 2.0 : 0.0);
      if (firstOfPair) {
        Mesh& f = roads[1][tile];
        const auto firstFar = static_cast<unsigned>(f.v->size());
        const int lanes =
            std::max(1, e.lanes) +
            (e.twin >= 0 ? std::max(1, city.roads.edges[static_cast<std::size_t>(e.twin)].lanes)
                         : 0);
        ribbon(f, simplifyLine(e.geometry, 1.0), 3.0 * lanes + 1.0, 1.2f, asphalt);
        linkPending[i][1] = {tile, firstFar, static_cast<unsigned>(f.v->size()) - firstFar};
      }
    } else {
      if (!firstOfPair)
        continue;  // each path once
      ribbon(m, e.geometry, 1.5, 1.1f, {0.97f, 0.96f, 0.93f, 1.f});
    }
    linkPending[i][0] = {tile, first, static_cast<unsigned>(m.v->size()) - first};
  }
  for (const gis::LineFeature& l : city.lines) {
    if (l.points.size() < 2)
      continue;
    Mesh& m = lines[tileOf(l.points[l.points.size() / 2])];
    switch (l.kind) {
      case gis::LineKind::Rail:
      case gis::LineKind::Tram:
        ribbon(m, l.points, 2.0, 1.25f, {0.32f, 0.27f, 0.27f, 1.f});
        break;
      case gis::LineKind::Waterway:
        ribbon(m, l.points, 4.0, 0.9f, {0.56f, 0.73f, 0.87f, 1.f});
        break;
      case gis::LineKind::Power:
        break;
    }
  }
  // buildings: LoD2 meshes where the source has them, else footprints extruded with flat roofs;
  // far, footprints simplified to 1 m, courtyards closed, sheds under 25 m2 left out
  auto groundOf = [&](const gis::Building& b) {
    // standing on the ground: the DEM height the builder gave it, else the terrain's here
    if (!terrain)
      return 0.f;
    return b.groundZ != 0.0 ? static_cast<float>(b.groundZ - heights.baseZ) : heights.at(b.centre);
  };
  // a pitched roof near the eye where OSM tags one: 35 degrees, 20 for a skillion, at most 60 %
  // of the building's height
  struct Roof {
    std::vector<RoofPlane> planes;
    double eaves = 0.0;
  };
  auto roofOf = [](const gis::Building& b, const gis::Polygon& p, bool far) {
    Roof r{{}, b.heightM};
    if (!far && b.roof != gis::RoofShape::Flat && p.outer.size() >= 3) {
      const RoofFrame frame = roofFrame(p.outer);
      const double pitch = b.roof == gis::RoofShape::Skillion ? 0.364 : 0.700;  // tan 20, 35
      const double span = b.roof == gis::RoofShape::Skillion ? frame.width : frame.width / 2;
      const double h = std::min(span * pitch, 0.6 * b.heightM);
      if (frame.width > 0.5 && h > 0.2) {
        r.planes = roofPlanes(b.roof, frame, h);
        r.eaves = b.heightM - h;
      }
    }
    return r;
  };
  // the footprints of each level: near as mapped, far simplified (filled by the far thread)
  std::vector<std::vector<gis::Polygon>> farShapes(city.buildings.size());
  auto shapesOf = [&](std::size_t bi, int level) -> const std::vector<gis::Polygon>& {
    return level == 0 ? city.buildings[bi].parts : farShapes[bi];
  };
  auto emitBuilding = [&](Mesh& m, std::size_t bi, int level, std::span<const float> cover) {
    const gis::Building& b = city.buildings[bi];
    const bool far = level == 1;
    const osg::Vec4 colour = buildingColour(b);
    if (!b.meshVertices.empty()) {
      for (std::size_t t = 0; t + 2 < b.meshVertices.size(); t += 3) {
        osg::Vec3 p[3];
        for (int k = 0; k < 3; ++k) {
          const gis::Vec3& q = b.meshVertices[t + static_cast<std::size_t>(k)];
          p[k] = {static_cast<float>(q.x), static_cast<float>(q.y),
                  static_cast<float>(q.z - b.groundZ)};
        }
        osg::Vec3 normal = (p[1] - p[0]) ^ (p[2] - p[0]);
        normal.normalize();
        if (normal.z() < -0.2f)
          normal = -normal;  // ground faces: light them from above
        const bool roof = b.meshKinds[t / 3] == gis::SurfaceKind::Roof;
        m.tri(p[0], p[1], p[2], normal,
              roof ? colour * 0.85f + osg::Vec4(0.1f, 0.06f, 0.06f, 0.15f) : colour);
      }
      return;
    }
    const float top = static_cast<float>(b.heightM);
    const float gz = groundOf(b);
    std::size_t edgeNo = 0;  // walls in the order partyWallCover numbers them
    for (const gis::Polygon& p : shapesOf(bi, level)) {
      const Roof roof = roofOf(b, p, far);
      const std::vector<RoofPlane>& planes = roof.planes;
      const double eaves = roof.eaves;
      // walls face out of the building: away from the outer ring's inside, into courtyards; their
      // tops follow the roof, split where its plane changes; up to where a neighbour standing
      // back to back covers them, they are left out
      auto walls = [&](const gis::Ring& r, bool hole) {
        const double sign = (gis::signedArea(r) >= 0 ? 1.0 : -1.0) * (hole ? -1.0 : 1.0);
        for (std::size_t i = 0; i < r.size(); ++i, ++edgeNo) {
          const Vec2 a = r[i], c = r[(i + 1) % r.size()];
          const double dx = c.x - a.x, dy = c.y - a.y, len = std::hypot(dx, dy);
          if (len <= 0.0)
            continue;
          const double covered = edgeNo < cover.size() ? cover[edgeNo] - gz : -INFINITY;
          if (covered >= b.heightM - 0.01)
            continue;  // a party wall: the neighbour is at least as high
          const auto bottom =
              static_cast<float>(std::clamp(covered, 0.0, planes.empty() ? b.heightM : eaves));
          const osg::Vec3 normal(static_cast<float>(sign * dy / len),
                                 static_cast<float>(-sign * dx / len), 0.f);
          // at most 4 planes: 2 + 6 cuts, kept on the stack (this runs for every wall edge)
          std::array<double, 8> cutBuf{0.0, 1.0};
          std::size_t cutCount = 2;
          for (std::size_t x = 0; x < planes.size(); ++x) {
            for (std::size_t y = x + 1; y < planes.size(); ++y) {
              const double da = planes[x].at(a) - planes[y].at(a),
                           dc = planes[x].at(c) - planes[y].at(c);
              if ((da > 0) != (dc > 0) && da != dc && cutCount < cutBuf.size())
                cutBuf[cutCount++] = da / (da - dc);
            }
          }
          for (std::size_t q = 1; q < cutCount; ++q) {  // insertion sort of <= 8 values
            const double v = cutBuf[q];
            std::size_t j = q;
            for (; j > 0 && cutBuf[j - 1] > v; --j)
              cutBuf[j] = cutBuf[j - 1];
            cutBuf[j] = v;
          }
          const std::span<const double> cuts(cutBuf.data(), cutCount);
          for (std::size_t k = 1; k < cuts.size(); ++k) {
            const Vec2 p0{a.x + dx * cuts[k - 1], a.y + dy * cuts[k - 1]};
            const Vec2 p1{a.x + dx * cuts[k], a.y + dy * cuts[k]};
            const auto z0 =
                static_cast<float>(planes.empty() ? b.heightM : eaves + roofAt(planes, p0));
            const auto z1 =
                static_cast<float>(planes.empty() ? b.heightM : eaves + roofAt(planes, p1));
            m.quad({static_cast<float>(p0.x), static_cast<float>(p0.y), bottom},
                   {static_cast<float>(p1.x), static_cast<float>(p1.y), bottom},
                   {static_cast<float>(p1.x), static_cast<float>(p1.y), z1},
                   {static_cast<float>(p0.x), static_cast<float>(p0.y), z0}, normal, colour);
          }
        }
      };
      walls(p.outer, false);
      for (const gis::Ring& h : p.holes)
        walls(h, true);
      const osg::Vec4 roofColour = colour * 0.92f + osg::Vec4(0.08f, 0.08f, 0.08f, 0.08f);
      if (planes.empty()) {
        m.polygon(triangulate(p, top), up, roofColour);
        continue;
      }
      // each plane over its own region of the footprint (pitched roofs in a darker tile red)
      const osg::Vec4 tiles = colour * 0.55f + osg::Vec4(0.30f, 0.10f, 0.08f, 0.45f);
      for (std::size_t x = 0; x < planes.size(); ++x) {
        gis::Polygon region = p;
        for (std::size_t y = 0; y < planes.size(); ++y) {
          if (y == x)
            continue;
          // plane x is the lower one: (y - x) >= 0
          const double a = planes[y].a - planes[x].a, bb = planes[y].b - planes[x].b,
                       cc = planes[y].c - planes[x].c;
          region.outer = clipRing(region.outer, a, bb, cc);
          for (gis::Ring& h : region.holes)
            h = clipRing(h, a, bb, cc);
        }
        if (region.outer.size() < 3)
          continue;
        std::vector<osg::Vec3> tris = triangulate(region, 0.f);
        for (osg::Vec3& t : tris)
          t.z() = static_cast<float>(eaves + std::max(0.0, planes[x].at({t.x(), t.y()})));
        const osg::Vec3 normal(static_cast<float>(-planes[x].a), static_cast<float>(-planes[x].b),
                               1.f);
        m.polygon(tris, normal, tiles);
      }
    }
  };
  // Party walls: buildings built back to back (terraced houses, the blocks of an old town) share
  // footprint edges, which OSM maps with shared nodes. Each wall is covered up to the lowest
  // top of the walls standing back to back with it; per building, its walls in emit order (as
  // `walls` numbers them), the cover in scene z, -inf where there is none.
  struct PartyWalls {
    std::vector<std::size_t> first;  // per building: its first wall in `cover`
    std::vector<float> cover;
  };
  auto partyWalls = [&](int level) {
    struct Wall {
      std::array<std::int64_t, 4> key;  // the edge's ends in centimetres, lower end first
      std::uint32_t building;
      std::uint32_t index;  // in PartyWalls::cover
      float lowestTop;      // scene z
      bool left;            // the wall faces left of the edge run from its lower end
    };
    PartyWalls pw;
    pw.first.resize(city.buildings.size() + 1, 0);
    std::vector<Wall> all;
    for (std::size_t bi = 0; bi < city.buildings.size(); ++bi) {
      const gis::Building& b = city.buildings[bi];
      pw.first[bi] = pw.cover.size();
      if (!b.meshVertices.empty())
        continue;
      const float gz = groundOf(b);
      for (const gis::Polygon& p : shapesOf(bi, level)) {
        const auto lowestTop = static_cast<float>(gz + roofOf(b, p, level == 1).eaves);
        auto ring = [&](const gis::Ring& r, bool hole) {
          const double sign = (gis::signedArea(r) >= 0 ? 1.0 : -1.0) * (hole ? -1.0 : 1.0);
          for (std::size_t i = 0; i < r.size(); ++i) {
            const Vec2 a = r[i], c = r[(i + 1) % r.size()];
            const std::array<std::int64_t, 2> qa{std::llround(a.x * 100.0),
                                                 std::llround(a.y * 100.0)},
                qc{std::llround(c.x * 100.0), std::llround(c.y * 100.0)};
            const bool aFirst = qa <= qc;
            const std::array<std::int64_t, 2>& lo = aFirst ? qa : qc;
            const std::array<std::int64_t, 2>& hi = aFirst ? qc : qa;
            // outward normal (sign * dy, -sign * dx) against the run lo -> hi
            const double dx = c.x - a.x, dy = c.y - a.y;
            const double rx = aFirst ? dx : -dx, ry = aFirst ? dy : -dy;
            const bool left = rx * (-sign * dx) - ry * (sign * dy) > 0.0;
            all.push_back({{lo[0], lo[1], hi[0], hi[1]},
                           static_cast<std::uint32_t>(bi),
                           static_cast<std::uint32_t>(pw.cover.size()),
                           lowestTop,
                           left});
            pw.cover.push_back(-INFINITY);
          }
        };
        ring(p.outer, false);
        for (const gis::Ring& h : p.holes)
          ring(h, true);
      }
    }
    pw.first[city.buildings.size()] = pw.cover.size();
    std::sort(all.begin(), all.end(), [](const Wall& x, const Wall& y) { return x.key < y.key; });
    for (std::size_t i = 0; i < all.size();) {
      std::size_t j = i + 1;
      while (j < all.size() && all[j].key == all[i].key)
        ++j;
      for (std::size_t x = i; x < j; ++x) {
        for (std::size_t y = i; y < j; ++y) {
          if (all[y].building != all[x].building && all[y].left != all[x].left) {
            float& c = pw.cover[all[x].index];
            c = std::max(c, all[y].lowestTop);
          }
        }
      }
      i = j;
    }
    return pw;
  };
  // the two levels are independent: the far one is built on a second thread
  auto buildLevel = [&](int level) {
    if (level == 1) {
      for (std::size_t bi = 0; bi < city.buildings.size(); ++bi) {
        for (const gis::Polygon& whole : city.buildings[bi].parts) {
          if (std::abs(gis::signedArea(whole.outer)) >= 25.0)
            farShapes[bi].push_back({simplifyRing(whole.outer, 1.0), {}});
        }
      }
    }
    const PartyWalls pw = partyWalls(level);
    for (std::size_t bi = 0; bi < city.buildings.size(); ++bi) {
      const gis::Building& b = city.buildings[bi];
      const TileKey tile = tileOf(b.centre);
      Mesh& m = buildings[level][tile];
      m.binWalls = true;
      const auto first = static_cast<unsigned>(m.v->size());
      emitBuilding(
          m, bi, level,
          std::span<const float>(pw.cover).subspan(pw.first[bi], pw.first[bi + 1] - pw.first[bi]));
      if (terrain) {
        const float gz = groundOf(b);
        for (std::size_t k = first; k < m.v->size(); ++k)
          (*m.v)[k].z() += gz;
      }
      buildingPending[bi][static_cast<std::size_t>(level)] = {
          tile, first, static_cast<unsigned>(m.v->size()) - first};
    }
  };
  {
    std::thread far(buildLevel, 1);
    buildLevel(0);
    far.join();
  }
  // the industrial park outlined: a dark violet band around the largest industrial area
  if (const gis::LandUseArea* park = parkArea(city)) {
    Mesh& m = lines[tileOf(gis::centroid(park->polygon.outer))];
    band(m, park->polygon.outer, 6.0, 1.4f, {0.36f, 0.25f, 0.52f, 1.f});
  }
  std::map<TileKey, int> buildingIndex[2], roadIndex[2];
  osg::ref_ptr<osg::Group> root = new osg::Group;
  osg::ref_ptr<osg::Group> still = new osg::Group;  // all of the static city
  root->addChild(still);
  still->addChild(groundGeode);
  still->addChild(geodeOf(lines));
  // per tile: full detail near the eye, the simplified version beyond kFarM from its centre
  for (int level = 0; level < 2; ++level) {
    recolourableGeometries(roads[level], scene.roadGeoms, roadIndex[level], scene.roadLight);
    recolourableGeometries(buildings[level], scene.buildingGeoms, buildingIndex[level],
                           scene.buildingLight);
  }
  std::map<TileKey, osg::ref_ptr<osg::LOD>> lods;
  for (int level = 0; level < 2; ++level) {
    for (int kind = 0; kind < 2; ++kind) {
      const auto& index = kind == 0 ? roadIndex[level] : buildingIndex[level];
      const auto& geoms = kind == 0 ? scene.roadGeoms : scene.buildingGeoms;
      for (const auto& [tile, gi] : index) {
        osg::ref_ptr<osg::LOD>& lod = lods[tile];
        if (!lod) {
          lod = new osg::LOD;
          lod->addChild(new osg::Geode, 0.f, static_cast<float>(kFarM));
          lod->addChild(new osg::Geode, static_cast<float>(kFarM), 1e9f);
        }
        lod->getChild(static_cast<unsigned>(level))
            ->asGeode()
            ->addDrawable(geoms[static_cast<std::size_t>(gi)]);
      }
    }
  }
  for (auto& [tile, lod] : lods)
    still->addChild(lod);
  auto resolve = [](const std::vector<std::array<PendingRange, 2>>& pending,
                    const std::map<TileKey, int>(&index)[2],
                    std::vector<std::array<VertexRange, 2>>& out) {
    out.resize(pending.size());
    for (std::size_t i = 0; i < pending.size(); ++i) {
      for (std::size_t level = 0; level < 2; ++level) {
        const PendingRange& p = pending[i][level];
        const auto it = index[level].find(p.tile);
        if (p.count > 0 && it != index[level].end())
          out[i][level] = {it->second, p.first, p.count};
      }
    }
  };
  resolve(buildingPending, buildingIndex, scene.buildingRanges);
  resolve(linkPending, roadIndex, scene.linkRanges);
  for (const auto& g : scene.buildingGeoms) {
    scene.buildingColours.push_back(
        new osg::Vec4Array(*static_cast<const osg::Vec4Array*>(g->getColorArray())));
  }
  for (const auto& g : scene.roadGeoms) {
    scene.roadColours.push_back(
        new osg::Vec4Array(*static_cast<const osg::Vec4Array*>(g->getColorArray())));
  }
  // the sun's light is in the vertex colours: no per-vertex lighting in the renderer
  root->getOrCreateStateSet()->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  root->getOrCreateStateSet()->setMode(GL_CULL_FACE, osg::StateAttribute::ON);
  scene.cache = std::make_shared<StaticCache>();
  scene.cache->attach(*root, *still);
  scene.root = root;
  scene.city = &city;
  return scene;
}

osg::ref_ptr<osg::Camera> hudCamera(int width, int height, int order) {
  osg::ref_ptr<osg::Camera> hud = new osg::Camera;
  hud->setProjectionMatrixAsOrtho2D(0, width, 0, height);
  hud->setReferenceFrame(osg::Transform::ABSOLUTE_RF);
  hud->setViewMatrix(osg::Matrix::identity());
  // Drawn inside the scene's own render stage, in a render bin after every other one, without
  // depth test and in the order its children were added (panels before their text). A separate
  // post-render stage with its depth clear cost llvmpipe about 10 ms a frame at 1920x1080 for a
  // caption of two lines (render_bench, min of 5 interleaved runs).
  hud->setClearMask(0);
  hud->setRenderOrder(osg::Camera::NESTED_RENDER);
  hud->setAllowEventFocus(false);
  osg::StateSet* ss = hud->getOrCreateStateSet();
  ss->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  ss->setMode(GL_DEPTH_TEST, osg::StateAttribute::OFF | osg::StateAttribute::OVERRIDE);
  ss->setRenderBinDetails(kHudBin + order, "TraversalOrderBin",
                          osg::StateSet::OVERRIDE_RENDERBIN_DETAILS);
  return hud;
}

}  // namespace twin::render::detail
