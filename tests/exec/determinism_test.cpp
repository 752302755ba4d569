// SPDX-License-Identifier: Apache-2.0
// Determinism: the same reference run gives the same state hash with 1, 2 and 4 worker
// threads, and that hash equals a committed constant (STYLE.md §8).
#include <gtest/gtest.h>

#include <cmath>

#include "core/fake_models.hpp"
#include "core/hash.hpp"
#include "exec/tbb_executor.hpp"
#include "support/twin_test.hpp"

namespace twin::test {
namespace {

using core::ModelStatus;
using core::StepContext;

// Changing this constant is a reviewed change: explain in the commit why the reference run's
// state changed.
constexpr std::uint64_t kReferenceHash = 0xaf92a3b67c3708aeULL;

// eight stochastic producers at mixed periods feed one consumer; levels hold several models,
// so the parallel path runs
std::unique_ptr<core::Scheduler> referenceRun(core::Executor* executor) {
  std::vector<core::ModelEntryDef> models;
  std::vector<core::ConnectionDef> links;
  const core::Tick periods[8] = {1, 2, 3, 5, 1, 4, 6, 2};
  std::vector<core::PortSpec> sinkPorts;
  for (int i = 0; i < 8; ++i) {
    const std::string name = "source" + std::to_string(i);
    models.push_back(
        entry(name, periods[i], {outPort("v", "kW")}, nullptr, [](StepContext& c, FakeModel& m) {
          // enough arithmetic that a data race or reordering would show
          double x = m.accumulator;
          for (int k = 0; k < 200; ++k)
            x = std::sin(x + c.rng().uniform());
          m.accumulator = x;
          c.output(0, x);
          return ModelStatus::Ok;
        }));
    sinkPorts.push_back(inPort("in" + std::to_string(i), "W"));
    links.push_back({name, "v", "sink", "in" + std::to_string(i), core::LinkKind::Direct,
                     i % 2 == 0 ? core::Adapter::Mean : core::Adapter::Max});
  }
  sinkPorts.push_back(outPort("total", "W"));
  models.push_back(entry("sink", 3, sinkPorts, nullptr, [](StepContext& c, FakeModel& m) {
    double sum = 0.0;
    for (std::size_t i = 0; i < c.inputCount(); ++i)
      sum += c.input(i).empty() ? 0.0 : c.input(i)[0];
    m.accumulator += sum;
    c.output(0, sum);
    return ModelStatus::Ok;
  }));
  core::SchedulerDef def = secondsDef(5000);
  def.seed = 2026;
  def.executor = executor;
  auto s = core::Scheduler::create(def, std::move(models), std::move(links), {});
  EXPECT_TRUE(s) << s.error().message;
  return std::move(*s);
}

class Determinism : public EngineTest {};

TEST_F(Determinism, StateHashIsIndependentOfThreadCount) {
  core::SerialExecutor serial;
  exec::TbbExecutor two(2);
  exec::TbbExecutor four(4);
  std::vector<std::uint64_t> hashes;
  for (core::Executor* e : std::initializer_list<core::Executor*>{&serial, &two, &four}) {
    auto s = referenceRun(e);
    ASSERT_TRUE(s->run());
    hashes.push_back(*s->stateHash());
  }
  EXPECT_EQ(hashes[0], hashes[1]);
  EXPECT_EQ(hashes[0], hashes[2]);
  EXPECT_EQ(hashes[0], kReferenceHash) << "reference hash is now 0x" << core::toHex(hashes[0]);
}

}  // namespace
}  // namespace twin::test
