// SPDX-License-Identifier: Apache-2.0
#include "gis/city_builder.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <unordered_map>

#include "gis/crs.hpp"
#include "gis/detail/index.hpp"
#include "gis/detail/readers.hpp"

namespace twin::gis {
namespace fs = std::filesystem;
using detail::RawArea;
using detail::RawCity;
using detail::RawLine;
using detail::Tags;

namespace rules {

namespace {
bool startsWith(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}
bool inList(std::string_view v, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), v) != list.end();
}
}  // namespace

double parseLength(std::string_view text) {
  std::string s(text);
  std::replace(s.begin(), s.end(), ',', '.');
  std::size_t start = s.find_first_not_of(" ~");
  if (start == std::string::npos)
    return -1.0;
  double v = 0.0;
  auto [ptr, ec] = std::from_chars(s.data() + start, s.data() + s.size(), v);
  if (ec != std::errc() || !std::isfinite(v) || v < 0)
    return -1.0;
  std::string_view rest(ptr, static_cast<std::size_t>(s.data() + s.size() - ptr));
  while (!rest.empty() && rest.front() == ' ')
    rest.remove_prefix(1);
  if (startsWith(rest, "'") || startsWith(rest, "ft"))
    return v * 0.3048;
  return v;
}

double parseMaxspeed(std::string_view text) {
  constexpr double kKmh = 1.0 / 3.6;
  // German implicit limits (StVO §3): built-up 50 km/h, rural 100 km/h, motorway advisory 130
  // km/h (no limit), living street walking pace (~7 km/h)
  if (text == "DE:urban")
    return 50.0 * kKmh;
  if (text == "DE:rural")
    return 100.0 * kKmh;
  if (text == "DE:motorway" || text == "none" || text == "DE:trunk")
    return 130.0 * kKmh;
  if (text == "DE:living_street" || text == "walk" || text == "DE:walk")
    return 7.0 * kKmh;
  if (text == "DE:zone30" || text == "DE:zone:30")
    return 30.0 * kKmh;
  if (text == "DE:bicycle_road")
    return 30.0 * kKmh;
  double v = 0.0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || v <= 0 || !std::isfinite(v))
    return -1.0;
  std::string_view rest(ptr, static_cast<std::size_t>(text.data() + text.size() - ptr));
  while (!rest.empty() && rest.front() == ' ')
    rest.remove_prefix(1);
  if (rest == "mph")
    return v * 1.609344 * kKmh;
  if (rest == "knots")
    return v * 1.852 * kKmh;
  if (!rest.empty() && rest != "km/h" && rest != "kmh")
    return -1.0;
  return v * kKmh;
}

int parseYear(std::string_view text) {
  for (std::size_t i = 0; i + 4 <= text.size(); ++i) {
    if (i > 0 && std::isdigit(static_cast<unsigned char>(text[i - 1])))
      continue;
    int y = 0;
    auto [ptr, ec] = std::from_chars(text.data() + i, text.data() + i + 4, y);
    const bool fourDigits =
        ec == std::errc() && ptr == text.data() + i + 4 &&
        (i + 4 == text.size() || !std::isdigit(static_cast<unsigned char>(text[i + 4])));
    if (fourDigits && y >= 1000 && y <= 2100)
      return y;
  }
  return 0;
}

UseClass useFromTags(std::string_view building, std::string_view buildingUse,
                     std::string_view amenity, std::string_view shop, std::string_view office,
                     std::string_view healthcare, bool& ancillary, bool& known) {
  ancillary = inList(
      building, {"garage",    "garages",        "shed",         "carport",    "hut",
                 "roof",      "service",        "parking",      "greenhouse", "transformer_tower",
                 "bunker",    "ruins",          "construction", "kiosk_roof", "toilets",
                 "container", "farm_auxiliary", "barn",         "cowshed",    "stable",
                 "sty"});
  known = true;
  if (ancillary)
    return UseClass::Other;
  auto byValue = [](std::string_view v) -> int {
    if (inList(v,
               {"house", "detached", "residential", "apartments", "terrace", "semidetached_house",
                "bungalow", "dormitory", "farm", "static_caravan", "houseboat"})) {
      return static_cast<int>(UseClass::Residential);
    }
    if (inList(v, {"commercial", "retail", "supermarket", "kiosk", "hotel", "shop", "mall",
                   "department_store", "restaurant"})) {
      return static_cast<int>(UseClass::Commercial);
    }
    if (inList(v, {"office", "offices"}))
      return static_cast<int>(UseClass::Office);
    if (inList(v, {"industrial", "warehouse", "factory", "manufacture", "storage_tank", "silo",
                   "hangar"})) {
      return static_cast<int>(UseClass::Industrial);
    }
    if (inList(v, {"public",        "civic",   "government",      "train_station", "transportation",
                   "church",        "chapel",  "cathedral",       "mosque",        "synagogue",
                   "religious",     "temple",  "fire_station",    "police",        "townhall",
                   "courthouse",    "library", "museum",          "theatre",       "sports_hall",
                   "sports_centre", "stadium", "community_centre"})) {
      return static_cast<int>(UseClass::Public);
    }
    if (inList(v, {"school", "university", "college", "kindergarten", "research_institute"})) {
      return static_cast<int>(UseClass::Education);
    }
    if (inList(v, {"hospital", "clinic", "doctors", "nursing_home", "healthcare"})) {
      return static_cast<int>(UseClass::Health);
    }
    return -1;
  };
  for (std::string_view v : {building, buildingUse, amenity}) {
    if (const int c = byValue(v); c >= 0)
      return static_cast<UseClass>(c);
  }
  if (!healthcare.empty())
    return UseClass::Health;
  if (!office.empty())
    return UseClass::Office;
  if (!shop.empty())
    return UseClass::Commercial;
  if (!amenity.empty())
    return UseClass::Public;
  known = false;
  return UseClass::Other;
}

int defaultLevels(UseClass use) {
  // assumed storeys when OSM has neither height nor levels: typical German urban stock
  switch (use) {
    case UseClass::Residential:
      return 3;
    case UseClass::Commercial:
      return 2;
    case UseClass::Office:
      return 4;
    case UseClass::Industrial:
      return 1;
    case UseClass::Public:
      return 2;
    case UseClass::Education:
      return 3;
    case UseClass::Health:
      return 4;
    case UseClass::Other:
      return 1;
  }
  return 1;
}

RoadClass roadClass(std::string_view h) {
  if (h == "motorway" || h == "motorway_link")
    return RoadClass::Motorway;
  if (h == "trunk" || h == "trunk_link")
    return RoadClass::Trunk;
  if (h == "primary" || h == "primary_link")
    return RoadClass::Primary;
  if (h == "secondary" || h == "secondary_link")
    return RoadClass::Secondary;
  if (h == "tertiary" || h == "tertiary_link")
    return RoadClass::Tertiary;
  if (h == "unclassified" || h == "road")
    return RoadClass::Unclassified;
  if (h == "residential")
    return RoadClass::Residential;
  if (h == "living_street")
    return RoadClass::LivingStreet;
  if (h == "service")
    return RoadClass::Service;
  if (h == "track")
    return RoadClass::Track;
  if (inList(h, {"footway", "path", "steps", "pedestrian", "cycleway", "bridleway", "corridor",
                 "sidewalk", "crossing"})) {
    return RoadClass::Pedestrian;
  }
  return RoadClass::Other;
}

}  // namespace rules

namespace {

// metres per storey used to turn levels into a height (and back)
constexpr double kStoreyHeightM = 3.0;
// living space per resident in Germany: 47.4 m² (Destatis, 2022 micro census)
constexpr double kLivingSpacePerPersonM2 = 47.4;
// living space as a share of gross floor area (German rule of thumb, Wohnfläche ~ 0.75 BGF)
constexpr double kLivingShareOfGrossFloorArea = 0.75;

// gross floor area per job by use class (m²); assumed planning values: office ~25 m² per
// desk job (BBSR office-space studies), retail ~40, workshops/industry ~100, public/education
// ~50, health ~40; residential and ancillary buildings hold no jobs here
double floorAreaPerJob(UseClass use) {
  switch (use) {
    case UseClass::Office:
      return 25.0;
    case UseClass::Commercial:
      return 40.0;
    case UseClass::Industrial:
      return 100.0;
    case UseClass::Public:
      return 50.0;
    case UseClass::Education:
      return 50.0;
    case UseClass::Health:
      return 40.0;
    case UseClass::Residential:
    case UseClass::Other:
      return 0.0;
  }
  return 0.0;
}

RoofShape roofShape(std::string_view s) {
  if (s.empty() || s == "flat")
    return RoofShape::Flat;
  if (s == "gabled" || s == "saltbox" || s == "gambrel")
    return RoofShape::Gabled;
  if (s == "hipped" || s == "half-hipped" || s == "side_hipped")
    return RoofShape::Hipped;
  if (s == "pyramidal")
    return RoofShape::Pyramidal;
  if (s == "skillion" || s == "lean_to")
    return RoofShape::Skillion;
  return RoofShape::Other;
}

LandUseClass landUseClass(const Tags& t) {
  const std::string_view lu = t.get("landuse");
  const std::string_view nat = t.get("natural");
  const std::string_view leisure = t.get("leisure");
  if (lu == "residential")
    return LandUseClass::Residential;
  if (lu == "commercial" || lu == "retail")
    return LandUseClass::Commercial;
  if (lu == "industrial")
    return LandUseClass::Industrial;
  if (lu == "railway")
    return LandUseClass::Railway;
  if (lu == "forest" || nat == "wood")
    return LandUseClass::Forest;
  if (lu == "farmland" || lu == "orchard" || lu == "vineyard" || lu == "farmyard" ||
      lu == "meadow" || lu == "greenhouse_horticulture") {
    return LandUseClass::Farmland;
  }
  if (nat == "water" || t.has("water") || lu == "reservoir" || lu == "basin" ||
      t.get("waterway") == "riverbank") {
    return LandUseClass::Water;
  }
  if (lu == "grass" || lu == "recreation_ground" || lu == "cemetery" || lu == "allotments" ||
      lu == "village_green" || leisure == "park" || leisure == "garden" ||
      leisure == "playground" || nat == "grassland" || nat == "scrub" || nat == "heath") {
    return LandUseClass::Green;
  }
  return LandUseClass::Other;
}

bool carAllowed(RoadClass c, const Tags& t) {
  if (c == RoadClass::Pedestrian || c == RoadClass::Track || c == RoadClass::Other)
    return false;
  for (std::string_view key : {"access", "motor_vehicle", "motorcar"}) {
    const std::string_view v = t.get(key);
    if (v == "no" || v == "private" || v == "agricultural" || v == "forestry")
      return false;
  }
  return true;
}

// lanes per direction when untagged (German typical cross-sections)
int defaultLanes(RoadClass c) {
  return (c == RoadClass::Motorway || c == RoadClass::Trunk) ? 2 : 1;
}

// speed limit when maxspeed is untagged: StVO §3 (50 km/h in built-up areas, 100 outside),
// motorway advisory 130 km/h, living street walking pace, service roads and tracks slow
double defaultSpeedKmh(RoadClass c, bool urban) {
  switch (c) {
    case RoadClass::Motorway:
      return 130.0;
    case RoadClass::Trunk:
      return urban ? 80.0 : 100.0;
    case RoadClass::Primary:
    case RoadClass::Secondary:
    case RoadClass::Tertiary:
    case RoadClass::Unclassified:
      return urban ? 50.0 : 100.0;
    case RoadClass::Residential:
      return 50.0;
    case RoadClass::LivingStreet:
      return 7.0;
    case RoadClass::Service:
      return 20.0;
    case RoadClass::Track:
      return 30.0;
    case RoadClass::Pedestrian:
      return 5.0;
    case RoadClass::Other:
      return 20.0;
  }
  return 50.0;
}

struct PointKey {
  std::uint64_t x, y;
  bool operator==(const PointKey&) const = default;
};
struct PointKeyHash {
  std::size_t operator()(const PointKey& k) const {
    return static_cast<std::size_t>(k.x * 0x9E3779B97F4A7C15ULL ^ (k.y + 0x632BE59BD9B4E019ULL));
  }
};
PointKey keyOf(Vec2 p) {
  PointKey k{};
  std::memcpy(&k.x, &p.x, sizeof(double));
  std::memcpy(&k.y, &p.y, sizeof(double));
  return k;
}

void buildRoadGraph(const RawCity& raw, const std::vector<std::size_t>& roadLines,
                    CityModel& city) {
  RoadGraph& g = city.roads;
  // vertices used by more than one way, way ends and signal nodes become graph nodes
  std::unordered_map<PointKey, std::uint32_t, PointKeyHash> uses;
  for (std::size_t li : roadLines) {
    const RawLine& l = raw.lines[li];
    for (std::size_t i = 0; i < l.points.size(); ++i) {
      std::uint32_t& u = uses[keyOf(l.points[i])];
      u += (i == 0 || i + 1 == l.points.size()) ? 2u : 1u;
    }
  }
  std::unordered_map<PointKey, bool, PointKeyHash> signals;
  for (const detail::RawPoint& p : raw.points) {
    if (p.tags.get("highway") == "traffic_signals")
      signals[keyOf(p.p)] = true;
  }
  std::unordered_map<PointKey, std::uint32_t, PointKeyHash> nodeOf;
  auto nodeAt = [&](Vec2 p) {
    auto [it, inserted] = nodeOf.try_emplace(keyOf(p), static_cast<std::uint32_t>(g.nodes.size()));
    if (inserted) {
      RoadNode n;
      n.p = p;
      if (signals.count(keyOf(p)) > 0)
        n.control = JunctionControl::TrafficSignals;
      g.nodes.push_back(n);
    }
    return it->second;
  };
  for (std::size_t li : roadLines) {
    const RawLine& l = raw.lines[li];
    const RoadClass cls = rules::roadClass(l.tags.get("highway"));
    const bool car = carAllowed(cls, l.tags);
    const std::string_view ow = l.tags.get("oneway");
    const std::string_view junction = l.tags.get("junction");
    bool forward = true, backward = true;
    if (ow == "yes" || ow == "true" || ow == "1" || junction == "roundabout" ||
        junction == "circular" || (cls == RoadClass::Motorway && ow != "no")) {
      backward = false;
    }
    if (ow == "-1" || ow == "reverse") {
      forward = false;
      backward = true;
    }
    // lanes per direction
    int lanesF = -1, lanesB = -1;
    if (const double v = rules::parseLength(l.tags.get("lanes:forward")); v > 0) {
      lanesF = static_cast<int>(v);
    }
    if (const double v = rules::parseLength(l.tags.get("lanes:backward")); v > 0) {
      lanesB = static_cast<int>(v);
    }
    if (const double total = rules::parseLength(l.tags.get("lanes")); total > 0) {
      const int t = std::max(1, static_cast<int>(total));
      if (forward && backward) {
        if (lanesF < 0 && lanesB < 0) {
          lanesF = std::max(1, t / 2);
          lanesB = std::max(1, t - lanesF);
        } else if (lanesF < 0) {
          lanesF = std::max(1, t - lanesB);
        } else if (lanesB < 0) {
          lanesB = std::max(1, t - lanesF);
        }
      } else {
        (forward ? lanesF : lanesB) = t;
      }
    }
    // OSM's lane counts include bus lanes; those reserved for buses (psv:lanes / bus:lanes
    // "designated" per lane, or the counts lanes:psv / lanes:bus) are not car lanes. Plain keys
    // on a one-way road, :forward / :backward on a two-way one (OSM wiki, "Key:lanes"). A road
    // keeps one car lane: where every lane is a bus lane, access tags say whether cars may use it.
    const bool oneway = forward != backward;
    auto reservedFor = [&](bool fwd) {
      const std::string suffix = oneway ? "" : (fwd ? ":forward" : ":backward");
      int n = 0;
      for (const char* key : {"psv:lanes", "bus:lanes"}) {
        int designated = 0;
        std::string_view v = l.tags.get(std::string(key) + suffix);
        while (!v.empty()) {
          const std::size_t bar = v.find('|');
          designated += v.substr(0, bar) == "designated" ? 1 : 0;
          v = bar == std::string_view::npos ? std::string_view{} : v.substr(bar + 1);
        }
        n = std::max(n, designated);
      }
      for (const char* key : {"lanes:psv", "lanes:bus"}) {
        if (const double c = rules::parseLength(l.tags.get(std::string(key) + suffix)); c > 0)
          n = std::max(n, static_cast<int>(c));
      }
      return n;
    };
    if (lanesF > 0)
      lanesF = std::max(1, lanesF - reservedFor(true));
    if (lanesB > 0)
      lanesB = std::max(1, lanesB - reservedFor(false));
    if (lanesF < 0)
      lanesF = defaultLanes(cls);
    if (lanesB < 0)
      lanesB = defaultLanes(cls);
    double speedF = rules::parseMaxspeed(l.tags.get("maxspeed:forward"));
    double speedB = rules::parseMaxspeed(l.tags.get("maxspeed:backward"));
    const double speed = rules::parseMaxspeed(l.tags.get("maxspeed"));
    if (speedF < 0)
      speedF = speed;
    if (speedB < 0)
      speedB = speed;
    // split the way at graph nodes
    std::vector<Vec2> segment{l.points[0]};
    std::uint32_t from = nodeAt(l.points[0]);
    for (std::size_t i = 1; i < l.points.size(); ++i) {
      segment.push_back(l.points[i]);
      const bool isNode = i + 1 == l.points.size() || uses[keyOf(l.points[i])] >= 2 ||
                          signals.count(keyOf(l.points[i])) > 0;
      if (!isNode)
        continue;
      const std::uint32_t to = nodeAt(l.points[i]);
      const double len = length(segment);
      if (len <= 0.0 || from == to) {
        ++city.problems[len <= 0.0 ? "road: zero-length segment, skipped"
                                   : "road: loop segment, skipped"];
      } else {
        const Vec2 mid = segment[segment.size() / 2];
        const bool urban = [&] {
          const LandUseClass lu = city.landUseAt(mid);
          return lu == LandUseClass::Residential || lu == LandUseClass::Commercial ||
                 lu == LandUseClass::Industrial || lu == LandUseClass::Railway;
        }();
        auto addEdge = [&](std::uint32_t a, std::uint32_t b, std::vector<Vec2> geom, int lanes,
                           double tagged) {
          RoadEdge e;
          e.from = a;
          e.to = b;
          e.roadClass = cls;
          e.carAllowed = car;
          e.lanes = lanes;
          e.speedTagged = tagged > 0;
          e.speedLimitMps = tagged > 0 ? tagged : defaultSpeedKmh(cls, urban) / 3.6;
          e.lengthM = len;
          e.geometry = std::move(geom);
          e.wayId = l.id;
          e.name = std::string(l.tags.get("name"));
          g.edges.push_back(std::move(e));
        };
        if (forward)
          addEdge(from, to, segment, lanesF, speedF);
        if (backward) {
          std::vector<Vec2> rev(segment.rbegin(), segment.rend());
          addEdge(to, from, std::move(rev), lanesB, speedB);
        }
        if (forward && backward) {
          const auto n = static_cast<std::int32_t>(g.edges.size());
          g.edges[static_cast<std::size_t>(n - 2)].twin = n - 1;
          g.edges[static_cast<std::size_t>(n - 1)].twin = n - 2;
        }
      }
      segment.assign(1, l.points[i]);
      from = to;
    }
  }
  detail::indexRoadGraph(city);

  // turn restrictions: (from way, via node, to way) onto edge pairs at the via node
  {
    const RTree& nodeIndex = city.roadNodeIndex;
    std::vector<std::vector<std::uint32_t>> inEdges(g.nodes.size());
    for (std::size_t e = 0; e < g.edges.size(); ++e) {
      inEdges[g.edges[e].to].push_back(static_cast<std::uint32_t>(e));
    }
    for (const detail::RawRestriction& r : raw.restrictions) {
      // the via node is a graph vertex; its position comes from a second reader, so match
      // within a few centimetres rather than bit for bit
      const std::int64_t via =
          nodeIndex.nearest(r.via, [&](std::uint32_t i) { return distance(g.nodes[i].p, r.via); });
      if (via < 0 || distance(g.nodes[static_cast<std::size_t>(via)].p, r.via) > 0.05) {
        ++city.problems["turn restriction: via node not in the road graph, skipped"];
        continue;
      }
      const auto v = static_cast<std::size_t>(via);
      std::vector<std::uint32_t> from, to, others;
      for (std::uint32_t e : inEdges[v]) {
        if (g.edges[e].wayId == r.fromWay)
          from.push_back(e);
      }
      for (std::uint32_t e : g.outEdges[v]) {
        (g.edges[e].wayId == r.toWay ? to : others).push_back(e);
      }
      if (from.empty() || to.empty()) {
        ++city.problems["turn restriction: from/to way not at the via node, skipped"];
        continue;
      }
      for (std::uint32_t f : from) {
        for (std::uint32_t t : r.only ? others : to)
          g.bannedTurns.emplace_back(f, t);
      }
      ++g.turnRestrictions;
    }
    std::sort(g.bannedTurns.begin(), g.bannedTurns.end());
    g.bannedTurns.erase(std::unique(g.bannedTurns.begin(), g.bannedTurns.end()),
                        g.bannedTurns.end());
  }

  // junction control: signals as tagged; else right-before-left where only equal minor roads
  // meet (StVO §8), priority where classes differ
  std::vector<std::vector<int>> incidentClasses(g.nodes.size());
  std::vector<std::vector<std::uint32_t>> neighbours(g.nodes.size());
  for (const RoadEdge& e : g.edges) {
    if (!e.carAllowed)
      continue;
    for (std::uint32_t n : {e.from, e.to}) {
      incidentClasses[n].push_back(static_cast<int>(e.roadClass));
      neighbours[n].push_back(n == e.from ? e.to : e.from);
    }
  }
  for (std::size_t n = 0; n < g.nodes.size(); ++n) {
    RoadNode& node = g.nodes[n];
    if (node.control == JunctionControl::TrafficSignals)
      continue;
    auto& nb = neighbours[n];
    std::sort(nb.begin(), nb.end());
    nb.erase(std::unique(nb.begin(), nb.end()), nb.end());
    if (nb.size() < 3)
      continue;
    const auto& cls = incidentClasses[n];
    const bool allMinorEqual = std::all_of(cls.begin(), cls.end(), [&](int c) {
      return c == cls.front() && (c == static_cast<int>(RoadClass::Residential) ||
                                  c == static_cast<int>(RoadClass::LivingStreet) ||
                                  c == static_cast<int>(RoadClass::Unclassified));
    });
    node.control = allMinorEqual ? JunctionControl::RightBeforeLeft : JunctionControl::Priority;
  }

  // largest strongly connected component over car edges (Tarjan 1972, iterative)
  const std::size_t n = g.nodes.size();
  std::vector<int> index(n, -1), low(n, 0), comp(n, -1);
  std::vector<bool> onStack(n, false);
  std::vector<std::uint32_t> stack;
  int counter = 0, comps = 0;
  struct Frame {
    std::uint32_t v;
    std::size_t next;
  };
  for (std::uint32_t s = 0; s < n; ++s) {
    if (index[s] >= 0)
      continue;
    std::vector<Frame> call{{s, 0}};
    index[s] = low[s] = counter++;
    stack.push_back(s);
    onStack[s] = true;
    while (!call.empty()) {
      Frame& f = call.back();
      const auto& out = g.outEdges[f.v];
      if (f.next < out.size()) {
        const RoadEdge& e = g.edges[out[f.next++]];
        if (!e.carAllowed)
          continue;
        const std::uint32_t w = e.to;
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          stack.push_back(w);
          onStack[w] = true;
          call.push_back({w, 0});
        } else if (onStack[w]) {
          low[f.v] = std::min(low[f.v], index[w]);
        }
        continue;
      }
      const std::uint32_t v = f.v;
      call.pop_back();
      if (!call.empty())
        low[call.back().v] = std::min(low[call.back().v], low[v]);
      if (low[v] == index[v]) {
        std::uint32_t w = 0;
        do {
          w = stack.back();
          stack.pop_back();
          onStack[w] = false;
          comp[w] = comps;
        } while (w != v);
        ++comps;
      }
    }
  }
  // size counts nodes touched by car edges only
  std::vector<std::size_t> size(static_cast<std::size_t>(comps), 0);
  std::vector<bool> carNode(n, false);
  for (const RoadEdge& e : g.edges) {
    if (e.carAllowed)
      carNode[e.from] = carNode[e.to] = true;
  }
  for (std::size_t v = 0; v < n; ++v) {
    if (carNode[v])
      ++size[static_cast<std::size_t>(comp[v])];
  }
  int main = -1;
  for (int c = 0; c < comps; ++c) {
    if (main < 0 || size[static_cast<std::size_t>(c)] > size[static_cast<std::size_t>(main)]) {
      main = c;
    }
  }
  for (std::size_t v = 0; v < n; ++v)
    g.nodes[v].inMainComponent = carNode[v] && comp[v] == main;
  for (RoadEdge& e : g.edges) {
    e.inMainComponent = e.carAllowed && comp[e.from] == main && comp[e.to] == main;
    if (e.carAllowed && !e.inMainComponent)
      ++city.problems["road: car edge outside the main network"];
  }
}

Box boxOf(const std::vector<Polygon>& parts) {
  Box b = Box::empty();
  for (const Polygon& p : parts) {
    for (const Vec2& v : p.outer)
      b.expand(v);
  }
  return b;
}

void interpret(const RawCity& raw, double population, CityModel& city) {
  // land use first: buildings and roads ask what land use they lie in
  for (const RawArea& a : raw.areas) {
    if (a.tags.has("building"))
      continue;
    const LandUseClass lu = landUseClass(a.tags);
    for (const Polygon& p : a.parts) {
      LandUseArea area;
      area.sourceId = a.id;
      area.landUse = lu;
      area.polygon = p;
      area.box = bounds(p.outer);
      area.areaM2 = gis::area(p);
      area.name = std::string(a.tags.get("name"));
      if (area.areaM2 <= 0.0) {
        ++city.problems["area: zero area, skipped"];
        continue;
      }
      city.landUse.push_back(std::move(area));
    }
  }
  detail::indexLandUse(city);
  // points of interest
  for (const detail::RawPoint& p : raw.points) {
    bool ancillary = false, known = false;
    const UseClass use =
        rules::useFromTags({}, {}, p.tags.get("amenity"), p.tags.get("shop"), p.tags.get("office"),
                           p.tags.get("healthcare"), ancillary, known);
    if (known)
      city.pois.push_back({p.p, use});
  }
  std::vector<Box> poiBoxes;
  for (const PointOfInterest& p : city.pois)
    poiBoxes.push_back({p.p.x, p.p.y, p.p.x, p.p.y});
  const RTree poiIndex(poiBoxes);

  // buildings
  for (const RawArea& a : raw.areas) {
    if (!a.tags.has("building"))
      continue;
    Building b;
    b.sourceId = a.id;
    for (const Polygon& p : a.parts) {
      if (p.outer.size() >= 3 && gis::area(p) > 0.0)
        b.parts.push_back(p);
    }
    if (b.parts.empty()) {
      ++city.problems["building: zero area, skipped"];
      continue;
    }
    for (const Polygon& p : b.parts)
      b.footprintM2 += gis::area(p);
    b.box = boxOf(b.parts);
    // centre of the largest part
    const Polygon* largest = &b.parts[0];
    for (const Polygon& p : b.parts) {
      if (gis::area(p) > gis::area(*largest))
        largest = &p;
    }
    b.centre = centroid(largest->outer);
    if (!contains(*largest, b.centre))
      b.centre = largest->outer[0];
    b.name = std::string(a.tags.get("name"));
    if (a.hasGroundZ)
      b.groundZ = a.groundZ;
    b.meshVertices = a.meshVertices;
    b.meshKinds = a.meshKinds;
    // use class: own tags, else points of interest inside, else the land use around
    bool known = false;
    b.use = rules::useFromTags(a.tags.get("building"), a.tags.get("building:use"),
                               a.tags.get("amenity"), a.tags.get("shop"), a.tags.get("office"),
                               a.tags.get("healthcare"), b.ancillary, known);
    if (!known) {
      std::array<int, kUseClassCount> votes{};
      for (std::uint32_t i : poiIndex.query(b.box)) {
        if (contains(*largest, city.pois[i].p))
          ++votes[static_cast<std::size_t>(city.pois[i].use)];
      }
      const auto best = std::max_element(votes.begin(), votes.end());
      if (*best > 0) {
        b.use = static_cast<UseClass>(best - votes.begin());
      } else {
        switch (city.landUseAt(b.centre)) {
          case LandUseClass::Residential:
            b.use = UseClass::Residential;
            break;
          case LandUseClass::Commercial:
            b.use = UseClass::Commercial;
            break;
          case LandUseClass::Industrial:
            b.use = UseClass::Industrial;
            break;
          default:
            b.use = UseClass::Other;
            break;
        }
      }
    }
    // height: measured > height tag > levels x 3 m + roof > default by use class
    const double levelsTag = rules::parseLength(a.tags.get("building:levels"));
    const double roofLevels = std::max(0.0, rules::parseLength(a.tags.get("roof:levels")));
    const double heightTag = rules::parseLength(a.tags.get("height"));
    b.roof = roofShape(a.tags.get("roof:shape"));
    if (a.measuredHeightM > 0.0) {
      b.heightM = a.measuredHeightM;
      b.heightSource = HeightSource::Measured;
    } else if (heightTag > 0.0) {
      b.heightM = heightTag;
      b.heightSource = HeightSource::Tagged;
    } else if (levelsTag > 0.0) {
      b.heightM = (levelsTag + roofLevels) * kStoreyHeightM;
      b.heightSource = HeightSource::Levels;
    } else {
      b.heightM = rules::defaultLevels(b.use) * kStoreyHeightM;
      b.heightSource = HeightSource::Default;
    }
    if (b.heightM > 1000.0) {
      ++city.problems["building: implausible height, default used"];
      b.heightM = rules::defaultLevels(b.use) * kStoreyHeightM;
      b.heightSource = HeightSource::Default;
    }
    if (levelsTag > 0.0) {
      b.floors = std::max(1, static_cast<int>(std::lround(levelsTag)));
    } else if (b.heightSource == HeightSource::Default) {
      b.floors = rules::defaultLevels(b.use);
    } else {
      b.floors = std::max(1, static_cast<int>(std::lround(b.heightM / kStoreyHeightM)));
    }
    if (b.ancillary)
      b.floors = 1;
    b.floorAreaM2 = b.footprintM2 * b.floors;
    b.constructionYear = rules::parseYear(a.tags.get("start_date"));
    if (b.constructionYear == 0)
      b.constructionYear = rules::parseYear(a.tags.get("construction_year"));
    if (b.use == UseClass::Residential && !b.ancillary) {
      b.residents = b.floorAreaM2 * kLivingShareOfGrossFloorArea / kLivingSpacePerPersonM2;
    }
    if (const double perJob = floorAreaPerJob(b.use); perJob > 0.0 && !b.ancillary) {
      b.jobs = b.floorAreaM2 / perJob;
    }
    city.buildings.push_back(std::move(b));
  }
  // where a 3D source (CityGML) and a 2D source (OSM, vector) describe the same building, the
  // measured one wins: 2D buildings whose centre lies in a measured footprint are dropped
  {
    std::vector<Box> measuredBoxes;
    std::vector<std::size_t> measured;
    for (std::size_t i = 0; i < city.buildings.size(); ++i) {
      if (city.buildings[i].heightSource == HeightSource::Measured) {
        measured.push_back(i);
        measuredBoxes.push_back(city.buildings[i].box);
      }
    }
    if (!measured.empty() && measured.size() < city.buildings.size()) {
      const RTree index(measuredBoxes);
      std::vector<bool> drop(city.buildings.size(), false);
      for (std::size_t i = 0; i < city.buildings.size(); ++i) {
        const Building& b = city.buildings[i];
        if (b.heightSource == HeightSource::Measured) {
          continue;
        }
        const Vec2 c = b.centre;
        index.query(Box{c.x, c.y, c.x, c.y}, [&](std::uint32_t k) {
          for (const Polygon& part : city.buildings[measured[k]].parts) {
            if (contains(part, c)) {
              drop[i] = true;
            }
          }
        });
      }
      std::size_t kept = 0, dropped = 0;
      for (std::size_t i = 0; i < city.buildings.size(); ++i) {
        if (drop[i]) {
          ++dropped;
          continue;
        }
        if (kept != i) {
          city.buildings[kept] = std::move(city.buildings[i]);
        }
        ++kept;
      }
      city.buildings.resize(kept);
      if (dropped > 0) {
        city.problems["building: replaced by a measured 3D building"] += dropped;
      }
    }
  }
  // residents scaled to the scenario's population total
  double residents = 0.0;
  for (const Building& b : city.buildings)
    residents += b.residents;
  if (population > 0.0 && residents > 0.0) {
    city.populationScale = population / residents;
    for (Building& b : city.buildings)
      b.residents *= city.populationScale;
  }
  detail::indexBuildings(city);

  // lines: roads into the graph, rail/power/water as layers
  std::vector<std::size_t> roadLines;
  for (std::size_t i = 0; i < raw.lines.size(); ++i) {
    const RawLine& l = raw.lines[i];
    if (l.tags.has("highway")) {
      roadLines.push_back(i);
      continue;
    }
    LineFeature f;
    f.sourceId = l.id;
    f.points = l.points;
    f.name = std::string(l.tags.get("name"));
    const std::string_view rail = l.tags.get("railway");
    const std::string_view power = l.tags.get("power");
    if (rail == "rail" || rail == "light_rail" || rail == "subway" || rail == "narrow_gauge") {
      f.kind = LineKind::Rail;
    } else if (rail == "tram") {
      f.kind = LineKind::Tram;
    } else if (power == "line" || power == "minor_line" || power == "cable") {
      f.kind = LineKind::Power;
      f.voltageV = std::max(0.0, rules::parseLength(l.tags.get("voltage")));
    } else if (l.tags.has("waterway")) {
      f.kind = LineKind::Waterway;
    } else {
      continue;
    }
    city.lines.push_back(std::move(f));
  }
  buildRoadGraph(raw, roadLines, city);
}

template <typename F>
void forEachPoint(RawCity& raw, F&& f) {
  for (RawArea& a : raw.areas) {
    for (Polygon& p : a.parts) {
      f(std::span<Vec2>(p.outer));
      for (Ring& h : p.holes) {
        f(std::span<Vec2>(h));
      }
    }
    if (!a.meshVertices.empty()) {
      // mesh x/y go through the same function; z stays
      std::vector<Vec2> xy(a.meshVertices.size());
      for (std::size_t i = 0; i < xy.size(); ++i) {
        xy[i] = {a.meshVertices[i].x, a.meshVertices[i].y};
      }
      f(std::span<Vec2>(xy));
      for (std::size_t i = 0; i < xy.size(); ++i) {
        a.meshVertices[i].x = xy[i].x;
        a.meshVertices[i].y = xy[i].y;
      }
    }
  }
  for (RawLine& l : raw.lines) {
    f(std::span<Vec2>(l.points));
  }
  for (detail::RawPoint& p : raw.points) {
    f(std::span<Vec2>(&p.p, 1));
  }
  for (detail::RawRestriction& r : raw.restrictions) {
    f(std::span<Vec2>(&r.via, 1));
  }
}

}  // namespace

namespace detail {

SourceKind kindOf(const CitySource& src) {
  if (!src.kind.empty() || !src.fields.empty() || !src.layer.empty())
    return SourceKind::Vector;
  std::string name = fs::path(src.path).filename().string();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (name.ends_with(".osm.pbf") || name.ends_with(".pbf") || name.ends_with(".osm")) {
    return SourceKind::Osm;
  }
  if (name.ends_with(".gml") || name.ends_with(".gml.gz") || name.ends_with(".citygml")) {
    return SourceKind::CityGml;
  }
  for (const char* ext : {".geojson", ".json", ".gpkg", ".shp", ".fgb", ".gml.xml", ".kml"}) {
    if (name.ends_with(ext))
      return SourceKind::Vector;
  }
  if (name.ends_with(".tif") || name.ends_with(".tiff") || name.ends_with(".asc") ||
      name.ends_with(".vrt")) {
    return SourceKind::Dem;
  }
  return SourceKind::Unknown;
}

}  // namespace detail

using detail::kindOf;
using detail::SourceKind;

core::Result<CityModel> buildCity(const CityDef& def) {
  if (def.sources.empty()) {
    return core::fail(core::ErrorCode::BadInput, "the city has no sources");
  }
  std::vector<RawCity> sources;
  std::vector<CitySource> dems;  // with the CRS a scenario states for a raster without one
  for (const CitySource& source : def.sources) {
    const std::string& src = source.path;
    const SourceKind kind = kindOf(source);
    if (kind == SourceKind::Dem) {
      dems.push_back(source);
      continue;
    }
    if (kind == SourceKind::Unknown) {
      return core::fail(core::ErrorCode::BadInput,
                        src +
                            ": unsupported city source; citytwin reads OpenStreetMap (.osm.pbf, "
                            ".osm), CityGML (.gml, .gml.gz), GIS vector files (.geojson, .gpkg, "
                            ".shp, .fgb) and DEM rasters (.tif, .tiff, .asc, .vrt)");
    }
    core::Result<RawCity> r = RawCity{};
    if (kind == SourceKind::Osm) {
      r = detail::readOsm(src, def.osmConfig);
      if (r) {
        auto restrictions = detail::readOsmRestrictions(src, r->problems);
        if (!restrictions) {
          return core::Unexpected(restrictions.error());
        }
        r->restrictions = std::move(*restrictions);
      }
    } else if (kind == SourceKind::CityGml) {
      r = detail::readCityGml(src, source.crs);
    } else {
      r = detail::readVector({src, source.layer, source.crs, source.kind, source.fields});
    }
    if (!r) {
      return core::Unexpected(r.error());
    }
    sources.push_back(std::move(*r));
  }
  // target CRS: as given, or the UTM zone of the data's centre (in lon/lat)
  std::string crs = normaliseCrsName(def.crs);
  if (crs == "auto") {
    if (sources.empty()) {
      return core::fail(core::ErrorCode::BadInput,
                        "crs 'auto' needs vector data (OSM or CityGML) to find the UTM zone; "
                        "name the CRS");
    }
    double lon = 0.0, lat = 0.0;
    for (RawCity& r : sources) {
      Box b = Box::empty();
      forEachPoint(r, [&](std::span<Vec2> pts) {
        for (const Vec2& p : pts)
          b.expand(p);
      });
      Vec2 c{(b.minX + b.maxX) / 2.0, (b.minY + b.maxY) / 2.0};
      auto toLonLat = Transformer::create(r.crs, "EPSG:4326");
      if (!toLonLat)
        return core::Unexpected(toLonLat.error());
      toLonLat->transform(c);
      lon += c.x / static_cast<double>(sources.size());
      lat += c.y / static_cast<double>(sources.size());
    }
    crs = utmCrsFor(lon, lat);
  }
  // every source transformed once into the target CRS, then merged
  RawCity raw;
  raw.crs = crs;
  for (RawCity& r : sources) {
    if (normaliseCrsName(r.crs) != crs) {
      auto tr = Transformer::create(r.crs, crs);
      if (!tr)
        return core::Unexpected(tr.error());
      bool allOk = true;
      forEachPoint(r, [&](std::span<Vec2> pts) { allOk = tr->transform(pts) && allOk; });
      if (!allOk) {
        return core::fail(core::ErrorCode::BadInput,
                          "some coordinates cannot be transformed from " + r.crs + " to " + crs +
                              "; is the data inside that CRS's area of use?");
      }
    }
    for (auto& a : r.areas)
      raw.areas.push_back(std::move(a));
    for (auto& l : r.lines)
      raw.lines.push_back(std::move(l));
    for (auto& p : r.points)
      raw.points.push_back(std::move(p));
    for (const auto& t : r.restrictions) {
      raw.restrictions.push_back(t);
    }
    raw.highwayLines += r.highwayLines;
    for (const auto& [k, v] : r.problems)
      raw.problems[k] += v;
  }
  const bool vector = !raw.areas.empty() || !raw.lines.empty() || !raw.points.empty();
  // local origin: the extent's south-west corner rounded down to 1 km (PLATFORM.md §6)
  Box abs = Box::empty();
  forEachPoint(raw, [&](std::span<Vec2> pts) {
    for (const Vec2& p : pts)
      abs.expand(p);
  });
  if (!vector) {
    for (const CitySource& d : dems) {
      auto b = detail::demBounds(d.path, crs, d.crs);
      if (!b)
        return core::Unexpected(b.error());
      abs.expand({b->minX, b->minY});
      abs.expand({b->maxX, b->maxY});
    }
  }
  if (abs.minX > abs.maxX) {
    return core::fail(core::ErrorCode::BadInput,
                      "the city sources hold no buildings, roads, land use or terrain");
  }
  CityModel city;
  city.crs = crs;
  for (const CitySource& s : def.sources)
    city.sources.push_back(s.path);
  city.originE = std::floor(abs.minX / 1000.0) * 1000.0;
  city.originN = std::floor(abs.minY / 1000.0) * 1000.0;
  forEachPoint(raw, [&](std::span<Vec2> pts) {
    for (Vec2& p : pts)
      p = {p.x - city.originE, p.y - city.originN};
  });
  city.extent = {abs.minX - city.originE, abs.minY - city.originN, abs.maxX - city.originE,
                 abs.maxY - city.originN};
  for (const CitySource& d : dems) {
    auto tile = detail::readDem(d.path, crs, city.originE, city.originN, d.crs);
    if (!tile)
      return core::Unexpected(tile.error());
    city.terrain.push_back(std::move(*tile));
  }
  city.highwayLines = raw.highwayLines;
  city.problems = raw.problems;
  interpret(raw, def.population, city);
  // ground heights from the terrain
  if (!city.terrain.empty()) {
    for (Building& b : city.buildings) {
      if (b.heightSource == HeightSource::Measured)
        continue;  // 3D sources carry their ground
      const double z = city.groundAt(b.centre);
      if (std::isnan(z)) {
        ++city.problems["building: outside the terrain, ground at 0 m"];
      } else {
        b.groundZ = z;
      }
    }
  }
  return city;
}

}  // namespace twin::gis
