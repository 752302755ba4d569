// SPDX-License-Identifier: Apache-2.0
#include "closures.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace twin::traffic {

namespace {

// the cost that keeps a closed edge out of every route that can avoid it (s)
constexpr double kClosedCost = 1e9;

// "7h", "90min", "25200s", "1.5h": seconds since the scenario start
double parseSpan(const std::string& text, const std::string& entry) {
  std::size_t n = 0;
  double v = 0;
  try {
    v = std::stod(text, &n);
  } catch (const std::exception&) {
    n = 0;
  }
  const std::string unit = text.substr(n);
  const double scale = unit == "s" ? 1.0 : unit == "min" ? 60.0 : unit == "h" ? 3600.0 : -1.0;
  if (n == 0 || scale < 0 || !std::isfinite(v) || v < 0)
    throw std::runtime_error("closures: '" + entry + "': '" + text +
                             "' is not a time since the start such as 7h, 90min or 25200s");
  return v * scale;
}

}  // namespace

Closure parseClosure(const Network& net, const std::string& entry) {
  std::stringstream in(entry);
  std::string edges, from, to, extra;
  in >> edges >> from >> to;
  if (edges.empty() || to.empty() || (in >> extra))
    throw std::runtime_error("closures: '" + entry +
                             "' is not 'EDGES FROM TO' (e.g. 'L812+L813 7h 10h')");
  Closure cl;
  std::stringstream ids(edges);
  for (std::string id; std::getline(ids, id, '+');) {
    const std::uint32_t e = net.findEdge(id);
    if (e == kNone && net.absorbed.contains(id)) {
      // a short link inside a joined junction: the closed roads into and out of it close it
      cl.inside.push_back(id);
      continue;
    }
    if (e == kNone)
      throw std::runtime_error("closures: '" + entry + "': no edge '" + id +
                               "' in the network (a city network's edge of road link N is LN)");
    cl.edges.push_back(e);
  }
  if (cl.edges.empty())
    throw std::runtime_error(
        "closures: '" + entry + "': " + cl.inside.front() + " lies inside the joined junction n" +
        std::to_string(net.absorbed.at(cl.inside.front())) + "; close the roads into it instead");
  cl.from = parseSpan(from, entry);
  cl.to = parseSpan(to, entry);
  if (!(cl.to > cl.from))
    throw std::runtime_error("closures: '" + entry + "': it must end after it begins");
  return cl;
}

RoadClosures::RoadClosures(const Network& net, std::vector<Closure> closures)
    : net_(net),
      closures_(std::move(closures)),
      active_(closures_.size(), 0),
      freeFlow_(net),
      router_(net) {}

void RoadClosures::bar(std::vector<double>& edgeCost) const {
  for (std::size_t i = 0; i < closures_.size(); ++i) {
    if (active_[i] != 0) {
      for (std::uint32_t e : closures_[i].edges)
        edgeCost[e] = kClosedCost;
    }
  }
}

void RoadClosures::updateCosts() {
  std::vector<double> cost = freeFlow_.costs();
  bar(cost);
  router_.setCosts(std::move(cost));
}

std::vector<std::string> RoadClosures::apply(double t, Demand& demand, Simulation& sim,
                                             const ParallelFor& parallel) {
  std::vector<std::string> log;
  bool closing = false, changed = false;
  double reopens = 0;
  for (std::size_t i = 0; i < closures_.size(); ++i) {
    const std::uint8_t now = t >= closures_[i].from && t < closures_[i].to ? 1 : 0;
    if (now != active_[i]) {
      changed = true;
      closing = closing || now != 0;
      active_[i] = now;
      log.push_back(std::string(now != 0 ? "road closed" : "road reopened") +
                    " at t = " + std::to_string(static_cast<long long>(t)) +
                    " s: " + std::to_string(closures_[i].edges.size()) + " edge(s) from " +
                    net_.edges[closures_[i].edges.front()].id);
    }
    if (active_[i] != 0)
      reopens = std::max(reopens, closures_[i].to);
  }
  if (!changed)
    return log;
  updateCosts();
  if (!closing)
    return log;
  std::vector<std::uint8_t> closed(net_.edges.size(), 0);
  for (std::size_t i = 0; i < closures_.size(); ++i) {
    if (active_[i] != 0) {
      for (std::uint32_t e : closures_[i].edges)
        closed[e] = 1;
    }
  }
  // the vehicles to reroute and the index of the route edge each is committed to
  std::vector<std::pair<std::uint32_t, std::uint32_t>> todo;
  for (std::uint32_t v = 0; v < demand.trips.size(); ++v) {
    const std::uint8_t st = sim.status(v);
    if (st == 2 || st == 4 || (st == 0 && demand.trips[v].depart >= reopens))
      continue;
    const auto route = sim.route(v);
    const std::uint32_t keep = st == 0 ? 0 : sim.routePos(v) + (sim.onJunction(v) ? 1 : 0);
    bool hits = false;
    for (std::size_t k = std::size_t{keep} + 1; k < route.size() && !hits; ++k)
      hits = closed[route[k]] != 0;
    if (hits)
      todo.emplace_back(v, keep);
  }
  std::vector<std::vector<std::uint32_t>> detours(todo.size());
  parallel(todo.size(), [&](std::size_t b, std::size_t e) {
    Router::Scratch scratch;
    for (std::size_t i = b; i < e; ++i) {
      const auto route = sim.route(todo[i].first);
      detours[i] = router_.route(route[todo[i].second], route.back(), scratch);
    }
  });
  std::size_t moved = 0, cannot = 0;
  for (std::size_t i = 0; i < todo.size(); ++i) {
    const auto [v, keep] = todo[i];
    const std::vector<std::uint32_t>& d = detours[i];
    if (d.empty() || router_.routeCost(d) >= kClosedCost) {
      ++cannot;
      continue;
    }
    const auto old = sim.route(v);
    const std::vector<std::uint32_t> prefix(old.begin(), old.begin() + keep);
    const auto begin = static_cast<std::uint32_t>(demand.routeEdges.size());
    demand.routeEdges.insert(demand.routeEdges.end(), prefix.begin(), prefix.end());
    demand.routeEdges.insert(demand.routeEdges.end(), d.begin(), d.end());
    const auto length = static_cast<std::uint32_t>(demand.routeEdges.size() - begin);
    sim.reroute(v, begin, length, sim.status(v) == 0 ? 0 : sim.routePos(v));
    ++moved;
  }
  rerouted_ += moved;
  unavoidable_ += cannot;
  log.push_back(std::to_string(moved) + " vehicles rerouted around the closure, " +
                std::to_string(cannot) + " cannot avoid it");
  return log;
}

void RoadClosures::loadState(const std::vector<std::uint8_t>& active, std::size_t rerouted,
                             std::size_t unavoidable) {
  if (active.size() != closures_.size())
    throw std::runtime_error("traffic state: saved with other road closures");
  active_ = active;
  rerouted_ = rerouted;
  unavoidable_ = unavoidable;
  updateCosts();
}

}  // namespace twin::traffic
