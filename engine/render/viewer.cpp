// SPDX-License-Identifier: Apache-2.0
// The interactive viewer: osgViewer window on the city scene, the simulation on its own thread
// publishing frames, a HUD reading the last published frame.
#include "render/viewer.hpp"

#include <osg/Geode>
#include <osgDB/WriteFile>
#include <osgGA/GUIEventHandler>
#include <osgGA/TrackballManipulator>
#include <osgText/Text>
#include <osgViewer/Viewer>
#include <osgViewer/ViewerEventHandlers>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <numbers>
#include <set>
#include <thread>

#include "render/detail/scene.hpp"
#include "render/headless.hpp"

namespace twin::render {
namespace {

// real-time factors the + and - keys step through; 0 means as fast as possible
constexpr std::array<double, 5> kFactors{1.0, 10.0, 60.0, 600.0, 0.0};

using Clock = std::chrono::steady_clock;

struct Shared {
  std::mutex mutex;
  PublishedFrame frame;
  std::shared_ptr<const core::Frame> previousLayers;  // the frame before frame.layers
  Clock::time_point arrived;                          // when frame arrived
  std::atomic<int> layerChoice{-1};                   // -1 all, 0..n-1 only that one, n none
  std::string error;
  std::atomic<bool> paused{false};
  std::atomic<bool> quit{false};
  std::atomic<int> factor{2};  // index into kFactors: 60x
};

// the simulation thread: advance the models by wall time x factor, publish what they reached
void simulate(Shared& shared, const ViewerDef& def, const AdvanceFn& advance) {
  core::Tick reached = 0;
  auto last = Clock::now();
  double carryTicks = 0.0;
  while (!shared.quit.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const auto now = Clock::now();
    const double wall = std::chrono::duration<double>(now - last).count();
    last = now;
    if (shared.paused.load() || reached >= def.endTick)
      continue;
    const double f = kFactors[static_cast<std::size_t>(shared.factor.load())];
    core::Tick target = 0;
    if (f <= 0.0) {
      target = std::min(def.endTick, reached + std::max<core::Tick>(1, def.endTick / 200));
    } else {
      // the factor paces the loop; it never changes dt (STYLE.md §3)
      carryTicks += wall * f * 1e9 / static_cast<double>(def.tickNs);
      const auto whole = static_cast<core::Tick>(carryTicks);
      carryTicks -= static_cast<double>(whole);
      target = std::min(def.endTick, reached + whole);
    }
    if (target <= reached)
      continue;
    auto frame = advance(target);
    std::lock_guard lock(shared.mutex);
    if (!frame) {
      shared.error = frame.error().message;
      shared.quit.store(true);
      return;
    }
    reached = target;
    shared.previousLayers = shared.frame.layers;
    shared.frame = std::move(*frame);
    shared.arrived = Clock::now();
  }
}

class Keys : public osgGA::GUIEventHandler {
 public:
  Keys(Shared& shared, std::vector<CameraDef> cams, osgViewer::ScreenCaptureHandler* capture)
      : shared_(shared), cams_(std::move(cams)), capture_(capture) {}
  bool handle(const osgGA::GUIEventAdapter& ea, osgGA::GUIActionAdapter& aa) override {
    if (ea.getEventType() != osgGA::GUIEventAdapter::KEYDOWN)
      return false;
    const int key = ea.getKey();
    if (key == ' ') {
      shared_.paused.store(!shared_.paused.load());
      return true;
    }
    if (key == '+' || key == '=') {
      shared_.factor.store(
          std::min(shared_.factor.load() + 1, static_cast<int>(kFactors.size()) - 1));
      return true;
    }
    if (key == '-') {
      shared_.factor.store(std::max(shared_.factor.load() - 1, 0));
      return true;
    }
    if (key >= '1' && key <= '9') {
      const auto i = static_cast<std::size_t>(key - '1');
      if (i < cams_.size()) {
        auto* view = dynamic_cast<osgViewer::View*>(&aa);
        if (view != nullptr && view->getCameraManipulator() != nullptr) {
          const CameraDef& c = cams_[i];
          view->getCameraManipulator()->setHomePosition(
              {c.eye.x, c.eye.y, c.eye.z}, {c.target.x, c.target.y, c.target.z}, {0, 0, 1});
          view->home();
        }
      }
      return true;
    }
    if (key == 'l' || key == 'L') {
      shared_.layerChoice.store(shared_.layerChoice.load() + 1);  // wrapped by the draw loop
      return true;
    }
    if ((key == 's' || key == 'S') && capture_ != nullptr) {
      auto* view = dynamic_cast<osgViewer::View*>(&aa);
      if (view != nullptr && view->getViewerBase() != nullptr) {
        capture_->captureNextFrame(*view->getViewerBase());
      }
      return true;
    }
    return false;
  }

 private:
  Shared& shared_;
  std::vector<CameraDef> cams_;
  osgViewer::ScreenCaptureHandler* capture_;
};

// writes one captured frame to a fixed path
class WriteTo : public osgViewer::ScreenCaptureHandler::CaptureOperation {
 public:
  explicit WriteTo(std::string path) : path_(std::move(path)) {}
  void operator()(const osg::Image& image, const unsigned int /*context*/) override {
    written_ = osgDB::writeImageFile(image, path_);
  }
  bool written() const { return written_; }

 private:
  std::string path_;
  bool written_ = false;
};

}  // namespace

core::Result<int> runViewer(const gis::CityModel& city, const ViewerDef& def,
                            const AdvanceFn& advance) {
  Shared shared;
  osgViewer::Viewer viewer;
  viewer.setThreadingModel(osgViewer::Viewer::SingleThreaded);
  // no pinning to CPU 0 (OSG's configureAffinity for a single-threaded viewer): the simulation
  // thread, started after realize(), would inherit it and share the one core with the drawing
  viewer.setUseConfigureAffinity(false);
  viewer.setUpViewInWindow(40, 40, def.width, def.height);
  viewer.setLightingMode(osg::View::NO_LIGHT);
  osg::ref_ptr<osg::Group> root = new osg::Group;
  detail::CityScene scene = detail::buildCityScene(city);
  detail::DynamicLayers layers(scene, def.width, def.height);
  root->addChild(scene.root);
  root->addChild(layers.legend());

  // HUD: sim clock, factor, state, headline KPIs, attribution
  osg::ref_ptr<osg::Camera> hud = detail::hudCamera(def.width, def.height);
  osg::ref_ptr<osg::Geode> hudGeode = new osg::Geode;
  osg::ref_ptr<osgText::Text> text = new osgText::Text;
  if (std::filesystem::exists(detail::kHudFont)) {
    text->setFont(detail::kHudFont);
  }
  text->setCharacterSize(16.f);
  text->setColor({0.1f, 0.1f, 0.12f, 1.f});
  text->setPosition({12.f, static_cast<float>(def.height) - 24.f, 0.f});
  text->setDataVariance(osg::Object::DYNAMIC);
  // a pale panel behind the text, fitted to it each frame (drawn first: the HUD is drawn in
  // order); cheaper than OSG's outline backdrop, which samples the glyphs many times per pixel
  osg::ref_ptr<osg::Geometry> panel = new osg::Geometry;
  osg::ref_ptr<osg::Vec3Array> panelCorners = new osg::Vec3Array(4);
  {
    osg::ref_ptr<osg::Vec4Array> c = new osg::Vec4Array;
    c->push_back({1.f, 1.f, 1.f, 0.78f});
    panel->setUseDisplayList(false);
    panel->setUseVertexBufferObjects(true);
    panel->setDataVariance(osg::Object::DYNAMIC);
    panel->setVertexArray(panelCorners);
    panel->setColorArray(c, osg::Array::BIND_OVERALL);
    panel->addPrimitiveSet(new osg::DrawArrays(GL_QUADS, 0, 4));
    panel->getOrCreateStateSet()->setMode(GL_BLEND, osg::StateAttribute::ON);
  }
  hudGeode->addDrawable(panel);
  hudGeode->addDrawable(text);
  hud->addChild(hudGeode);
  root->addChild(hud);
  viewer.setSceneData(root);
  viewer.getCamera()->setClearColor({0.80f, 0.86f, 0.92f, 1.f});

  const auto cams = camerasFor(city, def.extraCameras);
  osg::ref_ptr<osgGA::TrackballManipulator> manip = new osgGA::TrackballManipulator;
  manip->setHomePosition({cams[0].eye.x, cams[0].eye.y, cams[0].eye.z},
                         {cams[0].target.x, cams[0].target.y, cams[0].target.z}, {0, 0, 1});
  viewer.setCameraManipulator(manip);
  osg::ref_ptr<osgViewer::ScreenCaptureHandler> capture =
      new osgViewer::ScreenCaptureHandler(new osgViewer::ScreenCaptureHandler::WriteToFile(
          def.screenshotDir + "/citytwin-screenshot", "png"));
  viewer.addEventHandler(capture);
  viewer.addEventHandler(new Keys(shared, cams, capture.get()));
  viewer.realize();
  if (!viewer.isRealized()) {
    return core::fail(core::ErrorCode::Io,
                      "cannot open a window (no X display?); for images use citytwin render");
  }
  std::thread sim(simulate, std::ref(shared), std::cref(def), std::cref(advance));
  int frames = 0;
  std::shared_ptr<const core::Frame> shownLayers;
  while (!viewer.done() && !shared.quit.load()) {
    {
      std::lock_guard lock(shared.mutex);
      // the view runs one publication behind the simulation and moves things smoothly from the
      // previous frame to the latest at the real-time factor
      const double f = kFactors[static_cast<std::size_t>(shared.factor.load())];
      const std::shared_ptr<const core::Frame>& latest = shared.frame.layers;
      const std::shared_ptr<const core::Frame>& before = shared.previousLayers;
      double alpha = 1.0;
      if (latest && before && f > 0.0 && !shared.paused.load() && latest->timeS > before->timeS) {
        const double wall = std::chrono::duration<double>(Clock::now() - shared.arrived).count();
        alpha = std::min(1.0, wall * f / (latest->timeS - before->timeS));
      }
      std::string layerLine;
      if (latest) {
        const int n = static_cast<int>(latest->layers.size());
        int choice = shared.layerChoice.load();
        if (choice > n) {
          choice = -1;
          shared.layerChoice.store(-1);
        }
        std::set<std::string> hidden;
        for (int i = 0; i < n; ++i) {
          if (choice == n || (choice >= 0 && i != choice))
            hidden.insert(latest->layers[static_cast<std::size_t>(i)].name);
        }
        layerLine =
            n == 0       ? ""
            : choice < 0 ? "layers: all (l)"
            : choice == n
                ? "layers: none (l)"
                : "layer: " + latest->layers[static_cast<std::size_t>(choice)].name + " (l)";
        layers.setHidden(std::move(hidden));
        // the view of the last frame drawn (instances keep a margin for the camera's motion)
        double fovy = 0.0, aspect = 0.0, zNear = 0.0, zFar = 0.0;
        if (viewer.getCamera()->getProjectionMatrixAsPerspective(fovy, aspect, zNear, zFar)) {
          const osg::Viewport* vp = viewer.getCamera()->getViewport();
          const double h = vp != nullptr ? vp->height() : def.height;
          layers.setView(viewer.getCamera()->getInverseViewMatrix().getTrans(),
                         h / 2.0 / std::tan(fovy * std::numbers::pi / 360.0));
        }
        layers.update(*latest, before.get(), alpha);
        shownLayers = latest;  // kept alive while drawn
      }
      std::string s = shared.frame.clock;
      char buf[64];
      std::snprintf(buf, sizeof buf, "   %s%s",
                    f > 0 ? (std::to_string(static_cast<int>(f)) + "x").c_str() : "max",
                    shared.paused.load()    ? "  (paused)"
                    : shared.frame.finished ? "  (end)"
                                            : "");
      s += buf;
      for (const std::string& h : shared.frame.headlines)
        s += "\n" + h;
      if (!layerLine.empty())
        s += "\n" + layerLine;
      if (!def.attribution.empty())
        s += "\n" + def.attribution;
      text->setText(s, osgText::String::ENCODING_UTF8);
      const osg::BoundingBox& bb = text->getBoundingBox();
      if (bb.valid()) {
        constexpr float kPad = 6.f;
        (*panelCorners)[0] = {bb.xMin() - kPad, bb.yMin() - kPad, 0.f};
        (*panelCorners)[1] = {bb.xMax() + kPad, bb.yMin() - kPad, 0.f};
        (*panelCorners)[2] = {bb.xMax() + kPad, bb.yMax() + kPad, 0.f};
        (*panelCorners)[3] = {bb.xMin() - kPad, bb.yMax() + kPad, 0.f};
        panelCorners->dirty();
        panel->dirtyBound();
      }
    }
    const bool last = def.maxFrames > 0 && frames + 1 >= def.maxFrames;
    if (last && !def.finalScreenshot.empty()) {
      capture->setCaptureOperation(new WriteTo(def.finalScreenshot));
      capture->captureNextFrame(viewer);
    }
    viewer.frame();
    ++frames;
    if (last)
      break;
  }
  shared.quit.store(true);
  sim.join();
  if (!shared.error.empty())
    return core::fail(core::ErrorCode::ModelFailed, shared.error);
  return frames;
}

}  // namespace twin::render
