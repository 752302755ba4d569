// SPDX-License-Identifier: Apache-2.0
// A small SVG chart writer for reports: line charts of time series, bar charts of differences
// and maps of the city coloured by a value; axes with "nice" ticks, units, legends and the
// colour-blind-safe Okabe-Ito palette (Okabe & Ito 2008). Output is inline SVG text.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace twin::io::svg {

// Okabe & Ito (2008) "Color Universal Design": eight colours distinguishable with every common
// colour-vision deficiency. Series take them in order (black last).
inline constexpr std::array<const char*, 8> kPalette{"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                                     "#56B4E9", "#D55E00", "#F0E442", "#000000"};

// Text safe inside XML/HTML elements and attributes.
std::string escape(const std::string& text);

// Heckbert's "nice numbers" (Graphics Gems, 1990): about `target` round tick values (1, 2 or
// 5 times a power of ten apart) covering [lo, hi].
std::vector<double> niceTicks(double lo, double hi, int target = 5);

// A tick label: no trailing zeros, thousands separated by a thin space.
std::string tickLabel(double v, double step);

struct Series {
  std::string name;
  std::vector<double> x, y;  // same length; NaN y leaves a gap
};
// A line chart with axes, ticks, axis titles (units in them) and a legend.
std::string lineChart(const std::string& title, const std::string& xTitle,
                      const std::string& yTitle, const std::vector<Series>& series, int width = 680,
                      int height = 280);

struct Bar {
  std::string label;
  double value = 0.0;
  std::optional<double> ciHalf;  // error bar
  bool significant = false;      // drawn solid; otherwise hatched-light
};
// Horizontal bars around a zero line (differences: negative left, positive right).
std::string barChart(const std::string& title, const std::string& unit,
                     const std::vector<Bar>& bars, int width = 680);

// One shape of a map: rings in projected metres (east, north), a value (NaN: grey).
struct MapShape {
  std::vector<std::vector<std::array<double, 2>>> rings;
  double value = 0.0;
};
// A map of shapes coloured in 8 classes by value: sequential (viridis) or, for differences,
// diverging around zero (blue - light grey - orange); with a legend, a 1 km scale bar and
// north up. Shapes under a third of a pixel are left out; shapes of a class share one path.
std::string mapChart(const std::string& title, const std::string& unit,
                     const std::vector<MapShape>& shapes, bool diverging, int width = 680,
                     const std::string& attribution = "");

}  // namespace twin::io::svg
