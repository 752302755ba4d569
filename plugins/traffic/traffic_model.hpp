// SPDX-License-Identifier: Apache-2.0
// Model type traffic.micro: the microsimulation (sim.hpp) behind the plugin ABI. Networks come
// from the neutral benchmark format (the same case runs in citytwin and in SUMO) or from the
// city's road graph (city_network.hpp); trips from the benchmark format (edge ids "L<road
// link>" on a city network), random trips, the city's daily demand from its buildings
// (city_demand.hpp) and other models' trips (extra_trips).
#pragma once

#include <array>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "city_demand.hpp"
#include "closures.hpp"
#include "demand.hpp"
#include "network.hpp"
#include "rerouting.hpp"
#include "routing.hpp"
#include "sim.hpp"
#include "twin/plugin.hpp"

namespace twin::traffic {

class TrafficMicro {
 public:
  static constexpr const char* kTypeName = "traffic.micro";
  static constexpr const char* kVersion = "0.1.0";
  static constexpr const char* kSummary =
      "Microscopic traffic: IDM car following, MOBIL lane changes, signals and right of way "
      "with gap acceptance, insertion backlog, gridlock teleports";

  // three trip inputs, so that several models can feed trips at once (an input takes one
  // connection): any trips, and by name a park's trucks and its shift workers
  enum Input : std::uint32_t { kExtraTrips, kTruckTrips, kCommuterTrips, kTripInputs };
  enum Output : std::uint32_t { kRunning, kMeanSpeed, kBacklog, kArrived, kArrivals };
  static constexpr std::array<TwinPortDesc, 8> kPorts{{
      {"extra_trips", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_ENTITY, 0, "1",
       "trips from other models, 7 values each (sdk::TripRecord: id, departure, from x y, to x "
       "y, class 0 car / 1 truck); connect with {adapter: events}"},
      {"truck_trips", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_ENTITY, 0, "1",
       "more trips as extra_trips, e.g. industry.park's trucks; connect with {adapter: events}"},
      {"commuter_trips", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_ENTITY, 0, "1",
       "more trips as extra_trips, e.g. industry.park's shift workers; connect with "
       "{adapter: events}"},
      {"vehicles_running", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "1",
       "vehicles on the network now"},
      {"mean_speed", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "m/s",
       "mean speed of the vehicles on the network (0 when none)"},
      {"backlog", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "1",
       "vehicles due to depart that found no room yet"},
      {"arrived", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "1",
       "vehicles arrived so far"},
      {"arrivals", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_ENTITY, 0, "1",
       "the vehicles that arrived this step, 8 values each (sdk::ArrivalRecord: id, time, "
       "destination x y, distance driven, class, electric, vehicle), e.g. for EV charging; "
       "connect with {adapter: events}"},
  }};
  static constexpr std::array<TwinParamDesc, 28> kParams{{
      {"network.bench", TWIN_PARAM_FOLDER, nullptr, "", 0,
       "a network folder of the neutral benchmark format (edges, nodes, connections, tls); "
       "empty: the network is built from the scenario city's road graph"},
      {"network.junction_join", TWIN_PARAM_NUMBER, "m", "15m", 0,
       "city network: junctions linked by a road at most this long become one junction (as "
       "netconvert's --junctions.join), within 40 m across; 0 m: no joining"},
      {"demand.bench", TWIN_PARAM_PATH, nullptr, "", 0,
       "trips of the neutral benchmark format (demand_<case>.csv.gz); with neither this nor "
       "random_trips, only the extra_trips of other models drive"},
      {"demand.city", TWIN_PARAM_BOOL, nullptr, "false", 0,
       "the city's own daily car trips: its residents' tours by purpose at the rates of MiD "
       "2017, destinations by a gravity model over jobs and shops, times of day from MiD "
       "(assets/traffic/time_of_day_mid.csv); needs a city with buildings"},
      {"demand.scale", TWIN_PARAM_NUMBER, nullptr, "1", 0,
       "share of the city's daily trips that drive (as SUMO's --scale), e.g. 0.1 for a quick "
       "look; each tour is kept or not by its own draw"},
      {"demand.car_driver_share", TWIN_PARAM_NUMBER, nullptr, "0.43", 0,
       "share of all trips made as a car's driver (MiD 2017, Germany: 43 %)"},
      {"demand.out_commuters", TWIN_PARAM_NUMBER, nullptr, "0.288", 0,
       "share of the residents' work tours to workplaces beyond the network, driven out and home "
       "again through its fringe roads (IT.NRW 2019, city of Aachen: 28.8 % of its employed "
       "residents work outside it); 0: all work inside"},
      {"demand.in_commuters_per_out", TWIN_PARAM_NUMBER, nullptr, "2.4655", 0,
       "work tours of people from beyond the network, coming in through its fringe roads, per "
       "resident's tour out (IT.NRW 2019, city of Aachen: 90,178 in, 36,576 out)"},
      {"demand.through_per_crossing", TWIN_PARAM_NUMBER, nullptr, "0.2643", 0,
       "through traffic: trips from one fringe road through the network to another, per trip "
       "that crosses the fringe once (Mobilitätskonzept Trier 2025: 37,000 car trips through "
       "the city a weekday against 140,000 into or out of it); 0: none"},
      {"demand.time_of_day", TWIN_PARAM_PATH, nullptr, "asset:traffic/time_of_day_mid.csv", 0,
       "arrival times and activity durations per purpose, shares per time bin"},
      {"demand.routes", TWIN_PARAM_STRING, nullptr, "given", 0,
       "given: drive the file's routes; route: fastest path on the empty network (A*)"},
      {"demand.random_trips", TWIN_PARAM_INTEGER, nullptr, "0", 0,
       "instead of a file: this many random trips (SUMO randomTrips.py style, edges drawn by "
       "length), routed on the empty network"},
      {"demand.random_period", TWIN_PARAM_NUMBER, "s", "3600s", 0,
       "random trips depart evenly over this time from the start"},
      {"demand.random_min_distance", TWIN_PARAM_NUMBER, "m", "300m", 0,
       "random trips start and end at least this far apart (straight line)"},
      {"vtypes.bench", TWIN_PARAM_PATH, nullptr, "", 0,
       "vehicle types of the neutral benchmark format (vtypes.csv); empty: one passenger car "
       "with SUMO's defaults (IDM: 2.6 m/s2, 4.5 m/s2, 1 s, 2.5 m, 5 m long)"},
      {"vtypes.variant", TWIN_PARAM_STRING, nullptr, "idm", 0,
       "which rows of vtypes.csv: the ones whose source starts with this name"},
      {"idm_substeps", TWIN_PARAM_INTEGER, nullptr, "4", 0,
       "IDM integration sub-steps per step (SUMO integrates in 0.25 s steps)"},
      {"time_to_teleport", TWIN_PARAM_NUMBER, "s", "300s", 0,
       "a vehicle standing this long at a lane's front jumps ahead (gridlock), counted"},
      {"end_when_done", TWIN_PARAM_BOOL, nullptr, "true", 0,
       "end the run when the last trip has arrived"},
      {"link_interval", TWIN_PARAM_NUMBER, "s", "15min", 0,
       "the interval of the layers interval_flow and interval_speed (vehicles per hour and mean "
       "speed per road link in the last complete interval; outputs.link_series samples them)"},
      {"closures", TWIN_PARAM_LIST, nullptr, "", 0,
       "road closures, each 'EDGES FROM TO': edge ids joined by + (a city network's edge of road "
       "link N is LN), and the time span since the scenario start, e.g. 'L812+L813 7h 10h'. "
       "Through traffic is routed around a closed edge while it is closed: trips due to start "
       "before it reopens and vehicles on the road when it closes"},
      {"ev_share", TWIN_PARAM_NUMBER, nullptr, "0", 0,
       "share of the demand's car trips driven by battery-electric cars (0..1), drawn per trip "
       "from the scenario seed: no tailpipe emissions, battery energy by the model of "
       "Kurczveil et al. 2014 (KPIs ev_energy_kwh, ev_kwh_per_100km)"},
      {"signals.timing", TWIN_PARAM_STRING, nullptr, "webster", 0,
       "signals of a city network: webster (cycle and greens from the demand's peak-hour "
       "flows, Webster 1958) or fixed (31 s green per phase, netconvert's default)"},
      {"rerouting.probability", TWIN_PARAM_NUMBER, nullptr, "0", 0,
       "share of vehicles with a routing device (0..1, drawn per trip from the seed): they take "
       "the fastest route under the travel times measured now, at departure and every "
       "rerouting.period en route (SUMO's device.rerouting)"},
      {"rerouting.period", TWIN_PARAM_NUMBER, "s", "300s", 0,
       "time between a routing device's reroutes en route; 0: at departure only"},
      {"rerouting.adaptation_interval", TWIN_PARAM_NUMBER, "s", "10s", 0,
       "time between samples of the edges' mean speeds (the travel times the devices route by)"},
      {"rerouting.adaptation_steps", TWIN_PARAM_INTEGER, nullptr, "18", 0,
       "samples in the moving average of an edge's speed (18 x 10 s: SUMO's 3 min window)"},
      {"rerouting.stuck_after", TWIN_PARAM_NUMBER, "s", "0s", 0,
       "a vehicle that stood this long at a lane's end, off its route or waiting in vain for "
       "room or a gap (not at a red light), takes the fastest route from the lane it is in (any "
       "vehicle, device or not; again after each further stuck_after); 0: off"},
  }};
  static constexpr std::array<TwinKpiDesc, 32> kKpis{{
      {"vehicles_inserted", "1", "vehicles that entered the network"},
      {"vehicles_arrived", "1", "vehicles that reached their destination"},
      {"vehicles_running", "1", "vehicles still on the network at the end"},
      {"mean_travel_time_s", "s", "mean time from insertion to arrival of the arrived vehicles"},
      {"mean_delay_s", "s",
       "mean travel time over the free-flow time of the same routes (speed limits)"},
      {"mean_depart_delay_s", "s", "mean wait of the inserted vehicles for room to depart"},
      {"vehicle_hours", "h", "vehicle-hours travelled"},
      {"vehicle_km", "km", "vehicle-kilometres travelled"},
      {"vehicle_updates", "1", "vehicle-steps simulated"},
      {"teleports", "1", "gridlocked vehicles moved ahead after time_to_teleport"},
      {"lane_changes", "1", "lane changes"},
      {"max_backlog", "1", "most vehicles waiting to depart at once"},
      {"trips_unroutable", "1", "trips left out: no route between their edges (routes: route)"},
      {"extra_trips", "1", "trips received from other models (extra_trips) and routed"},
      {"co2_kg", "kg",
       "tailpipe CO2 (HBEFA3-based model, Krajzewicz et al. 2015; electric vehicles: none)"},
      {"nox_kg", "kg", "tailpipe NOx (same model)"},
      {"co2_g_per_km", "g/km", "tailpipe CO2 per vehicle-kilometre, all vehicles"},
      {"rerouted", "1", "vehicles given a detour around a road closure"},
      {"closure_unavoidable", "1",
       "vehicles that could not avoid a closed road (it is their origin or destination, or the "
       "only way); they drive it"},
      {"ev_energy_kwh", "kWh",
       "battery energy of the electric cars while driving, net of recuperation (Kurczveil et al. "
       "2014; SUMO's default electric car, a Kia Soul EV)"},
      {"ev_kwh_per_100km", "kWh/100km", "the same per 100 km the electric cars drove"},
      {"routes_changed_at_departure", "1",
       "trips given a faster route at departure by their routing device (under the travel "
       "times measured then)"},
      {"routes_changed_en_route", "1", "route changes of routing devices en route"},
      {"routes_from_stuck_lane", "1",
       "vehicles stuck at a lane's end (off their route, or waiting in vain for room or a gap, "
       "not at a red light) given a route from their lane (rerouting.stuck_after)"},
      {"demand_trips", "1",
       "car trips of the city's daily demand in the scenario's time, commuters and through "
       "traffic included (demand.city; 0 otherwise)"},
      {"demand_work_trips", "1", "of them to or from work (MiD 2017's purposes)"},
      {"demand_education_trips", "1", "of them to or from school, university or training"},
      {"demand_shopping_trips", "1", "of them for shopping"},
      {"demand_other_trips", "1", "of them for business, errands, leisure or escorting someone"},
      {"demand_commute_tours_out", "1",
       "residents' work tours to places beyond the network, through its fringe roads"},
      {"demand_commute_tours_in", "1", "work tours of people from beyond the network into it"},
      {"demand_through_trips", "1", "trips from one fringe road through the network to another"},
  }};

  explicit TrafficMicro(const sdk::Config& c);
  void init() {}
  TwinStatus step(sdk::Step& s);
  void publish(sdk::Publisher& out) const;
  std::vector<std::uint8_t> saveState() const;
  void loadState(std::span<const std::uint8_t> s);
  std::vector<double> kpis() const;

 private:
  static constexpr std::size_t kMinParallelItems = 128;
  sdk::Threads threads_;
  const TwinHostApi* host_;
  bool endWhenDone_;
  std::unique_ptr<Network> net_;
  std::unique_ptr<Demand> demand_;
  std::unique_ptr<Simulation> sim_;
  bool ended_ = false;
  static constexpr std::size_t kTeleportWarnings = 20;
  std::size_t teleportWarnings_ = 0;  // gridlock warnings so far (not state: logging only)
  std::size_t unroutable_ = 0;
  // the daily demand's figures (demand.city; none with a bench demand): made again at init
  std::optional<CityDemandStats> demandStats_;
  std::size_t purposeTrips(std::initializer_list<Purpose> purposes) const;
  std::size_t demandTrips() const;
  std::size_t cityLinks_ = 0;  // the city's road links when the network is the city's

  // trips from other models (extra_trips): routed from the car edge nearest the origin to the
  // one nearest the destination and appended to the demand
  void addExtraTrips(std::uint32_t input, std::span<const double> records, double t);
  std::uint32_t nearestCarEdge(double x, double y) const;
  std::unique_ptr<Router> router_;
  static constexpr std::size_t kLandmarks = 32;
  std::shared_ptr<const Landmarks> landmarks_;
  std::uint32_t carType_ = 0, truckType_ = 0;
  std::vector<std::uint8_t> vtypeIsTruck_;  // per vehicle type: trucks and buses
  std::size_t baseTrips_ = 0, baseRouteEdges_ = 0;
  std::array<double, kTripInputs> lastExtraId_{-1.0, -1.0, -1.0};  // state
  std::size_t extraRouted_ = 0;                                    // state

  std::unique_ptr<RoadClosures> closures_;  // state: which are closed, vehicles rerouted
  std::unique_ptr<Rerouter> rerouter_;      // state: measured travel times, counts
  double dt_ = 1;                           // s, the step

  // per-link values of the last complete link_interval (layers interval_flow, interval_speed)
  double linkInterval_ = 900;
  double nextBoundary_ = 900;                         // state
  std::vector<double> snapExits_, snapSpeedSum_;      // state: per lane, at the last boundary
  std::vector<std::uint64_t> snapSteps_;              // state
  std::vector<double> intervalFlow_, intervalSpeed_;  // state: per edge (veh/h, km/h)
  void closeInterval();
};

}  // namespace twin::traffic
