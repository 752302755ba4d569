// SPDX-License-Identifier: Apache-2.0
#include "gis/library_versions.hpp"

#include <gdal.h>
#include <proj.h>

namespace twin::gis {

std::string gdalVersion() {
  return GDALVersionInfo("RELEASE_NAME");
}

std::string projVersion() {
  const PJ_INFO info = proj_info();
  return info.version != nullptr ? info.version : "unknown";
}

}  // namespace twin::gis
