// SPDX-License-Identifier: Apache-2.0
#include "gis/city_model.hpp"

#include "gis/detail/index.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace twin::gis {

std::vector<std::uint32_t> CityModel::buildingsNear(Vec2 p, double radiusM) const {
  std::vector<std::uint32_t> out;
  const Box q{p.x - radiusM, p.y - radiusM, p.x + radiusM, p.y + radiusM};
  for (std::uint32_t i : buildingIndex.query(q)) {
    if (distance(buildings[i].centre, p) <= radiusM)
      out.push_back(i);
  }
  return out;
}

std::vector<std::uint32_t> CityModel::buildingsInside(const Polygon& area) const {
  std::vector<std::uint32_t> out;
  const Box q = bounds(area.outer);
  for (std::uint32_t i : buildingIndex.query(q)) {
    if (contains(area, buildings[i].centre))
      out.push_back(i);
  }
  return out;
}

std::int64_t CityModel::nearestRoadNode(Vec2 p, bool carOnly) const {
  return roadNodeIndex.nearest(
      p, [&](std::uint32_t i) { return distance(roads.nodes[i].p, p); },
      [&](std::uint32_t i) { return !carOnly || roads.nodes[i].inMainComponent; });
}

LandUseClass CityModel::landUseAt(Vec2 p) const {
  LandUseClass best = LandUseClass::Other;
  double bestArea = 1e300;
  landUseIndex.query(Box{p.x, p.y, p.x, p.y}, [&](std::uint32_t i) {
    const LandUseArea& a = landUse[i];
    // the smallest area wins (a park inside a residential zone is a park); ties by index
    if ((a.areaM2 < bestArea ||
         (a.areaM2 == bestArea && static_cast<int>(a.landUse) < static_cast<int>(best))) &&
        contains(a.polygon, p)) {
      best = a.landUse;
      bestArea = a.areaM2;
    }
  });
  return best;
}

double TerrainTile::heightAt(Vec2 p) const {
  if (cols < 1 || rows < 1)
    return std::numeric_limits<double>::quiet_NaN();
  // continuous pixel coordinates with cell centres at integers
  const double px = (p.x - x0) / cellX - 0.5;
  const double py = (p.y - y0) / cellY - 0.5;
  if (px < -0.5 || py < -0.5 || px > cols - 0.5 || py > rows - 0.5) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  const double cx = std::clamp(px, 0.0, static_cast<double>(cols - 1));
  const double cy = std::clamp(py, 0.0, static_cast<double>(rows - 1));
  const int i0 = std::min(static_cast<int>(cx), cols - 1),
            j0 = std::min(static_cast<int>(cy), rows - 1);
  const int i1 = std::min(i0 + 1, cols - 1), j1 = std::min(j0 + 1, rows - 1);
  const double fx = cx - i0, fy = cy - j0;
  auto at = [&](int i, int j) {
    return static_cast<double>(z[static_cast<std::size_t>(j) * static_cast<std::size_t>(cols) +
                                 static_cast<std::size_t>(i)]);
  };
  const double top = at(i0, j0) * (1 - fx) + at(i1, j0) * fx;
  const double bottom = at(i0, j1) * (1 - fx) + at(i1, j1) * fx;
  return top * (1 - fy) + bottom * fy;
}

Box TerrainTile::bounds() const {
  const double x1 = x0 + cellX * cols, y1 = y0 + cellY * rows;
  return {std::min(x0, x1), std::min(y0, y1), std::max(x0, x1), std::max(y0, y1)};
}

double CityModel::groundAt(Vec2 p) const {
  for (const TerrainTile& t : terrain) {
    const double h = t.heightAt(p);
    if (!std::isnan(h))
      return h;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

CitySummary CityModel::summary() const {
  CitySummary s;
  s.buildings = buildings.size();
  for (const Building& b : buildings) {
    s.floorAreaM2 += b.floorAreaM2;
    s.residents += b.residents;
    s.jobs += b.jobs;
    ++s.heightSources[std::string(toString(b.heightSource))];
    ++s.useClasses[std::string(b.ancillary ? "ancillary" : toString(b.use))];
  }
  s.graphNodes = roads.nodes.size();
  s.graphEdges = roads.edges.size();
  std::uint64_t carNodes = 0, mainNodes = 0;
  std::vector<bool> carNode(roads.nodes.size(), false);
  for (std::size_t i = 0; i < roads.edges.size(); ++i) {
    const RoadEdge& e = roads.edges[i];
    if (e.carAllowed) {
      ++s.carEdges;
      carNode[e.from] = carNode[e.to] = true;
    }
    // each segment once: one-ways, and the first of a two-way pair
    if (e.twin < 0 || static_cast<std::size_t>(e.twin) > i) {
      s.roadKm += e.lengthM / 1000.0;
      s.roadKmByClass[std::string(toString(e.roadClass))] += e.lengthM / 1000.0;
    }
  }
  for (std::size_t i = 0; i < roads.nodes.size(); ++i) {
    if (carNode[i])
      ++carNodes;
    if (roads.nodes[i].inMainComponent)
      ++mainNodes;
    if (roads.nodes[i].control != JunctionControl::None) {
      ++s.junctions[std::string(toString(roads.nodes[i].control))];
    }
  }
  s.mainComponentShare =
      carNodes > 0 ? static_cast<double>(mainNodes) / static_cast<double>(carNodes) : 0.0;
  s.landUseAreas = landUse.size();
  for (const LandUseArea& a : landUse)
    s.landUseKm2[std::string(toString(a.landUse))] += a.areaM2 / 1e6;
  static constexpr std::array<std::string_view, 4> kLineNames{"rail", "tram", "power", "waterway"};
  for (const LineFeature& l : lines)
    ++s.lines[std::string(kLineNames[static_cast<std::size_t>(l.kind)])];
  s.highwayLines = highwayLines;
  s.turnRestrictions = roads.turnRestrictions;
  s.bannedTurns = roads.bannedTurns.size();
  s.terrainTiles = terrain.size();
  bool first = true;
  for (const TerrainTile& t : terrain) {
    for (float v : t.z) {
      if (std::isnan(v))
        continue;
      s.terrainMinM = first ? v : std::min(s.terrainMinM, static_cast<double>(v));
      s.terrainMaxM = first ? v : std::max(s.terrainMaxM, static_cast<double>(v));
      first = false;
    }
  }
  return s;
}

namespace detail {

void indexLandUse(CityModel& city) {
  std::vector<Box> boxes;
  for (const LandUseArea& a : city.landUse) {
    boxes.push_back(a.box);
  }
  city.landUseIndex = RTree(boxes);
}

void indexBuildings(CityModel& city) {
  std::vector<Box> boxes;
  for (const Building& b : city.buildings) {
    boxes.push_back(b.box);
  }
  city.buildingIndex = RTree(boxes);
}

void indexRoadGraph(CityModel& city) {
  RoadGraph& g = city.roads;
  g.outEdges.assign(g.nodes.size(), {});
  for (std::size_t e = 0; e < g.edges.size(); ++e) {
    g.outEdges[g.edges[e].from].push_back(static_cast<std::uint32_t>(e));
  }
  std::vector<Box> boxes;
  for (const RoadNode& n : g.nodes) {
    boxes.push_back({n.p.x, n.p.y, n.p.x, n.p.y});
  }
  city.roadNodeIndex = RTree(boxes);
}

}  // namespace detail

std::string_view toString(UseClass c) {
  static constexpr std::array<std::string_view, kUseClassCount> kNames{
      "residential", "commercial", "office", "industrial",
      "public",      "education",  "health", "other"};
  return kNames[static_cast<std::size_t>(c)];
}
std::string_view toString(HeightSource s) {
  static constexpr std::array<std::string_view, 4> kNames{"measured", "tagged", "levels",
                                                          "default"};
  return kNames[static_cast<std::size_t>(s)];
}
std::string_view toString(RoofShape r) {
  static constexpr std::array<std::string_view, 6> kNames{"flat",      "gabled",   "hipped",
                                                          "pyramidal", "skillion", "other"};
  return kNames[static_cast<std::size_t>(r)];
}
std::string_view toString(RoadClass c) {
  static constexpr std::array<std::string_view, kRoadClassCount> kNames{
      "motorway",    "trunk",         "primary", "secondary", "tertiary",   "unclassified",
      "residential", "living_street", "service", "track",     "pedestrian", "other"};
  return kNames[static_cast<std::size_t>(c)];
}
std::string_view toString(LandUseClass c) {
  static constexpr std::array<std::string_view, kLandUseClassCount> kNames{
      "residential", "commercial", "industrial", "green", "forest",
      "farmland",    "water",      "railway",    "other"};
  return kNames[static_cast<std::size_t>(c)];
}
std::string_view toString(JunctionControl c) {
  static constexpr std::array<std::string_view, 4> kNames{"none", "traffic_signals", "priority",
                                                          "right_before_left"};
  return kNames[static_cast<std::size_t>(c)];
}

}  // namespace twin::gis
