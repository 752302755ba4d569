// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/frame.hpp"
#include "core/status.hpp"
#include "gis/city_model.hpp"

namespace twin::render {

// A view of the city: camera position and target in local metres (z up).
struct CameraDef {
  std::string name = "overview";
  gis::Vec3 eye;
  gis::Vec3 target;
  double fovYDeg = 35.0;
};

// The attribution a city's sources require: OSM data needs "© OpenStreetMap contributors".
std::string attributionFor(const gis::CityModel& city);

// The named cameras of a city: "overview" (whole city, oblique from the south), "center"
// (closer, over the centre), "park" (the largest industrial area, oblique).
std::vector<CameraDef> namedCameras(const gis::CityModel& city);
// The named cameras followed by `extra`.
std::vector<CameraDef> camerasFor(const gis::CityModel& city, const std::vector<CameraDef>& extra);

// What one image shows and how big it is.
struct RenderDef {
  int width = 1280;
  int height = 720;
  std::string camera = "overview";
  std::string caption;  // e.g. "aachen-baseline · 2026-06-17 08:00"
  // data attribution under the caption, e.g. "© OpenStreetMap contributors" (empty: none)
  std::string attribution = "\xC2\xA9 OpenStreetMap contributors";
  int samples = 4;                      // multisample antialiasing (0: off)
  std::vector<CameraDef> extraCameras;  // cameras the scenario defines
};

// A camera looking obliquely from the south at a box (local metres), like "overview".
CameraDef cameraForBox(const std::string& name, const gis::Box& box, double fovYDeg = 40.0);

// What a measured render cost (tools/bench/render_bench).
struct RenderStats {
  double sceneBuildS = 0.0;   // CityModel -> OSG scene
  double firstFrameS = 0.0;   // first frame (uploads)
  double frameS = 0.0;        // mean of the later frames (dynamic layers updated each frame)
  double frameCpuS = 0.0;     // CPU time of all the process's threads per later frame: less
                              // noisy than frameS on a shared machine (llvmpipe's threads sleep
                              // while they wait)
  std::size_t drawables = 0;  // static draw calls per frame (merged tile geometries + caption)
  std::size_t triangles = 0;  // static triangles
  std::size_t instances = 0;  // moving instances in the last frame
  std::size_t instanceTriangles = 0;         // their triangles (faces turned away left out)
  std::size_t buildingTrianglesDrawn = 0;    // per frame that drew the city, of the building
                                             // tiles' triangles, drawn
  std::size_t buildingTrianglesSkipped = 0;  // and left out: walls turned away from the eye
  std::size_t framesCityDrawn = 0;           // of the later frames: the city drawn in full
  std::size_t framesCityKept = 0;            // and its image kept from the frame before
  std::string renderer;                      // GL_RENDERER
};

// Off-screen rendering (EGL surfaceless; Mesa llvmpipe without a GPU) that builds the city
// scene once and then draws frames of the models' dynamic layers into it: several renders of
// one run and the frames of a time-lapse share one scene. One per thread; not copyable.
class OffscreenRenderer {
 public:
  // Errors: BadInput for an unknown camera or size, Io when no GL context can be made.
  static core::Result<std::unique_ptr<OffscreenRenderer>> create(const gis::CityModel& city,
                                                                 const RenderDef& def);
  ~OffscreenRenderer();
  OffscreenRenderer(const OffscreenRenderer&) = delete;
  OffscreenRenderer& operator=(const OffscreenRenderer&) = delete;

  // Draws the city with `frame`'s layers and `caption` (no read-back).
  void draw(const core::Frame& frame, const std::string& caption);
  // Draws and reads the image back: RGB, 8 bits per channel, rows top-down.
  core::Result<std::vector<std::uint8_t>> renderRgb(const core::Frame& frame,
                                                    const std::string& caption);
  // Draws and writes a PNG atomically (temporary file, then rename).
  core::Status writePng(const core::Frame& frame, const std::string& caption,
                        const std::string& pngPath);
  // Turns the camera about the vertical through its target by `degrees` (counter-clockwise
  // seen from above): the view changes, so the next frame draws the whole city again.
  void orbit(double degrees);
  // Off: every frame draws the whole city instead of keeping its image while the view and its
  // colours stay (tests compare the two).
  void setKeepCityImage(bool on);
  // frames since create() that drew the city in full, and that kept its image
  std::size_t framesCityDrawn() const;
  std::size_t framesCityKept() const;
  int width() const;
  int height() const;
  std::size_t instancesShown() const;
  std::size_t instanceTriangles() const;
  const RenderStats& stats() const { return stats_; }

 private:
  OffscreenRenderer();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  RenderStats stats_;
};

// One image of the city with `frame`'s layers, written atomically.
core::Status renderCityPng(const gis::CityModel& city, const RenderDef& def,
                           const core::Frame& frame, const std::string& pngPath);

// Builds the scene and draws `count` frames cycling through `frames` (none: the static city),
// no file written, timing each stage. With `orbitDegrees` the camera turns that much before
// each frame (an interactive view in motion: the city is drawn in full every frame).
core::Result<RenderStats> measureRender(const gis::CityModel& city, const RenderDef& def,
                                        const std::vector<core::Frame>& frames, int count,
                                        double orbitDegrees = 0.0);

// Parses "WxH" (e.g. 1920x1080); false when malformed or outside 16..8192.
bool parseSize(const std::string& text, int& width, int& height);

}  // namespace twin::render
