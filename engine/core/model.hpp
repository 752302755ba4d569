// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/frame.hpp"
#include "core/rng.hpp"
#include "core/status.hpp"
#include "core/time.hpp"

namespace twin::core {

enum class ValueType { F64, I64, Bool };
enum class PortShape { Scalar, Entity };
enum class PortDirection { In, Out };

// A declared port: the only way values enter or leave a model (STYLE.md §4).
struct PortSpec {
  std::string name;
  PortDirection direction = PortDirection::Out;
  ValueType type = ValueType::F64;
  std::string unit = "1";  // SI unit expression, see units.hpp
  PortShape shape = PortShape::Scalar;
  bool required = false;  // inputs only: the scenario must connect it
  std::string description;
};

// How a consumer sees a producer that steps at another rate (STYLE.md §3).
enum class Adapter { Hold, Mean, Sum, Min, Max, Events };
// Direct: the producer steps first in the same tick. Delayed: the value from before this tick.
enum class LinkKind { Direct, Delayed };

std::string_view toString(ValueType t);
std::string_view toString(PortShape s);
std::string_view toString(PortDirection d);
std::string_view toString(Adapter a);
bool parseAdapter(std::string_view text, Adapter& out);

// A parameter value after validation: numbers are in the SI unit the model declared.
struct ParamValue {
  std::string name;
  std::variant<double, std::int64_t, bool, std::string, std::vector<std::string>> value;
};

// What a model step returned, as the C ABI's TwinStatus (FMI's fmi3Status).
enum class ModelStatus { Ok, Warning, Discard, Error, Fatal };

// Everything one step may read and write. Valid only during the call to Model::step.
class StepContext {
 public:
  Tick tick = 0;         // the tick being stepped
  Tick periodTicks = 1;  // this model's period
  double timeS = 0.0;    // seconds since the scenario start
  double dtS = 0.0;      // period in seconds
  const Calendar* calendar = nullptr;

  // Values of input `i` (declaration order among inputs). Empty when unconnected or when the
  // producer has published nothing yet. Valid until the step returns.
  std::span<const double> input(std::size_t i) const { return inputs_[i]; }
  std::size_t inputCount() const { return inputCount_; }

  // Publishes output `i` (declaration order among outputs); committed after the step's level.
  void output(std::size_t i, std::span<const double> values) {
    (*pending_)[i].assign(values.begin(), values.end());
    written_[i] = 1;
  }
  void output(std::size_t i, double value) {
    (*pending_)[i].assign(1, value);
    written_[i] = 1;
  }
  std::size_t outputCount() const { return pending_->size(); }

  // This instance's random stream (stored in SimState, snapshotted).
  RngStream& rng() { return *rng_; }
  // This model has finished its work: the run ends after this tick (Scheduler::endedAt).
  void requestEnd() { endRequested_ = true; }
  bool endRequested() const { return endRequested_; }
  void clearEndRequest() { endRequested_ = false; }

  // wiring, set by the scheduler
  void bind(const std::span<const double>* inputs, std::size_t inputCount,
            std::vector<std::vector<double>>* pending, std::uint8_t* written, RngStream* rng) {
    inputs_ = inputs;
    inputCount_ = inputCount;
    pending_ = pending;
    written_ = written;
    rng_ = rng;
  }

 private:
  const std::span<const double>* inputs_ = nullptr;
  std::size_t inputCount_ = 0;
  std::vector<std::vector<double>>* pending_ = nullptr;
  std::uint8_t* written_ = nullptr;
  RngStream* rng_ = nullptr;
  bool endRequested_ = false;
};

// A model instance as the scheduler sees it: plugin adapters and test fakes implement this.
class Model {
 public:
  virtual ~Model();
  // Advances the model from ctx.tick over one period.
  virtual ModelStatus step(StepContext& ctx) = 0;
  // Changes a runtime-settable parameter (an intervention); applied before the tick's steps.
  virtual Status setParameter(const ParamValue& value);
  // The model's declared state, enough to resume (MuJoCo's plugin state rule).
  virtual Result<std::vector<std::uint8_t>> saveState();
  virtual Status loadState(std::span<const std::uint8_t> state);
  // Current values of the model's KPIs, in the order of its KPI declarations.
  virtual Result<std::vector<double>> kpiValues();
  // The last error the model reported, for the failure message.
  virtual std::string lastError() const;
  // Appends what the model shows now (layers named "<instance>.<layer>" by the caller's
  // `prefix`). Called between ticks; must not change the model's state. Default: nothing.
  virtual Status publish(const std::string& prefix, Frame& frame);
};

}  // namespace twin::core
