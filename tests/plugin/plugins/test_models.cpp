// SPDX-License-Identifier: Apache-2.0
// Models used by the plugin, scenario and CLI tests: a counter (with an optional slow-down, for
// kill tests) and a model that fails in step at a given time.
#include <array>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <thread>
#include <vector>

#include "twin/plugin.hpp"

namespace {

class Counter {
 public:
  static constexpr const char* kTypeName = "test.counter";
  static constexpr const char* kVersion = "0.1.0";
  static constexpr const char* kSummary = "Counts its steps; sums its load input (tests only)";
  static constexpr std::array<TwinPortDesc, 3> kPorts{{
      {"load", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "W/m2", "summed every step"},
      {"count", TWIN_PORT_OUT, TWIN_VALUE_I64, TWIN_SHAPE_SCALAR, 0, "1", "steps so far"},
      {"total", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "W/m2", "load times gain"},
  }};
  static constexpr std::array<TwinParamDesc, 2> kParams{{
      {"sleep", TWIN_PARAM_NUMBER, "s", "0s", 0, "wall time to sleep per step"},
      {"gain", TWIN_PARAM_NUMBER, "1", "1", 1, "multiplies the load"},
  }};
  static constexpr std::array<TwinKpiDesc, 2> kKpis{{
      {"steps", "1", "number of steps"},
      {"load_sum", "W/m2", "sum of the load input"},
  }};
  explicit Counter(const twin::sdk::Config& c)
      : sleepS_(c.number("sleep")), gain_(c.number("gain")) {}
  void init() {}
  TwinStatus step(twin::sdk::Step& s) {
    if (sleepS_ > 0)
      std::this_thread::sleep_for(std::chrono::duration<double>(sleepS_));
    ++count_;
    const double load = s.inputOr(0, 0.0);
    sum_ += load;
    s.output(0, static_cast<double>(count_));
    s.output(1, load * gain_ + static_cast<double>(s.randomU64() % 7));
    return TWIN_OK;
  }
  void setParam(const TwinParamValue& v) { gain_ = v.number; }
  std::vector<std::uint8_t> saveState() const {
    return twin::sdk::StateWriter().put(count_).put(sum_).put(gain_).take();
  }
  void loadState(std::span<const std::uint8_t> s) {
    twin::sdk::StateReader r(s);
    count_ = r.get<std::int64_t>();
    sum_ = r.get<double>();
    gain_ = r.get<double>();
    r.expectEnd();
  }
  std::vector<double> kpis() const { return {static_cast<double>(count_), sum_}; }

 private:
  double sleepS_;
  double gain_;
  std::int64_t count_ = 0;
  double sum_ = 0.0;
};

class Failing {
 public:
  static constexpr const char* kTypeName = "test.failing";
  static constexpr const char* kVersion = "0.1.0";
  static constexpr const char* kSummary = "Fails in step at a given time (tests only)";
  static constexpr std::array<TwinPortDesc, 1> kPorts{{
      {"value", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "1", "always 1"},
  }};
  static constexpr std::array<TwinParamDesc, 2> kParams{{
      {"fail_at", TWIN_PARAM_NUMBER, "s", nullptr, 0, "sim time of the failure"},
      {"mode", TWIN_PARAM_STRING, nullptr, "throw", 0,
       "throw, status, hang (never returns: the step watchdog's test) or segfault (writes "
       "through a bad pointer: --isolate-plugins' test)"},
  }};
  static constexpr std::array<TwinKpiDesc, 0> kKpis{};
  explicit Failing(const twin::sdk::Config& c)
      : failAt_(c.number("fail_at")), mode_(c.text("mode")) {
    if (failAt_ < 0)
      throw std::invalid_argument("fail_at must not be negative");
  }
  void init() {}
  TwinStatus step(twin::sdk::Step& s) {
    if (s.timeS() >= failAt_) {
      if (mode_ == "status")
        return TWIN_ERROR;
      if (mode_ == "hang") {
        for (;;)
          std::this_thread::sleep_for(std::chrono::seconds(1));
      }
      if (mode_ == "segfault") {
        volatile std::uintptr_t address = 16;  // an unmapped page: a real SIGSEGV
        *reinterpret_cast<volatile int*>(address) = 1;
      }
      throw std::runtime_error("simulated failure in step");
    }
    s.output(0, 1.0);
    return TWIN_OK;
  }
  std::vector<std::uint8_t> saveState() const { return {}; }
  void loadState(std::span<const std::uint8_t>) {}
  std::vector<double> kpis() const { return {}; }

 private:
  double failAt_;
  std::string mode_;
};

// `count` people, each leaving once at a time drawn from their own stream (common random
// numbers: person i leaves at the same time in every variant with the same seed), 06:00 plus a
// uniform 0..4 h plus `delay`. KPIs: how many left, their mean departure hour.
class Arrivals {
 public:
  static constexpr const char* kTypeName = "test.arrivals";
  static constexpr const char* kVersion = "0.1.0";
  static constexpr const char* kSummary = "People leaving at random times (tests only)";
  static constexpr std::array<TwinPortDesc, 1> kPorts{{
      {"departed", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "person", "people left"},
  }};
  static constexpr std::array<TwinParamDesc, 2> kParams{{
      {"count", TWIN_PARAM_INTEGER, nullptr, "200", 0, "people"},
      {"delay", TWIN_PARAM_NUMBER, "s", "0s", 0, "added to every departure"},
  }};
  static constexpr std::array<TwinKpiDesc, 2> kKpis{{
      {"departed", "person", "people who left"},
      {"mean_departure", "h", "mean departure time of those who left (hours after midnight)"},
  }};
  explicit Arrivals(const twin::sdk::Config& c) {
    const std::int64_t n = c.integer("count");
    if (n < 0 || n > 1000000)
      throw std::invalid_argument("count must be 0..1000000");
    const double delay = c.number("delay");
    // seconds after the run's start, which the tests put at midnight
    for (std::int64_t i = 0; i < n; ++i) {
      twin::sdk::EntityRandom r = c.entityRandom(static_cast<std::uint64_t>(i));
      departures_.push_back(6 * 3600.0 + r.uniform() * 4 * 3600.0 + delay);
    }
  }
  void init() {}
  TwinStatus step(twin::sdk::Step& s) {
    departed_ = 0;
    sumS_ = 0.0;
    for (double d : departures_) {
      if (d <= s.timeS()) {
        ++departed_;
        sumS_ += d;
      }
    }
    s.output(0, static_cast<double>(departed_));
    return TWIN_OK;
  }
  std::vector<std::uint8_t> saveState() const {
    return twin::sdk::StateWriter().put(departed_).put(sumS_).take();
  }
  void loadState(std::span<const std::uint8_t> s) {
    twin::sdk::StateReader r(s);
    departed_ = r.get<std::int64_t>();
    sumS_ = r.get<double>();
    r.expectEnd();
  }
  std::vector<double> kpis() const {
    return {static_cast<double>(departed_),
            departed_ > 0 ? sumS_ / static_cast<double>(departed_) / 3600.0 : 0.0};
  }

 private:
  std::vector<double> departures_;
  std::int64_t departed_ = 0;
  double sumS_ = 0.0;
};

// Casts rays against the city through the host (ABI 1.2) in its first step: from 5 cm above each
// building's roof centre towards a sun at `elevation` and `azimuth` (shaded or not), and straight
// down from 500 m over the first building (which building is hit first). Tests the physics
// service end to end.
class Sunlit {
 public:
  static constexpr const char* kTypeName = "test.sunlit";
  static constexpr const char* kVersion = "0.1.0";
  static constexpr const char* kSummary =
      "Roof centres in the sun or not, by ray casts (tests only)";
  static constexpr std::array<TwinPortDesc, 1> kPorts{{
      {"shaded", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "1", "shaded roofs"},
  }};
  static constexpr std::array<TwinParamDesc, 2> kParams{{
      {"elevation", TWIN_PARAM_NUMBER, "deg", "20deg", 0, "sun elevation"},
      {"azimuth", TWIN_PARAM_NUMBER, "deg", "180deg", 0, "sun azimuth, clockwise from north"},
  }};
  static constexpr std::array<TwinKpiDesc, 3> kKpis{{
      {"buildings", "1", "buildings tested"},
      {"shaded_buildings", "1", "buildings whose roof centre does not see the sun"},
      {"first_down_owner", "1", "the building hit first straight down over building 0"},
  }};
  explicit Sunlit(const twin::sdk::Config& c)
      : rays_(c.rays()),
        city_(c.city()),
        elevation_(c.number("elevation") * kRad),
        azimuth_(c.number("azimuth") * kRad) {
    if (!rays_.available())
      throw std::runtime_error("test.sunlit needs a city to cast rays against");
  }
  void init() {}
  TwinStatus step(twin::sdk::Step& s) {
    if (!done_) {
      const double ce = std::cos(elevation_);
      const TwinRay sun{
          0, 0, 0, std::sin(azimuth_) * ce, std::cos(azimuth_) * ce, std::sin(elevation_), 5000.0};
      std::vector<TwinRay> rays;
      for (std::size_t i = 0; i < city_->building_count; ++i) {
        const TwinBuilding& b = city_->buildings[i];
        TwinRay r = sun;
        r.ox = b.x;
        r.oy = b.y;
        r.oz = b.ground_z + b.height_m + 0.05;
        rays.push_back(r);
      }
      blocked_.assign(rays.size(), 0);
      rays_.anyHit(rays, blocked_);
      if (city_->building_count > 0) {
        const TwinBuilding& b = city_->buildings[0];
        const std::array<TwinRay, 1> down{{{b.x, b.y, 500.0, 0, 0, -1, 1000.0}}};
        std::array<TwinRayHit, 1> hit{};
        rays_.closestHit(down, hit);
        firstDown_ = hit[0].hit != 0 ? hit[0].owner : -2;
      }
      done_ = true;
    }
    double shaded = 0;
    for (std::uint8_t b : blocked_)
      shaded += b;
    s.output(0, shaded);
    return TWIN_OK;
  }
  void publish(twin::sdk::Publisher& out) const {
    using P = twin::sdk::Publisher;
    std::vector<double> v(blocked_.begin(), blocked_.end());
    if (v.size() == city_->building_count) {
      out.entityValues(P::layer("shaded", TWIN_LAYER_BUILDING_VALUES, "Roof centre shaded", "1",
                                TWIN_SCALE_VIRIDIS, 0.0, 1.0),
                       v);
    }
  }
  std::vector<std::uint8_t> saveState() const { return twin::sdk::StateWriter().take(); }
  void loadState(std::span<const std::uint8_t>) {}
  std::vector<double> kpis() const {
    double shaded = 0;
    for (std::uint8_t b : blocked_)
      shaded += b;
    return {static_cast<double>(blocked_.size()), shaded, static_cast<double>(firstDown_)};
  }

 private:
  static constexpr double kRad = 3.14159265358979323846 / 180.0;  // parameters come in degrees
  twin::sdk::CityRays rays_;
  const TwinCityInfo* city_;
  double elevation_, azimuth_;
  bool done_ = false;
  std::vector<std::uint8_t> blocked_;
  std::int32_t firstDown_ = -3;
};

// Publishes one layer of every kind, moving with sim time: `count` boxes on a circle around the
// city centre (coloured by speed), a value per building, a Gaussian raster that drifts east, a
// square zone and a label. Proves the path from a plugin to renders and the viewer.
class Layers {
 public:
  static constexpr const char* kTypeName = "test.layers";
  static constexpr const char* kVersion = "0.1.0";
  static constexpr const char* kSummary = "Publishes moving test layers (tests only)";
  static constexpr std::array<TwinPortDesc, 1> kPorts{{
      {"time", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "s", "sim time stepped"},
  }};
  static constexpr std::array<TwinParamDesc, 3> kParams{{
      {"count", TWIN_PARAM_INTEGER, nullptr, "200", 0, "boxes on the circle"},
      {"radius", TWIN_PARAM_NUMBER, "m", "0m", 0, "circle radius (0: a quarter of the city)"},
      {"speed", TWIN_PARAM_NUMBER, "m/s", "10m/s", 0, "speed along the circle"},
  }};
  static constexpr std::array<TwinKpiDesc, 2> kKpis{{
      {"city_floor_area", "m2", "floor area of the city's buildings, read through the ABI"},
      {"city_car_road_length", "km", "length of the car-accessible road links (both directions)"},
  }};
  explicit Layers(const twin::sdk::Config& c)
      : count_(c.integer("count")), radius_(c.number("radius")), speed_(c.number("speed")) {
    if (count_ < 0 || count_ > 1000000)
      throw std::invalid_argument("count must be 0..1000000");
    if (const TwinCityInfo* city = c.city()) {
      cx_ = (city->min_x + city->max_x) / 2.0;
      cy_ = (city->min_y + city->max_y) / 2.0;
      if (radius_ <= 0.0)
        radius_ = std::min(city->max_x - city->min_x, city->max_y - city->min_y) / 4.0;
      buildings_ = city->building_count;
      links_ = city->road_link_count;
      for (std::size_t i = 0; city->buildings != nullptr && i < city->building_count; ++i)
        floorArea_ += city->buildings[i].floor_area_m2;
      for (std::size_t i = 0; city->road_links != nullptr && i < city->road_link_count; ++i) {
        if (city->road_links[i].car_allowed != 0)
          carRoadKm_ += city->road_links[i].length_m / 1000.0;
      }
    }
    if (radius_ <= 0.0)
      radius_ = 500.0;
  }
  void init() {}
  TwinStatus step(twin::sdk::Step& s) {
    timeS_ = s.timeS() + s.dtS();
    s.output(0, timeS_);
    return TWIN_OK;
  }
  void publish(twin::sdk::Publisher& out) const {
    using P = twin::sdk::Publisher;
    const double omega = speed_ / radius_;
    std::vector<TwinInstance> boxes;
    for (std::int64_t i = 0; i < count_; ++i) {
      const double a =
          omega * timeS_ + 6.283185307179586 * static_cast<double>(i) / static_cast<double>(count_);
      const float v = static_cast<float>(i % 50);
      boxes.push_back({static_cast<std::uint64_t>(i), cx_ + radius_ * std::cos(a),
                       cy_ + radius_ * std::sin(a), 0.0, a + 1.5707963267948966, 40.f, 16.f, 12.f,
                       v, 0xffffffffu});
    }
    out.instances(
        P::layer("boxes", TWIN_LAYER_INSTANCES, "Test speed", "km/h", TWIN_SCALE_SPEED, 0.0, 50.0),
        boxes);
    if (buildings_ > 0) {
      std::vector<double> v(buildings_);
      for (std::size_t i = 0; i < v.size(); ++i)
        v[i] = static_cast<double>((i * 37) % 100) + timeS_ / 3600.0;
      out.entityValues(P::layer("building_values", TWIN_LAYER_BUILDING_VALUES, "Test value", "1",
                                TWIN_SCALE_VIRIDIS),
                       v);
    }
    if (links_ > 0) {
      std::vector<double> v(links_);
      for (std::size_t i = 0; i < v.size(); ++i)
        v[i] = static_cast<double>(i % 13);
      out.entityValues(P::layer("link_values", TWIN_LAYER_LINK_VALUES, "Test link value", "1",
                                TWIN_SCALE_SPEED, 0.0, 12.0),
                       v);
    }
    // a plume: Gaussian of 0.3 radius, drifting east at 0.2 m/s, NaN below 5 % of the peak
    const std::size_t n = 40;
    const double cell = radius_ / 10.0, ox = cx_ - radius_ * 2.0 + timeS_ * 0.2,
                 oy = cy_ - radius_ * 2.0;
    std::vector<double> grid(n * n);
    for (std::size_t r = 0; r < n; ++r) {
      for (std::size_t c = 0; c < n; ++c) {
        const double x = (static_cast<double>(c) + 0.5) * cell - radius_ * 2.0,
                     y = (static_cast<double>(r) + 0.5) * cell - radius_ * 2.0;
        const double g = std::exp(-(x * x + y * y) / (2.0 * 0.09 * radius_ * radius_));
        grid[r * n + c] = g < 0.05 ? std::nan("") : 100.0 * g;
      }
    }
    out.raster(P::layer("plume", TWIN_LAYER_GROUND_RASTER, "Test concentration", "ug/m3",
                        TWIN_SCALE_MAGMA, 0.0, 100.0),
               ox, oy, cell, n, n, grid);
    const double h = radius_ / 4.0;
    const std::array<double, 8> square{cx_ + radius_ - h, cy_ - h, cx_ + radius_ + h, cy_ - h,
                                       cx_ + radius_ + h, cy_ + h, cx_ + radius_ - h, cy_ + h};
    const std::array<std::size_t, 1> sizes{4};
    const std::array<double, 1> values{1.0};
    out.polygons(P::layer("zone", TWIN_LAYER_GROUND_POLYGONS, "Test zone", "1",
                          TWIN_SCALE_DIVERGING, 0.0, 2.0),
                 square, sizes, values);
    const std::array<TwinLabel, 1> labels{{{cx_, cy_, 30.0, "test layer"}}};
    out.labels(P::layer("labels", TWIN_LAYER_LABELS, "Labels", "", TWIN_SCALE_RGBA), labels);
    // ABI 1.5: a route (a line through three points) and the boxes' positions as points
    const std::array<double, 6> route{cx_ - radius_, cy_, cx_, cy_, cx_, cy_ + radius_};
    const std::array<std::size_t, 1> routePoints{3};
    const std::array<double, 1> routeValue{timeS_};
    out.lines(P::layer("route", TWIN_LAYER_GROUND_LINES, "Test route", "s", TWIN_SCALE_VIRIDIS),
              route, routePoints, routeValue);
    std::vector<double> xy, ids;
    for (const TwinInstance& b : boxes) {
      xy.insert(xy.end(), {b.x, b.y});
      ids.push_back(static_cast<double>(b.id));
    }
    out.points(P::layer("stations", TWIN_LAYER_POINTS, "Test stations", "1", TWIN_SCALE_VIRIDIS),
               xy, ids);
  }
  std::vector<std::uint8_t> saveState() const {
    return twin::sdk::StateWriter().put(timeS_).take();
  }
  void loadState(std::span<const std::uint8_t> s) {
    twin::sdk::StateReader r(s);
    timeS_ = r.get<double>();
    r.expectEnd();
  }
  std::vector<double> kpis() const { return {floorArea_, carRoadKm_}; }

 private:
  std::int64_t count_;
  double radius_;
  double speed_;
  double cx_ = 0.0, cy_ = 0.0;
  std::size_t buildings_ = 0, links_ = 0;
  double floorArea_ = 0.0, carRoadKm_ = 0.0;
  double timeS_ = 0.0;
};

}  // namespace

TWIN_PLUGIN("test-models", "0.1.0", TWIN_MODEL(Counter), TWIN_MODEL(Failing), TWIN_MODEL(Layers),
            TWIN_MODEL(Arrivals), TWIN_MODEL(Sunlit))
