// SPDX-License-Identifier: Apache-2.0
// The static city scene (buildings, land use, roads, rail, water) merged per 1 km tile, and the
// off-screen render to PNG through OpenSceneGraph's embedded viewer on an EGL context.
#include "render/headless.hpp"

#include <unistd.h>

#include <osg/Geometry>
#include <osg/LightModel>
#include <osg/LightSource>
#include <osg/Material>
#include <osg/MatrixTransform>
#include <osg/PolygonOffset>
#include <osg/TriangleFunctor>
#include <osgDB/WriteFile>
#include <osgText/Text>
#include <osgUtil/Tessellator>
#include <osgViewer/Viewer>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "render/detail/scene.hpp"
#include "render/egl_context.hpp"

namespace twin::render {
namespace {
namespace fs = std::filesystem;
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

// a polyline as a flat ribbon of `width` metres at height z
void ribbon(Mesh& m, const std::vector<Vec2>& line, double width, float z,
            const osg::Vec4& colour) {
  const double h = width / 2.0;
  for (std::size_t i = 1; i < line.size(); ++i) {
    const Vec2 a = line[i - 1], b = line[i];
    const double dx = b.x - a.x, dy = b.y - a.y, len = std::hypot(dx, dy);
    if (len <= 0.0)
      continue;
    const double nx = -dy / len * h, ny = dx / len * h;
    const osg::Vec3 up(0, 0, 1);
    m.quad({static_cast<float>(a.x + nx), static_cast<float>(a.y + ny), z},
           {static_cast<float>(a.x - nx), static_cast<float>(a.y - ny), z},
           {static_cast<float>(b.x - nx), static_cast<float>(b.y - ny), z},
           {static_cast<float>(b.x + nx), static_cast<float>(b.y + ny), z}, up, colour);
  }
}

using TileKey = std::pair<int, int>;
TileKey tileOf(Vec2 p) {
  return {static_cast<int>(std::floor(p.x / kTileM)), static_cast<int>(std::floor(p.y / kTileM))};
}

osg::ref_ptr<osg::Geode> geodeOf(std::map<TileKey, Mesh>& tiles, osg::StateSet* state) {
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
  }
  if (state != nullptr)
    geode->setStateSet(state);
  return geode;
}

// the whole static scene
osg::ref_ptr<osg::Group> buildScene(const gis::CityModel& city) {
  std::map<TileKey, Mesh> ground, buildings, roads;
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
  // roads, rail and waterways as ribbons
  for (std::size_t i = 0; i < city.roads.edges.size(); ++i) {
    const gis::RoadEdge& e = city.roads.edges[i];
    if (e.twin >= 0 && static_cast<std::size_t>(e.twin) < i)
      continue;  // each segment once
    Mesh& m = roads[tileOf(e.geometry[e.geometry.size() / 2])];
    if (e.carAllowed) {
      const int lanes =
          e.lanes + (e.twin >= 0 ? city.roads.edges[static_cast<std::size_t>(e.twin)].lanes : 0);
      ribbon(m, e.geometry, 3.0 * lanes + 1.0, 1.2f, {0.40f, 0.40f, 0.43f, 1.f});
    } else {
      ribbon(m, e.geometry, 1.5, 1.1f, {0.97f, 0.96f, 0.93f, 1.f});
    }
  }
  for (const gis::LineFeature& l : city.lines) {
    if (l.points.size() < 2)
      continue;
    Mesh& m = roads[tileOf(l.points[l.points.size() / 2])];
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
  for (const gis::Building& b : city.buildings) {
    Mesh& m = buildings[tileOf(b.centre)];
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
  osg::ref_ptr<osg::Group> root = new osg::Group;
  root->addChild(geodeOf(ground, nullptr));
  root->addChild(geodeOf(roads, nullptr));
  root->addChild(geodeOf(buildings, nullptr));
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
  return root;
}

osg::ref_ptr<osg::Camera> captionHud(const RenderDef& def) {
  osg::ref_ptr<osg::Camera> hud = detail::hudCamera(def.width, def.height);
  osg::ref_ptr<osg::Geode> geode = new osg::Geode;
  const float size = std::max(12.f, static_cast<float>(def.height) / 42.f);
  const std::string font = detail::kHudFont;
  auto line = [&](const std::string& text, float y, float scale) {
    osg::ref_ptr<osgText::Text> t = new osgText::Text;
    if (fs::exists(font))
      t->setFont(font);
    t->setCharacterSize(size * scale);
    t->setColor({0.12f, 0.12f, 0.14f, 1.f});
    t->setPosition({size * 0.8f, y, 0.f});
    t->setText(text, osgText::String::ENCODING_UTF8);
    t->setBackdropType(osgText::Text::OUTLINE);
    t->setBackdropColor({1.f, 1.f, 1.f, 0.85f});
    geode->addDrawable(t);
  };
  // a pale panel behind the caption keeps it readable over any part of the city
  {
    const float panelH = size * (def.attribution.empty() ? 2.0f : 3.0f);
    const float panelW = std::min(static_cast<float>(def.width), size * 26.f);
    osg::ref_ptr<osg::Geometry> panel = new osg::Geometry;
    osg::ref_ptr<osg::Vec3Array> v = new osg::Vec3Array;
    v->push_back({0.f, 0.f, -0.5f});
    v->push_back({panelW, 0.f, -0.5f});
    v->push_back({panelW, panelH, -0.5f});
    v->push_back({0.f, panelH, -0.5f});
    osg::ref_ptr<osg::Vec4Array> c = new osg::Vec4Array;
    c->push_back({1.f, 1.f, 1.f, 0.78f});
    panel->setVertexArray(v);
    panel->setColorArray(c, osg::Array::BIND_OVERALL);
    panel->addPrimitiveSet(new osg::DrawArrays(GL_QUADS, 0, 4));
    panel->getOrCreateStateSet()->setMode(GL_BLEND, osg::StateAttribute::ON);
    geode->addDrawable(panel);
  }
  if (!def.attribution.empty()) {
    line(def.attribution, size * 0.6f, 0.7f);
  }
  if (!def.caption.empty())
    line(def.caption, size * (def.attribution.empty() ? 0.8f : 1.7f), 1.f);
  hud->addChild(geode);
  return hud;
}

}  // namespace

namespace detail {
osg::ref_ptr<osg::Group> buildCityScene(const gis::CityModel& city) {
  return buildScene(city);
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
}  // namespace detail

std::string attributionFor(const gis::CityModel& city) {
  for (const std::string& s : city.sources) {
    if (s.ends_with(".osm") || s.ends_with(".pbf") || s.ends_with(".osm.gz")) {
      return "\xC2\xA9 OpenStreetMap contributors";
    }
  }
  return {};
}

CameraDef cameraForBox(const std::string& name, const gis::Box& box, double fovYDeg) {
  const double cx = (box.minX + box.maxX) / 2.0, cy = (box.minY + box.maxY) / 2.0;
  const double size = std::max({box.maxX - box.minX, box.maxY - box.minY, 100.0});
  return {name, {cx, cy - 0.60 * size, 0.42 * size}, {cx, cy + 0.06 * size, 0.0}, fovYDeg};
}

std::vector<CameraDef> camerasFor(const gis::CityModel& city, const std::vector<CameraDef>& extra) {
  std::vector<CameraDef> all = namedCameras(city);
  all.insert(all.end(), extra.begin(), extra.end());
  return all;
}

std::vector<CameraDef> namedCameras(const gis::CityModel& city) {
  const gis::Box& e = city.extent;
  const double cx = (e.minX + e.maxX) / 2.0, cy = (e.minY + e.maxY) / 2.0;
  const double size = std::max(e.maxX - e.minX, e.maxY - e.minY);
  std::vector<CameraDef> cams;
  // whole city from the south, about 35 degrees down
  cams.push_back(
      {"overview", {cx, cy - 0.60 * size, 0.42 * size}, {cx, cy + 0.06 * size, 0.0}, 40.0});
  cams.push_back({"center", {cx, cy - 0.35 * size, 0.22 * size}, {cx, cy, 0.0}, 40.0});
  // the largest industrial area (the park's site), else the centre
  const gis::LandUseArea* park = nullptr;
  for (const gis::LandUseArea& a : city.landUse) {
    if (a.landUse == gis::LandUseClass::Industrial && (park == nullptr || a.areaM2 > park->areaM2))
      park = &a;
  }
  if (park != nullptr) {
    const gis::Vec2 c = gis::centroid(park->polygon.outer);
    const double s =
        std::max({park->box.maxX - park->box.minX, park->box.maxY - park->box.minY, 300.0});
    cams.push_back({"park", {c.x, c.y - 1.3 * s, 0.9 * s}, {c.x, c.y, 0.0}, 40.0});
  } else {
    cams.push_back({"park", cams[1].eye, cams[1].target, 40.0});
  }
  return cams;
}

bool parseSize(const std::string& text, int& width, int& height) {
  const std::size_t x = text.find('x');
  if (x == std::string::npos)
    return false;
  try {
    std::size_t used = 0;
    width = std::stoi(text.substr(0, x), &used);
    if (used != x)
      return false;
    height = std::stoi(text.substr(x + 1), &used);
    if (used != text.size() - x - 1)
      return false;
  } catch (...) {
    return false;
  }
  return width >= 16 && height >= 16 && width <= 8192 && height <= 8192;
}

core::Result<RenderStats> measureRender(const gis::CityModel& city, const RenderDef& def,
                                        int frames) {
  using Clock = std::chrono::steady_clock;
  const auto cams = camerasFor(city, def.extraCameras);
  const CameraDef* cam = nullptr;
  for (const CameraDef& c : cams) {
    if (c.name == def.camera)
      cam = &c;
  }
  if (cam == nullptr)
    return core::fail(core::ErrorCode::BadInput, "unknown camera " + def.camera);
  auto ctx = detail::EglContext::create(def.width, def.height, def.samples);
  if (!ctx)
    return core::Unexpected(ctx.error());
  RenderStats stats;
  stats.renderer = (*ctx)->renderer();
  const auto t0 = Clock::now();
  osg::ref_ptr<osg::Group> scene = buildScene(city);
  stats.sceneBuildS = std::chrono::duration<double>(Clock::now() - t0).count();
  // count what the GPU draws: one draw call per drawable
  struct Counter : osg::NodeVisitor {
    Counter() : osg::NodeVisitor(TRAVERSE_ALL_CHILDREN) {}
    void apply(osg::Drawable& d) override {
      ++drawables;
      if (const auto* g = d.asGeometry(); g != nullptr && g->getVertexArray() != nullptr) {
        triangles += g->getVertexArray()->getNumElements() / 3;
      }
    }
    std::size_t drawables = 0, triangles = 0;
  } counter;
  scene->accept(counter);
  stats.drawables = counter.drawables + 3;  // + the caption panel and two text lines
  stats.triangles = counter.triangles;
  osgViewer::Viewer viewer;
  viewer.setThreadingModel(osgViewer::Viewer::SingleThreaded);
  viewer.setUpViewerAsEmbeddedInWindow(0, 0, def.width, def.height);
  viewer.setLightingMode(osg::View::NO_LIGHT);
  osg::ref_ptr<osg::Group> root = new osg::Group;
  root->addChild(scene);
  root->addChild(captionHud(def));
  viewer.setSceneData(root);
  viewer.getCamera()->setProjectionMatrixAsPerspective(
      cam->fovYDeg, static_cast<double>(def.width) / def.height, 1.0, 100000.0);
  viewer.getCamera()->setViewMatrixAsLookAt({cam->eye.x, cam->eye.y, cam->eye.z},
                                            {cam->target.x, cam->target.y, cam->target.z},
                                            {0, 0, 1});
  const auto t1 = Clock::now();
  viewer.realize();
  viewer.frame();
  glFinish();
  stats.firstFrameS = std::chrono::duration<double>(Clock::now() - t1).count();
  const auto t2 = Clock::now();
  for (int i = 0; i < frames; ++i) {
    viewer.frame();
    glFinish();  // the frame is done, not just queued
  }
  stats.frameS =
      frames > 0 ? std::chrono::duration<double>(Clock::now() - t2).count() / frames : 0.0;
  return stats;
}

core::Status renderCityPng(const gis::CityModel& city, const RenderDef& def,
                           const std::string& pngPath) {
  if (def.width < 16 || def.height < 16 || def.width > 8192 || def.height > 8192) {
    return core::fail(core::ErrorCode::BadInput, "image size must be 16..8192 pixels per side");
  }
  const auto cams = camerasFor(city, def.extraCameras);
  const CameraDef* cam = nullptr;
  std::string names;
  for (const CameraDef& c : cams) {
    names += (names.empty() ? "" : ", ") + c.name;
    if (c.name == def.camera)
      cam = &c;
  }
  if (cam == nullptr) {
    return core::fail(core::ErrorCode::BadInput,
                      "unknown camera '" + def.camera + "'; cameras: " + names);
  }
  auto ctx = detail::EglContext::create(def.width, def.height, def.samples);
  if (!ctx)
    return core::Unexpected(ctx.error());

  osgViewer::Viewer viewer;
  viewer.setThreadingModel(osgViewer::Viewer::SingleThreaded);
  viewer.setUpViewerAsEmbeddedInWindow(0, 0, def.width, def.height);
  viewer.setLightingMode(osg::View::NO_LIGHT);
  osg::ref_ptr<osg::Group> root = new osg::Group;
  root->addChild(buildScene(city));
  root->addChild(captionHud(def));
  viewer.setSceneData(root);
  osg::Camera* camera = viewer.getCamera();
  camera->setClearColor({0.80f, 0.86f, 0.92f, 1.f});  // pale sky
  camera->setComputeNearFarMode(osg::CullSettings::COMPUTE_NEAR_FAR_USING_BOUNDING_VOLUMES);
  camera->setProjectionMatrixAsPerspective(
      cam->fovYDeg, static_cast<double>(def.width) / def.height, 1.0, 100000.0);
  camera->setViewMatrixAsLookAt({cam->eye.x, cam->eye.y, cam->eye.z},
                                {cam->target.x, cam->target.y, cam->target.z}, {0, 0, 1});
  viewer.realize();
  viewer.frame();
  osg::ref_ptr<osg::Image> image = new osg::Image;
  image->readPixels(0, 0, def.width, def.height, GL_RGB, GL_UNSIGNED_BYTE);
  // written under a temporary name with the same extension, then renamed
  std::error_code ec;
  if (fs::path(pngPath).has_parent_path())
    fs::create_directories(fs::path(pngPath).parent_path(), ec);
  const std::string temp = pngPath + ".tmp-" + std::to_string(::getpid()) + ".png";
  if (!osgDB::writeImageFile(*image, temp) || !fs::exists(temp)) {
    fs::remove(temp, ec);
    return core::fail(core::ErrorCode::Io, "cannot write " + pngPath + " (OSG png plugin)");
  }
  fs::rename(temp, pngPath, ec);
  if (ec) {
    fs::remove(temp, ec);
    return core::fail(core::ErrorCode::Io, "cannot write " + pngPath + ": " + ec.message());
  }
  return {};
}

}  // namespace twin::render
