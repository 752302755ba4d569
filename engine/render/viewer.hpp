// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/frame.hpp"
#include "core/status.hpp"
#include "core/time.hpp"
#include "gis/city_model.hpp"
#include "render/headless.hpp"

namespace twin::render {

// What the simulation publishes for the viewer after each advance (read by the render thread).
struct PublishedFrame {
  core::Tick tick = 0;
  std::string clock;                   // "Wed 2026-06-17 08:00:00"
  std::vector<std::string> headlines;  // 3-5 short KPI lines for the HUD
  bool finished = false;
  std::shared_ptr<const core::Frame> layers;  // what the models published (null: nothing)
};

// The simulation side of the viewer, run on its own thread: advance(t) runs the models up to
// tick t (exclusive) and returns the frame to show; it is the only code that touches the models.
using AdvanceFn = std::function<core::Result<PublishedFrame>(core::Tick target)>;

struct ViewerDef {
  std::string title = "citytwin";
  int width = 1280;
  int height = 720;
  std::int64_t tickNs = 10'000'000;  // to turn wall time x speed into ticks
  core::Tick endTick = 0;
  int maxFrames = 0;  // > 0: close after that many frames (smoke tests)
  std::string attribution;
  std::string screenshotDir = ".";
  std::string finalScreenshot;          // non-empty: write the last frame to this PNG
  std::vector<CameraDef> extraCameras;  // scenario cameras after overview, center, park
};

// Opens an interactive window (X11/GLX through osgViewer) on the city; the simulation runs in
// its own thread at a real-time factor and the view places moving things between the last two
// published frames. Keys: space pause/resume, + and - the factor (1x, 10x, 60x, 600x, max),
// 1-9 cameras (overview, center, park, then the scenario's), l cycles the layers shown (all,
// each alone, none), s screenshot, Esc quit; mouse orbits, pans and zooms. A HUD shows the sim
// clock, the factor, the headline KPIs and a legend per layer. Returns the frames drawn.
core::Result<int> runViewer(const gis::CityModel& city, const ViewerDef& def,
                            const AdvanceFn& advance);

}  // namespace twin::render
