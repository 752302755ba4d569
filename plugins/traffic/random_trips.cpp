// SPDX-License-Identifier: Apache-2.0
#include "random_trips.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "twin/plugin.hpp"

namespace twin::traffic {

Demand randomDemand(const Network& net, std::size_t count, double period, double minDistance,
                    std::uint64_t seed) {
  std::vector<double> cumulative;
  double total = 0;
  // only edges every other edge can be reached from and reaches
  for (const Edge& e : net.edges) {
    total += e.mainComponent ? e.length : 0.0;
    cumulative.push_back(total);
  }
  if (net.edges.size() < 2 || !(total > 0))
    throw std::runtime_error("random trips need a network of at least two edges");
  Demand d;
  auto draw = [&](sdk::EntityRandom& rng) {
    const double u = rng.uniform() * total;
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
    return static_cast<std::uint32_t>(std::min<std::size_t>(
        static_cast<std::size_t>(it - cumulative.begin()), net.edges.size() - 1));
  };
  for (std::size_t i = 0; i < count; ++i) {
    sdk::EntityRandom rng(seed, "traffic.random_trips", i);
    std::uint32_t from = 0, to = 0;
    for (int attempt = 0; attempt < 1000; ++attempt) {
      from = draw(rng);
      to = draw(rng);
      const auto& a = net.edges[from].shape;
      const auto& b = net.edges[to].shape;
      const double dist = a.empty() || b.empty()
                              ? 0.0
                              : std::hypot(b.back()[0] - a.front()[0], b.back()[1] - a.front()[1]);
      if (from != to && dist >= minDistance)
        break;
    }
    Trip t;
    t.id = "r" + std::to_string(i);
    t.depart = count > 0 ? period * static_cast<double>(i) / static_cast<double>(count) : 0.0;
    t.routeBegin = static_cast<std::uint32_t>(d.routeEdges.size());
    d.routeEdges.push_back(from);
    d.routeEdges.push_back(to);
    t.routeEnd = static_cast<std::uint32_t>(d.routeEdges.size());
    d.trips.push_back(std::move(t));
  }
  return d;
}

}  // namespace twin::traffic
