// SPDX-License-Identifier: Apache-2.0
#include "routing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

namespace twin::traffic {

void Router::Scratch::begin(std::size_t n) {
  if (g.size() != n) {
    g.assign(n, 0);
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
  auto h = [&](std::uint32_t e) {
    const auto& s = net_.edges[e].shape;
    if (s.empty())
      return 0.0;
    const double dx = s.back()[0] - tx, dy = s.back()[1] - ty;
    return std::sqrt(dx * dx + dy * dy) * inv;
  };
  // the caller's scratch, reset lazily by a query stamp (no O(n) clearing per query)
  std::vector<double>& g = scratch.g;
  std::vector<std::uint32_t>& prev = scratch.prev;
  std::vector<std::uint32_t>& stamp = scratch.stamp;
  std::uint32_t& query = scratch.query;
  scratch.begin(n);
  auto cost = [&](std::uint32_t e) {
    return stamp[e] == query ? g[e] : std::numeric_limits<double>::infinity();
  };
  auto set = [&](std::uint32_t e, double v, std::uint32_t p) {
    stamp[e] = query;
    g[e] = v;
    prev[e] = p;
  };
  using Item = std::pair<double, std::uint32_t>;
  // ties broken by edge index: the result does not depend on heap internals
  std::priority_queue<Item, std::vector<Item>, std::greater<>> open;
  set(from, cost_[from], kNone);
  open.emplace(g[from] + h(from), from);
  while (!open.empty()) {
    const auto [f, e] = open.top();
    open.pop();
    if (f > cost(e) + h(e) + 1e-9)
      continue;  // stale
    if (e == to)
      break;
    for (std::uint32_t k = succBegin_[e]; k < succBegin_[e + 1]; ++k) {
      const std::uint32_t nx = succEdge_[k];
      const double cand = g[e] + succCross_[k] + cost_[nx];
      if (cand < cost(nx) - 1e-12) {
        set(nx, cand, e);
        open.emplace(cand + h(nx), nx);
      }
    }
  }
  if (!std::isfinite(cost(to)))
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
