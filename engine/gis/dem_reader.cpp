// SPDX-License-Identifier: Apache-2.0
// Terrain from DEM rasters through GDAL: warped into the city's CRS when needed.
#include <gdal_priv.h>
#include <gdalwarper.h>
#include <ogr_spatialref.h>

#include <cmath>
#include <filesystem>
#include <mutex>

#include "gis/crs.hpp"
#include "gis/detail/readers.hpp"

namespace twin::gis::detail {
namespace {
namespace fs = std::filesystem;

struct OpenDem {
  GDALDatasetUniquePtr source;
  GDALDataset* view = nullptr;  // source, or a warped VRT of it in the target CRS
  GDALDatasetH warped = nullptr;
  ~OpenDem() {
    if (warped != nullptr)
      GDALClose(warped);
  }
};

core::Status openDem(const std::string& path, const std::string& targetCrs,
                     const std::string& assumedCrs, OpenDem& out) {
  static std::once_flag registered;
  std::call_once(registered, [] { GDALAllRegister(); });
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return core::fail(core::ErrorCode::NotFound, path + ": no such file");
  }
  out.source.reset(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  if (!out.source) {
    return core::fail(core::ErrorCode::BadInput,
                      path + ": not a raster GDAL can read (" + CPLGetLastErrorMsg() + ")");
  }
  if (out.source->GetRasterCount() < 1) {
    return core::fail(core::ErrorCode::BadInput, path + ": the raster has no band");
  }
  OGRSpatialReference src;
  const OGRSpatialReference* own = out.source->GetSpatialRef();
  if (own != nullptr && !own->IsEmpty()) {
    src = *own;
  } else if (!assumedCrs.empty()) {
    if (src.SetFromUserInput(normaliseCrsName(assumedCrs).c_str()) != OGRERR_NONE) {
      return core::fail(core::ErrorCode::BadInput, "unknown CRS " + assumedCrs);
    }
  } else {
    return core::fail(core::ErrorCode::BadInput,
                      path +
                          ": the raster has no coordinate reference system; state it in the "
                          "scenario (city.crs of the source)");
  }
  OGRSpatialReference dst;
  if (dst.SetFromUserInput(normaliseCrsName(targetCrs).c_str()) != OGRERR_NONE) {
    return core::fail(core::ErrorCode::BadInput, "unknown CRS " + targetCrs);
  }
  src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  dst.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  double gt[6];
  if (out.source->GetGeoTransform(gt) != CE_None) {
    return core::fail(core::ErrorCode::BadInput, path + ": the raster has no geotransform");
  }
  if (src.IsSame(&dst)) {
    out.view = out.source.get();
    return {};
  }
  char* srcWkt = nullptr;
  char* dstWkt = nullptr;
  src.exportToWkt(&srcWkt);
  dst.exportToWkt(&dstWkt);
  out.warped = GDALAutoCreateWarpedVRT(GDALDataset::ToHandle(out.source.get()), srcWkt, dstWkt,
                                       GRA_Bilinear, 0.0, nullptr);
  CPLFree(srcWkt);
  CPLFree(dstWkt);
  if (out.warped == nullptr) {
    return core::fail(core::ErrorCode::BadInput, path + ": cannot warp the raster to " + targetCrs +
                                                     ": " + CPLGetLastErrorMsg());
  }
  out.view = GDALDataset::FromHandle(out.warped);
  return {};
}

}  // namespace

core::Result<Box> demBounds(const std::string& path, const std::string& targetCrs,
                            const std::string& assumedCrs) {
  OpenDem dem;
  if (core::Status st = openDem(path, targetCrs, assumedCrs, dem); !st) {
    return core::Unexpected(st.error());
  }
  double gt[6];
  dem.view->GetGeoTransform(gt);
  const double x1 = gt[0] + gt[1] * dem.view->GetRasterXSize();
  const double y1 = gt[3] + gt[5] * dem.view->GetRasterYSize();
  return Box{std::min(gt[0], x1), std::min(gt[3], y1), std::max(gt[0], x1), std::max(gt[3], y1)};
}

core::Result<TerrainTile> readDem(const std::string& path, const std::string& targetCrs,
                                  double originE, double originN, const std::string& assumedCrs) {
  OpenDem dem;
  if (core::Status st = openDem(path, targetCrs, assumedCrs, dem); !st) {
    return core::Unexpected(st.error());
  }
  double gt[6];
  dem.view->GetGeoTransform(gt);
  if (gt[2] != 0.0 || gt[4] != 0.0) {
    return core::fail(core::ErrorCode::BadInput, path + ": rotated rasters are not supported");
  }
  TerrainTile t;
  t.source = path;
  t.cols = dem.view->GetRasterXSize();
  t.rows = dem.view->GetRasterYSize();
  t.x0 = gt[0] - originE;
  t.y0 = gt[3] - originN;
  t.cellX = gt[1];
  t.cellY = gt[5];
  const auto cells = static_cast<std::size_t>(t.cols) * static_cast<std::size_t>(t.rows);
  if (cells > 400'000'000) {
    return core::fail(core::ErrorCode::BadInput,
                      path + ": the raster has " + std::to_string(cells) +
                          " cells; more than 400 million are not loaded (cut it into tiles)");
  }
  t.z.resize(cells);
  GDALRasterBand* band = dem.view->GetRasterBand(1);
  if (band->RasterIO(GF_Read, 0, 0, t.cols, t.rows, t.z.data(), t.cols, t.rows, GDT_Float32, 0, 0,
                     nullptr) != CE_None) {
    return core::fail(core::ErrorCode::BadInput,
                      path + ": broken raster: " + std::string(CPLGetLastErrorMsg()));
  }
  int hasNoData = 0;
  const double noData = band->GetNoDataValue(&hasNoData);
  if (hasNoData != 0) {
    for (float& v : t.z) {
      if (static_cast<double>(v) == noData)
        v = std::nanf("");
    }
  }
  return t;
}

}  // namespace twin::gis::detail
