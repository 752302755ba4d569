// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gis/geometry.hpp"
#include "gis/spatial_index.hpp"

namespace twin::gis {

enum class UseClass : std::uint8_t {
  Residential,
  Commercial,
  Office,
  Industrial,
  Public,
  Education,
  Health,
  Other,
};
inline constexpr int kUseClassCount = 8;

// Where a building's height came from, best first.
enum class HeightSource : std::uint8_t { Measured, Tagged, Levels, Default };

enum class RoofShape : std::uint8_t { Flat, Gabled, Hipped, Pyramidal, Skillion, Other };

// A point in local metres with height above sea level.
struct Vec3 {
  double x = 0.0;
  double y = 0.0;
  double z = 0.0;
};

// Surface a LoD2 triangle belongs to.
enum class SurfaceKind : std::uint8_t { Wall, Roof, Ground, Unknown };

struct Building {
  std::int64_t sourceId = 0;   // OSM id (ways positive, relations as GDAL numbers them)
  std::vector<Polygon> parts;  // footprint(s) in local metres, holes kept
  Box box;
  Vec2 centre;
  double groundZ = 0.0;  // ground height above sea level (m); 0 without a DEM
  double heightM = 0.0;  // from the ground to the top
  HeightSource heightSource = HeightSource::Default;
  RoofShape roof = RoofShape::Flat;
  UseClass use = UseClass::Other;
  bool ancillary = false;  // garage, shed, carport: no residents, no jobs
  int floors = 1;
  double footprintM2 = 0.0;
  double floorAreaM2 = 0.0;  // gross floor area = footprint x floors
  int constructionYear = 0;  // 0 when unknown
  double residents = 0.0;
  double jobs = 0.0;
  std::string name;
  // LoD2 geometry where the source has it (CityGML): triangles, 3 vertices each, absolute z
  std::vector<Vec3> meshVertices;
  std::vector<SurfaceKind> meshKinds;  // one per triangle
};

enum class RoadClass : std::uint8_t {
  Motorway,
  Trunk,
  Primary,
  Secondary,
  Tertiary,
  Unclassified,
  Residential,
  LivingStreet,
  Service,
  Track,
  Pedestrian,  // footway, path, steps, pedestrian, cycleway, bridleway
  Other,
};
inline constexpr int kRoadClassCount = 12;

// How a junction is controlled.
enum class JunctionControl : std::uint8_t { None, TrafficSignals, Priority, RightBeforeLeft };

struct RoadNode {
  Vec2 p;
  JunctionControl control = JunctionControl::None;
  bool inMainComponent = false;  // in the largest strongly connected component for cars
};

// A directed edge: one direction of a road segment between two graph nodes.
struct RoadEdge {
  std::uint32_t from = 0;
  std::uint32_t to = 0;
  RoadClass roadClass = RoadClass::Other;
  bool carAllowed = true;
  int lanes = 1;
  double speedLimitMps = 13.89;
  bool speedTagged = false;
  double lengthM = 0.0;
  std::vector<Vec2> geometry;  // from `from` to `to`
  std::int64_t wayId = 0;
  std::string name;
  bool inMainComponent = false;
  std::int32_t twin = -1;  // the same segment in the opposite direction, -1 for one-ways
};

struct RoadGraph {
  std::vector<RoadNode> nodes;
  std::vector<RoadEdge> edges;
  std::vector<std::vector<std::uint32_t>> outEdges;  // per node, edge indices in order
  // turns that OSM restrictions forbid: (edge into the via node, edge out of it), sorted
  std::vector<std::pair<std::uint32_t, std::uint32_t>> bannedTurns;
  std::uint64_t turnRestrictions = 0;  // restrictions applied
  bool turnBanned(std::uint32_t fromEdge, std::uint32_t toEdge) const {
    return std::binary_search(bannedTurns.begin(), bannedTurns.end(),
                              std::make_pair(fromEdge, toEdge));
  }
};

enum class LandUseClass : std::uint8_t {
  Residential,
  Commercial,  // commercial, retail
  Industrial,
  Green,  // parks, grass, cemeteries, allotments, recreation
  Forest,
  Farmland,
  Water,
  Railway,
  Other,
};
inline constexpr int kLandUseClassCount = 9;

struct LandUseArea {
  std::int64_t sourceId = 0;
  LandUseClass landUse = LandUseClass::Other;
  Polygon polygon;
  Box box;
  double areaM2 = 0.0;
  std::string name;
};

enum class LineKind : std::uint8_t { Rail, Tram, Power, Waterway };

struct LineFeature {
  std::int64_t sourceId = 0;
  LineKind kind = LineKind::Rail;
  std::vector<Vec2> points;
  std::string name;
  double voltageV = 0.0;  // power lines, 0 when untagged
};

// A terrain raster (DEM) in the city's CRS, local metres: ground height above sea level.
struct TerrainTile {
  std::string source;
  double x0 = 0.0;  // local x of the west edge of the first column
  double y0 = 0.0;  // local y of the north edge of the first row
  double cellX = 1.0;
  double cellY = -1.0;  // negative: rows run north to south
  int cols = 0;
  int rows = 0;
  std::vector<float> z;  // row-major, NaN where the source had no data
  // Bilinear height between cell centres at p; NaN outside the tile or in a no-data hole.
  double heightAt(Vec2 p) const;
  Box bounds() const;
};

// A point of interest from the source (amenity, shop, office ...), used for use classes.
struct PointOfInterest {
  Vec2 p;
  UseClass use = UseClass::Other;
};

// Figures that describe a city (what `citytwin inspect` prints).
struct CitySummary {
  std::uint64_t buildings = 0;
  double floorAreaM2 = 0.0;
  double residents = 0.0;
  double jobs = 0.0;
  std::map<std::string, std::uint64_t> heightSources;  // source -> buildings
  std::map<std::string, std::uint64_t> useClasses;     // class -> buildings
  double roadKm = 0.0;                                 // each segment once
  std::map<std::string, double> roadKmByClass;
  std::uint64_t graphNodes = 0;
  std::uint64_t graphEdges = 0;
  std::uint64_t carEdges = 0;
  double mainComponentShare = 0.0;                 // car nodes in the largest SCC
  std::map<std::string, std::uint64_t> junctions;  // control -> nodes
  std::uint64_t landUseAreas = 0;
  std::map<std::string, double> landUseKm2;
  std::map<std::string, std::uint64_t> lines;  // rail, tram, power, waterway
  std::uint64_t highwayLines = 0;
  std::uint64_t turnRestrictions = 0;
  std::uint64_t bannedTurns = 0;
  std::uint64_t terrainTiles = 0;
  double terrainMinM = 0.0;
  double terrainMaxM = 0.0;
};

// The immutable city all models read (DESIGN.md §2). Geometry is in local metres around
// `originE`/`originN` in `crs` (STYLE.md §3): absolute = origin + local.
struct CityModel {
  std::string crs = "EPSG:25832";
  double originE = 0.0;
  double originN = 0.0;
  Box extent = Box::empty();  // local metres
  std::vector<std::string> sources;

  std::vector<Building> buildings;
  RoadGraph roads;
  std::vector<LandUseArea> landUse;
  std::vector<LineFeature> lines;
  std::vector<PointOfInterest> pois;
  std::vector<TerrainTile> terrain;  // empty: flat ground at 0 m

  RTree buildingIndex;  // by building box
  RTree roadNodeIndex;  // by node position
  RTree landUseIndex;   // by land-use box

  std::uint64_t highwayLines = 0;                 // source line features with a highway tag
  std::map<std::string, std::uint64_t> problems;  // reason -> count (repaired or skipped)
  double populationScale = 1.0;  // residents were multiplied by this to match the scenario

  // Buildings whose box intersects a disc around p (then filtered by centre distance).
  std::vector<std::uint32_t> buildingsNear(Vec2 p, double radiusM) const;
  // Buildings whose centre lies inside `area`.
  std::vector<std::uint32_t> buildingsInside(const Polygon& area) const;
  // Nearest road node (car-accessible main component only when carOnly); -1 if none.
  std::int64_t nearestRoadNode(Vec2 p, bool carOnly) const;
  // Land use at a point (the smallest area containing it), or Other.
  LandUseClass landUseAt(Vec2 p) const;
  // Ground height at p from the first terrain tile that covers it; NaN when none does.
  double groundAt(Vec2 p) const;
  // Counts and totals of the whole city.
  CitySummary summary() const;
};

std::string_view toString(UseClass c);
std::string_view toString(HeightSource s);
std::string_view toString(RoofShape r);
std::string_view toString(RoadClass c);
std::string_view toString(LandUseClass c);
std::string_view toString(JunctionControl c);

}  // namespace twin::gis
