// SPDX-License-Identifier: Apache-2.0
// drones.delivery: parcel drones from a hub in the industrial park to the city's buildings,
// flown as rigid bodies through the host's physics service (ABI 1.6).
//  - Orders arrive as a Poisson process; each order's time and destination come from its own
//    random stream (common random numbers: variants see the same orders).
//  - Routes: above the roofs along the straight line, or around what rises above the altitude
//    ceiling (A* on a height grid, string-pulled with sphere sweeps); see flight.hpp.
//  - Flight: each drone is a rigid body pushed by its rotors' thrust and the air's drag, stepped
//    by the host in fixed sub-steps; a cascaded PD position controller (critically damped)
//    follows a reference that moves along the route with limited speed and acceleration.
//  - Energy: momentum-theory rotor power (flight.hpp) from the thrust and the airflow, with the
//    weather's wind (power law with height) and air density; charging at the hub goes to the
//    grid model's building_load port.
//  - Line of sight: a ray from the hub's antenna to each drone every step.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <numbers>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "flight.hpp"
#include "twin/plugin.hpp"

namespace {

using drones::Vec3;
constexpr double kG = 9.80665;

enum class Phase : std::int32_t { Parked, Outbound, Drop, Return };

struct Order {
  std::uint64_t id = 0;
  double timeS = 0;  // since the run's start
  std::uint32_t building = 0;
};

struct Drone {
  Phase phase = Phase::Parked;
  double batteryWh = 0;
  std::int64_t body = -1;
  std::vector<Vec3> path;  // the route being flown: out, then back
  drones::Route route;     // the route out (derived from path at a snapshot: not saved)
  std::uint32_t leg = 0;   // from path[leg] to path[leg + 1]
  double s = 0;            // along the leg
  double vRef = 0;         // reference speed
  double timer = 0;        // hover at the drop
  Order order;
  double groundHub = 0, groundTarget = 0;
  std::uint8_t hadContact = 0;  // contact counted for this flight already
};

class DroneDelivery {
 public:
  static constexpr const char* kTypeName = "drones.delivery";
  static constexpr const char* kVersion = "1.0.0";
  static constexpr const char* kSummary =
      "Parcel drones from a hub in the industrial park, flown over the 3D city as rigid bodies";
  static constexpr std::array<TwinPortDesc, 9> kPorts{{
      {"wind_speed", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "m/s",
       "wind speed at 10 m (weather); scaled with height by a 1/7 power law"},
      {"wind_direction", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "deg",
       "direction the wind comes from, clockwise from north"},
      {"ambient_temperature", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "degC",
       "air temperature: air density"},
      {"pressure", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "Pa",
       "air pressure: air density"},
      {"building_load", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_ENTITY, 0, "kW",
       "the hub's chargers on its building (energy.grid building_load)"},
      {"charging_power", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "kW",
       "power the hub's chargers draw"},
      {"flying", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "1", "drones in the air"},
      {"backlog", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "1",
       "orders waiting for a drone"},
      {"deliveries", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "1",
       "parcels delivered so far"},
  }};
  static constexpr std::array<TwinParamDesc, 25> kParams{{
      {"hub", TWIN_PARAM_STRING, nullptr, "industrial", 0,
       "where the hub is: industrial (on the building nearest the centre of the city's largest "
       "industrial area), centre (the city's centre) or xy (hub_x, hub_y)"},
      {"hub_x", TWIN_PARAM_NUMBER, "m", "0m", 0, "hub: xy: local x"},
      {"hub_y", TWIN_PARAM_NUMBER, "m", "0m", 0, "hub: xy: local y"},
      {"fleet", TWIN_PARAM_INTEGER, nullptr, "6", 0, "drones at the hub"},
      {"orders_per_hour", TWIN_PARAM_NUMBER, "1", "12", 0, "mean orders per hour (Poisson)"},
      {"destinations", TWIN_PARAM_STRING, nullptr, "jobs", 0,
       "what draws orders to a building: jobs, residents or both"},
      {"min_distance", TWIN_PARAM_NUMBER, "m", "300m", 0, "nearest destination served"},
      {"max_distance", TWIN_PARAM_NUMBER, "m", "4km", 0, "farthest destination served"},
      {"cruise_speed", TWIN_PARAM_NUMBER, "m/s", "15m/s", 0, "speed along level legs"},
      {"climb_speed", TWIN_PARAM_NUMBER, "m/s", "4m/s", 0, "vertical speed up"},
      {"descent_speed", TWIN_PARAM_NUMBER, "m/s", "3m/s", 0, "vertical speed down"},
      {"max_acceleration", TWIN_PARAM_NUMBER, "m/s2", "2m/s2", 0, "of the reference"},
      {"clearance", TWIN_PARAM_NUMBER, "m", "20m", 0, "above the highest roof on the route"},
      {"min_altitude", TWIN_PARAM_NUMBER, "m", "50m", 0, "lowest cruise above the ground"},
      {"max_altitude", TWIN_PARAM_NUMBER, "m", "120m", 0,
       "highest cruise above the ground (EU 2019/947 open category: 120 m)"},
      {"drop_height", TWIN_PARAM_NUMBER, "m", "10m", 0,
       "hover above the destination's roof while the parcel is lowered by winch"},
      {"drop_time", TWIN_PARAM_NUMBER, "s", "30s", 0, "hover time at the drop"},
      {"mass", TWIN_PARAM_NUMBER, "kg", "9kg", 0, "empty drone with battery"},
      {"payload", TWIN_PARAM_NUMBER, "kg", "2kg", 0, "parcel mass, carried out, not back"},
      {"rotor_radius", TWIN_PARAM_NUMBER, "m", "0.38m", 0, "of each of the 4 rotors"},
      {"efficiency", TWIN_PARAM_NUMBER, "1", "0.7", 0,
       "electrical-to-air power efficiency (motors, controllers, figure of merit)"},
      {"battery", TWIN_PARAM_NUMBER, "Wh", "1000Wh", 0, "battery capacity"},
      {"charger_power", TWIN_PARAM_NUMBER, "kW", "1.5kW", 0, "charger per drone at the hub"},
      {"substep", TWIN_PARAM_NUMBER, "s", "0.02s", 0,
       "physics and controller sub-step; the model's period must be a whole number of them"},
      {"draw_scale", TWIN_PARAM_NUMBER, "1", "8", 0,
       "drones are drawn this many times their size so they show in city-wide renders"},
  }};
  static constexpr std::array<TwinKpiDesc, 13> kKpis{{
      {"orders", "1", "orders placed"},
      {"deliveries", "1", "parcels delivered"},
      {"unreachable", "1", "orders refused: no route under the altitude ceiling"},
      {"mean_delivery_time", "min", "from order to drop, delivered parcels"},
      {"max_backlog", "1", "most orders waiting at once"},
      {"flight_distance", "km", "flown by all drones"},
      {"flight_energy", "kWh", "drawn from the batteries in flight"},
      {"energy_per_km", "Wh/km", "flight energy per km flown"},
      {"charged_energy", "kWh", "taken from the grid by the hub's chargers"},
      {"detours", "1", "routes around obstacles above the ceiling"},
      {"collisions", "1", "flights in which a drone touched the city"},
      {"no_line_of_sight", "%", "flight time without line of sight to the hub's antenna"},
      {"min_battery", "%", "lowest battery charge at landing"},
  }};

  explicit DroneDelivery(const twin::sdk::Config& c)
      : host_(c.host()),
        city_(c.city()),
        rays_(c.rays()),
        bodies_(c.host()),
        seed_(c.seed()),
        instance_(c.instanceName()) {
    if (city_ == nullptr)
      throw std::runtime_error("drones.delivery needs a city (the scenario's `city:`)");
    if (!rays_.sweepsAvailable() || !bodies_.available())
      throw std::runtime_error(
          "drones.delivery needs the physics service of plugin ABI 1.6 (sweeps, rigid bodies)");
    hubMode_ = c.text("hub");
    hubXy_ = {c.number("hub_x"), c.number("hub_y"), 0};
    fleet_ = static_cast<int>(c.integer("fleet"));
    ratePerS_ = c.number("orders_per_hour") / 3600.0;
    destMode_ = c.text("destinations");
    minDist_ = c.number("min_distance");
    maxDist_ = c.number("max_distance");
    cruise_ = c.number("cruise_speed");
    climb_ = c.number("climb_speed");
    descent_ = c.number("descent_speed");
    accel_ = c.number("max_acceleration");
    limits_.clearanceM = c.number("clearance");
    limits_.minAglM = c.number("min_altitude");
    limits_.maxAglM = c.number("max_altitude");
    dropHeight_ = c.number("drop_height");
    dropTime_ = c.number("drop_time");
    air_.massKg = c.number("mass");
    payload_ = c.number("payload");
    air_.rotorRadiusM = c.number("rotor_radius");
    air_.efficiency = c.number("efficiency");
    batteryWh_ = c.number("battery");
    chargerKW_ = c.number("charger_power");
    substep_ = c.number("substep");
    drawScale_ = c.number("draw_scale");
    const double dt = static_cast<double>(c.periodTicks()) * static_cast<double>(c.tickNs()) * 1e-9;
    auto positive = [](double v, const char* name) {
      if (!std::isfinite(v) || !(v > 0))
        throw std::invalid_argument(std::string(name) + " must be above 0");
    };
    for (auto [v, n] : {std::pair{cruise_, "cruise_speed"},
                        {climb_, "climb_speed"},
                        {descent_, "descent_speed"},
                        {accel_, "max_acceleration"},
                        {air_.massKg, "mass"},
                        {air_.rotorRadiusM, "rotor_radius"},
                        {batteryWh_, "battery"},
                        {chargerKW_, "charger_power"},
                        {substep_, "substep"},
                        {drawScale_, "draw_scale"},
                        {maxDist_, "max_distance"},
                        {dropTime_, "drop_time"}})
      positive(v, n);
    if (!(air_.efficiency > 0 && air_.efficiency <= 1))
      throw std::invalid_argument("efficiency must be within 0..1");
    if (!(payload_ >= 0) || !(ratePerS_ >= 0) || !(minDist_ >= 0) || minDist_ >= maxDist_)
      throw std::invalid_argument(
          "payload and orders_per_hour must be 0 or more, min_distance below max_distance");
    if (fleet_ < 1 || fleet_ > 1000)
      throw std::invalid_argument("fleet must be 1..1000");
    if (!(limits_.maxAglM > limits_.minAglM))
      throw std::invalid_argument("max_altitude must be above min_altitude");
    const double n = std::round(dt / substep_);
    if (n < 1 || std::abs(n * substep_ - dt) > 1e-9 * dt)
      throw std::invalid_argument("the period (" + std::to_string(dt) +
                                  " s) must be a whole number of substeps (" +
                                  std::to_string(substep_) + " s)");
    if (destMode_ != "jobs" && destMode_ != "residents" && destMode_ != "both")
      throw std::invalid_argument("destinations must be jobs, residents or both, not '" +
                                  destMode_ + "'");
  }

  void init() {
    placeHub();
    // destinations: weight by jobs/residents within the distance band
    for (std::size_t i = 0; i < city_->building_count; ++i) {
      const TwinBuilding& b = city_->buildings[i];
      const double d = std::hypot(b.x - hubPad_.x, b.y - hubPad_.y);
      if (b.ancillary != 0 || i == hubBuilding_ || d < minDist_ || d > maxDist_)
        continue;
      const double w = destMode_ == "jobs"        ? b.jobs
                       : destMode_ == "residents" ? b.residents
                                                  : b.jobs + b.residents;
      if (!(w > 0))
        continue;
      destCum_.push_back((destCum_.empty() ? 0.0 : destCum_.back()) + w);
      dest_.push_back(static_cast<std::uint32_t>(i));
    }
    if (dest_.empty())
      throw std::runtime_error("no building with " + destMode_ + " lies " +
                               std::to_string(minDist_) + "-" + std::to_string(maxDist_) +
                               " m from the hub");
    if (host_ != nullptr && host_->log != nullptr) {
      char line[256];
      std::snprintf(line, sizeof line,
                    "hub on building %zu at E %.0f N %.0f, pads at %.1f m; %zu destinations "
                    "%.0f-%.0f m away",
                    hubBuilding_, city_->origin_e + hubPad_.x, city_->origin_n + hubPad_.y,
                    hubPad_.z, dest_.size(), minDist_, maxDist_);
      host_->log(host_->host_context, TWIN_LOG_INFO, line);
    }
    drones_.assign(static_cast<std::size_t>(fleet_), Drone{});
    for (Drone& d : drones_)
      d.batteryWh = batteryWh_;
    nextOrderS_ = ratePerS_ > 0 ? drawOrderGap(0) : INFINITY;
  }

  TwinStatus step(twin::sdk::Step& s) {
    const double t0 = s.timeS(), dt = s.dtS();
    readWeather(s);
    // orders up to the end of this step
    while (nextOrderS_ < t0 + dt) {
      twin::sdk::EntityRandom r(seed_, instance_, 0x100000000ULL + nextOrderId_);
      r.uniform();  // the gap's draw (drawOrderGap)
      const double u = r.uniform() * destCum_.back();
      const auto k = static_cast<std::size_t>(
          std::upper_bound(destCum_.begin(), destCum_.end(), u) - destCum_.begin());
      queue_.push_back({nextOrderId_, nextOrderS_, dest_[std::min(k, dest_.size() - 1)]});
      ++orders_;
      ++nextOrderId_;
      nextOrderS_ += drawOrderGap(nextOrderId_);
    }
    dispatch();
    maxBacklog_ = std::max(maxBacklog_, static_cast<double>(queue_.size()));
    // fly: the host steps the bodies; the controller runs before every sub-step
    flyTime_ = t0;
    bodies_.step(dt, substep_, [this](std::int64_t k) { control(k); });
    // after the step: drops, landings, line of sight, charging
    double chargingKW = 0;
    for (std::size_t i = 0; i < drones_.size(); ++i) {
      Drone& d = drones_[i];
      const Vec3& pad = pads_[i];
      if (d.phase == Phase::Parked) {
        if (d.batteryWh < batteryWh_) {
          const double e =
              std::min(batteryWh_ - d.batteryWh, chargerKW_ * 1000 * dt / 3600 * kChargeEfficiency);
          d.batteryWh += e;
          chargingKW += e / kChargeEfficiency * 3600 / dt / 1000;
          chargedKWh_ += e / kChargeEfficiency / 1000;
        }
        continue;
      }
      const TwinBodyState b = bodies_.get(d.body);
      if (b.contact && d.hadContact == 0 && b.z > pad.z + 3) {
        d.hadContact = 1;
        ++collisions_;
        if (host_ != nullptr && host_->log != nullptr) {
          char line[200];
          std::snprintf(line, sizeof line,
                        "drone %zu touched something at E %.0f N %.0f, %.1f m above sea level "
                        "(%s, %.0f s into the run)",
                        i, city_->origin_e + b.x, city_->origin_n + b.y, b.z,
                        d.phase == Phase::Return ? "returning" : "outbound", t0 + dt);
          host_->log(host_->host_context, TWIN_LOG_WARNING, line);
        }
      }
      flightS_ += dt;
      if (!lineOfSight(b))
        noLosS_ += dt;
      if (d.phase == Phase::Return && d.leg + 1 >= d.path.size() &&
          std::hypot(b.x - pad.x, b.y - pad.y, b.z - pad.z) < 0.5 &&
          std::hypot(b.vx, b.vy, b.vz) < 0.5) {
        bodies_.remove(d.body);
        d.body = -1;
        d.phase = Phase::Parked;
        minBatteryPct_ = std::min(minBatteryPct_, 100 * d.batteryWh / batteryWh_);
      }
    }
    std::vector<double> load(city_->building_count, 0.0);
    load[hubBuilding_] = chargingKW;
    double flying = 0;
    for (const Drone& d : drones_)
      flying += d.phase != Phase::Parked ? 1 : 0;
    s.output(0, load);
    s.output(1, chargingKW);
    s.output(2, flying);
    s.output(3, static_cast<double>(queue_.size()));
    s.output(4, deliveries_);
    return TWIN_OK;
  }

  std::vector<std::uint8_t> saveState() const {
    twin::sdk::StateWriter w;
    w.put(nextOrderId_).put(nextOrderS_).put(orders_).put(deliveries_).put(unreachable_);
    w.put(deliveryMinSum_).put(maxBacklog_).put(flightM_).put(flightWh_).put(detours_);
    w.put(collisions_).put(flightS_).put(noLosS_).put(minBatteryPct_).put(chargedKWh_);
    w.putVector(std::vector<Order>(queue_.begin(), queue_.end()));
    for (const Drone& d : drones_) {
      w.put(d.phase).put(d.batteryWh).put(d.leg).put(d.s).put(d.vRef).put(d.timer).put(d.order);
      w.put(d.groundHub).put(d.groundTarget).put(d.hadContact).putVector(d.path);
      w.put(d.route.cruiseZ).put(d.route.lowestZ).put(d.route.ceilingZ).put(d.route.detour);
      TwinBodyState b{};
      if (d.body >= 0)
        b = bodies_.get(d.body);
      w.put(b);
    }
    return w.take();
  }

  void loadState(std::span<const std::uint8_t> bytes) {
    twin::sdk::StateReader r(bytes);
    nextOrderId_ = r.get<std::uint64_t>();
    nextOrderS_ = r.get<double>();
    for (double* v :
         {&orders_, &deliveries_, &unreachable_, &deliveryMinSum_, &maxBacklog_, &flightM_,
          &flightWh_, &detours_, &collisions_, &flightS_, &noLosS_, &minBatteryPct_, &chargedKWh_})
      *v = r.get<double>();
    std::vector<Order> q;
    r.getVector(q);
    queue_.assign(q.begin(), q.end());
    for (Drone& d : drones_) {
      if (d.body >= 0)
        bodies_.remove(d.body);
      d = Drone{};
      d.phase = r.get<Phase>();
      d.batteryWh = r.get<double>();
      d.leg = r.get<std::uint32_t>();
      d.s = r.get<double>();
      d.vRef = r.get<double>();
      d.timer = r.get<double>();
      d.order = r.get<Order>();
      d.groundHub = r.get<double>();
      d.groundTarget = r.get<double>();
      d.hadContact = r.get<std::uint8_t>();
      r.getVector(d.path);
      d.route.cruiseZ = r.get<double>();
      d.route.lowestZ = r.get<double>();
      d.route.ceilingZ = r.get<double>();
      d.route.detour = r.get<bool>();
      if (d.phase == Phase::Outbound || d.phase == Phase::Drop)
        d.route.points = d.path;
      const auto b = r.get<TwinBodyState>();
      if (d.phase != Phase::Parked) {
        d.body = addBody(d.path.front());
        bodies_.set(d.body, b);
      }
    }
    r.expectEnd();
  }

  std::vector<double> kpis() const {
    return {orders_,
            deliveries_,
            unreachable_,
            deliveries_ > 0 ? deliveryMinSum_ / deliveries_ : 0.0,
            maxBacklog_,
            flightM_ / 1000,
            flightWh_ / 1000,
            flightM_ > 0 ? flightWh_ / (flightM_ / 1000) : 0.0,
            chargedKWh_,
            detours_,
            collisions_,
            flightS_ > 0 ? 100 * noLosS_ / flightS_ : 0.0,
            minBatteryPct_ <= 100 ? minBatteryPct_ : 100.0};
  }

  void publish(twin::sdk::Publisher& out) const {
    std::vector<TwinInstance> items;
    std::vector<double> xy, values;
    std::vector<std::size_t> counts;
    for (std::size_t i = 0; i < drones_.size(); ++i) {
      const Drone& d = drones_[i];
      if (d.phase == Phase::Parked)
        continue;
      const TwinBodyState b = bodies_.get(d.body);
      TwinInstance it{};
      it.id = i;
      it.x = b.x;
      it.y = b.y;
      it.z = b.z - groundUnder(d, b.x, b.y);
      it.heading_rad = std::atan2(b.vy, b.vx);
      it.length_m = it.width_m = static_cast<float>(1.6 * drawScale_);
      it.height_m = static_cast<float>(0.5 * drawScale_);
      it.value = static_cast<float>(100 * d.batteryWh / batteryWh_);
      // out with a parcel: blue; on the way back: red (vivid over the city's muted palette)
      it.rgba = d.phase == Phase::Return ? 0xD7263DFFu : 0x1F4FE0FFu;
      items.push_back(it);
      for (const Vec3& p : d.path) {
        xy.push_back(p.x);
        xy.push_back(p.y);
      }
      counts.push_back(d.path.size());
      values.push_back(d.path.size() > 1 ? d.path[1].z - d.groundHub : 0.0);
    }
    const TwinLayerDesc drones{sizeof(TwinLayerDesc),
                               "drones",
                               "Drones: blue with a parcel, red returning",
                               "",
                               TWIN_LAYER_INSTANCES,
                               TWIN_SCALE_RGBA,
                               0,
                               100};
    out.instances(drones, items);
    if (out.linesAvailable()) {
      const TwinLayerDesc routes{
          sizeof(TwinLayerDesc), "routes", "Drone cruise altitude", "m", TWIN_LAYER_GROUND_LINES,
          TWIN_SCALE_VIRIDIS,    0,        limits_.maxAglM};
      out.lines(routes, xy, counts, values);
    }
    const TwinLabel hub{hubPad_.x, hubPad_.y, hubPad_.z - groundHub_ + 5, "drone hub"};
    const TwinLayerDesc label{sizeof(TwinLayerDesc), "hub",           "", "",
                              TWIN_LAYER_LABELS,     TWIN_SCALE_RGBA, 0,  0};
    out.labels(label, std::span(&hub, 1));
  }

 private:
  static constexpr double kChargeEfficiency = 0.9;  // assumed, charger and battery
  static constexpr double kSafetyRadius = 2.0;      // m, the sphere swept along routes
  static constexpr double kAntennaHeight = 10.0;    // m above the pad
  static constexpr double kLayerStep = 2.0;         // m between the pads' cruise layers
  static constexpr std::size_t kLayers = 5;         // layers before they repeat
  static constexpr double kReturnLayer = 12.0;      // m between the ways out and back
  static constexpr double kPadSpacing = 5.0;        // m between the hub's landing pads

  double drawOrderGap(std::uint64_t id) const {
    twin::sdk::EntityRandom r(seed_, instance_, 0x100000000ULL + id);
    return -std::log(1.0 - r.uniform()) / ratePerS_;
  }

  // the top (roof or ground) under each point: a ray straight down from far above
  void tops(std::span<const double> xy, std::span<double> top) const {
    const std::size_t n = xy.size() / 2;
    std::vector<TwinRay> rays(n);
    for (std::size_t i = 0; i < n; ++i)
      rays[i] = {xy[2 * i], xy[2 * i + 1], kSky, 0, 0, -1, kSky + 1000};
    std::vector<TwinRayHit> hits(n);
    rays_.closestHit(rays, hits);
    for (std::size_t i = 0; i < n; ++i)
      top[i] = hits[i].hit != 0 ? kSky - hits[i].t : groundHub_;
  }
  bool clear(const Vec3& a, const Vec3& b) const {
    const double len = std::hypot(b.x - a.x, b.y - a.y, b.z - a.z);
    if (len < 1e-6)
      return true;
    const TwinSweep w{
        a.x, a.y, a.z, (b.x - a.x) / len, (b.y - a.y) / len, (b.z - a.z) / len, len, kSafetyRadius};
    TwinRayHit h{};
    rays_.sweepSphere(std::span(&w, 1), std::span(&h, 1));
    return h.hit == 0;
  }

  void placeHub() {
    double hx = (city_->min_x + city_->max_x) / 2, hy = (city_->min_y + city_->max_y) / 2;
    if (hubMode_ == "industrial") {
      const twin::sdk::LandUseRing park = twin::sdk::largestLandUse(city_, TWIN_LAND_INDUSTRIAL);
      if (park.xy.empty())
        throw std::runtime_error(
            "hub: industrial, but the city has no industrial area; use "
            "hub: centre or hub: xy");
      // area centroid of the ring (shoelace)
      double a = 0, cx = 0, cy = 0;
      const std::size_t n = park.xy.size() / 2;
      for (std::size_t i = 0; i < n; ++i) {
        const double x0 = park.xy[2 * i], y0 = park.xy[2 * i + 1];
        const double x1 = park.xy[2 * ((i + 1) % n)], y1 = park.xy[2 * ((i + 1) % n) + 1];
        const double cr = x0 * y1 - x1 * y0;
        a += cr;
        cx += (x0 + x1) * cr;
        cy += (y0 + y1) * cr;
      }
      hx = cx / (3 * a);
      hy = cy / (3 * a);
    } else if (hubMode_ == "xy") {
      hx = hubXy_.x;
      hy = hubXy_.y;
    } else if (hubMode_ != "centre") {
      throw std::invalid_argument("hub must be industrial, centre or xy, not '" + hubMode_ + "'");
    }
    // the hub is on the roof of the nearest building the grid supplies (not a shed)
    double best = INFINITY;
    for (std::size_t i = 0; i < city_->building_count; ++i) {
      const TwinBuilding& b = city_->buildings[i];
      const double d = std::hypot(b.x - hx, b.y - hy);
      if (b.ancillary == 0 && b.floor_area_m2 > 0 && d < best) {
        best = d;
        hubBuilding_ = i;
      }
    }
    if (!std::isfinite(best))
      throw std::runtime_error("the city has no building for the drone hub");
    const TwinBuilding& hb = city_->buildings[hubBuilding_];
    groundHub_ = hb.ground_z;
    const std::array<double, 2> c{hb.x, hb.y};
    std::array<double, 1> top{};
    tops(c, top);
    hubPad_ = {hb.x, hb.y, top[0] + kBodyHalfHeight + 0.05};
    // the landing pads: rows of three, kPadSpacing apart, around the roof's centre
    pads_.clear();
    std::vector<double> xy;
    for (int k = 0; k < fleet_; ++k) {
      xy.push_back(hb.x + (k % 3 - 1) * kPadSpacing);
      xy.push_back(hb.y + (k / 3) * kPadSpacing);
    }
    std::vector<double> padTop(static_cast<std::size_t>(fleet_));
    tops(xy, padTop);
    for (std::size_t k = 0; k < padTop.size(); ++k)
      pads_.push_back({xy[2 * k], xy[2 * k + 1], padTop[k] + kBodyHalfHeight + 0.05});
    hubPad_ = pads_[0];
  }

  std::int64_t addBody(const Vec3& at) const {
    TwinBodyDesc d{};
    d.shape = TWIN_BODY_BOX;
    d.size_x = d.size_y = 0.8;  // 1.6 m across the rotors
    d.size_z = kBodyHalfHeight;
    d.mass_kg = air_.massKg;  // the payload is added to the thrust's load, not to the body
    d.x = at.x;
    d.y = at.y;
    d.z = at.z;
    d.friction = 0.8;
    d.gravity = 1;
    d.lock_rotation = 1;  // attitude: the controller's, not simulated (see README)
    return bodies_.add(d);
  }

  void dispatch() {
    while (!queue_.empty()) {
      const Order& o = queue_.front();
      const TwinBuilding& b = city_->buildings[o.building];
      const std::array<double, 2> c{b.x, b.y};
      std::array<double, 1> top{};
      tops(c, top);
      const Vec3 target{b.x, b.y, top[0] + dropHeight_};
      drones::Route route = drones::planRoute(
          hubPad_, target, std::min(groundHub_, b.ground_z), limits_,
          [this](std::span<const double> xy, std::span<double> t) { tops(xy, t); },
          [this](const Vec3& a, const Vec3& e) { return clear(a, e); });
      if (!route.found) {
        ++unreachable_;
        queue_.pop_front();
        continue;
      }
      // energy needed: out with the parcel and back, each leg at its speed, the drop hover and
      // a minute of manoeuvres, at the hover power with the parcel; 30 % reserve
      const double hoverOut = drones::rotorPowerW(air_, (air_.massKg + payload_) * kG, rho_, 0, 0);
      const double needWh =
          1.3 * hoverOut * (2 * flightTimeS(route.points) + dropTime_ + 60) / 3600;
      std::size_t pick = drones_.size();
      for (std::size_t i = 0; i < drones_.size() && pick == drones_.size(); ++i) {
        if (drones_[i].phase == Phase::Parked && drones_[i].batteryWh >= needWh)
          pick = i;
      }
      if (pick == drones_.size())
        return;  // wait for a drone (first come, first served)
      Drone& d = drones_[pick];
      // planned from the hub's first pad; each drone climbs from its own, a few metres away
      route.points[0] = pads_[pick];
      route.points[1] = {pads_[pick].x, pads_[pick].y, route.cruiseZ};
      // each pad flies its own layer, 2 m apart (five of them), where the ceiling leaves room:
      // drones that leave or come back at the same time do not cross at one height
      const double layer = std::min(kLayerStep * static_cast<double>(pick % kLayers),
                                    route.ceilingZ - route.cruiseZ);
      for (std::size_t k = 1; k + 1 < route.points.size(); ++k)
        route.points[k].z += std::max(0.0, layer);
      route.cruiseZ += std::max(0.0, layer);
      d.phase = Phase::Outbound;
      d.path = route.points;
      d.route = route;
      d.leg = 0;
      d.s = d.vRef = d.timer = 0;
      d.order = o;
      d.groundHub = groundHub_;
      d.groundTarget = b.ground_z;
      d.hadContact = 0;
      d.body = addBody(pads_[pick]);
      detours_ += route.detour ? 1 : 0;
      queue_.pop_front();
    }
  }

  // time to fly a path at the legs' speeds (level: cruise, up: climb, down: descent)
  double flightTimeS(const std::vector<Vec3>& path) const {
    double t = 0;
    for (std::size_t i = 1; i < path.size(); ++i) {
      const double len = std::hypot(path[i].x - path[i - 1].x, path[i].y - path[i - 1].y,
                                    path[i].z - path[i - 1].z);
      const double up = len > 0 ? (path[i].z - path[i - 1].z) / len : 0;
      t += len / (std::abs(up) < 0.5 ? cruise_ : up > 0 ? climb_ : descent_);
    }
    return t;
  }

  void readWeather(twin::sdk::Step& s) {
    const double u = s.inputOr(0, 0.0), dir = s.inputOr(1, 0.0);
    const double t = s.inputOr(2, 15.0), p = s.inputOr(3, 101325.0);
    const double rad = dir * std::numbers::pi / 180;
    wind10_ = {-std::sin(rad) * std::max(0.0, u), -std::cos(rad) * std::max(0.0, u), 0};
    rho_ = drones::airDensity(t, p);
    if (!std::isfinite(rho_) || rho_ < 0.5 || rho_ > 1.6)
      throw std::runtime_error("air density " + std::to_string(rho_) +
                               " kg/m3 from the weather inputs is out of range");
  }

  double groundUnder(const Drone& d, double x, double y) const {
    const Vec3& a = d.path.front();
    const Vec3& b = d.path.back();
    const double len = std::hypot(b.x - a.x, b.y - a.y);
    const double f =
        len > 0 ? std::clamp(((x - a.x) * (b.x - a.x) + (y - a.y) * (b.y - a.y)) / (len * len), 0.0,
                             1.0)
                : 0.0;
    const double g0 = d.phase == Phase::Return ? d.groundTarget : d.groundHub;
    const double g1 = d.phase == Phase::Return ? d.groundHub : d.groundTarget;
    return g0 + (g1 - g0) * f;
  }

  // the controller of every flying drone, before sub-step k
  void control(std::int64_t /*k*/) {
    const double h = substep_;
    for (Drone& d : drones_) {
      if (d.phase == Phase::Parked)
        continue;
      const TwinBodyState b = bodies_.get(d.body);
      // the reference: along the legs, stopping at each corner
      Vec3 ref = d.path[d.leg], dir{0, 0, 0};
      if (d.phase == Phase::Drop) {
        d.timer += h;
        if (d.timer >= dropTime_) {
          ++deliveries_;
          deliveryMinSum_ += (flyTime_ - d.order.timeS) / 60;
          d.path = drones::returnPath(d.route, kReturnLayer);
          d.phase = Phase::Return;
          d.leg = 0;
          d.s = d.vRef = 0;
        }
      } else if (d.leg + 1 < d.path.size()) {
        const Vec3 a = d.path[d.leg], e = d.path[d.leg + 1];
        const double len = std::hypot(e.x - a.x, e.y - a.y, e.z - a.z);
        dir = len > 0 ? Vec3{(e.x - a.x) / len, (e.y - a.y) / len, (e.z - a.z) / len} : dir;
        const double vmax = std::abs(dir.z) < 0.5 ? cruise_ : dir.z > 0 ? climb_ : descent_;
        d.vRef =
            std::min({d.vRef + accel_ * h, vmax, std::sqrt(2 * accel_ * std::max(0.0, len - d.s))});
        d.s += d.vRef * h;
        if (d.s >= len) {
          ++d.leg;
          d.s = d.vRef = 0;
          if (d.leg + 1 >= d.path.size() && d.phase == Phase::Outbound) {
            d.phase = Phase::Drop;
            d.timer = 0;
          }
        }
        const Vec3 p = d.leg + 1 < d.path.size() ? d.path[d.leg] : e;
        ref = d.leg + 1 < d.path.size()
                  ? Vec3{p.x + dir.x * d.s, p.y + dir.y * d.s, p.z + dir.z * d.s}
                  : e;
        if (d.leg + 1 < d.path.size() && d.s == 0)
          ref = d.path[d.leg];
      } else {
        ref = d.path.back();
      }
      // PD on position and velocity, critically damped at 1.2 rad/s
      const double wn = 1.2, kp = wn * wn, kd = 2 * wn;
      const double vr = d.phase == Phase::Drop ? 0 : d.vRef;
      Vec3 acc{kp * (ref.x - b.x) + kd * (vr * dir.x - b.vx),
               kp * (ref.y - b.y) + kd * (vr * dir.y - b.vy),
               kp * (ref.z - b.z) + kd * (vr * dir.z - b.vz)};
      const double ah = std::hypot(acc.x, acc.y);
      if (ah > 4.0) {
        acc.x *= 4.0 / ah;
        acc.y *= 4.0 / ah;
      }
      acc.z = std::clamp(acc.z, -3.0, 4.0);
      // the air: wind at this height (1/7 power law from 10 m), drag on the airframe
      const double agl = std::max(1.0, b.z - groundUnder(d, b.x, b.y));
      const double f = std::pow(agl / 10.0, 1.0 / 7.0);
      const Vec3 va{b.vx - wind10_.x * f, b.vy - wind10_.y * f, b.vz};
      const double vaN = std::hypot(va.x, va.y, va.z);
      const Vec3 drag{-0.5 * rho_ * air_.dragAreaM2 * vaN * va.x,
                      -0.5 * rho_ * air_.dragAreaM2 * vaN * va.y,
                      -0.5 * rho_ * air_.dragAreaM2 * vaN * va.z};
      // thrust: the body's mass plus the parcel on the way out, against gravity and drag
      const double load = d.phase == Phase::Return ? 0.0 : payload_;
      const double m = air_.massKg + load;
      Vec3 thrust{m * acc.x - drag.x, m * acc.y - drag.y, m * (acc.z + kG) - drag.z};
      double t = std::hypot(thrust.x, thrust.y, thrust.z);
      const double tMax = 2.0 * (air_.massKg + payload_) * kG;  // thrust-to-weight 2
      if (t > tMax) {
        thrust = {thrust.x * tMax / t, thrust.y * tMax / t, thrust.z * tMax / t};
        t = tMax;
      }
      // the body carries the empty mass: the parcel's weight acts on it as a force
      const double force[3] = {thrust.x + drag.x, thrust.y + drag.y, thrust.z + drag.z - load * kG};
      bodies_.force(d.body, force);
      // power: airflow through the disks along the thrust, and across them
      const Vec3 n{thrust.x / t, thrust.y / t, thrust.z / t};
      const double vn = va.x * n.x + va.y * n.y + va.z * n.z;
      const double vp = std::sqrt(std::max(0.0, vaN * vaN - vn * vn));
      const double wh = drones::rotorPowerW(air_, t, rho_, vn, vp) * h / 3600;
      d.batteryWh -= wh;
      flightWh_ += wh;
      flightM_ += std::hypot(b.vx, b.vy, b.vz) * h;
    }
    flyTime_ += h;
  }

  bool lineOfSight(const TwinBodyState& b) const {
    const Vec3 a{hubPad_.x, hubPad_.y, hubPad_.z + kAntennaHeight};
    const double len = std::hypot(b.x - a.x, b.y - a.y, b.z - a.z);
    if (len < 1.0)
      return true;
    // to 1.5 m short of the drone, so its own landing spot does not count
    const TwinRay r{a.x,
                    a.y,
                    a.z,
                    (b.x - a.x) / len,
                    (b.y - a.y) / len,
                    (b.z - a.z) / len,
                    std::max(0.0, len - 1.5)};
    std::uint8_t blocked = 0;
    rays_.anyHit(std::span(&r, 1), std::span(&blocked, 1));
    return blocked == 0;
  }

  static constexpr double kSky = 5000.0;  // m, above any city
  static constexpr double kBodyHalfHeight = 0.25;

  const TwinHostApi* host_;
  const TwinCityInfo* city_;
  twin::sdk::CityRays rays_;
  twin::sdk::Bodies bodies_;
  std::uint64_t seed_;
  std::string instance_;
  std::string hubMode_, destMode_;
  Vec3 hubXy_;
  int fleet_ = 6;
  double ratePerS_ = 0, minDist_ = 0, maxDist_ = 0;
  double cruise_ = 0, climb_ = 0, descent_ = 0, accel_ = 0;
  drones::PlanLimits limits_;
  double dropHeight_ = 0, dropTime_ = 0, payload_ = 0, batteryWh_ = 0, chargerKW_ = 0;
  double substep_ = 0.02, drawScale_ = 8;
  drones::Airframe air_;
  // derived in init
  std::size_t hubBuilding_ = 0;
  Vec3 hubPad_;
  std::vector<Vec3> pads_;  // one per drone
  double groundHub_ = 0;
  std::vector<std::uint32_t> dest_;
  std::vector<double> destCum_;
  // weather of the step (derived from inputs)
  Vec3 wind10_;
  double rho_ = 1.225;
  double flyTime_ = 0;
  // state
  std::vector<Drone> drones_;
  std::deque<Order> queue_;
  std::uint64_t nextOrderId_ = 0;
  double nextOrderS_ = 0;
  double orders_ = 0, deliveries_ = 0, unreachable_ = 0, deliveryMinSum_ = 0, maxBacklog_ = 0;
  double flightM_ = 0, flightWh_ = 0, detours_ = 0, collisions_ = 0, flightS_ = 0, noLosS_ = 0;
  double minBatteryPct_ = 1000;
  double chargedKWh_ = 0;
};

}  // namespace

TWIN_PLUGIN("drones", "1.0.0", TWIN_MODEL(DroneDelivery))
