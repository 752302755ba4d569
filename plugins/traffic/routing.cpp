// SPDX-License-Identifier: Apache-2.0
#include "routing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <stdexcept>
#include <string>

namespace twin::traffic {

void Router::Scratch::begin(std::size_t n) {
  if (g.size() != n) {
    g.assign(n, 0);
    h.assign(n, 0);
    prev.assign(n, kNone);
    stamp.assign(n, 0);
    query = 0;
  }
  if (++query == 0) {
    std::fill(stamp.begin(), stamp.end(), 0);
    query = 1;
  }
}

Router::Router(const Network& net) : net_(net) {
  cost_.resize(net.edges.size());
  for (std::size_t e = 0; e < net.edges.size(); ++e) {
    const Edge& edge = net.edges[e];
    cost_[e] = edge.length / std::max(0.1, edge.speed);
    maxSpeed_ = std::max(maxSpeed_, edge.speed);
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
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t e = 0; e < n; ++e) {
      if (std::isfinite(fromL[i][e]))
        lm->from[e * count + i] = fromL[i][e];
      if (std::isfinite(toL[i][e]))
        lm->to[e * count + i] = toL[i][e];
    }
  }
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
  const auto& target = net_.edges[to].shape;
  const double tx = target.empty() ? 0 : target.back()[0];
  const double ty = target.empty() ? 0 : target.back()[1];
  // a margin of 1.5 on the speed keeps it admissible where a file's lengths are a little
  // shorter than the drawn geometry
  const double inv = 1.0 / (1.5 * maxSpeed_);
  // ALT: d(e, t) >= d(L, t) - d(L, e) and d(e, t) >= d(e, L) - d(t, L) for every landmark L
  const std::size_t nl = lm_ ? lm_->count : 0;
  const double* fromT = nl > 0 ? lm_->from.data() + std::size_t{to} * nl : nullptr;
  const double* toT = nl > 0 ? lm_->to.data() + std::size_t{to} * nl : nullptr;
  auto h = [&](std::uint32_t e) {
    const auto& s = net_.edges[e].shape;
    double best = 0;
    if (!s.empty()) {
      const double dx = s.back()[0] - tx, dy = s.back()[1] - ty;
      best = std::sqrt(dx * dx + dy * dy) * inv;
    }
    if (nl > 0) {
      const double* fE = lm_->from.data() + std::size_t{e} * nl;
      const double* tE = lm_->to.data() + std::size_t{e} * nl;
      for (std::size_t i = 0; i < nl; ++i)
        best = std::max(best, std::max(fromT[i] - fE[i], tE[i] - toT[i]));
    }
    return best;
  };
  // the caller's scratch, reset lazily by a query stamp (no O(n) clearing per query); an edge
  // is stamped when first reached, with its heuristic computed once
  std::vector<double>& g = scratch.g;
  std::vector<double>& hv = scratch.h;
  std::vector<std::uint32_t>& prev = scratch.prev;
  std::vector<std::uint32_t>& stamp = scratch.stamp;
  std::uint32_t& query = scratch.query;
  scratch.begin(n);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  auto reach = [&](std::uint32_t e) {
    if (stamp[e] != query) {
      stamp[e] = query;
      g[e] = kInf;
      hv[e] = h(e);
    }
  };
  using Item = std::pair<double, std::uint32_t>;
  // ties broken by edge index: the result does not depend on heap internals
  std::priority_queue<Item, std::vector<Item>, std::greater<>> open;
  reach(from);
  g[from] = cost_[from];
  prev[from] = kNone;
  open.emplace(g[from] + hv[from], from);
  while (!open.empty()) {
    const auto [f, e] = open.top();
    open.pop();
    if (f > g[e] + hv[e] + 1e-9)
      continue;  // stale
    if (e == to)
      break;
    for (std::uint32_t k = succBegin_[e]; k < succBegin_[e + 1]; ++k) {
      const std::uint32_t nx = succEdge_[k];
      const double cand = g[e] + succCross_[k] + cost_[nx];
      reach(nx);
      if (cand < g[nx] - 1e-12) {
        g[nx] = cand;
        prev[nx] = e;
        open.emplace(cand + hv[nx], nx);
      }
    }
  }
  if (stamp[to] != query || !std::isfinite(g[to]))
    return {};
  std::vector<std::uint32_t> path;
  for (std::uint32_t e = to; e != kNone; e = prev[e]) {
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
  std::vector<double>& g = scratch.g;
  std::vector<std::uint32_t>& prev = scratch.prev;
  std::vector<std::uint32_t>& stamp = scratch.stamp;
  std::uint32_t& query = scratch.query;
  scratch.begin(n);
  auto cost = [&](std::uint32_t e) { return stamp[e] == query ? g[e] : kInf; };
  using Item = std::pair<double, std::uint32_t>;
  // ties broken by edge index: the result does not depend on heap internals
  std::priority_queue<Item, std::vector<Item>, std::greater<>> open;
  stamp[from] = query;
  g[from] = cost_[from];
  prev[from] = kNone;
  open.emplace(g[from], from);
  while (!open.empty() && left > 0) {
    const auto [d, e] = open.top();
    open.pop();
    if (d > cost(e))
      continue;  // stale
    if (std::binary_search(pending.begin(), pending.end(), e))
      --left;  // settled: each edge leaves the heap once at its final cost
    for (std::uint32_t k = succBegin_[e]; k < succBegin_[e + 1]; ++k) {
      const std::uint32_t nx = succEdge_[k];
      const double cand = d + succCross_[k] + cost_[nx];
      if (cand < cost(nx)) {
        stamp[nx] = query;
        g[nx] = cand;
        prev[nx] = e;
        open.emplace(cand, nx);
      }
    }
  }
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const std::uint32_t to = targets[i];
    if (to >= n || !std::isfinite(cost(to)))
      continue;
    costs[i] = g[to];
    std::vector<std::uint32_t>& path = paths[i];
    for (std::uint32_t e = to; e != kNone; e = prev[e]) {
      path.push_back(e);
      if (e == from)
        break;
    }
    std::reverse(path.begin(), path.end());
  }
}

}  // namespace twin::traffic
