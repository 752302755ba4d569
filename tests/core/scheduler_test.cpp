// SPDX-License-Identifier: Apache-2.0
#include "core/scheduler.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/fake_models.hpp"
#include "support/twin_test.hpp"

namespace twin::test {
namespace {

using core::Adapter;
using core::LinkKind;
using core::ModelStatus;
using core::StepContext;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SchedulerTest : public EngineTest {};

ModelStatus publishTick(StepContext& ctx, FakeModel&) {
  ctx.output(0, static_cast<double>(ctx.tick));
  return ModelStatus::Ok;
}

TEST_F(SchedulerTest, ExactOrderAcrossRatesAndLevels) {
  Trace trace;
  std::vector<core::ModelEntryDef> models;
  // scenario order C, A, B, D; direct links A -> B -> D give levels A,C:0  B:1  D:2
  models.push_back(entry("C", 1, {outPort("y")}, &trace, publishTick));
  models.push_back(entry("A", 2, {outPort("x")}, &trace, [](StepContext& c, FakeModel&) {
    c.output(0, 10.0 * static_cast<double>(c.tick));
    return ModelStatus::Ok;
  }));
  models.push_back(
      entry("B", 3, {inPort("x"), outPort("z")}, &trace, [](StepContext& c, FakeModel&) {
        c.output(0, c.input(0)[0] + 1.0);
        return ModelStatus::Ok;
      }));
  models.push_back(entry("D", 1, {inPort("z")}, &trace, nullptr));
  auto s = core::Scheduler::create(secondsDef(7), std::move(models),
                                   {{"A", "x", "B", "x"}, {"B", "z", "D", "z"}}, {});
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_TRUE((*s)->run());
  EXPECT_THAT(trace.lines, ElementsAre("C@0", "A@0", "B@0 [0]", "D@0 [1]",  //
                                       "C@1", "D@1 [1]",                    //
                                       "C@2", "A@2", "D@2 [1]",             //
                                       "C@3", "B@3 [20]", "D@3 [21]",       //
                                       "C@4", "A@4", "D@4 [21]",            //
                                       "C@5", "D@5 [21]",                   //
                                       "C@6", "A@6", "B@6 [60]", "D@6 [61]"));
  EXPECT_EQ((*s)->stepCount(0), 7u);
  EXPECT_EQ((*s)->stepCount(1), 4u);
  EXPECT_EQ((*s)->stepCount(2), 3u);
}

TEST_F(SchedulerTest, AModelThatFinishedItsWorkEndsTheRunAfterThatTick) {
  Trace trace;
  std::vector<core::ModelEntryDef> models;
  // A steps every tick and is done at tick 3; B (every 2 ticks) still steps at tick 2 only
  models.push_back(entry("A", 1, {outPort("x")}, &trace, [](StepContext& c, FakeModel&) {
    if (c.tick == 3)
      c.requestEnd();
    return ModelStatus::Ok;
  }));
  models.push_back(entry("B", 2, {outPort("y")}, &trace, nullptr));
  expectLog("finished its work");
  auto s = core::Scheduler::create(secondsDef(100), std::move(models), {}, {});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ((*s)->endedAt(), -1);
  ASSERT_TRUE((*s)->run());
  EXPECT_THAT(trace.lines, ElementsAre("A@0", "B@0", "A@1", "A@2", "B@2", "A@3"));
  EXPECT_EQ((*s)->endedAt(), 3);
  EXPECT_EQ((*s)->lastTick(), 3);
  // nothing runs after the end, whatever is asked
  ASSERT_TRUE((*s)->runUntil(50));
  EXPECT_EQ(trace.lines.size(), 6u);
  // and a snapshot of the ended run restores as ended (found by the ABI conformance suite:
  // a restored traffic run whose demand was done went on to the scenario's end)
  auto snap = (*s)->snapshot();
  ASSERT_TRUE(snap);
  Trace later;
  std::vector<core::ModelEntryDef> again;
  again.push_back(entry("A", 1, {outPort("x")}, &later, nullptr));
  again.push_back(entry("B", 2, {outPort("y")}, &later, nullptr));
  auto r = core::Scheduler::create(secondsDef(100), std::move(again), {}, {});
  ASSERT_TRUE(r);
  ASSERT_TRUE((*r)->restore(*snap));
  EXPECT_EQ((*r)->endedAt(), 3);
  ASSERT_TRUE((*r)->run());
  EXPECT_TRUE(later.lines.empty());
  EXPECT_EQ(*(*r)->stateHash(), *(*s)->stateHash());
  // with its end cut off (the last 8 bytes) it is refused, not taken for a run that goes on
  std::vector<std::uint8_t> cut(snap->begin(), snap->end() - 8);
  EXPECT_FALSE((*r)->restore(cut));
}

TEST_F(SchedulerTest, DelayedLinkClosesAFeedbackLoop) {
  Trace trace;
  std::vector<core::ModelEntryDef> models;
  models.push_back(
      entry("A", 1, {inPort("y"), outPort("x")}, &trace, [](StepContext& c, FakeModel&) {
        const auto y = c.input(0);
        c.output(0, (y.empty() ? 0.0 : y[0]) + 1.0);
        return ModelStatus::Ok;
      }));
  models.push_back(
      entry("B", 1, {inPort("x"), outPort("y")}, &trace, [](StepContext& c, FakeModel&) {
        c.output(0, 2.0 * c.input(0)[0]);
        return ModelStatus::Ok;
      }));
  auto s =
      core::Scheduler::create(secondsDef(3), std::move(models),
                              {{"A", "x", "B", "x"}, {"B", "y", "A", "y", LinkKind::Delayed}}, {});
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_TRUE((*s)->run());
  EXPECT_THAT(trace.lines,
              ElementsAre("A@0 []", "B@0 [1]", "A@1 [2]", "B@1 [3]", "A@2 [6]", "B@2 [7]"));
}

TEST_F(SchedulerTest, DelayedLinkNeverSeesThisTicksCommit) {
  // P commits in level 0 before Q (level 1, because of R -> Q) reads it through a delayed link
  Trace trace;
  std::vector<core::ModelEntryDef> models;
  models.push_back(entry("P", 1, {outPort("p")}, nullptr, publishTick));
  models.push_back(entry("R", 1, {outPort("r")}, nullptr, publishTick));
  models.push_back(entry("Q", 1, {inPort("p"), inPort("r")}, &trace, nullptr));
  auto s =
      core::Scheduler::create(secondsDef(3), std::move(models),
                              {{"P", "p", "Q", "p", LinkKind::Delayed}, {"R", "r", "Q", "r"}}, {});
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_TRUE((*s)->run());
  EXPECT_THAT(trace.lines, ElementsAre("Q@0 [] [0]", "Q@1 [0] [1]", "Q@2 [1] [2]"));
}

TEST_F(SchedulerTest, DirectLinkFeedbackLoopIsRefused) {
  std::vector<core::ModelEntryDef> models;
  models.push_back(entry("A", 1, {inPort("y"), outPort("x")}, nullptr, nullptr));
  models.push_back(entry("B", 1, {inPort("x"), outPort("y")}, nullptr, nullptr));
  auto s = core::Scheduler::create(secondsDef(3), std::move(models),
                                   {{"A", "x", "B", "x"}, {"B", "y", "A", "y"}}, {});
  ASSERT_FALSE(s);
  EXPECT_THAT(s.error().message, HasSubstr("feedback loop"));
  EXPECT_THAT(s.error().message, HasSubstr("delayed"));
}

TEST_F(SchedulerTest, RateAdaptersAggregateBetweenConsumerSteps) {
  Trace trace;
  std::vector<core::ModelEntryDef> models;
  models.push_back(entry("P", 1, {outPort("v")}, nullptr, publishTick));
  const std::vector<std::pair<std::string, Adapter>> adapters{
      {"hold", Adapter::Hold}, {"mean", Adapter::Mean}, {"sum", Adapter::Sum},
      {"min", Adapter::Min},   {"max", Adapter::Max},   {"events", Adapter::Events}};
  std::vector<core::ConnectionDef> links;
  for (const auto& [name, adapter] : adapters) {
    const auto shape =
        adapter == Adapter::Events ? core::PortShape::Entity : core::PortShape::Scalar;
    models.push_back(entry(name, 4, {inPort("v", "1", shape)}, &trace, nullptr));
    links.push_back({"P", "v", name, "v", LinkKind::Direct, adapter});
  }
  models.push_back(entry("dmean", 4, {inPort("v")}, &trace, nullptr));
  links.push_back({"P", "v", "dmean", "v", LinkKind::Delayed, Adapter::Mean});
  models.push_back(
      entry("devents", 4, {inPort("v", "1", core::PortShape::Entity)}, &trace, nullptr));
  links.push_back({"P", "v", "devents", "v", LinkKind::Delayed, Adapter::Events});
  auto s = core::Scheduler::create(secondsDef(9), std::move(models), links, {});
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_TRUE((*s)->run());
  // the delayed consumers have no producer before them, so they step in level 0
  EXPECT_THAT(trace.lines,
              ElementsAre("dmean@0 []", "devents@0 []",  //
                          "hold@0 [0]", "mean@0 [0]", "sum@0 [0]", "min@0 [0]", "max@0 [0]",
                          "events@0 [0]",                          //
                          "dmean@4 [1.5]", "devents@4 [0,1,2,3]",  //
                          "hold@4 [4]", "mean@4 [2.5]", "sum@4 [10]", "min@4 [1]", "max@4 [4]",
                          "events@4 [1,2,3,4]",                    //
                          "dmean@8 [5.5]", "devents@8 [4,5,6,7]",  //
                          "hold@8 [8]", "mean@8 [6.5]", "sum@8 [26]", "min@8 [5]", "max@8 [8]",
                          "events@8 [5,6,7,8]"));
}

TEST_F(SchedulerTest, UnitsAreConvertedOnTheLink) {
  Trace trace;
  std::vector<core::ModelEntryDef> models;
  models.push_back(entry("P", 1, {outPort("kw", "kW"), outPort("c", "degC")}, nullptr,
                         [](StepContext& c, FakeModel&) {
                           c.output(0, 2.5);
                           c.output(1, 20.0);
                           return ModelStatus::Ok;
                         }));
  models.push_back(entry("Q", 1, {inPort("w", "W"), inPort("k", "K")}, &trace, nullptr));
  auto s = core::Scheduler::create(secondsDef(1), std::move(models),
                                   {{"P", "kw", "Q", "w"}, {"P", "c", "Q", "k"}}, {});
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_TRUE((*s)->run());
  EXPECT_THAT(trace.lines, ElementsAre("Q@0 [2500] [293.15]"));
}

TEST_F(SchedulerTest, EveryWiringProblemIsListedAtOnce) {
  std::vector<core::ModelEntryDef> models;
  models.push_back(entry("P", 1, {outPort("power", "W")}, nullptr, nullptr));
  models.push_back(entry("Q", 1, {inPort("speed", "m/s"), inPort("x")}, nullptr, nullptr));
  auto s = core::Scheduler::create(
      secondsDef(1), std::move(models),
      {{"P", "power", "Q", "speed"}, {"P", "nope", "Q", "x"}, {"P", "power", "Q", "speed"}}, {});
  ASSERT_FALSE(s);
  EXPECT_THAT(s.error().message, HasSubstr("unit mismatch"));
  EXPECT_THAT(s.error().message, HasSubstr("has no output port 'nope'"));
  EXPECT_THAT(s.error().message, HasSubstr("already has a producer"));
}

TEST_F(SchedulerTest, EmptyTicksCostNothing) {
  // 24 h at a 10 ms base tick with one model of period 1 s: 86,400 steps and 86,400 processed
  // ticks, not 8,640,000
  core::SchedulerDef def;
  def.calendar = core::Calendar{.startUnixS = 0, .utcOffsetS = 0, .tickNs = 10'000'000};
  def.endTick = 8'640'000;
  std::vector<core::ModelEntryDef> models;
  models.push_back(entry("M", 100, {outPort("v")}, nullptr, publishTick));
  auto s = core::Scheduler::create(def, std::move(models), {}, {});
  ASSERT_TRUE(s);
  std::uint64_t observed = 0;
  core::Tick lastSeen = -1;
  (*s)->addObserver([&](const core::Scheduler&, core::Tick t) {
    ++observed;
    lastSeen = t;
  });
  ASSERT_TRUE((*s)->run());
  EXPECT_EQ(observed, 86'400u);
  EXPECT_EQ((*s)->stepCount(0), 86'400u);
  EXPECT_EQ(lastSeen, 8'640'000 - 100);
  EXPECT_EQ((*s)->outputValue(0, 0)[0], 8'639'900.0);
}

TEST_F(SchedulerTest, InterventionsApplyAtTheStartOfTheirTick) {
  Trace trace;
  std::vector<core::ModelEntryDef> models;
  models.push_back(entry("M", 2, {outPort("v")}, nullptr, [&](StepContext& c, FakeModel& m) {
    trace.add("M@" + std::to_string(c.tick) + " gain=" + std::to_string(static_cast<int>(m.gain)));
    c.output(0, m.gain);
    return ModelStatus::Ok;
  }));
  core::ParamValue v{"gain", 3.0};
  core::ParamValue w{"gain", 5.0};
  // the one at tick 3 falls between steps; both at 3 apply in list order (5 wins)
  auto s =
      core::Scheduler::create(secondsDef(7), std::move(models), {},
                              {{4, "M", v}, {3, "M", core::ParamValue{"gain", 4.0}}, {3, "M", w}});
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_TRUE((*s)->run());
  EXPECT_THAT(trace.lines, ElementsAre("M@0 gain=1", "M@2 gain=1", "M@4 gain=3", "M@6 gain=3"));
}

TEST_F(SchedulerTest, FailingModelStopsTheRunAndSaysWhen) {
  std::vector<core::ModelEntryDef> models;
  models.push_back(entry("ok", 1, {outPort("v")}, nullptr, publishTick));
  models.push_back(entry("bad", 1, {}, nullptr, [](StepContext& c, FakeModel& m) {
    if (c.tick == 5) {
      m.error = "boiler pressure is NaN";
      return ModelStatus::Error;
    }
    return ModelStatus::Ok;
  }));
  auto s = core::Scheduler::create(secondsDef(10), std::move(models), {}, {});
  ASSERT_TRUE(s);
  core::Status st = (*s)->run();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, core::ErrorCode::ModelFailed);
  ASSERT_NE((*s)->failure(), nullptr);
  EXPECT_EQ((*s)->failure()->model, "bad");
  EXPECT_EQ((*s)->failure()->tick, 5);
  EXPECT_EQ((*s)->failure()->message, "boiler pressure is NaN");
  EXPECT_EQ((*s)->stepCount(0), 6u);
}

TEST_F(SchedulerTest, DiscardedStepKeepsOutputsAndWarns) {
  expectLog("was discarded");
  std::vector<core::ModelEntryDef> models;
  models.push_back(entry("M", 1, {outPort("v")}, nullptr, [](StepContext& c, FakeModel&) {
    c.output(0, static_cast<double>(c.tick));
    return c.tick == 2 ? ModelStatus::Discard : ModelStatus::Ok;
  }));
  auto s = core::Scheduler::create(secondsDef(3), std::move(models), {}, {});
  ASSERT_TRUE(s);
  ASSERT_TRUE((*s)->runUntil(3));
  EXPECT_EQ((*s)->outputValue(0, 0)[0], 1.0);
  EXPECT_EQ((*s)->outputCommitTick(0, 0), 1);
  EXPECT_EQ(logged().size(), 1u);
}

// a model that draws random numbers and keeps a running sum (its state)
ModelStatus randomWalk(StepContext& c, FakeModel& m) {
  m.accumulator += c.rng().uniform() * m.gain;
  c.output(0, m.accumulator);
  return ModelStatus::Ok;
}

std::unique_ptr<core::Scheduler> walkers(std::vector<std::string> order) {
  std::vector<core::ModelEntryDef> models;
  for (const std::string& n : order)
    models.push_back(entry(n, 1, {outPort("v")}, nullptr, randomWalk));
  auto s = core::Scheduler::create(secondsDef(100), std::move(models), {}, {});
  return std::move(*s);
}

TEST_F(SchedulerTest, SnapshotRestoreResumesBitIdentically) {
  auto a = walkers({"a", "b"});
  ASSERT_TRUE(a->runUntil(50));
  auto snap = a->snapshot();
  ASSERT_TRUE(snap);
  ASSERT_TRUE(a->run());
  const std::uint64_t hashA = *a->stateHash();
  const double valueA = a->outputValue(1, 0)[0];

  auto b = walkers({"a", "b"});
  ASSERT_TRUE(b->restore(*snap));
  EXPECT_EQ(b->lastTick(), 49);
  ASSERT_TRUE(b->run());
  EXPECT_EQ(*b->stateHash(), hashA);
  EXPECT_EQ(b->outputValue(1, 0)[0], valueA);

  // a snapshot of another scenario is refused with a reason
  auto c = walkers({"a"});
  auto st = c->restore(*snap);
  ASSERT_FALSE(st);
  EXPECT_THAT(st.error().message, HasSubstr("different number of models"));
}

TEST_F(SchedulerTest, RandomStreamsDoNotDependOnModelOrder) {
  auto ab = walkers({"a", "b"});
  auto ba = walkers({"b", "a"});
  ASSERT_TRUE(ab->run());
  ASSERT_TRUE(ba->run());
  EXPECT_EQ(ab->outputValue(0, 0)[0], ba->outputValue(1, 0)[0]);
  EXPECT_EQ(ab->outputValue(1, 0)[0], ba->outputValue(0, 0)[0]);
  EXPECT_NE(ab->outputValue(0, 0)[0], ab->outputValue(1, 0)[0]);
}

}  // namespace
}  // namespace twin::test
