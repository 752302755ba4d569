// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "core/status.hpp"
#include "gis/detail/raw_city.hpp"

namespace twin::gis::detail {

// Reads an OpenStreetMap file (.osm.pbf, .osm) through GDAL's OSM driver configured by
// `osmConfig` (assets/gdal/osmconf.ini). Coordinates stay lon/lat (EPSG:4326). Errors: NotFound
// for a missing file, BadInput for "not an OSM file" and for a broken (e.g. truncated) one.
core::Result<RawCity> readOsm(const std::string& path, const std::string& osmConfig);

}  // namespace twin::gis::detail
