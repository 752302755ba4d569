// SPDX-License-Identifier: Apache-2.0
#include "synthetic_grid.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <numeric>
#include <queue>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace twin::energy {

PointIndex::PointIndex(std::span<const std::array<double, 2>> xy,
                       std::span<const std::uint32_t> ids) {
  if (xy.size() != ids.size())
    throw std::invalid_argument("PointIndex: one id per point");
  if (xy.empty())
    return;
  double maxX = -std::numeric_limits<double>::infinity(), maxY = maxX;
  minX_ = minY_ = std::numeric_limits<double>::infinity();
  for (const auto& p : xy) {
    minX_ = std::min(minX_, p[0]);
    minY_ = std::min(minY_, p[1]);
    maxX = std::max(maxX, p[0]);
    maxY = std::max(maxY, p[1]);
  }
  nx_ = static_cast<std::size_t>((maxX - minX_) / kCell) + 1;
  ny_ = static_cast<std::size_t>((maxY - minY_) / kCell) + 1;
  std::vector<std::vector<std::size_t>> cells(nx_ * ny_);
  for (std::size_t k = 0; k < xy.size(); ++k) {
    const auto ix = std::min(nx_ - 1, static_cast<std::size_t>((xy[k][0] - minX_) / kCell));
    const auto iy = std::min(ny_ - 1, static_cast<std::size_t>((xy[k][1] - minY_) / kCell));
    cells[iy * nx_ + ix].push_back(k);
  }
  start_.assign(cells.size() + 1, 0);
  for (std::size_t c = 0; c < cells.size(); ++c) {
    start_[c + 1] = start_[c] + cells[c].size();
    for (std::size_t k : cells[c])
      points_.push_back({xy[k][0], xy[k][1], ids[k]});
  }
}

std::uint32_t PointIndex::nearest(double x, double y) const {
  if (points_.empty())
    throw std::logic_error("PointIndex::nearest on an empty index");
  const auto cx = static_cast<long>(std::floor((x - minX_) / kCell));
  const auto cy = static_cast<long>(std::floor((y - minY_) / kCell));
  double best = std::numeric_limits<double>::infinity();
  std::uint32_t bestId = 0;
  const long maxRing = static_cast<long>(std::max(nx_, ny_)) + std::labs(cx) + std::labs(cy) + 1;
  for (long r = 0; r <= maxRing; ++r) {
    // every point in ring r is at least (r - 1) cells away
    if (best < std::numeric_limits<double>::infinity() &&
        (static_cast<double>(r) - 1.0) * kCell > std::sqrt(best))
      break;
    for (long iy = cy - r; iy <= cy + r; ++iy)
      for (long ix = cx - r; ix <= cx + r; ++ix) {
        if (std::labs(ix - cx) != r && std::labs(iy - cy) != r)
          continue;
        if (ix < 0 || iy < 0 || ix >= static_cast<long>(nx_) || iy >= static_cast<long>(ny_))
          continue;
        const std::size_t c = static_cast<std::size_t>(iy) * nx_ + static_cast<std::size_t>(ix);
        for (std::size_t j = start_[c]; j < start_[c + 1]; ++j) {
          const Entry& e = points_[j];
          const double d = (e.x - x) * (e.x - x) + (e.y - y) * (e.y - y);
          if (d < best || (d == best && e.id < bestId)) {
            best = d;
            bestId = e.id;
          }
        }
      }
  }
  return bestId;
}

double CableType::ratingMVA() const {
  return std::sqrt(3.0) * kV * iMaxKA;
}

void addCableSection(GridBranch& b, const CableType& c, double lengthM, int parallel) {
  constexpr double kOmega = 2.0 * 3.14159265358979323846 * 50.0;
  const double km = lengthM / 1000.0, n = static_cast<double>(parallel);
  b.rOhm += c.rOhmPerKm * km / n;
  b.xOhm += c.xOhmPerKm * km / n;
  b.bS += kOmega * c.cNfPerKm * 1e-9 * km * n;
  const double rating = c.ratingMVA() * n;
  b.ratingMVA = b.lengthM > 0 ? std::min(b.ratingMVA, rating) : rating;
  b.parallel = b.lengthM > 0 ? std::min(b.parallel, parallel) : parallel;
  b.lengthM += lengthM;
}

GridTypes GridTypes::load(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(path + ": cannot open the grid type library");
  GridTypes t;
  std::string line;
  int lineNo = 0;
  bool header = false;
  while (std::getline(in, line)) {
    ++lineNo;
    if (line.empty() || line[0] == '#')
      continue;
    if (!header) {
      header = true;
      continue;
    }
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ','))
      f.push_back(cell);
    const std::string where = path + ":" + std::to_string(lineNo) + ": ";
    if (f.size() != 7)
      throw std::runtime_error(where + "expected 7 fields (kind,name,a,b,c,d,e), got " +
                               std::to_string(f.size()));
    double v[5];
    for (int k = 0; k < 5; ++k) {
      try {
        std::size_t used = 0;
        v[k] = std::stod(f[static_cast<std::size_t>(k + 2)], &used);
        if (used != f[static_cast<std::size_t>(k + 2)].size() || !std::isfinite(v[k]) || v[k] < 0)
          throw std::invalid_argument("x");
      } catch (const std::exception&) {
        throw std::runtime_error(where + "field " + std::to_string(k + 3) +
                                 " is not a non-negative number: '" +
                                 f[static_cast<std::size_t>(k + 2)] + "'");
      }
    }
    if (f[0] == "cable") {
      if (v[0] <= 0 || v[4] <= 0)
        throw std::runtime_error(where + "a cable needs a voltage and a current rating");
      t.cables.push_back({f[1], v[0], v[1], v[2], v[3], v[4]});
    } else if (f[0] == "transformer") {
      if (v[0] <= 0 || v[3] <= 0 || v[4] >= v[3])
        throw std::runtime_error(where + "a transformer needs a rating and 0 <= vkr < vk");
      t.transformers.push_back({f[1], v[0], v[1], v[2], v[3], v[4]});
    } else {
      throw std::runtime_error(where + "unknown kind '" + f[0] +
                               "'; expected cable or transformer");
    }
  }
  if (t.cables.empty() || t.transformers.empty())
    throw std::runtime_error(path + ": no cable or no transformer types");
  return t;
}

const CableType& GridTypes::cable(const std::string& name) const {
  for (const CableType& c : cables)
    if (c.name == name)
      return c;
  throw std::runtime_error("unknown cable type '" + name + "'");
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// the streets as an undirected graph (motorways and trunk roads carry no distribution cables)
struct StreetGraph {
  struct Arc {
    std::uint32_t to;
    std::uint32_t link;  // road link index
    bool reversed;       // walks the link's polyline backwards
    double length;
  };
  std::vector<std::uint32_t> start;  // CSR
  std::vector<Arc> arcs;
  std::vector<std::uint8_t> main;  // node in the largest connected part
};

StreetGraph streetGraph(const TwinCityInfo& c) {
  StreetGraph g;
  const std::size_t n = c.road_node_count;
  std::vector<std::vector<StreetGraph::Arc>> adj(n);
  for (std::size_t i = 0; i < c.road_link_count; ++i) {
    const TwinRoadLink& l = c.road_links[i];
    if (l.road_class <= 1 || l.from == l.to)
      continue;
    if (l.twin >= 0 && static_cast<std::size_t>(l.twin) < i)
      continue;  // the other direction of the same street
    const double len = std::max(1.0, l.length_m);
    adj[l.from].push_back({l.to, static_cast<std::uint32_t>(i), false, len});
    adj[l.to].push_back({l.from, static_cast<std::uint32_t>(i), true, len});
  }
  g.start.assign(n + 1, 0);
  for (std::size_t v = 0; v < n; ++v)
    g.start[v + 1] = g.start[v] + static_cast<std::uint32_t>(adj[v].size());
  g.arcs.reserve(g.start[n]);
  for (auto& a : adj)
    g.arcs.insert(g.arcs.end(), a.begin(), a.end());
  // largest connected part
  std::vector<std::int32_t> comp(n, -1);
  std::vector<std::size_t> sizes;
  for (std::size_t s = 0; s < n; ++s) {
    if (comp[s] >= 0 || g.start[s] == g.start[s + 1])
      continue;
    const auto id = static_cast<std::int32_t>(sizes.size());
    std::size_t count = 0;
    std::vector<std::uint32_t> stack{static_cast<std::uint32_t>(s)};
    comp[s] = id;
    while (!stack.empty()) {
      const std::uint32_t v = stack.back();
      stack.pop_back();
      ++count;
      for (std::uint32_t k = g.start[v]; k < g.start[v + 1]; ++k)
        if (comp[g.arcs[k].to] < 0) {
          comp[g.arcs[k].to] = id;
          stack.push_back(g.arcs[k].to);
        }
    }
    sizes.push_back(count);
  }
  g.main.assign(n, 0);
  if (sizes.empty())
    return g;
  const auto best =
      static_cast<std::int32_t>(std::max_element(sizes.begin(), sizes.end()) - sizes.begin());
  for (std::size_t v = 0; v < n; ++v)
    g.main[v] = comp[v] == best ? 1 : 0;
  return g;
}

// the street nodes of the main part, for nearest-node queries
PointIndex streetNodeIndex(const TwinCityInfo& c, const std::vector<std::uint8_t>& main) {
  std::vector<std::array<double, 2>> xy;
  std::vector<std::uint32_t> ids;
  for (std::size_t v = 0; v < main.size(); ++v)
    if (main[v]) {
      xy.push_back({c.road_nodes[v].x, c.road_nodes[v].y});
      ids.push_back(static_cast<std::uint32_t>(v));
    }
  return PointIndex(xy, ids);
}

struct WeightedPoint {
  double x, y, w;
  std::uint32_t id;
};

std::size_t splitAtMedian(std::vector<WeightedPoint>& pts, std::size_t begin, std::size_t end,
                          bool alongX, double w);

// recursive coordinate bisection at the weighted median until a part's weight is at most
// `cap` and its longer side at most `maxSize` (a single point always ends a split)
void bisect(std::vector<WeightedPoint>& pts, std::size_t begin, std::size_t end, double cap,
            double maxSize, std::vector<std::pair<std::size_t, std::size_t>>& parts) {
  double w = 0, minX = kInf, minY = kInf, maxX = -kInf, maxY = -kInf;
  for (std::size_t i = begin; i < end; ++i) {
    w += pts[i].w;
    minX = std::min(minX, pts[i].x);
    maxX = std::max(maxX, pts[i].x);
    minY = std::min(minY, pts[i].y);
    maxY = std::max(maxY, pts[i].y);
  }
  if (end - begin <= 1 || (w <= cap && std::max(maxX - minX, maxY - minY) <= maxSize)) {
    parts.emplace_back(begin, end);
    return;
  }
  const std::size_t mid = splitAtMedian(pts, begin, end, maxX - minX >= maxY - minY, w);
  bisect(pts, begin, mid, cap, maxSize, parts);
  bisect(pts, mid, end, cap, maxSize, parts);
}

// sorts [begin, end) along x or y and returns the index that halves the weight `w`
std::size_t splitAtMedian(std::vector<WeightedPoint>& pts, std::size_t begin, std::size_t end,
                          bool alongX, double w) {
  std::sort(pts.begin() + static_cast<std::ptrdiff_t>(begin),
            pts.begin() + static_cast<std::ptrdiff_t>(end),
            [alongX](const WeightedPoint& a, const WeightedPoint& b) {
              const double ka = alongX ? a.x : a.y, kb = alongX ? b.x : b.y;
              return ka != kb ? ka < kb : a.id < b.id;
            });
  double acc = 0;
  std::size_t mid = begin + 1;
  for (std::size_t i = begin; i < end; ++i) {
    acc += pts[i].w;
    if (acc >= 0.5 * w) {
      mid = i + 1;
      break;
    }
  }
  return std::clamp(mid, begin + 1, end - 1);
}

// the shortest-path tree from `root` to `targets` (Dijkstra, stopped once all are settled): the
// arc entering each node is left in `via` (index into g.arcs; -1 for the root)
struct Tree {
  std::vector<std::uint32_t> order;  // nodes of the tree, root first, parents before children
};

Tree shortestPathTree(const StreetGraph& g, std::uint32_t root,
                      const std::vector<std::uint32_t>& targets, std::vector<double>& dist,
                      std::vector<std::int64_t>& via, std::vector<std::uint32_t>& touched) {
  for (std::uint32_t v : touched) {
    dist[v] = kInf;
    via[v] = -2;
  }
  touched.clear();
  std::unordered_map<std::uint32_t, bool> open;
  for (std::uint32_t t : targets)
    open.emplace(t, true);
  std::size_t remaining = open.size();
  using Item = std::pair<double, std::uint32_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> pq;
  dist[root] = 0;
  via[root] = -1;
  touched.push_back(root);
  pq.emplace(0.0, root);
  std::vector<std::uint32_t> settledOrder;
  while (!pq.empty() && remaining > 0) {
    const auto [d, v] = pq.top();
    pq.pop();
    if (d > dist[v])
      continue;
    settledOrder.push_back(v);
    if (auto it = open.find(v); it != open.end() && it->second) {
      it->second = false;
      --remaining;
    }
    for (std::uint32_t k = g.start[v]; k < g.start[v + 1]; ++k) {
      const auto& a = g.arcs[k];
      const double nd = d + a.length;
      if (nd < dist[a.to]) {
        if (dist[a.to] == kInf)
          touched.push_back(a.to);
        dist[a.to] = nd;
        via[a.to] = static_cast<std::int64_t>(k);
        pq.emplace(nd, a.to);
      }
    }
  }
  // keep only the paths to the targets; settled order puts parents first
  Tree t;
  std::unordered_map<std::uint32_t, bool> inTree;
  inTree[root] = true;
  for (std::uint32_t target : targets) {
    std::uint32_t v = target;
    while (!inTree.count(v)) {
      if (via[v] < 0)
        break;  // unreachable (cannot happen inside one connected part)
      inTree[v] = true;
      // the arc entering v starts at the node whose CSR range holds it
      const auto k = static_cast<std::uint32_t>(via[v]);
      const auto from = static_cast<std::uint32_t>(
          std::upper_bound(g.start.begin(), g.start.end(), k) - g.start.begin() - 1);
      v = from;
    }
  }
  for (std::uint32_t v : settledOrder)
    if (inTree.count(v))
      t.order.push_back(v);
  return t;
}

std::vector<double> arcPolyline(const TwinCityInfo& c, const StreetGraph::Arc& a) {
  const TwinRoadLink& l = c.road_links[a.link];
  std::vector<double> xy(l.xy, l.xy + 2 * l.point_count);
  if (a.reversed) {
    for (std::size_t i = 0, j = l.point_count - 1; i < j; ++i, --j) {
      std::swap(xy[2 * i], xy[2 * j]);
      std::swap(xy[2 * i + 1], xy[2 * j + 1]);
    }
  }
  return xy;
}

std::uint32_t arcSource(const StreetGraph& g, std::uint32_t k) {
  return static_cast<std::uint32_t>(std::upper_bound(g.start.begin(), g.start.end(), k) -
                                    g.start.begin() - 1);
}

// Visits the tree's sections leaves first: fn(node, parent, arc entering node, the design load
// downstream of it), summing the loads in `down` (per node, the loads at the nodes) upwards.
template <typename Fn>
void walkSections(const StreetGraph& g, const Tree& tree, std::uint32_t root,
                  const std::vector<std::int64_t>& via,
                  std::unordered_map<std::uint32_t, double>& down, Fn&& fn) {
  for (auto it = tree.order.rbegin(); it != tree.order.rend(); ++it) {
    const std::uint32_t v = *it;
    if (v == root)
      continue;
    const auto arc = static_cast<std::uint32_t>(via[v]);
    const std::uint32_t parent = arcSource(g, arc);
    const double downstream = down[v];
    down[parent] += downstream;
    fn(v, parent, arc, downstream);
  }
}

// One section of a feeder tree: the street arc entering `node` from `parent`, with its cables
struct Section {
  std::uint32_t node, parent, arc;
  double kva;
  int parallel;
};

// Buses and cable branches of a feeder tree (sections leaves first, as walkSections gives
// them): buses at the root, at the nodes in `loads` and at junctions; the sections between
// them in series as one branch. Sets busOfNode for the bus nodes; returns the cable km.
double emitFeeder(const TwinCityInfo& city, const StreetGraph& g, std::uint32_t root,
                  const std::vector<Section>& secs, const std::unordered_set<std::uint32_t>& loads,
                  BusLevel level, std::int32_t area, BranchKind kind, std::int32_t cableType,
                  const CableType& cable, SyntheticGrid& grid,
                  std::vector<std::int32_t>& busOfNode) {
  std::unordered_map<std::uint32_t, std::size_t> children, sectionOf;
  for (std::size_t k = 0; k < secs.size(); ++k) {
    ++children[secs[k].parent];
    sectionOf[secs[k].node] = k;
  }
  auto kept = [&](std::uint32_t v) {
    auto it = children.find(v);
    return v == root || loads.count(v) != 0 || it == children.end() || it->second != 1;
  };
  auto newBus = [&](std::uint32_t v) {
    busOfNode[v] = static_cast<std::int32_t>(grid.buses.size());
    grid.buses.push_back({city.road_nodes[v].x, city.road_nodes[v].y, level, area,
                          level == BusLevel::Mv && v == root});
  };
  newBus(root);
  for (auto it = secs.rbegin(); it != secs.rend(); ++it)  // parents first
    if (kept(it->node))
      newBus(it->node);
  double km = 0.0;
  for (auto it = secs.rbegin(); it != secs.rend(); ++it) {
    if (!kept(it->node))
      continue;
    // up from this bus to the next one: the sections in between, bottom first
    std::vector<const Section*> parts{&*it};
    while (!kept(parts.back()->parent))
      parts.push_back(&secs[sectionOf.at(parts.back()->parent)]);
    GridBranch br;
    br.from = busOfNode[parts.back()->parent];
    br.to = busOfNode[it->node];
    br.kind = kind;
    br.type = cableType;
    for (auto p = parts.rbegin(); p != parts.rend(); ++p) {  // top down
      addCableSection(br, cable, g.arcs[(*p)->arc].length, (*p)->parallel);
      const std::vector<double> xy = arcPolyline(city, g.arcs[(*p)->arc]);
      br.xy.insert(br.xy.end(), xy.begin() + (br.xy.empty() ? 0 : 2), xy.end());
    }
    km += br.lengthM / 1000.0;
    grid.branches.push_back(std::move(br));
  }
  return km;
}

}  // namespace

SyntheticGrid buildSyntheticGrid(const TwinCityInfo& city, std::span<const double> designKW,
                                 const GridTypes& types, const GridDesign& design) {
  if (designKW.size() != city.building_count)
    throw std::invalid_argument("buildSyntheticGrid: one design load per building");
  const StreetGraph g = streetGraph(city);
  const PointIndex index = streetNodeIndex(city, g.main);
  if (index.empty())
    throw std::runtime_error("the city has no street network to lay the grid's cables along");
  const CableType& lvCable = types.cable(design.lvCable);
  const CableType& mvCable = types.cable(design.mvCable);
  const auto lvCableIdx = static_cast<std::int32_t>(&lvCable - types.cables.data());
  const auto mvCableIdx = static_cast<std::int32_t>(&mvCable - types.cables.data());
  std::vector<std::size_t> lvTrafos;  // distribution transformer types, smallest first
  std::int32_t subType = -1;
  for (std::size_t k = 0; k < types.transformers.size(); ++k) {
    if (types.transformers[k].name == design.substationTransformer)
      subType = static_cast<std::int32_t>(k);
    else if (types.transformers[k].hvKV <= mvCable.kV + 1e-9)
      lvTrafos.push_back(k);
  }
  if (subType < 0 || lvTrafos.empty())
    throw std::runtime_error("the grid type library lacks the substation transformer '" +
                             design.substationTransformer + "' or distribution transformers");
  std::sort(lvTrafos.begin(), lvTrafos.end(), [&](std::size_t a, std::size_t b) {
    return types.transformers[a].snMVA < types.transformers[b].snMVA;
  });
  const double pf = design.powerFactor;

  SyntheticGrid grid;
  grid.buildingBus.assign(city.building_count, -1);
  // buildings -> street nodes
  std::vector<std::uint32_t> buildingNode(city.building_count, 0);
  std::vector<WeightedPoint> loads;
  for (std::size_t i = 0; i < city.building_count; ++i) {
    if (!(designKW[i] > 0))
      continue;
    const TwinBuilding& b = city.buildings[i];
    buildingNode[i] = index.nearest(b.x, b.y);
    loads.push_back({b.x, b.y, designKW[i], static_cast<std::uint32_t>(i)});
    grid.designMW += designKW[i] / 1000.0;
  }
  // 1. LV areas
  const double lvCapKVA = types.transformers[lvTrafos.back()].snMVA * 1000.0 * design.lvUtilisation;
  std::vector<std::pair<std::size_t, std::size_t>> areas;
  if (!loads.empty())
    bisect(loads, 0, loads.size(), lvCapKVA * pf, design.maxAreaSizeM, areas);

  const std::size_t nNodes = city.road_node_count;
  std::vector<double> dist(nNodes, kInf);
  std::vector<std::int64_t> via(nNodes, -2);
  std::vector<std::uint32_t> touched;
  std::vector<std::int32_t> busOfNode(nNodes, -1);  // within the current area

  struct LvArea {
    std::uint32_t node;  // transformer site
    std::int32_t lvBus;
    double designKVA;
    std::int32_t trafoType;
    std::int32_t units;
  };
  std::vector<LvArea> lvAreas;
  // areas in order; one whose cables along the streets would be longer than a feeder may be
  // (streets detour around railways, rivers, blocks) is split again
  std::vector<std::pair<std::size_t, std::size_t>> work(areas.rbegin(), areas.rend());
  while (!work.empty()) {
    const auto [begin, end] = work.back();
    work.pop_back();
    double w = 0, cx = 0, cy = 0;
    double minX = kInf, minY = kInf, maxX = -kInf, maxY = -kInf;
    std::vector<std::uint32_t> targets;
    for (std::size_t k = begin; k < end; ++k) {
      w += loads[k].w;
      cx += loads[k].w * loads[k].x;
      cy += loads[k].w * loads[k].y;
      minX = std::min(minX, loads[k].x);
      maxX = std::max(maxX, loads[k].x);
      minY = std::min(minY, loads[k].y);
      maxY = std::max(maxY, loads[k].y);
      targets.push_back(buildingNode[loads[k].id]);
    }
    std::sort(targets.begin(), targets.end());
    targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    const std::uint32_t site = index.nearest(cx / w, cy / w);
    const Tree tree = shortestPathTree(g, site, targets, dist, via, touched);
    double farthest = 0.0;
    for (std::uint32_t v : targets)
      farthest = std::max(farthest, dist[v]);
    if (farthest > design.maxFeederM && end - begin > 1) {
      const std::size_t mid = splitAtMedian(loads, begin, end, maxX - minX >= maxY - minY, w);
      work.emplace_back(mid, end);
      work.emplace_back(begin, mid);
      continue;
    }
    const auto areaId = static_cast<std::int32_t>(lvAreas.size());
    // downstream design load per node (children after parents in `order`)
    std::unordered_map<std::uint32_t, double> down;
    std::unordered_set<std::uint32_t> loadNodes;
    for (std::size_t k = begin; k < end; ++k) {
      down[buildingNode[loads[k].id]] += loads[k].w;
      loadNodes.insert(buildingNode[loads[k].id]);
    }
    // sections child -> parent, sized by loading first
    std::vector<Section> sections;
    std::unordered_map<std::uint32_t, std::size_t> sectionOf;  // by child node
    walkSections(g, tree, site, via, down,
                 [&](std::uint32_t v, std::uint32_t parent, std::uint32_t arc, double downstream) {
                   const double kva = downstream / pf;
                   const int parallel =
                       std::max(1, static_cast<int>(std::ceil(kva / (lvCable.ratingMVA() * 1000.0 *
                                                                     design.cableUtilisation))));
                   sectionOf[v] = sections.size();
                   sections.push_back({v, parent, arc, kva, parallel});
                 });
    // then by voltage drop: while the design load's drop (P R + Q X) / U^2 from the transformer
    // to some node exceeds the budget, the sections on that route get one more cable each
    const double sinPhi = std::sqrt(1.0 - pf * pf);
    for (int round = 0; round < 8 && !sections.empty(); ++round) {
      std::unordered_map<std::uint32_t, double> drop;
      drop[site] = 0.0;
      double worst = 0.0;
      std::uint32_t worstNode = site;
      for (auto it = sections.rbegin(); it != sections.rend(); ++it) {  // parents first
        const double km = g.arcs[it->arc].length / 1000.0;
        const double zEff =
            (lvCable.rOhmPerKm * pf + lvCable.xOhmPerKm * sinPhi) * km / it->parallel;
        const double d =
            drop[it->parent] + it->kva * 1000.0 * zEff / (lvCable.kV * lvCable.kV * 1e6);
        drop[it->node] = d;
        if (d > worst) {
          worst = d;
          worstNode = it->node;
        }
      }
      if (worst <= design.lvDropBudget)
        break;
      for (std::uint32_t v = worstNode; v != site;) {
        Section& sec = sections[sectionOf[v]];
        sec.parallel += 1;
        v = sec.parent;
      }
    }
    grid.lvCableKm += emitFeeder(city, g, site, sections, loadNodes, BusLevel::Lv, areaId,
                                 BranchKind::LvCable, lvCableIdx, lvCable, grid, busOfNode);
    for (std::size_t k = begin; k < end; ++k)
      grid.buildingBus[loads[k].id] = busOfNode[buildingNode[loads[k].id]];
    const double kva = w / pf;
    std::int32_t type = static_cast<std::int32_t>(lvTrafos.back());
    for (std::size_t t : lvTrafos)
      if (types.transformers[t].snMVA * 1000.0 * design.lvUtilisation >= kva) {
        type = static_cast<std::int32_t>(t);
        break;
      }
    // a single large customer beyond one transformer gets its own station of several in parallel
    const double unitKVA =
        types.transformers[static_cast<std::size_t>(type)].snMVA * 1000.0 * design.lvUtilisation;
    const int units = std::max(1, static_cast<int>(std::ceil(kva / unitKVA - 1e-9)));
    lvAreas.push_back({site, busOfNode[site], kva, type, units});
    for (std::uint32_t v : tree.order)
      busOfNode[v] = -1;
  }
  for (const LvArea& a : lvAreas)
    grid.lvTransformers += static_cast<std::size_t>(a.units);

  // 2. substation areas over the transformer sites
  const TransformerType& subT = types.transformers[static_cast<std::size_t>(subType)];
  const double subCapKVA = subT.snMVA * 1000.0 * design.mvUtilisation;
  std::vector<WeightedPoint> sites;
  for (std::size_t a = 0; a < lvAreas.size(); ++a)
    sites.push_back({city.road_nodes[lvAreas[a].node].x, city.road_nodes[lvAreas[a].node].y,
                     lvAreas[a].designKVA, static_cast<std::uint32_t>(a)});
  std::vector<std::pair<std::size_t, std::size_t>> subAreas;
  if (!sites.empty())
    bisect(sites, 0, sites.size(), 2.0 * subCapKVA, kInf, subAreas);
  for (const auto& [begin, end] : subAreas) {
    double w = 0, cx = 0, cy = 0;
    std::vector<std::uint32_t> targets;
    for (std::size_t k = begin; k < end; ++k) {
      w += sites[k].w;
      cx += sites[k].w * sites[k].x;
      cy += sites[k].w * sites[k].y;
      targets.push_back(lvAreas[sites[k].id].node);
    }
    std::sort(targets.begin(), targets.end());
    targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    const std::uint32_t site = index.nearest(cx / w, cy / w);
    const Tree tree = shortestPathTree(g, site, targets, dist, via, touched);
    const auto subId = static_cast<std::int32_t>(grid.substations.size());
    std::unordered_map<std::uint32_t, double> down;
    std::unordered_set<std::uint32_t> stationNodes;
    for (std::size_t k = begin; k < end; ++k) {
      const LvArea& a = lvAreas[sites[k].id];
      down[a.node] += a.designKVA;
      stationNodes.insert(a.node);
    }
    std::vector<Section> sections;
    walkSections(g, tree, site, via, down,
                 [&](std::uint32_t v, std::uint32_t parent, std::uint32_t arc, double kva) {
                   const int parallel =
                       std::max(1, static_cast<int>(std::ceil(kva / (mvCable.ratingMVA() * 1000.0 *
                                                                     design.mvUtilisation))));
                   sections.push_back({v, parent, arc, kva, parallel});
                 });
    grid.mvCableKm += emitFeeder(city, g, site, sections, stationNodes, BusLevel::Mv, subId,
                                 BranchKind::MvCable, mvCableIdx, mvCable, grid, busOfNode);
    for (std::size_t k = begin; k < end; ++k) {
      const LvArea& a = lvAreas[sites[k].id];
      // the distribution transformer
      const TransformerType& tt = types.transformers[static_cast<std::size_t>(a.trafoType)];
      GridBranch br;
      br.from = busOfNode[a.node];
      br.to = a.lvBus;
      br.kind = BranchKind::LvTransformer;
      br.type = a.trafoType;
      br.parallel = a.units;
      br.ratingMVA = tt.snMVA * a.units;
      const double x = city.road_nodes[a.node].x, y = city.road_nodes[a.node].y;
      br.xy = {x, y, x, y};
      grid.branches.push_back(std::move(br));
    }
    Substation s;
    s.bus = busOfNode[site];
    s.designMVA = w / 1000.0;
    s.transformers = std::max(1, static_cast<int>(std::ceil(w / subCapKVA)));
    s.ratingMVA = subT.snMVA * s.transformers;
    grid.substations.push_back(s);
    for (std::uint32_t v : tree.order)
      busOfNode[v] = -1;
  }
  for (std::size_t i = 0; i < city.building_count; ++i)
    if (designKW[i] > 0 && grid.buildingBus[i] < 0)
      ++grid.unconnectedBuildings;
  return grid;
}

physics::PfCase SyntheticGrid::toCase(const GridTypes& types, const GridDesign& design) const {
  physics::PfCase pc;
  pc.name = "synthetic_distribution_grid";
  pc.baseMVA = 1.0;
  const double mvKV = types.cable(design.mvCable).kV, lvKV = types.cable(design.lvCable).kV;
  pc.buses.reserve(buses.size());
  for (std::size_t i = 0; i < buses.size(); ++i) {
    physics::PfBus b;
    b.id = static_cast<int>(i + 1);
    b.type = buses[i].reference ? physics::BusType::Ref : physics::BusType::PQ;
    b.baseKV = buses[i].level == BusLevel::Mv ? mvKV : lvKV;
    b.vm = buses[i].reference ? design.setpointPu : 1.0;
    pc.buses.push_back(b);
  }
  for (const Substation& s : substations) {
    physics::PfGen gen;
    gen.bus = s.bus + 1;
    gen.vg = design.setpointPu;
    gen.qmaxMVAr = 1e9;
    gen.qminMVAr = -1e9;
    pc.gens.push_back(gen);
  }
  for (const GridBranch& br : branches) {
    physics::PfBranch b;
    b.from = br.from + 1;
    b.to = br.to + 1;
    b.rateAMVA = br.ratingMVA;
    if (br.kind == BranchKind::LvTransformer) {
      const TransformerType& t = types.transformers[static_cast<std::size_t>(br.type)];
      const double sn = t.snMVA * br.parallel;
      const double z = t.vkPct / 100.0 * pc.baseMVA / sn;
      b.r = t.vkrPct / 100.0 * pc.baseMVA / sn;
      b.x = std::sqrt(std::max(0.0, z * z - b.r * b.r));
    } else {
      const CableType& c = types.cables[static_cast<std::size_t>(br.type)];
      const double zBase = c.kV * c.kV / pc.baseMVA;
      b.r = br.rOhm / zBase;
      b.x = br.xOhm / zBase;
      b.b = br.bS * zBase;
    }
    pc.branches.push_back(b);
  }
  return pc;
}

double streetTreeLengthM(const TwinCityInfo& city, double x, double y,
                         std::span<const std::uint32_t> buildings) {
  const StreetGraph g = streetGraph(city);
  const PointIndex index = streetNodeIndex(city, g.main);
  if (index.empty() || buildings.empty())
    return 0.0;
  std::vector<std::uint32_t> targets;
  for (std::uint32_t b : buildings)
    targets.push_back(index.nearest(city.buildings[b].x, city.buildings[b].y));
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  std::vector<double> dist(city.road_node_count, kInf);
  std::vector<std::int64_t> via(city.road_node_count, -2);
  std::vector<std::uint32_t> touched;
  const std::uint32_t root = index.nearest(x, y);
  const Tree tree = shortestPathTree(g, root, targets, dist, via, touched);
  double length = 0.0;
  for (std::uint32_t v : tree.order)
    if (v != root)
      length += g.arcs[static_cast<std::size_t>(via[v])].length;
  return length;
}

}  // namespace twin::energy
