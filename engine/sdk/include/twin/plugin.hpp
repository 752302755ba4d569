// SPDX-License-Identifier: Apache-2.0
// Header-only C++ wrapper over the C ABI in plugin.h. A model is a class:
//
//   class MyModel {
//    public:
//     static constexpr const char* kTypeName = "demo.model";
//     static constexpr const char* kVersion = "1.0.0";
//     static constexpr const char* kSummary = "What it models.";
//     static constexpr std::array<TwinPortDesc, N> kPorts{...};
//     static constexpr std::array<TwinParamDesc, M> kParams{...};
//     static constexpr std::array<TwinKpiDesc, K> kKpis{...};
//     explicit MyModel(const twin::sdk::Config& config);  // create + read parameters
//     void init();                                         // after create, before the 1st step
//     TwinStatus step(twin::sdk::Step& step);
//     std::vector<std::uint8_t> saveState() const;         // everything needed to resume
//     void loadState(std::span<const std::uint8_t> state);
//     std::vector<double> kpis() const;                    // in kKpis order
//     void setParam(const TwinParamValue& value);          // optional: runtime parameters
//     void publish(twin::sdk::Publisher& out) const;       // optional: layers for renders
//   };
//   TWIN_PLUGIN("my-plugin", "1.0.0", TWIN_MODEL(MyModel))
//
// Exceptions thrown by the class are caught at the boundary and turned into TWIN_ERROR plus an
// error log line; nothing C++ crosses into the host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "twin/plugin.h"

namespace twin::sdk {

// Raised by Config accessors for a missing or mistyped parameter.
class ParamError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The random stream of one entity (a person, a vehicle, a building) of one model instance:
// xoshiro256** (Blackman & Vigna 2018) seeded by SplitMix64 from the scenario seed, the instance
// name (FNV-1a) and the entity id alone. A baseline and its variants therefore draw the same
// numbers for the same entity whatever else changed (common random numbers: the same person
// leaves at the same minute in both), and the draws do not depend on thread or step order.
// Entity state lives in the model: save `state()` with it in snapshots.
class EntityRandom {
 public:
  EntityRandom(std::uint64_t seed, std::string_view instance, std::uint64_t entity) {
    std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64
    for (char ch : instance) {
      h ^= static_cast<unsigned char>(ch);
      h *= 0x100000001b3ULL;
    }
    std::uint64_t x = seed ^ h;
    x ^= mix(entity + 0x632BE59BD9B4E019ULL);
    for (std::uint64_t& w : s_)
      w = mix(x += 0x9E3779B97F4A7C15ULL);
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // uniform in [0, 1) with 53 random bits
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  const std::uint64_t* state() const { return s_; }

 private:
  // SplitMix64's output function (Steele, Lea & Flood 2014)
  static std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

// Ray casts against the scenario's city through the host (ABI 1.2): buildings (walls and roofs)
// and terrain in local metres. available() is false without a city or on an older host; the
// calls throw std::runtime_error when the host refuses (a non-finite ray).
class CityRays {
 public:
  explicit CityRays(const TwinHostApi* host) : host_(host) {}
  bool available() const {
    return host_ != nullptr &&
           host_->struct_size >= offsetof(TwinHostApi, ray_closest_hit) + sizeof(void*) &&
           host_->ray_any_hit != nullptr && host_->ray_closest_hit != nullptr;
  }
  // blocked[i] = 1 when ray i hits something within its max_t
  void anyHit(std::span<const TwinRay> rays, std::span<std::uint8_t> blocked) const {
    if (!available())
      throw std::runtime_error("no ray casts: the scenario has no city");
    if (blocked.size() < rays.size())
      throw std::invalid_argument("anyHit: fewer results than rays");
    if (host_->ray_any_hit(host_->host_context, rays.data(), rays.size(), blocked.data()) !=
        TWIN_OK)
      throw std::runtime_error("the host refused a ray cast");
  }
  void closestHit(std::span<const TwinRay> rays, std::span<TwinRayHit> hits) const {
    if (!available())
      throw std::runtime_error("no ray casts: the scenario has no city");
    if (hits.size() < rays.size())
      throw std::invalid_argument("closestHit: fewer results than rays");
    if (host_->ray_closest_hit(host_->host_context, rays.data(), rays.size(), hits.data()) !=
        TWIN_OK)
      throw std::runtime_error("the host refused a ray cast");
  }
  // sphere sweeps (ABI 1.6): false on an older host or without a city
  bool sweepsAvailable() const {
    return available() &&
           host_->struct_size >= offsetof(TwinHostApi, sweep_sphere) + sizeof(void*) &&
           host_->sweep_sphere != nullptr;
  }
  // hits[i]: the first contact of a sphere swept along sweeps[i] (t: distance of the centre)
  void sweepSphere(std::span<const TwinSweep> sweeps, std::span<TwinRayHit> hits) const {
    if (!sweepsAvailable())
      throw std::runtime_error("no sphere sweeps: no city, or a host older than ABI 1.6");
    if (hits.size() < sweeps.size())
      throw std::invalid_argument("sweepSphere: fewer results than sweeps");
    if (host_->sweep_sphere(host_->host_context, sweeps.data(), sweeps.size(), hits.data()) !=
        TWIN_OK)
      throw std::runtime_error("the host refused a sweep");
  }

 private:
  const TwinHostApi* host_;
};

// Rigid bodies in the city through the host (ABI 1.6): a world of the instance's own, with the
// buildings and terrain as static geometry, stepped in exact fixed sub-steps. Calls throw
// std::runtime_error with the host's reason when refused (an unknown id, a malformed body).
class Bodies {
 public:
  explicit Bodies(const TwinHostApi* host) : host_(host) {}
  bool available() const {
    return host_ != nullptr &&
           host_->struct_size >= offsetof(TwinHostApi, bodies_step) + sizeof(void*) &&
           host_->body_add != nullptr && host_->bodies_step != nullptr;
  }
  std::int64_t add(TwinBodyDesc desc) const {
    need();
    desc.struct_size = sizeof(TwinBodyDesc);
    const std::int64_t id = host_->body_add(host_->host_context, &desc);
    if (id < 0)
      throw std::runtime_error("the host refused a rigid body");
    return id;
  }
  void remove(std::int64_t id) const {
    need();
    check(host_->body_remove(host_->host_context, id), "remove");
  }
  // force (N) and torque (N m) in world axes, held until changed
  void force(std::int64_t id, const double (&f)[3], const double (&torque)[3] = {0, 0, 0}) const {
    need();
    check(host_->body_force(host_->host_context, id, f, torque), "force");
  }
  TwinBodyState get(std::int64_t id) const {
    need();
    TwinBodyState s{};
    check(host_->body_get(host_->host_context, &id, 1, &s), "get");
    return s;
  }
  void set(std::int64_t id, const TwinBodyState& s) const {
    need();
    check(host_->body_set(host_->host_context, id, &s), "set");
  }
  // advances all bodies by dt in whole sub-steps of `substep` seconds, calling
  // beforeSubstep(k) before each (forces set there hold for that sub-step); an exception it
  // throws ends the stepping and is thrown again here
  template <typename Fn>
  void step(double dt, double substep, Fn&& beforeSubstep) const {
    need();
    struct Call {
      std::remove_reference_t<Fn>* fn;
      std::exception_ptr error;
    } call{&beforeSubstep, nullptr};
    auto trampoline = [](void* user, std::int64_t k) {
      auto* c = static_cast<Call*>(user);
      if (c->error)
        return;
      try {
        (*c->fn)(k);
      } catch (...) {
        c->error = std::current_exception();
      }
    };
    const TwinStatus st = host_->bodies_step(host_->host_context, dt, substep, trampoline, &call);
    if (call.error)
      std::rethrow_exception(call.error);
    check(st, "step");
  }

 private:
  void need() const {
    if (!available())
      throw std::runtime_error("no rigid bodies: no city, or a host older than ABI 1.6");
  }
  static void check(TwinStatus st, const char* what) {
    if (st != TWIN_OK)
      throw std::runtime_error(std::string("the host refused a rigid-body ") + what +
                               " (see the log line before)");
  }
  const TwinHostApi* host_;
};

// The scenario's worker threads through the host (ABI 1.3). Keep the object: valid for the
// instance's lifetime. parallelFor calls fn(begin, end) over disjoint blocks covering
// [0, count) and returns when all are done; on an older host it runs one block on the calling
// thread. Blocks differ with the thread count: results must not depend on them.
class Threads {
 public:
  explicit Threads(const TwinHostApi* host) : host_(host) {}
  template <typename Fn>
  void parallelFor(std::size_t count, Fn&& fn) const {
    if (count == 0)
      return;
    if (host_ == nullptr ||
        host_->struct_size < offsetof(TwinHostApi, parallel_for) + sizeof(void*) ||
        host_->parallel_for == nullptr) {
      fn(std::size_t{0}, count);
      return;
    }
    using F = std::remove_reference_t<Fn>;
    host_->parallel_for(
        host_->host_context, count,
        [](void* user, std::size_t b, std::size_t e) { (*static_cast<F*>(user))(b, e); },
        const_cast<void*>(static_cast<const void*>(&fn)));
  }

 private:
  const TwinHostApi* host_;
};

// The footprint rings of building `i` (ABI 1.2), each a span of x y pairs in local metres, not
// closed; empty on an older host or without tables.
inline std::vector<std::span<const double>> buildingOutline(const TwinCityInfo* c, std::size_t i) {
  std::vector<std::span<const double>> rings;
  if (c == nullptr ||
      c->struct_size < offsetof(TwinCityInfo, outline_building_start) + sizeof(void*) ||
      c->outline_building_start == nullptr || i >= c->building_count)
    return rings;
  for (std::size_t k = c->outline_building_start[i]; k < c->outline_building_start[i + 1]; ++k) {
    const std::size_t a = c->outline_ring_start[k], b = c->outline_ring_start[k + 1];
    rings.emplace_back(c->outline_xy + 2 * a, 2 * (b - a));
  }
  return rings;
}

// The largest land-use area of class `landClass` (TWIN_LAND_*, ABI 1.4): its outer ring as x y
// pairs in local metres (not closed) and its area; an empty ring on an older host or when the
// city has none of that class (TWIN_LAND_INDUSTRIAL: the city's industrial park).
struct LandUseRing {
  std::span<const double> xy;
  double areaM2 = 0.0;
};
inline LandUseRing largestLandUse(const TwinCityInfo* c, std::int32_t landClass) {
  LandUseRing best;
  if (c == nullptr || c->struct_size < offsetof(TwinCityInfo, land_use_count) + sizeof(size_t) ||
      c->land_use_class == nullptr)
    return best;
  for (std::size_t k = 0; k < c->land_use_count; ++k) {
    if (c->land_use_class[k] != landClass || !(c->land_use_area_m2[k] > best.areaM2))
      continue;
    const std::size_t a = c->land_use_start[k], b = c->land_use_start[k + 1];
    best.xy = {c->land_use_xy + 2 * a, 2 * (b - a)};
    best.areaM2 = c->land_use_area_m2[k];
  }
  return best;
}

// Trips handed from one model to another (truck trips of a park, evacuees of a release) go
// through an entity-shaped port of unit "1" as records of 7 values: a producer-unique id
// (increasing), the departure (s since the run's start), origin x y and destination x y in
// local metres, and the vehicle class (0 car, 1 truck). The producer writes the trips it created
// in a step; connect with {adapter: events} so the consumer receives every record once, whatever
// the periods. A consumer takes records whose id is above the last it took.
struct TripRecord {
  double id = 0, departS = 0, fromX = 0, fromY = 0, toX = 0, toY = 0, vehicleClass = 0;
};
inline constexpr std::size_t kTripRecordValues = 7;
inline constexpr double kTripCar = 0.0, kTripTruck = 1.0;
inline void appendTrip(std::vector<double>& out, const TripRecord& t) {
  out.insert(out.end(), {t.id, t.departS, t.fromX, t.fromY, t.toX, t.toY, t.vehicleClass});
}
// the records of a port's values; throws when the length is not a multiple of 7
inline std::vector<TripRecord> readTrips(std::span<const double> v) {
  if (v.size() % kTripRecordValues != 0)
    throw std::runtime_error("a trip list needs 7 values per trip, got " +
                             std::to_string(v.size()) + " values");
  std::vector<TripRecord> out(v.size() / kTripRecordValues);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double* r = v.data() + i * kTripRecordValues;
    out[i] = {r[0], r[1], r[2], r[3], r[4], r[5], r[6]};
  }
  return out;
}

// Vehicles arriving at their destinations (a traffic model's output, e.g. for EV charging where
// they park) go the same way as records of 8 values: a producer-unique id (increasing), the
// arrival (s since the run's start), the destination x y in local metres, the distance driven
// (m), the vehicle class (0 car, 1 truck), 1 for an electric vehicle (else 0) and the vehicle's
// own number (stable across runs of the same demand: for common random numbers).
struct ArrivalRecord {
  double id = 0, arrivalS = 0, x = 0, y = 0, distanceM = 0, vehicleClass = 0, electric = 0,
         vehicle = 0;
};
inline constexpr std::size_t kArrivalRecordValues = 8;
inline void appendArrival(std::vector<double>& out, const ArrivalRecord& a) {
  out.insert(out.end(),
             {a.id, a.arrivalS, a.x, a.y, a.distanceM, a.vehicleClass, a.electric, a.vehicle});
}
// the records of a port's values; throws when the length is not a multiple of 8
inline std::vector<ArrivalRecord> readArrivals(std::span<const double> v) {
  if (v.size() % kArrivalRecordValues != 0)
    throw std::runtime_error("an arrival list needs 8 values per arrival, got " +
                             std::to_string(v.size()) + " values");
  std::vector<ArrivalRecord> out(v.size() / kArrivalRecordValues);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double* r = v.data() + i * kArrivalRecordValues;
    out[i] = {r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]};
  }
  return out;
}

// Read-only view of TwinModelConfig with typed parameter access.
class Config {
 public:
  explicit Config(const TwinModelConfig& c) : c_(c) {}

  std::string_view instanceName() const { return c_.instance_name; }
  std::int64_t tickNs() const { return c_.tick_ns; }
  std::int64_t periodTicks() const { return c_.period_ticks; }
  std::int64_t startUnixS() const { return c_.start_unix_s; }
  std::int32_t utcOffsetS() const { return c_.utc_offset_s; }
  std::uint64_t seed() const { return c_.seed; }
  // The common-random-numbers stream of entity `id` of this instance (EntityRandom).
  EntityRandom entityRandom(std::uint64_t id) const {
    return EntityRandom(c_.seed, instanceName(), id);
  }
  const TwinHostApi* host() const { return c_.host; }
  // The scenario's worker threads (keep the object, as for rays()).
  Threads threads() const { return Threads(c_.host); }
  // Ray casts against the city (keep the object: it stays valid for the instance's lifetime).
  CityRays rays() const { return CityRays(c_.host); }
  // The scenario's city (ABI 1.1), null when the scenario has none or the host is older.
  const TwinCityInfo* city() const {
    if (c_.struct_size < offsetof(TwinModelConfig, city) + sizeof(c_.city))
      return nullptr;
    return c_.city;
  }

  const TwinParamValue* find(std::string_view name) const {
    for (std::size_t i = 0; i < c_.param_count; ++i) {
      if (name == c_.params[i].name)
        return &c_.params[i];
    }
    return nullptr;
  }
  // A NUMBER parameter in its declared SI unit.
  double number(std::string_view name) const { return get(name, TWIN_PARAM_NUMBER).number; }
  std::int64_t integer(std::string_view name) const {
    return get(name, TWIN_PARAM_INTEGER).integer;
  }
  bool flag(std::string_view name) const { return get(name, TWIN_PARAM_BOOL).integer != 0; }
  // STRING, PATH or FOLDER text (a PATH or FOLDER is absolute; an empty optional one is "").
  std::string text(std::string_view name) const {
    const TwinParamValue* v = find(name);
    if (v == nullptr ||
        (v->kind != TWIN_PARAM_STRING && v->kind != TWIN_PARAM_PATH &&
         v->kind != TWIN_PARAM_FOLDER) ||
        v->text == nullptr) {
      throw ParamError("parameter '" + std::string(name) + "' is missing or not text");
    }
    return v->text;
  }
  std::vector<std::string> list(std::string_view name) const {
    const TwinParamValue& v = get(name, TWIN_PARAM_LIST);
    return std::vector<std::string>(v.items, v.items + v.item_count);
  }

 private:
  const TwinParamValue& get(std::string_view name, TwinParamKind kind) const {
    const TwinParamValue* v = find(name);
    if (v == nullptr || v->kind != kind) {
      throw ParamError("parameter '" + std::string(name) + "' is missing or has the wrong kind");
    }
    return *v;
  }
  const TwinModelConfig& c_;
};

// Logs through the host, tagged with the instance by the host.
inline void log(const TwinHostApi* host, TwinLogLevel level, const std::string& message) {
  if (host != nullptr && host->log != nullptr)
    host->log(host->host_context, level, message.c_str());
}

// One step's inputs and outputs. Valid only during step().
class Step {
 public:
  explicit Step(const TwinStepContext& c) : c_(c) {}
  std::int64_t tick() const { return c_.tick; }
  double timeS() const { return c_.time_s; }
  double dtS() const { return c_.dt_s; }
  std::int64_t unixTimeS() const { return c_.unix_time_s; }
  std::int64_t unixNanos() const { return c_.unix_nanos; }
  std::int32_t utcOffsetS() const { return c_.utc_offset_s; }
  // Seconds since the Unix epoch as a double (for interpolation in time).
  double unixSeconds() const {
    return static_cast<double>(c_.unix_time_s) + static_cast<double>(c_.unix_nanos) * 1e-9;
  }
  std::span<const double> input(std::size_t i) const {
    if (i >= c_.input_count)
      return {};
    return {c_.inputs[i].data, c_.inputs[i].count};
  }
  // First value of a scalar input, or `fallback` before the producer's first value.
  double inputOr(std::size_t i, double fallback) const {
    auto v = input(i);
    return v.empty() ? fallback : v[0];
  }
  void output(std::uint32_t i, double value) { check(c_.write_output(c_.host_step, i, &value, 1)); }
  void output(std::uint32_t i, std::span<const double> values) {
    check(c_.write_output(c_.host_step, i, values.data(), values.size()));
  }
  std::uint64_t randomU64() { return c_.random_u64(c_.host_step); }
  // Ends the run after this tick (ABI 1.3); false on an older host, which runs to the end.
  bool requestEnd() {
    if (c_.struct_size < offsetof(TwinStepContext, request_end) + sizeof(void*) ||
        c_.request_end == nullptr)
      return false;
    c_.request_end(c_.host_step);
    return true;
  }
  double uniform() { return static_cast<double>(randomU64() >> 11) * 0x1.0p-53; }

 private:
  static void check(TwinStatus s) {
    if (s != TWIN_OK)
      throw std::runtime_error("host refused an output (bad port index?)");
  }
  const TwinStepContext& c_;
};

// What a model shows now, for renders and the viewer (ABI 1.1). Valid only during publish().
class Publisher {
 public:
  explicit Publisher(const TwinPublishContext& c) : c_(c) {}
  std::int64_t tick() const { return c_.tick; }
  double timeS() const { return c_.time_s; }
  // A layer description; title and unit are borrowed until the call that uses it returns.
  static TwinLayerDesc layer(const char* name, TwinLayerKind kind, const char* title,
                             const char* unit, TwinColourScale scale, double min = 0.0,
                             double max = 0.0) {
    return TwinLayerDesc{sizeof(TwinLayerDesc), name, title, unit, kind, scale, min, max};
  }
  void instances(const TwinLayerDesc& d, std::span<const TwinInstance> items) {
    check(c_.instances(c_.host_publish, &d, items.data(), items.size()));
  }
  void entityValues(const TwinLayerDesc& d, std::span<const double> values) {
    check(c_.entity_values(c_.host_publish, &d, values.data(), values.size()));
  }
  void polygons(const TwinLayerDesc& d, std::span<const double> xy,
                std::span<const std::size_t> ringSizes, std::span<const double> values) {
    if (ringSizes.size() != values.size())
      throw std::invalid_argument("polygons: one value per polygon");
    std::size_t points = 0;
    for (std::size_t n : ringSizes)
      points += n;
    if (2 * points != xy.size())
      throw std::invalid_argument("polygons: xy does not match the ring sizes");
    check(c_.polygons(c_.host_publish, &d, xy.data(), ringSizes.data(), values.data(),
                      values.size()));
  }
  void raster(const TwinLayerDesc& d, double originX, double originY, double cellM, std::size_t nx,
              std::size_t ny, std::span<const double> values) {
    if (values.size() != nx * ny)
      throw std::invalid_argument("raster: values do not match nx * ny");
    check(c_.raster(c_.host_publish, &d, originX, originY, cellM, nx, ny, values.data()));
  }
  void labels(const TwinLayerDesc& d, std::span<const TwinLabel> items) {
    check(c_.labels(c_.host_publish, &d, items.data(), items.size()));
  }  // since ABI 1.5; false (nothing published) on an older host
  bool linesAvailable() const {
    return c_.struct_size >= offsetof(TwinPublishContext, points) + sizeof(void*) &&
           c_.lines != nullptr && c_.points != nullptr;
  }
  // polylines: pointCounts[i] points of line i in `xy` (x y pairs), values[i]
  void lines(const TwinLayerDesc& d, std::span<const double> xy,
             std::span<const std::size_t> pointCounts, std::span<const double> values) {
    if (!linesAvailable())
      return;
    if (values.size() != pointCounts.size())
      throw std::invalid_argument("lines: one value per line");
    check(c_.lines(c_.host_publish, &d, xy.data(), pointCounts.data(), values.data(),
                   pointCounts.size()));
  }
  void points(const TwinLayerDesc& d, std::span<const double> xy, std::span<const double> values) {
    if (!linesAvailable())
      return;
    if (xy.size() != 2 * values.size())
      throw std::invalid_argument("points: one x y pair per value");
    check(c_.points(c_.host_publish, &d, xy.data(), values.data(), values.size()));
  }

 private:
  static void check(TwinStatus s) {
    if (s != TWIN_OK)
      throw std::runtime_error("host refused a layer");
  }
  const TwinPublishContext& c_;
};

namespace detail {

template <typename M>
struct Instance {
  const TwinHostApi* host = nullptr;
  M* model = nullptr;
  std::vector<std::uint8_t> stateCache;
};

template <typename M>
TwinStatus guard(const TwinHostApi* host, const char* what, auto&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    log(host, TWIN_LOG_ERROR, std::string(what) + ": " + e.what());
  } catch (...) {
    log(host, TWIN_LOG_ERROR, std::string(what) + ": unknown exception");
  }
  return TWIN_ERROR;
}

template <typename M>
struct Adapter {
  static TwinStatus create(const TwinModelConfig* config, void** out) {
    const TwinHostApi* host = config != nullptr ? config->host : nullptr;
    return guard<M>(host, "create", [&]() -> TwinStatus {
      auto* inst = new Instance<M>();
      inst->host = host;
      try {
        inst->model = new M(Config(*config));
      } catch (...) {
        delete inst;
        throw;
      }
      *out = inst;
      return TWIN_OK;
    });
  }
  static Instance<M>& self(void* p) { return *static_cast<Instance<M>*>(p); }
  static TwinStatus init(void* p) {
    auto& s = self(p);
    return guard<M>(s.host, "init", [&]() -> TwinStatus {
      s.model->init();
      return TWIN_OK;
    });
  }
  static TwinStatus step(void* p, const TwinStepContext* ctx) {
    auto& s = self(p);
    return guard<M>(s.host, "step", [&]() -> TwinStatus {
      Step st(*ctx);
      return s.model->step(st);
    });
  }
  static TwinStatus setParam(void* p, const TwinParamValue* value) {
    auto& s = self(p);
    return guard<M>(s.host, "set_param", [&]() -> TwinStatus {
      if constexpr (requires(M & m, const TwinParamValue& v) { m.setParam(v); }) {
        s.model->setParam(*value);
        return TWIN_OK;
      } else {
        log(s.host, TWIN_LOG_ERROR,
            std::string("parameter '") + value->name + "' cannot be changed at run time");
        return TWIN_ERROR;
      }
    });
  }
  static std::size_t stateSize(void* p) {
    auto& s = self(p);
    try {
      s.stateCache = s.model->saveState();
      return s.stateCache.size();
    } catch (const std::exception& e) {
      log(s.host, TWIN_LOG_ERROR, std::string("state_size: ") + e.what());
      s.stateCache.clear();
      return 0;
    }
  }
  static TwinStatus saveState(void* p, std::uint8_t* buffer, std::size_t size) {
    auto& s = self(p);
    return guard<M>(s.host, "save_state", [&]() -> TwinStatus {
      if (size != s.stateCache.size())
        s.stateCache = s.model->saveState();
      if (size != s.stateCache.size()) {
        log(s.host, TWIN_LOG_ERROR, "save_state: buffer size does not match state_size");
        return TWIN_ERROR;
      }
      if (size > 0)
        std::memcpy(buffer, s.stateCache.data(), size);
      return TWIN_OK;
    });
  }
  static TwinStatus loadState(void* p, const std::uint8_t* buffer, std::size_t size) {
    auto& s = self(p);
    return guard<M>(s.host, "load_state", [&]() -> TwinStatus {
      s.model->loadState(std::span<const std::uint8_t>(buffer, size));
      return TWIN_OK;
    });
  }
  static TwinStatus kpiValues(void* p, double* values, std::size_t count) {
    auto& s = self(p);
    return guard<M>(s.host, "kpi_values", [&]() -> TwinStatus {
      std::vector<double> k = s.model->kpis();
      if (k.size() != count) {
        log(s.host, TWIN_LOG_ERROR, "kpi_values: wrong number of KPIs");
        return TWIN_ERROR;
      }
      for (std::size_t i = 0; i < count; ++i)
        values[i] = k[i];
      return TWIN_OK;
    });
  }
  static TwinStatus publish(void* p, const TwinPublishContext* ctx) {
    auto& s = self(p);
    return guard<M>(s.host, "publish", [&]() -> TwinStatus {
      Publisher out(*ctx);
      s.model->publish(out);
      return TWIN_OK;
    });
  }
  static void destroy(void* p) {
    auto* s = static_cast<Instance<M>*>(p);
    delete s->model;
    delete s;
  }
};

}  // namespace detail

// The C descriptor of model class M (static storage).
template <typename M>
const TwinModelDescriptor* modelDescriptor() {
  static const TwinModelDescriptor d = [] {
    TwinModelDescriptor x{};
    x.struct_size = sizeof(TwinModelDescriptor);
    x.type_name = M::kTypeName;
    x.version = M::kVersion;
    x.summary = M::kSummary;
    x.ports = M::kPorts.data();
    x.port_count = M::kPorts.size();
    x.params = M::kParams.data();
    x.param_count = M::kParams.size();
    x.kpis = M::kKpis.data();
    x.kpi_count = M::kKpis.size();
    x.capabilities = TWIN_CAP_PARALLEL_SAFE | TWIN_CAP_SNAPSHOT;
    x.create = &detail::Adapter<M>::create;
    x.init = &detail::Adapter<M>::init;
    x.step = &detail::Adapter<M>::step;
    x.set_param = &detail::Adapter<M>::setParam;
    x.state_size = &detail::Adapter<M>::stateSize;
    x.save_state = &detail::Adapter<M>::saveState;
    x.load_state = &detail::Adapter<M>::loadState;
    x.kpi_values = &detail::Adapter<M>::kpiValues;
    x.destroy = &detail::Adapter<M>::destroy;
    if constexpr (requires(const M& m, Publisher& out) { m.publish(out); }) {
      x.publish = &detail::Adapter<M>::publish;
    }
    return x;
  }();
  return &d;
}

// Compiler facts that must match between host and plugin for C++ objects to be safe; only
// shown to users (the ABI itself is C and does not depend on them).
inline const char* buildTag() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown compiler";
#endif
}

// Little helpers for saveState/loadState of plain values.
class StateWriter {
 public:
  template <typename T>
  StateWriter& put(const T& v) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
    return *this;
  }
  // a vector as its length (uint64) and its elements
  template <typename T>
  StateWriter& putVector(const std::vector<T>& v) {
    put(static_cast<std::uint64_t>(v.size()));
    for (const T& x : v)
      put(x);
    return *this;
  }
  std::vector<std::uint8_t> take() { return std::move(bytes_); }

 private:
  std::vector<std::uint8_t> bytes_;
};

class StateReader {
 public:
  explicit StateReader(std::span<const std::uint8_t> s) : s_(s) {}
  template <typename T>
  T get() {
    if (pos_ + sizeof(T) > s_.size())
      throw std::runtime_error("state is truncated");
    T v;
    std::memcpy(&v, s_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  // a vector written by StateWriter::putVector
  template <typename T>
  void getVector(std::vector<T>& v) {
    const auto n = get<std::uint64_t>();
    if (n > (s_.size() - pos_) / sizeof(T))
      throw std::runtime_error("state is truncated");
    v.resize(static_cast<std::size_t>(n));
    for (T& x : v)
      x = get<T>();
  }
  void expectEnd() const {
    if (pos_ != s_.size())
      throw std::runtime_error("state has trailing bytes");
  }
  bool atEnd() const { return pos_ == s_.size(); }

 private:
  std::span<const std::uint8_t> s_;
  std::size_t pos_ = 0;
};

}  // namespace twin::sdk

#define TWIN_MODEL(M) ::twin::sdk::modelDescriptor<M>()

// Defines twin_plugin_entry for the listed models.
#define TWIN_PLUGIN(NAME, VERSION, ...)                                                  \
  extern "C" TWIN_PLUGIN_EXPORT const TwinPluginDescriptor* twin_plugin_entry(           \
      const TwinHostApi* /*host*/) {                                                     \
    static const TwinModelDescriptor* const kModels[] = {__VA_ARGS__};                   \
    static const TwinPluginDescriptor kDescriptor{sizeof(TwinPluginDescriptor),          \
                                                  TWIN_ABI_MAJOR,                        \
                                                  TWIN_ABI_MINOR,                        \
                                                  NAME,                                  \
                                                  VERSION,                               \
                                                  ::twin::sdk::buildTag(),               \
                                                  kModels,                               \
                                                  sizeof(kModels) / sizeof(kModels[0])}; \
    return &kDescriptor;                                                                 \
  }
