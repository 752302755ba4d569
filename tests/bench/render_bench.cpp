// SPDX-License-Identifier: Apache-2.0
// Render benchmark: scene build and frame time at 1920x1080 for the Aachen city (35k buildings)
// and a synthetic 200k-building city, with 5,000 moving instances redrawn every frame, and the
// draw calls per frame; with the camera still (the city's image kept between frames) and
// turning (the city drawn every frame). Goals (issue: rendering): scene build <= 1 s for Aachen,
// frame <= 50 ms on llvmpipe, draw calls <= 500 at any size; >= 60 frames/s at 200k buildings on a
// GPU. Usage: render_bench ASSET_DIR [frames] [WxH]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "gis/city_builder.hpp"
#include "render/headless.hpp"
#include "render_bench_city.hpp"

using namespace twin;
using bench::movingFrames;
using bench::report;
using bench::syntheticCity;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: render_bench ASSET_DIR [frames]\n");
    return 2;
  }
  const std::string assets = argv[1];
  const int frames = argc > 2 ? std::atoi(argv[2]) : 10;
  render::RenderDef def;
  def.width = 1920;
  def.height = 1080;
  if (argc > 3 && !render::parseSize(argv[3], def.width, def.height)) {
    std::fprintf(stderr, "render_bench: bad size %s\n", argv[3]);
    return 2;
  }
  def.caption = "render benchmark";
  gis::CityDef cityDef;
  cityDef.sources = {assets + "/cities/aachen/aachen.osm.pbf"};
  cityDef.osmConfig = assets + "/gdal/osmconf.ini";
  auto aachen = gis::buildCity(cityDef);
  if (!aachen) {
    std::fprintf(stderr, "render_bench: %s\n", aachen.error().message.c_str());
    return 1;
  }
  const auto moving = movingFrames(*aachen, 5000, 8);
  auto a = render::measureRender(*aachen, def, moving, frames);
  if (!a) {
    std::fprintf(stderr, "render_bench: %s\n", a.error().message.c_str());
    return 1;
  }
  std::printf("renderer: %s, %dx%d, %d frames\n", a->renderer.c_str(), def.width, def.height,
              frames);
  report("aachen (OSM), 4x MSAA", aachen->buildings.size(), *a);
  render::RenderDef noAa = def;
  noAa.samples = 0;
  auto b = render::measureRender(*aachen, noAa, moving, frames);
  if (b)
    report("aachen (OSM), no MSAA", aachen->buildings.size(), *b);
  auto still = render::measureRender(*aachen, noAa, {}, frames);
  if (still)
    report("aachen (OSM), no MSAA, static", aachen->buildings.size(), *still);
  // the camera turning half a degree each frame: the city is drawn in full every frame
  auto turning = render::measureRender(*aachen, noAa, moving, frames, 0.5);
  if (turning)
    report("aachen, no MSAA, camera turning", aachen->buildings.size(), *turning);
  const gis::CityModel synthetic = syntheticCity(448);  // 200,704 buildings
  auto s = render::measureRender(synthetic, def, movingFrames(synthetic, 5000, 8), frames);
  if (!s) {
    std::fprintf(stderr, "render_bench: %s\n", s.error().message.c_str());
    return 1;
  }
  report("synthetic grid", synthetic.buildings.size(), *s);
  return 0;
}
