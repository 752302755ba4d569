// SPDX-License-Identifier: Apache-2.0
#include "routing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <stdexcept>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace twin::traffic {

void Router::Scratch::begin(std::size_t n) {
  if (node.size() != n) {
    node.assign(n, Node{});
    query = 0;
  }
  if (++query == 0) {
    for (Node& x : node)
      x.stamp = 0;
    query = 1;
  }
}

namespace {

// Interleaves the bits of two 16-bit numbers (a Morton or Z-order code: Morton 1966)
std::uint32_t interleave(std::uint32_t x, std::uint32_t y) {
  auto spread = [](std::uint32_t v) {
    v = (v | (v << 8)) & 0x00FF00FFu;
    v = (v | (v << 4)) & 0x0F0F0F0Fu;
    v = (v | (v << 2)) & 0x33333333u;
    v = (v | (v << 1)) & 0x55555555u;
    return v;
  };
  return spread(x & 0xFFFFu) | (spread(y & 0xFFFFu) << 1);
}

}  // namespace

Router::Router(const Network& net) : net_(net) {
  const std::size_t n = net.edges.size();
  cost_.resize(n);
  for (std::size_t e = 0; e < n; ++e) {
    const Edge& edge = net.edges[e];
    cost_[e] = edge.length / std::max(0.1, edge.speed);
    maxSpeed_ = std::max(maxSpeed_, edge.speed);
  }
  freeFlow_ = cost_;
  // the searches' order of the edges: by the Z-order code of their end points, so that edges
  // near each other on the map (a search's next ones) lie near each other in memory; edges
  // without a shape last, each group in the network's order
  double x0 = std::numeric_limits<double>::infinity(), y0 = x0, x1 = -x0, y1 = -x0;
  for (const Edge& edge : net.edges) {
    if (edge.shape.empty())
      continue;
    x0 = std::min(x0, edge.shape.back()[0]);
    x1 = std::max(x1, edge.shape.back()[0]);
    y0 = std::min(y0, edge.shape.back()[1]);
    y1 = std::max(y1, edge.shape.back()[1]);
  }
  std::vector<std::uint64_t> code(n, std::numeric_limits<std::uint64_t>::max());
  for (std::size_t e = 0; e < n; ++e) {
    const Edge& edge = net.edges[e];
    if (edge.shape.empty())
      continue;
    auto cell = [](double v, double lo, double hi) {
      const double f = hi > lo ? (v - lo) / (hi - lo) : 0.0;
      return static_cast<std::uint32_t>(std::clamp(f, 0.0, 1.0) * 65535.0);
    };
    code[e] = interleave(cell(edge.shape.back()[0], x0, x1), cell(edge.shape.back()[1], y0, y1));
  }
  perm_.resize(n);
  for (std::uint32_t e = 0; e < n; ++e)
    perm_[e] = e;
  std::stable_sort(perm_.begin(), perm_.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return code[a] < code[b]; });
  rank_.resize(n);
  for (std::uint32_t i = 0; i < n; ++i)
    rank_[perm_[i]] = i;
  icost_.resize(n);
  end_.resize(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    const Edge& edge = net.edges[perm_[i]];
    icost_[i] = cost_[perm_[i]];
    if (!edge.shape.empty())
      end_[i] = {edge.shape.back()[0], edge.shape.back()[1], true};
  }
  // successors in the connections' order, each with its fastest crossing
  std::vector<std::vector<std::pair<std::uint32_t, double>>> succ(n);
  for (const Connection& c : net.connections) {
    const Lane& il = net.lanes[c.internalLane];
    const double t = c.via / std::max(0.1, il.speed);
    auto& list = succ[c.fromEdge];
    auto it = std::find_if(list.begin(), list.end(), [&](auto& p) { return p.first == c.toEdge; });
    if (it == list.end())
      list.emplace_back(c.toEdge, t);
    else
      it->second = std::min(it->second, t);
  }
  succBegin_.assign(n + 1, 0);
  for (std::uint32_t i = 0; i < n; ++i) {
    succBegin_[i] = static_cast<std::uint32_t>(succEdge_.size());
    for (auto& [to, t] : succ[perm_[i]]) {
      succEdge_.push_back(rank_[to]);
      succCross_.push_back(t);
    }
  }
  succBegin_[n] = static_cast<std::uint32_t>(succEdge_.size());
  // chains: an edge whose only way on is an edge with no other way in
  std::vector<std::uint32_t> predCount(n, 0);
  for (std::uint32_t nx : succEdge_)
    ++predCount[nx];
  chainNext_.assign(n, kNone);
  for (std::size_t i = 0; i < n; ++i) {
    if (succBegin_[i + 1] - succBegin_[i] == 1 && predCount[succEdge_[succBegin_[i]]] == 1)
      chainNext_[i] = succEdge_[succBegin_[i]];
  }
}

void Router::setCosts(std::vector<double> edgeCost) {
  if (edgeCost.size() != freeFlow_.size())
    throw std::invalid_argument("Router::setCosts: one cost per edge");
  for (std::size_t e = 0; e < edgeCost.size(); ++e) {
    if (!(edgeCost[e] >= freeFlow_[e]))
      throw std::invalid_argument("Router::setCosts: edge " + net_.edges[e].id +
                                  " below its free-flow time");
  }
  cost_ = std::move(edgeCost);
  for (std::size_t i = 0; i < perm_.size(); ++i)
    icost_[i] = cost_[perm_[i]];
}

void Router::setCost(std::uint32_t edge, double cost) {
  if (edge >= cost_.size())
    throw std::invalid_argument("Router::setCost: no edge " + std::to_string(edge));
  if (!(cost >= freeFlow_[edge]))
    throw std::invalid_argument("Router::setCost: edge " + net_.edges[edge].id +
                                " below its free-flow time");
  cost_[edge] = cost;
  icost_[rank_[edge]] = cost;
}

std::shared_ptr<const Landmarks> Router::landmarks(const Router& ff, std::size_t count) {
  const Network& net = ff.net_;
  const std::size_t n = net.edges.size();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  auto lm = std::make_shared<Landmarks>();
  count = std::min(count, n);
  lm->count = count;
  if (count == 0)
    return lm;
  // predecessors, for the searches towards a landmark (all in the router's order)
  std::vector<std::uint32_t> predBegin(n + 1, 0), predEdge(ff.succEdge_.size());
  std::vector<double> predCross(ff.succEdge_.size());
  for (std::uint32_t nx : ff.succEdge_)
    ++predBegin[nx + 1];
  for (std::size_t e = 0; e < n; ++e)
    predBegin[e + 1] += predBegin[e];
  {
    std::vector<std::uint32_t> fill(predBegin.begin(), predBegin.end() - 1);
    for (std::uint32_t e = 0; e < n; ++e) {
      for (std::uint32_t k = ff.succBegin_[e]; k < ff.succBegin_[e + 1]; ++k) {
        const std::uint32_t at = fill[ff.succEdge_[k]]++;
        predEdge[at] = e;
        predCross[at] = ff.succCross_[k];
      }
    }
  }
  using Item = std::pair<double, std::uint64_t>;
  std::vector<double> dist(n);
  // free-flow times from (forward) or to (backward) edge L, not counting L itself (ties in
  // the heap broken by the network's edge index, as every search here)
  auto search = [&](std::uint32_t L, bool forward) {
    std::fill(dist.begin(), dist.end(), kInf);
    std::priority_queue<Item, std::vector<Item>, std::greater<>> open;
    dist[L] = 0;
    open.emplace(0.0, ff.key(L));
    while (!open.empty()) {
      const auto [d, key] = open.top();
      open.pop();
      const auto e = static_cast<std::uint32_t>(key);
      if (d > dist[e])
        continue;
      if (forward) {
        for (std::uint32_t k = ff.succBegin_[e]; k < ff.succBegin_[e + 1]; ++k) {
          const std::uint32_t nx = ff.succEdge_[k];
          const double c = d + ff.succCross_[k] + ff.icost_[nx];
          if (c < dist[nx]) {
            dist[nx] = c;
            open.emplace(c, ff.key(nx));
          }
        }
      } else {
        // e is reached from p over the crossing into e and e itself
        for (std::uint32_t k = predBegin[e]; k < predBegin[e + 1]; ++k) {
          const std::uint32_t p = predEdge[k];
          const double c = d + predCross[k] + ff.icost_[e];
          if (c < dist[p]) {
            dist[p] = c;
            open.emplace(c, ff.key(p));
          }
        }
      }
    }
  };
  // the first landmark: the main component's edge farthest from the centre of the network
  double cx = 0, cy = 0, w = 0;
  for (const Edge& e : net.edges) {
    if (!e.shape.empty()) {
      cx += e.shape.back()[0];
      cy += e.shape.back()[1];
      w += 1;
    }
  }
  cx /= std::max(1.0, w);
  cy /= std::max(1.0, w);
  std::uint32_t first = 0;
  double far = -1;
  for (std::uint32_t e = 0; e < n; ++e) {
    const Edge& edge = net.edges[e];
    if (!edge.mainComponent || edge.shape.empty())
      continue;
    const double d = std::hypot(edge.shape.back()[0] - cx, edge.shape.back()[1] - cy);
    if (d > far) {
      far = d;
      first = e;
    }
  }
  // the next landmark: the edge farthest from every landmark so far, by the free-flow time
  // from it or to it, whichever is shorter (an edge reached one way only still counts); none
  // once every edge is a landmark or out of reach
  std::vector<std::vector<double>> fromL, toL;  // in the router's order
  std::vector<double> nearest(n, kInf);
  std::uint32_t next = first;  // the network's index
  for (std::size_t i = 0; i < count; ++i) {
    lm->edges.push_back(next);
    search(ff.rank_[next], true);
    fromL.push_back(dist);
    search(ff.rank_[next], false);
    toL.push_back(dist);
    for (std::size_t e = 0; e < n; ++e)
      nearest[e] = std::min(nearest[e], std::min(fromL.back()[e], toL.back()[e]));
    double best = 0;
    for (std::uint32_t e = 0; e < n; ++e) {
      const double d = nearest[ff.rank_[e]];
      if (net.edges[e].mainComponent && std::isfinite(d) && d > best) {
        best = d;
        next = e;
      }
    }
    if (best <= 0)
      break;
  }
  count = lm->edges.size();
  lm->count = count;
  lm->stride = (count + 7) / 8 * 8;
  lm->allocate(n);
  double largest = 0;
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t e = 0; e < n; ++e) {
      if (std::isfinite(fromL[i][e]))
        largest = std::max(largest, fromL[i][e]);
      if (std::isfinite(toL[i][e]))
        largest = std::max(largest, toL[i][e]);
    }
  }
  // the largest time is the last step below kUnreached
  lm->unit = largest > 0 ? largest / (kUnreached - 1) : 1.0;
  auto steps = [&](double t) {
    if (!std::isfinite(t))
      return kUnreached;
    return static_cast<std::uint16_t>(
        std::min<double>(kUnreached - 1, std::nearbyint(t / lm->unit)));
  };
  for (std::size_t e = 0; e < n; ++e) {
    std::uint16_t* f = lm->fromRow(e);
    std::uint16_t* t = lm->toRow(e);
    for (std::size_t i = 0; i < count; ++i) {
      f[i] = steps(fromL[i][e]);
      t[i] = steps(toL[i][e]);
    }
  }
  return lm;
}

void Landmarks::allocate(std::size_t n) {
  // 64-byte lines hold 32 entries: each table starts on one (vector data is 16-byte aligned)
  constexpr std::size_t kLine = 32;
  const std::size_t table = n * stride;
  data_.assign(2 * table + 2 * kLine, 0);
  const auto at = reinterpret_cast<std::uintptr_t>(data_.data());
  const std::size_t skip = ((64 - at % 64) % 64) / sizeof(std::uint16_t);
  from_ = skip;
  to_ = skip + (table + kLine - 1) / kLine * kLine;
}

double Router::crossingTime(std::uint32_t from, std::uint32_t to) const {
  const std::uint32_t f = rank_[from], t = rank_[to];
  for (std::uint32_t k = succBegin_[f]; k < succBegin_[f + 1]; ++k) {
    if (succEdge_[k] == t)
      return succCross_[k];
  }
  return std::numeric_limits<double>::infinity();
}

double Router::routeCost(const std::vector<std::uint32_t>& route) const {
  double total = 0;
  for (std::size_t i = 0; i < route.size(); ++i) {
    total += cost_[route[i]];
    if (i + 1 < route.size()) {
      double cross = std::numeric_limits<double>::infinity();
      const std::uint32_t f = rank_[route[i]], t = rank_[route[i + 1]];
      for (std::uint32_t k = succBegin_[f]; k < succBegin_[f + 1]; ++k) {
        if (succEdge_[k] == t)
          cross = succCross_[k];
      }
      total += cross;
    }
  }
  return total;
}

std::vector<std::uint32_t> Router::route(std::uint32_t from, std::uint32_t to,
                                         Scratch& scratch) const {
  const std::size_t n = net_.edges.size();
  if (from >= n || to >= n)
    return {};
  // in the router's order from here on
  const std::uint32_t src = rank_[from], dst = rank_[to];
  // the heuristic: with landmarks ALT's, d(e, t) >= d(L, t) - d(L, e) and
  // d(e, t) >= d(e, L) - d(t, L) for every landmark L, in whole steps less one (their rounding);
  // without, the straight line from an edge's end to the target's end at the top speed
  const EndPoint target = end_[dst];
  // a margin of 1.5 on the speed keeps it admissible where a file's lengths are a little
  // shorter than the drawn geometry
  const double inv = 1.0 / (1.5 * maxSpeed_);
  const Landmarks* lm = lm_.get();
  const std::size_t stride = lm != nullptr && lm->count > 0 ? lm->stride : 0;
  const std::uint16_t* fromT = stride > 0 ? lm->fromRow(dst) : nullptr;
  const std::uint16_t* toT = stride > 0 ? lm->toRow(dst) : nullptr;
  const double unit = stride > 0 ? lm->unit : 0.0;
  auto h = [&](std::uint32_t e) {
    if (stride == 0) {
      const EndPoint& p = end_[e];
      if (!p.hasEnd || !target.hasEnd)
        return 0.0;
      const double dx = p.x - target.x, dy = p.y - target.y;
      return std::sqrt(dx * dx + dy * dy) * inv;
    }
    const std::uint16_t* fE = lm->fromRow(e);
    const std::uint16_t* tE = lm->toRow(e);
    unsigned best = 0;
#if defined(__SSE2__)
    // eight landmarks at a time: the positive parts of both differences (saturating) and
    // their maximum (max(a, b) = (a - b)+ + b), exact in integers
    __m128i acc = _mm_setzero_si128();
    for (std::size_t i = 0; i < stride; i += 8) {
      const __m128i a = _mm_subs_epu16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(fromT + i)),
                                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(fE + i)));
      const __m128i b = _mm_subs_epu16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(tE + i)),
                                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(toT + i)));
      const __m128i m = _mm_add_epi16(_mm_subs_epu16(a, b), b);
      acc = _mm_add_epi16(_mm_subs_epu16(acc, m), m);
    }
    alignas(16) std::uint16_t lanes[8];
    _mm_store_si128(reinterpret_cast<__m128i*>(lanes), acc);
    for (std::uint16_t x : lanes)
      best = std::max<unsigned>(best, x);
#else
    for (std::size_t i = 0; i < stride; ++i) {
      best = std::max<unsigned>(best, fromT[i] > fE[i] ? unsigned(fromT[i] - fE[i]) : 0u);
      best = std::max<unsigned>(best, tE[i] > toT[i] ? unsigned(tE[i] - toT[i]) : 0u);
    }
#endif
    return best > 1 ? static_cast<double>(best - 1) * unit : 0.0;
  };
  // the caller's scratch, reset lazily by a query stamp (no O(n) clearing per query); an edge
  // is stamped when first reached, with its heuristic computed once
  std::vector<Scratch::Node>& node = scratch.node;
  scratch.begin(n);
  const std::uint32_t query = scratch.query;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  auto reach = [&](std::uint32_t e) -> Scratch::Node& {
    Scratch::Node& x = node[e];
    if (x.stamp != query) {
      x.stamp = query;
      x.g = kInf;
      x.h = h(e);
    }
    return x;
  };
  using Item = std::pair<double, std::uint64_t>;
  // ties broken by the network's edge index (key()): the result depends neither on heap
  // internals nor on the router's order
  std::priority_queue<Item, std::vector<Item>, std::greater<>> open;
  {
    Scratch::Node& s = reach(src);
    s.g = icost_[src];
    s.prev = kNone;
    open.emplace(s.g + s.h, key(src));
  }
  while (!open.empty()) {
    const auto [f, k0] = open.top();
    open.pop();
    const auto e = static_cast<std::uint32_t>(k0);
    const Scratch::Node& x = node[e];
    if (f > x.g + x.h + 1e-9)
      continue;  // stale
    if (e == dst)
      break;
    // along a chain without the heap: an edge with one way in is final with its predecessor
    // (its heuristic is not needed: the target's is 0)
    std::uint32_t cur = e;
    double ge = x.g;
    while (chainNext_[cur] != kNone && cur != dst) {
      const std::uint32_t nx = chainNext_[cur];
      const double cand = ge + succCross_[succBegin_[cur]] + icost_[nx];
      Scratch::Node& y = node[nx];
      if (y.stamp != query) {
        y.stamp = query;
        y.g = kInf;
        y.h = 0;
      }
      if (!(cand < y.g - 1e-12)) {
        cur = kNone;
        break;
      }
      y.g = cand;
      y.prev = cur;
      cur = nx;
      ge = cand;
    }
    if (cur == kNone)
      continue;
    if (cur == dst) {
      open.emplace(ge, key(dst));
      continue;
    }
    for (std::uint32_t k = succBegin_[cur]; k < succBegin_[cur + 1]; ++k) {
      const std::uint32_t nx = succEdge_[k];
      const double cand = ge + succCross_[k] + icost_[nx];
      Scratch::Node& y = reach(nx);
      if (cand < y.g - 1e-12) {
        y.g = cand;
        y.prev = cur;
        open.emplace(cand + y.h, key(nx));
      }
    }
  }
  if (node[dst].stamp != query || !std::isfinite(node[dst].g))
    return {};
  std::vector<std::uint32_t> path;
  for (std::uint32_t e = dst; e != kNone; e = node[e].prev) {
    path.push_back(perm_[e]);
    if (e == src)
      break;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

void Router::routesFrom(std::uint32_t from, std::span<const std::uint32_t> targets,
                        Scratch& scratch, std::vector<std::vector<std::uint32_t>>& paths,
                        std::vector<double>& costs) const {
  const std::size_t n = net_.edges.size();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  paths.assign(targets.size(), {});
  costs.assign(targets.size(), kInf);
  if (from >= n)
    return;
  // the targets in the router's order, sorted
  std::vector<std::uint32_t> pending;
  pending.reserve(targets.size());
  for (std::uint32_t t : targets) {
    if (t < n)
      pending.push_back(rank_[t]);
  }
  std::sort(pending.begin(), pending.end());
  pending.erase(std::unique(pending.begin(), pending.end()), pending.end());
  std::size_t left = pending.size();
  std::vector<Scratch::Node>& node = scratch.node;
  scratch.begin(n);
  const std::uint32_t query = scratch.query;
  auto cost = [&](std::uint32_t e) { return node[e].stamp == query ? node[e].g : kInf; };
  using Item = std::pair<double, std::uint64_t>;
  // ties broken by the network's edge index (key()), as in route()
  std::priority_queue<Item, std::vector<Item>, std::greater<>> open;
  const std::uint32_t src = rank_[from];
  node[src].stamp = query;
  node[src].g = icost_[src];
  node[src].prev = kNone;
  open.emplace(node[src].g, key(src));
  while (!open.empty() && left > 0) {
    const auto [d, k0] = open.top();
    open.pop();
    const auto e = static_cast<std::uint32_t>(k0);
    if (d > cost(e))
      continue;  // stale
    if (std::binary_search(pending.begin(), pending.end(), e))
      --left;  // settled: each edge leaves the heap once at its final cost
    // along a chain without the heap: an edge with one way in is settled with its predecessor
    std::uint32_t cur = e;
    double dc = d;
    while (chainNext_[cur] != kNone && left > 0) {
      const std::uint32_t nx = chainNext_[cur];
      const double cand = dc + succCross_[succBegin_[cur]] + icost_[nx];
      if (!(cand < cost(nx))) {
        cur = kNone;
        break;
      }
      node[nx].stamp = query;
      node[nx].g = cand;
      node[nx].prev = cur;
      if (std::binary_search(pending.begin(), pending.end(), nx))
        --left;
      cur = nx;
      dc = cand;
    }
    if (cur == kNone || left == 0)
      continue;
    for (std::uint32_t k = succBegin_[cur]; k < succBegin_[cur + 1]; ++k) {
      const std::uint32_t nx = succEdge_[k];
      const double cand = dc + succCross_[k] + icost_[nx];
      if (cand < cost(nx)) {
        node[nx].stamp = query;
        node[nx].g = cand;
        node[nx].prev = cur;
        open.emplace(cand, key(nx));
      }
    }
  }
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (targets[i] >= n)
      continue;
    const std::uint32_t to = rank_[targets[i]];
    if (!std::isfinite(cost(to)))
      continue;
    costs[i] = node[to].g;
    std::vector<std::uint32_t>& path = paths[i];
    for (std::uint32_t e = to; e != kNone; e = node[e].prev) {
      path.push_back(perm_[e]);
      if (e == src)
        break;
    }
    std::reverse(path.begin(), path.end());
  }
}

}  // namespace twin::traffic
