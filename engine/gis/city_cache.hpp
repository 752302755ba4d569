// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>

#include "core/status.hpp"
#include "gis/city_builder.hpp"
#include "gis/city_model.hpp"

namespace twin::gis {

// Key of a built city: FNV-1a over the cache format version, every source file's bytes and
// mapping, the target CRS, the population total and the OSM driver configuration. A changed
// source or option gives another key.
core::Result<std::string> cityCacheKey(const CityDef& def);

// Writes the city to `dir`/city-<key>.bin (temporary file, then rename).
core::Status saveCityCache(const CityModel& city, const std::string& dir, const std::string& key);

// Reads a cached city; nullopt when there is none or it is unusable (other format version,
// truncated): the caller then builds the city again.
std::optional<CityModel> loadCityCache(const std::string& dir, const std::string& key);

// buildCity with the cache in `dir` (empty: no cache). `fromCache` tells which happened.
core::Result<CityModel> buildCityCached(const CityDef& def, const std::string& dir,
                                        bool* fromCache = nullptr);

}  // namespace twin::gis
