// SPDX-License-Identifier: Apache-2.0
#include "gis/crs.hpp"

#include <ogr_spatialref.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace twin::gis {

std::string normaliseCrsName(std::string_view name) {
  const std::string n(name);
  // AdV (German surveying authorities) URNs used by NRW LoD2/DGM products
  if (n.find("urn:adv:crs:ETRS89_UTM32") == 0)
    return "EPSG:25832";
  if (n.find("urn:adv:crs:ETRS89_UTM33") == 0)
    return "EPSG:25833";
  const std::string ogc = "urn:ogc:def:crs:EPSG::";
  if (n.rfind(ogc, 0) == 0)
    return "EPSG:" + n.substr(ogc.size());
  const std::string ogc2 = "urn:ogc:def:crs:EPSG:";
  if (n.rfind(ogc2, 0) == 0) {
    const std::size_t colon = n.rfind(':');
    return "EPSG:" + n.substr(colon + 1);
  }
  return n;
}

std::string utmCrsFor(double lon, double lat) {
  const int zone = std::clamp(static_cast<int>(std::floor((lon + 180.0) / 6.0)) + 1, 1, 60);
  const bool europe = lon >= -16.0 && lon <= 40.0 && lat >= 32.0 && lat <= 84.0;
  if (europe && zone >= 28 && zone <= 38)
    return "EPSG:" + std::to_string(25800 + zone);
  return "EPSG:" + std::to_string((lat >= 0 ? 32600 : 32700) + zone);
}

struct Transformer::Impl {
  OGRSpatialReference src;
  OGRSpatialReference dst;
  OGRCoordinateTransformation* ct = nullptr;
  ~Impl() {
    if (ct != nullptr)
      OGRCoordinateTransformation::DestroyCT(ct);
  }
};

namespace {
core::Status setup(OGRSpatialReference& srs, const std::string& name) {
  const std::string n = normaliseCrsName(name);
  if (srs.SetFromUserInput(n.c_str()) != OGRERR_NONE) {
    return core::fail(core::ErrorCode::BadInput, "unknown coordinate reference system '" + name +
                                                     "'; expected e.g. EPSG:25832");
  }
  // x = easting/longitude, y = northing/latitude for every CRS (PLATFORM.md §5)
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return {};
}
}  // namespace

Transformer::Transformer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Transformer::Transformer(Transformer&&) noexcept = default;
Transformer& Transformer::operator=(Transformer&&) noexcept = default;
Transformer::~Transformer() = default;

core::Result<Transformer> Transformer::create(const std::string& from, const std::string& to) {
  auto impl = std::make_unique<Impl>();
  if (core::Status st = setup(impl->src, from); !st)
    return core::Unexpected(st.error());
  if (core::Status st = setup(impl->dst, to); !st)
    return core::Unexpected(st.error());
  impl->ct = OGRCreateCoordinateTransformation(&impl->src, &impl->dst);
  if (impl->ct == nullptr) {
    return core::fail(core::ErrorCode::BadInput,
                      "no coordinate transformation from " + from + " to " + to);
  }
  return Transformer(std::move(impl));
}

bool Transformer::transform(std::span<Vec2> points) const {
  if (points.empty())
    return true;
  std::vector<double> x(points.size()), y(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    x[i] = points[i].x;
    y[i] = points[i].y;
  }
  std::vector<int> ok(points.size(), 0);
  const bool all = impl_->ct->Transform(static_cast<int>(points.size()), x.data(), y.data(),
                                        nullptr, ok.data()) != 0;
  for (std::size_t i = 0; i < points.size(); ++i)
    points[i] = {x[i], y[i]};
  return all && std::all_of(ok.begin(), ok.end(), [](int v) { return v != 0; });
}

}  // namespace twin::gis
