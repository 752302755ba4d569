// SPDX-License-Identifier: Apache-2.0
// A plugin model instance behind the core::Model interface: converts calls to the C ABI and
// back, and keeps the plugin library loaded until the instance is destroyed.
#include <cstdlib>
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
};

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
  if (p.value.kind == TWIN_PARAM_STRING || p.value.kind == TWIN_PARAM_PATH) {
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
    host_ = TwinHostApi{sizeof(TwinHostApi), TWIN_ABI_MAJOR, TWIN_ABI_MINOR, ctx_.get(),
                        &instanceLog,        &hostAlloc,     &hostFree};
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
        if (s.name == def.params[i].name && s.kind == ParamKind::Path) {
          params[i].value.kind = TWIN_PARAM_PATH;
        }
      }
      finishC(params[i]);
      values.push_back(params[i].value);
    }
    TwinModelConfig cfg{};
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

  ModelType type_;  // a copy: the instance must not depend on the registry's lifetime
  std::shared_ptr<LoadedPlugin> plugin_;  // keeps the library loaded; released after destroy
  std::unique_ptr<HostContext> ctx_;
  TwinHostApi host_{};
  void* instance_ = nullptr;
  std::size_t inputCount_ = 0;
  std::vector<TwinValues> inputs_;
};

}  // namespace

core::Result<std::unique_ptr<core::Model>> instantiate(const ModelType& type,
                                                       const InstanceDef& def) {
  auto m = std::make_unique<PluginModel>(type, def.name);
  if (core::Status st = m->create(def); !st)
    return core::Unexpected(st.error());
  return std::unique_ptr<core::Model>(std::move(m));
}

}  // namespace twin::plugin
