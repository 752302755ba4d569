// SPDX-License-Identifier: Apache-2.0
// Road closures: edges closed to through traffic for a time span (roadworks, an accident, an
// event). When a road closes, every vehicle that would still enter it gets the fastest detour
// on the empty network from the edge it is committed to: vehicles on the road (from their
// edge, or beyond the junction they are crossing) and trips due to start before the road
// reopens (from their first edge). A vehicle that cannot avoid it (its origin or destination,
// or the only way) keeps its route, is counted, and drives it as access traffic. Detours stay
// after the road reopens; trips routed later use the road again.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "demand.hpp"
#include "network.hpp"
#include "routing.hpp"
#include "sim.hpp"

namespace twin::traffic {

struct Closure {
  std::vector<std::uint32_t> edges;
  std::vector<std::string> inside;  // named links inside joined junctions (no edges)
  double from = 0, to = 0;          // s since the start: closed in [from, to)
};

// "EDGE[+EDGE...] FROM TO" with times such as 7h, 90min or 25200s since the start; throws
// std::runtime_error naming the entry
Closure parseClosure(const Network& net, const std::string& entry);

class RoadClosures {
 public:
  RoadClosures(const Network& net, std::vector<Closure> closures);
  bool empty() const { return closures_.empty(); }
  // Opens and closes roads at time t and reroutes (appending detours to demand.routeEdges);
  // detours are searched with `parallel`, applied in vehicle order. Returns log lines.
  std::vector<std::string> apply(double t, Demand& demand, Simulation& sim,
                                 const ParallelFor& parallel);
  void setLandmarks(const std::shared_ptr<const Landmarks>& lm) {
    freeFlow_.setLandmarks(lm);
    router_.setLandmarks(lm);
  }
  std::size_t rerouted() const { return rerouted_; }
  // sets the cost of every edge closed now so high that routes avoid it where they can
  void bar(std::vector<double>& edgeCost) const;
  std::size_t unavoidable() const { return unavoidable_; }

  void loadState(const std::vector<std::uint8_t>& active, std::size_t rerouted,
                 std::size_t unavoidable);
  const std::vector<std::uint8_t>& active() const { return active_; }

 private:
  void updateCosts();
  const Network& net_;
  std::vector<Closure> closures_;
  std::vector<std::uint8_t> active_;
  std::size_t rerouted_ = 0, unavoidable_ = 0;
  Router freeFlow_, router_;  // the empty network's costs; the same with closed edges barred
};

}  // namespace twin::traffic
