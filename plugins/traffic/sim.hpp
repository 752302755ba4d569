// SPDX-License-Identifier: Apache-2.0
// The microsimulation core: vehicles as structure-of-arrays per lane, sorted by position (front
// first), so that one step is a linear sweep over each lane. A step is
//   1. lane changes (MOBIL; strategic changes towards the lanes that continue the route), in
//      parallel over edges, each edge's lanes in a fixed order, and in the same pass each lane's
//      summary (what other lanes read of it: its front and back vehicles);
//   2. new speeds (IDM; at the lane's front the look-ahead through the junction: signal,
//      right of way with gap acceptance, room behind the junction), reading only the summaries,
//      then new positions (Euler update, as SUMO's default), in parallel over lanes;
//   3. lane transfers, arrivals and teleports of gridlocked vehicles, in lane order;
//   4. insertion of departures, in departure order, with a backlog (never dropped).
// Two hand-overs to the threads per step.
// Every parallel phase writes only lane- or vehicle-owned memory and every serial phase runs in
// a fixed order, so results are bit-identical for any thread count.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "demand.hpp"
#include "ev_energy.hpp"
#include "idm.hpp"
#include "network.hpp"
#include "twin/plugin.hpp"

namespace twin::traffic {

struct SimParams {
  double dt = 1.0;              // s
  int substeps = 4;             // IDM integration sub-steps per step (SUMO: stepping 0.25 s)
  double timeToTeleport = 300;  // s standing at a lane's front before a gridlock teleport
  double gapMinor = 1.0;        // s: a yielding vehicle needs this margin behind a foe's arrival
  MobilParams mobil;
  double laneChangeCooldown = 3.0;  // s between discretionary changes of one vehicle
};

// (count, fn(begin, end)): runs fn over blocks covering [0, count), possibly in parallel
using ParallelFor =
    std::function<void(std::size_t, const std::function<void(std::size_t, std::size_t)>&)>;

// One process's share of a run split over several (docs/scale-out.md). The junctions are
// divided among the processes; a process owns the lanes of every edge that ends at one of its
// junctions and the junctions' internal lanes. Every junction decision (signal, right of way,
// gap acceptance, room behind) and every lane change then reads only its own lanes, except the
// summaries of the lanes just past its junctions that others own (ghost lanes, read by its
// front vehicles' look-ahead). A step needs two exchanges with the neighbours: those summaries
// after they are made, and the vehicles that cross into another's lane (or teleport onto
// another's edge). Each lane receives vehicles from one junction only, so one process, in its
// own order: a split run gives the single run's vehicles, positions and arrivals exactly.
struct Domain {
  std::vector<std::uint32_t> nodeOwner;  // per node: the process that owns it
  std::uint32_t self = 0;
  // A neighbour exchange, called by every process at the same point of the same step: out[p]
  // goes to process p; returns what each process sent here (indexed by process; empty where
  // nothing was sent). A process must send to every neighbour, even nothing, every time.
  std::function<std::vector<std::vector<std::uint8_t>>(std::vector<std::vector<std::uint8_t>>)>
      exchange;
};

struct SimStats {
  std::uint64_t inserted = 0, arrived = 0, teleports = 0, vehicleUpdates = 0;
  std::uint64_t laneChanges = 0;
  double travelTimeSum = 0;   // s, over arrived vehicles (arrival - insertion)
  double departDelaySum = 0;  // s, insertion - desired departure
  double freeFlowSum = 0;     // s, free-flow time of the arrived vehicles' routes
  double vehicleSeconds = 0;  // s driven by all vehicles (running)
  double vehicleMeters = 0;   // m driven
  std::uint64_t maxBacklog = 0;
  // tailpipe emissions of every step driven (emissions.hpp: HBEFA3-based), mg
  double co2Mg = 0, noxMg = 0;
  // electric vehicles (ev_energy.hpp): battery energy net of recuperation, J, and distance, m
  double evEnergyJ = 0, evMeters = 0;
};

class Simulation {
 public:
  Simulation(const Network& net, std::vector<VehicleType> vtypes, const Demand& demand,
             SimParams params, std::uint64_t seed);

  // Advances from time t - dt to t: moves, transfers and arrivals at t, then inserts the
  // departures due by t.
  void step(double t, const ParallelFor& parallel);

  // Puts trip `trip` on lane `laneIndex` of the first edge of its route, front bumper at `pos`,
  // moving at `speed` (a warm start: a ring road, a scenario that begins mid-day); it is then
  // not inserted again.
  void place(std::uint32_t trip, std::uint32_t laneIndex, double pos, double speed, double t);

  // A trip the model appended to the demand while running (trips from other models): it is
  // inserted at its departure, merged with the demand's trips by departure and index.
  void addTrip(std::uint32_t trip);

  // Makes this simulation one share of a split run (before the first step; not with place()
  // or saved states). Its stats, arrivals and finished() are then this process's alone.
  void setDomain(Domain d);
  // the process that owns a lane (0 without a domain)
  std::uint32_t laneOwner(std::uint32_t lane) const {
    return laneOwner_.empty() ? 0 : laneOwner_[lane];
  }
  // vehicles handed over to other processes so far, and summaries sent
  std::uint64_t handedOver() const { return handedOver_; }

  // Rerouting (road closures): where vehicle v is in its route (the index of the edge it is on;
  // on an internal lane, of the edge it left), whether it is waiting to depart (0), running
  // (1), arrived (2) or teleporting (3), and whether it is crossing a junction now.
  std::uint32_t routePos(std::uint32_t v) const { return veh_[v].routePos; }
  std::uint8_t status(std::uint32_t v) const { return vStatus_[v]; }
  bool onJunction(std::uint32_t v) const {
    return veh_[v].lane != kNone && net_.lanes[veh_[v].lane].edge == kNone;
  }
  std::span<const std::uint32_t> route(std::uint32_t v) const { return routeOf(v); }
  // Gives vehicle v the route demand.routeEdges[begin, begin + length), on which it is now at
  // index `pos` (the same edge as before; between steps only).
  void reroute(std::uint32_t v, std::uint32_t begin, std::uint32_t length, std::uint32_t pos);

  // Running vehicles for rerouting (rerouting.hpp), in lane order, each with its lane, the
  // distance from its front to the lane's end, for the front vehicle of a normal lane how long
  // it has been standing (else -1), whether its route cannot go on from that lane, and whether
  // the signal of the way it takes shows red or amber.
  struct Running {
    std::uint32_t v, lane;
    double toEnd, frontWait;
    bool offRoute, red;
  };
  void runningVehicles(std::vector<Running>& out) const;
  // the same for the front vehicles of normal lanes standing at least minWait seconds, in lane
  // order; and for vehicle v alone (false when it is not on a lane now)
  void frontsWaiting(std::vector<Running>& out, double minWait) const;
  bool runningVehicle(std::uint32_t v, Running& out) const;
  // the trips inserted in the last step, in insertion order
  const std::vector<std::uint32_t>& insertedLastStep() const { return inserted_; }

  bool finished() const;  // every trip inserted and arrived (or teleported out)
  std::size_t running() const { return running_; }
  std::size_t backlog() const { return backlog_.size(); }
  SimStats stats() const;  // sums the per-edge lane changes: for the end of a run
  std::uint64_t arrivedCount() const { return stats_.arrived; }  // cheap, for every step
  double meanSpeed() const;  // m/s over running vehicles, NaN when none

  // every running vehicle: position (lane, offset from the lane start), speed, trip index
  struct VehicleView {
    std::uint32_t lane;
    double pos, speed;
    std::uint32_t trip;
  };
  std::vector<VehicleView> vehicles() const;

  // the vehicles (trip indices) that arrived in the last step, in arrival order, and when
  struct Arrival {
    std::uint32_t vehicle;
    double t;
  };
  const std::vector<Arrival>& arrivals() const { return arrivals_; }
  // when a vehicle was inserted (s; valid once it is)
  double insertedAt(std::uint32_t v) const { return vInsert_[v]; }
  // metres a vehicle has driven (teleports not counted)
  double odometer(std::uint32_t v) const { return vOdometer_[v]; }

  // receives a line per teleport (SUMO warns the same way)
  void onWarning(std::function<void(const std::string&)> warn) { warn_ = std::move(warn); }

  std::vector<std::uint8_t> saveState() const;
  void loadState(std::span<const std::uint8_t> bytes);

  // per normal lane: vehicles counted leaving it (flows), for link outputs
  const std::vector<std::uint32_t>& laneExits() const { return laneExits_; }
  // per normal lane: the sum of its vehicles' speeds over all steps and the vehicle-steps
  // (their ratio is the lane's mean speed); per edge: the most vehicles queued at once
  const std::vector<double>& laneSpeedSum() const { return laneSpeedSum_; }
  const std::vector<std::uint64_t>& laneVehicleSteps() const { return laneVehSteps_; }
  const std::vector<std::uint32_t>& edgeMaxQueue() const { return edgeMaxQueue_; }
  // per normal lane: the CO2 and NOx its vehicles emitted so far, mg
  const std::vector<double>& laneCo2() const { return laneCo2_; }
  const std::vector<double>& laneNox() const { return laneNox_; }

 private:
  struct LaneState {
    std::vector<double> pos;    // front bumper, m from the lane start
    std::vector<double> speed;  // m/s
    std::vector<double> next;   // phase 2's new speeds
    std::vector<std::uint32_t> veh;
    bool frontMayPass = false;  // phase 2: the front vehicle may cross the stop line
  };
  // What phase 2 leaves of each lane it moved, for the serial sums and transfers after it
  // (compact and in lane order, so that the serial part reads no lane it need not)
  struct LaneStep {
    double meters = 0;                         // metres its vehicles drove this step
    double co2 = 0, nox = 0;                   // mg its vehicles emitted
    double evJ = 0, evM = 0;                   // electric vehicles' battery energy, distance
    std::uint32_t vehicles = 0, standing = 0;  // vehicles, of them slower than 5 km/h (queued)
    std::uint32_t edge = kNone;
    std::uint8_t exit = 0;  // the front vehicle leaves the lane or is stuck for a teleport
  };
  std::vector<LaneStep> laneStep_;  // per stepLanes_ entry

  std::uint32_t plannedConnection(std::uint32_t v, std::uint32_t lane) const;
  bool mayPass(std::uint32_t conn, std::uint32_t v, double d, double speed) const;
  bool signalStopsAt(std::uint32_t v, std::uint32_t lane, double ahead) const;
  void arrive(std::uint32_t v, double t);
  char signalChar(const Connection& c) const;
  double desiredSpeed(std::uint32_t v, const Lane& lane) const;
  void laneChanges(std::uint32_t edge, double t);
  void speeds(std::uint32_t lane);
  void move(std::uint32_t lane, double dt, LaneStep& out);
  void enterLane(std::uint32_t v, std::uint32_t lane, double pos, double speed);
  bool tryInsert(std::uint32_t trip, double t);

  std::function<void(const std::string&)> warn_;
  const Network& net_;
  std::vector<VehicleType> vtypes_;
  const Demand& demand_;
  SimParams p_;
  std::vector<const std::string*> signalState_;  // current state string per signal
  std::vector<double> phaseFrom_, phaseTo_;      // the time span of each signal's phase

  std::vector<LaneState> lanes_;
  std::span<const std::uint32_t> routeOf(std::uint32_t v) const {
    return {demand_.routeEdges.data() + veh_[v].routeBegin, veh_[v].routeLen};
  }
  // the best lanes of the vehicle's current and next edge (bit i: lane index i)
  void updateMask(std::uint32_t v);
  // What the lane choices read of each connection (8 bytes, indexed as net_.connections: the
  // lanes' connection ranges hold), and per edge the range of its lanes' connections (sorted by
  // lane, so contiguous)
  struct Hop {
    std::uint32_t toEdge;
    std::uint16_t fromIndex, toIndex;  // lane indices (capped at 65535)
  };
  std::vector<Hop> hop_;
  std::vector<std::array<std::uint32_t, 2>> edgeConn_;  // edge e: hop_[begin .. end)
  std::vector<double> edgeLength_;  // edge e's length (m), side by side for updateMask
  // bit i set where lane i of `edge` connects to `next`; `good` lanes of `next` give `g` the
  // lanes that reach one of them
  std::uint64_t lanesInto(std::uint32_t edge, std::uint32_t next, std::uint64_t good,
                          std::uint64_t& g) const;
  std::uint32_t connectionTo(std::uint32_t lane, std::uint32_t toEdge) const {
    const Lane& l = net_.lanes[lane];
    for (std::uint32_t c = l.connBegin; c < l.connEnd; ++c) {
      if (hop_[c].toEdge == toEdge)
        return c;
    }
    return kNone;
  }
  bool validLane(std::uint32_t v, const Lane& lane) const {
    return lane.allowsCar && lane.index < 64 && ((veh_[v].mask >> lane.index) & 1u) != 0;
  }

  // per trip (vehicle id = trip index)
  // What a step reads of a vehicle, in one cache line: the lanes hold vehicle ids, so packing
  // these together costs one miss per vehicle instead of one per field.
  struct Veh {
    std::uint64_t mask = 0, nextMask = 0;  // best lanes of the current and the next edge
    double speedFactor = 1, waiting = 0, lastChange = -1e300;
    std::uint32_t lane = kNone, routePos = 0, type = 0, routeBegin = 0, routeLen = 0;
  };
  std::vector<Veh> veh_;
  std::vector<double> vInsert_, vFreeFlow_, vOdometer_;
  std::vector<std::uint8_t> vEmission_;  // emission class (trip's EV flag, else its type's)
  std::vector<std::uint8_t> vElectric_;  // 1: battery electric (the trip's EV flag)
  EvParams ev_;
  std::vector<std::uint8_t> vStatus_;  // 0 not yet, 1 running, 2 arrived, 3 teleporting,
                                       // 4 in another process (a split run)
  std::size_t nextTrip_ = 0;
  std::size_t baseTrips_ = 0;         // the demand's trips at construction
  std::vector<std::uint32_t> extra_;  // added trips not yet due, by (departure, index)
  std::uint64_t seed_;
  void syncTrips();  // per-trip arrays for trips appended to the demand
  std::vector<std::uint32_t> backlog_;
  std::vector<std::uint32_t> teleporting_;
  std::vector<Arrival> arrivals_;        // of the last step (not state: rebuilt every step)
  std::vector<std::uint32_t> inserted_;  // the same for insertions
  Running runningAt(std::uint32_t lane, std::size_t k) const;
  std::size_t running_ = 0;
  SimStats stats_;
  std::vector<std::uint32_t> laneExits_;
  std::vector<double> laneSpeedSum_;
  std::vector<std::uint64_t> laneVehSteps_;
  std::vector<double> laneCo2_, laneNox_;
  std::vector<std::uint32_t> edgeMaxQueue_, edgeQueueNow_;
  std::vector<std::uint8_t> edgeBlocked_;       // scratch for insertion
  std::vector<std::uint32_t> edgeLaneChanges_;  // per edge (written by that edge's task)
  // lanes with vehicles, ascending (the sweeps visit only these), and lanes entered this step
  std::vector<std::uint32_t> active_, touched_;
  // What other lanes read of a lane during the parallel phases, compact (40 bytes) so that the
  // look-ahead and the junction checks touch one cache line per lane. Valid from the start of
  // phase 2 to the end of the step; count 0 for an empty lane.
  struct Summary {
    std::uint32_t count = 0;
    std::uint32_t frontConn = kNone;       // the connection the front vehicle takes
    double frontDist = 0, frontSpeed = 0;  // the front vehicle: distance to the lane end, speed
    double backPos = 0, backSpeed = 0;     // the last vehicle: position of its rear, speed
    double frontWait = 0;                  // s the front vehicle has been standing
  };
  std::vector<Summary> sum_;
  // per normal lane: a vehicle on a neighbour lane that must change into it and found no gap
  struct MergeRequest {
    double pos = -1, speed = 0, length = 0;
  };
  std::vector<MergeRequest> mergeReq_;
  void summarise(std::uint32_t lane);
  std::vector<std::uint32_t> activeEdges_, stepLanes_, merged_;  // scratch of one step
  struct Exit {
    std::uint32_t v, fromLane;
    double overflow, speed;
  };
  std::vector<Exit> exits_;  // scratch of one step
  struct Move {
    enum Kind : std::uint8_t { kTeleport, kArrive, kEnter };
    Kind kind = kTeleport;
    std::uint32_t lane = kNone;
    double pos = 0, speed = 0;
  };
  std::vector<Move> moves_;  // scratch of one step: exits_[k]'s way on
  Move wayOn(const Exit& x);
  void rebuildActive();
  void prefetchLane(std::uint32_t lane) const;  // a hint to the cache: lane's arrays

  // a split run (setDomain): lane owners, and per process the ghost lanes it reads from here
  // (sendSum_) and the lanes it owns that are ghosts here (recvSum_), ascending
  Domain domain_;
  std::vector<std::uint32_t> laneOwner_;
  std::vector<std::vector<std::uint32_t>> sendSum_, recvSum_;
  std::vector<sdk::StateWriter> outbox_;  // vehicles leaving this step, per process
  std::uint64_t handedOver_ = 0;
  bool ownsEdge(std::uint32_t edge) const {
    return laneOwner_.empty() || laneOwner_[net_.edges[edge].firstLane] == domain_.self;
  }
  void exchangeSummaries();
  // hands vehicle v to the owner of `lane` (kind 0: enters at pos/speed; 1: teleports there)
  void handOver(std::uint32_t v, std::uint32_t lane, std::uint8_t kind, double pos, double speed);
  void receiveVehicles();
};

}  // namespace twin::traffic
