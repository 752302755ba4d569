// SPDX-License-Identifier: Apache-2.0
#include "plugin/loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "core/scheduler.hpp"
#include "support/twin_test.hpp"

namespace twin::test {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class PluginLoader : public EngineTest {};

TEST_F(PluginLoader, RefusesAWrongAbiMajorNamingTheFile) {
  auto p = plugin::openPlugin(TWIN_TEST_BAD_ABI_PLUGIN);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, core::ErrorCode::PluginRefused);
  EXPECT_THAT(p.error().message, HasSubstr(TWIN_TEST_BAD_ABI_PLUGIN));
  EXPECT_THAT(p.error().message, HasSubstr("built for plugin ABI 2.x"));
  EXPECT_THAT(p.error().message, HasSubstr("rebuild it"));
}

TEST_F(PluginLoader, RefusesALibraryWithoutTheEntrySymbol) {
  auto p = plugin::openPlugin(TWIN_TEST_NO_ENTRY_PLUGIN);
  ASSERT_FALSE(p);
  EXPECT_THAT(p.error().message, HasSubstr(TWIN_TEST_NO_ENTRY_PLUGIN));
  EXPECT_THAT(p.error().message, HasSubstr("does not export 'twin_plugin_entry'"));
}

TEST_F(PluginLoader, RefusesAFileThatIsNoLibrary) {
  const std::string dir = makeTempDir("loader");
  writeFile(dir + "/libfake.so", "not an ELF file");
  auto p = plugin::openPlugin(dir + "/libfake.so");
  ASSERT_FALSE(p);
  EXPECT_THAT(p.error().message, HasSubstr("cannot be loaded"));
  plugin::Registry reg;
  auto st = reg.load({dir, TWIN_TEST_BAD_ABI_PLUGIN});
  ASSERT_FALSE(st);
  // one line per broken plugin
  EXPECT_THAT(st.error().message, HasSubstr("libfake.so"));
  EXPECT_THAT(st.error().message, HasSubstr("\nplugin " TWIN_TEST_BAD_ABI_PLUGIN));
  fs::remove_all(dir);
}

TEST_F(PluginLoader, RegistersModelTypesWithPortsParamsAndKpis) {
  plugin::Registry reg;
  ASSERT_TRUE(reg.load({TWIN_TEST_MODELS_PLUGIN}));
  ASSERT_EQ(reg.types().size(), 2u);
  const plugin::ModelType* counter = reg.find("test.counter");
  ASSERT_NE(counter, nullptr);
  EXPECT_EQ(counter->version, "0.1.0");
  EXPECT_EQ(counter->plugin->name, "test-models");
  ASSERT_EQ(counter->ports.size(), 3u);
  EXPECT_EQ(counter->ports[0].name, "load");
  EXPECT_EQ(counter->ports[0].direction, core::PortDirection::In);
  EXPECT_EQ(counter->ports[0].unit, "W/m2");
  EXPECT_EQ(counter->ports[1].type, core::ValueType::I64);
  ASSERT_EQ(counter->params.size(), 2u);
  EXPECT_EQ(counter->params[1].name, "gain");
  EXPECT_TRUE(counter->params[1].runtimeSettable);
  EXPECT_EQ(*counter->params[0].defaultText, "0s");
  ASSERT_EQ(counter->kpis.size(), 2u);
  EXPECT_EQ(counter->kpis[1].unit, "W/m2");
  // the same plugin twice on the path counts once
  plugin::Registry twice;
  ASSERT_TRUE(twice.load({TWIN_TEST_MODELS_PLUGIN, TWIN_TEST_MODELS_PLUGIN}));
  EXPECT_EQ(twice.types().size(), 2u);
}

plugin::InstanceDef instanceDef(std::string name, std::vector<core::ParamValue> params) {
  plugin::InstanceDef d;
  d.name = std::move(name);
  d.params = std::move(params);
  d.tickNs = 1'000'000'000;
  d.periodTicks = 1;
  d.seed = 1;
  return d;
}

TEST_F(PluginLoader, ExceptionInCreateBecomesAClearError) {
  expectLog("fail_at must not be negative");
  plugin::Registry reg;
  ASSERT_TRUE(reg.load({TWIN_TEST_MODELS_PLUGIN}));
  auto m = plugin::instantiate(
      *reg.find("test.failing"),
      instanceDef("broken", {{"fail_at", -1.0}, {"mode", std::string("throw")}}));
  ASSERT_FALSE(m);
  EXPECT_THAT(m.error().message, HasSubstr("model 'broken' (test.failing from"));
  EXPECT_THAT(m.error().message,
              HasSubstr("could not be created: create: fail_at must not be negative"));
}

TEST_F(PluginLoader, ExceptionInStepStopsTheRunWithThePluginsMessage) {
  expectLog("simulated failure in step");
  plugin::Registry reg;
  ASSERT_TRUE(reg.load({TWIN_TEST_MODELS_PLUGIN}));
  auto m =
      plugin::instantiate(*reg.find("test.failing"),
                          instanceDef("chem", {{"fail_at", 3.0}, {"mode", std::string("throw")}}));
  ASSERT_TRUE(m) << m.error().message;
  std::vector<core::ModelEntryDef> models(1);
  models[0].name = "chem";
  models[0].typeName = "test.failing";
  models[0].periodTicks = 1;
  models[0].ports = reg.find("test.failing")->ports;
  models[0].model = std::move(*m);
  core::SchedulerDef def;
  def.calendar.tickNs = 1'000'000'000;
  def.endTick = 10;
  auto s = core::Scheduler::create(def, std::move(models), {}, {});
  ASSERT_TRUE(s);
  auto st = (*s)->run();
  ASSERT_FALSE(st);
  ASSERT_NE((*s)->failure(), nullptr);
  EXPECT_EQ((*s)->failure()->tick, 3);
  EXPECT_EQ((*s)->failure()->message, "step: simulated failure in step");
}

TEST_F(PluginLoader, PluginStateSurvivesASnapshot) {
  plugin::Registry reg;
  ASSERT_TRUE(reg.load({TWIN_TEST_MODELS_PLUGIN}));
  auto make = [&] {
    auto m = plugin::instantiate(*reg.find("test.counter"),
                                 instanceDef("c", {{"sleep", 0.0}, {"gain", 2.0}}));
    EXPECT_TRUE(m);
    std::vector<core::ModelEntryDef> models(1);
    models[0].name = "c";
    models[0].periodTicks = 1;
    models[0].ports = reg.find("test.counter")->ports;
    models[0].model = std::move(*m);
    core::SchedulerDef def;
    def.calendar.tickNs = 1'000'000'000;
    def.endTick = 20;
    return std::move(*core::Scheduler::create(def, std::move(models), {}, {}));
  };
  auto a = make();
  ASSERT_TRUE(a->runUntil(8));
  auto snap = a->snapshot();
  ASSERT_TRUE(snap);
  ASSERT_TRUE(a->run());
  auto b = make();
  ASSERT_TRUE(b->restore(*snap));
  ASSERT_TRUE(b->run());
  EXPECT_EQ(*a->stateHash(), *b->stateHash());
  EXPECT_EQ(b->outputValue(0, 0)[0], 20.0);
  auto kpis = b->model(0).kpiValues();
  ASSERT_TRUE(kpis);
  EXPECT_EQ((*kpis)[0], 20.0);
  // a truncated snapshot is refused, never read past its end
  auto c = make();
  std::vector<std::uint8_t> cut(snap->begin(), snap->end() - 8);
  EXPECT_FALSE(c->restore(cut));
}

}  // namespace
}  // namespace twin::test
