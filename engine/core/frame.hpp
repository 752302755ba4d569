// SPDX-License-Identifier: Apache-2.0
// A published frame: what the models show at one instant, in a small OSG-free description that
// the renderer turns into scene nodes (DESIGN.md §2: render reads frames, never model state).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.hpp"
#include "core/time.hpp"

namespace twin::core {

enum class LayerKind {
  Instances,
  BuildingValues,
  LinkValues,
  GroundPolygons,
  GroundRaster,
  Labels,
  GroundLines,
  Points
};
enum class ColourScale { Viridis, Magma, Diverging, Speed, Rgba, Loading };

std::string_view toString(LayerKind k);

// One moving thing: a box of length x width x height standing at (x, y, z), local metres.
struct InstanceItem {
  std::uint64_t id = 0;  // stable across frames (interpolation in the viewer)
  double x = 0.0, y = 0.0, z = 0.0;
  double headingRad = 0.0;  // counter-clockwise from east
  float length = 4.5f, width = 1.8f, height = 1.5f;
  float value = 0.f;
  std::uint32_t rgba = 0xffffffffu;
};

struct GroundPolygon {
  std::vector<double> xy;  // outer ring, x y pairs, not closed
  double value = 0.0;
};

struct GroundLine {
  std::vector<double> xy;  // x y pairs, at least two points
  double value = 0.0;
};

struct GroundPoint {
  double x = 0.0, y = 0.0, value = 0.0;
};

struct GroundRaster {
  double originX = 0.0, originY = 0.0, cellM = 1.0;  // south-west corner, cell size
  std::size_t nx = 0, ny = 0;
  std::vector<double> values;  // nx * ny, row by row from the south; NaN: nothing shown
};

struct Label {
  double x = 0.0, y = 0.0, z = 0.0;
  std::string text;
};

struct Layer {
  std::string name;  // "<model instance>.<layer>"
  std::string title;
  std::string unit;
  LayerKind kind = LayerKind::Instances;
  ColourScale scale = ColourScale::Viridis;
  double valueMin = 0.0, valueMax = 0.0;  // the colour range (resolved: never equal)
  std::vector<InstanceItem> instances;
  std::vector<double> values;  // BuildingValues / LinkValues, one per entity
  std::vector<GroundPolygon> polygons;
  std::vector<GroundLine> lines;
  std::vector<GroundPoint> points;
  GroundRaster raster;
  std::vector<Label> labels;
};

// Everything the models published after `tick`.
struct Frame {
  Tick tick = -1;
  double timeS = 0.0;
  std::vector<Layer> layers;
  const Layer* find(std::string_view name) const;
};

// Fills in a layer's colour range when it was left open (min == max): the finite range of its
// values, widened to one unit when all values are equal. Errors on a NaN range bound.
Status resolveRange(Layer& layer);

// A colour scale evaluated at t in [0, 1] (clamped), as linear RGB 0..1. Viridis and magma
// follow the matplotlib colour maps (van der Walt & Smith 2015), sampled at 9 stops.
void scaleColour(ColourScale scale, double t, float rgb[3]);

}  // namespace twin::core
