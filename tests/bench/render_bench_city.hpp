// SPDX-License-Identifier: Apache-2.0
// Shared by the render benchmarks: a synthetic grid city, moving instances and the report line.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/frame.hpp"
#include "gis/city_model.hpp"
#include "render/headless.hpp"

namespace twin::bench {

// a grid of n x n box buildings, 12 m x 12 m on a 20 m pitch, heights 6..30 m
inline gis::CityModel syntheticCity(int n) {
  gis::CityModel c;
  c.extent = {0, 0, 20.0 * n, 20.0 * n};
  c.buildings.reserve(static_cast<std::size_t>(n) * static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      gis::Building b;
      const double x = 20.0 * i, y = 20.0 * j;
      b.parts.push_back({{{x, y}, {x + 12, y}, {x + 12, y + 12}, {x, y + 12}}, {}});
      b.box = {x, y, x + 12, y + 12};
      b.centre = {x + 6, y + 6};
      b.heightM = 6.0 + 3.0 * ((i * 7 + j * 13) % 9);
      b.use = static_cast<gis::UseClass>((i + j) % 7);
      c.buildings.push_back(std::move(b));
    }
  }
  return c;
}

// `frames` frames of `n` vehicles driving along the city's car roads (or, without roads, along
// the synthetic grid's streets), 8 m further each frame
inline std::vector<core::Frame> movingFrames(const gis::CityModel& c, std::size_t n, int frames) {
  std::vector<const gis::RoadEdge*> roads;
  for (const gis::RoadEdge& e : c.roads.edges) {
    if (e.carAllowed && e.geometry.size() >= 2)
      roads.push_back(&e);
  }
  std::vector<core::Frame> out;
  for (int k = 0; k < frames; ++k) {
    core::Frame f;
    f.tick = k;
    core::Layer& l = f.layers.emplace_back();
    l.name = "bench.vehicles";
    l.kind = core::LayerKind::Instances;
    l.scale = core::ColourScale::Speed;
    l.valueMin = 0.0;
    l.valueMax = 50.0;
    for (std::size_t i = 0; i < n; ++i) {
      core::InstanceItem v;
      v.id = i;
      v.value = static_cast<float>(i % 50);
      if (!roads.empty()) {
        const gis::RoadEdge& e = *roads[(i * 7919) % roads.size()];
        const gis::Vec2 a = e.geometry[0], b = e.geometry[1];
        const double len = std::max(1.0, std::hypot(b.x - a.x, b.y - a.y));
        const double t = std::fmod(static_cast<double>(i % 17) * 3.0 + 8.0 * k, len) / len;
        v.x = a.x + (b.x - a.x) * t;
        v.y = a.y + (b.y - a.y) * t;
        v.headingRad = std::atan2(b.y - a.y, b.x - a.x);
      } else {
        v.x = 20.0 * static_cast<double>(i % 448) + 16.0;
        v.y = std::fmod(static_cast<double>(i) * 13.0 + 8.0 * k, c.extent.maxY);
        v.headingRad = 1.5707963;
      }
      l.instances.push_back(v);
    }
    out.push_back(std::move(f));
  }
  return out;
}

inline void report(const char* name, std::size_t buildings, const render::RenderStats& s) {
  std::printf(
      "%-30s %7zu buildings  %5zu moving  build %6.3f s  first frame %6.3f s  frame %7.1f ms "
      "(%6.1f fps, CPU %7.1f ms)  draw calls %4zu  triangles %9zu\n"
      "%-30s building triangles per frame: %zu drawn, %zu walls turned away left out; "
      "instance triangles %zu; frames that drew the city %zu, that kept its image %zu\n",
      name, buildings, s.instances, s.sceneBuildS, s.firstFrameS, s.frameS * 1000.0,
      s.frameS > 0 ? 1.0 / s.frameS : 0.0, s.frameCpuS * 1000.0,
      s.drawables + (s.instances > 0 ? 1 : 0), s.triangles, "", s.buildingTrianglesDrawn,
      s.buildingTrianglesSkipped, s.instanceTriangles, s.framesCityDrawn, s.framesCityKept);
}

}  // namespace twin::bench
