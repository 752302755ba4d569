// SPDX-License-Identifier: Apache-2.0
// The microsimulation network from the city's road graph (TwinCityInfo): every car link of the
// largest strongly connected part becomes an edge (id "L<link index>", so results map back to
// the city's road links), lane-to-lane connections are generated at every junction the way
// SUMO's netconvert does it in spirit, and fixed-time programs are made for signalised ones.
#pragma once

#include "network.hpp"
#include "twin/plugin.h"

namespace twin::traffic {

struct CityNetworkOptions {
  double greenS = 31.0;  // green per phase (netconvert's default tls.green.time)
  // yellow: ITE's change interval Y = t + v / (2 a) with t = 1 s and a = 3.05 m/s2 (10 ft/s2),
  // v the fastest approach; never below 3 s
  double reactionS = 1.0;
  double yellowDecel = 3.05;
  double junctionRadiusM = 5.0;  // assumed: half the size of a junction, for internal lanes
};

// Builds the network. Per junction:
//  * turns: every incoming car link to every outgoing one, the U-turn back along the same road
//    included (netconvert's default turnarounds; they yield), except turns OSM restrictions
//    forbid (TwinCityInfo.banned_turns); direction from the angle between the links
//    (straight within 30 degrees);
//  * lanes: right turns from the rightmost lane, left turns and U-turns from the leftmost,
//    straight from every lane (lane i to lane min(i, lanes out - 1)); with one lane, all from it;
//  * internal lanes: arcs on a junction of junctionRadiusM (straight 2 r, right pi r / 2, left
//    pi (2 r) / 2); a plain bend (two roads) gets none to speak of;
//  * right of way: signals (two phases for the two road axes, left turns permissive 'g';
//    junctions with fewer than two axes, e.g. pedestrian lights, run unsignalised); priority:
//    links of the highest road class are major, their left turns and everyone else yield;
//    right-before-left where the city says so.
Network buildCityNetwork(const TwinCityInfo& city, const CityNetworkOptions& options = {});

}  // namespace twin::traffic
