// SPDX-License-Identifier: Apache-2.0
// Tiny models for scheduler tests: they record what they saw and compute simple outputs.
#pragma once

#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/scheduler.hpp"

namespace twin::test {

// Shared log of "name@tick in=[..]" lines, in the order the steps ran.
struct Trace {
  std::mutex mutex;
  std::vector<std::string> lines;
  void add(std::string line) {
    std::lock_guard lock(mutex);
    lines.push_back(std::move(line));
  }
};

inline std::string formatValues(std::span<const double> v) {
  std::ostringstream ss;
  ss << '[';
  for (std::size_t i = 0; i < v.size(); ++i)
    ss << (i ? "," : "") << v[i];
  ss << ']';
  return ss.str();
}

// A model whose step is a lambda; records every step (with its inputs) in a Trace.
class FakeModel : public core::Model {
 public:
  using Behaviour = std::function<core::ModelStatus(core::StepContext&, FakeModel&)>;
  FakeModel(std::string name, Trace* trace, Behaviour behaviour)
      : name_(std::move(name)), trace_(trace), behaviour_(std::move(behaviour)) {}

  core::ModelStatus step(core::StepContext& ctx) override {
    if (trace_ != nullptr) {
      std::string line = name_ + "@" + std::to_string(ctx.tick);
      for (std::size_t i = 0; i < ctx.inputCount(); ++i)
        line += " " + formatValues(ctx.input(i));
      trace_->add(line);
    }
    return behaviour_ ? behaviour_(ctx, *this) : core::ModelStatus::Ok;
  }
  core::Status setParameter(const core::ParamValue& v) override {
    if (v.name != "gain")
      return core::fail(core::ErrorCode::BadInput, "no parameter " + v.name);
    gain = std::get<double>(v.value);
    return {};
  }
  core::Result<std::vector<std::uint8_t>> saveState() override {
    core::ByteWriter w;
    w.put(gain);
    w.put(accumulator);
    return std::move(w.bytes());
  }
  core::Status loadState(std::span<const std::uint8_t> s) override {
    core::ByteReader r(s);
    gain = r.get<double>();
    accumulator = r.get<double>();
    if (!r.ok() || !r.atEnd())
      return core::fail(core::ErrorCode::BadInput, "bad state");
    return {};
  }
  std::string lastError() const override { return error; }

  double gain = 1.0;
  double accumulator = 0.0;
  std::string error;

 private:
  std::string name_;
  Trace* trace_;
  Behaviour behaviour_;
};

inline core::PortSpec outPort(std::string name, std::string unit = "1") {
  core::PortSpec p;
  p.name = std::move(name);
  p.direction = core::PortDirection::Out;
  p.unit = std::move(unit);
  return p;
}
inline core::PortSpec inPort(std::string name, std::string unit = "1",
                             core::PortShape shape = core::PortShape::Scalar) {
  core::PortSpec p;
  p.name = std::move(name);
  p.direction = core::PortDirection::In;
  p.unit = std::move(unit);
  p.shape = shape;
  return p;
}

inline core::ModelEntryDef entry(std::string name, core::Tick period,
                                 std::vector<core::PortSpec> ports, Trace* trace,
                                 FakeModel::Behaviour behaviour) {
  core::ModelEntryDef e;
  e.name = name;
  e.typeName = "test.fake";
  e.periodTicks = period;
  e.ports = std::move(ports);
  e.model = std::make_unique<FakeModel>(std::move(name), trace, std::move(behaviour));
  return e;
}

// A scheduler with 1 s ticks starting at the epoch (readable traces).
inline core::SchedulerDef secondsDef(core::Tick endTick) {
  core::SchedulerDef d;
  d.calendar = core::Calendar{.startUnixS = 0, .utcOffsetS = 0, .tickNs = 1'000'000'000};
  d.endTick = endTick;
  d.seed = 7;
  return d;
}

}  // namespace twin::test
