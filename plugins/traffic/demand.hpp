// SPDX-License-Identifier: Apache-2.0
// Vehicle types and trips: what the microsimulation inserts.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "idm.hpp"

namespace twin::traffic {

enum class VehicleClass : std::uint8_t { Car, Van, Truck, Bus };

struct VehicleType {
  std::string id;
  VehicleClass cls = VehicleClass::Car;
  IdmParams idm;
  double maxSpeed = 55.55;       // m/s
  double speedFactorMean = 1.0;  // desired speed = factor x limit
  double speedFactorDev = 0.1;   // normal, truncated to [0.2, 2] (SUMO's default)
  double inv2SqrtAb = 0;         // derived: 1 / (2 sqrt(accel decel)), set by the simulation
  // index into emissionClasses() (emissions.hpp); -1: the vehicle class's default. A trip
  // with the EV flag emits nothing whatever its type's class.
  int emissionClass = -1;
};

struct Trip {
  std::string id;
  double depart = 0;  // s since the scenario start
  std::uint32_t vtype = 0;
  std::uint32_t routeBegin = 0, routeEnd = 0;  // into Demand::routeEdges
  bool ev = false;
};

struct Demand {
  std::vector<Trip> trips;  // sorted by departure (stable)
  std::vector<std::uint32_t> routeEdges;
  std::span<const std::uint32_t> route(const Trip& t) const {
    return {routeEdges.data() + t.routeBegin, t.routeEnd - t.routeBegin};
  }
};

}  // namespace twin::traffic
