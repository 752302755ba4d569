// SPDX-License-Identifier: Apache-2.0
// Shading benchmark: sun rays per second against the Aachen city (35k buildings) in a Bullet
// BVH, from sample points on a 2 m grid on every flat roof towards 16 sun positions of a June
// day, with 1 thread and with all threads. Goal (issue: energy): >= 2 M rays/s on 2 cores.
// Usage: shading_bench ASSET_DIR
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>

#include "exec/tbb_executor.hpp"
#include "gis/city_builder.hpp"
#include "gis/city_mesh.hpp"
#include "gis/geometry.hpp"
#include "physics/ray_world.hpp"

int main(int argc, char** argv) {
  using namespace twin;
  using Clock = std::chrono::steady_clock;
  if (argc < 2) {
    std::fprintf(stderr, "usage: shading_bench ASSET_DIR\n");
    return 2;
  }
  const std::string assets = argv[1];
  gis::CityDef def;
  def.sources = {assets + "/cities/aachen/aachen.osm.pbf"};
  def.osmConfig = assets + "/gdal/osmconf.ini";
  auto city = gis::buildCity(def);
  if (!city) {
    std::fprintf(stderr, "shading_bench: %s\n", city.error().message.c_str());
    return 1;
  }
  auto t0 = Clock::now();
  core::TriangleMesh mesh = gis::cityTriangles(*city);
  const double meshS = std::chrono::duration<double>(Clock::now() - t0).count();
  const std::size_t triangles = mesh.triangleCount();
  t0 = Clock::now();
  auto world = physics::RayWorld::build(std::move(mesh));
  if (!world) {
    std::fprintf(stderr, "shading_bench: %s\n", world.error().message.c_str());
    return 1;
  }
  const double bvhS = std::chrono::duration<double>(Clock::now() - t0).count();
  // roof sample points: a 2 m grid inside each building's outer rings, 5 cm above the roof
  std::vector<gis::Vec3> points;
  for (const gis::Building& b : city->buildings) {
    for (const gis::Polygon& p : b.parts) {
      for (double x = b.box.minX + 1.0; x < b.box.maxX; x += 2.0) {
        for (double y = b.box.minY + 1.0; y < b.box.maxY; y += 2.0) {
          if (gis::contains(p, {x, y}))
            points.push_back({x, y, b.groundZ + b.heightM + 0.05});
        }
      }
    }
  }
  // 16 sun positions from 05:30 to 21:00 on a June day at 50.8 N: azimuth from 50 to 310
  // degrees, elevation up to 62 degrees (a smooth arc; the SPA gives the exact ones at run time)
  std::vector<physics::Ray> rays;
  for (int k = 0; k < 16; ++k) {
    const double f = (k + 0.5) / 16.0;
    const double az = (50.0 + 260.0 * f) * std::numbers::pi / 180.0;
    const double el = 62.0 * std::sin(std::numbers::pi * f) * std::numbers::pi / 180.0;
    const float dx = static_cast<float>(std::sin(az) * std::cos(el));
    const float dy = static_cast<float>(std::cos(az) * std::cos(el));
    const float dz = static_cast<float>(std::sin(el));
    for (const gis::Vec3& p : points) {
      rays.push_back({static_cast<float>(p.x), static_cast<float>(p.y), static_cast<float>(p.z), dx,
                      dy, dz, 2000.0f});
    }
  }
  std::vector<std::uint8_t> blocked(rays.size());
  std::printf(
      "aachen: %zu buildings, %zu triangles (mesh %.3f s, BVH %.3f s), %zu roof points, "
      "%zu rays\n",
      city->buildings.size(), triangles, meshS, bvhS, points.size(), rays.size());
  for (int threads : {1, exec::hardwareThreads()}) {
    exec::TbbExecutor ex(threads);
    (*world)->anyHit(std::span(rays).first(std::min<std::size_t>(rays.size(), 20000)),
                     std::span(blocked).first(std::min<std::size_t>(rays.size(), 20000)), &ex);
    t0 = Clock::now();
    (*world)->anyHit(rays, blocked, &ex);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    std::size_t shaded = 0;
    for (std::uint8_t b : blocked)
      shaded += b;
    std::printf("%d thread%s: %.3f s, %.2f M rays/s, shaded %.2f %% of roof samples\n", threads,
                threads == 1 ? " " : "s", s, static_cast<double>(rays.size()) / s / 1e6,
                100.0 * static_cast<double>(shaded) / static_cast<double>(rays.size()));
  }
  return 0;
}
