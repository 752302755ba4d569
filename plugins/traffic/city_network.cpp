// SPDX-License-Identifier: Apache-2.0
#include "city_network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <unordered_set>

namespace twin::traffic {
namespace {

using Vec = std::array<double, 2>;

Vec direction(const TwinRoadLink& l, bool atEnd) {
  const double* p = l.xy;
  const std::size_t n = l.point_count;
  double dx, dy;
  if (atEnd) {
    dx = p[2 * (n - 1)] - p[2 * (n - 2)];
    dy = p[2 * (n - 1) + 1] - p[2 * (n - 2) + 1];
  } else {
    dx = p[2] - p[0];
    dy = p[3] - p[1];
  }
  const double len = std::hypot(dx, dy);
  return len > 1e-9 ? Vec{dx / len, dy / len} : Vec{1, 0};
}

bool isLeftTurn(char d) {
  return d == 'l' || d == 't';
}

// a link cars drive on, between two nodes of the largest strongly connected part
bool isCarLink(const TwinCityInfo& city, std::uint32_t i) {
  const TwinRoadLink& l = city.road_links[i];
  const std::size_t nodeCount = city.road_node_count;
  return l.car_allowed != 0 && l.point_count >= 2 && l.from < nodeCount && l.to < nodeCount &&
         l.from != l.to && city.road_nodes[l.from].in_main_component != 0 &&
         city.road_nodes[l.to].in_main_component != 0;
}

}  // namespace

JunctionClusters joinJunctionClusters(const TwinCityInfo& city, double joinDist, double maxExtent) {
  const std::size_t nodeCount = city.road_node_count;
  JunctionClusters jc;
  jc.rep.resize(nodeCount);
  for (std::uint32_t n = 0; n < nodeCount; ++n)
    jc.rep[n] = n;
  if (!(joinDist > 0))
    return jc;
  // junctions: nodes with at least three distinct car neighbours
  std::vector<std::vector<std::uint32_t>> nb(nodeCount);
  for (std::uint32_t i = 0; i < city.road_link_count; ++i) {
    if (!isCarLink(city, i))
      continue;
    const TwinRoadLink& l = city.road_links[i];
    nb[l.from].push_back(l.to);
    nb[l.to].push_back(l.from);
  }
  std::vector<std::uint8_t> junction(nodeCount, 0);
  for (std::uint32_t n = 0; n < nodeCount; ++n) {
    std::sort(nb[n].begin(), nb[n].end());
    nb[n].erase(std::unique(nb[n].begin(), nb[n].end()), nb[n].end());
    junction[n] = nb[n].size() >= 3 ? 1 : 0;
  }
  // short links between junctions, shortest first (ties by link index): each joins its two
  // clusters unless the joined cluster would be wider than maxExtent
  std::vector<std::uint32_t> shortLinks;
  for (std::uint32_t i = 0; i < city.road_link_count; ++i) {
    const TwinRoadLink& l = city.road_links[i];
    if (isCarLink(city, i) && l.length_m <= joinDist && junction[l.from] != 0 &&
        junction[l.to] != 0)
      shortLinks.push_back(i);
  }
  std::sort(shortLinks.begin(), shortLinks.end(), [&](std::uint32_t a, std::uint32_t b) {
    const double la = city.road_links[a].length_m, lb = city.road_links[b].length_m;
    return la < lb || (la == lb && a < b);
  });
  std::vector<std::vector<std::uint32_t>> members(nodeCount);
  for (std::uint32_t n = 0; n < nodeCount; ++n)
    members[n] = {n};
  for (std::uint32_t i : shortLinks) {
    std::uint32_t a = jc.rep[city.road_links[i].from], b = jc.rep[city.road_links[i].to];
    if (a == b)
      continue;
    double extent = 0;
    for (std::uint32_t u : members[a]) {
      for (std::uint32_t v : members[b])
        extent = std::max(extent, std::hypot(city.road_nodes[u].x - city.road_nodes[v].x,
                                             city.road_nodes[u].y - city.road_nodes[v].y));
    }
    if (extent > maxExtent) {
      continue;
    }
    if (b < a)
      std::swap(a, b);  // the lowest node index represents the cluster
    for (std::uint32_t v : members[b]) {
      jc.rep[v] = a;
      members[a].push_back(v);
    }
    members[b].clear();
  }
  for (std::uint32_t n = 0; n < nodeCount; ++n) {
    if (members[n].size() > 1) {
      std::sort(members[n].begin(), members[n].end());
      jc.clusters.push_back(std::move(members[n]));
    }
  }
  return jc;
}

Network buildCityNetwork(const TwinCityInfo& city, const CityNetworkOptions& o) {
  Network net;
  const std::size_t nodeCount = city.road_node_count;
  const JunctionClusters jc = joinJunctionClusters(city, o.joinDistM, o.joinMaxExtentM);
  const std::vector<std::uint32_t>& rep = jc.rep;
  for (std::size_t i = 0; i < nodeCount; ++i)
    net.nodes.push_back(
        {"n" + std::to_string(i), city.road_nodes[i].x, city.road_nodes[i].y, "priority"});
  // a joined junction lies at its nodes' centroid; the others stay, without edges
  std::vector<std::int32_t> clusterOf(nodeCount, -1);
  for (std::size_t c = 0; c < jc.clusters.size(); ++c) {
    double x = 0, y = 0;
    for (std::uint32_t m : jc.clusters[c]) {
      x += city.road_nodes[m].x;
      y += city.road_nodes[m].y;
      clusterOf[m] = static_cast<std::int32_t>(c);
    }
    const auto k = static_cast<double>(jc.clusters[c].size());
    Node& n = net.nodes[jc.clusters[c].front()];
    n.x = x / k;
    n.y = y / k;
    for (std::size_t i = 1; i < jc.clusters[c].size(); ++i)
      net.nodes[jc.clusters[c][i]].type = "joined";
  }
  // per cluster: the car links inside it, which its turns drive along
  std::vector<std::vector<std::uint32_t>> inside(jc.clusters.size());
  // edges: car links inside the largest strongly connected part
  std::vector<std::uint32_t> linkOf;  // per edge: its city link
  std::vector<std::vector<std::uint32_t>> in(nodeCount), out(nodeCount);
  for (std::uint32_t i = 0; i < city.road_link_count; ++i) {
    if (!isCarLink(city, i))
      continue;
    const TwinRoadLink& l = city.road_links[i];
    if (rep[l.from] == rep[l.to]) {
      net.absorbed.emplace("L" + std::to_string(i), rep[l.from]);
      inside[static_cast<std::size_t>(clusterOf[l.from])].push_back(i);
      continue;
    }
    Edge e;
    e.id = "L" + std::to_string(i);
    e.from = rep[l.from];
    e.to = rep[l.to];
    e.length = std::max(0.5, l.length_m);
    // 50 km/h where the city has no limit: the urban default of StVO § 3
    e.speed = l.speed_limit_mps > 0 ? l.speed_limit_mps : 50.0 / 3.6;
    e.laneCount = static_cast<std::uint32_t>(std::clamp(l.lanes, 1, 8));
    e.priority = -l.road_class;
    e.cityLink = i;
    // the city's polyline is the road's centre line; the lanes of one direction of a two-way
    // road lie to its right, so the edge's own centre line is shifted by half their width
    const double shift = l.twin >= 0 ? 0.5 * kLaneWidth * e.laneCount : 0.0;
    for (std::size_t k = 0; k < l.point_count; ++k) {
      Vec d{0, 0};
      for (std::size_t s : {k > 0 ? k - 1 : k, k + 1 < l.point_count ? k : k - 1}) {
        const double dx = l.xy[2 * (s + 1)] - l.xy[2 * s],
                     dy = l.xy[2 * (s + 1) + 1] - l.xy[2 * s + 1];
        const double len = std::hypot(dx, dy);
        if (len > 1e-9) {
          d[0] += dx / len;
          d[1] += dy / len;
        }
      }
      const double n = std::hypot(d[0], d[1]);
      const Vec right = n > 1e-9 ? Vec{d[1] / n, -d[0] / n} : Vec{0, 0};
      e.shape.push_back({l.xy[2 * k] + right[0] * shift, l.xy[2 * k + 1] + right[1] * shift});
    }
    const auto index = static_cast<std::uint32_t>(net.edges.size());
    net.edgeIndex.emplace(e.id, index);
    in[e.to].push_back(index);
    out[e.from].push_back(index);
    linkOf.push_back(i);
    net.edges.push_back(std::move(e));
  }
  std::unordered_set<std::uint64_t> banned;
  if (city.struct_size >= offsetof(TwinCityInfo, banned_turn_count) + sizeof(size_t) &&
      city.banned_turns != nullptr) {
    for (std::size_t k = 0; k < city.banned_turn_count; ++k)
      banned.insert(static_cast<std::uint64_t>(city.banned_turns[2 * k]) << 32 |
                    city.banned_turns[2 * k + 1]);
  }

  auto isBanned = [&](std::uint32_t a, std::uint32_t b) {
    return banned.count(static_cast<std::uint64_t>(a) << 32 | b) > 0;
  };
  // the shortest way from the end of city link a to the start of city link b along the links
  // inside a joined junction (Dijkstra over links, as turn bans are between links), without
  // turning back inside it; -1 when there is none
  auto insideWay = [&](std::uint32_t a, std::uint32_t b, const std::vector<std::uint32_t>& links) {
    const TwinRoadLink& la = city.road_links[a];
    const TwinRoadLink& lb = city.road_links[b];
    if (la.to == lb.from)
      return isBanned(a, b) ? -1.0 : 0.0;
    auto follows = [&](std::uint32_t x, std::uint32_t y) {
      const TwinRoadLink& lx = city.road_links[x];
      const TwinRoadLink& ly = city.road_links[y];
      return lx.to == ly.from && ly.to != lx.from && !isBanned(x, y);
    };
    constexpr double inf = std::numeric_limits<double>::infinity();
    std::vector<double> dist(links.size(), inf);
    std::vector<std::uint8_t> done(links.size(), 0);
    for (std::size_t k = 0; k < links.size(); ++k) {
      if (follows(a, links[k]))
        dist[k] = city.road_links[links[k]].length_m;
    }
    double best = inf;
    for (;;) {
      std::size_t k = links.size();
      for (std::size_t j = 0; j < links.size(); ++j) {
        if (done[j] == 0 && dist[j] < inf && (k == links.size() || dist[j] < dist[k]))
          k = j;
      }
      if (k == links.size() || dist[k] >= best)
        break;
      done[k] = 1;
      if (follows(links[k], b))
        best = dist[k];
      for (std::size_t j = 0; j < links.size(); ++j) {
        if (done[j] == 0 && follows(links[k], links[j]))
          dist[j] = std::min(dist[j], dist[k] + city.road_links[links[j]].length_m);
      }
    }
    return best < inf ? best : -1.0;
  };

  std::vector<ConnectionInput> conns;
  const double r = o.junctionRadiusM;
  // distinct neighbours per node: a plain bend has two and is no junction
  std::vector<std::uint32_t> neighbours(nodeCount, 0);
  for (std::uint32_t n = 0; n < nodeCount; ++n) {
    std::vector<std::uint32_t> nb;
    for (std::uint32_t e : in[n])
      nb.push_back(net.edges[e].from);
    for (std::uint32_t e : out[n])
      nb.push_back(net.edges[e].to);
    std::sort(nb.begin(), nb.end());
    nb.erase(std::unique(nb.begin(), nb.end()), nb.end());
    neighbours[n] = static_cast<std::uint32_t>(nb.size());
  }
  // OSM maps a junction's traffic lights on its approaches, a few metres before it, more
  // often than on the junction itself (netconvert's --tls.guess-signals reads them so): an
  // approach is signalled when a signal node lies on it, through plain bends, within
  // signalGuessDistM of the junction
  auto signalledApproach = [&](std::uint32_t e) {
    double dist = 0;
    for (std::size_t hops = 0; hops < 64; ++hops) {
      const Edge& edge = net.edges[e];
      dist += edge.length;
      const std::uint32_t u = edge.from;
      if (dist > o.signalGuessDistM || clusterOf[u] >= 0)
        return false;
      if (city.road_nodes[u].control == TWIN_JUNCTION_SIGNALS)
        return true;
      if (neighbours[u] != 2)
        return false;
      std::uint32_t next = kNone;
      for (std::uint32_t f : in[u]) {
        if (net.edges[f].from != edge.to)
          next = f;
      }
      if (next == kNone)
        return false;
      e = next;
    }
    return false;
  };
  std::size_t guessedSignals = 0;
  for (std::uint32_t n = 0; n < nodeCount; ++n) {
    if (in[n].empty() || out[n].empty())
      continue;
    const bool junction = neighbours[n] >= 3;
    const std::int32_t cluster = clusterOf[n];
    std::int32_t control = city.road_nodes[n].control;
    if (cluster >= 0) {
      // a joined junction is signalised when one of its nodes is, right-before-left when
      // one is and none has a priority road
      bool signals = false, rbl = false, priority = false;
      for (std::uint32_t m : jc.clusters[static_cast<std::size_t>(cluster)]) {
        signals = signals || city.road_nodes[m].control == TWIN_JUNCTION_SIGNALS;
        rbl = rbl || city.road_nodes[m].control == TWIN_JUNCTION_RIGHT_BEFORE_LEFT;
        priority = priority || city.road_nodes[m].control == TWIN_JUNCTION_PRIORITY;
      }
      control = signals            ? TWIN_JUNCTION_SIGNALS
                : rbl && !priority ? TWIN_JUNCTION_RIGHT_BEFORE_LEFT
                                   : TWIN_JUNCTION_PRIORITY;
    }
    if (junction && control != TWIN_JUNCTION_SIGNALS && o.signalGuessDistM > 0) {
      std::size_t signalled = 0;
      for (std::uint32_t e : in[n])
        signalled += signalledApproach(e) ? 1 : 0;
      if (signalled >= 2) {
        control = TWIN_JUNCTION_SIGNALS;
        ++guessedSignals;
      }
    }

    // signal axes: the incoming links parallel to the most important one, and the others
    std::vector<int> axis(in[n].size(), 0);
    bool signalised = false;
    if (control == TWIN_JUNCTION_SIGNALS && junction) {
      std::size_t main = 0;
      for (std::size_t k = 1; k < in[n].size(); ++k) {
        const TwinRoadLink& a = city.road_links[linkOf[in[n][k]]];
        const TwinRoadLink& b = city.road_links[linkOf[in[n][main]]];
        if (a.road_class < b.road_class || (a.road_class == b.road_class && a.lanes > b.lanes))
          main = k;
      }
      const Vec h = direction(city.road_links[linkOf[in[n][main]]], true);
      for (std::size_t k = 0; k < in[n].size(); ++k) {
        const Vec d = direction(city.road_links[linkOf[in[n][k]]], true);
        axis[k] = std::abs(h[0] * d[0] + h[1] * d[1]) >= std::cos(std::numbers::pi / 4) ? 0 : 1;
      }
      signalised = std::count(axis.begin(), axis.end(), 1) > 0;
    }
    // priority: the incoming links of the best road class are major
    int bestClass = 1 << 30;
    for (std::uint32_t e : in[n])
      bestClass = std::min(bestClass, city.road_links[linkOf[e]].road_class);
    const bool rightBeforeLeft = control == TWIN_JUNCTION_RIGHT_BEFORE_LEFT && junction;
    net.nodes[n].type = signalised           ? "traffic_light"
                        : rightBeforeLeft    ? "right_before_left"
                        : neighbours[n] <= 1 ? "dead_end"
                                             : "priority";
    const std::size_t firstConn = conns.size();
    std::vector<int> connAxis;
    for (std::size_t k = 0; k < in[n].size(); ++k) {
      const std::uint32_t e = in[n][k];
      const Edge& ein = net.edges[e];
      const TwinRoadLink& lin = city.road_links[linkOf[e]];
      const Vec hin = direction(lin, true);
      struct Turn {
        std::uint32_t to;
        double angle;  // degrees, counter-clockwise positive (left)
        char dir;
        double inside;  // m driven along links inside a joined junction
      };
      std::vector<Turn> turns;
      // every turn, turnarounds too as netconvert builds them by default (the router uses them
      // where a detour round the block would take longer), in the order of their angle
      for (std::uint32_t f : out[n]) {
        const double way = cluster < 0 ? (isBanned(linkOf[e], linkOf[f]) ? -1.0 : 0.0)
                                       : insideWay(linkOf[e], linkOf[f],
                                                   inside[static_cast<std::size_t>(cluster)]);
        if (way < 0)
          continue;
        const Vec hout = direction(city.road_links[linkOf[f]], false);
        const double ang =
            std::atan2(hin[0] * hout[1] - hin[1] * hout[0], hin[0] * hout[0] + hin[1] * hout[1]) *
            180.0 / std::numbers::pi;
        // back along the same road, or across a joined junction to the other carriageway
        const bool uTurn = net.edges[f].to == ein.from || (way > 0 && std::abs(ang) > 150);
        // no turnarounds where a road just goes on, only at junctions and dead ends
        // (netconvert's --no-turnarounds.geometry): a vehicle turning round mid-road
        // yields to everyone and blocks its lane (allowing them where a road changes
        // between one-way and two-way cost a day at half the demand 1,500 teleports)
        if (uTurn && neighbours[n] == 2)
          continue;
        // a plain bend is a curve of one road, not a turn: every lane goes on, at the
        // road's speed (the curve is in the links' lengths already)
        const char dir = uTurn ? 't' : !junction || std::abs(ang) < 30 ? 's' : ang < 0 ? 'r' : 'l';
        turns.push_back({f, ang, dir, way});
      }
      std::sort(turns.begin(), turns.end(), [](const Turn& a, const Turn& b) {
        return a.angle < b.angle || (a.angle == b.angle && a.to < b.to);
      });
      const std::uint32_t lanes = ein.laneCount;
      const bool hasStraight =
          std::any_of(turns.begin(), turns.end(), [](const Turn& t) { return t.dir == 's'; });
      const bool major = lin.road_class == bestClass;
      for (const Turn& t : turns) {
        const std::uint32_t outLanes = net.edges[t.to].laneCount;
        // which lanes feed this turn, into which target lane
        std::uint32_t lo = 0, hi = lanes - 1;
        if (lanes > 1) {
          if (t.dir == 'r')
            hi = hasStraight ? 0 : (lanes / 2 > 0 ? lanes / 2 - 1 : 0);
          else if (isLeftTurn(t.dir))
            lo = hasStraight ? lanes - 1 : lanes / 2;
        }
        double via = 0.1;
        if (junction) {
          via = t.inside + (t.dir == 's'   ? 2 * r
                            : t.dir == 'r' ? std::numbers::pi * r / 2
                            : t.dir == 'l' ? std::numbers::pi * r
                                           : std::numbers::pi * kLaneWidth);
        }
        char state = 'M';
        if (signalised)
          state = isLeftTurn(t.dir) ? 'o' : 'O';
        else if (rightBeforeLeft)
          state = '=';
        else if ((junction && (!major || isLeftTurn(t.dir))) || t.dir == 't')
          state = 'm';
        for (std::uint32_t lane = lo; lane <= hi; ++lane) {
          std::uint32_t target = std::min(lane, outLanes - 1);
          if (t.dir == 'r')
            target = 0;
          else if (isLeftTurn(t.dir))
            target = outLanes - 1;
          conns.push_back({e, lane, t.to, target, n, t.dir, state, -1, -1, via});
          connAxis.push_back(axis[k]);
        }
      }
    }
    if (signalised) {
      // two phases, one per axis: green (left turns permissive), then yellow
      double vmax = 0;
      for (std::uint32_t e : in[n])
        vmax = std::max(vmax, net.edges[e].speed);
      const double yellow = std::max(3.0, o.reactionS + vmax / (2 * o.yellowDecel));
      SignalProgram p;
      p.id = net.nodes[n].id;
      const std::size_t links = conns.size() - firstConn;
      for (int phase = 0; phase < 4; ++phase) {
        std::string s(links, 'r');
        const int greenAxis = phase / 2;
        for (std::size_t c = 0; c < links; ++c) {
          if (connAxis[c] != greenAxis)
            continue;
          s[c] = phase % 2 == 1 ? 'y' : (isLeftTurn(conns[firstConn + c].direction) ? 'g' : 'G');
        }
        p.states.push_back(s);
        p.durations.push_back(phase % 2 == 0 ? o.greenS : yellow);
      }
      p.cycle = 2 * (o.greenS + yellow);
      const auto sig = static_cast<std::int32_t>(net.signals.size());
      net.signals.push_back(std::move(p));
      for (std::size_t c = 0; c < links; ++c) {
        conns[firstConn + c].signal = sig;
        conns[firstConn + c].linkIndex = static_cast<std::int32_t>(c);
      }
    }
  }
  net.guessedSignals = guessedSignals;
  std::vector<std::vector<bool>> allow;
  for (const Edge& e : net.edges)
    allow.emplace_back(e.laneCount, true);
  finishNetwork(net, conns, allow, r);
  markMainComponent(net);
  return net;
}

std::size_t timeSignalsWebster(Network& net, const Demand& demand, const Router& router,
                               const WebsterOptions& o) {
  // which signal each approach edge feeds, and the phase (0 or 2) that gives it green
  std::vector<std::int32_t> signalOf(net.edges.size(), -1);
  for (const Connection& c : net.connections) {
    if (c.signal >= 0)
      signalOf[c.fromEdge] = c.signal;
  }
  // trips through each approach per hour (free-flow timing from the departure)
  std::vector<std::vector<std::uint32_t>> perHour(net.edges.size());
  for (const Trip& t : demand.trips) {
    const auto route = demand.route(t);
    double time = t.depart;
    for (std::size_t k = 0; k < route.size(); ++k) {
      const std::uint32_t e = route[k];
      time += router.costs()[e];
      if (k + 1 < route.size()) {
        if (signalOf[e] >= 0) {
          const auto hour = static_cast<std::size_t>(std::max(0.0, time) / 3600.0);
          auto& bins = perHour[e];
          if (bins.size() <= hour)
            bins.resize(hour + 1, 0);
          ++bins[hour];
        }
        const double cross = router.crossingTime(e, route[k + 1]);
        time += std::isfinite(cross) ? cross : 0.0;
      }
    }
  }
  std::vector<std::vector<std::uint32_t>> approaches(net.signals.size());
  for (std::uint32_t e = 0; e < net.edges.size(); ++e) {
    if (signalOf[e] >= 0)
      approaches[static_cast<std::size_t>(signalOf[e])].push_back(e);
  }
  std::size_t timed = 0;
  for (std::size_t s = 0; s < net.signals.size(); ++s) {
    SignalProgram& p = net.signals[s];
    if (p.states.size() != 4 || approaches[s].empty())
      continue;  // not a program of ours
    // the junction's peak hour
    std::size_t hours = 0;
    for (std::uint32_t e : approaches[s])
      hours = std::max(hours, perHour[e].size());
    std::size_t peak = 0;
    std::uint64_t best = 0;
    for (std::size_t h = 0; h < hours; ++h) {
      std::uint64_t sum = 0;
      for (std::uint32_t e : approaches[s])
        sum += h < perHour[e].size() ? perHour[e][h] : 0;
      if (sum > best) {
        best = sum;
        peak = h;
      }
    }
    if (best == 0)
      continue;
    // each phase's critical flow ratio
    double y[2] = {0, 0};
    for (const Connection& c : net.connections) {
      if (c.signal != static_cast<std::int32_t>(s))
        continue;
      const auto k = static_cast<std::size_t>(c.linkIndex);
      const int phase = p.states[0][k] != 'r' ? 0 : 1;
      const auto& bins = perHour[c.fromEdge];
      const double q = peak < bins.size() ? bins[peak] : 0.0;
      y[phase] = std::max(y[phase], q / (o.saturationFlow * net.edges[c.fromEdge].laneCount));
    }
    const double Y = y[0] + y[1];
    const double L = 2 * o.lostTimePerPhase;
    double cycle = Y < 0.9 ? (1.5 * L + 5.0) / (1.0 - Y) : o.maxCycle;
    cycle = std::clamp(cycle, o.minCycle, o.maxCycle);
    const double effective = cycle - L;
    double g[2];
    for (int i = 0; i < 2; ++i)
      g[i] = Y > 0 ? effective * y[i] / Y : effective / 2;
    // minimum greens, taken from the other phase
    for (int i = 0; i < 2; ++i) {
      if (g[i] < o.minGreen) {
        g[1 - i] -= o.minGreen - g[i];
        g[i] = o.minGreen;
      }
    }
    for (int i = 0; i < 2; ++i) {
      const double yellow = p.durations[static_cast<std::size_t>(2 * i + 1)];
      p.durations[static_cast<std::size_t>(2 * i)] =
          std::max(1.0, g[i] - yellow + o.lostTimePerPhase);
    }
    p.cycle = 0;
    for (double d : p.durations)
      p.cycle += d;
    ++timed;
  }
  return timed;
}

}  // namespace twin::traffic
