// SPDX-License-Identifier: Apache-2.0
// Named cameras, and the off-screen render through OpenSceneGraph's embedded viewer on an EGL
// context: the city scene is built once, then frames of dynamic layers are drawn into it.
#include "render/headless.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <osgDB/WriteFile>
#include <osgText/Text>
#include <osgViewer/Viewer>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>

#include "render/detail/scene.hpp"
#include "render/egl_context.hpp"

namespace twin::render {
namespace {
namespace fs = std::filesystem;

// the caption panel; `captionText` receives the caption line to change between frames
osg::ref_ptr<osg::Camera> captionHud(const RenderDef& def,
                                     osg::ref_ptr<osgText::Text>& captionText) {
  osg::ref_ptr<osg::Camera> hud = detail::hudCamera(def.width, def.height);
  osg::ref_ptr<osg::Geode> geode = new osg::Geode;
  const float size = std::max(12.f, static_cast<float>(def.height) / 42.f);
  const std::string font = detail::kHudFont;
  auto line = [&](const std::string& text, float y, float scale) {
    osg::ref_ptr<osgText::Text> t = new osgText::Text;
    t->setDataVariance(osg::Object::DYNAMIC);
    if (fs::exists(font))
      t->setFont(font);
    t->setCharacterSize(size * scale);
    t->setColor({0.12f, 0.12f, 0.14f, 1.f});
    t->setPosition({size * 0.8f, y, 0.f});
    t->setText(text, osgText::String::ENCODING_UTF8);
    // no outline: the panel gives the contrast. OSG's outline backdrop samples the glyph
    // texture many times per pixel; on llvmpipe it cost 15 ms a frame for these two lines.
    geode->addDrawable(t);
    return t;
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
  captionText = line(def.caption, size * (def.attribution.empty() ? 0.8f : 1.7f), 1.f);
  hud->addChild(geode);
  return hud;
}

}  // namespace

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
  if (const gis::LandUseArea* park = detail::parkArea(city)) {
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

struct OffscreenRenderer::Impl {
  std::unique_ptr<detail::EglContext> context;
  osg::Vec3d eye, target;
  double pixelsPerRadian = 0.0;
  detail::CityScene scene;
  std::unique_ptr<detail::DynamicLayers> layers;
  osg::ref_ptr<osgText::Text> caption;
  osgViewer::Viewer viewer;
  RenderDef def;
};

OffscreenRenderer::OffscreenRenderer() = default;
OffscreenRenderer::~OffscreenRenderer() = default;

core::Result<std::unique_ptr<OffscreenRenderer>> OffscreenRenderer::create(
    const gis::CityModel& city, const RenderDef& def) {
  using Clock = std::chrono::steady_clock;
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
  std::unique_ptr<OffscreenRenderer> r(new OffscreenRenderer);
  r->impl_ = std::make_unique<Impl>();
  Impl& m = *r->impl_;
  m.context = std::move(*ctx);
  m.def = def;
  r->stats_.renderer = m.context->renderer();
  const auto t0 = Clock::now();
  m.scene = detail::buildCityScene(city);
  m.layers = std::make_unique<detail::DynamicLayers>(m.scene, def.width, def.height);
  r->stats_.sceneBuildS = std::chrono::duration<double>(Clock::now() - t0).count();
  // what the GPU draws at most: one draw call per drawable (two for a building tile), the tiles
  // in full detail (a visitor without an eye point takes each LOD's near child)
  struct Counter : osg::NodeVisitor {
    Counter() : osg::NodeVisitor(TRAVERSE_ACTIVE_CHILDREN) {}
    void apply(osg::Drawable& d) override {
      if (const auto* g = d.asGeometry(); g != nullptr) {
        ++drawables;  // (the city image's two copy steps draw nothing)
        for (unsigned i = 0; i < g->getNumPrimitiveSets(); ++i) {
          const osg::PrimitiveSet* p = g->getPrimitiveSet(i);
          if (p->getMode() == GL_TRIANGLES)
            triangles += p->getNumIndices() / 3;
          if (dynamic_cast<const detail::FacingElements*>(p) != nullptr)
            ++drawables;  // at most two ranges of it are drawn
        }
      }
    }
    std::size_t drawables = 0, triangles = 0;
  } counter;
  m.scene.root->accept(counter);
  r->stats_.drawables = counter.drawables + 3;  // + the caption panel and two text lines
  r->stats_.triangles = counter.triangles;

  m.viewer.setThreadingModel(osgViewer::Viewer::SingleThreaded);
  // OSG pins a single-threaded viewer's thread to CPU 0 (configureAffinity); here that thread
  // is the caller's, which goes on simulating: runs side by side (sweeps, MPI ranks) all ended
  // up on one core after their first render
  m.viewer.setUseConfigureAffinity(false);
  m.viewer.setUpViewerAsEmbeddedInWindow(0, 0, def.width, def.height);
  m.viewer.setLightingMode(osg::View::NO_LIGHT);
  osg::ref_ptr<osg::Group> root = new osg::Group;
  root->addChild(m.scene.root);
  root->addChild(captionHud(def, m.caption));
  root->addChild(m.layers->legend());
  m.viewer.setSceneData(root);
  osg::Camera* camera = m.viewer.getCamera();
  camera->setClearColor({0.80f, 0.86f, 0.92f, 1.f});  // pale sky
  camera->setComputeNearFarMode(osg::CullSettings::COMPUTE_NEAR_FAR_USING_BOUNDING_VOLUMES);
  camera->setProjectionMatrixAsPerspective(
      cam->fovYDeg, static_cast<double>(def.width) / def.height, 1.0, 100000.0);
  camera->setViewMatrixAsLookAt({cam->eye.x, cam->eye.y, cam->eye.z},
                                {cam->target.x, cam->target.y, cam->target.z}, {0, 0, 1});
  m.eye = {cam->eye.x, cam->eye.y, cam->eye.z};
  m.target = {cam->target.x, cam->target.y, cam->target.z};
  m.pixelsPerRadian = def.height / 2.0 / std::tan(cam->fovYDeg * std::numbers::pi / 360.0);
  m.layers->setView(m.eye, m.pixelsPerRadian);
  m.viewer.realize();
  // one frame of the static scene first: screen-sized text (labels) needs the viewer's first
  // frame behind it to be placed
  m.viewer.frame();
  return r;
}

void OffscreenRenderer::draw(const core::Frame& frame, const std::string& caption) {
  Impl& m = *impl_;
  m.layers->update(frame);
  m.caption->setText(caption, osgText::String::ENCODING_UTF8);
  m.viewer.frame();
}

core::Result<std::vector<std::uint8_t>> OffscreenRenderer::renderRgb(const core::Frame& frame,
                                                                     const std::string& caption) {
  draw(frame, caption);
  const auto w = static_cast<std::size_t>(impl_->def.width);
  const auto h = static_cast<std::size_t>(impl_->def.height);
  std::vector<std::uint8_t> rows(w * h * 3);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, impl_->def.width, impl_->def.height, GL_RGB, GL_UNSIGNED_BYTE, rows.data());
  if (glGetError() != GL_NO_ERROR)
    return core::fail(core::ErrorCode::Io, "reading the rendered image failed (glReadPixels)");
  // GL rows run bottom-up; images top-down
  std::vector<std::uint8_t> out(rows.size());
  for (std::size_t y = 0; y < h; ++y) {
    std::copy_n(rows.begin() + static_cast<std::ptrdiff_t>((h - 1 - y) * w * 3),
                static_cast<std::ptrdiff_t>(w * 3),
                out.begin() + static_cast<std::ptrdiff_t>(y * w * 3));
  }
  return out;
}

core::Status OffscreenRenderer::writePng(const core::Frame& frame, const std::string& caption,
                                         const std::string& pngPath) {
  draw(frame, caption);
  osg::ref_ptr<osg::Image> image = new osg::Image;
  image->readPixels(0, 0, impl_->def.width, impl_->def.height, GL_RGB, GL_UNSIGNED_BYTE);
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

void OffscreenRenderer::orbit(double degrees) {
  Impl& m = *impl_;
  const double a = degrees * std::numbers::pi / 180.0;
  const osg::Vec3d d = m.eye - m.target;
  m.eye = m.target + osg::Vec3d(d.x() * std::cos(a) - d.y() * std::sin(a),
                                d.x() * std::sin(a) + d.y() * std::cos(a), d.z());
  m.viewer.getCamera()->setViewMatrixAsLookAt(m.eye, m.target, {0, 0, 1});
  m.layers->setView(m.eye, m.pixelsPerRadian);
}

void OffscreenRenderer::setKeepCityImage(bool on) {
  impl_->scene.cache->setEnabled(on);
}

std::size_t OffscreenRenderer::framesCityDrawn() const {
  return impl_->scene.cache->drawnFrames();
}

std::size_t OffscreenRenderer::framesCityKept() const {
  return impl_->scene.cache->restoredFrames();
}

int OffscreenRenderer::width() const {
  return impl_->def.width;
}
int OffscreenRenderer::height() const {
  return impl_->def.height;
}
std::size_t OffscreenRenderer::instancesShown() const {
  return impl_->layers->instancesShown();
}

std::size_t OffscreenRenderer::instanceTriangles() const {
  return impl_->layers->instanceTriangles();
}

core::Result<RenderStats> measureRender(const gis::CityModel& city, const RenderDef& def,
                                        const std::vector<core::Frame>& frames, int count,
                                        double orbitDegrees) {
  using Clock = std::chrono::steady_clock;
  auto r = OffscreenRenderer::create(city, def);
  if (!r)
    return core::Unexpected(r.error());
  RenderStats stats = (*r)->stats();
  const core::Frame none;
  const auto t1 = Clock::now();
  (*r)->draw(frames.empty() ? none : frames[0], def.caption);
  glFinish();
  stats.firstFrameS = std::chrono::duration<double>(Clock::now() - t1).count();
  auto cpuSeconds = [] {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
  };
  detail::FacingElements::resetCounts();
  const std::size_t drawn0 = (*r)->framesCityDrawn(), kept0 = (*r)->framesCityKept();
  const double cpu0 = cpuSeconds();
  const auto t2 = Clock::now();
  for (int i = 0; i < count; ++i) {
    const core::Frame& f =
        frames.empty() ? none : frames[static_cast<std::size_t>(i + 1) % frames.size()];
    if (orbitDegrees != 0.0)
      (*r)->orbit(orbitDegrees);
    (*r)->draw(f, def.caption);
    glFinish();  // the frame is done, not just queued
  }
  stats.frameS = count > 0 ? std::chrono::duration<double>(Clock::now() - t2).count() / count : 0.0;
  stats.frameCpuS = count > 0 ? (cpuSeconds() - cpu0) / count : 0.0;
  stats.framesCityDrawn = (*r)->framesCityDrawn() - drawn0;
  stats.framesCityKept = (*r)->framesCityKept() - kept0;
  stats.instances = (*r)->instancesShown();
  stats.instanceTriangles = (*r)->instanceTriangles();
  if (stats.framesCityDrawn > 0) {  // per frame that drew the city
    const auto counts = detail::FacingElements::counts();
    stats.buildingTrianglesDrawn = counts.drawn / 3 / stats.framesCityDrawn;
    stats.buildingTrianglesSkipped = counts.skipped / 3 / stats.framesCityDrawn;
  }
  return stats;
}

core::Status renderCityPng(const gis::CityModel& city, const RenderDef& def,
                           const core::Frame& frame, const std::string& pngPath) {
  auto r = OffscreenRenderer::create(city, def);
  if (!r)
    return core::Unexpected(r.error());
  return (*r)->writePng(frame, def.caption, pngPath);
}

}  // namespace twin::render
