// SPDX-License-Identifier: Apache-2.0
#include "traffic_model.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "bench_reader.hpp"
#include "city_network.hpp"
#include "closures.hpp"
#include "random_trips.hpp"
#include "routing.hpp"

namespace twin::traffic {

TrafficMicro::TrafficMicro(const sdk::Config& c)
    : threads_(c.threads()), host_(c.host()), endWhenDone_(c.flag("end_when_done")) {
  const std::string networkDir = c.text("network.bench");
  const TwinCityInfo* city = c.city();
  if (networkDir.empty() && (city == nullptr || city->road_links == nullptr)) {
    throw std::runtime_error(
        "no network: set network.bench to a network folder of the neutral benchmark format, "
        "or give the scenario a city (its road graph becomes the network)");
  }
  const std::string demandFile = c.text("demand.bench");
  const std::string vtypesFile = c.text("vtypes.bench");
  const std::int64_t randomTrips = c.integer("demand.random_trips");
  if (randomTrips < 0 || randomTrips > 10'000'000)
    throw std::runtime_error("demand.random_trips must be between 0 and 10,000,000");
  const bool daily = c.flag("demand.city");
  if ((!demandFile.empty()) + (randomTrips > 0) + daily > 1)
    throw std::runtime_error(
        "give the trips one way: as a file (demand.bench), as demand.random_trips or as the "
        "city's daily demand (demand.city), not several");
  if (daily && (!networkDir.empty() || city == nullptr || city->building_count == 0))
    throw std::runtime_error(
        "demand.city needs the scenario's city with its buildings and its road graph as the "
        "network (no network.bench)");
  std::string routes = c.text("demand.routes");
  if (routes != "given" && routes != "route")
    throw std::runtime_error("demand.routes must be 'given' or 'route', got '" + routes + "'");
  if (randomTrips > 0)
    routes = "route";
  const std::int64_t substeps = c.integer("idm_substeps");
  if (substeps < 1 || substeps > 100)
    throw std::runtime_error("idm_substeps must be between 1 and 100");
  const double teleport = c.number("time_to_teleport");
  if (!(teleport > 0))
    throw std::runtime_error("time_to_teleport must be positive");

  CityNetworkOptions networkOptions;
  networkOptions.joinDistM = c.number("network.junction_join");
  if (!(networkOptions.joinDistM >= 0) || networkOptions.joinDistM > 100)
    throw std::runtime_error("network.junction_join must be between 0 m and 100 m");
  networkOptions.joinMaxExtentM = std::max(networkOptions.joinMaxExtentM, networkOptions.joinDistM);
  net_ = std::make_unique<Network>(networkDir.empty() ? buildCityNetwork(*city, networkOptions)
                                                      : readBenchNetwork(networkDir));
  if (networkDir.empty())
    cityLinks_ = city->road_link_count;
  // ALT's landmarks for every router of the run (routing.hpp), once
  landmarks_ = Router::landmarks(Router(*net_), kLandmarks);
  // vehicle types: the file's, or SUMO's passenger car defaults with the IDM (idm.hpp)
  std::vector<VehicleType> vtypes;
  if (vtypesFile.empty()) {
    vtypes.push_back(VehicleType{});
    // and for trucks from other models SUMO's truck defaults (vClass truck: 7.1 m long,
    // 1.3 m/s2, 4 m/s2, 130 km/h)
    VehicleType truck;
    truck.id = "truck";
    truck.cls = VehicleClass::Truck;
    truck.idm.length = 7.1;
    truck.idm.accel = 1.3;
    truck.idm.decel = 4.0;
    truck.idm.emergencyDecel = 7.0;
    truck.maxSpeed = 130.0 / 3.6;
    truck.speedFactorDev = 0.1;
    vtypes.push_back(truck);
  } else
    vtypes = readBenchVTypes(vtypesFile, c.text("vtypes.variant"));
  for (const VehicleType& vt : vtypes)
    vtypeIsTruck_.push_back(vt.cls == VehicleClass::Truck || vt.cls == VehicleClass::Bus ? 1 : 0);
  if (randomTrips > 0) {
    const double period = c.number("demand.random_period");
    const double minDistance = c.number("demand.random_min_distance");
    if (!(period >= 0) || !(minDistance >= 0))
      throw std::runtime_error("demand.random_period and random_min_distance must be >= 0");
    demand_ = std::make_unique<Demand>(
        randomDemand(*net_, static_cast<std::size_t>(randomTrips), period, minDistance, c.seed()));
  } else if (daily) {
    CityDemandOptions options;
    options.scale = c.number("demand.scale");
    options.carDriverShare = c.number("demand.car_driver_share");
    if (!(options.scale > 0 && options.scale <= 10))
      throw std::runtime_error("demand.scale must be above 0 and at most 10");
    if (!(options.carDriverShare >= 0 && options.carDriverShare <= 1))
      throw std::runtime_error("demand.car_driver_share must be between 0 and 1");
    options.outCommuterShare = c.number("demand.out_commuters");
    options.inPerOutCommuter = c.number("demand.in_commuters_per_out");
    options.throughPerCrossing = c.number("demand.through_per_crossing");
    if (!(options.throughPerCrossing >= 0 && options.throughPerCrossing <= 100))
      throw std::runtime_error("demand.through_per_crossing must be between 0 and 100");
    if (!(options.outCommuterShare >= 0 && options.outCommuterShare <= 1))
      throw std::runtime_error("demand.out_commuters must be between 0 and 1");
    if (!(options.inPerOutCommuter >= 0 && options.inPerOutCommuter <= 100))
      throw std::runtime_error("demand.in_commuters_per_out must be between 0 and 100");
    // the day's times are local: a scenario that starts at 08:00 sees the trips from 08:00 on
    const std::int64_t local = c.startUnixS() + c.utcOffsetS();
    options.startS = static_cast<double>(((local % 86400) + 86400) % 86400);
    const TimeOfDay timeOfDay = readTimeOfDay(c.text("demand.time_of_day"));
    Router router(*net_);
    router.setLandmarks(landmarks_);
    const ParallelFor parallel = [this](std::size_t n,
                                        const std::function<void(std::size_t, std::size_t)>& fn) {
      threads_.parallelFor(n, fn);
    };
    CityDemandStats st;
    demand_ = std::make_unique<Demand>(
        cityDemand(*city, *net_, router, timeOfDay, options, c.seed(), parallel, &st));
    std::string byPurpose;
    for (std::size_t p = 0; p < kPurposes; ++p)
      byPurpose +=
          std::string(p == 0 ? "" : ", ") + kMid2017[p].name + " " + std::to_string(st.trips[p]);
    sdk::log(
        host_, TWIN_LOG_INFO,
        "daily demand: " + std::to_string(demand_->trips.size()) + " car trips of " +
            std::to_string(static_cast<long long>(std::lround(st.residents))) + " residents (" +
            byPurpose + "; work beyond the network through " + std::to_string(st.gates) +
            " fringe roads: " + std::to_string(st.outCommuteTours) + " tours out, " +
            std::to_string(st.inCommuteTours) + " in; " + std::to_string(st.throughTrips) +
            " through trips); left out: " + std::to_string(st.sameRoad) + " within one road, " +
            std::to_string(st.afterDay) + " returning after the day, " +
            std::to_string(st.beforeStart) + " departing before the scenario starts, " +
            std::to_string(st.buildingsWithoutRoad) + " buildings more than 300 m from a road");
    unroutable_ = st.unroutable;
    demandStats_ = st;
  } else if (!demandFile.empty()) {
    demand_ =
        std::make_unique<Demand>(readBenchDemand(demandFile, *net_, vtypes, routes == "given"));
  } else {
    demand_ = std::make_unique<Demand>();  // only the extra_trips of other models
  }
  // battery-electric cars: a share of the demand's car trips, drawn per trip from the seed
  const double evShare = c.number("ev_share");
  if (!(evShare >= 0.0 && evShare <= 1.0))
    throw std::runtime_error("ev_share must be between 0 and 1");
  if (evShare > 0.0) {
    for (std::size_t i = 0; i < demand_->trips.size(); ++i) {
      Trip& t = demand_->trips[i];
      sdk::EntityRandom rng(c.seed(), "traffic.ev", i);
      if (t.vtype < vtypes.size() && vtypes[t.vtype].cls == VehicleClass::Car)
        t.ev = t.ev || rng.uniform() < evShare;
    }
  }
  if (routes == "route") {
    // fastest paths on the empty network; trips carry (from, to) until here
    Router router(*net_);
    router.setLandmarks(landmarks_);
    // every trip's route on the scenario's threads (independent queries; results by trip)
    std::vector<std::vector<std::uint32_t>> paths(demand_->trips.size());
    threads_.parallelFor(paths.size(), [&](std::size_t b, std::size_t e) {
      Router::Scratch scratch;
      for (std::size_t i = b; i < e; ++i) {
        const auto od = demand_->route(demand_->trips[i]);
        paths[i] = router.route(od[0], od[od.size() - 1], scratch);
      }
    });
    Demand routed;
    std::string firstUnroutable;
    for (std::size_t i = 0; i < paths.size(); ++i) {
      Trip t = demand_->trips[i];
      const auto od = demand_->route(t);
      const std::vector<std::uint32_t>& path = paths[i];
      if (path.empty()) {
        // as a router does (SUMO's duarouter too): the trip is left out, counted and named
        if (unroutable_++ == 0)
          firstUnroutable =
              t.id + " from " + net_->edges[od[0]].id + " to " + net_->edges[od[od.size() - 1]].id;
        continue;
      }
      t.routeBegin = static_cast<std::uint32_t>(routed.routeEdges.size());
      routed.routeEdges.insert(routed.routeEdges.end(), path.begin(), path.end());
      t.routeEnd = static_cast<std::uint32_t>(routed.routeEdges.size());
      routed.trips.push_back(std::move(t));
    }
    *demand_ = std::move(routed);
    if (unroutable_ > 0)
      sdk::log(host_, TWIN_LOG_WARNING,
               std::to_string(unroutable_) + " trips have no route and are left out (the first: " +
                   firstUnroutable + "); the KPI trips_unroutable counts them");
  }
  // signals the city network generated: timed by Webster's method from this demand's flows
  const std::string timing = c.text("signals.timing");
  if (timing != "webster" && timing != "fixed")
    throw std::runtime_error("signals.timing must be 'webster' or 'fixed', got '" + timing + "'");
  if (networkDir.empty() && timing == "webster" && !net_->signals.empty()) {
    const Router router(*net_);
    const std::size_t timed = timeSignalsWebster(*net_, *demand_, router);
    sdk::log(host_, TWIN_LOG_INFO,
             std::to_string(timed) + " of " + std::to_string(net_->signals.size()) +
                 " signal programs timed by Webster's method from the demand's peak-hour flows");
  }
  SimParams p;
  p.dt = static_cast<double>(c.periodTicks() * c.tickNs()) * 1e-9;
  dt_ = p.dt;
  p.substeps = static_cast<int>(substeps);
  p.timeToTeleport = teleport;
  for (std::uint32_t i = 0; i < vtypes.size(); ++i) {
    if (vtypes[i].cls == VehicleClass::Truck) {
      truckType_ = i;
      break;
    }
  }
  baseTrips_ = demand_->trips.size();
  baseRouteEdges_ = demand_->routeEdges.size();
  router_ = std::make_unique<Router>(*net_);
  router_->setLandmarks(landmarks_);
  linkInterval_ = c.number("link_interval");
  if (!(linkInterval_ > 0))
    throw std::runtime_error("link_interval must be positive");
  nextBoundary_ = linkInterval_;
  snapExits_.assign(net_->normalLaneCount, 0.0);
  snapSpeedSum_.assign(net_->normalLaneCount, 0.0);
  snapSteps_.assign(net_->normalLaneCount, 0);
  intervalFlow_.assign(net_->edges.size(), std::nan(""));
  intervalSpeed_.assign(net_->edges.size(), std::nan(""));
  // road closures (closures.hpp)
  std::vector<Closure> closures;
  for (const std::string& entry : c.list("closures")) {
    closures.push_back(parseClosure(*net_, entry));
    if (!closures.back().inside.empty())
      sdk::log(host_, TWIN_LOG_INFO,
               "closure '" + entry + "': " + std::to_string(closures.back().inside.size()) +
                   " of its links lie inside joined junctions; closing the others closes them");
  }
  closures_ = std::make_unique<RoadClosures>(*net_, std::move(closures));
  closures_->setLandmarks(landmarks_);
  ReroutingParams rp;
  rp.probability = c.number("rerouting.probability");
  rp.period = c.number("rerouting.period");
  rp.adaptationInterval = c.number("rerouting.adaptation_interval");
  const std::int64_t adaptationSteps = c.integer("rerouting.adaptation_steps");
  if (adaptationSteps < 1 || adaptationSteps > 10000)
    throw std::runtime_error("rerouting.adaptation_steps must be between 1 and 10,000");
  rp.adaptationSteps = static_cast<std::uint32_t>(adaptationSteps);
  rp.stuckAfter = c.number("rerouting.stuck_after");
  rp.seed = c.seed();
  rerouter_ = std::make_unique<Rerouter>(*net_, rp, landmarks_);
  sim_ = std::make_unique<Simulation>(*net_, std::move(vtypes), *demand_, p, c.seed());
  // each gridlock is named up to kTeleportWarnings times, then only counted (KPI teleports)
  sim_->onWarning([this](const std::string& m) {
    if (++teleportWarnings_ <= kTeleportWarnings)
      sdk::log(host_, TWIN_LOG_WARNING, m);
    if (teleportWarnings_ == kTeleportWarnings)
      sdk::log(host_, TWIN_LOG_WARNING,
               "further gridlocks are not named; the KPI teleports counts them all");
  });
  sdk::log(host_, TWIN_LOG_INFO,
           "network " + std::to_string(net_->edges.size()) + " edges, " +
               std::to_string(net_->normalLaneCount) + " lanes, " +
               std::to_string(net_->connections.size()) + " connections, " +
               std::to_string(net_->signals.size()) + " signals (" +
               std::to_string(net_->guessedSignals) + " from lights on the approaches), " +
               std::to_string(net_->absorbed.size()) + " links inside joined junctions, " +
               std::to_string(std::count_if(net_->edges.begin(), net_->edges.end(),
                                            [](const Edge& e) { return !e.mainComponent; })) +
               " edges reached only one way (no trips start or end on them); " +
               std::to_string(demand_->trips.size()) + " trips");
}

// The link values of the interval that just ended: vehicles through per hour and their mean
// speed, per edge (NaN where no vehicle drove), from the simulation's running per-lane sums.
void TrafficMicro::closeInterval() {
  const auto& exits = sim_->laneExits();
  const auto& speedSum = sim_->laneSpeedSum();
  const auto& steps = sim_->laneVehicleSteps();
  for (std::uint32_t e = 0; e < net_->edges.size(); ++e) {
    const Edge& edge = net_->edges[e];
    double through = 0, sum = 0;
    std::uint64_t n = 0;
    for (std::uint32_t l = edge.firstLane; l < edge.firstLane + edge.laneCount; ++l) {
      through += static_cast<double>(exits[l]) - snapExits_[l];
      sum += speedSum[l] - snapSpeedSum_[l];
      n += steps[l] - snapSteps_[l];
      snapExits_[l] = exits[l];
      snapSpeedSum_[l] = speedSum[l];
      snapSteps_[l] = steps[l];
    }
    intervalFlow_[e] = through * 3600.0 / linkInterval_;
    intervalSpeed_[e] = n > 0 ? sum / static_cast<double>(n) * 3.6 : std::nan("");
  }
}

TwinStatus TrafficMicro::step(sdk::Step& s) {
  const ParallelFor parallel = [this](std::size_t n,
                                      const std::function<void(std::size_t, std::size_t)>& fn) {
    // a few hundred lanes are less work than handing them to other threads
    if (n < kMinParallelItems)
      fn(0, n);
    else
      threads_.parallelFor(n, fn);
  };
  for (std::uint32_t in = kExtraTrips; in < kTripInputs; ++in) {
    if (const auto extra = s.input(in); !extra.empty())
      addExtraTrips(in, extra, s.timeS());
  }
  if (!closures_->empty()) {
    for (const std::string& line : closures_->apply(s.timeS(), *demand_, *sim_, parallel))
      sdk::log(host_, TWIN_LOG_INFO, line);
  }
  // route searches take a tenth of a millisecond each: a few are worth the other threads
  const ParallelFor searches = [this](std::size_t n,
                                      const std::function<void(std::size_t, std::size_t)>& fn) {
    if (n < 2)
      fn(0, n);
    else
      threads_.parallelFor(n, fn);
  };
  rerouter_->apply(s.timeS(), dt_, baseTrips_, *demand_, *sim_, *closures_, searches);
  sim_->step(s.timeS(), parallel);
  if (s.timeS() >= nextBoundary_ - 1e-9) {
    closeInterval();
    while (nextBoundary_ <= s.timeS() + 1e-9)
      nextBoundary_ += linkInterval_;
  }
  const double ms = sim_->meanSpeed();
  s.output(kRunning, static_cast<double>(sim_->running()));
  s.output(kMeanSpeed, std::isnan(ms) ? 0.0 : ms);
  s.output(kBacklog, static_cast<double>(sim_->backlog()));
  s.output(kArrived, static_cast<double>(sim_->arrivedCount()));
  // this step's arrivals: where each vehicle parks and how far it drove
  std::vector<double> arrivals;
  const auto& arrived = sim_->arrivals();
  arrivals.reserve(arrived.size() * sdk::kArrivalRecordValues);
  const double firstId = static_cast<double>(sim_->arrivedCount() - arrived.size());
  for (std::size_t k = 0; k < arrived.size(); ++k) {
    const Trip& trip = demand_->trips[arrived[k].vehicle];
    const auto route = demand_->route(trip);
    sdk::ArrivalRecord a;
    a.id = firstId + static_cast<double>(k);
    a.arrivalS = arrived[k].t;
    a.distanceM = sim_->odometer(arrived[k].vehicle);
    if (!route.empty() && !net_->edges[route.back()].shape.empty()) {
      a.x = net_->edges[route.back()].shape.back()[0];
      a.y = net_->edges[route.back()].shape.back()[1];
    }
    a.vehicleClass = vtypeIsTruck_[trip.vtype] != 0 ? sdk::kTripTruck : sdk::kTripCar;
    a.electric = trip.ev ? 1.0 : 0.0;
    a.vehicle = static_cast<double>(arrived[k].vehicle);
    sdk::appendArrival(arrivals, a);
  }
  s.output(kArrivals, arrivals);
  if (endWhenDone_ && !ended_ && sim_->finished()) {
    ended_ = true;
    s.requestEnd();
  }
  return TWIN_OK;
}

void TrafficMicro::publish(sdk::Publisher& out) const {
  // vehicles as boxes along their lanes, coloured by speed
  std::vector<TwinInstance> items;
  for (const Simulation::VehicleView& v : sim_->vehicles()) {
    const Lane& lane = net_->lanes[v.lane];
    double x = 0, y = 0, heading = 0;
    auto along = [&](const Edge& e, double pos, double offset) {
      // walk the centre line, then shift to the lane
      const auto& sh = e.shape;
      if (sh.size() < 2)
        return;
      double total = 0;
      for (std::size_t i = 1; i < sh.size(); ++i)
        total += std::hypot(sh[i][0] - sh[i - 1][0], sh[i][1] - sh[i - 1][1]);
      double target = total * std::clamp(pos / std::max(e.length, 1e-6), 0.0, 1.0);
      for (std::size_t i = 1; i < sh.size(); ++i) {
        const double dx = sh[i][0] - sh[i - 1][0], dy = sh[i][1] - sh[i - 1][1];
        const double seg = std::hypot(dx, dy);
        if (target <= seg || i + 1 == sh.size()) {
          const double f = seg > 0 ? std::min(1.0, target / seg) : 0.0;
          heading = std::atan2(dy, dx);
          x = sh[i - 1][0] + f * dx + std::sin(heading) * offset;
          y = sh[i - 1][1] + f * dy - std::cos(heading) * offset;
          return;
        }
        target -= seg;
      }
    };
    if (lane.edge != kNone) {
      const Edge& e = net_->edges[lane.edge];
      const double offset =
          (0.5 * (static_cast<double>(e.laneCount) - 1.0) - lane.index) * kLaneWidth;
      along(e, v.pos, offset);
    } else {
      const Connection& c = net_->connections[lane.connection];
      const Edge& from = net_->edges[c.fromEdge];
      along(from, from.length, 0);
      const double x0 = x, y0 = y;
      const Edge& to = net_->edges[c.toEdge];
      along(to, 0, 0);
      const double f = std::clamp(v.pos / std::max(lane.length, 1e-6), 0.0, 1.0);
      heading = std::atan2(y - y0, x - x0);
      x = x0 + f * (x - x0);
      y = y0 + f * (y - y0);
    }
    const Trip& trip = demand_->trips[v.trip];
    TwinInstance inst{};
    inst.id = v.trip;
    inst.x = x;
    inst.y = y;
    inst.z = 0;
    inst.heading_rad = heading;
    inst.length_m = 4.5f;
    inst.width_m = 1.8f;
    inst.height_m = 1.5f;
    inst.value = static_cast<float>(v.speed * 3.6);
    (void)trip;
    items.push_back(inst);
  }
  out.instances(sdk::Publisher::layer("vehicles", TWIN_LAYER_INSTANCES, "Vehicle speed", "km/h",
                                      TWIN_SCALE_SPEED, 0.0, 60.0),
                items);
  if (cityLinks_ == 0)
    return;
  // per city road link, over the run so far: vehicles through, mean speed, longest queue
  const double nan = std::nan("");
  std::vector<double> flow(cityLinks_, nan), speed(cityLinks_, nan), queue(cityLinks_, nan),
      co2(cityLinks_, nan), nox(cityLinks_, nan);
  const auto& laneCo2 = sim_->laneCo2();
  const auto& laneNox = sim_->laneNox();
  const auto& exits = sim_->laneExits();
  const auto& speedSum = sim_->laneSpeedSum();
  const auto& steps = sim_->laneVehicleSteps();
  const auto& maxQueue = sim_->edgeMaxQueue();
  for (std::uint32_t e = 0; e < net_->edges.size(); ++e) {
    const Edge& edge = net_->edges[e];
    if (edge.cityLink == kNone || edge.cityLink >= cityLinks_)
      continue;
    double through = 0, sum = 0, mgCo2 = 0, mgNox = 0;
    std::uint64_t n = 0;
    for (std::uint32_t l = edge.firstLane; l < edge.firstLane + edge.laneCount; ++l) {
      through += exits[l];
      sum += speedSum[l];
      n += steps[l];
      mgCo2 += laneCo2[l];
      mgNox += laneNox[l];
    }
    co2[edge.cityLink] = mgCo2 * 1e-6;
    nox[edge.cityLink] = mgNox * 1e-3;
    flow[edge.cityLink] = through;
    speed[edge.cityLink] = n > 0 ? sum / static_cast<double>(n) * 3.6 : nan;
    queue[edge.cityLink] = maxQueue[e];
  }
  using P = sdk::Publisher;
  out.entityValues(
      P::layer("flow", TWIN_LAYER_LINK_VALUES, "Vehicles through", "1", TWIN_SCALE_MAGMA), flow);
  out.entityValues(P::layer("mean_speed", TWIN_LAYER_LINK_VALUES, "Mean speed", "km/h",
                            TWIN_SCALE_SPEED, 0.0, 60.0),
                   speed);
  out.entityValues(
      P::layer("max_queue", TWIN_LAYER_LINK_VALUES, "Longest queue", "1", TWIN_SCALE_MAGMA), queue);
  std::vector<double> iflow(cityLinks_, nan), ispeed(cityLinks_, nan);
  for (std::uint32_t e = 0; e < net_->edges.size(); ++e) {
    const std::uint32_t link = net_->edges[e].cityLink;
    if (link != kNone && link < cityLinks_) {
      iflow[link] = intervalFlow_[e];
      ispeed[link] = intervalSpeed_[e];
    }
  }
  out.entityValues(P::layer("interval_flow", TWIN_LAYER_LINK_VALUES,
                            "Vehicles per hour, last interval", "1/h", TWIN_SCALE_MAGMA),
                   iflow);
  out.entityValues(P::layer("interval_speed", TWIN_LAYER_LINK_VALUES, "Mean speed, last interval",
                            "km/h", TWIN_SCALE_SPEED, 0.0, 60.0),
                   ispeed);
  out.entityValues(P::layer("co2", TWIN_LAYER_LINK_VALUES, "Tailpipe CO2", "kg", TWIN_SCALE_MAGMA),
                   co2);
  out.entityValues(P::layer("nox", TWIN_LAYER_LINK_VALUES, "Tailpipe NOx", "g", TWIN_SCALE_MAGMA),
                   nox);
}

std::uint32_t TrafficMicro::nearestCarEdge(double x, double y) const {
  std::uint32_t best = kNone;
  double bestD = INFINITY;
  for (std::uint32_t e = 0; e < net_->edges.size(); ++e) {
    const Edge& edge = net_->edges[e];
    bool car = false;
    for (std::uint32_t l = edge.firstLane; l < edge.firstLane + edge.laneCount; ++l)
      car = car || net_->lanes[l].allowsCar;
    if (!car || edge.shape.size() < 2 || !edge.mainComponent)
      continue;
    for (std::size_t i = 1; i < edge.shape.size(); ++i) {
      const double ax = edge.shape[i - 1][0], ay = edge.shape[i - 1][1];
      const double dx = edge.shape[i][0] - ax, dy = edge.shape[i][1] - ay;
      const double len2 = dx * dx + dy * dy;
      const double f =
          len2 > 0 ? std::clamp(((x - ax) * dx + (y - ay) * dy) / len2, 0.0, 1.0) : 0.0;
      const double d = std::hypot(ax + f * dx - x, ay + f * dy - y);
      if (d < bestD) {  // strictly: the lowest edge index wins a tie
        bestD = d;
        best = e;
      }
    }
  }
  return best;
}

void TrafficMicro::addExtraTrips(std::uint32_t input, std::span<const double> records, double t) {
  const std::string port = kPorts[input].name;
  for (const sdk::TripRecord& r : sdk::readTrips(records)) {
    if (!(r.id > lastExtraId_[input]))
      continue;  // taken before (a hold adapter repeats the last value)
    lastExtraId_[input] = r.id;
    if (!std::isfinite(r.departS) || !std::isfinite(r.fromX) || !std::isfinite(r.fromY) ||
        !std::isfinite(r.toX) || !std::isfinite(r.toY))
      throw std::runtime_error(port + ": trip " + std::to_string(r.id) +
                               " has a coordinate or departure that is not a number");
    const std::uint32_t from = nearestCarEdge(r.fromX, r.fromY);
    const std::uint32_t to = nearestCarEdge(r.toX, r.toY);
    std::vector<std::uint32_t> path;
    if (from != kNone && to != kNone)
      path = router_->route(from, to);
    if (path.empty()) {
      if (unroutable_++ == 0)
        sdk::log(host_, TWIN_LOG_WARNING,
                 port + " trip " + std::to_string(static_cast<long long>(r.id)) +
                     " has no route between the roads nearest its origin and destination; left "
                     "out (KPI trips_unroutable)");
      continue;
    }
    Trip trip;
    // ids stay unique across the inputs: x17 (extra_trips), xt17, xc17
    trip.id = std::string(input == kExtraTrips   ? "x"
                          : input == kTruckTrips ? "xt"
                                                 : "xc") +
              std::to_string(static_cast<long long>(r.id));
    trip.depart = std::max(r.departS, t);
    trip.vtype = r.vehicleClass == sdk::kTripTruck ? truckType_ : carType_;
    trip.routeBegin = static_cast<std::uint32_t>(demand_->routeEdges.size());
    demand_->routeEdges.insert(demand_->routeEdges.end(), path.begin(), path.end());
    trip.routeEnd = static_cast<std::uint32_t>(demand_->routeEdges.size());
    demand_->trips.push_back(std::move(trip));
    sim_->addTrip(static_cast<std::uint32_t>(demand_->trips.size() - 1));
    ++extraRouted_;
  }
}

std::vector<std::uint8_t> TrafficMicro::saveState() const {
  std::vector<std::uint8_t> s = sim_->saveState();
  // the trips added while running, before the simulation's state (it sizes by the demand)
  // and the route edges appended while running (their trips' routes and detours around closures)
  sdk::StateWriter w;
  w.putVector(std::vector<std::uint32_t>(
      demand_->routeEdges.begin() + static_cast<std::ptrdiff_t>(baseRouteEdges_),
      demand_->routeEdges.end()));
  w.put(static_cast<std::uint64_t>(demand_->trips.size() - baseTrips_));
  for (std::size_t i = baseTrips_; i < demand_->trips.size(); ++i) {
    const Trip& trip = demand_->trips[i];
    w.put(trip.depart).put(trip.vtype).put(trip.routeBegin).put(trip.routeEnd);
  }
  w.put(nextBoundary_);
  w.putVector(snapExits_);
  w.putVector(snapSpeedSum_);
  w.putVector(snapSteps_);
  w.putVector(intervalFlow_);
  w.putVector(intervalSpeed_);
  w.putVector(closures_->active());
  w.put(static_cast<std::uint64_t>(closures_->rerouted()))
      .put(static_cast<std::uint64_t>(closures_->unavoidable()));
  for (double id : lastExtraId_)
    w.put(id);
  w.put(static_cast<std::uint64_t>(extraRouted_)).put(static_cast<std::uint64_t>(unroutable_));
  rerouter_->save(w);
  w.put(static_cast<std::uint64_t>(s.size()));
  std::vector<std::uint8_t> out = w.take();
  out.insert(out.end(), s.begin(), s.end());
  out.push_back(ended_ ? 1 : 0);
  return out;
}

void TrafficMicro::loadState(std::span<const std::uint8_t> s) {
  if (s.empty())
    throw std::runtime_error("traffic state is empty");
  sdk::StateReader r(s.first(s.size() - 1));
  std::vector<std::uint32_t> tail;
  r.getVector(tail);
  demand_->trips.resize(baseTrips_);
  demand_->routeEdges.resize(baseRouteEdges_);
  for (std::uint32_t e : tail) {
    if (e >= net_->edges.size())
      throw std::runtime_error("traffic state: a route edge is not in this network");
    demand_->routeEdges.push_back(e);
  }
  const auto added = r.get<std::uint64_t>();
  for (std::uint64_t i = 0; i < added; ++i) {
    Trip trip;
    trip.depart = r.get<double>();
    trip.vtype = r.get<std::uint32_t>();
    trip.routeBegin = r.get<std::uint32_t>();
    trip.routeEnd = r.get<std::uint32_t>();
    trip.id = "x" + std::to_string(i);
    if (trip.routeBegin < baseRouteEdges_ || trip.routeEnd <= trip.routeBegin ||
        trip.routeEnd > demand_->routeEdges.size())
      throw std::runtime_error("traffic state: an added trip's route is not in the state");
    demand_->trips.push_back(std::move(trip));
  }
  nextBoundary_ = r.get<double>();
  r.getVector(snapExits_);
  r.getVector(snapSpeedSum_);
  r.getVector(snapSteps_);
  r.getVector(intervalFlow_);
  r.getVector(intervalSpeed_);
  if (snapExits_.size() != net_->normalLaneCount || snapSpeedSum_.size() != net_->normalLaneCount ||
      snapSteps_.size() != net_->normalLaneCount || intervalFlow_.size() != net_->edges.size() ||
      intervalSpeed_.size() != net_->edges.size())
    throw std::runtime_error("traffic state: the link intervals do not match this network");
  std::vector<std::uint8_t> closureActive;
  r.getVector(closureActive);
  const auto rerouted = static_cast<std::size_t>(r.get<std::uint64_t>());
  const auto unavoidable = static_cast<std::size_t>(r.get<std::uint64_t>());
  closures_->loadState(closureActive, rerouted, unavoidable);
  for (double& id : lastExtraId_)
    id = r.get<double>();
  extraRouted_ = static_cast<std::size_t>(r.get<std::uint64_t>());
  unroutable_ = static_cast<std::size_t>(r.get<std::uint64_t>());
  rerouter_->load(r);
  const auto simSize = r.get<std::uint64_t>();
  const std::size_t head = s.size() - 1 - simSize;
  if (simSize > s.size() - 1)
    throw std::runtime_error("traffic state is truncated");
  sim_->loadState(s.subspan(head, simSize));
  ended_ = s.back() != 0;
}

std::vector<double> TrafficMicro::kpis() const {
  const SimStats& st = sim_->stats();
  auto count = [](std::size_t n) { return static_cast<double>(n); };
  const double arrived = static_cast<double>(st.arrived);
  const double nan = std::nan("");
  return {
      static_cast<double>(st.inserted),
      arrived,
      static_cast<double>(sim_->running()),
      arrived > 0 ? st.travelTimeSum / arrived : nan,
      arrived > 0 ? (st.travelTimeSum - st.freeFlowSum) / arrived : nan,
      st.inserted > 0 ? st.departDelaySum / static_cast<double>(st.inserted) : nan,
      st.vehicleSeconds / 3600.0,
      st.vehicleMeters / 1000.0,
      static_cast<double>(st.vehicleUpdates),
      static_cast<double>(st.teleports),
      static_cast<double>(st.laneChanges),
      static_cast<double>(st.maxBacklog),
      static_cast<double>(unroutable_),
      static_cast<double>(extraRouted_),
      st.co2Mg * 1e-6,
      st.noxMg * 1e-6,
      st.vehicleMeters > 0 ? st.co2Mg * 1e-3 / (st.vehicleMeters / 1000.0) : nan,
      static_cast<double>(closures_->rerouted()),
      static_cast<double>(closures_->unavoidable()),
      st.evEnergyJ / 3.6e6,
      st.evMeters > 0 ? st.evEnergyJ / 3.6e6 / (st.evMeters / 1e5) : nan,
      static_cast<double>(rerouter_->atDeparture()),
      static_cast<double>(rerouter_->enRoute()),
      static_cast<double>(rerouter_->unstuck()),
      count(demandTrips()),
      count(purposeTrips({Purpose::Work})),
      count(purposeTrips({Purpose::Education})),
      count(purposeTrips({Purpose::Shopping})),
      count(purposeTrips({Purpose::Business, Purpose::Errands, Purpose::Leisure, Purpose::Escort})),
      count(demandStats_ ? demandStats_->outCommuteTours : 0),
      count(demandStats_ ? demandStats_->inCommuteTours : 0),
      count(demandStats_ ? demandStats_->throughTrips : 0)};
}

std::size_t TrafficMicro::purposeTrips(std::initializer_list<Purpose> purposes) const {
  std::size_t n = 0;
  if (demandStats_) {
    for (const Purpose p : purposes)
      n += demandStats_->trips[static_cast<std::size_t>(p)];
  }
  return n;
}

std::size_t TrafficMicro::demandTrips() const {
  if (!demandStats_)
    return 0;
  std::size_t n = demandStats_->throughTrips;
  for (const std::size_t k : demandStats_->trips)
    n += k;
  return n;
}

}  // namespace twin::traffic
