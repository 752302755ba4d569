// SPDX-License-Identifier: Apache-2.0
#include "sim.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <stdexcept>

#include "emissions.hpp"
#include "twin/plugin.hpp"

namespace twin::traffic {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kStopMargin = 0.3;  // m a stopping vehicle keeps before the stop line

// time to drive x metres starting at v, accelerating at a up to vmax
double timeToCover(double x, double v, double a, double vmax) {
  if (x <= 0)
    return 0;
  vmax = std::max(vmax, 0.1);
  if (v >= vmax || a <= 0)
    return x / std::max(v, 0.1);
  const double t1 = (vmax - v) / a;
  const double x1 = v * t1 + 0.5 * a * t1 * t1;
  if (x <= x1)
    return (-v + std::sqrt(v * v + 2 * a * x)) / a;
  return t1 + (x - x1) / vmax;
}

// IDM acceleration with the type's cached 1 / (2 sqrt(a b))
double accelOf(const VehicleType& t, double v, double v0, double s, double vLeader) {
  return idmAccelK(t.idm, v, v0, s, vLeader, t.inv2SqrtAb);
}

bool isRed(char ch) {
  return ch == 'r' || ch == 'u' || ch == 's';
}

}  // namespace

Simulation::Simulation(const Network& net, std::vector<VehicleType> vtypes, const Demand& demand,
                       SimParams params, std::uint64_t seed)
    : net_(net), vtypes_(std::move(vtypes)), demand_(demand), p_(params), seed_(seed) {
  if (!(p_.dt > 0) || p_.substeps < 1)
    throw std::invalid_argument("traffic: the step must be positive");
  for (VehicleType& t : vtypes_) {
    t.inv2SqrtAb = 0.5 / std::sqrt(t.idm.accel * t.idm.decel);
    if (t.emissionClass < 0 || t.emissionClass >= static_cast<int>(emissionClasses().size()))
      t.emissionClass = defaultEmissionClass(static_cast<int>(t.cls), false);
  }
  lanes_.resize(net.lanes.size());
  laneExits_.assign(net.normalLaneCount, 0);
  laneSpeedSum_.assign(net.normalLaneCount, 0.0);
  laneVehSteps_.assign(net.normalLaneCount, 0);
  laneCo2_.assign(net.normalLaneCount, 0.0);
  laneNox_.assign(net.normalLaneCount, 0.0);
  edgeMaxQueue_.assign(net.edges.size(), 0);
  edgeQueueNow_.assign(net.edges.size(), 0);
  sum_.assign(net.lanes.size(), Summary{});
  mergeReq_.assign(net.normalLaneCount, MergeRequest{});
  edgeBlocked_.assign(net.edges.size(), 0);
  edgeLaneChanges_.assign(net.edges.size(), 0);
  signalState_.resize(net.signals.size());
  phaseFrom_.assign(net.signals.size(), kInf);
  phaseTo_.assign(net.signals.size(), -kInf);
  hop_.resize(net.connections.size());
  for (std::size_t c = 0; c < net.connections.size(); ++c) {
    const Connection& conn = net.connections[c];
    auto idx = [](std::uint32_t i) { return static_cast<std::uint16_t>(std::min(i, 65535u)); };
    hop_[c] = {conn.toEdge, idx(net.lanes[conn.fromLane].index), idx(net.lanes[conn.toLane].index)};
  }
  edgeConn_.assign(net.edges.size(), {0, 0});
  edgeLength_.resize(net.edges.size());
  for (std::size_t e = 0; e < net.edges.size(); ++e) {
    const Edge& edge = net.edges[e];
    edgeLength_[e] = edge.length;
    std::uint32_t b = kNone, end = 0;
    for (std::uint32_t i = 0; i < edge.laneCount; ++i) {
      const Lane& l = net.lanes[edge.firstLane + i];
      if (l.connBegin < l.connEnd) {
        b = std::min(b, l.connBegin);
        end = std::max(end, l.connEnd);
      }
    }
    if (b == kNone)
      continue;
    for (std::uint32_t c = b; c < end; ++c) {
      if (net.connections[c].fromEdge != e)
        throw std::invalid_argument("traffic: the connections are not sorted by lane");
    }
    edgeConn_[e] = {b, end};
  }
  baseTrips_ = demand.trips.size();
  syncTrips();
}

void Simulation::syncTrips() {
  const Network& net = net_;
  const Demand& demand = demand_;
  const std::size_t from = veh_.size(), n = demand.trips.size();
  veh_.resize(n, Veh{});
  vInsert_.resize(n, 0);
  vOdometer_.resize(n, 0);
  vFreeFlow_.resize(n, 0);
  vStatus_.resize(n, 0);
  vEmission_.resize(n, 0);
  vElectric_.resize(n, 0);
  for (std::size_t i = from; i < n; ++i) {
    const Trip& trip = demand.trips[i];
    if (trip.vtype >= vtypes_.size())
      throw std::invalid_argument("traffic: trip " + trip.id + " has an unknown vehicle type");
    if (trip.routeEnd <= trip.routeBegin)
      throw std::invalid_argument("traffic: trip " + trip.id + " has an empty route");
    veh_[i].type = trip.vtype;
    vElectric_[i] = trip.ev ? 1 : 0;
    vEmission_[i] = static_cast<std::uint8_t>(trip.ev ? defaultEmissionClass(0, true)
                                                      : vtypes_[trip.vtype].emissionClass);
    veh_[i].routeBegin = trip.routeBegin;
    veh_[i].routeLen = trip.routeEnd - trip.routeBegin;
    const VehicleType& vt = vtypes_[trip.vtype];
    // speed factor ~ N(mean, dev) truncated to [0.2, 2] by redrawing (SUMO's default
    // "normc(1,0.1,0.2,2)"), from the vehicle's own stream: the same vehicle gets the same
    // factor in every variant (common random numbers)
    sdk::EntityRandom rng(seed_, "traffic.vehicle", i);
    double f = vt.speedFactorMean;
    if (vt.speedFactorDev > 0) {
      for (int k = 0; k < 100; ++k) {
        const double u1 = std::max(rng.uniform(), 1e-300), u2 = rng.uniform();
        const double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * 3.141592653589793 * u2);
        f = vt.speedFactorMean + vt.speedFactorDev * z;
        if (f >= 0.2 && f <= 2.0)
          break;
        f = std::clamp(f, 0.2, 2.0);
      }
    }
    veh_[i].speedFactor = f;
    // free-flow time of the route at the speed limits (edges and junction crossings)
    auto route = demand.route(trip);
    double ff = 0;
    for (std::size_t k = 0; k < route.size(); ++k) {
      const Edge& e = net.edges[route[k]];
      ff += e.length / std::min(e.speed, vt.maxSpeed);
      if (k + 1 < route.size()) {
        double best = kInf;
        for (std::uint32_t l = 0; l < e.laneCount; ++l) {
          const std::uint32_t c = net.connectionTo(e.firstLane + l, route[k + 1]);
          if (c != kNone) {
            const Lane& il = net.lanes[net.connections[c].internalLane];
            best = std::min(best, il.length / std::min(il.speed, vt.maxSpeed));
          }
        }
        if (std::isfinite(best))
          ff += best;
      }
    }
    vFreeFlow_[i] = ff;
  }
}

char Simulation::signalChar(const Connection& c) const {
  if (c.signal < 0)
    return c.state;
  const std::string& s = *signalState_[static_cast<std::size_t>(c.signal)];
  return static_cast<std::size_t>(c.linkIndex) < s.size() ? s[static_cast<std::size_t>(c.linkIndex)]
                                                          : 'O';
}

double Simulation::desiredSpeed(std::uint32_t v, const Lane& lane) const {
  const VehicleType& vt = vtypes_[veh_[v].type];
  return std::min(lane.speed * veh_[v].speedFactor, vt.maxSpeed);
}

// the connection a vehicle on normal lane `lane` takes at its end: into the route's next edge,
// preferring a target lane that itself continues the route
std::uint32_t Simulation::plannedConnection(std::uint32_t v, std::uint32_t lane) const {
  const Lane& l = net_.lanes[lane];
  if (l.edge == kNone)
    return l.connection;
  const Veh& x = veh_[v];
  if (x.routePos + 1 >= x.routeLen)
    return kNone;
  const std::uint32_t next = demand_.routeEdges[x.routeBegin + x.routePos + 1];
  std::uint32_t first = kNone;
  for (std::uint32_t c = l.connBegin; c < l.connEnd; ++c) {
    const Hop& h = hop_[c];
    if (h.toEdge != next)
      continue;
    if (first == kNone)
      first = c;
    if (h.toIndex < 64 && ((x.nextMask >> h.toIndex) & 1u) != 0)
      return c;
  }
  return first;
}

std::uint64_t Simulation::lanesInto(std::uint32_t edge, std::uint32_t next, std::uint64_t good,
                                    std::uint64_t& g) const {
  std::uint64_t any = 0;
  g = 0;
  const auto [b, end] = edgeConn_[edge];
  for (std::uint32_t c = b; c < end; ++c) {
    const Hop& h = hop_[c];
    if (h.toEdge != next || h.fromIndex >= 64)
      continue;
    const std::uint64_t bit = std::uint64_t{1} << h.fromIndex;
    any |= bit;
    if (h.toIndex < 64 && ((good >> h.toIndex) & 1u) != 0)
      g |= bit;
  }
  return any;
}

// The "best lanes" of the vehicle's current and next edge: the lanes from which it can follow
// its route over the next edges (up to 8 edges or 250 m) without another lane change, found
// backwards from the end of that horizon; where no lane of an edge manages that, every lane
// that connects to the next edge counts (the change happens further on). Vehicles therefore
// take the lane for a turn several short edges ahead, as drivers do (and SUMO's best lanes).
void Simulation::updateMask(std::uint32_t v) {
  auto route = routeOf(v);
  const std::uint32_t rp = veh_[v].routePos;
  veh_[v].mask = 0;
  veh_[v].nextMask = 0;
  if (rp >= route.size())
    return;
  std::size_t end = rp;
  double dist = 0;
  while (end + 1 < route.size() && end - rp < 8 && dist < 250.0) {
    ++end;
    dist += edgeLength_[route[end]];
  }
  // the horizon's last edge: lanes that connect onwards (all car lanes at the route's end)
  std::uint64_t good = 0;
  if (end + 1 < route.size()) {
    std::uint64_t unused = 0;
    good = lanesInto(route[end], route[end + 1], 0, unused);
  }
  if (good == 0) {
    const Edge& e = net_.edges[route[end]];
    for (std::uint32_t i = 0; i < e.laneCount && i < 64; ++i) {
      if (net_.lanes[e.firstLane + i].allowsCar)
        good |= std::uint64_t{1} << i;
    }
  }
  for (std::size_t i = end; i-- > rp;) {
    std::uint64_t g = 0;
    const std::uint64_t any = lanesInto(route[i], route[i + 1], good, g);
    if (i == rp)
      veh_[v].nextMask = good;
    good = g != 0 ? g : any;
  }
  veh_[v].mask = good;
}

// Whether a vehicle must stop for a red or yellow signal at the end of `lane`, an empty lane of
// the route's next edge `ahead` metres away (looked at within 120 m).
bool Simulation::signalStopsAt(std::uint32_t v, std::uint32_t lane, double ahead) const {
  auto route = routeOf(v);
  const std::uint32_t rp = veh_[v].routePos + 1;
  if (rp + 1 >= route.size() || ahead >= 120.0)
    return false;
  const std::uint32_t c = connectionTo(lane, route[rp + 1]);
  if (c == kNone)
    return false;
  const char ch = signalChar(net_.connections[c]);
  return net_.connections[c].signal >= 0 && (isRed(ch) || ch == 'y');
}

void Simulation::arrive(std::uint32_t v, double t) {
  vStatus_[v] = 2;
  arrivals_.push_back({v, t});
  veh_[v].lane = kNone;
  --running_;
  ++stats_.arrived;
  stats_.travelTimeSum += t - vInsert_[v];
  stats_.freeFlowSum += vFreeFlow_[v];
}

// May the front vehicle of `lane`, d metres before the stop line at `speed`, cross it into
// `conn`? Signals first (yellow: only when it cannot stop comfortably), then room behind the
// junction (it never stops inside), then right of way: a yielding vehicle needs every
// priority foe to arrive at least gapMinor after it has cleared the junction (the time-window
// logic of SUMO's junction model, Krajzewicz et al. 2012).
bool Simulation::mayPass(std::uint32_t conn, std::uint32_t v, double d, double speed) const {
  const Connection& c = net_.connections[conn];
  const VehicleType& vt = vtypes_[veh_[v].type];
  const char ch = signalChar(c);
  const bool signalOn = c.signal >= 0 && ch != 'O' && ch != 'o';
  if (signalOn) {
    if (isRed(ch))
      return false;
    if (ch == 'y' && speed * speed / (2 * vt.idm.decel) <= d)
      return false;
  }
  // room behind the junction
  const Summary& to = sum_[c.toLane];
  if (to.count > 0 && to.backPos < vt.idm.length + vt.idm.minGap && to.backSpeed < 1.0)
    return false;
  // right of way, decided close to the junction
  if (d > std::max(30.0, 5.0 * speed))
    return true;
  const Lane& il = net_.lanes[c.internalLane];
  const double vmax = desiredSpeed(v, il);
  const double tClear =
      timeToCover(d + c.via + vt.idm.length, speed, 0.5 * vt.idm.accel, vmax) + p_.gapMinor;
  for (std::uint32_t k = c.foeBegin; k < c.foeEnd; ++k) {
    const Foe& foe = net_.foes[k];
    const Connection& fc = net_.connections[foe.connection];
    bool yield;
    if (signalOn) {
      const char fch = signalChar(fc);
      if (isRed(fch)) {
        // a foe's vehicles may still be crossing from its last green
        if (sum_[fc.internalLane].count > 0)
          return false;
        continue;
      }
      yield = (ch == 'g' && (fch == 'G' || fch == 'y')) || (ch == fch && foe.yieldStatic) ||
              (ch == 'y' && fch == 'G');
    } else {
      yield = foe.yieldStatic;
    }
    if (!yield)
      continue;
    if (sum_[fc.internalLane].count > 0)
      return false;
    const Summary& fl = sum_[fc.fromLane];
    if (fl.count == 0)
      continue;
    const std::uint32_t uc = fl.frontConn;
    if (uc == kNone || net_.connections[uc].toEdge != fc.toEdge)
      continue;
    const double du = fl.frontDist;
    const double vu = fl.frontSpeed;
    if (vu < 0.1 && (du > 2.0 || fl.frontWait >= 2.0))
      continue;  // standing (back from the line, or for a while): it waits for something itself
    const double tArrive = vu < 0.1 ? 0.0 : du / vu;
    if (tArrive < tClear)
      return false;
  }
  return true;
}

void Simulation::laneChanges(std::uint32_t edgeIndex, double t) {
  const Edge& e = net_.edges[edgeIndex];
  for (std::uint32_t i = 0; i < e.laneCount; ++i)
    mergeReq_[e.firstLane + i] = MergeRequest{};
  if (e.laneCount < 2)
    return;
  for (std::uint32_t li = 0; li < e.laneCount; ++li) {
    const std::uint32_t lane = e.firstLane + li;
    LaneState& L = lanes_[lane];
    std::size_t k = 0;
    while (k < L.veh.size()) {
      const std::uint32_t v = L.veh[k];
      if (veh_[v].lastChange == t) {
        ++k;
        continue;
      }
      const VehicleType& vt = vtypes_[veh_[v].type];
      const double x = L.pos[k], sp = L.speed[k], len = vt.idm.length;
      const bool valid = validLane(v, net_.lanes[lane]);
      // candidate target lanes
      int target = -1;
      double bestIncentive = 0;
      bool strategic = false;
      if (!valid) {
        // towards the nearest lane that continues the route
        int nearest = -1;
        for (std::uint32_t j = 0; j < e.laneCount; ++j) {
          if (validLane(v, net_.lanes[e.firstLane + j]) &&
              (nearest < 0 || std::abs(static_cast<int>(j) - static_cast<int>(li)) <
                                  std::abs(nearest - static_cast<int>(li))))
            nearest = static_cast<int>(j);
        }
        if (nearest >= 0) {
          target =
              nearest > static_cast<int>(li) ? static_cast<int>(li) + 1 : static_cast<int>(li) - 1;
          strategic = true;
        }
      }
      // urgent: close to the lane's end, or already waiting there
      const bool urgent =
          strategic && (e.length - x < std::max(30.0, 3.0 * sp) || veh_[v].waiting > 0);
      // the situation on a candidate lane j: leader and follower around x
      struct Around {
        int lead = -1, follow = -1;  // indices into the target lane's arrays
      };
      auto around = [&](const LaneState& T) {
        Around a;
        // vehicles sorted by position, front first: the first behind x is the follower
        std::size_t i = 0;
        while (i < T.veh.size() && T.pos[i] > x)
          ++i;
        a.lead = i > 0 ? static_cast<int>(i) - 1 : -1;
        a.follow = i < T.veh.size() ? static_cast<int>(i) : -1;
        return a;
      };
      auto lenOf = [&](std::uint32_t u) { return vtypes_[veh_[u].type].idm.length; };
      const Lane& laneInfo = net_.lanes[lane];
      const double v0 = desiredSpeed(v, laneInfo);
      auto check = [&](std::uint32_t j, bool forced, double& incentive) -> bool {
        const std::uint32_t tl = e.firstLane + j;
        if (!net_.lanes[tl].allowsCar)
          return false;
        const LaneState& T = lanes_[tl];
        const Around a = around(T);
        double sNew = kInf, vlNew = 0;
        if (a.lead >= 0) {
          const std::size_t li2 = static_cast<std::size_t>(a.lead);
          sNew = T.pos[li2] - lenOf(T.veh[li2]) - x;
          vlNew = T.speed[li2];
          if (sNew < 0.5)
            return false;
        }
        double sF = kInf, aFNew = 0, aF = 0;
        if (a.follow >= 0) {
          const std::size_t fi = static_cast<std::size_t>(a.follow);
          const std::uint32_t f = T.veh[fi];
          sF = x - len - T.pos[fi];
          if (sF < 0.5)
            return false;
          const VehicleType& ft = vtypes_[veh_[f].type];
          const double fv0 = desiredSpeed(f, net_.lanes[tl]);
          aFNew = accelOf(ft, T.speed[fi], fv0, sF, sp);
          // an urgent strategic change accepts the follower's hardest braking
          if (forced ? aFNew < -ft.idm.emergencyDecel : !mobilSafe(p_.mobil, aFNew))
            return false;
          if (a.lead >= 0) {
            const std::size_t li2 = static_cast<std::size_t>(a.lead);
            aF = accelOf(ft, T.speed[fi], fv0, T.pos[li2] - lenOf(T.veh[li2]) - T.pos[fi],
                         T.speed[li2]);
          } else {
            aF = accelOf(ft, T.speed[fi], fv0, kInf, 0);
          }
        }
        const double selfNew = accelOf(vt, sp, v0, sNew, vlNew);
        if (forced)
          return urgent || selfNew >= -p_.mobil.safeDecel;
        // discretionary: MOBIL with the old follower's gain
        double self = 0, oF = 0, oFNew = 0;
        self = k > 0 ? accelOf(vt, sp, v0, L.pos[k - 1] - lenOf(L.veh[k - 1]) - x, L.speed[k - 1])
                     : accelOf(vt, sp, v0, kInf, 0);
        if (k + 1 < L.veh.size()) {
          const std::uint32_t o = L.veh[k + 1];
          const VehicleType& ot = vtypes_[veh_[o].type];
          const double ov0 = desiredSpeed(o, laneInfo);
          oF = accelOf(ot, L.speed[k + 1], ov0, x - len - L.pos[k + 1], sp);
          oFNew = k > 0 ? accelOf(ot, L.speed[k + 1], ov0,
                                  L.pos[k - 1] - lenOf(L.veh[k - 1]) - L.pos[k + 1], L.speed[k - 1])
                        : accelOf(ot, L.speed[k + 1], ov0, kInf, 0);
        }
        incentive = mobilIncentive(p_.mobil, self, selfNew, oF, oFNew, aF, aFNew, j > li);
        return incentive > 0;
      };
      bool change = false;
      if (strategic) {
        double dummy = 0;
        change = check(static_cast<std::uint32_t>(target), true, dummy);
        if (!change && urgent && sp < 1.0) {
          // two standing vehicles that each need the other's lane swap places (as SUMO's
          // lane-change model does), instead of waiting for each other forever
          const std::uint32_t tl = e.firstLane + static_cast<std::uint32_t>(target);
          LaneState& T = lanes_[tl];
          for (std::size_t j = 0; j < T.veh.size(); ++j) {
            const std::uint32_t u = T.veh[j];
            if (std::abs(T.pos[j] - x) > len + vt.idm.minGap || T.speed[j] >= 1.0 ||
                veh_[u].lastChange == t)
              continue;
            if (!validLane(u, net_.lanes[tl]) && validLane(u, laneInfo)) {
              T.veh[j] = v;
              T.speed[j] = 0;
              L.veh[k] = u;
              L.speed[k] = 0;
              veh_[v].lane = tl;
              veh_[u].lane = lane;
              veh_[v].lastChange = veh_[u].lastChange = t;
              edgeLaneChanges_[edgeIndex] += 2;
              change = true;
              break;
            }
          }
          if (change) {
            ++k;
            continue;
          }
        }
        if (!change && urgent) {
          // ask the target lane for a gap: its first vehicle behind brakes for this one
          // (cooperative lane changing, as SUMO's LC2013 and Hidas 2002)
          MergeRequest& r = mergeReq_[e.firstLane + static_cast<std::uint32_t>(target)];
          if (x > r.pos) {
            r.pos = x;
            r.speed = sp;
            r.length = len;
          }
        }
      } else if (valid && t - veh_[v].lastChange >= p_.laneChangeCooldown && e.length - x > 30.0) {
        // a change to the left only pays when the own lane holds the vehicle back: with the
        // leader far enough that IDM's interaction term is below the threshold, skip it
        bool hindered = true;
        if (k == 0) {
          hindered = false;
        } else {
          const double s = L.pos[k - 1] - lenOf(L.veh[k - 1]) - x;
          const double sStar = vt.idm.minGap + sp * vt.idm.tau +
                               std::max(0.0, sp * (sp - L.speed[k - 1])) * vt.inv2SqrtAb;
          hindered = vt.idm.accel * (sStar / s) * (sStar / s) > p_.mobil.threshold;
        }
        for (int j : {static_cast<int>(li) - 1, static_cast<int>(li) + 1}) {
          if (j < 0 || j >= static_cast<int>(e.laneCount))
            continue;
          if (j > static_cast<int>(li) && !hindered)
            continue;
          if (!validLane(v, net_.lanes[e.firstLane + static_cast<std::uint32_t>(j)]))
            continue;
          double inc = 0;
          if (check(static_cast<std::uint32_t>(j), false, inc) &&
              (target < 0 || inc > bestIncentive)) {
            target = j;
            bestIncentive = inc;
          }
        }
        change = target >= 0;
      }
      if (!change) {
        ++k;
        continue;
      }
      // move v from L (index k) into the target lane, keeping it sorted
      LaneState& T = lanes_[e.firstLane + static_cast<std::uint32_t>(target)];
      const Around a = around(T);
      const std::size_t at = static_cast<std::size_t>(a.lead + 1);
      T.pos.insert(T.pos.begin() + static_cast<std::ptrdiff_t>(at), x);
      T.speed.insert(T.speed.begin() + static_cast<std::ptrdiff_t>(at), sp);
      T.veh.insert(T.veh.begin() + static_cast<std::ptrdiff_t>(at), v);
      L.pos.erase(L.pos.begin() + static_cast<std::ptrdiff_t>(k));
      L.speed.erase(L.speed.begin() + static_cast<std::ptrdiff_t>(k));
      L.veh.erase(L.veh.begin() + static_cast<std::ptrdiff_t>(k));
      veh_[v].lane = e.firstLane + static_cast<std::uint32_t>(target);
      veh_[v].lastChange = t;
      ++edgeLaneChanges_[edgeIndex];
      // k now names the next vehicle of L
    }
  }
}

void Simulation::speeds(std::uint32_t laneIndex) {
  LaneState& L = lanes_[laneIndex];
  const std::size_t m = L.veh.size();
  L.next.resize(m);
  L.frontMayPass = false;
  if (m == 0)
    return;
  const Lane& lane = net_.lanes[laneIndex];
  auto lenOf = [&](std::uint32_t u) { return vtypes_[veh_[u].type].idm.length; };
  const MergeRequest* req = nullptr;
  if (lane.edge != kNone && mergeReq_[laneIndex].pos >= 0)
    req = &mergeReq_[laneIndex];
  for (std::size_t k = 0; k < m; ++k) {
    const std::uint32_t v = L.veh[k];
    const VehicleType& vt = vtypes_[veh_[v].type];
    const double x = L.pos[k], sp = L.speed[k];
    const double v0 = desiredSpeed(v, lane);
    double s = kInf, vl = 0, cap = kInf;
    if (k > 0) {
      s = L.pos[k - 1] - lenOf(L.veh[k - 1]) - x;
      vl = L.speed[k - 1];
    }
    if (k == 0) {
      // the front: look through the junction
      const double d = lane.length - x;
      std::uint32_t conn = kNone, nextLane = kNone;
      double ahead = d;  // distance to the start of nextLane
      bool pass = true;
      if (lane.edge != kNone) {
        auto route = routeOf(v);
        if (veh_[v].routePos + 1 < route.size()) {
          conn = sum_[laneIndex].frontConn;
          if (conn == kNone) {
            pass = false;  // wrong lane: wait at the end for a gap to change
          } else {
            pass = mayPass(conn, v, d, sp);
            nextLane = net_.connections[conn].internalLane;
          }
        }
      } else {
        conn = lane.connection;
        nextLane = net_.connections[conn].toLane;
      }
      L.frontMayPass = pass;
      if (!pass) {
        s = d + vt.idm.minGap - kStopMargin;
        vl = 0;
      } else if (nextLane != kNone) {
        // leaders on the next lanes (up to two: the internal lane and the lane after it)
        const Lane& nl = net_.lanes[nextLane];
        const double vNext = desiredSpeed(v, nl);
        cap = std::sqrt(vNext * vNext + 2 * vt.idm.decel * std::max(0.0, d));
        const Summary& N = sum_[nextLane];
        if (N.count > 0) {
          s = ahead + N.backPos;
          vl = N.backSpeed;
        } else if (nl.edge == kNone) {
          ahead += nl.length;
          const std::uint32_t toLane = net_.connections[nl.connection].toLane;
          const Summary& T = sum_[toLane];
          if (T.count > 0) {
            s = ahead + T.backPos;
            vl = T.backSpeed;
          } else if (signalStopsAt(v, toLane, ahead + net_.lanes[toLane].length)) {
            // an empty short lane: respect a red light at its end
            s = ahead + net_.lanes[toLane].length + vt.idm.minGap - kStopMargin;
            vl = 0;
          }
        } else if (signalStopsAt(v, nextLane, ahead + nl.length)) {
          // on an internal lane: the lane after the junction is empty; its stop line
          s = ahead + nl.length + vt.idm.minGap - kStopMargin;
          vl = 0;
        }
      }
    }
    if (req != nullptr && x <= req->pos && (k == 0 || L.pos[k - 1] > req->pos)) {
      // the first vehicle behind a waiting lane changer opens a gap for it
      const double sr = req->pos - req->length - x;
      if (sr >= 0 && sr < s) {
        s = sr;
        vl = req->speed;
      }
      req = nullptr;
    }
    double nv = idmSpeed(vt.idm, sp, v0, s, vl, p_.dt, p_.substeps);
    if (nv > cap)
      nv = std::max(cap, sp - vt.idm.decel * p_.dt);
    L.next[k] = nv;
  }
}

void Simulation::enterLane(std::uint32_t v, std::uint32_t lane, double pos, double speed) {
  if (!laneOwner_.empty() && laneOwner_[lane] != domain_.self) {
    handOver(v, lane, 0, pos, speed);  // its owner places it (behind its last vehicle)
    return;
  }
  LaneState& L = lanes_[lane];
  if (!L.veh.empty()) {
    const double back = L.pos.back() - vtypes_[veh_[L.veh.back()].type].idm.length;
    pos = std::min(pos, back - 0.1);
  }
  pos = std::max(pos, 0.0);
  L.pos.push_back(pos);
  L.speed.push_back(speed);
  L.veh.push_back(v);
  veh_[v].lane = lane;
  touched_.push_back(lane);
}

bool Simulation::tryInsert(std::uint32_t trip, double t) {
  const Trip& tr = demand_.trips[trip];
  auto route = routeOf(trip);  // as given, or a detour around a road closure
  const Edge& e = net_.edges[route[0]];
  const VehicleType& vt = vtypes_[tr.vtype];
  const double len = vt.idm.length;
  // "best" lane: one that continues the route, with the most room at its start
  std::uint32_t best = kNone;
  double bestRoom = -kInf;
  for (std::uint32_t i = 0; i < e.laneCount; ++i) {
    const std::uint32_t lane = e.firstLane + i;
    if (!net_.lanes[lane].allowsCar)
      continue;
    if (route.size() > 1 && connectionTo(lane, route[1]) == kNone)
      continue;
    const LaneState& L = lanes_[lane];
    double room = kInf;
    if (!L.veh.empty())
      room = L.pos.back() - vtypes_[veh_[L.veh.back()].type].idm.length - len;
    if (room > bestRoom) {
      best = lane;
      bestRoom = room;
    }
  }
  if (best == kNone)
    best = e.firstLane;  // no lane continues: the vehicle will wait at the end (counted)
  if (bestRoom < vt.idm.minGap)
    return false;
  veh_[trip].routePos = 0;
  updateMask(trip);
  const double v0 = desiredSpeed(trip, net_.lanes[best]);
  // the highest speed that keeps the IDM's desired gap behind the leader: s0 + v T <= s
  double v = v0;
  if (std::isfinite(bestRoom))
    v = std::min(v0, std::max(0.0, (bestRoom - vt.idm.minGap) / std::max(vt.idm.tau, 0.1)));
  enterLane(trip, best, std::min(len, net_.lanes[best].length), v);
  vStatus_[trip] = 1;
  vInsert_[trip] = t;
  veh_[trip].waiting = 0;
  ++running_;
  ++stats_.inserted;
  stats_.departDelaySum += t - tr.depart;
  inserted_.push_back(trip);
  return true;
}

void Simulation::summarise(std::uint32_t lane) {
  const LaneState& L = lanes_[lane];
  Summary& s = sum_[lane];
  s.count = static_cast<std::uint32_t>(L.veh.size());
  if (L.veh.empty())
    return;
  s.frontConn = plannedConnection(L.veh.front(), lane);
  s.frontDist = net_.lanes[lane].length - L.pos.front();
  s.frontSpeed = L.speed.front();
  s.frontWait = veh_[L.veh.front()].waiting;
  s.backPos = L.pos.back() - vtypes_[veh_[L.veh.back()].type].idm.length;
  s.backSpeed = L.speed.back();
}

void Simulation::prefetchLane(std::uint32_t lane) const {
  const LaneState& L = lanes_[lane];
  if (L.veh.empty())
    return;
  __builtin_prefetch(L.pos.data());
  __builtin_prefetch(L.speed.data());
  __builtin_prefetch(L.veh.data());
  __builtin_prefetch(L.next.data());
  __builtin_prefetch(&sum_[lane]);
  __builtin_prefetch(&net_.lanes[lane]);
}

void Simulation::rebuildActive() {
  active_.clear();
  for (std::uint32_t i = 0; i < lanes_.size(); ++i) {
    if (!lanes_[i].veh.empty())
      active_.push_back(i);
  }
}

// Phase 3's second half for one lane: the Euler update of its vehicles (only the front vehicle
// may leave the lane in one step), with what they drove and emitted
void Simulation::move(std::uint32_t i, double dt, LaneStep& out) {
  LaneState& L = lanes_[i];
  const double length = net_.lanes[i].length;
  double meters = 0, co2 = 0, nox = 0, evJ = 0, evM = 0;
  std::uint32_t standing = 0;
  const auto& classes = emissionClasses();
  const double invDt = 1.0 / dt;
  for (std::size_t k = 0; k < L.veh.size(); ++k) {
    const std::uint32_t v = L.veh[k];
    double nv = L.next[k];
    double np = L.pos[k] + nv * dt;
    if (k > 0) {
      const double limit = L.pos[k - 1] - vtypes_[veh_[L.veh[k - 1]].type].idm.length;
      if (np > limit) {
        np = std::max(L.pos[k], limit);
        nv = (np - L.pos[k]) / dt;
      }
      if (np > length) {  // behind a leaving vehicle: wait for the next step
        np = std::max(L.pos[k], length - 0.01);
        nv = (np - L.pos[k]) / dt;
      }
    } else if (np > length && !L.frontMayPass) {
      np = std::max(L.pos[k], length - 0.01);
      nv = 0;
    }
    veh_[v].waiting = nv < 0.1 ? veh_[v].waiting + dt : 0.0;
    // emissions at the step's speed and acceleration (as SUMO's emission device)
    const double accel = (nv - L.speed[k]) * invDt;
    const EmissionRates r = emissionRates(classes[vEmission_[v]], nv, accel);
    co2 += r.co2 * dt;
    nox += r.nox * dt;
    if (vElectric_[v] != 0) {
      evJ += evBatteryPowerW(ev_, nv, accel) * dt;
      evM += nv * dt;
    }
    L.pos[k] = np;
    L.speed[k] = nv;
    meters += nv * dt;
    vOdometer_[v] += nv * dt;              // each vehicle is on one lane: no other thread writes it
    standing += nv < 5.0 / 3.6 ? 1u : 0u;  // SUMO's queue threshold: 5 km/h
  }
  out.meters = meters;
  out.co2 = co2;
  out.nox = nox;
  out.evJ = evJ;
  out.evM = evM;
  out.standing = standing;
  out.vehicles = static_cast<std::uint32_t>(L.veh.size());
  out.edge = net_.lanes[i].edge;
  // whether the front vehicle leaves the lane now, or has stood there too long (phase 3)
  out.exit = L.pos.front() > length || veh_[L.veh.front()].waiting >= p_.timeToTeleport ? 1 : 0;
  if (i < net_.normalLaneCount) {
    laneCo2_[i] += co2;
    laneNox_[i] += nox;
    double speedSum = 0;
    for (double sp : L.speed)
      speedSum += sp;
    laneSpeedSum_[i] += speedSum;
    laneVehSteps_[i] += L.veh.size();
  }
}

// Where a vehicle leaving a lane at the step's end goes (Simulation::step, phase 3), and its
// own record brought up to it: past the stop line of a normal lane into the junction (or
// through a short one onto the next edge), off an internal lane onto the next edge, or arrived.
// Reads the lanes' state after the fronts left, so one exit does not see another.
Simulation::Move Simulation::wayOn(const Exit& x) {
  Move m;
  if (x.overflow < 0)
    return m;  // a teleport: the serial part
  const std::uint32_t v = x.v;
  const Lane& from = net_.lanes[x.fromLane];
  m.kind = Move::kEnter;
  m.speed = x.speed;
  if (from.edge == kNone) {
    const Connection& conn = net_.connections[from.connection];
    ++veh_[v].routePos;
    updateMask(v);
    m.lane = conn.toLane;
    m.pos = std::min(x.overflow, net_.lanes[conn.toLane].length);
    return m;
  }
  ++laneExits_[x.fromLane];
  if (veh_[v].routePos + 1 >= veh_[v].routeLen) {
    m.kind = Move::kArrive;
    return m;
  }
  const std::uint32_t c = plannedConnection(v, x.fromLane);
  if (c == kNone) {
    // cannot happen: a vehicle without a connection never passes the stop line
    m.lane = x.fromLane;
    m.pos = from.length - 0.01;
    m.speed = 0;
    return m;
  }
  const Connection& conn = net_.connections[c];
  const Lane& il = net_.lanes[conn.internalLane];
  if (x.overflow > il.length && lanes_[conn.internalLane].veh.empty()) {
    // a short crossing passed within the step
    ++veh_[v].routePos;
    updateMask(v);
    m.lane = conn.toLane;
    m.pos = std::min(x.overflow - il.length, net_.lanes[conn.toLane].length);
  } else {
    m.lane = conn.internalLane;
    m.pos = std::min(x.overflow, il.length);
  }
  return m;
}

void Simulation::step(double t, const ParallelFor& parallel) {
  arrivals_.clear();
  inserted_.clear();
  // 0. signal states now
  static const std::string kNoState;
  for (std::size_t s = 0; s < net_.signals.size(); ++s) {
    const SignalProgram& sp = net_.signals[s];
    if (sp.states.empty()) {
      signalState_[s] = &kNoState;
      continue;
    }
    // the phase changes a few times a cycle: recompute only outside the current one
    if (!(t >= phaseFrom_[s] && t < phaseTo_[s])) {
      const std::size_t ph = sp.phaseAt(t);
      double u = std::fmod(t - sp.offset, sp.cycle);
      if (u < 0)
        u += sp.cycle;
      double start = 0;
      for (std::size_t q = 0; q < ph; ++q)
        start += sp.durations[q];
      phaseFrom_[s] = t - (u - start);
      phaseTo_[s] = phaseFrom_[s] + sp.durations[ph];
      signalState_[s] = &sp.states[ph];
    }
  }
  const double dt = p_.dt;
  // 1. lane changes, per edge with vehicles (active_ is ascending: edges come out in order)
  activeEdges_.clear();
  for (std::uint32_t lane : active_) {
    const std::uint32_t e = net_.lanes[lane].edge;
    if (e != kNone && (activeEdges_.empty() || activeEdges_.back() != e))
      activeEdges_.push_back(e);
  }
  // the internal lanes with vehicles: the end of active_ (their indices follow the normal lanes')
  const auto internalBegin = static_cast<std::size_t>(
      std::lower_bound(active_.begin(), active_.end(), net_.normalLaneCount) - active_.begin());
  const std::size_t internalCount = active_.size() - internalBegin;
  // with them the summaries other lanes read in phase 2 (and the connection each front vehicle
  // takes): per edge right after its lane changes (those move vehicles only between its own
  // lanes), so that one pass over the threads does both
  parallel(activeEdges_.size() + internalCount, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      if (i >= activeEdges_.size()) {
        summarise(active_[internalBegin + (i - activeEdges_.size())]);
        continue;
      }
      if (i + 2 < activeEdges_.size()) {
        // (hints to the cache, as in phase 2)
        const Edge& ahead = net_.edges[activeEdges_[i + 2]];
        for (std::uint32_t l = 0; l < ahead.laneCount; ++l)
          prefetchLane(ahead.firstLane + l);
      }
      if (i + 4 < activeEdges_.size())
        __builtin_prefetch(&lanes_[net_.edges[activeEdges_[i + 4]].firstLane]);
      const Edge& edge = net_.edges[activeEdges_[i]];
      laneChanges(activeEdges_[i], t);
      for (std::uint32_t l = 0; l < edge.laneCount; ++l)
        summarise(edge.firstLane + l);  // count 0 where lane changes emptied it
    }
  });
  // the lanes with vehicles now: every lane of the active edges, then the internal lanes
  stepLanes_.clear();
  for (std::uint32_t e : activeEdges_) {
    const Edge& edge = net_.edges[e];
    for (std::uint32_t i = 0; i < edge.laneCount; ++i) {
      if (!lanes_[edge.firstLane + i].veh.empty())
        stepLanes_.push_back(edge.firstLane + i);
    }
  }
  stepLanes_.insert(stepLanes_.end(), active_.begin() + static_cast<std::ptrdiff_t>(internalBegin),
                    active_.end());
  if (!laneOwner_.empty())
    exchangeSummaries();  // the ghost lanes' summaries, from their owners
  laneStep_.resize(stepLanes_.size());
  // 2. speeds, then positions, per lane: a lane's speeds read only the summaries of others, and
  // its positions only its own speeds
  parallel(stepLanes_.size(), [&](std::size_t b, std::size_t e) {
    for (std::size_t j = b; j < e; ++j) {
      // the lanes' data are scattered: ask for the lane two ahead's arrays and the one four
      // ahead's record while this one is computed (hints only: the results do not change)
      if (j + 4 < e)
        __builtin_prefetch(&lanes_[stepLanes_[j + 4]]);
      if (j + 2 < e)
        prefetchLane(stepLanes_[j + 2]);
      if (j + 1 < e) {
        // the next lane's vehicle ids are at hand by now: their records
        const LaneState& N = lanes_[stepLanes_[j + 1]];
        for (std::size_t k = 0; k < N.veh.size() && k < 4; ++k)
          __builtin_prefetch(&veh_[N.veh[k]]);
      }
      speeds(stepLanes_[j]);
      move(stepLanes_[j], dt, laneStep_[j]);
    }
  });
  // the step's sums in lane order, from the compact per-lane results (not the lanes)
  std::uint64_t updates = 0;
  double meters = 0;
  for (const LaneStep& r : laneStep_) {
    updates += r.vehicles;
    meters += r.meters;
    stats_.co2Mg += r.co2;
    stats_.noxMg += r.nox;
    stats_.evEnergyJ += r.evJ;
    stats_.evMeters += r.evM;
    if (r.edge != kNone)
      edgeQueueNow_[r.edge] += r.standing;
  }
  for (const LaneStep& r : laneStep_) {
    if (r.edge != kNone) {
      edgeMaxQueue_[r.edge] = std::max(edgeMaxQueue_[r.edge], edgeQueueNow_[r.edge]);
      edgeQueueNow_[r.edge] = 0;
    }
  }
  stats_.vehicleUpdates += updates;
  stats_.vehicleSeconds += static_cast<double>(updates) * dt;
  stats_.vehicleMeters += meters;
  // 3. transfers in lane order: collect the leaving front vehicles first
  std::vector<Exit>& exits = exits_;  // kept between steps (scratch)
  exits.clear();
  touched_.clear();
  for (std::size_t j = 0; j < stepLanes_.size(); ++j) {
    if (laneStep_[j].exit == 0)
      continue;
    const std::uint32_t i = stepLanes_[j];
    LaneState& L = lanes_[i];
    const double length = net_.lanes[i].length;
    const std::uint32_t v = L.veh.front();
    const bool leaves = L.pos.front() > length;
    exits.push_back({v, i, leaves ? L.pos.front() - length : -1.0, L.speed.front()});
    L.pos.erase(L.pos.begin());
    L.speed.erase(L.speed.begin());
    L.veh.erase(L.veh.begin());
  }
  // where each leaving vehicle goes, on the threads: every exit is another vehicle and leaves
  // another lane, and a vehicle's way on reads only its own record and route (the lane it
  // enters is filled below, in lane order); teleports are left whole to the serial part
  moves_.resize(exits.size());
  parallel(exits.size(), [&](std::size_t b, std::size_t e) {
    for (std::size_t k = b; k < e; ++k) {
      if (k + 4 < e)
        __builtin_prefetch(&veh_[exits[k + 4].v]);  // a hint to the cache (results unchanged)
      moves_[k] = wayOn(exits[k]);
    }
  });
  for (std::size_t k = 0; k < exits.size(); ++k) {
    const Exit& x = exits[k];
    const std::uint32_t v = x.v;
    if (moves_[k].kind == Move::kArrive) {
      arrive(v, t);  // at the end of the last edge
      continue;
    }
    if (moves_[k].kind == Move::kEnter) {
      enterLane(v, moves_[k].lane, moves_[k].pos, moves_[k].speed);
      continue;
    }
    auto route = routeOf(v);
    if (warn_) {
      const Lane& fl = net_.lanes[x.fromLane];
      const std::uint32_t c = plannedConnection(v, x.fromLane);
      std::string where =
          fl.edge != kNone
              ? "lane " + net_.edges[fl.edge].id + "_" + std::to_string(fl.index)
              : "the junction from " + net_.edges[net_.connections[fl.connection].fromEdge].id;
      std::string why;
      if (fl.edge != kNone && c == kNone) {
        why = "it found no gap to change to a lane that continues its route";
      } else if (c != kNone) {
        const Connection& conn = net_.connections[c];
        why = std::string("waiting to enter ") + net_.edges[conn.toEdge].id + " (" +
              net_.nodes[conn.node].type + " junction, right of way '" + conn.state + "'" +
              (conn.signal >= 0 ? std::string(", signal '") + signalChar(conn) + "'" : "") + ")";
      }
      warn_("vehicle " + demand_.trips[v].id + " stood " + std::to_string(int(p_.timeToTeleport)) +
            " s on " + where + ", " + why +
            "; teleported to its next edge at t = " + std::to_string(int(t)) + " s");
    }
    // gridlock: the vehicle jumps to the next edge of its route (counted, as SUMO's teleports)
    ++stats_.teleports;
    veh_[v].waiting = 0;
    ++veh_[v].routePos;  // on to the next edge (from an internal lane: the one it was entering)
    updateMask(v);
    vStatus_[v] = 3;
    veh_[v].lane = kNone;
    if (!laneOwner_.empty() && veh_[v].routePos < route.size() &&
        !ownsEdge(route[veh_[v].routePos])) {
      handOver(v, net_.edges[route[veh_[v].routePos]].firstLane, 1, 0, 0);
      continue;
    }
    teleporting_.push_back(v);
  }
  // a split run: the vehicles that crossed into another's lanes move there (before anything
  // here reads those lanes: every lane gets its vehicles from one junction, so one process)
  if (!laneOwner_.empty())
    receiveVehicles();
  // teleported vehicles re-enter at the start of their next edge when there is room
  if (!teleporting_.empty()) {
    std::vector<std::uint32_t> still;
    for (std::uint32_t v : teleporting_) {
      auto route = routeOf(v);
      if (veh_[v].routePos >= route.size()) {
        arrive(v, t);  // it jumped past its last edge
        continue;
      }
      const Edge& e = net_.edges[route[veh_[v].routePos]];
      const double len = vtypes_[veh_[v].type].idm.length;
      std::uint32_t best = kNone;
      double bestRoom = -kInf;
      for (std::uint32_t i = 0; i < e.laneCount; ++i) {
        const std::uint32_t lane = e.firstLane + i;
        if (!validLane(v, net_.lanes[lane]))
          continue;
        const LaneState& L = lanes_[lane];
        const double room =
            L.veh.empty() ? kInf : L.pos.back() - vtypes_[veh_[L.veh.back()].type].idm.length;
        if (room > bestRoom) {
          bestRoom = room;
          best = lane;
        }
      }
      if (best != kNone && bestRoom >= len + 2.5) {
        enterLane(v, best, std::min(len, e.length), 0);
        vStatus_[v] = 1;
      } else {
        still.push_back(v);
      }
    }
    teleporting_ = std::move(still);
  }
  // 4. insertion: due trips join the backlog; a trip that cannot enter blocks later trips
  // from the same edge (first come, first served)
  // (the demand's trips and the trips added while running, merged by departure and index)
  std::size_t extraDue = 0;
  while (extraDue < extra_.size() && demand_.trips[extra_[extraDue]].depart <= t + 1e-9)
    ++extraDue;
  std::size_t ex = 0;
  while (true) {
    const bool base = nextTrip_ < baseTrips_ && demand_.trips[nextTrip_].depart <= t + 1e-9;
    const bool more = ex < extraDue;
    if (!base && !more)
      break;
    // (a split run inserts the trips that start on its own edges)
    auto mine = [&](std::size_t trip) { return ownsEdge(demand_.route(demand_.trips[trip])[0]); };
    if (base && (!more || demand_.trips[nextTrip_].depart <= demand_.trips[extra_[ex]].depart)) {
      if (vStatus_[nextTrip_] == 0 && mine(nextTrip_))  // not placed already
        backlog_.push_back(static_cast<std::uint32_t>(nextTrip_));
      ++nextTrip_;
    } else {
      if (mine(extra_[ex]))
        backlog_.push_back(extra_[ex]);
      ++ex;
    }
  }
  extra_.erase(extra_.begin(), extra_.begin() + static_cast<std::ptrdiff_t>(extraDue));
  if (!backlog_.empty()) {
    std::vector<std::uint32_t> waiting;
    std::vector<std::uint32_t> touched;
    for (std::uint32_t trip : backlog_) {
      const std::uint32_t e = demand_.route(demand_.trips[trip])[0];
      if (edgeBlocked_[e] || !tryInsert(trip, t)) {
        if (!edgeBlocked_[e])
          touched.push_back(e);
        edgeBlocked_[e] = 1;
        waiting.push_back(trip);
      }
    }
    for (std::uint32_t e : touched)
      edgeBlocked_[e] = 0;
    backlog_ = std::move(waiting);
    stats_.maxBacklog = std::max<std::uint64_t>(stats_.maxBacklog, backlog_.size());
  }
  // 5. lanes with vehicles for the next step
  std::vector<std::uint32_t>& next = activeEdges_;  // reuse as scratch
  next.clear();
  for (std::uint32_t lane : stepLanes_) {
    if (!lanes_[lane].veh.empty())
      next.push_back(lane);
    else
      sum_[lane].count = 0;
  }
  // (a lane that several vehicles entered is listed once: set_union keeps repeats)
  std::sort(touched_.begin(), touched_.end());
  touched_.erase(std::unique(touched_.begin(), touched_.end()), touched_.end());
  std::vector<std::uint32_t>& merged = merged_;  // scratch: active_ takes its place
  merged.clear();
  std::set_union(next.begin(), next.end(), touched_.begin(), touched_.end(),
                 std::back_inserter(merged));
  active_.swap(merged);
}

// ---- a split run (Domain) -----------------------------------------------------------------

void Simulation::setDomain(Domain d) {
  if (d.nodeOwner.size() != net_.nodes.size())
    throw std::invalid_argument("traffic: a domain needs an owner for every junction");
  if (!d.exchange)
    throw std::invalid_argument("traffic: a domain needs an exchange");
  std::uint32_t processes = d.self + 1;
  for (std::uint32_t o : d.nodeOwner)
    processes = std::max(processes, o + 1);
  domain_ = std::move(d);
  laneOwner_.assign(net_.lanes.size(), 0);
  for (const Edge& e : net_.edges) {
    if (e.to == kNone)
      throw std::invalid_argument("traffic: edge " + e.id + " ends at no junction");
    for (std::uint32_t i = 0; i < e.laneCount; ++i)
      laneOwner_[e.firstLane + i] = domain_.nodeOwner[e.to];
  }
  for (const Connection& c : net_.connections)
    laneOwner_[c.internalLane] = domain_.nodeOwner[c.node];
  sendSum_.assign(processes, {});
  recvSum_.assign(processes, {});
  outbox_.assign(processes, sdk::StateWriter{});
  for (std::uint32_t l = 0; l < net_.normalLaneCount; ++l) {
    const Edge& e = net_.edges[net_.lanes[l].edge];
    if (e.from == kNone)
      continue;
    // the lane is read by the owner of the junction it leaves (its front vehicles look ahead)
    const std::uint32_t reader = domain_.nodeOwner[e.from], owner = laneOwner_[l];
    if (owner == reader)
      continue;
    if (owner == domain_.self)
      sendSum_[reader].push_back(l);
    else if (reader == domain_.self)
      recvSum_[owner].push_back(l);
  }
}

void Simulation::exchangeSummaries() {
  std::vector<std::vector<std::uint8_t>> out(sendSum_.size());
  for (std::size_t p = 0; p < sendSum_.size(); ++p) {
    sdk::StateWriter w;
    for (std::uint32_t l : sendSum_[p]) {
      const Summary& s = sum_[l];
      w.put(s.count).put(s.frontConn).put(s.frontDist).put(s.frontSpeed);
      w.put(s.backPos).put(s.backSpeed).put(s.frontWait);
    }
    out[p] = w.take();
  }
  auto in = domain_.exchange(std::move(out));
  for (std::size_t p = 0; p < recvSum_.size(); ++p) {
    if (recvSum_[p].empty())
      continue;
    if (p >= in.size())
      throw std::runtime_error("traffic: a split run missed a neighbour's lane summaries");
    sdk::StateReader r(in[p]);
    for (std::uint32_t l : recvSum_[p]) {
      Summary& s = sum_[l];
      s.count = r.get<std::uint32_t>();
      s.frontConn = r.get<std::uint32_t>();
      s.frontDist = r.get<double>();
      s.frontSpeed = r.get<double>();
      s.backPos = r.get<double>();
      s.backSpeed = r.get<double>();
      s.frontWait = r.get<double>();
    }
    if (!r.atEnd())
      throw std::runtime_error("traffic: a split run received more lane summaries than it reads");
  }
}

void Simulation::handOver(std::uint32_t v, std::uint32_t lane, std::uint8_t kind, double pos,
                          double speed) {
  const Veh& x = veh_[v];
  outbox_[laneOwner_[lane]]
      .put(v)
      .put(lane)
      .put(kind)
      .put(pos)
      .put(speed)
      .put(x.mask)
      .put(x.nextMask)
      .put(x.waiting)
      .put(x.lastChange)
      .put(x.routePos)
      .put(vInsert_[v])
      .put(vOdometer_[v])
      .put(vStatus_[v]);
  vStatus_[v] = 4;  // elsewhere
  veh_[v].lane = kNone;
  --running_;
  ++handedOver_;
}

void Simulation::receiveVehicles() {
  std::vector<std::vector<std::uint8_t>> out(outbox_.size());
  for (std::size_t p = 0; p < outbox_.size(); ++p)
    out[p] = outbox_[p].take();
  auto in = domain_.exchange(std::move(out));
  for (std::size_t p = 0; p < in.size(); ++p) {  // in process order: each lane from one
    sdk::StateReader r(in[p]);
    while (!r.atEnd()) {
      const auto v = r.get<std::uint32_t>();
      const auto lane = r.get<std::uint32_t>();
      const auto kind = r.get<std::uint8_t>();
      const auto pos = r.get<double>(), speed = r.get<double>();
      if (v >= veh_.size() || lane >= lanes_.size() || laneOwner_[lane] != domain_.self)
        throw std::runtime_error("traffic: a split run received a vehicle for another's lane");
      Veh& x = veh_[v];
      x.mask = r.get<std::uint64_t>();
      x.nextMask = r.get<std::uint64_t>();
      x.waiting = r.get<double>();
      x.lastChange = r.get<double>();
      x.routePos = r.get<std::uint32_t>();
      vInsert_[v] = r.get<double>();
      vOdometer_[v] = r.get<double>();
      vStatus_[v] = r.get<std::uint8_t>();
      ++running_;
      if (kind == 1)
        teleporting_.push_back(v);
      else
        enterLane(v, lane, pos, speed);
    }
  }
}

void Simulation::reroute(std::uint32_t v, std::uint32_t begin, std::uint32_t length,
                         std::uint32_t pos) {
  if (v >= veh_.size() || length == 0 || pos >= length ||
      std::size_t{begin} + length > demand_.routeEdges.size())
    throw std::invalid_argument("reroute: not a route of the demand");
  const std::uint32_t here = routeOf(v)[veh_[v].routePos];
  if (demand_.routeEdges[begin + pos] != here)
    throw std::invalid_argument("reroute: the new route does not pass the vehicle's edge");
  veh_[v].routeBegin = begin;
  veh_[v].routeLen = length;
  veh_[v].routePos = pos;
  if (vStatus_[v] == 1 || vStatus_[v] == 3)
    updateMask(v);
}

void Simulation::addTrip(std::uint32_t trip) {
  if (trip < baseTrips_ || trip >= demand_.trips.size())
    throw std::invalid_argument("addTrip: not a trip appended to the demand");
  syncTrips();
  auto before = [&](std::uint32_t a, std::uint32_t b) {
    const double da = demand_.trips[a].depart, db = demand_.trips[b].depart;
    return da < db || (da == db && a < b);
  };
  auto at = std::lower_bound(extra_.begin(), extra_.end(), trip, before);
  if (vStatus_[trip] != 0 || (at != extra_.end() && *at == trip))
    throw std::invalid_argument("addTrip: the trip is already queued or running");
  extra_.insert(at, trip);
}

void Simulation::place(std::uint32_t trip, std::uint32_t laneIndex, double pos, double speed,
                       double t) {
  if (trip >= vStatus_.size() || vStatus_[trip] != 0)
    throw std::invalid_argument("place: no such trip, or it is already on the network");
  const Edge& e = net_.edges[routeOf(trip)[0]];
  if (laneIndex >= e.laneCount || !(pos >= 0) || pos > e.length || !(speed >= 0))
    throw std::invalid_argument("place: lane or position outside the first edge");
  const std::uint32_t lane = e.firstLane + laneIndex;
  LaneState& L = lanes_[lane];
  std::size_t at = 0;
  while (at < L.veh.size() && L.pos[at] > pos)
    ++at;
  L.pos.insert(L.pos.begin() + static_cast<std::ptrdiff_t>(at), pos);
  L.speed.insert(L.speed.begin() + static_cast<std::ptrdiff_t>(at), speed);
  L.veh.insert(L.veh.begin() + static_cast<std::ptrdiff_t>(at), trip);
  veh_[trip].lane = lane;
  veh_[trip].routePos = 0;
  updateMask(trip);
  vStatus_[trip] = 1;
  vInsert_[trip] = t;
  veh_[trip].waiting = 0;
  ++running_;
  ++stats_.inserted;
  rebuildActive();
}

SimStats Simulation::stats() const {
  SimStats s = stats_;
  s.laneChanges = 0;
  for (std::uint32_t n : edgeLaneChanges_)
    s.laneChanges += n;
  return s;
}

bool Simulation::finished() const {
  // a run whose trips all come from other models is not done before the first one
  return nextTrip_ >= baseTrips_ && extra_.empty() && backlog_.empty() && running_ == 0 &&
         !demand_.trips.empty();
}

double Simulation::meanSpeed() const {
  double sum = 0;
  std::size_t n = 0;
  for (std::uint32_t lane : active_) {
    const LaneState& L = lanes_[lane];
    for (double s : L.speed)
      sum += s;
    n += L.veh.size();
  }
  return n > 0 ? sum / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
}

Simulation::Running Simulation::runningAt(std::uint32_t i, std::size_t k) const {
  const LaneState& L = lanes_[i];
  const Lane& lane = net_.lanes[i];
  const std::uint32_t v = L.veh[k];
  const bool front = k == 0 && lane.edge != kNone;
  const double wait = front ? veh_[v].waiting : -1;
  bool off = false, red = false;
  if (front) {
    const auto route = routeOf(v);
    const std::uint32_t rp = veh_[v].routePos;
    off = rp + 1 < route.size() && connectionTo(i, route[rp + 1]) == kNone;
    const std::uint32_t c = off ? kNone : plannedConnection(v, i);
    if (c != kNone && net_.connections[c].signal >= 0 &&
        signalState_[static_cast<std::size_t>(net_.connections[c].signal)] != nullptr) {
      const char ch = signalChar(net_.connections[c]);
      red = ch == 'r' || ch == 'y' || ch == 'u';
    }
  }
  return {v, i, lane.length - L.pos[k], wait, off, red};
}

void Simulation::runningVehicles(std::vector<Running>& out) const {
  out.clear();
  for (std::uint32_t i : active_) {
    for (std::size_t k = 0; k < lanes_[i].veh.size(); ++k)
      out.push_back(runningAt(i, k));
  }
}

void Simulation::frontsWaiting(std::vector<Running>& out, double minWait) const {
  out.clear();
  for (std::uint32_t i : active_) {
    if (i >= net_.normalLaneCount)
      break;  // the internal lanes follow: no front waits there
    const LaneState& L = lanes_[i];
    if (!L.veh.empty() && veh_[L.veh.front()].waiting >= minWait)
      out.push_back(runningAt(i, 0));
  }
}

bool Simulation::runningVehicle(std::uint32_t v, Running& out) const {
  if (v >= vStatus_.size() || vStatus_[v] != 1 || veh_[v].lane == kNone)
    return false;
  const std::uint32_t i = veh_[v].lane;
  const LaneState& L = lanes_[i];
  for (std::size_t k = 0; k < L.veh.size(); ++k) {
    if (L.veh[k] == v) {
      out = runningAt(i, k);
      return true;
    }
  }
  return false;
}

std::vector<Simulation::VehicleView> Simulation::vehicles() const {
  std::vector<VehicleView> out;
  for (std::uint32_t i = 0; i < lanes_.size(); ++i) {
    const LaneState& L = lanes_[i];
    for (std::size_t k = 0; k < L.veh.size(); ++k)
      out.push_back({i, L.pos[k], L.speed[k], L.veh[k]});
  }
  return out;
}

std::vector<std::uint8_t> Simulation::saveState() const {
  sdk::StateWriter w;
  w.put(static_cast<std::uint64_t>(lanes_.size()));
  for (const LaneState& L : lanes_) {
    w.putVector(L.pos);
    w.putVector(L.speed);
    w.putVector(L.veh);
  }
  std::vector<std::uint32_t> lane(veh_.size()), routePos(veh_.size()), routeBegin(veh_.size()),
      routeLen(veh_.size());
  std::vector<double> waiting(veh_.size()), lastChange(veh_.size());
  for (std::size_t i = 0; i < veh_.size(); ++i) {
    lane[i] = veh_[i].lane;
    routePos[i] = veh_[i].routePos;
    routeBegin[i] = veh_[i].routeBegin;
    routeLen[i] = veh_[i].routeLen;
    waiting[i] = veh_[i].waiting;
    lastChange[i] = veh_[i].lastChange;
  }
  w.putVector(lane);
  w.putVector(routePos);
  w.putVector(vInsert_);
  w.putVector(waiting);
  w.putVector(lastChange);
  w.putVector(vStatus_);
  w.putVector(backlog_);
  w.putVector(teleporting_);
  w.putVector(laneExits_);
  w.putVector(edgeLaneChanges_);
  w.putVector(laneSpeedSum_);
  w.putVector(laneVehSteps_);
  w.putVector(edgeMaxQueue_);
  w.put(static_cast<std::uint64_t>(nextTrip_)).put(static_cast<std::uint64_t>(running_));
  w.put(stats_);
  w.putVector(extra_);
  w.putVector(vOdometer_);
  w.putVector(laneCo2_);
  w.putVector(laneNox_);
  w.putVector(routeBegin);  // routes changed by reroute()
  w.putVector(routeLen);
  return w.take();
}

void Simulation::loadState(std::span<const std::uint8_t> bytes) {
  sdk::StateReader r(bytes);
  if (r.get<std::uint64_t>() != lanes_.size())
    throw std::runtime_error("traffic state: the lane count does not match this network");
  for (LaneState& L : lanes_) {
    r.getVector(L.pos);
    r.getVector(L.speed);
    r.getVector(L.veh);
  }
  std::vector<std::uint32_t> lane, routePos, routeBegin, routeLen;
  std::vector<double> waiting, lastChange;
  r.getVector(lane);
  r.getVector(routePos);
  r.getVector(vInsert_);
  r.getVector(waiting);
  r.getVector(lastChange);
  r.getVector(vStatus_);
  r.getVector(backlog_);
  r.getVector(teleporting_);
  r.getVector(laneExits_);
  r.getVector(edgeLaneChanges_);
  r.getVector(laneSpeedSum_);
  r.getVector(laneVehSteps_);
  r.getVector(edgeMaxQueue_);
  nextTrip_ = static_cast<std::size_t>(r.get<std::uint64_t>());
  running_ = static_cast<std::size_t>(r.get<std::uint64_t>());
  stats_ = r.get<SimStats>();
  r.getVector(extra_);
  r.getVector(vOdometer_);
  r.getVector(laneCo2_);
  r.getVector(laneNox_);
  r.getVector(routeBegin);
  r.getVector(routeLen);
  r.expectEnd();
  syncTrips();  // trips added while running, restored into the demand by the model
  if (lane.size() != veh_.size() || routePos.size() != veh_.size() ||
      waiting.size() != veh_.size() || lastChange.size() != veh_.size() ||
      vStatus_.size() != veh_.size() || laneSpeedSum_.size() != net_.normalLaneCount ||
      laneVehSteps_.size() != net_.normalLaneCount || edgeMaxQueue_.size() != net_.edges.size() ||
      laneCo2_.size() != net_.normalLaneCount || laneNox_.size() != net_.normalLaneCount ||
      routeBegin.size() != veh_.size() || routeLen.size() != veh_.size())
    throw std::runtime_error("traffic state: the trip count does not match this demand");
  for (std::size_t i = 0; i < veh_.size(); ++i) {
    if (routeLen[i] == 0 || std::size_t{routeBegin[i]} + routeLen[i] > demand_.routeEdges.size() ||
        routePos[i] > routeLen[i])
      throw std::runtime_error("traffic state: a vehicle's route is not in this demand");
    veh_[i].routeBegin = routeBegin[i];
    veh_[i].routeLen = routeLen[i];
    veh_[i].lane = lane[i];
    veh_[i].routePos = routePos[i];
    veh_[i].waiting = waiting[i];
    veh_[i].lastChange = lastChange[i];
  }
  for (std::uint32_t v = 0; v < vStatus_.size(); ++v) {
    if (vStatus_[v] == 1 || vStatus_[v] == 3)
      updateMask(v);
  }
  rebuildActive();
  for (std::uint32_t i = 0; i < lanes_.size(); ++i)
    sum_[i].count = 0;
}

}  // namespace twin::traffic
