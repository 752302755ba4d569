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

Router::Router(const Network& net) : net_(net) {
  cost_.resize(net.edges.size());
  end_.resize(net.edges.size());
  for (std::size_t e = 0; e < net.edges.size(); ++e) {
    const Edge& edge = net.edges[e];
    cost_[e] = edge.length / std::max(0.1, edge.speed);
    maxSpeed_ = std::max(maxSpeed_, edge.speed);
    if (!edge.shape.empty())
      end_[e] = {edge.shape.back()[0], edge.shape.back()[1], true};
  }
  succBegin_.assign(net.edges.size() + 1, 0);
  std::vector<std::vector<std::pair<std::uint32_t, double>>> succ(net.edges.size());
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
  for (std::size_t e = 0; e < succ.size(); ++e) {
    succBegin_[e] = static_cast<std::uint32_t>(succEdge_.size());
    for (auto& [to, t] : succ[e]) {
      succEdge_.push_back(to);
      succCross_.push_back(t);
    }
  }
  succBegin_[succ.size()] = static_cast<std::uint32_t>(succEdge_.size());
  freeFlow_ = cost_;
  // chains: an edge whose only way on is an edge with no other way in
  std::vector<std::uint32_t> predCount(net.edges.size(), 0);
  for (std::uint32_t nx : succEdge_)
    ++predCount[nx];
  chainNext_.assign(net.edges.size(), kNone);
  for (std::size_t e = 0; e < net.edges.size(); ++e) {
    if (succBegin_[e + 1] - succBegin_[e] == 1 && predCount[succEdge_[succBegin_[e]]] == 1)
      chainNext_[e] = succEdge_[succBegin_[e]];
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
  // predecessors, for the searches towards a landmark
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
  using Item = std::pair<double, std::uint32_t>;
  std::vector<double> dist(n);
  // free-flow times from (forward) or to (backward) edge L, not counting L itself
  auto search = [&](std::uint32_t L, bool forward) {
    std::fill(dist.begin(), dist.end(), kInf);
    std::priority_queue<Item, std::vector<Item>, std::greater<>> open;
    dist[L] = 0;
    open.emplace(0.0, L);
    while (!open.empty()) {
      const auto [d, e] = open.top();
      open.pop();
      if (d > dist[e])
        continue;
      if (forward) {
        for (std::uint32_t k = ff.succBegin_[e]; k < ff.succBegin_[e + 1]; ++k) {
          const std::uint32_t nx = ff.succEdge_[k];
          const double c = d + ff.succCross_[k] + ff.freeFlow_[nx];
          if (c < dist[nx]) {
            dist[nx] = c;
            open.emplace(c, nx);
          }
        }
      } else {
        // e is reached from p over the crossing into e and e itself
        for (std::uint32_t k = predBegin[e]; k < predBegin[e + 1]; ++k) {
          const std::uint32_t p = predEdge[k];
          const double c = d + predCross[k] + ff.freeFlow_[e];
          if (c < dist[p]) {
            dist[p] = c;
            open.emplace(c, p);
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
  std::vector<std::vector<double>> fromL, toL;
  std::vector<double> nearest(n, kInf);
  std::uint32_t next = first;
  for (std::size_t i = 0; i < count; ++i) {
    lm->edges.push_back(next);
    search(next, true);
    fromL.push_back(dist);
    search(next, false);
    toL.push_back(dist);
    for (std::size_t e = 0; e < n; ++e)
      nearest[e] = std::min(nearest[e], std::min(fromL.back()[e], toL.back()[e]));
    double best = 0;
    for (std::uint32_t e = 0; e < n; ++e) {
      if (net.edges[e].mainComponent && std::isfinite(nearest[e]) && nearest[e] > best) {
        best = nearest[e];
        next = e;
      }
    }
    if (best <= 0)
      break;
  }
  count = lm->edges.size();
  lm->count = count;
  lm->from.assign(n * count, kUnreached);
  lm->to.assign(n * count, kUnreached);
  double largest = 0;
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t e = 0; e < n; ++e) {
      if (std::isfinite(fromL[i][e])) {
        lm->from[e * count + i] = static_cast<float>(fromL[i][e]);
        largest = std::max(largest, fromL[i][e]);
      }
      if (std::isfinite(toL[i][e])) {
        lm->to[e * count + i] = static_cast<float>(toL[i][e]);
        largest = std::max(largest, toL[i][e]);
      }
    }
  }
  // an entry is off by at most 2^-24 of the largest, so a bound (two entries, their difference
  // and the slack taken off, each rounded in single precision) by at most 2^-22 of it: 2^-20
  // covers that four times over
  lm->slack = largest * std::ldexp(1.0, -20);
  return lm;
}

double Router::crossingTime(std::uint32_t from, std::uint32_t to) const {
  for (std::uint32_t k = succBegin_[from]; k < succBegin_[from + 1]; ++k) {
    if (succEdge_[k] == to)
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
      for (std::uint32_t k = succBegin_[route[i]]; k < succBegin_[route[i] + 1]; ++k) {
        if (succEdge_[k] == route[i + 1])
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
  // the heuristic: straight line from an edge's end to the target's end at the top speed
  const EndPoint target = end_[to];
  // a margin of 1.5 on the speed keeps it admissible where a file's lengths are a little
  // shorter than the drawn geometry
  const double inv = 1.0 / (1.5 * maxSpeed_);
  // ALT: d(e, t) >= d(L, t) - d(L, e) and d(e, t) >= d(e, L) - d(t, L) for every landmark L
  const std::size_t nl = lm_ ? lm_->count : 0;
  const float* fromT = nl > 0 ? lm_->from.data() + std::size_t{to} * nl : nullptr;
  const float* toT = nl > 0 ? lm_->to.data() + std::size_t{to} * nl : nullptr;
  const float slack = nl > 0 ? static_cast<float>(lm_->slack) : 0.0f;
  auto h = [&](std::uint32_t e) {
    const EndPoint& p = end_[e];
    double best = 0;
    if (p.hasEnd && target.hasEnd) {
      const double dx = p.x - target.x, dy = p.y - target.y;
      best = std::sqrt(dx * dx + dy * dy) * inv;
    }
    if (nl > 0) {
      const float* fE = lm_->from.data() + std::size_t{e} * nl;
      const float* tE = lm_->to.data() + std::size_t{e} * nl;
      float lmBest = 0;
      std::size_t i = 0;
#if defined(__SSE2__)
      // four landmarks at a time (the same differences, and max is exact: the same bound)
      __m128 acc = _mm_setzero_ps();
      for (; i + 4 <= nl; i += 4) {
        const __m128 a = _mm_sub_ps(_mm_loadu_ps(fromT + i), _mm_loadu_ps(fE + i));
        const __m128 b = _mm_sub_ps(_mm_loadu_ps(tE + i), _mm_loadu_ps(toT + i));
        acc = _mm_max_ps(acc, _mm_max_ps(a, b));
      }
      alignas(16) float lanes[4];
      _mm_store_ps(lanes, acc);
      lmBest = std::max(std::max(lanes[0], lanes[1]), std::max(lanes[2], lanes[3]));
#endif
      for (; i < nl; ++i)
        lmBest = std::max(lmBest, std::max(fromT[i] - fE[i], tE[i] - toT[i]));
      best = std::max(best, static_cast<double>(lmBest - slack));
    }
    return best;
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
  using Item = std::pair<double, std::uint32_t>;
  // ties broken by edge index: the result does not depend on heap internals
  std::priority_queue<Item, std::vector<Item>, std::greater<>> open;
  {
    Scratch::Node& s = reach(from);
    s.g = cost_[from];
    s.prev = kNone;
    open.emplace(s.g + s.h, from);
  }
  while (!open.empty()) {
    const auto [f, e] = open.top();
    open.pop();
    const Scratch::Node& x = node[e];
    if (f > x.g + x.h + 1e-9)
      continue;  // stale
    if (e == to)
      break;
    // along a chain without the heap: an edge with one way in is final with its predecessor
    // (its heuristic is not needed: the target's is 0)
    std::uint32_t cur = e;
    double ge = x.g;
    while (chainNext_[cur] != kNone && cur != to) {
      const std::uint32_t nx = chainNext_[cur];
      const double cand = ge + succCross_[succBegin_[cur]] + cost_[nx];
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
    if (cur == to) {
      open.emplace(ge, to);
      continue;
    }
    for (std::uint32_t k = succBegin_[cur]; k < succBegin_[cur + 1]; ++k) {
      const std::uint32_t nx = succEdge_[k];
      const double cand = ge + succCross_[k] + cost_[nx];
      Scratch::Node& y = reach(nx);
      if (cand < y.g - 1e-12) {
        y.g = cand;
        y.prev = cur;
        open.emplace(cand + y.h, nx);
      }
    }
  }
  if (node[to].stamp != query || !std::isfinite(node[to].g))
    return {};
  std::vector<std::uint32_t> path;
  for (std::uint32_t e = to; e != kNone; e = node[e].prev) {
    path.push_back(e);
    if (e == from)
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
  std::vector<std::uint32_t> pending(targets.begin(), targets.end());
  std::sort(pending.begin(), pending.end());
  pending.erase(std::unique(pending.begin(), pending.end()), pending.end());
  while (!pending.empty() && pending.back() >= n)
    pending.pop_back();
  std::size_t left = pending.size();
  std::vector<Scratch::Node>& node = scratch.node;
  scratch.begin(n);
  const std::uint32_t query = scratch.query;
  auto cost = [&](std::uint32_t e) { return node[e].stamp == query ? node[e].g : kInf; };
  using Item = std::pair<double, std::uint32_t>;
  // ties broken by edge index: the result does not depend on heap internals
  std::priority_queue<Item, std::vector<Item>, std::greater<>> open;
  node[from].stamp = query;
  node[from].g = cost_[from];
  node[from].prev = kNone;
  open.emplace(node[from].g, from);
  while (!open.empty() && left > 0) {
    const auto [d, e] = open.top();
    open.pop();
    if (d > cost(e))
      continue;  // stale
    if (std::binary_search(pending.begin(), pending.end(), e))
      --left;  // settled: each edge leaves the heap once at its final cost
    // along a chain without the heap: an edge with one way in is settled with its predecessor
    std::uint32_t cur = e;
    double dc = d;
    while (chainNext_[cur] != kNone && left > 0) {
      const std::uint32_t nx = chainNext_[cur];
      const double cand = dc + succCross_[succBegin_[cur]] + cost_[nx];
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
      const double cand = dc + succCross_[k] + cost_[nx];
      if (cand < cost(nx)) {
        node[nx].stamp = query;
        node[nx].g = cand;
        node[nx].prev = cur;
        open.emplace(cand, nx);
      }
    }
  }
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const std::uint32_t to = targets[i];
    if (to >= n || !std::isfinite(cost(to)))
      continue;
    costs[i] = node[to].g;
    std::vector<std::uint32_t>& path = paths[i];
    for (std::uint32_t e = to; e != kNone; e = node[e].prev) {
      path.push_back(e);
      if (e == from)
        break;
    }
    std::reverse(path.begin(), path.end());
  }
}

}  // namespace twin::traffic
