// SPDX-License-Identifier: Apache-2.0
#include "core/frame.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace twin::core {

std::string_view toString(LayerKind k) {
  switch (k) {
    case LayerKind::Instances:
      return "instances";
    case LayerKind::BuildingValues:
      return "building values";
    case LayerKind::LinkValues:
      return "link values";
    case LayerKind::GroundPolygons:
      return "ground polygons";
    case LayerKind::GroundRaster:
      return "ground raster";
    case LayerKind::Labels:
      return "labels";
    case LayerKind::GroundLines:
      return "ground lines";
    case LayerKind::Points:
      return "points";
  }
  return "?";
}

const Layer* Frame::find(std::string_view name) const {
  for (const Layer& l : layers) {
    if (l.name == name)
      return &l;
  }
  return nullptr;
}

Status resolveRange(Layer& layer) {
  if (std::isnan(layer.valueMin) || std::isnan(layer.valueMax)) {
    return fail(ErrorCode::BadInput, "layer " + layer.name + ": colour range is NaN");
  }
  if (layer.valueMin < layer.valueMax)
    return {};
  if (layer.valueMin > layer.valueMax) {
    std::swap(layer.valueMin, layer.valueMax);
    return {};
  }
  double lo = INFINITY, hi = -INFINITY;
  auto take = [&](double v) {
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  };
  for (const InstanceItem& i : layer.instances)
    take(static_cast<double>(i.value));
  for (double v : layer.values)
    take(v);
  for (const GroundPolygon& p : layer.polygons)
    take(p.value);
  for (double v : layer.raster.values)
    take(v);
  for (const GroundLine& g : layer.lines)
    take(g.value);
  for (const GroundPoint& g : layer.points)
    take(g.value);
  if (!(lo <= hi)) {
    lo = 0.0;
    hi = 1.0;
  }
  if (hi - lo < 1e-12) {
    lo -= 0.5;
    hi += 0.5;
  }
  layer.valueMin = lo;
  layer.valueMax = hi;
  return {};
}

void scaleColour(ColourScale scale, double t, float rgb[3]) {
  using Stops = std::array<std::array<float, 3>, 9>;
  // matplotlib's viridis and magma at t = 0, 1/8, ..., 1
  static constexpr Stops kViridis{{{0.267f, 0.005f, 0.329f},
                                   {0.278f, 0.175f, 0.483f},
                                   {0.231f, 0.322f, 0.545f},
                                   {0.173f, 0.449f, 0.558f},
                                   {0.128f, 0.567f, 0.551f},
                                   {0.153f, 0.683f, 0.498f},
                                   {0.369f, 0.789f, 0.383f},
                                   {0.678f, 0.864f, 0.190f},
                                   {0.993f, 0.906f, 0.144f}}};
  static constexpr Stops kMagma{{{0.001f, 0.000f, 0.014f},
                                 {0.113f, 0.065f, 0.277f},
                                 {0.316f, 0.071f, 0.485f},
                                 {0.513f, 0.148f, 0.508f},
                                 {0.716f, 0.215f, 0.475f},
                                 {0.904f, 0.314f, 0.389f},
                                 {0.987f, 0.537f, 0.382f},
                                 {0.997f, 0.766f, 0.532f},
                                 {0.987f, 0.991f, 0.750f}}};
  // ColorBrewer RdBu (reversed: low blue, high red) and a red-yellow-green for speeds
  static constexpr Stops kDiverging{{{0.020f, 0.188f, 0.380f},
                                     {0.129f, 0.400f, 0.675f},
                                     {0.263f, 0.576f, 0.765f},
                                     {0.573f, 0.773f, 0.871f},
                                     {0.969f, 0.969f, 0.969f},
                                     {0.957f, 0.647f, 0.510f},
                                     {0.839f, 0.376f, 0.302f},
                                     {0.698f, 0.094f, 0.169f},
                                     {0.404f, 0.000f, 0.122f}}};
  static constexpr Stops kSpeed{{{0.647f, 0.000f, 0.149f},
                                 {0.843f, 0.188f, 0.153f},
                                 {0.957f, 0.427f, 0.263f},
                                 {0.992f, 0.682f, 0.380f},
                                 {0.996f, 0.878f, 0.545f},
                                 {0.851f, 0.937f, 0.545f},
                                 {0.651f, 0.851f, 0.416f},
                                 {0.400f, 0.741f, 0.388f},
                                 {0.102f, 0.596f, 0.314f}}};
  const Stops& s = scale == ColourScale::Magma                                      ? kMagma
                   : scale == ColourScale::Diverging                                ? kDiverging
                   : (scale == ColourScale::Speed || scale == ColourScale::Loading) ? kSpeed
                                                                                    : kViridis;
  // loadings: the speed scale backwards (green when low, red when high)
  if (scale == ColourScale::Loading)
    t = std::isnan(t) ? 1.0 : 1.0 - t;
  const double u = std::clamp(std::isnan(t) ? 0.0 : t, 0.0, 1.0) * 8.0;
  const auto i = std::min<std::size_t>(static_cast<std::size_t>(u), 7);
  const auto f = static_cast<float>(u - static_cast<double>(i));
  for (std::size_t k = 0; k < 3; ++k)
    rgb[k] = s[i][k] + (s[i + 1][k] - s[i][k]) * f;
}

}  // namespace twin::core
