// SPDX-License-Identifier: Apache-2.0
// A plugin model instance behind the core::Model interface: converts calls to the C ABI and
// back, and keeps the plugin library loaded until the instance is destroyed.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <functional>
#include <mutex>

#include "core/log.hpp"
#include "plugin/loader.hpp"

namespace twin::plugin {
namespace {
using core::ErrorCode;
using core::fail;

// per-instance host context: what the host log callback needs
struct HostContext {
  std::string instance;
  std::mutex mutex;
  std::string lastError;
  std::shared_ptr<const core::RayService> rays;
  core::Executor* executor = nullptr;
  std::unique_ptr<core::BodyWorld> bodies;  // made on the first body_add; after `rays`
};

void setError(HostContext* h, const std::string& message) {
  std::lock_guard lock(h->mutex);
  h->lastError = message;
}

// a refused physics call: the reason is logged (the plugin's exception text comes after it)
// and kept as the failure message
void refuse(HostContext* h, const std::string& message) {
  core::log(core::LogLevel::Warning, h->instance, message);
  setError(h, message);
}

// the ABI's rays to ours, refusing non-finite ones
bool toQueries(HostContext* h, const TwinRay* rays, std::size_t count,
               std::vector<core::RayQuery>& out) {
  out.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    const TwinRay& r = rays[i];
    if (!std::isfinite(r.ox) || !std::isfinite(r.oy) || !std::isfinite(r.oz) ||
        !std::isfinite(r.dx) || !std::isfinite(r.dy) || !std::isfinite(r.dz) ||
        !std::isfinite(r.max_t) || r.max_t < 0) {
      setError(h, "ray " + std::to_string(i) + " is not finite (origin, direction or max_t)");
      return false;
    }
    out[i] = {r.ox, r.oy, r.oz, r.dx, r.dy, r.dz, r.max_t};
  }
  return true;
}

// the checks both ray functions make; false (error set) when the call cannot go on. `q` gets
// the rays; an empty call succeeds with no rays.
bool rayCall(HostContext* h, const char* fn, const TwinRay* rays, std::size_t count,
             const void* results, std::vector<core::RayQuery>& q) {
  if (!h->rays) {
    setError(h, "no ray casts: the scenario has no city");
    return false;
  }
  if (count > 0 && (rays == nullptr || results == nullptr)) {
    setError(h, std::string(fn) + ": null rays or results");
    return false;
  }
  return toQueries(h, rays, count, q);
}

TwinStatus hostRayAnyHit(void* ctx, const TwinRay* rays, size_t count, uint8_t* blocked) {
  auto* h = static_cast<HostContext*>(ctx);
  std::vector<core::RayQuery> q;
  if (!rayCall(h, "ray_any_hit", rays, count, blocked, q))
    return TWIN_ERROR;
  if (count == 0)
    return TWIN_OK;
  if (core::Status st = h->rays->anyHit(q, std::span(blocked, count)); !st) {
    setError(h, st.error().message);
    return TWIN_ERROR;
  }
  return TWIN_OK;
}

TwinStatus hostRayClosestHit(void* ctx, const TwinRay* rays, size_t count, TwinRayHit* hits) {
  auto* h = static_cast<HostContext*>(ctx);
  std::vector<core::RayQuery> q;
  if (!rayCall(h, "ray_closest_hit", rays, count, hits, q))
    return TWIN_ERROR;
  if (count == 0)
    return TWIN_OK;
  std::vector<core::RayResult> r(count);
  if (core::Status st = h->rays->closestHit(q, r); !st) {
    setError(h, st.error().message);
    return TWIN_ERROR;
  }
  for (std::size_t i = 0; i < count; ++i)
    hits[i] = {r[i].hit ? 1 : 0, r[i].owner, r[i].t, r[i].nx, r[i].ny, r[i].nz};
  return TWIN_OK;
}

TwinStatus hostSweepSphere(void* ctx, const TwinSweep* sweeps, size_t count, TwinRayHit* hits) {
  auto* h = static_cast<HostContext*>(ctx);
  if (!h->rays) {
    refuse(h, "no sweeps: the scenario has no city");
    return TWIN_ERROR;
  }
  if (count == 0)
    return TWIN_OK;
  if (sweeps == nullptr || hits == nullptr) {
    refuse(h, "sweep_sphere: null sweeps or results");
    return TWIN_ERROR;
  }
  std::vector<core::SweepQuery> q(count);
  for (std::size_t i = 0; i < count; ++i) {
    const TwinSweep& w = sweeps[i];
    if (!std::isfinite(w.ox) || !std::isfinite(w.oy) || !std::isfinite(w.oz) ||
        !std::isfinite(w.dx) || !std::isfinite(w.dy) || !std::isfinite(w.dz) ||
        !std::isfinite(w.max_t) || w.max_t < 0 || !std::isfinite(w.radius) || !(w.radius > 0)) {
      refuse(h, "sweep " + std::to_string(i) +
                    " is not finite or its radius is not above 0 (origin, direction, max_t, "
                    "radius)");
      return TWIN_ERROR;
    }
    q[i] = {{w.ox, w.oy, w.oz, w.dx, w.dy, w.dz, w.max_t}, w.radius};
  }
  std::vector<core::RayResult> r(count);
  if (core::Status st = h->rays->sweepSphere(q, r); !st) {
    refuse(h, st.error().message);
    return TWIN_ERROR;
  }
  for (std::size_t i = 0; i < count; ++i)
    hits[i] = {r[i].hit ? 1 : 0, r[i].owner, r[i].t, r[i].nx, r[i].ny, r[i].nz};
  return TWIN_OK;
}

// the instance's body world, made on first use; null (error set) without a city
core::BodyWorld* bodyWorld(HostContext* h) {
  if (h->bodies)
    return h->bodies.get();
  if (!h->rays) {
    refuse(h, "no rigid bodies: the scenario has no city");
    return nullptr;
  }
  auto w = h->rays->newBodyWorld();
  if (!w) {
    refuse(h, w.error().message);
    return nullptr;
  }
  h->bodies = std::move(*w);
  return h->bodies.get();
}

std::int64_t hostBodyAdd(void* ctx, const TwinBodyDesc* d) {
  auto* h = static_cast<HostContext*>(ctx);
  core::BodyWorld* w = bodyWorld(h);
  if (w == nullptr)
    return -1;
  // every field of 1.6 must be there; later minors may append
  if (d == nullptr ||
      d->struct_size < offsetof(TwinBodyDesc, lock_rotation) + sizeof(d->lock_rotation)) {
    refuse(h, "body_add: no description, or one from an unknown ABI (struct_size)");
    return -1;
  }
  core::BodyDesc b;
  b.shape = d->shape;
  b.sx = d->size_x;
  b.sy = d->size_y;
  b.sz = d->size_z;
  b.massKg = d->mass_kg;
  b.x = d->x;
  b.y = d->y;
  b.z = d->z;
  b.headingRad = d->heading_rad;
  b.vx = d->vx;
  b.vy = d->vy;
  b.vz = d->vz;
  b.linearDamping = d->linear_damping;
  b.angularDamping = d->angular_damping;
  b.friction = d->friction;
  b.restitution = d->restitution;
  b.gravity = d->gravity != 0;
  b.lockRotation = d->lock_rotation != 0;
  auto id = w->add(b);
  if (!id) {
    refuse(h, id.error().message);
    return -1;
  }
  return *id;
}

// runs a body call, recording its error
TwinStatus bodyStatus(HostContext* h, const core::Status& st) {
  if (st)
    return TWIN_OK;
  refuse(h, st.error().message);
  return TWIN_ERROR;
}

TwinStatus hostBodyRemove(void* ctx, std::int64_t id) {
  auto* h = static_cast<HostContext*>(ctx);
  core::BodyWorld* w = bodyWorld(h);
  return w == nullptr ? TWIN_ERROR : bodyStatus(h, w->remove(id));
}

TwinStatus hostBodyForce(void* ctx, std::int64_t id, const double force[3],
                         const double torque[3]) {
  auto* h = static_cast<HostContext*>(ctx);
  core::BodyWorld* w = bodyWorld(h);
  if (w == nullptr)
    return TWIN_ERROR;
  const double zero[3] = {0, 0, 0};
  return bodyStatus(
      h, w->setForce(id, force != nullptr ? force : zero, torque != nullptr ? torque : zero));
}

TwinStatus hostBodyGet(void* ctx, const std::int64_t* ids, size_t count, TwinBodyState* out) {
  auto* h = static_cast<HostContext*>(ctx);
  core::BodyWorld* w = bodyWorld(h);
  if (w == nullptr)
    return TWIN_ERROR;
  if (count > 0 && (ids == nullptr || out == nullptr)) {
    refuse(h, "body_get: null ids or states");
    return TWIN_ERROR;
  }
  for (std::size_t i = 0; i < count; ++i) {
    core::BodyState s;
    if (core::Status st = w->get(ids[i], s); !st)
      return bodyStatus(h, st);
    out[i] = TwinBodyState{s.x,  s.y,       s.z,  s.qx, s.qy, s.qz, s.qw,
                           s.vx, s.vy,      s.vz, s.wx, s.wy, s.wz, s.contact ? 1 : 0,
                           0,    s.contacts};
  }
  return TWIN_OK;
}

TwinStatus hostBodySet(void* ctx, std::int64_t id, const TwinBodyState* s) {
  auto* h = static_cast<HostContext*>(ctx);
  core::BodyWorld* w = bodyWorld(h);
  if (w == nullptr)
    return TWIN_ERROR;
  if (s == nullptr) {
    refuse(h, "body_set: no state");
    return TWIN_ERROR;
  }
  core::BodyState b{s->x,  s->y,  s->z,  s->qx,           s->qy,
                    s->qz, s->qw, s->vx, s->vy,           s->vz,
                    s->wx, s->wy, s->wz, s->contact != 0, s->contact_substeps};
  return bodyStatus(h, w->set(id, b));
}

TwinStatus hostBodiesStep(void* ctx, double dt, double substep,
                          void (*before)(void* user, std::int64_t substep), void* user) {
  auto* h = static_cast<HostContext*>(ctx);
  core::BodyWorld* w = bodyWorld(h);
  if (w == nullptr)
    return TWIN_ERROR;
  std::function<void(std::int64_t)> fn;
  if (before != nullptr)
    fn = [&](std::int64_t k) { before(user, k); };
  return bodyStatus(h, w->step(dt, substep, fn));
}

// blocks of about equal size, a few per thread so that uneven blocks still balance
void hostParallelFor(void* ctx, std::size_t count, void (*fn)(void*, std::size_t, std::size_t),
                     void* user) {
  auto* h = static_cast<HostContext*>(ctx);
  if (count == 0 || fn == nullptr)
    return;
  const int threads = h->executor != nullptr ? h->executor->threads() : 1;
  if (threads <= 1 || count == 1) {
    fn(user, 0, count);
    return;
  }
  const std::size_t blocks = std::min<std::size_t>(count, static_cast<std::size_t>(threads) * 4);
  h->executor->parallelFor(
      blocks, [&](std::size_t b) { fn(user, count * b / blocks, count * (b + 1) / blocks); });
}

void instanceLog(void* ctx, TwinLogLevel level, const char* message) {
  auto* h = static_cast<HostContext*>(ctx);
  const std::string_view text = message != nullptr ? message : "";
  if (level >= TWIN_LOG_ERROR) {
    std::lock_guard lock(h->mutex);
    h->lastError = text;
  }
  core::log(level >= TWIN_LOG_ERROR     ? core::LogLevel::Error
            : level >= TWIN_LOG_WARNING ? core::LogLevel::Warning
            : level >= TWIN_LOG_INFO    ? core::LogLevel::Info
                                        : core::LogLevel::Debug,
            h->instance, text);
}

void* hostAlloc(void* /*ctx*/, std::size_t size) {
  return std::malloc(size);
}
void hostFree(void* /*ctx*/, void* p) {
  std::free(p);
}

// owns the C strings a TwinParamValue points into
struct CParam {
  TwinParamValue value{};
  std::string text;
  std::vector<std::string> items;
  std::vector<const char*> itemPtrs;
};

void toC(const core::ParamValue& v, CParam& out) {
  out.value = TwinParamValue{};
  out.text.clear();
  out.items.clear();
  out.itemPtrs.clear();
  out.value.name = v.name.c_str();
  if (const double* d = std::get_if<double>(&v.value)) {
    out.value.kind = TWIN_PARAM_NUMBER;
    out.value.number = *d;
  } else if (const std::int64_t* i = std::get_if<std::int64_t>(&v.value)) {
    out.value.kind = TWIN_PARAM_INTEGER;
    out.value.integer = *i;
    out.value.number = static_cast<double>(*i);
  } else if (const bool* b = std::get_if<bool>(&v.value)) {
    out.value.kind = TWIN_PARAM_BOOL;
    out.value.integer = *b ? 1 : 0;
  } else if (const std::string* s = std::get_if<std::string>(&v.value)) {
    out.value.kind = TWIN_PARAM_STRING;
    out.text = *s;
  } else if (const auto* l = std::get_if<std::vector<std::string>>(&v.value)) {
    out.value.kind = TWIN_PARAM_LIST;
    out.items = *l;
  }
}

void finishC(CParam& p) {
  if (p.value.kind == TWIN_PARAM_STRING || p.value.kind == TWIN_PARAM_PATH ||
      p.value.kind == TWIN_PARAM_FOLDER) {
    p.value.text = p.text.c_str();
  }
  if (p.value.kind == TWIN_PARAM_LIST) {
    for (const std::string& s : p.items)
      p.itemPtrs.push_back(s.c_str());
    p.value.items = p.itemPtrs.data();
    p.value.item_count = p.itemPtrs.size();
  }
}

class PluginModel final : public core::Model {
 public:
  PluginModel(const ModelType& type, std::string instance)
      : type_(type), plugin_(type.plugin), ctx_(std::make_unique<HostContext>()) {
    ctx_->instance = std::move(instance);
    host_ = TwinHostApi{sizeof(TwinHostApi), TWIN_ABI_MAJOR,   TWIN_ABI_MINOR,   ctx_.get(),
                        &instanceLog,        &hostAlloc,       &hostFree,        &hostRayAnyHit,
                        &hostRayClosestHit,  &hostParallelFor, &hostSweepSphere, &hostBodyAdd,
                        &hostBodyRemove,     &hostBodyForce,   &hostBodyGet,     &hostBodySet,
                        &hostBodiesStep};
    for (const core::PortSpec& p : type.ports) {
      if (p.direction == core::PortDirection::In)
        ++inputCount_;
    }
    inputs_.resize(inputCount_);
  }
  ~PluginModel() override {
    if (instance_ != nullptr)
      type_.descriptor->destroy(instance_);
  }
  PluginModel(const PluginModel&) = delete;
  PluginModel& operator=(const PluginModel&) = delete;

  core::Status create(const InstanceDef& def) {
    std::vector<CParam> params(def.params.size());
    std::vector<TwinParamValue> values;
    for (std::size_t i = 0; i < def.params.size(); ++i) {
      toC(def.params[i], params[i]);
      // paths are marked by the parameter's declared kind
      for (const ParamSpec& s : type_.params) {
        if (s.name == def.params[i].name && s.kind == ParamKind::Path)
          params[i].value.kind = TWIN_PARAM_PATH;
        if (s.name == def.params[i].name && s.kind == ParamKind::Folder)
          params[i].value.kind = TWIN_PARAM_FOLDER;
      }
      finishC(params[i]);
      values.push_back(params[i].value);
    }
    TwinModelConfig cfg{};
    if (!def.city || !def.city->rays) {
      // no city, no ray casts: the functions are absent, as the ABI says
      host_.ray_any_hit = nullptr;
      host_.ray_closest_hit = nullptr;
      host_.sweep_sphere = nullptr;
      host_.body_add = nullptr;
      host_.body_remove = nullptr;
      host_.body_force = nullptr;
      host_.body_get = nullptr;
      host_.body_set = nullptr;
      host_.bodies_step = nullptr;
    }
    ctx_->executor = def.executor;
    cfg.struct_size = sizeof(TwinModelConfig);
    cfg.instance_name = ctx_->instance.c_str();
    cfg.params = values.data();
    cfg.param_count = values.size();
    cfg.tick_ns = def.tickNs;
    cfg.period_ticks = def.periodTicks;
    cfg.start_unix_s = def.startUnixS;
    cfg.utc_offset_s = def.utcOffsetS;
    cfg.seed = def.seed;
    cfg.host = &host_;
    if (def.city) {
      city_ = *def.city;
      ctx_->rays = def.city->rays;
      cityC_ = TwinCityInfo{};
      cityC_.struct_size = sizeof(TwinCityInfo);
      cityC_.crs = city_.crs.c_str();
      cityC_.origin_e = city_.originE;
      cityC_.origin_n = city_.originN;
      cityC_.min_x = city_.minX;
      cityC_.min_y = city_.minY;
      cityC_.max_x = city_.maxX;
      cityC_.max_y = city_.maxY;
      cityC_.building_count = city_.buildings;
      cityC_.centre_lat_deg = city_.centreLatDeg;
      cityC_.centre_lon_deg = city_.centreLonDeg;
      cityC_.road_link_count = city_.roadLinks;
      if (city_.tables) {
        cityC_.buildings = city_.tables->buildings.data();
        cityC_.road_nodes = city_.tables->nodes.data();
        cityC_.road_node_count = city_.tables->nodes.size();
        cityC_.road_links = city_.tables->links.data();
        if (city_.tables->outlineBuildingStart.size() == city_.buildings + 1) {
          cityC_.outline_xy = city_.tables->outlineXy.data();
          cityC_.outline_ring_start = city_.tables->outlineRingStart.data();
          cityC_.outline_building_start = city_.tables->outlineBuildingStart.data();
        }
        if (!city_.tables->bannedTurns.empty()) {
          cityC_.banned_turns = city_.tables->bannedTurns.data();
          cityC_.banned_turn_count = city_.tables->bannedTurns.size() / 2;
        }
        if (!city_.tables->landUseClass.empty() &&
            city_.tables->landUseStart.size() == city_.tables->landUseClass.size() + 1) {
          cityC_.land_use_xy = city_.tables->landUseXy.data();
          cityC_.land_use_start = city_.tables->landUseStart.data();
          cityC_.land_use_class = city_.tables->landUseClass.data();
          cityC_.land_use_area_m2 = city_.tables->landUseAreaM2.data();
          cityC_.land_use_count = city_.tables->landUseClass.size();
        }
      }
      cfg.city = &cityC_;
    }
    TwinStatus st = type_.descriptor->create(&cfg, &instance_);
    if (st >= TWIN_ERROR || instance_ == nullptr) {
      instance_ = nullptr;
      return fail(ErrorCode::BadInput,
                  describeInstance(type_, ctx_->instance) +
                      " could not be created: " + lastErrorOr("create failed"));
    }
    st = type_.descriptor->init(instance_);
    if (st >= TWIN_ERROR) {
      return fail(ErrorCode::BadInput,
                  describeInstance(type_, ctx_->instance) +
                      " could not be initialised: " + lastErrorOr("init failed"));
    }
    return {};
  }

  core::ModelStatus step(core::StepContext& ctx) override {
    for (std::size_t i = 0; i < inputCount_; ++i) {
      auto v = ctx.input(i);
      inputs_[i] = TwinValues{v.data(), v.size()};
    }
    TwinStepContext c{};
    c.struct_size = sizeof(TwinStepContext);
    c.tick = ctx.tick;
    c.period_ticks = ctx.periodTicks;
    c.time_s = ctx.timeS;
    c.dt_s = ctx.dtS;
    c.unix_time_s = ctx.calendar->unixSeconds(ctx.tick);
    c.unix_nanos = ctx.calendar->subsecondNanos(ctx.tick);
    c.utc_offset_s = ctx.calendar->utcOffsetS;
    c.inputs = inputs_.data();
    c.input_count = inputs_.size();
    c.host_step = &ctx;
    c.write_output = &writeOutput;
    c.random_u64 = &randomU64;
    c.request_end = &requestEnd;
    const TwinStatus st = type_.descriptor->step(instance_, &c);
    switch (st) {
      case TWIN_OK:
        return core::ModelStatus::Ok;
      case TWIN_WARNING:
        return core::ModelStatus::Warning;
      case TWIN_DISCARD:
        return core::ModelStatus::Discard;
      case TWIN_ERROR:
        return core::ModelStatus::Error;
      default:
        return core::ModelStatus::Fatal;
    }
  }

  core::Status setParameter(const core::ParamValue& value) override {
    if (type_.descriptor->set_param == nullptr) {
      return fail(ErrorCode::ModelFailed,
                  "model type " + type_.typeName + " does not accept run-time parameter changes");
    }
    CParam p;
    toC(value, p);
    finishC(p);
    if (type_.descriptor->set_param(instance_, &p.value) >= TWIN_ERROR) {
      return fail(ErrorCode::ModelFailed, lastErrorOr("set_param failed"));
    }
    return {};
  }

  core::Result<std::vector<std::uint8_t>> saveState() override {
    const std::size_t n = type_.descriptor->state_size(instance_);
    std::vector<std::uint8_t> bytes(n);
    if (type_.descriptor->save_state(instance_, bytes.data(), n) >= TWIN_ERROR) {
      return fail(ErrorCode::ModelFailed, lastErrorOr("save_state failed"));
    }
    return bytes;
  }

  core::Status loadState(std::span<const std::uint8_t> state) override {
    if (type_.descriptor->load_state(instance_, state.data(), state.size()) >= TWIN_ERROR) {
      return fail(ErrorCode::ModelFailed, lastErrorOr("load_state failed"));
    }
    return {};
  }

  core::Result<std::vector<double>> kpiValues() override {
    std::vector<double> v(type_.kpis.size());
    if (type_.descriptor->kpi_values(instance_, v.data(), v.size()) >= TWIN_ERROR) {
      return fail(ErrorCode::ModelFailed, lastErrorOr("kpi_values failed"));
    }
    return v;
  }

  std::string lastError() const override {
    std::lock_guard lock(ctx_->mutex);
    return ctx_->lastError;
  }

  core::Status publish(const std::string& prefix, core::Frame& frame) override {
    const TwinModelDescriptor* d = type_.descriptor;
    // an ABI 1.0 descriptor ends before `publish`
    if (d->struct_size < offsetof(TwinModelDescriptor, publish) + sizeof(d->publish) ||
        d->publish == nullptr) {
      return {};
    }
    PublishSink sink{this, &prefix, &frame, {}};
    TwinPublishContext c{};
    c.struct_size = sizeof(TwinPublishContext);
    c.tick = frame.tick;
    c.time_s = frame.timeS;
    c.host_publish = &sink;
    c.instances = &publishInstances;
    c.entity_values = &publishEntityValues;
    c.polygons = &publishPolygons;
    c.raster = &publishRaster;
    c.labels = &publishLabels;
    c.lines = &publishLines;
    c.points = &publishPoints;
    if (d->publish(instance_, &c) >= TWIN_ERROR || !sink.error.empty()) {
      return fail(ErrorCode::ModelFailed,
                  sink.error.empty() ? lastErrorOr("publish failed") : sink.error);
    }
    return {};
  }

 private:
  std::string lastErrorOr(const std::string& fallback) const {
    std::string e = lastError();
    return e.empty() ? fallback : e;
  }
  static TwinStatus writeOutput(void* hostStep, std::uint32_t index, const double* data,
                                std::size_t count) {
    auto* ctx = static_cast<core::StepContext*>(hostStep);
    if (index >= ctx->outputCount() || (data == nullptr && count > 0))
      return TWIN_ERROR;
    ctx->output(index, std::span<const double>(data, count));
    return TWIN_OK;
  }
  static std::uint64_t randomU64(void* hostStep) {
    return static_cast<core::StepContext*>(hostStep)->rng().next();
  }
  static void requestEnd(void* hostStep) {
    static_cast<core::StepContext*>(hostStep)->requestEnd();
  }

  struct PublishSink {
    PluginModel* self;
    const std::string* prefix;
    core::Frame* frame;
    std::string error;
  };
  // a new layer from its C description, or null (error recorded) when malformed
  static core::Layer* begin(PublishSink& s, const TwinLayerDesc* d, core::LayerKind kind) {
    if (d == nullptr || d->name == nullptr || *d->name == '\0') {
      s.error = "a layer without a name";
      return nullptr;
    }
    const std::string name = *s.prefix + "." + d->name;
    if (d->scale < TWIN_SCALE_VIRIDIS || d->scale > TWIN_SCALE_LOADING) {
      s.error = "layer " + name + ": unknown colour scale " + std::to_string(d->scale);
      return nullptr;
    }
    if (d->kind != static_cast<TwinLayerKind>(kind)) {
      s.error = "layer " + name + " was published as " + std::string(core::toString(kind)) +
                " but declares kind " + std::to_string(d->kind);
      return nullptr;
    }
    core::Layer& l = s.frame->layers.emplace_back();
    l.name = name;
    l.title = d->title != nullptr ? d->title : d->name;
    l.unit = d->unit != nullptr ? d->unit : "";
    l.kind = kind;
    l.scale = static_cast<core::ColourScale>(d->scale);
    l.valueMin = d->value_min;
    l.valueMax = d->value_max;
    return &l;
  }
  static bool finite(double a, double b, double c = 0.0) {
    return std::isfinite(a) && std::isfinite(b) && std::isfinite(c);
  }
  static TwinStatus reject(PublishSink& s, const std::string& what) {
    s.frame->layers.pop_back();
    s.error = what;
    return TWIN_ERROR;
  }
  static TwinStatus publishInstances(void* host, const TwinLayerDesc* d, const TwinInstance* items,
                                     std::size_t count) {
    auto& s = *static_cast<PublishSink*>(host);
    core::Layer* l = begin(s, d, core::LayerKind::Instances);
    if (l == nullptr)
      return TWIN_ERROR;
    if (items == nullptr && count > 0)
      return reject(s, "layer " + l->name + ": no items");
    l->instances.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      const TwinInstance& t = items[i];
      if (!finite(t.x, t.y, t.z) || !std::isfinite(t.heading_rad) || !(t.length_m > 0.f) ||
          !(t.width_m > 0.f) || !(t.height_m > 0.f)) {
        return reject(s, "layer " + l->name + ": instance " + std::to_string(t.id) +
                             " has a non-finite position or a size that is not positive");
      }
      l->instances.push_back(
          {t.id, t.x, t.y, t.z, t.heading_rad, t.length_m, t.width_m, t.height_m, t.value, t.rgba});
    }
    return TWIN_OK;
  }
  static TwinStatus publishEntityValues(void* host, const TwinLayerDesc* d, const double* values,
                                        std::size_t count) {
    auto& s = *static_cast<PublishSink*>(host);
    const bool links = d != nullptr && d->kind == TWIN_LAYER_LINK_VALUES;
    core::Layer* l =
        begin(s, d, links ? core::LayerKind::LinkValues : core::LayerKind::BuildingValues);
    if (l == nullptr)
      return TWIN_ERROR;
    const std::size_t expected = links ? s.self->city_.roadLinks : s.self->city_.buildings;
    if (count != expected || (values == nullptr && count > 0)) {
      return reject(s, "layer " + l->name + ": " + std::to_string(count) + " values for " +
                           std::to_string(expected) + (links ? " road links" : " buildings"));
    }
    l->values.assign(values, values + count);
    return TWIN_OK;
  }
  static TwinStatus publishPolygons(void* host, const TwinLayerDesc* d, const double* xy,
                                    const std::size_t* ringSizes, const double* values,
                                    std::size_t polygonCount) {
    auto& s = *static_cast<PublishSink*>(host);
    core::Layer* l = begin(s, d, core::LayerKind::GroundPolygons);
    if (l == nullptr)
      return TWIN_ERROR;
    std::size_t at = 0;
    for (std::size_t i = 0; i < polygonCount; ++i) {
      if (ringSizes[i] < 3)
        return reject(s, "layer " + l->name + ": a polygon with fewer than 3 points");
      core::GroundPolygon& p = l->polygons.emplace_back();
      p.xy.assign(xy + 2 * at, xy + 2 * (at + ringSizes[i]));
      p.value = values[i];
      for (double v : p.xy) {
        if (!std::isfinite(v))
          return reject(s, "layer " + l->name + ": a polygon point is not finite");
      }
      at += ringSizes[i];
    }
    return TWIN_OK;
  }
  static TwinStatus publishRaster(void* host, const TwinLayerDesc* d, double originX,
                                  double originY, double cellM, std::size_t nx, std::size_t ny,
                                  const double* values) {
    auto& s = *static_cast<PublishSink*>(host);
    core::Layer* l = begin(s, d, core::LayerKind::GroundRaster);
    if (l == nullptr)
      return TWIN_ERROR;
    if (!finite(originX, originY, cellM) || !(cellM > 0.0) || nx == 0 || ny == 0 || nx > 8192 ||
        ny > 8192 || values == nullptr) {
      return reject(s, "layer " + l->name +
                           ": a raster needs a finite origin, cells > 0 m and 1..8192 columns "
                           "and rows");
    }
    l->raster = {originX, originY, cellM, nx, ny, std::vector<double>(values, values + nx * ny)};
    return TWIN_OK;
  }
  static TwinStatus publishLabels(void* host, const TwinLayerDesc* d, const TwinLabel* items,
                                  std::size_t count) {
    auto& s = *static_cast<PublishSink*>(host);
    core::Layer* l = begin(s, d, core::LayerKind::Labels);
    if (l == nullptr)
      return TWIN_ERROR;
    for (std::size_t i = 0; i < count; ++i) {
      if (!finite(items[i].x, items[i].y, items[i].z))
        return reject(s, "layer " + l->name + ": a label position is not finite");
      l->labels.push_back(
          {items[i].x, items[i].y, items[i].z, items[i].text != nullptr ? items[i].text : ""});
    }
    return TWIN_OK;
  }

  static TwinStatus publishLines(void* host, const TwinLayerDesc* d, const double* xy,
                                 const std::size_t* pointCounts, const double* values,
                                 std::size_t lineCount) {
    auto& s = *static_cast<PublishSink*>(host);
    core::Layer* l = begin(s, d, core::LayerKind::GroundLines);
    if (l == nullptr)
      return TWIN_ERROR;
    if (lineCount > 0 && (xy == nullptr || pointCounts == nullptr || values == nullptr))
      return reject(s, "layer " + l->name + ": no lines");
    std::size_t at = 0;
    l->lines.reserve(lineCount);
    for (std::size_t i = 0; i < lineCount; ++i) {
      if (pointCounts[i] < 2)
        return reject(s, "layer " + l->name + ": a line with fewer than 2 points");
      core::GroundLine& g = l->lines.emplace_back();
      g.xy.assign(xy + 2 * at, xy + 2 * (at + pointCounts[i]));
      g.value = values[i];
      for (double v : g.xy) {
        if (!std::isfinite(v))
          return reject(s, "layer " + l->name + ": a line point is not finite");
      }
      at += pointCounts[i];
    }
    return TWIN_OK;
  }
  static TwinStatus publishPoints(void* host, const TwinLayerDesc* d, const double* xy,
                                  const double* values, std::size_t count) {
    auto& s = *static_cast<PublishSink*>(host);
    core::Layer* l = begin(s, d, core::LayerKind::Points);
    if (l == nullptr)
      return TWIN_ERROR;
    if (count > 0 && (xy == nullptr || values == nullptr))
      return reject(s, "layer " + l->name + ": no points");
    l->points.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      if (!finite(xy[2 * i], xy[2 * i + 1]))
        return reject(s, "layer " + l->name + ": a point is not finite");
      l->points.push_back({xy[2 * i], xy[2 * i + 1], values[i]});
    }
    return TWIN_OK;
  }

  ModelType type_;  // a copy: the instance must not depend on the registry's lifetime
  std::shared_ptr<LoadedPlugin> plugin_;  // keeps the library loaded; released after destroy
  std::unique_ptr<HostContext> ctx_;
  TwinHostApi host_{};
  void* instance_ = nullptr;
  plugin::ModelCity city_;  // buildings/roadLinks stay 0 without a city
  TwinCityInfo cityC_{};
  std::size_t inputCount_ = 0;
  std::vector<TwinValues> inputs_;
};

}  // namespace

core::Result<std::unique_ptr<core::Model>> instantiate(const ModelType& type,
                                                       const InstanceDef& def) {
  if (def.isolate)
    return instantiateIsolated(type, def);
  auto m = std::make_unique<PluginModel>(type, def.name);
  if (core::Status st = m->create(def); !st)
    return core::Unexpected(st.error());
  return std::unique_ptr<core::Model>(std::move(m));
}

}  // namespace twin::plugin
