// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace twin::gis {

// Run-time versions of the GIS libraries: "3.6.2" (GDAL), "9.1.1" (PROJ).
std::string gdalVersion();
std::string projVersion();

}  // namespace twin::gis
