// SPDX-License-Identifier: Apache-2.0
// What the readers hand to the city builder: features with their tags, coordinates in the
// target CRS (absolute metres), before any interpretation. Standard library only.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gis/city_model.hpp"
#include "gis/geometry.hpp"

namespace twin::gis::detail {

// OSM-style key/value tags; keys as in OSM ("building:levels").
struct Tags {
  std::vector<std::pair<std::string, std::string>> kv;
  std::string_view get(std::string_view key) const {
    for (const auto& [k, v] : kv) {
      if (k == key)
        return v;
    }
    return {};
  }
  bool has(std::string_view key) const { return !get(key).empty(); }
  void set(std::string key, std::string value) {
    if (!value.empty())
      kv.emplace_back(std::move(key), std::move(value));
  }
};

struct RawArea {
  std::int64_t id = 0;
  std::vector<Polygon> parts;
  Tags tags;
  double measuredHeightM = -1.0;  // from 3D sources (CityGML); < 0 when absent
  double groundZ = 0.0;           // lowest ground point from 3D sources
  bool hasGroundZ = false;
  std::vector<Vec3> meshVertices;  // LoD2 triangles (x, y in the raw CRS, z absolute)
  std::vector<SurfaceKind> meshKinds;
};

struct RawLine {
  std::int64_t id = 0;
  std::vector<Vec2> points;
  Tags tags;
};

struct RawPoint {
  std::int64_t id = 0;
  Vec2 p;
  Tags tags;
};

// An OSM turn restriction (relation type=restriction) with a via node.
struct RawRestriction {
  std::int64_t relationId = 0;
  std::int64_t fromWay = 0;
  std::int64_t toWay = 0;
  Vec2 via;           // the via node's position (raw CRS)
  bool only = false;  // only_* (every other turn banned) rather than no_*
};

struct RawCity {
  std::string crs;  // of the coordinates
  std::vector<RawArea> areas;
  std::vector<RawLine> lines;
  std::vector<RawPoint> points;
  std::vector<RawRestriction> restrictions;
  std::uint64_t highwayLines = 0;
  std::map<std::string, std::uint64_t> problems;
};

}  // namespace twin::gis::detail
