// SPDX-License-Identifier: Apache-2.0
// The road network a microsimulation drives on: directed edges with lanes, lane-to-lane
// connections through junctions (each with its own internal lane across the junction, as
// SUMO's internal lanes), the conflicts between connections, and fixed-time signal programs.
// Built from the neutral benchmark format (bench_reader.hpp) or from the city's road graph.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

namespace twin::traffic {

inline constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
inline constexpr double kLaneWidth = 3.2;  // m, SUMO's default lane width

struct Node {
  std::string id;
  double x = 0, y = 0;
  std::string type;  // traffic_light, priority, right_before_left, dead_end, ...
};

struct Edge {
  std::string id;
  std::uint32_t from = kNone, to = kNone;  // node indices
  double length = 0;                       // m, between the junctions' boundaries
  double speed = 0;                        // speed limit, m/s
  int priority = 0;
  std::uint32_t firstLane = 0;  // lanes firstLane .. firstLane + laneCount - 1, rightmost first
  std::uint32_t laneCount = 0;
  std::vector<std::array<double, 2>> shape;  // centre line, from -> to
  std::uint32_t cityLink = kNone;            // the city's road link it came from, if any
  // in the largest strongly connected part of the edges as the connections link them: every
  // such edge reaches every other; trips are drawn only between these (markMainComponent)
  bool mainComponent = true;
};

struct Lane {
  std::uint32_t edge = kNone;        // kNone for an internal lane
  std::uint32_t index = 0;           // lane index on its edge (0 rightmost)
  std::uint32_t connection = kNone;  // internal lanes: the connection they carry
  double length = 0;
  double speed = 0;  // m/s; internal lanes of turns are slower (see Connection::turnSpeed)
  bool allowsCar = true;
  // outgoing connections: connections[connBegin .. connEnd)
  std::uint32_t connBegin = 0, connEnd = 0;
};

// A foe of a connection: a movement whose path crosses it or merges into the same lane.
struct Foe {
  std::uint32_t connection = kNone;
  // without a signal (or with both green), the owner yields to this foe
  bool yieldStatic = false;
};

struct Connection {
  std::uint32_t fromLane = kNone, toLane = kNone;
  std::uint32_t fromEdge = kNone, toEdge = kNone;
  std::uint32_t internalLane = kNone;  // the lane across the junction
  std::uint32_t node = kNone;
  char direction = 's';                    // s r l R L t
  char state = 'M';                        // M m = s w Z O o (right of way without a signal)
  std::int32_t signal = -1;                // index into Network::signals, -1 when unsignalised
  std::int32_t linkIndex = -1;             // index into the signal's state strings
  double via = 0;                          // path length across the junction, m
  std::uint32_t foeBegin = 0, foeEnd = 0;  // foes[foeBegin .. foeEnd)
};

// A fixed-time signal program: phases repeat from t = offset.
struct SignalProgram {
  std::string id;
  double offset = 0;
  std::vector<double> durations;    // s per phase
  std::vector<std::string> states;  // one char per link index per phase
  double cycle = 0;
  // the phase active at time t (s)
  std::size_t phaseAt(double t) const;
};

struct Network {
  std::vector<Node> nodes;
  std::vector<Edge> edges;
  std::vector<Lane> lanes;  // every edge's lanes first (edge order), then the internal lanes
  std::vector<Connection> connections;  // sorted by fromLane
  std::vector<Foe> foes;
  std::vector<SignalProgram> signals;
  std::unordered_map<std::string, std::uint32_t> edgeIndex;
  // links of the city that lie inside a joined junction and are no edge: id -> that junction
  std::unordered_map<std::string, std::uint32_t> absorbed;
  std::size_t guessedSignals = 0;  // junctions signalised from signals on their approaches
  std::size_t normalLaneCount = 0;

  std::uint32_t findEdge(const std::string& id) const {
    auto it = edgeIndex.find(id);
    return it == edgeIndex.end() ? kNone : it->second;
  }
  // the connection from `lane` into `toEdge` (the first in file order), kNone when none
  std::uint32_t connectionTo(std::uint32_t lane, std::uint32_t toEdge) const;
  // true when some lane of `edge` connects to `toEdge`
  bool edgeConnects(std::uint32_t edge, std::uint32_t toEdge) const;
};

// Marks the edges of the largest strongly connected part of the edge graph (edges linked by
// their connections; Kosaraju's algorithm, iterative) and returns how many are left out. The
// city's road graph is strongly connected when any turn is allowed; turn bans and the missing
// turnarounds at plain bends leave some edges reachable only one way.
std::size_t markMainComponent(Network& net);

// What the builder receives per connection before the network is finished.
struct ConnectionInput {
  std::uint32_t fromEdge, fromLane, toEdge, toLane;  // lane indices on their edges
  std::uint32_t node;
  char direction, state;
  std::int32_t signal, linkIndex;
  double via;
};

// Sorts the connections by lane, adds an internal lane per connection (its speed limited for
// turns by a lateral acceleration of 5.5 m/s2 on the arc the turn describes, as SUMO's
// netconvert does with junctions.limit-turn-speed), and finds every connection's foes
// geometrically: two movements conflict when their straight paths from the stop line to the
// next lane cross or when they end in the same lane. Right of way without a signal: minor
// yields to major, equal-rank movements to the one from the right ("rechts vor links",
// StVO § 8). Edges need shape, lanes and laneCount; lanes are created here. Where edge shapes run
// to the junction's centre (a city's road graph), `junctionSetback` moves the paths' ends that
// far out of it.
void finishNetwork(Network& net, const std::vector<ConnectionInput>& connections,
                   const std::vector<std::vector<bool>>& laneAllowsCar,
                   double junctionSetback = 0.0);

}  // namespace twin::traffic
