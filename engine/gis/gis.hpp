// SPDX-License-Identifier: Apache-2.0
// Front header of engine/gis: the immutable CityModel built from GIS sources (GDAL and PROJ stay
// inside this module).
#pragma once

#include "gis/city_builder.hpp"
#include "gis/city_cache.hpp"
#include "gis/city_model.hpp"
#include "gis/crs.hpp"
#include "gis/geometry.hpp"
#include "gis/library_versions.hpp"
#include "gis/spatial_index.hpp"
