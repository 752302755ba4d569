// SPDX-License-Identifier: Apache-2.0
// Shortest paths over the edge graph of a Network: A* (Hart, Nilsson & Raphael 1968) on travel
// times, the edge's own time plus the junction crossing into the next edge, with the straight-
// line distance at the network's highest speed as the admissible heuristic. Turns are allowed
// only where a lane-to-lane connection exists, so turn restrictions hold.
//
// With landmarks, the heuristic is ALT's (A*, landmarks and the triangle inequality: Goldberg &
// Harrelson 2005): the free-flow times from and to a few landmark edges, chosen farthest apart,
// bound the time left to the target from below. Costs may only rise above free flow (queues,
// closures), so the bounds stay admissible under any costs a router is given.
//
// Both searches walk chains (an edge whose only way on is an edge with no other way in: half
// of Aachen's 23,195 edges) without the heap, which halves the edges popped per search.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "network.hpp"

namespace twin::traffic {

// Free-flow times from each landmark to every edge and from every edge to each landmark, per
// edge the landmarks' values side by side in one row of 16-bit steps of `unit` seconds (a row of
// 32 landmarks is one 64-byte cache line: a search reads two lines per edge it reaches), with
// kUnreached where there is no way. With the finite kUnreached the bounds stay valid: where t
// cannot be reached from L but e can, e cannot reach t either, and a huge bound only keeps A*
// away from an edge that leads nowhere. Each entry is rounded to the nearest step, so a
// difference of two is off by at most one step: a bound is lowered by one step and stays
// admissible.
inline constexpr std::uint16_t kUnreached = 0xFFFF;
struct Landmarks {
  std::size_t count = 0;
  std::size_t stride = 0;            // entries per row: count rounded up to 8 (zeros after)
  std::vector<std::uint32_t> edges;  // the landmark edges
  double unit = 1;                   // s per step
  // row e (in the routers' own edge order): landmark i to e, and e to landmark i
  const std::uint16_t* fromRow(std::size_t e) const { return data_.data() + from_ + e * stride; }
  const std::uint16_t* toRow(std::size_t e) const { return data_.data() + to_ + e * stride; }
  // sizes the tables for n edges, every entry 0, each table starting on a cache line
  void allocate(std::size_t n);
  std::uint16_t* fromRow(std::size_t e) { return data_.data() + from_ + e * stride; }
  std::uint16_t* toRow(std::size_t e) { return data_.data() + to_ + e * stride; }

 private:
  std::vector<std::uint16_t> data_;
  std::size_t from_ = 0, to_ = 0;
};

class Router {
 public:
  explicit Router(const Network& net);
  // Chooses `count` landmarks by the farthest rule (each the edge farthest from those before,
  // the first the main component's edge farthest from the network's centre) and computes their
  // tables: 2 x count Dijkstra searches.
  static std::shared_ptr<const Landmarks> landmarks(const Router& freeFlow, std::size_t count);
  void setLandmarks(std::shared_ptr<const Landmarks> lm) { lm_ = std::move(lm); }
  const std::shared_ptr<const Landmarks>& landmarkTable() const { return lm_; }
  // What one search needs, reused across searches (reset lazily by a query stamp, not cleared):
  // one per thread. (Not thread_local: LeakSanitizer's tracer crashes on the dynamic TLS of a
  // dlopen'd plugin on Debian 12.)
  struct Scratch {
    // one record per edge, so that reaching an edge touches one cache line
    struct Node {
      double g = 0, h = 0;
      std::uint32_t prev = kNone, stamp = 0;
    };
    std::vector<Node> node;
    std::uint32_t query = 0;
    // starts a search over n edges: sizes the vectors, and a new stamp marks every entry stale
    void begin(std::size_t n);
  };
  // The fastest route from the start of `from` to the end of `to` (both included), with the
  // edge costs `cost(edge)` in seconds (default: free-flow time length / speed); empty when
  // `to` cannot be reached.
  std::vector<std::uint32_t> route(std::uint32_t from, std::uint32_t to, Scratch& scratch) const;
  std::vector<std::uint32_t> route(std::uint32_t from, std::uint32_t to) const {
    Scratch scratch;
    return route(from, to, scratch);
  }
  // The fastest routes from the start of `from` to the end of each of `targets` in one search
  // (Dijkstra 1959, stopped once every target is settled): paths[i] and costs[i] (s) for
  // targets[i]; an empty path and +inf where a target cannot be reached.
  void routesFrom(std::uint32_t from, std::span<const std::uint32_t> targets, Scratch& scratch,
                  std::vector<std::vector<std::uint32_t>>& paths, std::vector<double>& costs) const;
  // new edge costs (s), none below the free-flow cost (landmark bounds stay admissible);
  // throws std::invalid_argument otherwise
  void setCosts(std::vector<double> edgeCost);
  // one edge's new cost (s), as setCosts
  void setCost(std::uint32_t edge, double cost);
  const std::vector<double>& costs() const { return cost_; }
  // the cost of a route under the current costs (s): edges plus junction crossings
  double routeCost(const std::vector<std::uint32_t>& route) const;
  // the fastest crossing from edge `from` into edge `to` (s), +inf when they do not connect
  double crossingTime(std::uint32_t from, std::uint32_t to) const;

 private:
  const Network& net_;
  std::vector<double> cost_, freeFlow_;  // in the network's order
  // The searches number the edges in an order of their own (Z-order of their end points: near
  // on the map, near in memory), so that a search's next edges share cache lines: perm_[i] is
  // the network's index of edge i in that order, rank_ the inverse. Everything below is in
  // that order. Heap ties are still broken by the network's index (key), so every result is
  // the same as in the network's order.
  std::vector<std::uint32_t> perm_, rank_;
  std::vector<double> icost_;
  std::uint64_t key(std::uint32_t i) const { return (std::uint64_t{perm_[i]} << 32) | i; }
  std::shared_ptr<const Landmarks> lm_;
  // per edge: its end point (x, y), for the straight-line bound; `hasEnd` false without shape
  struct EndPoint {
    double x = 0, y = 0;
    bool hasEnd = false;
  };
  std::vector<EndPoint> end_;
  // per edge: the edges it connects to, with the shortest crossing time
  std::vector<std::uint32_t> succBegin_;
  std::vector<std::uint32_t> succEdge_;
  std::vector<double> succCross_;
  // per edge: its only successor when that successor has no other predecessor, else kNone
  std::vector<std::uint32_t> chainNext_;
  double maxSpeed_ = 1;
};

}  // namespace twin::traffic
