// SPDX-License-Identifier: Apache-2.0
#include "bench_reader.hpp"

#include "emissions.hpp"

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <unordered_map>

namespace twin::traffic {
namespace {

namespace fs = std::filesystem;

// a file in `dir`: name or name.gz, whichever exists
std::string findFile(const std::string& dir, const std::string& name) {
  for (const std::string& candidate : {name + ".gz", name}) {
    const fs::path p = fs::path(dir) / candidate;
    std::error_code ec;
    if (fs::is_regular_file(p, ec))
      return p.string();
  }
  throw BenchError(dir + ": no " + name + " or " + name + ".gz in the network folder");
}

// CSV with a header row and plain or double-quoted fields
class Csv {
 public:
  explicit Csv(std::string path) : path_(std::move(path)), text_(readMaybeGzip(path_)) {
    std::vector<std::string> header;
    if (!next(header))
      throw BenchError(path_ + ":1: the file is empty (expected a header row)");
    header_ = header;
  }
  // the next row; false at the end
  bool next(std::vector<std::string>& fields) {
    fields.clear();
    while (pos_ < text_.size()) {
      ++line_;
      std::size_t end = text_.find('\n', pos_);
      if (end == std::string::npos)
        end = text_.size();
      std::string_view row(text_.data() + pos_, end - pos_);
      pos_ = end + 1;
      if (!row.empty() && row.back() == '\r')
        row.remove_suffix(1);
      if (row.empty())
        continue;
      split(row, fields);
      return true;
    }
    return false;
  }
  std::size_t column(const std::string& name) const {
    auto it = std::find(header_.begin(), header_.end(), name);
    if (it == header_.end())
      throw BenchError(path_ + ":1: no column '" + name + "' in the header");
    return static_cast<std::size_t>(it - header_.begin());
  }
  bool hasColumn(const std::string& name) const {
    return std::find(header_.begin(), header_.end(), name) != header_.end();
  }
  [[noreturn]] void error(const std::string& what) const {
    throw BenchError(path_ + ":" + std::to_string(line_) + ": " + what);
  }
  const std::string& field(const std::vector<std::string>& f, std::size_t col) const {
    if (col >= f.size())
      error("expected " + std::to_string(header_.size()) + " fields, found " +
            std::to_string(f.size()));
    return f[col];
  }
  double number(const std::vector<std::string>& f, std::size_t col) const {
    const std::string& s = field(f, col);
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v))
      error("column '" + header_[col] + "': expected a number, found '" + s + "'");
    return v;
  }
  long integer(const std::vector<std::string>& f, std::size_t col) const {
    const std::string& s = field(f, col);
    long v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size())
      error("column '" + header_[col] + "': expected an integer, found '" + s + "'");
    return v;
  }
  const std::string& path() const { return path_; }

 private:
  static void split(std::string_view row, std::vector<std::string>& out) {
    std::string cur;
    bool quoted = false;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const char ch = row[i];
      if (quoted) {
        if (ch == '"' && i + 1 < row.size() && row[i + 1] == '"') {
          cur += '"';
          ++i;
        } else if (ch == '"') {
          quoted = false;
        } else {
          cur += ch;
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        out.push_back(std::move(cur));
        cur.clear();
      } else {
        cur += ch;
      }
    }
    out.push_back(std::move(cur));
  }
  std::string path_;
  std::string text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 0;
  std::vector<std::string> header_;
};

constexpr int kMaxLanes = 16;  // per edge and direction; more is a malformed file

nlohmann::json readJson(const std::string& path) {
  try {
    return nlohmann::json::parse(readMaybeGzip(path));
  } catch (const nlohmann::json::parse_error& e) {
    throw BenchError(path + ": not valid JSON (byte " + std::to_string(e.byte) + "): " + e.what());
  } catch (const nlohmann::json::exception& e) {
    // e.g. a number too large for a double (found by fuzzing: "777e7777777777")
    throw BenchError(path + ": not valid JSON: " + e.what());
  }
}

template <typename T>
T prop(const nlohmann::json& props, const char* key, const std::string& where) {
  auto it = props.find(key);
  if (it == props.end() || it->is_null())
    throw BenchError(where + ": property '" + key + "' is missing");
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw BenchError(where + ": property '" + key + "' has the wrong type");
  }
}

}  // namespace

std::string readMaybeGzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr)
    throw BenchError(path + ": cannot open the file");
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const int n = gzread(f, buf, sizeof buf);
    if (n < 0) {
      int code = 0;
      const std::string why = gzerror(f, &code);
      gzclose(f);
      throw BenchError(path + ": cannot read the file (" + why + ")");
    }
    if (n == 0)
      break;
    out.append(buf, static_cast<std::size_t>(n));
    // read whole, so limited, counted after decompression (a small .gz can hold gigabytes)
    if (out.size() > kMaxBenchFileBytes) {
      gzclose(f);
      throw BenchError(path + ": holds more than " + std::to_string(kMaxBenchFileBytes >> 20) +
                       " MiB after decompression; benchmark files are read whole and limited "
                       "to that");
    }
  }
  gzclose(f);
  return out;
}

Network readBenchNetwork(const std::string& dir) {
  Network net;
  // nodes
  const std::string nodesPath = findFile(dir, "nodes.geojson");
  const nlohmann::json nodes = readJson(nodesPath);
  std::unordered_map<std::string, std::uint32_t> nodeIndex;
  if (!nodes.contains("features") || !nodes["features"].is_array())
    throw BenchError(nodesPath + ": not a GeoJSON FeatureCollection (no 'features' array)");
  for (std::size_t i = 0; i < nodes["features"].size(); ++i) {
    const auto& f = nodes["features"][i];
    const std::string where = nodesPath + ": feature " + std::to_string(i);
    Node n;
    try {
      const auto& props = f.at("properties");
      n.id = prop<std::string>(props, "id", where);
      n.type = props.value("type", std::string("priority"));
      const auto& c = f.at("geometry").at("coordinates");
      n.x = c.at(0).get<double>();
      n.y = c.at(1).get<double>();
    } catch (const nlohmann::json::exception& e) {
      // a member missing or of the wrong type (found by fuzzing: it escaped as a JSON error)
      throw BenchError(where + ": not a GeoJSON Point feature with properties (" + e.what() + ")");
    }
    nodeIndex.emplace(n.id, static_cast<std::uint32_t>(net.nodes.size()));
    net.nodes.push_back(std::move(n));
  }
  // edges
  const std::string edgesPath = findFile(dir, "edges.geojson");
  const nlohmann::json edges = readJson(edgesPath);
  if (!edges.contains("features") || !edges["features"].is_array())
    throw BenchError(edgesPath + ": not a GeoJSON FeatureCollection (no 'features' array)");
  std::vector<std::vector<bool>> allows;
  for (std::size_t i = 0; i < edges["features"].size(); ++i) {
    const auto& f = edges["features"][i];
    const std::string where = edgesPath + ": feature " + std::to_string(i);
    if (!f.is_object() || !f.contains("properties") || !f["properties"].is_object())
      throw BenchError(where + ": not a GeoJSON feature with properties");
    const auto& props = f["properties"];
    Edge e;
    e.id = prop<std::string>(props, "id", where);
    const std::string from = prop<std::string>(props, "from", where);
    const std::string to = prop<std::string>(props, "to", where);
    auto fi = nodeIndex.find(from), ti = nodeIndex.find(to);
    if (fi == nodeIndex.end() || ti == nodeIndex.end())
      throw BenchError(where + " (edge " + e.id + "): unknown junction '" +
                       (fi == nodeIndex.end() ? from : to) + "'");
    e.from = fi->second;
    e.to = ti->second;
    e.length = prop<double>(props, "length", where);
    e.speed = prop<double>(props, "speed", where);
    // lanes and priority read as numbers and checked: a double outside int's range must not
    // reach a cast (undefined behaviour)
    const double lanes = prop<double>(props, "lanes", where);
    if (!(e.length > 0) || !(e.speed > 0) || !std::isfinite(e.length) || !std::isfinite(e.speed))
      throw BenchError(where + " (edge " + e.id + "): length and speed must be positive");
    if (!(lanes >= 1 && lanes <= kMaxLanes && lanes == std::floor(lanes)))
      throw BenchError(where + " (edge " + e.id + "): lanes must be a whole number 1.." +
                       std::to_string(kMaxLanes));
    e.laneCount = static_cast<std::uint32_t>(lanes);
    std::vector<bool> allow(e.laneCount, true);
    try {
      const double priority = props.value("priority", 0.0);
      if (!(std::abs(priority) <= 1000 && priority == std::floor(priority)))
        throw BenchError(where + " (edge " + e.id + "): priority must be a whole number");
      e.priority = static_cast<int>(priority);
      for (const auto& pt : f.at("geometry").at("coordinates"))
        e.shape.push_back({pt.at(0).get<double>(), pt.at(1).get<double>()});
      if (auto it = props.find("lane_allows_car"); it != props.end() && it->is_array()) {
        for (std::size_t k = 0; k < allow.size() && k < it->size(); ++k)
          allow[k] = (*it)[k].get<bool>();
      }
    } catch (const nlohmann::json::exception& ex) {
      throw BenchError(where + " (edge " + e.id +
                       "): not a GeoJSON LineString feature of the format (" + ex.what() + ")");
    }
    allows.push_back(std::move(allow));
    if (!net.edgeIndex.emplace(e.id, static_cast<std::uint32_t>(net.edges.size())).second)
      throw BenchError(where + ": edge id '" + e.id + "' appears twice");
    net.edges.push_back(std::move(e));
  }
  // signal programs
  std::unordered_map<std::string, std::int32_t> signalIndex;
  {
    Csv csv(findFile(dir, "tls.csv"));
    const std::size_t cTl = csv.column("tl"), cOff = csv.column("offset_s"),
                      cDur = csv.column("duration_s"), cState = csv.column("state");
    const std::size_t cProg = csv.hasColumn("program") ? csv.column("program") : SIZE_MAX;
    std::vector<std::string> f;
    std::unordered_map<std::string, std::string> firstProgram;
    while (csv.next(f)) {
      const std::string& tl = csv.field(f, cTl);
      if (cProg != SIZE_MAX) {
        // only the first program of a signal runs (the files hold one: static)
        auto [it, fresh] = firstProgram.emplace(tl, csv.field(f, cProg));
        if (!fresh && it->second != csv.field(f, cProg))
          continue;
      }
      auto [it, fresh] = signalIndex.emplace(tl, static_cast<std::int32_t>(net.signals.size()));
      if (fresh) {
        SignalProgram p;
        p.id = tl;
        p.offset = csv.number(f, cOff);
        net.signals.push_back(p);
      }
      SignalProgram& p = net.signals[static_cast<std::size_t>(it->second)];
      const double d = csv.number(f, cDur);
      if (!(d > 0))
        csv.error("duration_s must be positive");
      const std::string& state = csv.field(f, cState);
      if (!p.states.empty() && state.size() != p.states.front().size())
        csv.error("signal " + tl + ": phase state has " + std::to_string(state.size()) +
                  " links, the first phase " + std::to_string(p.states.front().size()));
      p.durations.push_back(d);
      p.states.push_back(state);
      p.cycle += d;
    }
  }
  // connections
  std::vector<ConnectionInput> conns;
  {
    Csv csv(findFile(dir, "connections.csv"));
    const std::size_t cFe = csv.column("from_edge"), cFl = csv.column("from_lane"),
                      cTe = csv.column("to_edge"), cTl = csv.column("to_lane"),
                      cNode = csv.column("via_node"), cDir = csv.column("direction"),
                      cState = csv.column("state"), cTls = csv.column("tl"),
                      cIdx = csv.column("tl_link_index"), cVia = csv.column("via_length_m");
    std::vector<std::string> f;
    while (csv.next(f)) {
      ConnectionInput c{};
      c.fromEdge = net.findEdge(csv.field(f, cFe));
      c.toEdge = net.findEdge(csv.field(f, cTe));
      if (c.fromEdge == kNone || c.toEdge == kNone)
        csv.error("unknown edge '" + (c.fromEdge == kNone ? f[cFe] : f[cTe]) + "'");
      const long fl = csv.integer(f, cFl), tlane = csv.integer(f, cTl);
      if (fl < 0 || tlane < 0 ||
          static_cast<std::uint32_t>(fl) >= net.edges[c.fromEdge].laneCount ||
          static_cast<std::uint32_t>(tlane) >= net.edges[c.toEdge].laneCount)
        csv.error("lane index out of range");
      c.fromLane = static_cast<std::uint32_t>(fl);
      c.toLane = static_cast<std::uint32_t>(tlane);
      auto n = nodeIndex.find(csv.field(f, cNode));
      if (n == nodeIndex.end())
        csv.error("unknown junction '" + f[cNode] + "'");
      c.node = n->second;
      const std::string& d = csv.field(f, cDir);
      const std::string& s = csv.field(f, cState);
      c.direction = d.empty() ? 's' : d[0];
      c.state = s.empty() ? 'M' : s[0];
      c.signal = -1;
      c.linkIndex = -1;
      const std::string& tl = csv.field(f, cTls);
      if (!tl.empty()) {
        auto it = signalIndex.find(tl);
        if (it == signalIndex.end())
          csv.error("signal '" + tl + "' has no program in tls.csv");
        c.signal = it->second;
        const long idx = csv.integer(f, cIdx);
        const auto& states = net.signals[static_cast<std::size_t>(it->second)].states;
        if (idx < 0 || states.empty() || static_cast<std::size_t>(idx) >= states.front().size())
          csv.error("tl_link_index " + std::to_string(idx) + " is outside signal " + tl +
                    "'s state strings");
        c.linkIndex = static_cast<std::int32_t>(idx);
      }
      c.via = csv.number(f, cVia);
      conns.push_back(c);
    }
  }
  finishNetwork(net, conns, allows);
  return net;
}

std::vector<VehicleType> readBenchVTypes(const std::string& file, const std::string& variant) {
  Csv csv(file);
  const std::size_t cSrc = csv.column("source"), cId = csv.column("id");
  std::vector<std::string> f;
  std::vector<VehicleType> out;
  auto opt = [&](const std::vector<std::string>& row, const char* name, double fallback) {
    if (!csv.hasColumn(name))
      return fallback;
    const std::size_t c = csv.column(name);
    if (csv.field(row, c).empty())
      return fallback;
    return csv.number(row, c);
  };
  while (csv.next(f)) {
    const std::string& src = csv.field(f, cSrc);
    if (src.rfind(variant + ".", 0) != 0 && src != variant)
      continue;
    VehicleType t;
    t.id = csv.field(f, cId);
    t.idm.accel = opt(f, "accel", 2.6);
    t.idm.decel = opt(f, "decel", 4.5);
    t.idm.emergencyDecel = opt(f, "emergencyDecel", 9.0);
    t.idm.tau = opt(f, "tau", 1.0);
    t.idm.minGap = opt(f, "minGap", 2.5);
    t.idm.length = opt(f, "length", 5.0);
    t.idm.delta = opt(f, "delta", 4.0);
    t.maxSpeed = opt(f, "maxSpeed", 55.55);
    t.speedFactorMean = opt(f, "speedFactor", 1.0);
    t.speedFactorDev = opt(f, "speedDev", 0.1);
    if (csv.hasColumn("vClass")) {
      // SUMO's vehicle classes: which kind of vehicle (emission class, trucks for other models)
      const std::string& vc = csv.field(f, csv.column("vClass"));
      if (vc.empty() || vc == "passenger" || vc == "private" || vc == "taxi" || vc == "evehicle")
        t.cls = VehicleClass::Car;
      else if (vc == "delivery")
        t.cls = VehicleClass::Van;
      else if (vc == "truck" || vc == "trailer")
        t.cls = VehicleClass::Truck;
      else if (vc == "bus" || vc == "coach")
        t.cls = VehicleClass::Bus;
      else
        csv.error("vehicle type " + t.id + ": vClass '" + vc +
                  "' is not one citytwin drives (passenger, delivery, truck, trailer, bus, coach)");
    }
    if (csv.hasColumn("emissionClass")) {
      // SUMO's vType attribute, e.g. HBEFA3/PC_G_EU4; empty: the vehicle class's default
      const std::string& ec = csv.field(f, csv.column("emissionClass"));
      if (!ec.empty()) {
        t.emissionClass = findEmissionClass(ec);
        if (t.emissionClass < 0)
          csv.error("vehicle type " + t.id + ": unknown emission class '" + ec +
                    "' (known: HBEFA3 classes such as HBEFA3/PC_G_EU4, HBEFA3/HDV_D_EU6, zero)");
      }
    }
    if (!(t.idm.accel > 0) || !(t.idm.decel > 0) || !(t.idm.length > 0) || t.idm.tau < 0)
      csv.error("vehicle type " + t.id + ": accel, decel and length must be positive");
    out.push_back(t);
  }
  if (out.empty())
    throw BenchError(file + ": no vehicle type of variant '" + variant + "'");
  return out;
}

Demand readBenchDemand(const std::string& file, const Network& net,
                       const std::vector<VehicleType>& vtypes, bool givenRoutes) {
  Csv csv(file);
  const std::size_t cId = csv.column("id"), cDep = csv.column("depart_s"),
                    cFrom = csv.column("from_edge"), cTo = csv.column("to_edge"),
                    cType = csv.column("vtype");
  const std::size_t cRoute = givenRoutes ? csv.column("route_edges") : SIZE_MAX;
  Demand d;
  std::vector<std::string> f;
  while (csv.next(f)) {
    Trip t;
    t.id = csv.field(f, cId);
    t.depart = csv.number(f, cDep);
    if (t.depart < 0)
      csv.error("depart_s must not be negative");
    const std::string& type = csv.field(f, cType);
    auto vt = std::find_if(vtypes.begin(), vtypes.end(),
                           [&](const VehicleType& v) { return v.id == type; });
    if (vt == vtypes.end())
      csv.error("unknown vehicle type '" + type + "'");
    t.vtype = static_cast<std::uint32_t>(vt - vtypes.begin());
    t.routeBegin = static_cast<std::uint32_t>(d.routeEdges.size());
    if (givenRoutes) {
      const std::string& r = csv.field(f, cRoute);
      std::size_t p = 0;
      while (p < r.size()) {
        std::size_t q = r.find(' ', p);
        if (q == std::string::npos)
          q = r.size();
        if (q > p) {
          const std::string id = r.substr(p, q - p);
          const std::uint32_t e = net.findEdge(id);
          if (e == kNone)
            csv.error("trip " + t.id + ": unknown edge '" + id + "' in route_edges");
          if (d.routeEdges.size() > t.routeBegin && !net.edgeConnects(d.routeEdges.back(), e))
            csv.error("trip " + t.id + ": edge " + net.edges[d.routeEdges.back()].id +
                      " has no connection to " + id);
          d.routeEdges.push_back(e);
        }
        p = q + 1;
      }
      if (d.routeEdges.size() == t.routeBegin)
        csv.error("trip " + t.id + ": empty route_edges");
      if (net.edges[d.routeEdges[t.routeBegin]].id != csv.field(f, cFrom) ||
          net.edges[d.routeEdges.back()].id != csv.field(f, cTo))
        csv.error("trip " + t.id + ": route_edges does not run from from_edge to to_edge");
    } else {
      for (std::size_t c : {cFrom, cTo}) {
        const std::uint32_t e = net.findEdge(csv.field(f, c));
        if (e == kNone)
          csv.error("trip " + t.id + ": unknown edge '" + f[c] + "'");
        d.routeEdges.push_back(e);
      }
    }
    t.routeEnd = static_cast<std::uint32_t>(d.routeEdges.size());
    d.trips.push_back(std::move(t));
  }
  std::stable_sort(d.trips.begin(), d.trips.end(),
                   [](const Trip& a, const Trip& b) { return a.depart < b.depart; });
  return d;
}

}  // namespace twin::traffic
