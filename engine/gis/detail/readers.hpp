// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <string>

#include "core/status.hpp"
#include "gis/detail/raw_city.hpp"

namespace twin::gis::detail {

// Reads an OpenStreetMap file (.osm.pbf, .osm) through GDAL's OSM driver configured by
// `osmConfig` (assets/gdal/osmconf.ini). Coordinates stay lon/lat (EPSG:4326). Errors: NotFound
// for a missing file, BadInput for "not an OSM file" and for a broken (e.g. truncated) one.
core::Result<RawCity> readOsm(const std::string& path, const std::string& osmConfig);

}  // namespace twin::gis::detail

#include "gis/city_builder.hpp"
#include "gis/city_model.hpp"

namespace twin::gis::detail {

// Reads a DEM raster (GeoTIFF or any GDAL raster) into a terrain tile in `targetCrs`, shifted
// to the local origin. A raster in another CRS is warped (bilinear) with GDAL; a raster without
// a CRS is an error unless `assumedCrs` names one.
core::Result<TerrainTile> readDem(const std::string& path, const std::string& targetCrs,
                                  double originE, double originN,
                                  const std::string& assumedCrs = "");

// Reads the turn restrictions of an OSM file with libosmium (GDAL's OSM driver does not expose
// relation member roles): from way, via node (position in lon/lat), to way. Restrictions via a
// way, or with members missing from the extract, are counted in `problems` and left out.
core::Result<std::vector<RawRestriction>> readOsmRestrictions(
    const std::string& path, std::map<std::string, std::uint64_t>& problems);

// Reads a CityGML 1.0/2.0 file (.gml, or .gml.gz through GDAL's gzip reader) with libcitygml:
// one raw area per top-level building, its footprint from the ground surfaces (roofs when there
// are none), measured height, ALKIS function and roof type as tags, LoD1/LoD2 triangles.
// The CRS comes from the file's srsName (AdV URNs mapped) or `assumedCrs`.
core::Result<RawCity> readCityGml(const std::string& path, const std::string& assumedCrs = "");

// What a city source is, by its mapping (vector) or its file name's extension.
enum class SourceKind { Osm, CityGml, Vector, Dem, Unknown };
SourceKind kindOf(const CitySource& src);

// A GIS vector file with its column mapping (scenario city.sources entry as a map).
struct VectorSource {
  std::string path;
  std::string layer;  // empty: every layer
  std::string crs;    // empty: the layer's own
  std::string kind;   // buildings, roads, landuse or empty (decided by the tags)
  std::map<std::string, std::string> fields;  // OSM-style tag -> column name
};

// Reads GeoJSON, GeoPackage, Shapefile, FlatGeobuf or any GDAL vector format: polygons become
// areas, lines lines, points points, with tags from the mapped columns (and columns named like
// OSM keys). Coordinates stay in the layer's CRS.
core::Result<RawCity> readVector(const VectorSource& src);

// Bounds of a DEM raster in `targetCrs` (absolute metres), to place the origin of a city that
// has no vector data.
core::Result<Box> demBounds(const std::string& path, const std::string& targetCrs,
                            const std::string& assumedCrs = "");

}  // namespace twin::gis::detail
