// SPDX-License-Identifier: Apache-2.0
#include "gis/city_cache.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/bytes.hpp"
#include "core/hash.hpp"
#include "core/log.hpp"
#include "gis/detail/index.hpp"

namespace twin::gis {
namespace {
namespace fs = std::filesystem;
using core::ByteReader;
using core::ByteWriter;

// bump when CityModel or the interpretation rules change: old caches are then ignored
constexpr std::uint32_t kCacheVersion = 2;
constexpr std::uint32_t kMagic = 0x54574359;  // "TWCY"

void putString(ByteWriter& w, const std::string& s) {
  w.putBytes(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}
std::string getString(ByteReader& r) {
  auto b = r.getBytes();
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}
template <typename T>
void putPods(ByteWriter& w, const std::vector<T>& v) {
  w.putBytes(std::span(reinterpret_cast<const std::uint8_t*>(v.data()), v.size() * sizeof(T)));
}
template <typename T>
bool getPods(ByteReader& r, std::vector<T>& v) {
  auto b = r.getBytes();
  if (b.size() % sizeof(T) != 0)
    return false;
  v.resize(b.size() / sizeof(T));
  if (!b.empty())
    std::memcpy(static_cast<void*>(v.data()), b.data(), b.size());
  return true;
}
void putPolygon(ByteWriter& w, const Polygon& p) {
  putPods(w, p.outer);
  w.put<std::uint64_t>(p.holes.size());
  for (const Ring& h : p.holes)
    putPods(w, h);
}
bool getPolygon(ByteReader& r, Polygon& p) {
  if (!getPods(r, p.outer))
    return false;
  const auto n = r.get<std::uint64_t>();
  if (!r.ok() || n > (1u << 24))
    return false;
  p.holes.resize(n);
  for (Ring& h : p.holes) {
    if (!getPods(r, h))
      return false;
  }
  return r.ok();
}

std::string cachePath(const std::string& dir, const std::string& key) {
  return (fs::path(dir) / ("city-" + key + ".bin")).string();
}

}  // namespace

core::Result<std::string> cityCacheKey(const CityDef& def) {
  core::Fnv1a64 h;
  h.add("citytwin city cache " + std::to_string(kCacheVersion));
  auto addFile = [&](const std::string& path) -> core::Status {
    std::ifstream in(path, std::ios::binary);
    if (!in)
      return core::fail(core::ErrorCode::NotFound, path + ": cannot read");
    std::vector<char> buf(1 << 20);
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      h.add(std::as_bytes(std::span(buf.data(), static_cast<std::size_t>(in.gcount()))));
    }
    return {};
  };
  for (const CitySource& s : def.sources) {
    h.add("\n" + s.path + "|" + s.layer + "|" + s.crs + "|" + s.kind);
    for (const auto& [k, v] : s.fields)
      h.add("|" + k + "=" + v);
    if (core::Status st = addFile(s.path); !st)
      return core::Unexpected(st.error());
  }
  h.add("\ncrs " + def.crs + "\npopulation " + std::to_string(def.population));
  if (!def.osmConfig.empty()) {
    if (core::Status st = addFile(def.osmConfig); !st)
      return core::Unexpected(st.error());
  }
  return core::toHex(h.value());
}

core::Status saveCityCache(const CityModel& c, const std::string& dir, const std::string& key) {
  ByteWriter w;
  w.put(kMagic);
  w.put(kCacheVersion);
  putString(w, key);
  putString(w, c.crs);
  w.put(c.originE);
  w.put(c.originN);
  w.put(c.extent);
  w.put<std::uint64_t>(c.sources.size());
  for (const std::string& s : c.sources)
    putString(w, s);
  w.put<std::uint64_t>(c.buildings.size());
  for (const Building& b : c.buildings) {
    w.put(b.sourceId);
    w.put<std::uint64_t>(b.parts.size());
    for (const Polygon& p : b.parts)
      putPolygon(w, p);
    w.put(b.box);
    w.put(b.centre);
    w.put(b.groundZ);
    w.put(b.heightM);
    w.put(b.heightSource);
    w.put(b.roof);
    w.put(b.use);
    w.put(b.ancillary);
    w.put(b.floors);
    w.put(b.footprintM2);
    w.put(b.floorAreaM2);
    w.put(b.constructionYear);
    w.put(b.residents);
    w.put(b.jobs);
    putString(w, b.name);
    putPods(w, b.meshVertices);
    putPods(w, b.meshKinds);
  }
  putPods(w, c.roads.nodes);
  w.put<std::uint64_t>(c.roads.edges.size());
  for (const RoadEdge& e : c.roads.edges) {
    w.put(e.from);
    w.put(e.to);
    w.put(e.roadClass);
    w.put(e.carAllowed);
    w.put(e.lanes);
    w.put(e.speedLimitMps);
    w.put(e.speedTagged);
    w.put(e.lengthM);
    putPods(w, e.geometry);
    w.put(e.wayId);
    putString(w, e.name);
    w.put(e.inMainComponent);
    w.put(e.twin);
  }
  putPods(w, c.roads.bannedTurns);
  w.put(c.roads.turnRestrictions);
  w.put<std::uint64_t>(c.landUse.size());
  for (const LandUseArea& a : c.landUse) {
    w.put(a.sourceId);
    w.put(a.landUse);
    putPolygon(w, a.polygon);
    w.put(a.box);
    w.put(a.areaM2);
    putString(w, a.name);
  }
  w.put<std::uint64_t>(c.lines.size());
  for (const LineFeature& l : c.lines) {
    w.put(l.sourceId);
    w.put(l.kind);
    putPods(w, l.points);
    putString(w, l.name);
    w.put(l.voltageV);
  }
  putPods(w, c.pois);
  w.put<std::uint64_t>(c.terrain.size());
  for (const TerrainTile& t : c.terrain) {
    putString(w, t.source);
    w.put(t.x0);
    w.put(t.y0);
    w.put(t.cellX);
    w.put(t.cellY);
    w.put(t.cols);
    w.put(t.rows);
    putPods(w, t.z);
  }
  w.put(c.highwayLines);
  w.put<std::uint64_t>(c.problems.size());
  for (const auto& [k, v] : c.problems) {
    putString(w, k);
    w.put(v);
  }
  w.put(c.populationScale);
  w.put(kMagic);  // end marker

  std::error_code ec;
  fs::create_directories(dir, ec);
  const std::string path = cachePath(dir, key);
  const std::string temp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary);
    out.write(reinterpret_cast<const char*>(w.bytes().data()),
              static_cast<std::streamsize>(w.bytes().size()));
    if (!out) {
      fs::remove(temp, ec);
      return core::fail(core::ErrorCode::Io, "cannot write the city cache " + temp);
    }
  }
  fs::rename(temp, path, ec);
  if (ec) {
    fs::remove(temp, ec);
    return core::fail(core::ErrorCode::Io, "cannot write the city cache " + path);
  }
  return {};
}

std::optional<CityModel> loadCityCache(const std::string& dir, const std::string& key) {
  const std::string path = cachePath(dir, key);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  ByteReader r(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  CityModel c;
  auto bad = [&] {
    core::log(core::LogLevel::Debug, "gis", "ignoring unusable city cache " + path);
    return std::nullopt;
  };
  if (r.get<std::uint32_t>() != kMagic || r.get<std::uint32_t>() != kCacheVersion)
    return bad();
  if (getString(r) != key)
    return bad();
  c.crs = getString(r);
  c.originE = r.get<double>();
  c.originN = r.get<double>();
  c.extent = r.get<Box>();
  const auto limit = [&](std::uint64_t n) { return r.ok() && n < (1ull << 32); };
  auto n = r.get<std::uint64_t>();
  if (!limit(n))
    return bad();
  for (std::uint64_t i = 0; i < n; ++i)
    c.sources.push_back(getString(r));
  n = r.get<std::uint64_t>();
  if (!limit(n))
    return bad();
  c.buildings.resize(n);
  for (Building& b : c.buildings) {
    b.sourceId = r.get<std::int64_t>();
    const auto parts = r.get<std::uint64_t>();
    if (!limit(parts))
      return bad();
    b.parts.resize(parts);
    for (Polygon& p : b.parts) {
      if (!getPolygon(r, p))
        return bad();
    }
    b.box = r.get<Box>();
    b.centre = r.get<Vec2>();
    b.groundZ = r.get<double>();
    b.heightM = r.get<double>();
    b.heightSource = r.get<HeightSource>();
    b.roof = r.get<RoofShape>();
    b.use = r.get<UseClass>();
    b.ancillary = r.get<bool>();
    b.floors = r.get<int>();
    b.footprintM2 = r.get<double>();
    b.floorAreaM2 = r.get<double>();
    b.constructionYear = r.get<int>();
    b.residents = r.get<double>();
    b.jobs = r.get<double>();
    b.name = getString(r);
    if (!getPods(r, b.meshVertices) || !getPods(r, b.meshKinds))
      return bad();
  }
  if (!getPods(r, c.roads.nodes))
    return bad();
  n = r.get<std::uint64_t>();
  if (!limit(n))
    return bad();
  c.roads.edges.resize(n);
  for (RoadEdge& e : c.roads.edges) {
    e.from = r.get<std::uint32_t>();
    e.to = r.get<std::uint32_t>();
    e.roadClass = r.get<RoadClass>();
    e.carAllowed = r.get<bool>();
    e.lanes = r.get<int>();
    e.speedLimitMps = r.get<double>();
    e.speedTagged = r.get<bool>();
    e.lengthM = r.get<double>();
    if (!getPods(r, e.geometry))
      return bad();
    e.wayId = r.get<std::int64_t>();
    e.name = getString(r);
    e.inMainComponent = r.get<bool>();
    e.twin = r.get<std::int32_t>();
    if (e.from >= c.roads.nodes.size() || e.to >= c.roads.nodes.size())
      return bad();
  }
  if (!getPods(r, c.roads.bannedTurns))
    return bad();
  c.roads.turnRestrictions = r.get<std::uint64_t>();
  n = r.get<std::uint64_t>();
  if (!limit(n))
    return bad();
  c.landUse.resize(n);
  for (LandUseArea& a : c.landUse) {
    a.sourceId = r.get<std::int64_t>();
    a.landUse = r.get<LandUseClass>();
    if (!getPolygon(r, a.polygon))
      return bad();
    a.box = r.get<Box>();
    a.areaM2 = r.get<double>();
    a.name = getString(r);
  }
  n = r.get<std::uint64_t>();
  if (!limit(n))
    return bad();
  c.lines.resize(n);
  for (LineFeature& l : c.lines) {
    l.sourceId = r.get<std::int64_t>();
    l.kind = r.get<LineKind>();
    if (!getPods(r, l.points))
      return bad();
    l.name = getString(r);
    l.voltageV = r.get<double>();
  }
  if (!getPods(r, c.pois))
    return bad();
  n = r.get<std::uint64_t>();
  if (!limit(n))
    return bad();
  c.terrain.resize(n);
  for (TerrainTile& t : c.terrain) {
    t.source = getString(r);
    t.x0 = r.get<double>();
    t.y0 = r.get<double>();
    t.cellX = r.get<double>();
    t.cellY = r.get<double>();
    t.cols = r.get<int>();
    t.rows = r.get<int>();
    if (!getPods(r, t.z))
      return bad();
    if (t.z.size() != static_cast<std::size_t>(t.cols) * static_cast<std::size_t>(t.rows)) {
      return bad();
    }
  }
  c.highwayLines = r.get<std::uint64_t>();
  n = r.get<std::uint64_t>();
  if (!limit(n))
    return bad();
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string k = getString(r);
    c.problems[k] = r.get<std::uint64_t>();
  }
  c.populationScale = r.get<double>();
  if (r.get<std::uint32_t>() != kMagic || !r.ok() || !r.atEnd())
    return bad();
  detail::indexLandUse(c);
  detail::indexBuildings(c);
  detail::indexRoadGraph(c);
  return c;
}

core::Result<CityModel> buildCityCached(const CityDef& def, const std::string& dir,
                                        bool* fromCache) {
  if (fromCache != nullptr)
    *fromCache = false;
  if (dir.empty())
    return buildCity(def);
  auto key = cityCacheKey(def);
  if (!key)
    return buildCity(def);  // the builder reports the unreadable source properly
  if (auto cached = loadCityCache(dir, *key)) {
    if (fromCache != nullptr)
      *fromCache = true;
    return std::move(*cached);
  }
  auto city = buildCity(def);
  if (!city)
    return city;
  if (core::Status st = saveCityCache(*city, dir, *key); !st) {
    core::log(core::LogLevel::Warning, "gis", st.error().message + "; continuing without a cache");
  }
  return city;
}

}  // namespace twin::gis
