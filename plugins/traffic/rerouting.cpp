// SPDX-License-Identifier: Apache-2.0
#include "rerouting.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace twin::traffic {

namespace {

// the lowest speed an edge's travel time is computed with (m/s): a queue that stood still for
// the whole window costs length / 0.1 m/s, as the router's free-flow cost of a 0 speed limit
constexpr double kMinSpeed = 0.1;

}  // namespace

Rerouter::Rerouter(const Network& net, ReroutingParams p,
                   std::shared_ptr<const Landmarks> landmarks)
    : net_(net), p_(p), router_(net) {
  router_.setLandmarks(std::move(landmarks));
  if (!(p_.probability >= 0 && p_.probability <= 1))
    throw std::runtime_error("rerouting.probability must be between 0 and 1");
  if (!(p_.period >= 0))
    throw std::runtime_error("rerouting.period must be 0 (at departure only) or positive");
  if (!(p_.adaptationInterval > 0))
    throw std::runtime_error("rerouting.adaptation_interval must be positive");
  if (p_.adaptationSteps < 1 || p_.adaptationSteps > 10000)
    throw std::runtime_error("rerouting.adaptation_steps must be between 1 and 10,000");
  if (!(p_.stuckAfter >= 0))
    throw std::runtime_error("rerouting.stuck_after must be 0 (off) or positive");
  changed_.assign(net.edges.size(), 0);
  edgeLanes_.reserve(net.edges.size());
  for (const Edge& e : net.edges)
    edgeLanes_.push_back({e.firstLane, e.laneCount, std::max(kMinSpeed, e.speed), e.length,
                          e.length / std::max(0.1, e.speed)});
  snapSpeedSum_.assign(net.normalLaneCount, 0.0);
  snapSteps_.assign(net.normalLaneCount, 0);
  ring_.resize(net.edges.size() * p_.adaptationSteps);
  for (std::size_t e = 0; e < net.edges.size(); ++e)
    std::fill_n(ring_.begin() + static_cast<std::ptrdiff_t>(e * p_.adaptationSteps),
                p_.adaptationSteps, net.edges[e].speed);
  nextSample_ = p_.adaptationInterval;
  countSlowSlots();
}

void Rerouter::countSlowSlots() {
  const std::size_t n = p_.adaptationSteps;
  slowSlots_.assign(edgeLanes_.size(), 0);
  for (std::size_t e = 0; e < edgeLanes_.size(); ++e) {
    for (std::size_t i = 0; i < n; ++i) {
      if (ring_[e * n + i] != edgeLanes_[e].limit)
        ++slowSlots_[e];
    }
  }
}

bool Rerouter::equipped(std::uint32_t v) const {
  if (p_.probability <= 0)
    return false;
  if (p_.probability >= 1)
    return true;
  sdk::EntityRandom rng(p_.seed, "traffic.rerouting", v);
  return rng.uniform() < p_.probability;
}

void Rerouter::sample(const Simulation& sim, const RoadClosures& closures,
                      const ParallelFor& parallel) {
  const auto& speedSum = sim.laneSpeedSum();
  const auto& steps = sim.laneVehicleSteps();
  const std::size_t n = p_.adaptationSteps;
  // every edge on its own (its lanes, its ring slot): in blocks on the threads, from the compact
  // per-edge copies (the Edge records are large and scattered)
  parallel(net_.edges.size(), [&](std::size_t b, std::size_t end) {
    for (auto e = static_cast<std::uint32_t>(b); e < end; ++e) {
      const EdgeLanes& el = edgeLanes_[e];
      double sum = 0;
      std::uint64_t k = 0;
      for (std::uint32_t l = el.first; l < el.first + el.count; ++l) {
        sum += speedSum[l] - snapSpeedSum_[l];
        k += steps[l] - snapSteps_[l];
        snapSpeedSum_[l] = speedSum[l];
        snapSteps_[l] = steps[l];
      }
      // the interval's mean speed of the edge's vehicles; its speed limit when none drove on it
      // (an edge without vehicles whose window holds only its limit stays as it is: most do)
      const double limit = el.limit;
      if (k == 0 && slowSlots_[e] == 0)
        continue;
      double& slot = ring_[std::size_t{e} * n + ringPos_];
      const double speed = k > 0 ? std::clamp(sum / static_cast<double>(k), 0.0, limit) : limit;
      if (speed != slot) {
        changed_[e] = 1;  // its travel time is computed again
        slowSlots_[e] = static_cast<std::uint16_t>(slowSlots_[e] + (speed != limit ? 1 : 0) -
                                                   (slot != limit ? 1 : 0));
      }
      slot = speed;
    }
  });
  ringPos_ = static_cast<std::uint32_t>((ringPos_ + 1) % n);
  updateCosts(closures);
}

void Rerouter::updateCosts(const RoadClosures& closures) {
  const std::size_t n = p_.adaptationSteps;
  const std::size_t edges = net_.edges.size();
  // everything after a load or when the closures changed; else the edges a sample changed
  const bool all = base_.size() != edges || !fresh_ || closures.active() != closedAt_;
  base_.resize(edges);
  if (all) {
    // the closures' bars (NaN: open)
    barCost_.assign(edges, std::numeric_limits<double>::quiet_NaN());
    closures.bar(barCost_);
  }
  // the router's cost of edge e: its travel time, or the closure's bar
  auto costOf = [&](std::uint32_t e) { return std::isnan(barCost_[e]) ? base_[e] : barCost_[e]; };
  for (std::uint32_t e = 0; e < edges; ++e) {
    if (!all && changed_[e] == 0)
      continue;
    changed_[e] = 0;
    const double* ring = ring_.data() + std::size_t{e} * n;
    double avg = 0;
    for (std::size_t i = 0; i < n; ++i)
      avg += ring[i];
    avg /= static_cast<double>(n);
    // never below the free-flow time (the mean of equal speeds can round above the limit)
    const EdgeLanes& el = edgeLanes_[e];
    base_[e] = std::max(el.freeFlow, el.length / std::max(kMinSpeed, avg));
    if (!all)
      router_.setCost(e, costOf(e));
  }
  if (all) {
    std::vector<double> cost(edges);
    for (std::uint32_t e = 0; e < edges; ++e)
      cost[e] = costOf(e);
    router_.setCosts(std::move(cost));
    closedAt_ = closures.active();
  }
  fresh_ = true;
  ++costVersion_;
}

std::unique_ptr<Router::Scratch> Rerouter::takeScratch() {
  const std::lock_guard<std::mutex> lock(scratchMutex_);
  if (scratchPool_.empty())
    return std::make_unique<Router::Scratch>();
  std::unique_ptr<Router::Scratch> s = std::move(scratchPool_.back());
  scratchPool_.pop_back();
  return s;
}

void Rerouter::giveScratch(std::unique_ptr<Router::Scratch> s) {
  const std::lock_guard<std::mutex> lock(scratchMutex_);
  scratchPool_.push_back(std::move(s));
}

// Searches the routes of the equipped trips from trips[first] on that depart while the travel
// times stay as they are: up to the last step before the next sample.
void Rerouter::searchAhead(double t, double dt, std::size_t first, std::size_t baseTrips,
                           const Demand& demand, const Simulation& sim,
                           const ParallelFor& parallel) {
  // apply(u) samples once nextSample_ <= u - dt: until then the steps see these travel times
  double last = t;
  while (nextSample_ > last + 1e-9)
    last += dt;
  ahead_.clear();
  std::size_t end = first;
  for (; end < baseTrips && demand.trips[end].depart <= last; ++end) {
    const auto v = static_cast<std::uint32_t>(end);
    if (sim.status(v) == 0 && equipped(v)) {
      const auto route = sim.route(v);
      ahead_.push_back({v, route.front(), route.back(), {}});
    }
  }
  aheadEnd_ = end;
  aheadVersion_ = costVersion_;
  parallel(ahead_.size(), [&](std::size_t b, std::size_t e) {
    std::unique_ptr<Router::Scratch> own = takeScratch();
    for (std::size_t i = b; i < e; ++i)
      ahead_[i].path = router_.route(ahead_[i].from, ahead_[i].to, *own);
    giveScratch(std::move(own));
  });
}

void Rerouter::apply(double t, double dt, std::size_t baseTrips, Demand& demand, Simulation& sim,
                     const RoadClosures& closures, const ParallelFor& parallel) {
  if (!enabled())
    return;
  // the samples due up to the start of this step (t - dt): what the vehicles know now
  while (nextSample_ <= t - dt + 1e-9) {
    sample(sim, closures, parallel);
    nextSample_ += p_.adaptationInterval;
  }
  // a road closed or reopened since: the same travel times, with its edges barred or not
  if (!fresh_ || closures.active() != closedAt_)
    updateCosts(closures);
  // what to search: a vehicle, the index of the route edge it is committed to, and for a
  // stuck vehicle its lane (the route must go on from it), else kNone
  struct Job {
    std::uint32_t v, keep, lane;
    std::uint8_t kind;  // 0 at departure, 1 en route, 2 stuck off its route, 3 waiting in vain
  };
  std::vector<Job> jobs;
  if (p_.probability > 0) {
    // trips due in (t - dt, t], the first step taking everything due by t
    const double lo = t - dt <= 1e-9 ? -std::numeric_limits<double>::infinity() : t - dt;
    const auto first = std::upper_bound(
        demand.trips.begin(), demand.trips.begin() + static_cast<std::ptrdiff_t>(baseTrips), lo,
        [](double x, const Trip& trip) { return x < trip.depart; });
    const auto firstIndex = static_cast<std::size_t>(first - demand.trips.begin());
    if (firstIndex < baseTrips && first->depart <= t &&
        (aheadVersion_ != costVersion_ || firstIndex >= aheadEnd_))
      searchAhead(t, dt, firstIndex, baseTrips, demand, sim, parallel);
    for (auto it = first;
         it != demand.trips.begin() + static_cast<std::ptrdiff_t>(baseTrips) && it->depart <= t;
         ++it) {
      const auto v = static_cast<std::uint32_t>(it - demand.trips.begin());
      if (sim.status(v) == 0 && equipped(v))
        jobs.push_back({v, 0, kNone, 0});
    }
  }
  const bool enRoute = p_.probability > 0 && p_.period > 0;
  if (enRoute || p_.stuckAfter > 0) {
    const auto periodSteps = std::max<long long>(1, std::llround(p_.period / dt));
    // standing at the lane's end for another stuck_after (not every step, where no other way
    // exists)
    auto stuckNow = [&](double frontWait) {
      return p_.stuckAfter > 0 && frontWait >= p_.stuckAfter &&
             std::floor(frontWait / p_.stuckAfter) > std::floor((frontWait - dt) / p_.stuckAfter);
    };
    // due every `period` of its trip, counted in steps from its insertion
    auto dueEnRoute = [&](std::uint32_t v) {
      const long long k = std::llround((t - dt - sim.insertedAt(v)) / dt);
      return enRoute && k > 0 && k % periodSteps == 0 && equipped(v);
    };
    // the vehicles stuck now (fronts only: a pass over the lanes, not the vehicles)
    std::vector<std::uint32_t> stuck;
    if (p_.stuckAfter > 0) {
      sim.frontsWaiting(running_, p_.stuckAfter);
      for (const Simulation::Running& r : running_) {
        if (stuckNow(r.frontWait) && (r.offRoute || !r.red) &&
            sim.routePos(r.v) + 1 < sim.route(r.v).size()) {
          jobs.push_back(
              {r.v, sim.routePos(r.v), r.lane, static_cast<std::uint8_t>(r.offRoute ? 2 : 3)});
          stuck.push_back(r.v);
        }
      }
      std::sort(stuck.begin(), stuck.end());
    }
    if (enRoute) {
      // the equipped vehicles by the step of their insertion modulo the period: those due now
      // are one bucket (kept between steps, derived from the simulation's state)
      auto bucketOf = [&](double at) {
        const long long m = std::llround(at / dt) % periodSteps;
        return static_cast<std::size_t>(m < 0 ? m + periodSteps : m);
      };
      if (!bucketsReady_ || buckets_.size() != static_cast<std::size_t>(periodSteps)) {
        buckets_.assign(static_cast<std::size_t>(periodSteps), {});
        for (std::uint32_t v = 0; v < demand.trips.size(); ++v) {
          const std::uint8_t st = sim.status(v);
          if ((st == 1 || st == 3) && equipped(v))
            buckets_[bucketOf(sim.insertedAt(v))].push_back(v);
        }
        bucketsReady_ = true;
      } else {
        for (std::uint32_t v : sim.insertedLastStep()) {
          if (equipped(v))
            buckets_[bucketOf(sim.insertedAt(v))].push_back(v);
        }
      }
      std::vector<std::uint32_t>& due = buckets_[bucketOf(t - dt)];
      std::size_t kept = 0;
      for (std::uint32_t v : due) {
        if (sim.status(v) == 2)
          continue;  // arrived: out of the bucket
        due[kept++] = v;
        Simulation::Running r{};
        if (!dueEnRoute(v) || std::binary_search(stuck.begin(), stuck.end(), v) ||
            !sim.runningVehicle(v, r))
          continue;
        // committed: the edge it is on, the next one too when it is crossing the junction to
        // it or close to its lane's end (its lane is chosen for it)
        const Lane& lane = net_.lanes[r.lane];
        std::uint32_t keep = sim.routePos(r.v);
        if (lane.edge == kNone || r.toEnd < p_.commitDistance)
          ++keep;
        if (keep + 1 < sim.route(r.v).size())
          jobs.push_back({r.v, keep, kNone, 1});
      }
      due.resize(kept);
    }
  }
  if (jobs.empty())
    return;
  std::sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) { return a.v < b.v; });
  std::vector<std::vector<std::uint32_t>> paths(jobs.size());
  std::vector<std::uint8_t> better(jobs.size(), 0);
  // the departures searched ahead under these travel times (the rest are searched here)
  std::vector<const Ahead*> known(jobs.size(), nullptr);
  if (aheadVersion_ == costVersion_) {
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      const Job& j = jobs[i];
      if (j.kind != 0)
        continue;
      const auto it = std::lower_bound(ahead_.begin(), ahead_.end(), j.v,
                                       [](const Ahead& a, std::uint32_t v) { return a.v < v; });
      const auto route = sim.route(j.v);
      if (it != ahead_.end() && it->v == j.v && it->from == route[j.keep] && it->to == route.back())
        known[i] = &*it;
    }
  }
  parallel(jobs.size(), [&](std::size_t b, std::size_t e) {
    std::unique_ptr<Router::Scratch> own = takeScratch();
    Router::Scratch& scratch = *own;
    std::vector<std::uint32_t> tail;
    for (std::size_t i = b; i < e; ++i) {
      const Job& j = jobs[i];
      const auto route = sim.route(j.v);
      if (j.kind >= 2) {
        // stuck: the fastest way on from the lane it is in, over each edge that lane reaches
        // (kind 3: other than the one its route takes, which it has waited for in vain)
        const Lane& lane = net_.lanes[j.lane];
        const std::uint32_t planned = j.keep + 1 < route.size() ? route[j.keep + 1] : kNone;
        double best = std::numeric_limits<double>::infinity();
        std::uint32_t tried = kNone;
        for (std::uint32_t c = lane.connBegin; c < lane.connEnd; ++c) {
          const std::uint32_t to = net_.connections[c].toEdge;
          if (to == tried || !net_.edges[to].mainComponent || (j.kind == 3 && to == planned))
            continue;
          tried = to;
          std::vector<std::uint32_t> p = router_.route(to, route.back(), scratch);
          if (p.empty())
            continue;
          const double total = router_.crossingTime(route[j.keep], to) + router_.routeCost(p);
          if (total < best) {
            best = total;
            p.insert(p.begin(), route[j.keep]);
            paths[i] = std::move(p);
          }
        }
        better[i] = paths[i].empty() ? 0 : 1;
        continue;
      }
      paths[i] = known[i] != nullptr ? known[i]->path
                                     : router_.route(route[j.keep], route.back(), scratch);
      if (paths[i].empty())
        continue;
      tail.assign(route.begin() + j.keep, route.end());
      if (paths[i] == tail)
        continue;
      // only a faster route replaces the one it has (ties keep it: no flipping between equals)
      const double now = router_.routeCost(tail);
      better[i] = router_.routeCost(paths[i]) < now * (1 - 1e-9) ? 1 : 0;
    }
    giveScratch(std::move(own));
  });
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (better[i] == 0)
      continue;
    const Job& j = jobs[i];
    const auto old = sim.route(j.v);
    const auto begin = static_cast<std::uint32_t>(demand.routeEdges.size());
    demand.routeEdges.insert(demand.routeEdges.end(), old.begin(), old.begin() + j.keep);
    demand.routeEdges.insert(demand.routeEdges.end(), paths[i].begin(), paths[i].end());
    const auto length = static_cast<std::uint32_t>(demand.routeEdges.size() - begin);
    sim.reroute(j.v, begin, length, sim.status(j.v) == 0 ? 0 : sim.routePos(j.v));
    (j.kind == 0 ? atDeparture_ : j.kind == 1 ? enRoute_ : unstuck_)++;
  }
}

void Rerouter::save(sdk::StateWriter& w) const {
  w.putVector(snapSpeedSum_);
  w.putVector(snapSteps_);
  w.putVector(ring_);
  w.put(ringPos_).put(nextSample_);
  w.put(static_cast<std::uint64_t>(atDeparture_))
      .put(static_cast<std::uint64_t>(enRoute_))
      .put(static_cast<std::uint64_t>(unstuck_));
}

void Rerouter::load(sdk::StateReader& r) {
  r.getVector(snapSpeedSum_);
  r.getVector(snapSteps_);
  r.getVector(ring_);
  ringPos_ = r.get<std::uint32_t>();
  nextSample_ = r.get<double>();
  atDeparture_ = static_cast<std::size_t>(r.get<std::uint64_t>());
  enRoute_ = static_cast<std::size_t>(r.get<std::uint64_t>());
  unstuck_ = static_cast<std::size_t>(r.get<std::uint64_t>());
  fresh_ = false;         // the travel times follow from the ring at the next apply
  bucketsReady_ = false;  // and the en-route buckets from the simulation's vehicles
  if (snapSpeedSum_.size() != net_.normalLaneCount || snapSteps_.size() != net_.normalLaneCount ||
      ring_.size() != net_.edges.size() * p_.adaptationSteps || ringPos_ >= p_.adaptationSteps)
    throw std::runtime_error("traffic state: the rerouting's travel times do not match");
  countSlowSlots();
}

}  // namespace twin::traffic
