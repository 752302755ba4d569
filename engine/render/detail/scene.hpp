// SPDX-License-Identifier: Apache-2.0
// The OSG scene of a city and its dynamic layers, shared by the headless renderer and the
// interactive viewer (internal to engine/render: OSG types never leave this module).
#pragma once

#include <osg/Camera>
#include <osg/Geode>
#include <osg/Geometry>
#include <osg/Group>
#include <osg/Matrixd>
#include <osg/PrimitiveSet>
#include <osg/ref_ptr>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/frame.hpp"
#include "gis/city_model.hpp"

namespace twin::render::detail {

// Where an entity's vertices lie in the merged tile geometries (for recolouring by value).
struct VertexRange {
  int geometry = -1;  // index into CityScene::buildingGeoms / roadGeoms; -1: not drawn
  unsigned first = 0;
  unsigned count = 0;
};

// The triangles of a building tile: its roofs and other faces first, then its walls in
// kWallBins bins by the compass direction they face (bin k: outward normals from k to k + 1
// times 360/kWallBins degrees, counter-clockwise from east). Each frame only the bins that can
// face the eye from somewhere in the tile are drawn, in at most two index ranges: walls turned
// away never reach the vertex stage, which llvmpipe runs on a single thread. Back-face culling
// would drop them later anyway, so the image is the same.
constexpr int kWallBins = 16;
class FacingElements : public osg::DrawElementsUInt {
 public:
  FacingElements() : osg::DrawElementsUInt(GL_TRIANGLES) {}
  FacingElements(const FacingElements& o, const osg::CopyOp& op = osg::CopyOp::SHALLOW_COPY)
      : osg::DrawElementsUInt(o, op), ends(o.ends), minXY(o.minXY), maxXY(o.maxXY) {}
  META_Object(twin, FacingElements)
      // where the other faces end ([0]) and where bin k ends ([k + 1]), in indices
      std::array<unsigned, kWallBins + 1> ends{};
  osg::Vec2 minXY, maxXY;  // the tile's extent on the ground
  // bit k set: some wall of bin k anywhere in the extent can face `eye` (conservative, exact
  // for the bins' edge directions and the extent's corners)
  unsigned visibleBins(const osg::Vec3& eye) const;
  void draw(osg::State& state, bool useVertexBufferObjects) const override;
  // off: every bin is drawn (tests compare the images)
  static void setEnabled(bool on);
  // indices drawn and left out by all of them since the last reset (benchmark, tests)
  struct Counts {
    std::uint64_t drawn = 0, skipped = 0;
  };
  static Counts counts();
  static void resetCounts();
};

// The static city's image kept between frames (static_cache.cpp): a frame that draws the city
// at rest (the same view as the frame before) copies its colour and depth buffers into a
// framebuffer object right after it; later frames
// with the same view matrix, projection, viewport and city colours copy them back instead of
// drawing the city, and the dynamic layers are drawn over them as before. The image is the same
// either way. Any change of view redraws; so does invalidate() (value layers recolouring the
// city). Where the copy is refused (formats, no framebuffer objects), every frame draws the city.
class StaticCache {
 public:
  StaticCache();
  ~StaticCache();
  StaticCache(const StaticCache&) = delete;
  StaticCache& operator=(const StaticCache&) = delete;
  // `city` (a child of `root`) is drawn in a render bin before all others, its drawables skipped
  // on frames that copy it back; two steps are added to `root` around it
  void attach(osg::Group& root, osg::Group& city);
  void invalidate() { ++version_; }
  void setEnabled(bool on) { enabled_ = on; }
  bool restoring() const { return restoring_; }
  // frames that drew the city and saved it, and frames that copied it back
  std::uint64_t drawnFrames() const { return drawn_; }
  std::uint64_t restoredFrames() const { return restored_; }
  bool broken() const { return broken_; }

  void beforeCity(osg::RenderInfo& ri);  // called by the steps
  void afterCity(osg::RenderInfo& ri);

 private:
  struct Key {
    osg::Matrixd view, projection;
    std::array<int, 4> viewport{};
    std::uint64_t version = 0;
    bool same(const Key& o) const;
  };
  struct Gl;
  bool blit(osg::RenderInfo& ri, bool save);
  std::unique_ptr<Gl> gl_;
  Key pending_, saved_, previous_;
  std::uint64_t version_ = 0, drawn_ = 0, restored_ = 0;
  bool enabled_ = true, broken_ = false, valid_ = false, restoring_ = false;
};

// The static city: land use, roads (each direction on its own side), rail, water, the park
// outline and buildings merged per tile, with material and sun light.
struct CityScene {
  osg::ref_ptr<osg::Group> root;       // lit; dynamic layers go below it
  std::shared_ptr<StaticCache> cache;  // the static part of root, kept between frames
  std::vector<osg::ref_ptr<osg::Geometry>> buildingGeoms, roadGeoms;
  // per building / road edge (city order): its vertices in the near and the far version of its
  // tile (osg::LOD per tile: full detail near the eye, simplified far away)
  std::vector<std::array<VertexRange, 2>> buildingRanges;
  std::vector<std::array<VertexRange, 2>> linkRanges;
  // the colours as built, to restore when a value layer goes away, and the sun's n.l per vertex
  std::vector<osg::ref_ptr<osg::Vec4Array>> buildingColours, roadColours;
  std::vector<std::vector<float>> buildingLight, roadLight;
  // the ground: z in the scene is the DEM height minus groundBase (0 everywhere without one)
  const gis::CityModel* city = nullptr;
  double groundBase = 0.0;
  bool hasTerrain = false;
  float groundAt(double x, double y) const;
};

// The sun's n.l for a face normal (a fixed sun from the south-west), and a colour lit by it
// as fixed-function lighting would (baked into vertex colours: no lighting cost per frame).
float sunLight(const osg::Vec3& normal);
osg::Vec4 litColour(const osg::Vec4& colour, float nl);
CityScene buildCityScene(const gis::CityModel& city);

// A filled polygon (holes allowed) at height z in one colour; null when it has no area.
osg::ref_ptr<osg::Geometry> polygonGeometry(const gis::Polygon& polygon, float z,
                                            const osg::Vec4& colour);

// The largest industrial land-use area (the park's site), null when there is none.
const gis::LandUseArea* parkArea(const gis::CityModel& city);

// A 2D overlay camera in pixels (origin bottom-left), drawn after the scene, without lighting.
// `order`: among overlays, higher ones are drawn later (over lower ones).
constexpr int kHudBin = 1000;  // render bin of overlays: after the scene's bins (labels: 20)
osg::ref_ptr<osg::Camera> hudCamera(int width, int height, int order = 0);

// The font for captions and the HUD (Debian's fonts-dejavu-core); OSG's built-in font if absent.
inline constexpr const char* kHudFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

// Turns published frames into scene nodes under the city scene and a legend in a HUD. Keeps its
// geometry between frames (arrays are refilled, not reallocated).
class DynamicLayers {
 public:
  DynamicLayers(CityScene& scene, int width, int height);
  // Shows `frame`; with `previous` and 0 <= alpha < 1 the instances are placed between the two
  // frames (matched by id). Layers named in `hidden` are not shown.
  void update(const core::Frame& frame, const core::Frame* previous = nullptr, double alpha = 1.0);
  void setHidden(std::set<std::string> hidden) { hidden_ = std::move(hidden); }
  const std::set<std::string>& hidden() const { return hidden_; }
  osg::Camera* legend() { return legendHud_.get(); }
  std::size_t instancesShown() const { return instancesShown_; }
  std::size_t instanceTriangles() const;
  // The eye and the image's pixels per radian of view (height / vertical field of view): with
  // them instances leave out faces turned away and small ones are drawn as their roof alone.
  void setView(const osg::Vec3d& eye, double pixelsPerRadian);

 private:
  void recolour(const core::Layer* layer, bool buildings);
  void updateInstances(const std::vector<const core::Layer*>& layers, const core::Frame* previous,
                       double alpha);
  void updateOverlays(const std::vector<const core::Layer*>& layers);
  void updateLegend(const std::vector<const core::Layer*>& layers);

  CityScene& scene_;
  int width_, height_;
  std::set<std::string> hidden_;
  osg::ref_ptr<osg::Geode> instances_;
  osg::ref_ptr<osg::Geometry> instanceGeom_;
  osg::ref_ptr<osg::Group> overlays_;
  osg::ref_ptr<osg::Camera> legendHud_;
  std::string legendKey_;
  std::string buildingLayer_, linkLayer_;  // the value layer shown on each, "" for none
  struct Shown {                           // what the value layer shown on each was coloured from
    core::ColourScale scale = core::ColourScale::Viridis;
    double valueMin = 0.0, valueMax = 0.0;
    std::vector<double> values;
  } shownBuildings_, shownLinks_;
  std::size_t instancesShown_ = 0;
  bool viewKnown_ = false;
  osg::Vec3d eye_;
  double pixelsPerRadian_ = 0.0;
};

}  // namespace twin::render::detail
