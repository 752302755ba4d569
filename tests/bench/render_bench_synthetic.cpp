// SPDX-License-Identifier: Apache-2.0
// The synthetic part of render_bench without the GIS loader: a 200,704-building grid city with
// 5,000 moving instances at 1920x1080, with and without 4x MSAA. Linked with --as-needed, it
// needs OSG and EGL but not GDAL, so it can be carried to a GPU machine with its few libraries
// (tools/bench/render_bench_gpu). Goal (issue: rendering): >= 60 frames/s on a GPU.
// Usage: render_bench_synthetic [frames] [WxH] [grid side]
#include <cstdio>
#include <cstdlib>

#include "render/headless.hpp"
#include "render_bench_city.hpp"

int main(int argc, char** argv) {
  using namespace twin;
  const int frames = argc > 1 ? std::atoi(argv[1]) : 30;
  render::RenderDef def;
  def.width = 1920;
  def.height = 1080;
  if (argc > 2 && !render::parseSize(argv[2], def.width, def.height)) {
    std::fprintf(stderr, "render_bench_synthetic: bad size %s\n", argv[2]);
    return 2;
  }
  const int side = argc > 3 ? std::atoi(argv[3]) : 448;  // 448^2 = 200,704 buildings
  if (frames < 1 || side < 2) {
    std::fprintf(stderr, "usage: render_bench_synthetic [frames >= 1] [WxH] [grid side >= 2]\n");
    return 2;
  }
  def.caption = "render benchmark";
  const gis::CityModel city = bench::syntheticCity(side);
  const auto moving = bench::movingFrames(city, 5000, 8);
  auto a = render::measureRender(city, def, moving, frames);
  if (!a) {
    std::fprintf(stderr, "render_bench_synthetic: %s\n", a.error().message.c_str());
    return 1;
  }
  std::printf("renderer: %s, %dx%d, %d frames\n", a->renderer.c_str(), def.width, def.height,
              frames);
  bench::report("synthetic grid, 4x MSAA", city.buildings.size(), *a);
  render::RenderDef noAa = def;
  noAa.samples = 0;
  auto b = render::measureRender(city, noAa, moving, frames);
  if (!b) {
    std::fprintf(stderr, "render_bench_synthetic: %s\n", b.error().message.c_str());
    return 1;
  }
  bench::report("synthetic grid, no MSAA", city.buildings.size(), *b);
  return 0;
}
