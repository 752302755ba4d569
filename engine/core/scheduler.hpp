// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/executor.hpp"
#include "core/model.hpp"
#include "core/rng.hpp"
#include "core/status.hpp"
#include "core/time.hpp"
#include "core/units.hpp"

namespace twin::core {

// One model instance as the scenario declares it. Order in the list is scenario-file order,
// which breaks ties between models of the same topological level.
struct ModelEntryDef {
  std::string name;             // instance name, e.g. "weather"
  std::string typeName;         // model type, e.g. "weather.tmy"
  Tick periodTicks = 1;         // a positive multiple of the base tick
  std::vector<PortSpec> ports;  // declaration order; inputs and outputs numbered separately
  std::unique_ptr<Model> model;
};

// A wire from an output port to an input port.
struct ConnectionDef {
  std::string fromModel;
  std::string fromPort;
  std::string toModel;
  std::string toPort;
  LinkKind link = LinkKind::Direct;
  Adapter adapter = Adapter::Hold;
};

// A timed parameter change, applied at the start of tick `at` in list order.
struct InterventionDef {
  Tick at = 0;
  std::string model;
  ParamValue value;
};

// How to build a Scheduler.
struct SchedulerDef {
  Calendar calendar;             // start, UTC offset, base tick length
  Tick endTick = 0;              // ticks [0, endTick) are simulated
  std::uint64_t seed = 0;        // scenario seed; each instance gets its own stream
  Executor* executor = nullptr;  // null: serial; borrowed, must outlive the scheduler
  bool profile = false;          // measure wall time per model step (for run.json)
  // Step watchdog: when a model's step takes longer than stepTimeoutS (> 0), onStepTimeout is
  // called once, from the watchdog thread, with the model's name and type, the tick and the
  // seconds it has run; the step itself cannot be interrupted, so the caller ends the process
  // (the CLI's --step-timeout). 0: no watchdog.
  double stepTimeoutS = 0.0;
  std::function<void(const std::string& model, const std::string& type, Tick tick, double seconds)>
      onStepTimeout;
};

// Why a run stopped early.
struct StepFailure {
  std::string model;
  Tick tick = 0;
  std::string message;
};

// The deterministic multi-rate fixed-step scheduler of STYLE.md §3. Per due tick:
// interventions -> due models -> topological levels over direct links (ties by scenario order)
// -> per level: gather inputs, step (in parallel within a level), commit in stable order
// -> observers -> jump to the next due tick. Empty ticks cost nothing.
class Scheduler {
 public:
  // Checks the wiring (ports exist, directions, types, shapes, units, one producer per input,
  // required inputs, no cycle of direct links) and builds the runtime tables. Every problem
  // is listed in one error.
  static Result<std::unique_ptr<Scheduler>> create(const SchedulerDef& def,
                                                   std::vector<ModelEntryDef> models,
                                                   std::vector<ConnectionDef> connections,
                                                   std::vector<InterventionDef> interventions);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Called after every processed tick with the committed state (read-only).
  using Observer = std::function<void(const Scheduler&, Tick)>;
  void addObserver(Observer observer);

  // Processes the next due tick below `stop` (and below the end tick). Returns true when a
  // tick was processed, false when none is left; an error when a model or intervention failed.
  Result<bool> advance(Tick stop);
  // Processes every due tick below `stop`.
  Status runUntil(Tick stop);
  // Processes every due tick of the run.
  Status run() { return runUntil(def_.endTick); }

  // The next tick that has work (a due model or an intervention), or endTick when none.
  Tick nextDueTick() const;
  // The last tick processed, -1 before the first.
  Tick lastTick() const { return lastTick_; }
  Tick endTick() const { return def_.endTick; }
  // The tick after which a model ended the run early (StepContext::requestEnd), -1 when none.
  Tick endedAt() const;
  const Calendar& calendar() const { return def_.calendar; }

  // Models in scenario order.
  std::size_t modelCount() const;
  const std::string& modelName(std::size_t model) const;
  Model& model(std::size_t model);
  const std::vector<PortSpec>& ports(std::size_t model) const;
  Tick period(std::size_t model) const;
  // Index of a model or of an output port; -1 when not found.
  int findModel(std::string_view name) const;
  int findOutput(std::size_t model, std::string_view port) const;
  // Committed value of an output (index among the model's outputs); valid until the next tick.
  std::span<const double> outputValue(std::size_t model, std::size_t output) const;
  // Tick at which that output was last written, -1 if never.
  Tick outputCommitTick(std::size_t model, std::size_t output) const;
  // Name of output `output` of `model`.
  const PortSpec& outputSpec(std::size_t model, std::size_t output) const;
  std::size_t outputCount(std::size_t model) const;

  // Sets the step watchdog of SchedulerDef (stepTimeoutS, onStepTimeout) after creation.
  void setStepWatchdog(
      double timeoutS,
      std::function<void(const std::string&, const std::string&, Tick, double)> onTimeout) {
    def_.stepTimeoutS = timeoutS;
    def_.onStepTimeout = std::move(onTimeout);
  }
  // Steps taken and wall time spent per model (time only with def.profile).
  std::uint64_t stepCount(std::size_t model) const;
  std::int64_t stepNanos(std::size_t model) const;
  std::uint64_t totalSteps() const;

  // Engine state + every model's declared state, as bytes; restore() resumes from it exactly.
  Result<std::vector<std::uint8_t>> snapshot();
  Status restore(std::span<const std::uint8_t> bytes);
  // FNV-1a of snapshot(): equal hashes mean equal simulation states.
  Result<std::uint64_t> stateHash();

  // What every model shows after the last processed tick (layers in scenario order, each
  // model's in its own order, colour ranges resolved). Serial and read-only: models must not
  // change state in publish, so a frame never changes results.
  Result<Frame> publishFrame();

  // Set when advance() failed in a model.
  const StepFailure* failure() const;

 private:
  struct Impl;
  explicit Scheduler(std::unique_ptr<Impl> impl, SchedulerDef def);
  Status processTick(Tick t);
  std::unique_ptr<Impl> impl_;
  SchedulerDef def_;
  Tick lastTick_ = -1;
};

}  // namespace twin::core
