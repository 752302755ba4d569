// SPDX-License-Identifier: Apache-2.0
#include "park_trips.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace twin::industry {

ParkTrips::ParkTrips(const ParkDef& park, TripPlaces places, std::uint64_t seed, double localStartS)
    : park_(park), places_(std::move(places)), seed_(seed), localStartS_(localStartS) {
  double sum = 0;
  for (const Home& h : places_.homes)
    homeCum_.push_back(sum += h.weight);
  if (places_.gates.size() != park_.gates.size())
    throw std::invalid_argument("park trips: one place per gate");
}

void ParkTrips::load(const std::vector<double>& s) {
  if (s.size() != 4)
    throw std::runtime_error("park trips state: expected 4 values");
  truckCarry_ = s[0];
  nextId_ = s[1];
  truckTrips_ = s[2];
  commuterTrips_ = s[3];
}

std::size_t ParkTrips::pickGate(double u, bool truck) const {
  double acc = 0;
  for (std::size_t g = 0; g < park_.gates.size(); ++g) {
    acc += truck ? park_.gates[g].trucks : park_.gates[g].commuters;
    if (u < acc)
      return g;
  }
  return park_.gates.size() - 1;
}

const Home& ParkTrips::pickHome(double u) const {
  const double target = u * homeCum_.back();
  const auto it = std::upper_bound(homeCum_.begin(), homeCum_.end(), target);
  return places_.homes[std::min<std::size_t>(static_cast<std::size_t>(it - homeCum_.begin()),
                                             places_.homes.size() - 1)];
}

void ParkTrips::window(double dayStartSim, double a, double b, double cars, bool toPark, double t0,
                       double t1, std::vector<double>& out) {
  const auto n = static_cast<std::int64_t>(std::llround(cars));
  if (n <= 0 || places_.homes.empty() || park_.gates.empty())
    return;
  const double start = dayStartSim + a, w = (b - a) / static_cast<double>(n);
  // car k departs at start + (k + 0.5) w
  const auto lo =
      std::max<std::int64_t>(0, static_cast<std::int64_t>(std::ceil((t0 - start) / w - 0.5)));
  const auto hi =
      std::min<std::int64_t>(n, static_cast<std::int64_t>(std::ceil((t1 - start) / w - 0.5)));
  for (std::int64_t k = lo; k < hi; ++k) {
    const double id = nextId_++;
    sdk::EntityRandom rng(seed_, "industry.commuter", static_cast<std::uint64_t>(id));
    const Home& h = pickHome(rng.uniform());
    const auto& g = places_.gates[pickGate(rng.uniform(), false)];
    sdk::TripRecord r;
    r.id = id;
    r.departS = start + (static_cast<double>(k) + 0.5) * w;
    r.fromX = toPark ? h.x : g[0];
    r.fromY = toPark ? h.y : g[1];
    r.toX = toPark ? g[0] : h.x;
    r.toY = toPark ? g[1] : h.y;
    r.vehicleClass = sdk::kTripCar;
    sdk::appendTrip(out, r);
    commuterTrips_ += 1;
  }
}

void ParkTrips::step(double t0, double t1, double truckFactor, std::vector<double>& trucks,
                     std::vector<double>& commuters) {
  // trucks: the day's count over the local hours by the plants' profiles
  const double local0 = localStartS_ + t0;
  const auto hour =
      static_cast<std::size_t>(std::fmod(std::fmod(local0, 86400.0) + 86400.0, 86400.0) / 3600.0) %
      24;
  double rate = 0;  // trucks per second now
  for (const PlantDef& p : park_.plants)
    rate += p.trucksPerDay * p.truckProfile[hour] / 3600.0;
  const double before = truckCarry_;
  truckCarry_ += rate * truckFactor * (t1 - t0);
  const auto n = static_cast<std::int64_t>(std::floor(truckCarry_) - std::floor(before));
  for (std::int64_t k = 0; k < n && !park_.gates.empty(); ++k) {
    const double id = nextId_++;
    sdk::EntityRandom rng(seed_, "industry.truck", static_cast<std::uint64_t>(id));
    const auto& g = places_.gates[pickGate(rng.uniform(), true)];
    const double depart = t0 + (static_cast<double>(k) + 0.5) * (t1 - t0) / static_cast<double>(n);
    // one truck arrives, one leaves (the day's flow in and out balances)
    sdk::appendTrip(
        trucks, {id, depart, places_.outside[0], places_.outside[1], g[0], g[1], sdk::kTripTruck});
    const double id2 = nextId_++;
    sdk::appendTrip(
        trucks, {id2, depart, g[0], g[1], places_.outside[0], places_.outside[1], sdk::kTripTruck});
    truckTrips_ += 2;
  }
  // workers: the crews of fully continuous shifts change at each start (the incoming crew
  // departs home 45 to 15 minutes before, the outgoing one leaves the gate in the 30 minutes
  // after); day workers in the day_work windows on weekdays
  double workforce = 0;
  for (const PlantDef& p : park_.plants)
    workforce += p.workforce;
  const double crewCars = workforce * park_.shiftShare / park_.crews * park_.commuteCarShare;
  const double dayCars = workforce * (1.0 - park_.shiftShare) * park_.commuteCarShare;
  const double localDay0 = std::floor(local0 / 86400.0);
  for (double d = localDay0 - 1; d <= localDay0 + 1; ++d) {
    const double dayStartSim = d * 86400.0 - localStartS_;
    // 1970-01-01 was a Thursday: weekday 0 = Monday
    const auto weekday = static_cast<std::int64_t>(std::fmod(std::fmod(d + 3.0, 7.0) + 7.0, 7.0));
    for (double s : park_.shiftStartsS) {
      window(dayStartSim, s - 2700.0, s - 900.0, crewCars, true, t0, t1, commuters);
      window(dayStartSim, s, s + 1800.0, crewCars, false, t0, t1, commuters);
    }
    if (weekday < 5) {
      window(dayStartSim, park_.dayArriveS[0], park_.dayArriveS[1], dayCars, true, t0, t1,
             commuters);
      window(dayStartSim, park_.dayLeaveS[0], park_.dayLeaveS[1], dayCars, false, t0, t1,
             commuters);
    }
  }
}

}  // namespace twin::industry
