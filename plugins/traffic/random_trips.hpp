// SPDX-License-Identifier: Apache-2.0
// Random trips over a network, as SUMO's randomTrips.py makes them (with --length): start and
// end edges drawn with probability proportional to their length, at least a minimum straight-
// line distance apart (--min-distance), departures evenly spaced over a period. A demand for
// testing a network and for benchmarks, not a model of a city's travel.
#pragma once

#include <cstdint>

#include "demand.hpp"
#include "network.hpp"

namespace twin::traffic {

// `count` trips departing at i * period / count; each carries its (from, to) edges as a
// two-edge route for the router. Trip i's draws come from its own random stream, so trip i is
// the same whatever the count.
Demand randomDemand(const Network& net, std::size_t count, double period, double minDistance,
                    std::uint64_t seed);

}  // namespace twin::traffic
