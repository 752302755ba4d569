// SPDX-License-Identifier: Apache-2.0
// The static city scene: land use, roads, rail, water, the park outline and buildings merged
// per 1 km tile (a few hundred drawables for a whole city, VBOs, no display lists).
#include <osg/Geometry>
#include <osg/LightModel>
#include <osg/LightSource>
#include <osg/Material>
#include <osg/TriangleFunctor>
#include <osgUtil/Tessellator>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "render/detail/scene.hpp"

namespace twin::render::detail {
namespace {
using gis::Vec2;

constexpr double kTileM = 1000.0;  // about 3 drawables per km² of city

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

// triangles, normals and colours of one tile and one layer
struct Mesh {
  osg::ref_ptr<osg::Vec3Array> v = new osg::Vec3Array;
  osg::ref_ptr<osg::Vec3Array> n = new osg::Vec3Array;
  osg::ref_ptr<osg::Vec4Array> c = new osg::Vec4Array;
  void tri(const osg::Vec3& a, const osg::Vec3& b, const osg::Vec3& d, const osg::Vec3& normal,
           const osg::Vec4& colour) {
    for (const osg::Vec3* p : {&a, &b, &d}) {
      v->push_back(*p);
      n->push_back(normal);
      c->push_back(colour);
    }
  }
  void quad(const osg::Vec3& a, const osg::Vec3& b, const osg::Vec3& d, const osg::Vec3& e,
            const osg::Vec3& normal, const osg::Vec4& colour) {
    tri(a, b, d, normal, colour);
    tri(a, d, e, normal, colour);
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

// triangulates a polygon with holes at height z (GLU tessellator through osgUtil, odd winding)
std::vector<osg::Vec3> triangulate(const gis::Polygon& p, float z) {
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

// a polyline as a flat ribbon of `width` metres at height z, its centre `offset` metres to the
// right of the line (right-hand traffic: each direction of a two-way road on its own side)
void ribbon(Mesh& m, const std::vector<Vec2>& line, double width, float z, const osg::Vec4& colour,
            double offset = 0.0) {
  const double h = width / 2.0;
  for (std::size_t i = 1; i < line.size(); ++i) {
    const Vec2 a = line[i - 1], b = line[i];
    const double dx = b.x - a.x, dy = b.y - a.y, len = std::hypot(dx, dy);
    if (len <= 0.0)
      continue;
    const double lx = -dy / len, ly = dx / len;  // unit normal to the left
    const double l0 = -offset + h, r0 = -offset - h;
    const osg::Vec3 up(0, 0, 1);
    m.quad({static_cast<float>(a.x + lx * l0), static_cast<float>(a.y + ly * l0), z},
           {static_cast<float>(a.x + lx * r0), static_cast<float>(a.y + ly * r0), z},
           {static_cast<float>(b.x + lx * r0), static_cast<float>(b.y + ly * r0), z},
           {static_cast<float>(b.x + lx * l0), static_cast<float>(b.y + ly * l0), z}, up, colour);
  }
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

// one geometry per non-empty tile, in key order; `index` receives each tile's geometry index
osg::ref_ptr<osg::Geode> geodeOf(std::map<TileKey, Mesh>& tiles, osg::StateSet* state,
                                 std::vector<osg::ref_ptr<osg::Geometry>>* geoms = nullptr,
                                 std::map<TileKey, int>* index = nullptr) {
  osg::ref_ptr<osg::Geode> geode = new osg::Geode;
  for (auto& [key, m] : tiles) {
    if (m.v->empty())
      continue;
    osg::ref_ptr<osg::Geometry> g = new osg::Geometry;
    g->setUseDisplayList(false);
    g->setUseVertexBufferObjects(true);
    g->setVertexArray(m.v);
    g->setNormalArray(m.n, osg::Array::BIND_PER_VERTEX);
    g->setColorArray(m.c, osg::Array::BIND_PER_VERTEX);
    g->addPrimitiveSet(new osg::DrawArrays(GL_TRIANGLES, 0, static_cast<GLsizei>(m.v->size())));
    geode->addDrawable(g);
    if (geoms != nullptr) {
      if (index != nullptr)
        (*index)[key] = static_cast<int>(geoms->size());
      g->setDataVariance(osg::Object::DYNAMIC);  // colours change with value layers
      geoms->push_back(g);
    }
  }
  if (state != nullptr)
    geode->setStateSet(state);
  return geode;
}

struct PendingRange {
  TileKey tile;
  unsigned first = 0, count = 0;
};

}  // namespace

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
  std::map<TileKey, Mesh> ground, buildings, roads, lines;
  std::vector<PendingRange> buildingPending(city.buildings.size()),
      linkPending(city.roads.edges.size());
  const osg::Vec3 up(0, 0, 1);
  // ground: one quad under the extent, then land use on top (larger areas first)
  {
    const gis::Box& e = city.extent;
    Mesh& m = ground[{0, 0}];
    const float z = -0.05f;
    m.quad({static_cast<float>(e.minX - 200), static_cast<float>(e.minY - 200), z},
           {static_cast<float>(e.maxX + 200), static_cast<float>(e.minY - 200), z},
           {static_cast<float>(e.maxX + 200), static_cast<float>(e.maxY + 200), z},
           {static_cast<float>(e.minX - 200), static_cast<float>(e.maxY + 200), z}, up,
           {0.87f, 0.86f, 0.83f, 1.f});
  }
  std::vector<std::size_t> order(city.landUse.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return city.landUse[a].areaM2 > city.landUse[b].areaM2;
  });
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    const gis::LandUseArea& a = city.landUse[order[rank]];
    // smaller areas a little higher, so they win the depth test over the larger ones around
    const float z = static_cast<float>(0.002 * static_cast<double>(rank % 500));
    Mesh& m = ground[tileOf(gis::centroid(a.polygon.outer))];
    const auto tris = triangulate(a.polygon, z);
    for (std::size_t i = 0; i + 2 < tris.size(); i += 3) {
      m.tri(tris[i], tris[i + 1], tris[i + 2], up, landUseColour(a.landUse));
    }
  }
  // roads: each directed edge its own ribbon (on the right half of a two-way road), so a link
  // value layer colours each direction; paths once, narrow and pale
  for (std::size_t i = 0; i < city.roads.edges.size(); ++i) {
    const gis::RoadEdge& e = city.roads.edges[i];
    if (e.geometry.size() < 2)
      continue;
    const TileKey tile = tileOf(e.geometry[e.geometry.size() / 2]);
    Mesh& m = roads[tile];
    const auto first = static_cast<unsigned>(m.v->size());
    if (e.carAllowed) {
      const double w = 3.0 * std::max(1, e.lanes) + 0.5;
      ribbon(m, e.geometry, w, 1.2f, {0.40f, 0.40f, 0.43f, 1.f}, e.twin >= 0 ? w / 2.0 : 0.0);
    } else {
      if (e.twin >= 0 && static_cast<std::size_t>(e.twin) < i)
        continue;  // each path once
      ribbon(m, e.geometry, 1.5, 1.1f, {0.97f, 0.96f, 0.93f, 1.f});
    }
    linkPending[i] = {tile, first, static_cast<unsigned>(m.v->size()) - first};
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
  // buildings: LoD2 meshes where the source has them, else footprints extruded with flat roofs
  for (std::size_t bi = 0; bi < city.buildings.size(); ++bi) {
    const gis::Building& b = city.buildings[bi];
    const TileKey tile = tileOf(b.centre);
    Mesh& m = buildings[tile];
    const auto first = static_cast<unsigned>(m.v->size());
    struct Record {  // the building's vertex range, however the loop body ends
      PendingRange& r;
      TileKey tile;
      unsigned first;
      Mesh& m;
      ~Record() { r = {tile, first, static_cast<unsigned>(m.v->size()) - first}; }
    } record{buildingPending[bi], tile, first, m};
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
      continue;
    }
    const float top = static_cast<float>(b.heightM);
    for (const gis::Polygon& part : b.parts) {
      auto walls = [&](const gis::Ring& r) {
        const double sign = gis::signedArea(r) >= 0 ? 1.0 : -1.0;
        for (std::size_t i = 0; i < r.size(); ++i) {
          const Vec2 a = r[i], c = r[(i + 1) % r.size()];
          const double dx = c.x - a.x, dy = c.y - a.y, len = std::hypot(dx, dy);
          if (len <= 0.0)
            continue;
          const osg::Vec3 normal(static_cast<float>(sign * dy / len),
                                 static_cast<float>(-sign * dx / len), 0.f);
          m.quad({static_cast<float>(a.x), static_cast<float>(a.y), 0.f},
                 {static_cast<float>(c.x), static_cast<float>(c.y), 0.f},
                 {static_cast<float>(c.x), static_cast<float>(c.y), top},
                 {static_cast<float>(a.x), static_cast<float>(a.y), top}, normal, colour);
        }
      };
      walls(part.outer);
      for (const gis::Ring& h : part.holes)
        walls(h);
      const auto roof = triangulate(part, top);
      const osg::Vec4 roofColour = colour * 0.92f + osg::Vec4(0.08f, 0.08f, 0.08f, 0.08f);
      for (std::size_t i = 0; i + 2 < roof.size(); i += 3)
        m.tri(roof[i], roof[i + 1], roof[i + 2], up, roofColour);
    }
  }
  // the industrial park outlined: a dark violet band around the largest industrial area
  if (const gis::LandUseArea* park = parkArea(city)) {
    Mesh& m = lines[tileOf(gis::centroid(park->polygon.outer))];
    band(m, park->polygon.outer, 6.0, 1.4f, {0.36f, 0.25f, 0.52f, 1.f});
  }
  CityScene scene;
  std::map<TileKey, int> buildingIndex, roadIndex;
  osg::ref_ptr<osg::Group> root = new osg::Group;
  root->addChild(geodeOf(ground, nullptr));
  root->addChild(geodeOf(roads, nullptr, &scene.roadGeoms, &roadIndex));
  root->addChild(geodeOf(lines, nullptr));
  root->addChild(geodeOf(buildings, nullptr, &scene.buildingGeoms, &buildingIndex));
  auto resolve = [](const std::vector<PendingRange>& pending, const std::map<TileKey, int>& index,
                    std::vector<VertexRange>& out) {
    out.resize(pending.size());
    for (std::size_t i = 0; i < pending.size(); ++i) {
      const auto it = index.find(pending[i].tile);
      if (pending[i].count > 0 && it != index.end())
        out[i] = {it->second, pending[i].first, pending[i].count};
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
  // lighting: per-vertex colours drive ambient and diffuse; a sun from the south-west
  osg::StateSet* ss = root->getOrCreateStateSet();
  osg::ref_ptr<osg::Material> material = new osg::Material;
  material->setColorMode(osg::Material::AMBIENT_AND_DIFFUSE);
  ss->setAttributeAndModes(material);
  osg::ref_ptr<osg::LightModel> lm = new osg::LightModel;
  // one-sided: triangles of either winding keep the normal they were given
  lm->setAmbientIntensity({0.55f, 0.55f, 0.57f, 1.f});
  ss->setAttributeAndModes(lm);
  ss->setMode(GL_LIGHTING, osg::StateAttribute::ON);
  ss->setMode(GL_NORMALIZE, osg::StateAttribute::ON);
  osg::ref_ptr<osg::LightSource> sun = new osg::LightSource;
  sun->getLight()->setLightNum(0);
  sun->getLight()->setPosition({-0.45f, -0.6f, 0.66f, 0.f});  // directional
  sun->getLight()->setDiffuse({0.55f, 0.53f, 0.50f, 1.f});
  sun->getLight()->setAmbient({0.f, 0.f, 0.f, 1.f});
  root->addChild(sun);
  ss->setMode(GL_LIGHT0, osg::StateAttribute::ON);
  scene.root = root;
  return scene;
}

osg::ref_ptr<osg::Camera> hudCamera(int width, int height) {
  osg::ref_ptr<osg::Camera> hud = new osg::Camera;
  hud->setProjectionMatrixAsOrtho2D(0, width, 0, height);
  hud->setReferenceFrame(osg::Transform::ABSOLUTE_RF);
  hud->setViewMatrix(osg::Matrix::identity());
  hud->setClearMask(GL_DEPTH_BUFFER_BIT);
  hud->setRenderOrder(osg::Camera::POST_RENDER);
  hud->setAllowEventFocus(false);
  hud->getOrCreateStateSet()->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  return hud;
}

}  // namespace twin::render::detail
