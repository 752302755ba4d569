// SPDX-License-Identifier: Apache-2.0
#include "park_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "hazard.hpp"  // pointInRing

namespace twin::industry {

namespace {

double distanceToRing(std::span<const double> ring, double x, double y) {
  double best = INFINITY;
  const std::size_t n = ring.size() / 2;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t j = (i + 1) % n;
    const double ax = ring[2 * i], ay = ring[2 * i + 1];
    const double dx = ring[2 * j] - ax, dy = ring[2 * j + 1] - ay;
    const double l2 = dx * dx + dy * dy;
    const double f = l2 > 0 ? std::clamp(((x - ax) * dx + (y - ay) * dy) / l2, 0.0, 1.0) : 0.0;
    best = std::min(best, std::hypot(ax + f * dx - x, ay + f * dy - y));
  }
  return best;
}

// the direction a gate's side faces
std::array<double, 2> sideVector(const std::string& side) {
  if (side == "north")
    return {0, 1};
  if (side == "south")
    return {0, -1};
  if (side == "east")
    return {1, 0};
  return {-1, 0};
}

}  // namespace

ParkModel::ParkModel(const sdk::Config& c) {
  std::string error;
  auto park = readPark(c.text("park"), error);
  if (!park)
    throw std::runtime_error(error);
  park_ = std::move(*park);
  // a new plant (what-if)
  PlantDef np;
  np.name = "new plant";
  np.electricLoadW = c.number("new_plant.electric_load") * 1e6;
  np.steamDemandW = c.number("new_plant.steam_demand") * 1e6;
  np.workforce = c.number("new_plant.workforce");
  np.trucksPerDay = c.number("new_plant.trucks_per_day");
  np.truckProfile.fill(1.0 / 24.0);
  if (!(np.electricLoadW >= 0) || !(np.steamDemandW >= 0) || !(np.workforce >= 0) ||
      !(np.trucksPerDay >= 0))
    throw std::runtime_error("new_plant values must not be negative");
  if (np.electricLoadW > 0 || np.steamDemandW > 0 || np.workforce > 0 || np.trucksPerDay > 0)
    park_.plants.push_back(np);
  levers_.electrifySteamShare = c.number("electrify_steam_share");
  levers_.heatPumpShare = c.number("heat_pump_share");
  if (!(levers_.electrifySteamShare >= 0) || !(levers_.heatPumpShare >= 0) ||
      !(levers_.electrifySteamShare + levers_.heatPumpShare <= 1.0))
    throw std::runtime_error(
        "electrify_steam_share and heat_pump_share must be >= 0 and sum to at most 1");
  const std::string rail = c.text("rail_share");
  if (rail != "park") {
    char* end = nullptr;
    const double r = std::strtod(rail.c_str(), &end);
    if (end == rail.c_str() || *end != '\0' || !(r >= 0 && r <= 1))
      throw std::runtime_error("rail_share must be 'park' or a number from 0 to 1, got '" + rail +
                               "'");
    if (park_.railShare >= 1.0)
      throw std::runtime_error("the park file's rail_share is 1: no trucks to scale");
    truckFactor_ = (1.0 - r) / (1.0 - park_.railShare);
  }
  const std::string ely = c.text("electrolyser");
  if (ely != "park" && !parsePower(ely, levers_.electrolyserW))
    throw std::runtime_error("electrolyser must be 'park' or a power such as 50MW, got '" + ely +
                             "'");
  gridCo2_ = c.number("grid_co2");
  gasCo2_ = c.number("gas_co2");
  if (!(gridCo2_ >= 0) || !(gasCo2_ >= 0))
    throw std::runtime_error("grid_co2 and gas_co2 must not be negative");
  localStartS_ = static_cast<double>(c.startUnixS() + c.utcOffsetS());

  // the site and its gates
  const TwinCityInfo* city = c.city();
  std::vector<double> ring;
  for (const auto& p : park_.site) {
    ring.push_back(p[0]);
    ring.push_back(p[1]);
  }
  if (ring.empty() && city != nullptr) {
    const sdk::LandUseRing r = sdk::largestLandUse(city, TWIN_LAND_INDUSTRIAL);
    ring.assign(r.xy.begin(), r.xy.end());
  }
  for (std::size_t i = 0; i + 1 < ring.size(); i += 2) {
    centre_[0] += ring[i] / static_cast<double>(ring.size() / 2);
    centre_[1] += ring[i + 1] / static_cast<double>(ring.size() / 2);
  }
  if (!c.flag("trips"))
    return;
  if (city == nullptr || city->road_nodes == nullptr)
    throw std::runtime_error("the park's trips need a city with roads (or set trips: false)");
  if (ring.size() < 6)
    throw std::runtime_error(
        "the park has no site: the city has no industrial land-use area; give site: as a list "
        "of [x, y] points in the park file, or set trips: false");
  // gates: the main-component road node on or near the site (150 m) farthest towards its side
  TripPlaces places;
  for (const GateDef& g : park_.gates) {
    const auto dir = sideVector(g.side);
    std::uint32_t best = UINT32_MAX;
    double bestScore = -INFINITY;
    for (std::uint32_t n = 0; n < city->road_node_count; ++n) {
      const TwinRoadNode& rn = city->road_nodes[n];
      if (!rn.in_main_component)
        continue;
      if (!pointInRing(ring, rn.x, rn.y) && distanceToRing(ring, rn.x, rn.y) > 150.0)
        continue;
      const double score = rn.x * dir[0] + rn.y * dir[1];
      if (score > bestScore) {
        bestScore = score;
        best = n;
      }
    }
    if (best == UINT32_MAX)
      throw std::runtime_error("no road reaches the park's site for gate '" + g.name + "'");
    places.gates.push_back({city->road_nodes[best].x, city->road_nodes[best].y});
  }
  gatePoints_ = places.gates;
  // where trucks come from: the road node within 500 m of the city's edge on the best road
  // class (motorway first), nearest the main truck gate
  std::size_t truckGate = 0;
  for (std::size_t g = 0; g < park_.gates.size(); ++g)
    if (park_.gates[g].trucks > park_.gates[truckGate].trucks)
      truckGate = g;
  std::vector<int> nodeClass(city->road_node_count, 99);
  for (std::size_t l = 0; l < city->road_link_count; ++l) {
    const TwinRoadLink& rl = city->road_links[l];
    if (!rl.car_allowed)
      continue;
    nodeClass[rl.from] = std::min(nodeClass[rl.from], rl.road_class);
    nodeClass[rl.to] = std::min(nodeClass[rl.to], rl.road_class);
  }
  int bestClass = 99;
  double bestDist = INFINITY;
  const auto gp = places.gates.empty() ? centre_ : places.gates[truckGate];
  for (std::uint32_t n = 0; n < city->road_node_count; ++n) {
    const TwinRoadNode& rn = city->road_nodes[n];
    const double edge =
        std::min({rn.x - city->min_x, city->max_x - rn.x, rn.y - city->min_y, city->max_y - rn.y});
    if (!rn.in_main_component || edge > 500.0)
      continue;
    const double d = std::hypot(rn.x - gp[0], rn.y - gp[1]);
    if (nodeClass[n] < bestClass || (nodeClass[n] == bestClass && d < bestDist)) {
      bestClass = nodeClass[n];
      bestDist = d;
      places.outside = {rn.x, rn.y};
    }
  }
  if (bestClass == 99)
    throw std::runtime_error("no road leaves the city for the park's trucks");
  // where workers live: residential buildings by residents
  for (std::size_t i = 0; i < city->building_count; ++i) {
    const TwinBuilding& b = city->buildings[i];
    if (b.residents > 0)
      places.homes.push_back({b.x, b.y, b.residents});
  }
  if (places.homes.empty())
    throw std::runtime_error("the city has no residents for the park's workers");
  trips_ = std::make_unique<ParkTrips>(park_, std::move(places), c.seed(), localStartS_);
}

void ParkModel::setParam(const TwinParamValue& v) {
  const std::string name = v.name;
  if (!std::isfinite(v.number) || v.number < 0)
    throw std::invalid_argument(name + " must be a number >= 0");
  Levers next = levers_;
  if (name == "electrify_steam_share")
    next.electrifySteamShare = v.number;
  else if (name == "heat_pump_share")
    next.heatPumpShare = v.number;
  else if (name == "grid_co2") {
    gridCo2_ = v.number;
    return;
  } else
    throw std::invalid_argument("parameter '" + name + "' cannot be changed at run time");
  if (next.electrifySteamShare + next.heatPumpShare > 1.0)
    throw std::invalid_argument("electrify_steam_share and heat_pump_share sum to more than 1");
  levers_ = next;
}

TwinStatus ParkModel::step(sdk::Step& s) {
  const double t = s.timeS(), dt = s.dtS();
  const double local = localStartS_ + t;
  const double hour = std::fmod(std::fmod(local, 86400.0) + 86400.0, 86400.0) / 3600.0;
  const auto day = static_cast<std::int64_t>(std::floor(local / 86400.0));
  const bool weekend = ((day + 3) % 7 + 7) % 7 >= 5;  // 1970-01-01 was a Thursday
  double el = 0, steam = 0;
  demandAt(park_, hour, weekend, el, steam, &wasteHeatW_);
  last_ = dispatch(park_, levers_, el, steam);
  const Dispatch& d = last_;
  electricity_ += d.parkElectricW * dt;
  import_ += std::max(0.0, d.gridImportW) * dt;
  export_ += std::max(0.0, -d.gridImportW) * dt;
  peakImport_ = std::max(peakImport_, d.gridImportW);
  steam_ += (d.steamW - d.unservedHeatW) * dt;
  gas_ += d.gasW() * dt;
  chpEl_ += d.chpElectricW * dt;
  unserved_ += d.unservedHeatW * dt;
  hydrogen_ += d.hydrogenW * dt;
  // g/kWh -> kg/J: 1e-3 / 3.6e6
  const double site = d.gasW() * gasCo2_ * 1e-3 / 3.6e6;
  const double grid = std::max(0.0, d.gridImportW) * gridCo2_ * 1e-3 / 3.6e6;
  co2Site_ += site * dt;
  co2Grid_ += grid * dt;
  s.output(kGridImport, d.gridImportW * 1e-6);
  s.output(kElectricLoad, d.parkElectricW * 1e-6);
  s.output(kSteam, d.steamW * 1e-6);
  s.output(kGas, d.gasW() * 1e-6);
  s.output(kCo2, (site + grid) * 3600.0 / 1000.0);  // kg/s -> t/h
  std::vector<double> trucks, cars;
  if (trips_)
    trips_->step(t, t + dt, truckFactor_, trucks, cars);
  s.output(kTruckTrips, trucks);
  s.output(kCommuterTrips, cars);
  s.output(kWasteHeat, wasteHeatW_ * 1e-6);
  return TWIN_OK;
}

void ParkModel::publish(sdk::Publisher& out) const {
  std::vector<std::string> texts;
  std::vector<TwinLabel> labels;
  char buf[160];
  if (last_.gridImportW >= 0.0)
    std::snprintf(buf, sizeof buf, "%s: buys %.0f MW, %.0f MW steam", park_.name.c_str(),
                  last_.gridImportW * 1e-6, last_.steamW * 1e-6);
  else
    std::snprintf(buf, sizeof buf, "%s: sells %.0f MW, %.0f MW steam", park_.name.c_str(),
                  -last_.gridImportW * 1e-6, last_.steamW * 1e-6);
  texts.emplace_back(buf);
  for (std::size_t g = 0; g < gatePoints_.size(); ++g)
    texts.push_back(park_.gates[g].name);
  labels.push_back({centre_[0], centre_[1], 30.0, texts[0].c_str()});
  for (std::size_t g = 0; g < gatePoints_.size(); ++g)
    labels.push_back({gatePoints_[g][0], gatePoints_[g][1], 10.0, texts[g + 1].c_str()});
  out.labels(sdk::Publisher::layer("labels", TWIN_LAYER_LABELS, "Park", "", TWIN_SCALE_RGBA),
             labels);
}

std::vector<std::uint8_t> ParkModel::saveState() const {
  sdk::StateWriter w;
  for (double v : {electricity_, import_, export_, peakImport_, steam_, gas_, chpEl_, unserved_,
                   co2Site_, co2Grid_, levers_.electrifySteamShare, levers_.heatPumpShare, gridCo2_,
                   hydrogen_, levers_.electrolyserW})
    w.put(v);
  const std::vector<double> tr = trips_ ? trips_->save() : std::vector<double>(4, 0.0);
  for (double v : tr)
    w.put(v);
  return w.take();
}

void ParkModel::loadState(std::span<const std::uint8_t> s) {
  sdk::StateReader r(s);
  for (double* v : {&electricity_, &import_, &export_, &peakImport_, &steam_, &gas_, &chpEl_,
                    &unserved_, &co2Site_, &co2Grid_, &levers_.electrifySteamShare,
                    &levers_.heatPumpShare, &gridCo2_, &hydrogen_, &levers_.electrolyserW})
    *v = r.get<double>();
  std::vector<double> tr(4);
  for (double& v : tr)
    v = r.get<double>();
  r.expectEnd();
  if (trips_)
    trips_->load(tr);
}

std::vector<double> ParkModel::kpis() const {
  double workforce = 0;
  for (const PlantDef& p : park_.plants)
    workforce += p.workforce;
  const double mwh = 1.0 / 3.6e9;
  return {electricity_ * mwh,
          import_ * mwh,
          export_ * mwh,
          peakImport_ * 1e-6,
          steam_ * mwh,
          gas_ * mwh,
          chpEl_ * mwh,
          unserved_ * mwh,
          co2Site_ / 1000.0,
          co2Grid_ / 1000.0,
          (co2Site_ + co2Grid_) / 1000.0,
          trips_ ? trips_->trucksSoFar() : 0.0,
          trips_ ? trips_->commuterCarsSoFar() : 0.0,
          workforce,
          hydrogen_ * mwh};
}

}  // namespace twin::industry
