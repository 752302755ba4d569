// SPDX-License-Identifier: Apache-2.0
// ABI conformance: every model type of every plugin in the build's plugin folder (the built-in
// models, the drones example) and the plugin built against the frozen 1.0 header, each driven
// through its whole life cycle on a real city (Monaco) in a scenario of its own: create and
// init, steps with its inputs wired to the weather model where it has them, save_state at
// half time, destroy; a second instance created, initialised and given the saved state, both
// run to the end: the same final state, the same KPIs (all finite), no sanitizer report.
// A newly added model type must either run here with its defaults or get an entry in kSetup.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>

#include "city_info.hpp"
#include "gis/city_builder.hpp"
#include "io/run_builder.hpp"
#include "io/scenario.hpp"
#include "plugin/loader.hpp"
#include "support/twin_test.hpp"

namespace twin::test {
namespace {

namespace fs = std::filesystem;

// what a model type needs beyond its defaults to do real work in an hour of Monaco: its
// period and parameters (YAML flow-map entries)
struct Setup {
  std::string period = "1min";
  std::string params;
};
const std::map<std::string, Setup> kSetup{
    {"weather.tmy", {"15min", ""}},
    {"energy.pv", {"15min", "sample_spacing: 10m"}},
    {"energy.grid", {"15min", ""}},
    {"industry.park", {"1min", "trips: false"}},  // Monaco has no industrial area
    {"industry.release", {"1min", "at: \"10:10\", rate: 1kg/s, location: \"2000,2000\""}},
    {"traffic.micro", {"1s", "demand: {random_trips: 60, random_period: 20min}, ev_share: 0.5"}},
    {"drones.delivery", {"1s", "hub: centre, fleet: 2, orders_per_hour: 20"}},
};

class AbiConformance : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new plugin::Registry();
    auto st = registry_->load({TWIN_PLUGIN_DIR, TWIN_FROZEN_PLUGIN});
    ASSERT_TRUE(st) << st.error().message;
    gis::CityDef def;
    def.sources.emplace_back(dataPath("osm/monaco.osm.pbf"));
    def.crs = "EPSG:32632";
    def.osmConfig = io::assetDir() + "/" + gis::kOsmConfigAsset;
    auto c = gis::buildCity(def);
    ASSERT_TRUE(c) << c.error().message;
    city_ = new gis::CityModel(std::move(*c));
  }
  static void TearDownTestSuite() {
    delete registry_;
    delete city_;
  }
  static plugin::Registry* registry_;
  static gis::CityModel* city_;
};
plugin::Registry* AbiConformance::registry_ = nullptr;
gis::CityModel* AbiConformance::city_ = nullptr;

// the scenario of one model type: the weather (unless it is the weather) and the model, its
// inputs wired to the weather's outputs of the same name
std::string scenarioFor(const plugin::ModelType& t, const plugin::ModelType& weather) {
  const auto it = kSetup.find(t.typeName);
  const Setup s = it != kSetup.end() ? it->second : Setup{};
  std::string y = "name: abi-" + t.typeName + "\ncity: {sources: [" +
                  dataPath("osm/monaco.osm.pbf") +
                  "], crs: EPSG:32632}\n"
                  "time: {start: 2026-06-17T10:00:00+02:00, duration: 1h, tick: 1s}\n"
                  "seed: 7\nmodels:\n";
  const bool isWeather = t.typeName == weather.typeName;
  if (!isWeather)
    y += "  weather: {type: weather.tmy, period: 15min}\n";
  y += "  m: {type: " + t.typeName + ", period: " + s.period +
       (s.params.empty() ? "" : ", " + s.params) + "}\n";
  std::string wires;
  for (const core::PortSpec& p : t.ports) {
    if (p.direction != core::PortDirection::In || isWeather)
      continue;
    for (const core::PortSpec& w : weather.ports) {
      if (w.direction == core::PortDirection::Out && w.name == p.name)
        wires += "  - [weather." + p.name + ", m." + p.name + "]\n";
    }
  }
  if (!wires.empty())
    y += "connect:\n" + wires;
  return y;
}

// equal to the bit (NaN marks "nothing here" in rasters)
bool sameBits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

TEST_F(AbiConformance, EveryModelTypeRunsSavesRestoresAndResumesExactly) {
  const plugin::ModelType* weather = registry_->find("weather.tmy");
  ASSERT_NE(weather, nullptr);
  ASSERT_NE(registry_->find("frozen.irradiation"), nullptr);
  ASSERT_NE(registry_->find("drones.delivery"), nullptr);
  const io::CityInfo info = cityInfo(*city_);
  const std::string dir = makeTempDir("abi-conformance");
  for (const plugin::ModelType& t : registry_->types()) {
    SCOPED_TRACE(t.typeName + " from " + t.plugin->path);
    const std::string path = dir + "/" + t.typeName + ".yaml";
    writeFile(path, scenarioFor(t, *weather));
    std::vector<io::Diagnostic> problems;
    auto doc = io::loadScenarioDocument(path, {}, problems);
    ASSERT_TRUE(doc) << io::formatDiagnostics(problems);
    auto sc = io::validateScenario(*doc, *registry_, problems);
    ASSERT_TRUE(sc) << io::formatDiagnostics(problems)
                    << "(a required input without a weather output of its name, or a "
                       "parameter without a default: give the type an entry in kSetup)";
    auto a = io::buildScheduler(*sc, nullptr, false, &info.forModels);
    ASSERT_TRUE(a) << a.error().message;
    const core::Tick half = sc->endTick / 2;
    ASSERT_TRUE((*a)->runUntil(half));
    auto snap = (*a)->snapshot();
    ASSERT_TRUE(snap) << snap.error().message;
    auto st = (*a)->run();
    ASSERT_TRUE(st) << st.error().message;
    // a second instance, initialised, then given the state saved at half time; it runs in
    // child processes (--isolate-plugins), so every call also crosses that boundary
    auto b = io::buildScheduler(*sc, nullptr, false, &info.forModels, {true, 0.0});
    ASSERT_TRUE(b) << b.error().message;
    st = (*b)->restore(*snap);
    ASSERT_TRUE(st) << st.error().message;
    st = (*b)->run();
    ASSERT_TRUE(st) << st.error().message;
    {
      // the same final state: on a difference, where the two snapshots part
      auto sa = (*a)->snapshot();
      auto sb = (*b)->snapshot();
      ASSERT_TRUE(sa);
      ASSERT_TRUE(sb);
      std::size_t at = 0;
      while (at < sa->size() && at < sb->size() && (*sa)[at] == (*sb)[at])
        ++at;
      EXPECT_TRUE(*sa == *sb) << "final snapshots of " << sa->size() << " and " << sb->size()
                              << " bytes differ from byte " << at;
    }
    const std::size_t m = (*a)->modelCount() - 1;  // the model under test comes last
    auto ka = (*a)->model(m).kpiValues();
    auto kb = (*b)->model(m).kpiValues();
    ASSERT_TRUE(ka);
    ASSERT_TRUE(kb);
    ASSERT_EQ(ka->size(), t.kpis.size());
    for (std::size_t k = 0; k < ka->size(); ++k) {
      EXPECT_TRUE(std::isfinite((*ka)[k])) << t.kpis[k].name;
      EXPECT_EQ((*ka)[k], (*kb)[k]) << t.kpis[k].name;
    }
    // published frames cross the ABI and the process boundary whole
    auto frame = (*b)->publishFrame();
    auto frameA = (*a)->publishFrame();
    ASSERT_TRUE(frame) << frame.error().message;
    ASSERT_TRUE(frameA) << frameA.error().message;
    ASSERT_EQ(frame->layers.size(), frameA->layers.size());
    for (std::size_t l = 0; l < frame->layers.size(); ++l) {
      const core::Layer& x = frameA->layers[l];
      const core::Layer& y = frame->layers[l];
      EXPECT_EQ(x.name, y.name);
      EXPECT_EQ(x.kind, y.kind);
      EXPECT_EQ(x.valueMin, y.valueMin);
      EXPECT_EQ(x.valueMax, y.valueMax);
      EXPECT_EQ(x.instances.size(), y.instances.size()) << x.name;
      EXPECT_TRUE(sameBits(x.values, y.values)) << x.name;
      EXPECT_EQ(x.polygons.size(), y.polygons.size()) << x.name;
      EXPECT_EQ(x.lines.size(), y.lines.size()) << x.name;
      EXPECT_EQ(x.points.size(), y.points.size()) << x.name;
      EXPECT_TRUE(sameBits(x.raster.values, y.raster.values)) << x.name;
      EXPECT_EQ(x.labels.size(), y.labels.size()) << x.name;
      for (std::size_t i = 0; i < std::min(x.instances.size(), y.instances.size()); ++i) {
        EXPECT_EQ(x.instances[i].id, y.instances[i].id);
        EXPECT_EQ(x.instances[i].x, y.instances[i].x);
        EXPECT_EQ(x.instances[i].rgba, y.instances[i].rgba);
      }
    }
  }
  fs::remove_all(dir);
}

TEST_F(AbiConformance, TheFrozenOnePointZeroPluginIntegratesWhatItIsGiven) {
  // its KPI is the GHI the weather published, integrated: the weather's own irradiation KPI
  const plugin::ModelType* frozen = registry_->find("frozen.irradiation");
  ASSERT_NE(frozen, nullptr);
  EXPECT_EQ(frozen->plugin->descriptor->abi_minor_required, 0);
  const std::string dir = makeTempDir("abi-frozen");
  const std::string text = scenarioFor(*frozen, *registry_->find("weather.tmy"));
  ASSERT_THAT(text, ::testing::HasSubstr("[weather.ghi, m.ghi]"));
  writeFile(dir + "/f.yaml", text);
  std::vector<io::Diagnostic> problems;
  auto doc = io::loadScenarioDocument(dir + "/f.yaml", {}, problems);
  fs::remove_all(dir);
  ASSERT_TRUE(doc) << io::formatDiagnostics(problems);
  auto sc = io::validateScenario(*doc, *registry_, problems);
  ASSERT_TRUE(sc) << io::formatDiagnostics(problems);
  const io::CityInfo info = cityInfo(*city_);
  auto s = io::buildScheduler(*sc, nullptr, false, &info.forModels);
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_TRUE((*s)->run());
  auto kw = (*s)->model(0).kpiValues();
  auto kf = (*s)->model(1).kpiValues();
  ASSERT_TRUE(kw);
  ASSERT_TRUE(kf);
  // weather.global_irradiation is in kWh/m2 (index 3); the frozen model's in J/m2
  EXPECT_GT((*kf)[0], 0.0);
  EXPECT_NEAR((*kf)[0] / 3.6e6, (*kw)[3], 0.02 * (*kw)[3]);
}

TEST_F(AbiConformance, APluginOfANewerMinorIsRefusedWithWhatItNeeds) {
  // built to need host minor TWIN_ABI_MINOR + 1: functions this host does not have
  plugin::Registry reg;
  const core::Status st = reg.load({TWIN_FUTURE_MINOR_PLUGIN});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, core::ErrorCode::PluginRefused);
  EXPECT_THAT(st.error().message, ::testing::HasSubstr(TWIN_FUTURE_MINOR_PLUGIN));
  EXPECT_THAT(st.error().message,
              ::testing::HasSubstr("needs plugin ABI 1." + std::to_string(TWIN_ABI_MINOR + 1)));
  EXPECT_THAT(st.error().message, ::testing::HasSubstr("update citytwin"));
  EXPECT_TRUE(reg.types().empty());
}

}  // namespace
}  // namespace twin::test
