// SPDX-License-Identifier: Apache-2.0
// Published frames: colour ranges, colour scales and what Scheduler::publishFrame gathers.
#include "core/frame.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "core/fake_models.hpp"
#include "support/twin_test.hpp"

namespace twin::test {
namespace {

class FrameTest : public EngineTest {};

// publishes one instance layer whose box sits at x = the last stepped tick
class Mover : public core::Model {
 public:
  explicit Mover(std::string layer) : layer_(std::move(layer)) {}
  core::ModelStatus step(core::StepContext& ctx) override {
    x_ = static_cast<double>(ctx.tick);
    return core::ModelStatus::Ok;
  }
  core::Status publish(const std::string& prefix, core::Frame& frame) override {
    core::Layer& l = frame.layers.emplace_back();
    l.name = prefix + "." + layer_;
    l.kind = core::LayerKind::Instances;
    l.instances.push_back({7, x_, 0.0, 0.0, 0.0, 4.f, 2.f, 1.5f, static_cast<float>(x_), 0u});
    return {};
  }

 private:
  std::string layer_;
  double x_ = -1.0;
};

core::ModelEntryDef moverEntry(std::string name, std::string layer) {
  core::ModelEntryDef e;
  e.name = std::move(name);
  e.typeName = "test.mover";
  e.periodTicks = 1;
  e.ports = {outPort("y")};
  e.model = std::make_unique<Mover>(std::move(layer));
  return e;
}

TEST_F(FrameTest, OpenRangeTakesTheFiniteValues) {
  core::Layer l;
  l.name = "m.v";
  l.kind = core::LayerKind::BuildingValues;
  l.values = {3.0, NAN, -2.0, INFINITY, 10.0};
  ASSERT_TRUE(core::resolveRange(l));
  EXPECT_DOUBLE_EQ(l.valueMin, -2.0);
  EXPECT_DOUBLE_EQ(l.valueMax, 10.0);
}

TEST_F(FrameTest, ConstantValuesGetAUnitWideRange) {
  core::Layer l;
  l.values = {4.0, 4.0};
  ASSERT_TRUE(core::resolveRange(l));
  EXPECT_DOUBLE_EQ(l.valueMin, 3.5);
  EXPECT_DOUBLE_EQ(l.valueMax, 4.5);
}

TEST_F(FrameTest, GivenRangeIsKeptAndSwappedWhenReversed) {
  core::Layer l;
  l.values = {100.0};
  l.valueMin = 50.0;
  l.valueMax = 0.0;
  ASSERT_TRUE(core::resolveRange(l));
  EXPECT_DOUBLE_EQ(l.valueMin, 0.0);
  EXPECT_DOUBLE_EQ(l.valueMax, 50.0);
  l.valueMin = NAN;
  EXPECT_FALSE(core::resolveRange(l));
}

TEST_F(FrameTest, ViridisEndsAreMatplotlibs) {
  float rgb[3];
  core::scaleColour(core::ColourScale::Viridis, 0.0, rgb);
  EXPECT_NEAR(rgb[0], 0.267f, 1e-6);
  EXPECT_NEAR(rgb[1], 0.005f, 1e-6);
  EXPECT_NEAR(rgb[2], 0.329f, 1e-6);
  core::scaleColour(core::ColourScale::Viridis, 1.0, rgb);
  EXPECT_NEAR(rgb[0], 0.993f, 1e-6);
  EXPECT_NEAR(rgb[1], 0.906f, 1e-6);
  // halfway between stops 4 and 5 (t = 9/16)
  core::scaleColour(core::ColourScale::Viridis, 9.0 / 16.0, rgb);
  EXPECT_NEAR(rgb[1], (0.567f + 0.683f) / 2.f, 1e-6);
  // clamped outside [0, 1]; NaN shows the low end
  float lo[3];
  core::scaleColour(core::ColourScale::Speed, -3.0, rgb);
  core::scaleColour(core::ColourScale::Speed, NAN, lo);
  EXPECT_FLOAT_EQ(rgb[0], lo[0]);
  EXPECT_NEAR(rgb[0], 0.647f, 1e-6);  // slow is red
  // loadings: the same colours backwards, low green and high red
  core::scaleColour(core::ColourScale::Loading, 0.0, rgb);
  EXPECT_NEAR(rgb[0], 0.102f, 1e-6);
  EXPECT_NEAR(rgb[1], 0.596f, 1e-6);
  core::scaleColour(core::ColourScale::Loading, 1.0, rgb);
  EXPECT_NEAR(rgb[0], 0.647f, 1e-6);
  EXPECT_NEAR(rgb[2], 0.149f, 1e-6);
}

TEST_F(FrameTest, PublishFrameGathersLayersInScenarioOrderAfterTheLastTick) {
  std::vector<core::ModelEntryDef> models;
  models.push_back(moverEntry("b", "cars"));
  models.push_back(moverEntry("a", "cars"));
  auto s = core::Scheduler::create(secondsDef(10), std::move(models), {}, {});
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_TRUE((*s)->runUntil(4));
  auto f = (*s)->publishFrame();
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->tick, 3);
  EXPECT_DOUBLE_EQ(f->timeS, 3.0);
  ASSERT_EQ(f->layers.size(), 2u);
  EXPECT_EQ(f->layers[0].name, "b.cars");
  EXPECT_EQ(f->layers[1].name, "a.cars");
  EXPECT_DOUBLE_EQ(f->layers[0].instances.at(0).x, 3.0);
  // the range was resolved around the one value
  EXPECT_DOUBLE_EQ(f->layers[0].valueMin, 2.5);
  ASSERT_NE(f->find("a.cars"), nullptr);
  EXPECT_EQ(f->find("c.cars"), nullptr);
  // publishing does not change the state
  auto before = (*s)->stateHash();
  ASSERT_TRUE((*s)->publishFrame());
  EXPECT_EQ(*before, *(*s)->stateHash());
  ASSERT_TRUE((*s)->runUntil(8));
  EXPECT_DOUBLE_EQ((*s)->publishFrame()->layers[0].instances.at(0).x, 7.0);
}

TEST_F(FrameTest, ALayerPublishedTwiceIsAnError) {
  class Twice : public core::Model {
   public:
    core::ModelStatus step(core::StepContext&) override { return core::ModelStatus::Ok; }
    core::Status publish(const std::string& prefix, core::Frame& frame) override {
      frame.layers.emplace_back().name = prefix + ".x";
      frame.layers.emplace_back().name = prefix + ".x";
      return {};
    }
  };
  std::vector<core::ModelEntryDef> models;
  core::ModelEntryDef e;
  e.name = "twice";
  e.typeName = "test.twice";
  e.ports = {outPort("y")};
  e.model = std::make_unique<Twice>();
  models.push_back(std::move(e));
  auto s = core::Scheduler::create(secondsDef(2), std::move(models), {}, {});
  ASSERT_TRUE(s);
  auto f = (*s)->publishFrame();
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().message.find("published layer twice.x twice"), std::string::npos)
      << f.error().message;
}

}  // namespace
}  // namespace twin::test
