// SPDX-License-Identifier: Apache-2.0
#include "city_demand.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "twin/plugin.hpp"

namespace twin::traffic {

namespace {

constexpr std::array<const char*, static_cast<std::size_t>(TimeColumn::Count)> kColumnNames{
    "arrival_hbw",  "duration_hbw", "arrival_hbe",  "duration_hbe", "arrival_hbs",
    "duration_hbs", "arrival_hbo",  "duration_hbo", "arrival_nhbw"};

std::vector<std::string> splitCsv(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    std::string cell = line.substr(start, comma == std::string::npos ? comma : comma - start);
    while (!cell.empty() && (cell.back() == '\r' || cell.back() == ' '))
      cell.pop_back();
    while (!cell.empty() && cell.front() == ' ')
      cell.erase(cell.begin());
    out.push_back(std::move(cell));
    if (comma == std::string::npos)
      return out;
    start = comma + 1;
  }
}

// Mean distance between two points drawn uniformly in a unit square (Ghosh 1951): the
// distance of trips that start and end in the same zone, per zone side.
constexpr double kSameZoneDistance = 0.5214;

}  // namespace

double TimeOfDay::sample(TimeColumn c, double u1, double u2) const {
  const auto& cum = cumulative[static_cast<std::size_t>(c)];
  const auto it = std::upper_bound(cum.begin(), cum.end(), u1);
  const std::size_t k =
      std::min<std::size_t>(static_cast<std::size_t>(it - cum.begin()), cum.size() - 1);
  return binStartS[k] + u2 * (binStartS[k + 1] - binStartS[k]);
}

double TimeOfDay::share(TimeColumn c, double fromS, double toS) const {
  const auto& cum = cumulative[static_cast<std::size_t>(c)];
  double s = 0;
  for (std::size_t k = 0; k < cum.size(); ++k) {
    if (binStartS[k] >= fromS - 1e-9 && binStartS[k + 1] <= toS + 1e-9)
      s += cum[k] - (k > 0 ? cum[k - 1] : 0.0);
  }
  return s;
}

TimeOfDay readTimeOfDay(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(path + ": cannot open the time-of-day table");
  std::string line;
  if (!std::getline(in, line))
    throw std::runtime_error(path + ":1: empty file, expected a header line");
  const std::vector<std::string> header = splitCsv(line);
  auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end())
      throw std::runtime_error(path + ":1: missing column '" + name + "'");
    return static_cast<std::size_t>(it - header.begin());
  };
  const std::size_t fromCol = column("minute_from"), toCol = column("minute_to");
  std::array<std::size_t, kColumnNames.size()> cols{};
  for (std::size_t i = 0; i < cols.size(); ++i)
    cols[i] = column(kColumnNames[i]);
  TimeOfDay t;
  std::array<std::vector<double>, kColumnNames.size()> shares;
  double lastTo = 0;
  for (std::size_t lineNo = 2; std::getline(in, line); ++lineNo) {
    if (line.empty() || line == "\r")
      continue;
    const std::vector<std::string> cells = splitCsv(line);
    const std::string where = path + ":" + std::to_string(lineNo) + ": ";
    auto number = [&](std::size_t col) {
      if (col >= cells.size())
        throw std::runtime_error(where + "column '" + header[col] + "' is missing");
      const char* s = cells[col].c_str();
      char* end = nullptr;
      const double v = std::strtod(s, &end);
      if (cells[col].empty() || end != s + cells[col].size() || !std::isfinite(v))
        throw std::runtime_error(where + "column '" + header[col] +
                                 "': expected a number, found '" + cells[col] + "'");
      return v;
    };
    const double from = number(fromCol), to = number(toCol);
    if (from != lastTo || !(to > from))
      throw std::runtime_error(where + "the bin " + cells[fromCol] + " to " + cells[toCol] +
                               " does not follow on from minute " + std::to_string(lastTo) +
                               " (bins must be consecutive and ascending)");
    if (t.binStartS.empty())
      t.binStartS.push_back(from * 60.0);
    t.binStartS.push_back(to * 60.0);
    lastTo = to;
    for (std::size_t i = 0; i < cols.size(); ++i) {
      const double v = number(cols[i]);
      if (v < 0)
        throw std::runtime_error(where + "column '" + kColumnNames[i] +
                                 "': a share must not be negative, found " + cells[cols[i]]);
      shares[i].push_back(v);
    }
  }
  if (t.binStartS.empty())
    throw std::runtime_error(path + ": no bins, expected one line per time bin");
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const double total = std::accumulate(shares[i].begin(), shares[i].end(), 0.0);
    if (!(total > 0))
      throw std::runtime_error(path + ": column '" + kColumnNames[i] + "' has no share > 0");
    double run = 0;
    for (double v : shares[i]) {
      run += v / total;
      t.cumulative[i].push_back(run);
    }
    t.cumulative[i].back() = 1.0;
  }
  return t;
}

namespace {

// Nearest car road to a point: a uniform grid over the roads' segments.
class RoadIndex {
 public:
  RoadIndex(const TwinCityInfo& city, const Network& net, double cell) : cell_(cell) {
    minX_ = city.min_x;
    minY_ = city.min_y;
    nx_ = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(std::ceil((city.max_x - city.min_x) / cell)));
    ny_ = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(std::ceil((city.max_y - city.min_y) / cell)));
    cells_.assign(static_cast<std::size_t>(nx_ * ny_), {});
    for (std::uint32_t e = 0; e < net.edges.size(); ++e) {
      const Edge& edge = net.edges[e];
      bool car = false;
      for (std::uint32_t l = edge.firstLane; l < edge.firstLane + edge.laneCount; ++l)
        car = car || net.lanes[l].allowsCar;
      if (!car || edge.shape.size() < 2 || !edge.mainComponent)
        continue;
      // no house is reached from a motorway or a trunk road
      if (edge.cityLink != kNone && edge.cityLink < city.road_link_count &&
          city.road_links[edge.cityLink].road_class <= 1)
        continue;
      for (std::size_t i = 1; i < edge.shape.size(); ++i) {
        const auto& a = edge.shape[i - 1];
        const auto& b = edge.shape[i];
        const auto seg = static_cast<std::uint32_t>(segs_.size());
        segs_.push_back({e, a[0], a[1], b[0], b[1]});
        const std::int64_t x0 = cx(std::min(a[0], b[0])), x1 = cx(std::max(a[0], b[0]));
        const std::int64_t y0 = cy(std::min(a[1], b[1])), y1 = cy(std::max(a[1], b[1]));
        for (std::int64_t y = y0; y <= y1; ++y) {
          for (std::int64_t x = x0; x <= x1; ++x)
            cells_[static_cast<std::size_t>(y * nx_ + x)].push_back(seg);
        }
      }
    }
  }
  bool empty() const { return segs_.empty(); }
  // the nearest road edge and its distance; the lowest edge index wins a tie
  std::pair<std::uint32_t, double> nearest(double x, double y) const {
    std::uint32_t best = kNone;
    double bestD = std::numeric_limits<double>::infinity();
    const std::int64_t px = cx(x), py = cy(y);
    const std::int64_t maxR = std::max(nx_, ny_);
    for (std::int64_t r = 0; r <= maxR; ++r) {
      for (std::int64_t yy = py - r; yy <= py + r; ++yy) {
        for (std::int64_t xx = px - r; xx <= px + r; ++xx) {
          if (std::max(std::abs(xx - px), std::abs(yy - py)) != r || xx < 0 || yy < 0 ||
              xx >= nx_ || yy >= ny_)
            continue;
          for (std::uint32_t s : cells_[static_cast<std::size_t>(yy * nx_ + xx)]) {
            const Seg& g = segs_[s];
            const double dx = g.bx - g.ax, dy = g.by - g.ay;
            const double len2 = dx * dx + dy * dy;
            const double f =
                len2 > 0 ? std::clamp(((x - g.ax) * dx + (y - g.ay) * dy) / len2, 0.0, 1.0) : 0.0;
            const double d = std::hypot(g.ax + f * dx - x, g.ay + f * dy - y);
            if (d < bestD || (d == bestD && g.edge < best)) {
              bestD = d;
              best = g.edge;
            }
          }
        }
      }
      // every cell of the next ring is at least r cells away
      if (best != kNone && bestD <= static_cast<double>(r) * cell_)
        break;
    }
    return {best, bestD};
  }

 private:
  struct Seg {
    std::uint32_t edge;
    double ax, ay, bx, by;
  };
  std::int64_t cx(double x) const {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((x - minX_) / cell_)), 0,
                                    nx_ - 1);
  }
  std::int64_t cy(double y) const {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((y - minY_) / cell_)), 0,
                                    ny_ - 1);
  }
  double cell_, minX_ = 0, minY_ = 0;
  std::int64_t nx_ = 1, ny_ = 1;
  std::vector<Seg> segs_;
  std::vector<std::vector<std::uint32_t>> cells_;
};

// What draws a trip to a building, by purpose (jobs stand for the places of work, shops,
// schools, services; residents for the homes visited).
double attraction(const TwinBuilding& b, Purpose p) {
  const int use = b.use_class;
  switch (p) {
    case Purpose::Work:
    case Purpose::Business:
      return b.jobs;
    case Purpose::Education:
      return use == TWIN_USE_EDUCATION ? b.jobs : 0.0;
    case Purpose::Shopping:
      return use == TWIN_USE_COMMERCIAL ? b.jobs : 0.0;
    case Purpose::Errands:
      return use == TWIN_USE_COMMERCIAL || use == TWIN_USE_OFFICE || use == TWIN_USE_PUBLIC ||
                     use == TWIN_USE_HEALTH
                 ? b.jobs
                 : 0.0;
    case Purpose::Leisure:
    case Purpose::Escort:
    case Purpose::Count:
      break;
  }
  return b.residents + b.jobs;
}

struct Planned {
  std::uint32_t from, to;
  double time;    // arrival (arriveBy) or departure
  bool arriveBy;  // the trip out of a tour and business trips: time is the arrival
  std::uint8_t purpose;
  std::uint32_t building, tour;  // commuters coming in: the gate's node for the building
  // 'o' out, 'b' back, 't' business trip; work beyond the network: 'a' away, 'h' home;
  // commuters coming in: 'i' in, 'x' out again; through traffic: 'p' (pass)
  char leg;
  std::uint32_t toGate = kNone;  // through traffic: the gate's node it leaves by
};

// a whole count whose mean is `expected`: its integer part, plus one with the probability of
// its fraction, drawn from the stream (seed, stream, entity)
std::size_t roundedCount(double expected, std::uint64_t seed, std::string_view stream,
                         std::uint64_t entity) {
  sdk::EntityRandom rng(seed, stream, entity);
  const double whole = std::floor(expected);
  return static_cast<std::size_t>(whole) + (rng.uniform() < expected - whole ? 1u : 0u);
}

// an index drawn from a running weight (the last one is the total)
std::size_t drawCumulative(const std::vector<double>& cumulative, double u) {
  const double total = cumulative.back();
  return std::min<std::size_t>(
      static_cast<std::size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), u * total) -
                               cumulative.begin()),
      cumulative.size() - 1);
}

}  // namespace

std::vector<Gate> fringeGates(const Network& net, double fringeM) {
  const std::size_t nn = net.nodes.size();
  if (nn == 0)
    return {};
  double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
  for (const Node& n : net.nodes) {
    x0 = std::min(x0, n.x);
    y0 = std::min(y0, n.y);
    x1 = std::max(x1, n.x);
    y1 = std::max(y1, n.y);
  }
  // per node: its one neighbour (kNone: none yet, kNone - 1: more than one), edges in and out
  std::vector<std::uint32_t> neighbour(nn, kNone), in(nn, kNone), out(nn, kNone);
  auto carEdge = [&](const Edge& e) {
    return e.laneCount > 0 && e.from != e.to && net.lanes[e.firstLane].allowsCar;
  };
  for (std::uint32_t k = 0; k < net.edges.size(); ++k) {
    const Edge& e = net.edges[k];
    if (!carEdge(e))
      continue;
    for (const auto& [self, other] : {std::pair{e.from, e.to}, std::pair{e.to, e.from}}) {
      if (neighbour[self] == kNone)
        neighbour[self] = other;
      else if (neighbour[self] != other)
        neighbour[self] = kNone - 1;
    }
    out[e.from] = k;
    in[e.to] = k;
  }
  std::vector<Gate> gates;
  for (std::uint32_t n = 0; n < nn; ++n) {
    const Node& node = net.nodes[n];
    if (neighbour[n] >= kNone - 1 || in[n] == kNone || out[n] == kNone)
      continue;  // not a dead end, or one way only
    const double toEdge = std::min({node.x - x0, x1 - node.x, node.y - y0, y1 - node.y});
    const Edge& enter = net.edges[out[n]];  // leaves the dead end: into the network
    const Edge& leave = net.edges[in[n]];
    // road classes 0 (motorway) to 4 (tertiary): priority is minus the class
    if (toEdge > fringeM || enter.priority < -4 || leave.priority < -4 || !enter.mainComponent ||
        !leave.mainComponent)
      continue;
    gates.push_back({n, out[n], in[n], static_cast<double>(enter.laneCount)});
  }
  return gates;
}

Demand cityDemand(const TwinCityInfo& city, const Network& net, const Router& router,
                  const TimeOfDay& timeOfDay, const CityDemandOptions& options, std::uint64_t seed,
                  const ParallelFor& parallel, CityDemandStats* statsOut) {
  if (!(options.scale > 0) || !(options.carDriverShare >= 0 && options.carDriverShare <= 1))
    throw std::runtime_error("the daily demand needs a scale > 0 and a car-driver share in 0..1");
  const std::size_t nb = city.building_count;
  CityDemandStats stats;
  RoadIndex roads(city, net, 200.0);
  if (roads.empty())
    throw std::runtime_error("the daily demand needs roads: the network has no car road");
  // 1. the road each building is reached from (within 300 m)
  constexpr double kMaxAccessM = 300.0;
  std::vector<std::uint32_t> access(nb, kNone);
  parallel(nb, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const TwinBuilding& b = city.buildings[i];
      if (!(b.residents > 0 || b.jobs > 0))
        continue;
      const auto [edge, d] = roads.nearest(b.x, b.y);
      if (d <= kMaxAccessM)
        access[i] = edge;
    }
  });
  for (std::size_t i = 0; i < nb; ++i) {
    const TwinBuilding& b = city.buildings[i];
    if (access[i] == kNone && (b.residents > 0 || b.jobs > 0))
      ++stats.buildingsWithoutRoad;
    if (access[i] != kNone) {
      stats.residents += b.residents;
      stats.jobs += b.jobs;
    }
  }

  // 2. zones and their attraction; the zone grows on a large city (at most ~2,500 zones)
  const double w = std::max(1.0, city.max_x - city.min_x),
               h = std::max(1.0, city.max_y - city.min_y);
  const double zoneM = std::max(options.zoneM, std::sqrt(w * h / 2500.0));
  const auto zx = static_cast<std::size_t>(std::ceil(w / zoneM));
  const auto zy = static_cast<std::size_t>(std::ceil(h / zoneM));
  const std::size_t nz = zx * zy;
  auto zoneOf = [&](const TwinBuilding& b) {
    const auto x =
        std::min(zx - 1, static_cast<std::size_t>(std::max(0.0, (b.x - city.min_x) / zoneM)));
    const auto y =
        std::min(zy - 1, static_cast<std::size_t>(std::max(0.0, (b.y - city.min_y) / zoneM)));
    return y * zx + x;
  };
  // per purpose: the buildings of each zone with their running attraction (CSR by zone)
  struct ZoneTable {
    std::vector<std::size_t> start;  // nz + 1
    std::vector<std::uint32_t> building;
    std::vector<double> cumulative;  // within the zone
    std::vector<double> total;       // per zone
  };
  std::array<ZoneTable, kPurposes> zones;
  std::vector<std::size_t> zoneOfBuilding(nb, 0);
  for (std::size_t i = 0; i < nb; ++i)
    zoneOfBuilding[i] = zoneOf(city.buildings[i]);
  for (std::size_t p = 0; p < kPurposes; ++p) {
    ZoneTable& zt = zones[p];
    auto attr = [&](std::size_t i) {
      return access[i] == kNone ? 0.0 : attraction(city.buildings[i], static_cast<Purpose>(p));
    };
    double all = 0;
    for (std::size_t i = 0; i < nb; ++i)
      all += attr(i);
    // a city without shops or schools: their trips go wherever there are jobs, then homes
    auto fallback = [&](std::size_t i) {
      if (access[i] == kNone)
        return 0.0;
      const TwinBuilding& b = city.buildings[i];
      return stats.jobs > 0 ? b.jobs : b.residents;
    };
    std::vector<std::vector<std::uint32_t>> members(nz);
    std::vector<double> value(nb, 0.0);
    for (std::size_t i = 0; i < nb; ++i) {
      value[i] = all > 0 ? attr(i) : fallback(i);
      if (value[i] > 0)
        members[zoneOfBuilding[i]].push_back(static_cast<std::uint32_t>(i));
    }
    zt.start.assign(nz + 1, 0);
    zt.total.assign(nz, 0.0);
    for (std::size_t z = 0; z < nz; ++z) {
      zt.start[z] = zt.building.size();
      double run = 0;
      for (std::uint32_t i : members[z]) {
        run += value[i];
        zt.building.push_back(i);
        zt.cumulative.push_back(run);
      }
      zt.total[z] = run;
    }
    zt.start[nz] = zt.building.size();
  }
  // gravity: per purpose and origin zone, the running weight of the destination zones
  std::array<std::vector<double>, kPurposes> gravity;
  for (auto& g : gravity)
    g.assign(nz * nz, 0.0);
  parallel(nz, [&](std::size_t begin, std::size_t end) {
    for (std::size_t o = begin; o < end; ++o) {
      const double ox = (static_cast<double>(o % zx) + 0.5) * zoneM;
      const double oy = (static_cast<double>(o / zx) + 0.5) * zoneM;
      for (std::size_t p = 0; p < kPurposes; ++p) {
        const double beta = std::log(2.0) / (kMid2017[p].medianKm * 1000.0);
        double run = 0;
        for (std::size_t d = 0; d < nz; ++d) {
          const double dx = (static_cast<double>(d % zx) + 0.5) * zoneM - ox;
          const double dy = (static_cast<double>(d / zx) + 0.5) * zoneM - oy;
          const double dist = d == o ? kSameZoneDistance * zoneM : std::hypot(dx, dy);
          run += zones[p].total[d] * std::exp(-beta * dist);
          gravity[p][o * nz + d] = run;
        }
      }
    }
  });
  auto drawDestination = [&](std::size_t originZone, std::size_t p, sdk::EntityRandom& rng) {
    const double* row = gravity[p].data() + originZone * nz;
    const double total = row[nz - 1];
    if (!(total > 0))
      return kNone;
    const std::size_t z = std::min<std::size_t>(
        static_cast<std::size_t>(std::upper_bound(row, row + nz, rng.uniform() * total) - row),
        nz - 1);
    const ZoneTable& zt = zones[p];
    const auto first = zt.cumulative.begin() + static_cast<std::ptrdiff_t>(zt.start[z]);
    const auto last = zt.cumulative.begin() + static_cast<std::ptrdiff_t>(zt.start[z + 1]);
    if (first == last)
      return kNone;
    const double u = rng.uniform() * zt.total[z];
    const auto it = std::min(std::upper_bound(first, last, u), last - 1);
    return zt.building[static_cast<std::size_t>(it - zt.cumulative.begin())];
  };
  // business trips start at a workplace: all buildings by their jobs
  std::vector<double> jobsCumulative(nb, 0.0);
  {
    double run = 0;
    for (std::size_t i = 0; i < nb; ++i) {
      if (access[i] != kNone)
        run += city.buildings[i].jobs;
      jobsCumulative[i] = run;
    }
  }

  // commuting across the fringe: its gates by their lanes
  const std::vector<Gate> gates = options.outCommuterShare > 0 || options.inPerOutCommuter > 0
                                      ? fringeGates(net)
                                      : std::vector<Gate>{};
  stats.gates = gates.size();
  std::vector<double> gateCumulative;
  for (const Gate& g : gates)
    gateCumulative.push_back((gateCumulative.empty() ? 0.0 : gateCumulative.back()) + g.weight);

  // 3. tours and trips per building, each tour from its own random stream
  double tripsAll = 0;
  for (const PurposeFigures& f : kMid2017)
    tripsAll += f.tripsPerDayM;
  std::vector<std::vector<Planned>> perBuilding(nb);
  std::vector<std::size_t> sameRoad(nb, 0), away(nb, 0);
  parallel(nb, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const TwinBuilding& b = city.buildings[i];
      if (access[i] == kNone || !(b.residents > 0))
        continue;
      auto& out = perBuilding[i];
      for (std::size_t p = 0; p < kPurposes; ++p) {
        const PurposeFigures& f = kMid2017[p];
        // car-driver trips of this purpose a day; a tour is two of them
        const double trips = b.residents * kMidTripsPerPersonDay * f.tripsPerDayM / tripsAll *
                             options.carDriverShare * options.scale;
        const double expected = f.tour ? trips / 2.0 : trips;
        const auto n = static_cast<std::uint32_t>(roundedCount(
            expected, seed, "traffic.demand.count", static_cast<std::uint64_t>(i) * kPurposes + p));
        const std::string stream = std::string("traffic.demand.") + f.name;
        for (std::uint32_t k = 0; k < n; ++k) {
          sdk::EntityRandom rng(seed, stream, (static_cast<std::uint64_t>(i) << 32) | k);
          std::size_t origin = i;
          if (!f.tour) {
            const double total = jobsCumulative.empty() ? 0.0 : jobsCumulative.back();
            if (!(total > 0))
              break;
            origin = drawCumulative(jobsCumulative, rng.uniform());
          }
          const auto pu = static_cast<std::uint8_t>(p);
          if (static_cast<Purpose>(p) == Purpose::Work && !gates.empty()) {
            // work beyond the network: out and home again through a gate (the arrival drawn is
            // the one at the gate), from a stream of its own
            sdk::EntityRandom awayRng(seed, "traffic.demand.away",
                                      (static_cast<std::uint64_t>(i) << 32) | k);
            if (awayRng.uniform() < options.outCommuterShare) {
              const Gate& g = gates[drawCumulative(gateCumulative, awayRng.uniform())];
              const double arrival =
                  timeOfDay.sample(f.arrival, awayRng.uniform(), awayRng.uniform());
              const double stay =
                  timeOfDay.sample(f.duration, awayRng.uniform(), awayRng.uniform());
              out.push_back(
                  {access[i], g.out, arrival, true, pu, static_cast<std::uint32_t>(i), k, 'a'});
              out.push_back({g.in, access[i], arrival + stay, false, pu,
                             static_cast<std::uint32_t>(i), k, 'h'});
              ++away[i];
              continue;
            }
          }
          std::uint32_t dest = kNone;
          for (int attempt = 0; attempt < 8; ++attempt) {
            dest = drawDestination(zoneOfBuilding[origin], p, rng);
            if (dest != kNone && access[dest] != access[origin])
              break;
          }
          if (dest == kNone || access[dest] == access[origin]) {
            ++sameRoad[i];
            continue;
          }
          const double arrival = timeOfDay.sample(f.arrival, rng.uniform(), rng.uniform());
          if (!f.tour) {
            out.push_back({access[origin], access[dest], arrival, true, pu,
                           static_cast<std::uint32_t>(i), k, 't'});
            continue;
          }
          const double stay = timeOfDay.sample(f.duration, rng.uniform(), rng.uniform());
          out.push_back(
              {access[i], access[dest], arrival, true, pu, static_cast<std::uint32_t>(i), k, 'o'});
          out.push_back({access[dest], access[i], arrival + stay, false, pu,
                         static_cast<std::uint32_t>(i), k, 'b'});
        }
      }
    }
  });
  std::vector<Planned> planned;
  for (std::size_t i = 0; i < nb; ++i) {
    planned.insert(planned.end(), perBuilding[i].begin(), perBuilding[i].end());
    stats.sameRoad += sameRoad[i];
    stats.outCommuteTours += away[i];
  }
  // commuters coming in to work: per resident's tour away, inPerOutCommuter of them, each from
  // a gate by its lanes to a workplace by its jobs, arriving and staying as residents' work tours
  if (!gates.empty() && options.inPerOutCommuter > 0 && !jobsCumulative.empty() &&
      jobsCumulative.back() > 0) {
    const double expected = static_cast<double>(stats.outCommuteTours) * options.inPerOutCommuter;
    const std::size_t n = roundedCount(expected, seed, "traffic.demand.commute.count", 0);
    const auto work = static_cast<std::uint8_t>(Purpose::Work);
    const PurposeFigures& f = kMid2017[static_cast<std::size_t>(Purpose::Work)];
    for (std::size_t k = 0; k < n; ++k) {
      sdk::EntityRandom rng(seed, "traffic.demand.commute", k);
      const Gate& g = gates[drawCumulative(gateCumulative, rng.uniform())];
      const std::size_t b = drawCumulative(jobsCumulative, rng.uniform());
      const double arrival = timeOfDay.sample(f.arrival, rng.uniform(), rng.uniform());
      const double stay = timeOfDay.sample(f.duration, rng.uniform(), rng.uniform());
      if (access[b] == kNone || access[b] == g.in) {
        ++stats.sameRoad;
        continue;
      }
      const auto tour = static_cast<std::uint32_t>(k);
      planned.push_back({g.in, access[b], arrival, true, work, g.node, tour, 'i'});
      planned.push_back({access[b], g.out, arrival + stay, false, work, g.node, tour, 'x'});
      ++stats.inCommuteTours;
    }
  }
  // through traffic: per trip across the fringe, throughPerCrossing trips from a gate to
  // another, both by their lanes. Each takes the time of a trip of the city's own demand drawn
  // at random (its arrival or departure, as that trip is timed), so through traffic follows the
  // day's profile of the city's traffic, both peaks.
  if (gates.size() >= 2 && options.throughPerCrossing > 0 && !planned.empty()) {
    const std::size_t own = planned.size();
    const double crossing = 2.0 * static_cast<double>(stats.outCommuteTours + stats.inCommuteTours);
    const double expected = crossing * options.throughPerCrossing;
    const std::size_t n = roundedCount(expected, seed, "traffic.demand.through.count", 0);
    for (std::size_t k = 0; k < n; ++k) {
      sdk::EntityRandom rng(seed, "traffic.demand.through", k);
      const std::size_t a = drawCumulative(gateCumulative, rng.uniform());
      std::size_t b = a;
      for (int tries = 0; tries < 64 && gates[b].node == gates[a].node; ++tries)
        b = drawCumulative(gateCumulative, rng.uniform());
      if (gates[b].node == gates[a].node)
        continue;
      const auto j =
          std::min(own - 1, static_cast<std::size_t>(rng.uniform() * static_cast<double>(own)));
      Planned pl{gates[a].in,
                 gates[b].out,
                 planned[j].time,
                 planned[j].arriveBy,
                 planned[j].purpose,
                 gates[a].node,
                 static_cast<std::uint32_t>(k),
                 'p'};
      pl.toGate = gates[b].node;
      planned.push_back(pl);
    }
  }
  perBuilding.clear();
  perBuilding.shrink_to_fit();

  // 4. routes: one tree per origin road (A* per trip where only a few start there)
  // ALT's free-flow bounds are exact on free-flow costs, so a goal-directed search settles
  // little more than its path: A* up to 80 targets (Aachen, 3/4 of the demand, 2 threads: the
  // demand in 6.2 s, against 6.6 s up to 40, 7.6 s up to 12 and 8.0 s up to 200)
  constexpr std::size_t kAStarTargets = 80;
  std::vector<std::uint32_t> order(planned.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return planned[a].from < planned[b].from;
  });
  std::vector<std::size_t> groupStart;
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (k == 0 || planned[order[k]].from != planned[order[k - 1]].from)
      groupStart.push_back(k);
  }
  groupStart.push_back(order.size());
  std::vector<std::vector<std::uint32_t>> paths(planned.size());
  std::vector<double> costs(planned.size(), std::numeric_limits<double>::infinity());
  parallel(groupStart.size() - 1, [&](std::size_t begin, std::size_t end) {
    Router::Scratch scratch;
    std::vector<std::uint32_t> targets;
    std::vector<std::vector<std::uint32_t>> groupPaths;
    std::vector<double> groupCosts;
    for (std::size_t g = begin; g < end; ++g) {
      targets.clear();
      for (std::size_t k = groupStart[g]; k < groupStart[g + 1]; ++k)
        targets.push_back(planned[order[k]].to);
      const std::uint32_t from = planned[order[groupStart[g]]].from;
      if (targets.size() <= kAStarTargets) {
        // a few targets: goal-directed searches settle far fewer roads than one whole tree
        groupPaths.assign(targets.size(), {});
        groupCosts.assign(targets.size(), std::numeric_limits<double>::infinity());
        for (std::size_t k = 0; k < targets.size(); ++k) {
          groupPaths[k] = router.route(from, targets[k], scratch);
          if (!groupPaths[k].empty())
            groupCosts[k] = router.routeCost(groupPaths[k]);
        }
      } else {
        router.routesFrom(from, targets, scratch, groupPaths, groupCosts);
      }
      for (std::size_t k = groupStart[g]; k < groupStart[g + 1]; ++k) {
        paths[order[k]] = std::move(groupPaths[k - groupStart[g]]);
        costs[order[k]] = groupCosts[k - groupStart[g]];
      }
    }
  });

  // 5. the trips, by departure
  struct Made {
    double depart;
    std::uint32_t planned;
  };
  std::vector<Made> made;
  made.reserve(planned.size());
  for (std::uint32_t k = 0; k < planned.size(); ++k) {
    const Planned& pl = planned[k];
    if (paths[k].empty()) {
      ++stats.unroutable;
      continue;
    }
    const double depart = pl.arriveBy ? std::max(0.0, pl.time - costs[k]) : pl.time;
    if (depart >= options.dayS) {
      ++stats.afterDay;
      continue;
    }
    if (depart < options.startS) {
      ++stats.beforeStart;
      continue;
    }
    made.push_back({depart - options.startS, k});
  }
  std::stable_sort(made.begin(), made.end(),
                   [](const Made& a, const Made& b) { return a.depart < b.depart; });
  Demand d;
  d.trips.reserve(made.size());
  for (const Made& m : made) {
    const Planned& pl = planned[m.planned];
    Trip t;
    const bool in = pl.leg == 'i' || pl.leg == 'x' || pl.leg == 'p';
    const char* leg = pl.leg == 'o'   ? "-out"
                      : pl.leg == 'b' ? "-back"
                      : pl.leg == 'a' ? "-away"
                      : pl.leg == 'h' ? "-home"
                      : pl.leg == 'i' ? "-in"
                      : pl.leg == 'x' ? "-out"
                                      : "-trip";
    t.id = std::string(pl.leg == 'p' ? "through"
                       : in          ? "commute"
                                     : kMid2017[pl.purpose].name) +
           "-" + (in ? net.nodes[pl.building].id : std::to_string(pl.building)) + "-" +
           std::to_string(pl.tour) +
           (pl.leg == 'p' ? "-to-" + net.nodes[pl.toGate].id : std::string(leg));
    t.depart = m.depart;
    t.vtype = 0;
    t.routeBegin = static_cast<std::uint32_t>(d.routeEdges.size());
    d.routeEdges.insert(d.routeEdges.end(), paths[m.planned].begin(), paths[m.planned].end());
    t.routeEnd = static_cast<std::uint32_t>(d.routeEdges.size());
    d.trips.push_back(std::move(t));
    if (pl.leg == 'p')
      ++stats.throughTrips;  // not a trip of the residents' purposes
    else
      ++stats.trips[pl.purpose];
  }
  if (statsOut != nullptr)
    *statsOut = stats;
  return d;
}

}  // namespace twin::traffic
