// SPDX-License-Identifier: Apache-2.0
// The trips a park causes, step by step: trucks through its gates (the day's count spread over
// the hours by the plants' profiles, one trip in and one out per truck, between the gate and the
// city's best road at its edge) and workers' cars at shift changes and day-work hours (home to
// gate before a shift, gate to home after it), homes drawn by residents. Counts are carried as
// remainders from step to step, so a day has the file's number of trucks exactly; each trip has
// an increasing id and is drawn from its own random stream (common random numbers).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "park.hpp"
#include "twin/plugin.hpp"

namespace twin::industry {

struct Home {
  double x, y, weight;  // residents
};

struct TripPlaces {
  std::vector<std::array<double, 2>> gates;  // as park.gates
  std::array<double, 2> outside{};           // where trucks come from and go to
  std::vector<Home> homes;                   // where workers live (cumulative weights built)
};

class ParkTrips {
 public:
  ParkTrips(const ParkDef& park, TripPlaces places, std::uint64_t seed, double localStartS);

  // the trips departing in [t0, t1) (seconds since the run's start), appended as records
  // (sdk::TripRecord); `truckFactor` scales the file's truck counts (rail share lever)
  void step(double t0, double t1, double truckFactor, std::vector<double>& trucks,
            std::vector<double>& commuters);

  double trucksSoFar() const { return truckTrips_; }
  double commuterCarsSoFar() const { return commuterTrips_; }
  // state
  std::vector<double> save() const { return {truckCarry_, nextId_, truckTrips_, commuterTrips_}; }
  void load(const std::vector<double>& s);

 private:
  // cars of one window [a, b) (local seconds of the day) departing in [t0, t1)
  void window(double dayStartSim, double a, double b, double cars, bool toPark, double t0,
              double t1, std::vector<double>& out);
  std::size_t pickGate(double u, bool truck) const;
  const Home& pickHome(double u) const;

  const ParkDef& park_;
  TripPlaces places_;
  std::uint64_t seed_;
  double localStartS_;  // local clock seconds since 1970 at the run's start
  std::vector<double> homeCum_;
  // state
  double truckCarry_ = 0, nextId_ = 0, truckTrips_ = 0, commuterTrips_ = 0;
};

}  // namespace twin::industry
