// SPDX-License-Identifier: Apache-2.0
#include "plugin/loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
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
  ASSERT_EQ(reg.types().size(), 5u);  // counter, failing, layers, arrivals, sunlit
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
  EXPECT_EQ(twice.types().size(), 5u);
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

// one plugin model instance in a scheduler of 1 s ticks
std::unique_ptr<core::Scheduler> schedulerWith(const plugin::ModelType& type,
                                               plugin::InstanceDef def) {
  auto m = plugin::instantiate(type, def);
  EXPECT_TRUE(m) << m.error().message;
  if (!m)
    return nullptr;
  std::vector<core::ModelEntryDef> models(1);
  models[0].name = def.name;
  models[0].typeName = type.typeName;
  models[0].periodTicks = 1;
  models[0].ports = type.ports;
  models[0].model = std::move(*m);
  core::SchedulerDef sd;
  sd.calendar.tickNs = 1'000'000'000;
  sd.endTick = 600;
  auto s = core::Scheduler::create(sd, std::move(models), {}, {});
  EXPECT_TRUE(s);
  return s ? std::move(*s) : nullptr;
}

TEST_F(PluginLoader, ExceptionInStepStopsTheRunWithThePluginsMessage) {
  expectLog("simulated failure in step");
  plugin::Registry reg;
  ASSERT_TRUE(reg.load({TWIN_TEST_MODELS_PLUGIN}));
  auto s = schedulerWith(*reg.find("test.failing"),
                         instanceDef("chem", {{"fail_at", 3.0}, {"mode", std::string("throw")}}));
  ASSERT_NE(s, nullptr);
  auto st = s->run();
  ASSERT_FALSE(st);
  ASSERT_NE(s->failure(), nullptr);
  EXPECT_EQ(s->failure()->tick, 3);
  EXPECT_EQ(s->failure()->message, "step: simulated failure in step");
}

TEST_F(PluginLoader, AnAbi10PluginStillLoadsRunsAndPublishesNothing) {
  plugin::Registry reg;
  ASSERT_TRUE(reg.load({TWIN_TEST_ABI10_PLUGIN}));
  const plugin::ModelType* t = reg.find("test.abi10");
  ASSERT_NE(t, nullptr);
  auto s = schedulerWith(*t, instanceDef("old", {}));
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->runUntil(5));
  EXPECT_DOUBLE_EQ(s->outputValue(0, 0)[0], 5.0);
  auto f = s->publishFrame();
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_TRUE(f->layers.empty());
}

TEST_F(PluginLoader, APluginFromANewerMinorIsRefusedByName) {
  plugin::Registry reg;
  const core::Status st = reg.load({TWIN_TEST_FUTURE_MINOR_PLUGIN});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, core::ErrorCode::PluginRefused);
  EXPECT_THAT(st.error().message, HasSubstr(TWIN_TEST_FUTURE_MINOR_PLUGIN));
  EXPECT_THAT(st.error().message,
              HasSubstr("needs plugin ABI 1." + std::to_string(TWIN_ABI_MINOR + 1)));
  EXPECT_THAT(st.error().message, HasSubstr("update citytwin"));
  EXPECT_TRUE(reg.types().empty());
}

TEST_F(PluginLoader, PublishedLayersCrossTheAbiAndAreChecked) {
  plugin::Registry reg;
  ASSERT_TRUE(reg.load({TWIN_TEST_MODELS_PLUGIN}));
  const plugin::ModelType* t = reg.find("test.layers");
  ASSERT_NE(t, nullptr);
  plugin::InstanceDef def =
      instanceDef("demo", {{"count", std::int64_t{4}}, {"radius", 100.0}, {"speed", 10.0}});
  def.city =
      plugin::ModelCity{"EPSG:25832", 0, 0, 0, 0, 1000, 1000, 3, 2, 50.8, 6.1, nullptr, nullptr};
  // the city's tables reach the plugin: floor areas and car road lengths are summed there
  auto tables = std::make_shared<plugin::ModelCityTables>();
  for (double area : {100.0, 250.0, 1000.0})
    tables->buildings.push_back({0, 0, area / 2, area, 6, 0, 2, 0, 2, 0, 1990, 0, 0});
  tables->nodes = {{0, 0, 0, 1}, {100, 0, 0, 1}};
  tables->linkPoints = {{0, 0, 100, 0}, {100, 0, 0, 0}};
  tables->links.push_back({0, 1, 1, 6, 1, 1, 13.9, 100.0, tables->linkPoints[0].data(), 2});
  tables->links.push_back({1, 0, 0, 10, 0, 1, 1.4, 100.0, tables->linkPoints[1].data(), 2});
  def.city->tables = tables;
  auto s = schedulerWith(*t, def);
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->runUntil(10));  // ticks 0..9 stepped: the model is at t = 10 s
  auto f = s->publishFrame();
  ASSERT_TRUE(f) << f.error().message;
  ASSERT_EQ(f->layers.size(), 8u);
  const core::Layer* boxes = f->find("demo.boxes");
  ASSERT_NE(boxes, nullptr);
  EXPECT_EQ(boxes->kind, core::LayerKind::Instances);
  EXPECT_EQ(boxes->scale, core::ColourScale::Speed);
  EXPECT_EQ(boxes->unit, "km/h");
  ASSERT_EQ(boxes->instances.size(), 4u);
  // box 0 on the circle of 100 m around (500, 500): 10 m/s for 10 s is 100 m, 1 rad
  EXPECT_NEAR(boxes->instances[0].x, 500.0 + 100.0 * std::cos(1.0), 1e-9);
  EXPECT_NEAR(boxes->instances[0].y, 500.0 + 100.0 * std::sin(1.0), 1e-9);
  EXPECT_EQ(f->find("demo.building_values")->values.size(), 3u);
  EXPECT_EQ(f->find("demo.link_values")->values.size(), 2u);
  EXPECT_EQ(f->find("demo.plume")->raster.nx, 40u);
  EXPECT_EQ(f->find("demo.zone")->polygons.at(0).xy.size(), 8u);
  EXPECT_EQ(f->find("demo.labels")->labels.at(0).text, "test layer");
  // ground lines and points (ABI 1.5)
  const core::Layer* route = f->find("demo.route");
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->kind, core::LayerKind::GroundLines);
  ASSERT_EQ(route->lines.size(), 1u);
  EXPECT_EQ(route->lines[0].xy.size(), 6u);
  EXPECT_DOUBLE_EQ(route->lines[0].value, 10.0);
  const core::Layer* stations = f->find("demo.stations");
  ASSERT_NE(stations, nullptr);
  EXPECT_EQ(stations->kind, core::LayerKind::Points);
  ASSERT_EQ(stations->points.size(), 4u);
  EXPECT_NEAR(stations->points[0].x, 500.0 + 100.0 * std::cos(1.0), 1e-9);
  EXPECT_DOUBLE_EQ(stations->points[3].value, 3.0);
  auto kpis = s->model(0).kpiValues();
  ASSERT_TRUE(kpis);
  EXPECT_DOUBLE_EQ((*kpis)[0], 1350.0);  // floor area
  EXPECT_DOUBLE_EQ((*kpis)[1], 0.1);     // only the car link counts
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
