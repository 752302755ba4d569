// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/status.hpp"
#include "gis/geometry.hpp"

namespace twin::gis {

// Maps CRS names GDAL/PROJ do not know to EPSG codes: the NRW AdV URN
// "urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH*GCG2016" -> EPSG:25832 (heights DHHN2016), the UTM33
// variant -> EPSG:25833, "urn:ogc:def:crs:EPSG::25832" -> EPSG:25832. Other names pass unchanged.
std::string normaliseCrsName(std::string_view name);

// "auto": the UTM zone of a lon/lat point, ETRS89 (EPSG:258zz) inside Europe, else WGS 84
// (EPSG:326zz north, 327zz south).
std::string utmCrsFor(double lon, double lat);

// Coordinate transformation between two CRS, always in traditional GIS axis order (x = east or
// longitude, y = north or latitude) for both sides: the one place where axis order is decided.
// Not thread-safe: one per thread.
class Transformer {
 public:
  static core::Result<Transformer> create(const std::string& from, const std::string& to);
  Transformer(Transformer&&) noexcept;
  Transformer& operator=(Transformer&&) noexcept;
  ~Transformer();
  // Transforms in place; false when any point failed.
  bool transform(std::span<Vec2> points) const;
  bool transform(Vec2& p) const { return transform(std::span<Vec2>(&p, 1)); }

 private:
  struct Impl;
  explicit Transformer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace twin::gis
