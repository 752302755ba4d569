// SPDX-License-Identifier: Apache-2.0
#include "network.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace twin::traffic {

std::size_t SignalProgram::phaseAt(double t) const {
  if (durations.empty() || cycle <= 0)
    return 0;
  double u = std::fmod(t - offset, cycle);
  if (u < 0)
    u += cycle;
  for (std::size_t p = 0; p < durations.size(); ++p) {
    if (u < durations[p])
      return p;
    u -= durations[p];
  }
  return durations.size() - 1;
}

std::uint32_t Network::connectionTo(std::uint32_t lane, std::uint32_t toEdge) const {
  const Lane& l = lanes[lane];
  for (std::uint32_t c = l.connBegin; c < l.connEnd; ++c) {
    if (connections[c].toEdge == toEdge)
      return c;
  }
  return kNone;
}

bool Network::edgeConnects(std::uint32_t edge, std::uint32_t toEdge) const {
  const Edge& e = edges[edge];
  for (std::uint32_t i = 0; i < e.laneCount; ++i) {
    if (connectionTo(e.firstLane + i, toEdge) != kNone)
      return true;
  }
  return false;
}

namespace {

using Vec = std::array<double, 2>;

Vec sub(Vec a, Vec b) {
  return {a[0] - b[0], a[1] - b[1]};
}
double cross(Vec a, Vec b) {
  return a[0] * b[1] - a[1] * b[0];
}
double dot(Vec a, Vec b) {
  return a[0] * b[0] + a[1] * b[1];
}
Vec unit(Vec a) {
  const double n = std::hypot(a[0], a[1]);
  return n > 1e-9 ? Vec{a[0] / n, a[1] / n} : Vec{1, 0};
}

// direction of an edge at its end (`atEnd`) or start
Vec edgeDirection(const Edge& e, bool atEnd) {
  const auto& s = e.shape;
  if (s.size() < 2)
    return {1, 0};
  return atEnd ? unit(sub(s[s.size() - 1], s[s.size() - 2])) : unit(sub(s[1], s[0]));
}

// the point where lane `i` of `e` ends (`atEnd`) or starts: the centre line shifted to the
// lane's middle (lane 0 rightmost)
// `setback` m before the end (or after the start), for shapes that run to the junction's centre
Vec lanePoint(const Edge& e, std::uint32_t i, bool atEnd, double setback) {
  if (e.shape.empty())
    return {0, 0};
  const Vec p = atEnd ? e.shape.back() : e.shape.front();
  const Vec d = edgeDirection(e, atEnd);
  const Vec right{d[1], -d[0]};
  const double off = (0.5 * (static_cast<double>(e.laneCount) - 1.0) - i) * kLaneWidth;
  const double back = atEnd ? -setback : setback;
  return {p[0] + right[0] * off + d[0] * back, p[1] + right[1] * off + d[1] * back};
}

bool segmentsCross(Vec p1, Vec p2, Vec q1, Vec q2) {
  const Vec r = sub(p2, p1), s = sub(q2, q1);
  const double o1 = cross(r, sub(q1, p1)), o2 = cross(r, sub(q2, p1));
  const double o3 = cross(s, sub(p1, q1)), o4 = cross(s, sub(p2, q1));
  const double eps = 1e-6;
  return ((o1 > eps && o2 < -eps) || (o1 < -eps && o2 > eps)) &&
         ((o3 > eps && o4 < -eps) || (o3 < -eps && o4 > eps));
}

bool isMajor(char s) {
  return s == 'M' || s == 'O';
}
bool isLeft(char d) {
  return d == 'l' || d == 'L';
}

// Arc radius of a turn from its path length: a quarter circle for r/l, an eighth for the
// partial turns, a half circle for a U-turn.
double turnRadius(char direction, double via) {
  switch (direction) {
    case 'r':
    case 'l':
      return 2.0 * via / std::numbers::pi;
    case 'R':
    case 'L':
      return 4.0 * via / std::numbers::pi;
    case 't':
      return via / std::numbers::pi;
    default:
      return std::numeric_limits<double>::infinity();
  }
}

}  // namespace

void finishNetwork(Network& net, const std::vector<ConnectionInput>& input,
                   const std::vector<std::vector<bool>>& laneAllowsCar, double junctionSetback) {
  // lanes of the edges
  net.lanes.clear();
  for (std::uint32_t e = 0; e < net.edges.size(); ++e) {
    Edge& edge = net.edges[e];
    edge.firstLane = static_cast<std::uint32_t>(net.lanes.size());
    for (std::uint32_t i = 0; i < edge.laneCount; ++i) {
      Lane l;
      l.edge = e;
      l.index = i;
      l.length = edge.length;
      l.speed = edge.speed;
      l.allowsCar = e < laneAllowsCar.size() && i < laneAllowsCar[e].size()
                        ? static_cast<bool>(laneAllowsCar[e][i])
                        : true;
      net.lanes.push_back(l);
    }
  }
  net.normalLaneCount = net.lanes.size();
  // connections sorted by from lane, file order within a lane
  std::vector<Connection> conns;
  conns.reserve(input.size());
  for (const ConnectionInput& in : input) {
    const Edge& from = net.edges.at(in.fromEdge);
    const Edge& to = net.edges.at(in.toEdge);
    if (in.fromLane >= from.laneCount || in.toLane >= to.laneCount) {
      throw std::runtime_error("connection " + from.id + "_" + std::to_string(in.fromLane) +
                               " -> " + to.id + "_" + std::to_string(in.toLane) +
                               " names a lane the edge does not have");
    }
    Connection c;
    c.fromEdge = in.fromEdge;
    c.toEdge = in.toEdge;
    c.fromLane = from.firstLane + in.fromLane;
    c.toLane = to.firstLane + in.toLane;
    c.node = in.node;
    c.direction = in.direction;
    c.state = in.state;
    c.signal = in.signal;
    c.linkIndex = in.linkIndex;
    c.via = std::max(0.1, in.via);
    conns.push_back(c);
  }
  std::stable_sort(conns.begin(), conns.end(), [](const Connection& a, const Connection& b) {
    return a.fromLane < b.fromLane;
  });
  net.connections = std::move(conns);
  for (Lane& l : net.lanes) {
    l.connBegin = l.connEnd = 0;
  }
  for (std::uint32_t c = 0; c < net.connections.size(); ++c) {
    Lane& l = net.lanes[net.connections[c].fromLane];
    if (l.connEnd == 0) {
      l.connBegin = c;
    }
    l.connEnd = c + 1;
  }
  // internal lanes
  for (std::uint32_t c = 0; c < net.connections.size(); ++c) {
    Connection& conn = net.connections[c];
    const Edge& from = net.edges[conn.fromEdge];
    Lane il;
    il.edge = kNone;
    il.connection = c;
    il.length = conn.via;
    const double turnSpeed = std::sqrt(5.5 * turnRadius(conn.direction, conn.via));
    il.speed = std::min(from.speed, turnSpeed);
    il.allowsCar = true;
    conn.internalLane = static_cast<std::uint32_t>(net.lanes.size());
    net.lanes.push_back(il);
  }
  // foes: per node, every pair of connections from different edges whose paths cross or that
  // end in the same lane
  std::vector<std::vector<std::uint32_t>> byNode(net.nodes.size());
  for (std::uint32_t c = 0; c < net.connections.size(); ++c) {
    const std::uint32_t n = net.connections[c].node;
    if (n < byNode.size())
      byNode[n].push_back(c);
  }
  struct Path {
    Vec a, b, heading;
  };
  std::vector<Path> path(net.connections.size());
  for (std::uint32_t c = 0; c < net.connections.size(); ++c) {
    const Connection& conn = net.connections[c];
    const Edge& from = net.edges[conn.fromEdge];
    const Edge& to = net.edges[conn.toEdge];
    path[c] = {lanePoint(from, net.lanes[conn.fromLane].index, true, junctionSetback),
               lanePoint(to, net.lanes[conn.toLane].index, false, junctionSetback),
               edgeDirection(from, true)};
  }
  std::vector<std::vector<Foe>> foes(net.connections.size());
  for (const auto& list : byNode) {
    for (std::uint32_t c : list) {
      const Connection& a = net.connections[c];
      for (std::uint32_t f : list) {
        const Connection& b = net.connections[f];
        if (f == c || b.fromEdge == a.fromEdge)
          continue;
        const bool merge = b.toLane == a.toLane;
        if (!merge && !segmentsCross(path[c].a, path[c].b, path[f].a, path[f].b))
          continue;
        const double side = cross(path[c].heading, path[f].heading);
        const bool fromRight = side > 0.3;
        const bool oncoming = dot(path[c].heading, path[f].heading) < -0.7;
        bool yield = false;
        if (isMajor(a.state)) {
          yield = false;
        } else if (a.state == 'm' || a.state == 'o' || a.state == 's') {
          yield = isMajor(b.state) || fromRight;
        } else {  // '=', 'w', 'Z' and anything else: right before left, left turns give way
          yield = isMajor(b.state) || fromRight ||
                  (isLeft(a.direction) && oncoming && !isLeft(b.direction));
        }
        foes[c].push_back({f, yield});
      }
    }
  }
  net.foes.clear();
  for (std::uint32_t c = 0; c < net.connections.size(); ++c) {
    net.connections[c].foeBegin = static_cast<std::uint32_t>(net.foes.size());
    net.foes.insert(net.foes.end(), foes[c].begin(), foes[c].end());
    net.connections[c].foeEnd = static_cast<std::uint32_t>(net.foes.size());
  }
}

std::size_t markMainComponent(Network& net) {
  const std::size_t n = net.edges.size();
  std::vector<std::vector<std::uint32_t>> succ(n), pred(n);
  for (const Connection& c : net.connections) {
    succ[c.fromEdge].push_back(c.toEdge);
    pred[c.toEdge].push_back(c.fromEdge);
  }
  // first pass: edges in order of finishing a depth-first search over the successors
  std::vector<std::uint32_t> order;
  order.reserve(n);
  std::vector<std::uint8_t> seen(n, 0);
  std::vector<std::pair<std::uint32_t, std::size_t>> stack;
  for (std::uint32_t s = 0; s < n; ++s) {
    if (seen[s] != 0)
      continue;
    seen[s] = 1;
    stack.emplace_back(s, 0);
    while (!stack.empty()) {
      auto& [v, next] = stack.back();
      if (next < succ[v].size()) {
        const std::uint32_t w = succ[v][next++];
        if (seen[w] == 0) {
          seen[w] = 1;
          stack.emplace_back(w, 0);
        }
      } else {
        order.push_back(v);
        stack.pop_back();
      }
    }
  }
  // second pass: components over the predecessors, in reverse finishing order
  std::vector<std::uint32_t> comp(n, kNone);
  std::vector<std::size_t> size;
  std::vector<std::uint32_t> todo;
  for (std::size_t k = n; k-- > 0;) {
    const std::uint32_t s = order[k];
    if (comp[s] != kNone)
      continue;
    const auto id = static_cast<std::uint32_t>(size.size());
    size.push_back(0);
    comp[s] = id;
    todo.push_back(s);
    while (!todo.empty()) {
      const std::uint32_t v = todo.back();
      todo.pop_back();
      ++size[id];
      for (std::uint32_t w : pred[v]) {
        if (comp[w] == kNone) {
          comp[w] = id;
          todo.push_back(w);
        }
      }
    }
  }
  // the largest; the lowest id wins a tie
  std::uint32_t best = 0;
  for (std::uint32_t i = 1; i < size.size(); ++i) {
    if (size[i] > size[best])
      best = i;
  }
  std::size_t left = 0;
  for (std::uint32_t e = 0; e < n; ++e) {
    net.edges[e].mainComponent = comp[e] == best;
    left += net.edges[e].mainComponent ? 0 : 1;
  }
  return left;
}

}  // namespace twin::traffic
