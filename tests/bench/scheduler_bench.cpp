// SPDX-License-Identifier: Apache-2.0
// Engine overhead of the scheduler (issue: foundation). Goals: below 50 ns per model step with
// 10 no-op models at mixed periods; a 24 h run at a 10 ms base tick with one 1 s model costs
// per step, not per base tick (empty ticks are free).
#include <benchmark/benchmark.h>

#include "core/scheduler.hpp"

namespace {

using namespace twin;

class NoOp final : public core::Model {
 public:
  core::ModelStatus step(core::StepContext& ctx) override {
    ctx.output(0, static_cast<double>(ctx.tick));
    return core::ModelStatus::Ok;
  }
};

core::PortSpec port(std::string name, core::PortDirection d) {
  core::PortSpec p;
  p.name = std::move(name);
  p.direction = d;
  return p;
}

// ten no-op models, periods 1..5 ticks, a chain of direct links so several levels exist
std::unique_ptr<core::Scheduler> tenModels(core::Tick endTick) {
  std::vector<core::ModelEntryDef> models;
  std::vector<core::ConnectionDef> links;
  const core::Tick periods[10] = {1, 1, 2, 2, 3, 3, 4, 5, 1, 2};
  for (int i = 0; i < 10; ++i) {
    core::ModelEntryDef e;
    e.name = "m" + std::to_string(i);
    e.periodTicks = periods[i];
    e.ports = {port("in", core::PortDirection::In), port("out", core::PortDirection::Out)};
    e.model = std::make_unique<NoOp>();
    models.push_back(std::move(e));
    if (i > 0 && i % 3 != 0) {
      links.push_back({"m" + std::to_string(i - 1), "out", "m" + std::to_string(i), "in"});
    }
  }
  core::SchedulerDef def;
  def.calendar.tickNs = 10'000'000;
  def.endTick = endTick;
  return std::move(*core::Scheduler::create(def, std::move(models), std::move(links), {}));
}

// engine overhead per model step: total time / model steps (the no-op step is a few ns)
void BM_TenNoOpModelsMixedPeriods(benchmark::State& state) {
  std::uint64_t steps = 0;
  for (auto _ : state) {
    auto s = tenModels(100'000);
    if (!s->run())
      state.SkipWithError("run failed");
    steps += s->totalSteps();
  }
  state.counters["ns_per_model_step"] = benchmark::Counter(
      static_cast<double>(steps), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["model_steps"] =
      static_cast<double>(steps) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_TenNoOpModelsMixedPeriods)->Unit(benchmark::kMillisecond);

// 24 h at 10 ms (8.64 M base ticks) with one 1 s model: 86,400 steps
void BM_DayAt10msOneSecondModel(benchmark::State& state) {
  std::uint64_t steps = 0;
  for (auto _ : state) {
    std::vector<core::ModelEntryDef> models(1);
    models[0].name = "weather";
    models[0].periodTicks = 100;
    models[0].ports = {port("out", core::PortDirection::Out)};
    models[0].model = std::make_unique<NoOp>();
    core::SchedulerDef def;
    def.calendar.tickNs = 10'000'000;
    def.endTick = 8'640'000;
    auto s = std::move(*core::Scheduler::create(def, std::move(models), {}, {}));
    if (!s->run())
      state.SkipWithError("run failed");
    steps += s->totalSteps();
  }
  state.counters["ns_per_model_step"] = benchmark::Counter(
      static_cast<double>(steps), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["ns_per_base_tick"] =
      benchmark::Counter(8'640'000.0 * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_DayAt10msOneSecondModel)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
