// SPDX-License-Identifier: Apache-2.0
#include "routing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

namespace twin::traffic {

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

std::vector<std::uint32_t> Router::route(std::uint32_t from, std::uint32_t to) const {
  const std::size_t n = net_.edges.size();
  if (from >= n || to >= n)
    return {};
  // the heuristic: straight line from an edge's end to the target's end at the top speed
  const auto& target = net_.edges[to].shape;
  const double tx = target.empty() ? 0 : target.back()[0];
  const double ty = target.empty() ? 0 : target.back()[1];
  auto h = [&](std::uint32_t e) {
    const auto& s = net_.edges[e].shape;
    if (s.empty())
      return 0.0;
    // a margin of 1.5 on the speed keeps it admissible where a file's lengths are a little
    // shorter than the drawn geometry
    return std::hypot(s.back()[0] - tx, s.back()[1] - ty) / (1.5 * maxSpeed_);
  };
  // g: cost to the end of edge e
  std::vector<double> g(n, std::numeric_limits<double>::infinity());
  std::vector<std::uint32_t> prev(n, kNone);
  using Item = std::pair<double, std::uint32_t>;
  // ties broken by edge index: the result does not depend on heap internals
  std::priority_queue<Item, std::vector<Item>, std::greater<>> open;
  g[from] = cost_[from];
  open.emplace(g[from] + h(from), from);
  while (!open.empty()) {
    const auto [f, e] = open.top();
    open.pop();
    if (f > g[e] + h(e) + 1e-9)
      continue;  // stale
    if (e == to)
      break;
    for (std::uint32_t k = succBegin_[e]; k < succBegin_[e + 1]; ++k) {
      const std::uint32_t nx = succEdge_[k];
      const double cand = g[e] + succCross_[k] + cost_[nx];
      if (cand < g[nx] - 1e-12) {
        g[nx] = cand;
        prev[nx] = e;
        open.emplace(cand + h(nx), nx);
      }
    }
  }
  if (!std::isfinite(g[to]))
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

}  // namespace twin::traffic
