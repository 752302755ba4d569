// SPDX-License-Identifier: Apache-2.0
// Results as a GeoPackage (DESIGN.md §5): the city's buildings and road links with their
// attributes and the per-entity values the models published, in the city's CRS, written by
// GDAL; difference layers between a baseline's and a variant's results; and the footprints with
// one column read back for report maps.
#pragma once

#include <string>
#include <vector>

#include "core/status.hpp"
#include "gis/city_model.hpp"

namespace twin::gis {

// One attribute column of model results, one value per entity (NaN: no value, written NULL).
// `name` already carries its unit ("demand_kwh_per_a", see columnName).
struct ResultColumn {
  std::string name;
  std::vector<double> values;
};

// "energy.pv_yield" + "kWh/a" -> "energy_pv_yield_kwh_per_a": lower case, [a-z0-9_] only, the
// unit appended unless it is "1" or empty (QGIS users see the unit in the attribute name).
std::string columnName(const std::string& name, const std::string& unit);

// Features a model published on the ground, one layer each: polygons (a hazard zone, a service
// area), lines (cables, pipes) or points (grid buses, stations).
enum class ResultGeometry { Polygon, Line, Point };
struct ResultPolygonLayer {
  std::string name;                      // layer name, e.g. "hazard_zones"
  std::string column;                    // the value's column name with its unit
  std::vector<std::vector<Vec2>> rings;  // outer rings (not closed), polylines or single points
  std::vector<double> values;            // one per feature
  ResultGeometry geometry = ResultGeometry::Polygon;
};

// Road-link values over time (outputs.link_series): at each sample time (ISO 8601) the value of
// every column for every road link. Written as the attribute table road_link_series (link_id,
// time as a DateTime, then the columns; rows only where some value is not NaN), which joins
// to road_links by link_id (QGIS: a join, then the temporal controller on `time`). GDAL creates
// the table; its rows (millions for a day of quarter hours) go in through SQLite directly.
struct ResultLinkSeries {
  std::vector<std::string> columns;  // names with their units (columnName)
  std::vector<std::string> times;
  std::vector<std::vector<std::vector<double>>> values;  // [sample][column][link]
};

// Writes `path` (replaced if it exists; the caller publishes it atomically) with the layers
// `buildings` (MultiPolygon: building_id, osm_id, use, height_m, floors, floor_area_m2,
// footprint_m2, year, residents, jobs, then `buildingColumns`) and `road_links` (LineString:
// link_id, from_node, to_node, road_class, car, lanes, speed_kmh, length_m, then `linkColumns`),
// in the city's CRS (absolute coordinates). Io on a GDAL failure; BadInput when a column's value
// count differs from the entity count. Each of `polygonLayers` becomes one more Polygon,
// LineString or Point layer (polygon_id, line_id or point_id and its value column).
core::Status writeResultsGpkg(const CityModel& city,
                              const std::vector<ResultColumn>& buildingColumns,
                              const std::vector<ResultColumn>& linkColumns, const std::string& path,
                              const std::vector<ResultPolygonLayer>& polygonLayers = {},
                              const ResultLinkSeries& linkSeries = {});

// For each layer of `basePath` that `variantPath` also has with the same features in the same
// order, writes `<layer>_delta` into `outPath` (replaced; the caller publishes it atomically):
// the baseline's geometry and id, then delta_<column> = variant - baseline for every real
// column both have beyond the city's own attributes. Returns the layer names written.
core::Result<std::vector<std::string>> writeDifferenceGpkg(const std::string& basePath,
                                                           const std::string& variantPath,
                                                           const std::string& outPath);

// The footprints of a results layer with one real column, for a map: outer rings in absolute
// coordinates simplified to `toleranceM`, NaN where the value is NULL. BadInput when the file,
// layer or column is missing.
struct MapFeature {
  std::vector<std::vector<Vec2>> rings;
  double value = 0.0;
};
core::Result<std::vector<MapFeature>> readMapLayer(const std::string& path,
                                                   const std::string& layer,
                                                   const std::string& column, double toleranceM);

// The real-valued columns of a results layer (for choosing what a map shows).
core::Result<std::vector<std::string>> realColumns(const std::string& path,
                                                   const std::string& layer);

}  // namespace twin::gis
