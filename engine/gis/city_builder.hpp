// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.hpp"
#include "gis/city_model.hpp"

namespace twin::gis {

// One city source: a file and, for GIS vector files, how to read it.
struct CitySource {
  CitySource() = default;
  CitySource(std::string file) : path(std::move(file)) {}  // NOLINT: a plain file is a source
  CitySource(const char* file) : path(file) {}             // NOLINT
  std::string path;
  std::string layer;                          // vector files: one layer (default: all)
  std::string crs;                            // vector files without their own CRS
  std::string kind;                           // vector files: buildings, roads or landuse
  std::map<std::string, std::string> fields;  // vector files: OSM-style tag -> column
};

// How to build a city.
struct CityDef {
  // OSM (.osm.pbf, .osm), CityGML (.gml, .gml.gz), GIS vector files (.geojson, .gpkg, .shp,
  // .fgb, ...) and DEM rasters (.tif, .asc, .vrt), combined into one city
  std::vector<CitySource> sources;
  std::string crs = "EPSG:25832";  // target CRS, or "auto" (UTM zone of the data's centre)
  double population = 0.0;         // > 0: residents are scaled to this total
  std::string osmConfig;           // GDAL OSM driver configuration (assets/gdal/osmconf.ini)
};

// Reads every source, transforms it once into the target CRS around a local origin (the data
// extent's south-west corner rounded down to 1 km) and interprets it: buildings with heights,
// use classes, floors, residents and jobs; the road graph; land use; rail and power lines;
// spatial indices. Bad input (missing, unknown, broken file, unknown CRS) is an error; broken
// geometry is repaired or skipped and counted in CityModel::problems.
core::Result<CityModel> buildCity(const CityDef& def);

// What building a city from its sources will take in memory, estimated before reading them, so
// that a city too large for the machine is refused up front (--max-memory) instead of
// exhausting it. From the sources' sizes and feature counts, with costs measured on this
// engine (see the constants in city_builder.cpp); the figure is for a fresh build (a cached
// city loads in less).
struct MemoryEstimate {
  std::uint64_t bytes = 0;
  std::string detail;  // how it was reached, for the message
};
core::Result<MemoryEstimate> estimateCityMemory(const CityDef& def);

// The memory this process may use: the machine's (MemTotal) or its control group's limit
// (memory.max), whichever is less; 0 when unknown.
std::uint64_t machineMemoryBytes();
// This process's peak resident memory so far.
std::uint64_t peakResidentBytes();

// Default for CityDef::osmConfig: <asset dir>/gdal/osmconf.ini is passed in by the caller; this
// is the file name below the asset folder.
inline constexpr const char* kOsmConfigAsset = "gdal/osmconf.ini";

// Interpretation rules, exposed for tests.
namespace rules {
// Leading number of an OSM value ("12", "12.5 m", "12,5", "40'" in feet -> metres); < 0 if none.
double parseLength(std::string_view text);
// Speed limit in m/s from maxspeed ("50", "30 mph", "DE:urban", "walk", "none"); < 0 if unknown.
double parseMaxspeed(std::string_view text);
// A year in a date tag ("1912", "~1900", "1950-05", "C19" -> 0 when not a year).
int parseYear(std::string_view text);
// Building use class from its building/building:use/amenity/shop/office tags; Other if unknown.
UseClass useFromTags(std::string_view building, std::string_view buildingUse,
                     std::string_view amenity, std::string_view shop, std::string_view office,
                     std::string_view healthcare, bool& ancillary, bool& known);
// Floors assumed when neither height nor levels are tagged.
int defaultLevels(UseClass use);
RoadClass roadClass(std::string_view highway);
}  // namespace rules

}  // namespace twin::gis
