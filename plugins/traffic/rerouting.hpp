// SPDX-License-Identifier: Apache-2.0
// Route choice while running: vehicles with a routing device take the fastest route under the
// travel times measured on the network now, at departure and every `period` en route, as
// Eclipse SUMO's rerouting device does (device.rerouting; SUMO documentation, "Demand/Automatic
// Routing": SUMO's route choice without iterating to a user equilibrium, here with the same
// meaning of probability, period and adaptation). An edge's travel time is its length over the
// moving average of the
// mean speed its vehicles drove in the last `adaptation_steps` intervals of
// `adaptation_interval` (SUMO: 180 samples of 1 s); an interval without vehicles counts at
// the speed limit. This spreads a day's demand over the network as queues grow, where routes
// fixed on the empty network send everyone down the same roads.
//
// Independently, a vehicle that has stood `stuck_after` seconds at the end of its lane takes the
// fastest route that goes on from the lane it is in: when its route cannot go on from that lane
// (it found no gap into the lane it needs), as a driver who misses a turn does, and when it has
// waited in vain for room or a gap ahead (not at a red light), by another way than the one it
// waited for. It tries again after each further `stuck_after`.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "closures.hpp"
#include "demand.hpp"
#include "network.hpp"
#include "routing.hpp"
#include "sim.hpp"
#include "twin/plugin.hpp"

namespace twin::traffic {

struct ReroutingParams {
  double probability = 0;          // share of vehicles with a routing device
  double period = 300;             // s between reroutes en route; 0: at departure only
  double adaptationInterval = 10;  // s between samples of the edges' speeds
  std::uint32_t adaptationSteps = 18;
  double stuckAfter = 0;  // s; 0: a stuck vehicle waits (and teleports)
  // a vehicle this close to its lane's end (m) keeps the next edge of its route: it has
  // chosen its lane for it
  double commitDistance = 50;
  std::uint64_t seed = 0;
};

class Rerouter {
 public:
  Rerouter(const Network& net, ReroutingParams p,
           std::shared_ptr<const Landmarks> landmarks = nullptr);
  bool enabled() const { return p_.probability > 0 || p_.stuckAfter > 0; }
  // whether vehicle v has a routing device (drawn from the seed, the same in every run)
  bool equipped(std::uint32_t v) const;

  // Between steps, before the simulation advances to t (step dt): samples the edges' speeds
  // when an adaptation interval has ended, then reroutes the equipped trips departing in
  // (t - dt, t] (demand.trips[0, baseTrips) are sorted by departure), the equipped running
  // vehicles due en route, and the vehicles stuck off their route. New routes are appended to
  // demand.routeEdges; searches run with `parallel`, results apply in vehicle order.
  void apply(double t, double dt, std::size_t baseTrips, Demand& demand, Simulation& sim,
             const RoadClosures& closures, const ParallelFor& parallel);

  std::size_t atDeparture() const { return atDeparture_; }  // route changes at departure
  std::size_t enRoute() const { return enRoute_; }          // route changes en route
  std::size_t unstuck() const { return unstuck_; }          // stuck vehicles given a route on
  // the current travel time estimate of an edge (s)
  double edgeTime(std::uint32_t e) const { return router_.costs()[e]; }

  void save(sdk::StateWriter& w) const;
  void load(sdk::StateReader& r);

 private:
  void sample(const Simulation& sim, const RoadClosures& closures, const ParallelFor& parallel);
  void updateCosts(const RoadClosures& closures);  // from the ring, closed edges barred
  const Network& net_;
  ReroutingParams p_;
  Router router_;
  // state: per normal lane the simulation's running sums at the last sample; per edge the
  // last adaptationSteps mean speeds (m/s), a ring at ringPos_; when the next sample is due
  std::vector<double> snapSpeedSum_;
  std::vector<std::uint64_t> snapSteps_;
  std::vector<double> ring_;
  std::uint32_t ringPos_ = 0;
  double nextSample_ = 0;
  std::size_t atDeparture_ = 0, enRoute_ = 0, unstuck_ = 0;
  std::vector<Simulation::Running> running_;  // scratch
  // the equipped vehicles on the network by their insertion step modulo the period (en-route
  // rerouting: bucket k is due in the steps k, k + period, ...); derived, rebuilt after a load
  std::vector<std::vector<std::uint32_t>> buckets_;
  bool bucketsReady_ = false;
  // the searches' scratch, one per block running at once, kept between steps (sizing one is
  // a pass over every edge)
  std::vector<std::unique_ptr<Router::Scratch>> scratchPool_;
  std::mutex scratchMutex_;
  std::vector<std::uint8_t> closedAt_;  // the closures the costs were made with
  // per edge its travel time from the ring (closures not applied), and whether a sample
  // changed its ring since (derived from the ring: not part of the state)
  std::vector<double> base_;
  std::vector<std::uint8_t> changed_;
  std::vector<double> barCost_;  // per edge the closures' cost, NaN where open
  // per edge what the samples read, side by side: its lanes, speed limit (at least kMinSpeed),
  // length and free-flow time
  struct EdgeLanes {
    std::uint32_t first, count;
    double limit, length, freeFlow;
  };
  std::vector<EdgeLanes> edgeLanes_;
  // per edge the samples in its window other than its limit (derived from the ring, counted
  // again after a load): an edge with none and no vehicles since is skipped by a sample
  std::vector<std::uint16_t> slowSlots_;
  void countSlowSlots();
  bool fresh_ = false;  // the costs follow the ring (not after a load)
  // The departures' searches, made ahead for every trip that departs before the travel times
  // next change (the next sample): one parallel batch per sample interval instead of a search
  // or two per step. A search depends only on its two edges and the travel times, so a trip
  // takes the same route as when searched at its departure. Derived, not state: a path is
  // used only under the travel times it was searched with (costVersion_).
  struct Ahead {
    std::uint32_t v, from, to;
    std::vector<std::uint32_t> path;
  };
  std::vector<Ahead> ahead_;  // by trip index
  std::uint64_t costVersion_ = 0, aheadVersion_ = 0;
  std::size_t aheadEnd_ = 0;  // trips[0, aheadEnd_) were due before or are in ahead_
  void searchAhead(double t, double dt, std::size_t first, std::size_t baseTrips,
                   const Demand& demand, const Simulation& sim, const ParallelFor& parallel);
  std::unique_ptr<Router::Scratch> takeScratch();
  void giveScratch(std::unique_ptr<Router::Scratch> s);
};

}  // namespace twin::traffic
