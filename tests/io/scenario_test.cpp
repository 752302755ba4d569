// SPDX-License-Identifier: Apache-2.0
#include "io/scenario.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/twin_test.hpp"

namespace twin::test {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class ScenarioTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    ASSERT_TRUE(registry_.load({TWIN_WEATHER_PLUGIN, TWIN_ENERGY_PLUGIN, TWIN_INDUSTRY_PLUGIN,
                                TWIN_TRAFFIC_PLUGIN, TWIN_TEST_MODELS_PLUGIN}));
    dir_ = makeTempDir("scenario");
  }
  void TearDown() override {
    fs::remove_all(dir_);
    EngineTest::TearDown();
  }
  // loads and validates; problems end up in problems_
  core::Result<io::Scenario> load(const std::string& path, std::vector<std::string> sets = {}) {
    problems_.clear();
    auto doc = io::loadScenarioDocument(path, sets, problems_);
    if (!doc)
      return core::Unexpected(doc.error());
    return io::validateScenario(*doc, registry_, problems_);
  }
  // writes a scenario into the temp folder and loads it
  core::Result<io::Scenario> loadText(const std::string& text, std::vector<std::string> sets = {}) {
    writeFile(dir_ + "/s.yaml", text);
    return load(dir_ + "/s.yaml", std::move(sets));
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const auto& p : problems_)
      out.push_back(p.str());
    return out;
  }
  plugin::Registry registry_;
  std::vector<io::Diagnostic> problems_;
  std::string dir_;
};

constexpr const char* kHeader =
    "name: t\ntime:\n  start: 2026-06-17T00:00:00+02:00\n  duration: 24h\n";

TEST_F(ScenarioTest, ShippedBaselineIsValid) {
  auto s = load(std::string(TWIN_SOURCE_DIR) + "/scenarios/aachen/baseline.yaml");
  ASSERT_TRUE(s) << io::formatDiagnostics(problems_);
  EXPECT_EQ(s->name, "aachen-baseline");
  EXPECT_EQ(s->calendar.tickNs, 10'000'000);
  EXPECT_EQ(s->endTick, 8'640'000);
  EXPECT_EQ(s->calendar.utcOffsetS, 7200);
  EXPECT_EQ(s->seed, 42u);
  ASSERT_EQ(s->models.size(), 5u);  // weather, rooftop PV, the park, the grid, traffic
  EXPECT_EQ(s->models[1].typeName, "energy.pv");
  EXPECT_EQ(s->models[2].typeName, "industry.park");
  EXPECT_EQ(s->models[2].periodTicks, 6'000);  // 1 min
  EXPECT_EQ(s->models[3].typeName, "energy.grid");
  EXPECT_EQ(s->models[4].typeName, "traffic.micro");
  EXPECT_EQ(s->models[4].periodTicks, 100);  // 1 s
  EXPECT_EQ(s->connections.size(), 6u);
  EXPECT_EQ(s->models[0].periodTicks, 90'000);
  ASSERT_EQ(s->models[0].params.size(), 3u);
  EXPECT_EQ(s->models[0].params[0].name, "file");
  EXPECT_TRUE(fs::exists(std::get<std::string>(s->models[0].params[0].value)));
  EXPECT_DOUBLE_EQ(std::get<double>(s->models[0].params[1].value), 3600.0);
  ASSERT_EQ(s->city.sources.size(), 1u);
  EXPECT_EQ(s->city.population, 0.0);
  EXPECT_EQ(s->timeseries.size(), 21u);  // with traffic.vehicles_running and mean_speed
}

TEST_F(ScenarioTest, ThreeMistakesAreAllReportedWithTheirLocations) {
  const std::string path = dataPath("scenarios/three_mistakes.yaml");
  auto s = load(path);
  ASSERT_FALSE(s);
  ASSERT_EQ(problems_.size(), 3u) << io::formatDiagnostics(problems_);
  const std::string text = io::formatDiagnostics(problems_);
  EXPECT_THAT(text, HasSubstr(path + ":6:7: 'seed' must be a whole number >= 0, got 'forty-two'"));
  EXPECT_THAT(text, HasSubstr(path + ":10:13: 'period': '15 minutes' is not a duration"));
  EXPECT_THAT(text, HasSubstr(path + ":12:11: unknown model type 'weather.tmyy'; did you mean "
                                     "'weather.tmy'?"));
}

TEST_F(ScenarioTest, AScenarioFileAboveTheSizeLimitIsRefusedBeforeItIsRead) {
  const std::string dir = makeTempDir("scenario-limit");
  // valid YAML: a 17 MiB comment after a scenario
  writeFile(dir + "/big.yaml", "name: big\n# " + std::string((17u << 20), 'x') + "\n");
  auto s = load(dir + "/big.yaml");
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(s);
  EXPECT_THAT(io::formatDiagnostics(problems_) + s.error().message,
              HasSubstr("big.yaml: the file is 17.0 MiB; scenario files are read whole and "
                        "limited to 16.0 MiB"));
}

TEST_F(ScenarioTest, UnknownKeySuggestsTheNearestAndIsReportedOnce) {
  auto s = loadText(
      "name: t\ntime:\n  start: 2026-06-17T00:00:00+02:00\n  duraton: 24h\n"
      "modles:\n  w: {type: weather.tmy, period: 1h}\n");
  ASSERT_FALSE(s);
  const std::string f = dir_ + "/s.yaml";
  EXPECT_THAT(
      lines(),
      ::testing::UnorderedElementsAre(
          HasSubstr(f + ":4:3: unknown key 'duraton' in 'time'; did you mean 'duration'?"),
          HasSubstr(f + ":5:1: unknown key 'modles' in the scenario; did you mean 'models'?")));
}

TEST_F(ScenarioTest, EachKindOfMistakeHasItsMessage) {
  auto s =
      loadText(std::string(kHeader) +
               "seed: 1\n"
               "models:\n"
               "  weather: {type: weather.tmy, period: 15min, file: missing.dat, colour: red}\n"
               "  a: {type: test.counter, period: 7ms}\n"
               "  b: {type: test.counter, period: 1s, gain: 2MW}\n"
               "  c: {type: test.counter, period: 1s}\n"
               "connect:\n"
               "  - [weather.wind_speed, c.load]\n"
               "  - [weather.ghi, b.lod]\n"
               "  - [a.total, b.load]\n"
               "  - [b.total, a.load]\n");
  ASSERT_FALSE(s);
  const std::string f = dir_ + "/s.yaml";
  const std::string all = io::formatDiagnostics(problems_);
  EXPECT_THAT(all, HasSubstr(f + ":7:53: parameter 'weather.file': file not found"));
  EXPECT_THAT(all, HasSubstr(f + ":7:66: model type weather.tmy has no parameter 'colour'"));
  EXPECT_THAT(all, HasSubstr(f + ":8:35: 'period' 7ms is not a multiple of the base tick 10ms"));
  EXPECT_THAT(all,
              HasSubstr(f + ":9:45: parameter 'b.gain': '2MW' is power, expected dimensionless"));
  EXPECT_THAT(all, HasSubstr(f + ":12:5: cannot connect weather.wind_speed [m/s] to c.load [W/m2]: "
                                 "unit mismatch"));
  EXPECT_THAT(all, HasSubstr(f + ":13:19: model 'b' (test.counter) has no input port 'lod'; did "
                                 "you mean 'load'?"));
  EXPECT_THAT(all, HasSubstr("feedback loop"));
  EXPECT_THAT(all, HasSubstr("add {delayed: true}"));
}

TEST_F(ScenarioTest, DelayedLinkMakesTheLoopValid) {
  auto s = loadText(std::string(kHeader) +
                    "models:\n"
                    "  a: {type: test.counter, period: 1s}\n"
                    "  b: {type: test.counter, period: 1s}\n"
                    "connect:\n"
                    "  - [a.total, b.load]\n"
                    "  - [b.total, a.load, {delayed: true, adapter: mean}]\n");
  ASSERT_TRUE(s) << io::formatDiagnostics(problems_);
  ASSERT_EQ(s->connections.size(), 2u);
  EXPECT_EQ(s->connections[1].link, core::LinkKind::Delayed);
  EXPECT_EQ(s->connections[1].adapter, core::Adapter::Mean);
}

TEST_F(ScenarioTest, YamlSyntaxErrorHasFileLineColumn) {
  auto s = loadText("name: t\ntime:\n  start: [2026\n  duration: 24h\n");
  ASSERT_FALSE(s);
  ASSERT_EQ(problems_.size(), 1u);
  EXPECT_THAT(problems_[0].str(), HasSubstr(dir_ + "/s.yaml:"));
  EXPECT_THAT(problems_[0].message, HasSubstr("YAML syntax error"));
  EXPECT_GT(problems_[0].where.line, 2);
}

TEST_F(ScenarioTest, WrongShapesAreNamed) {
  auto s = loadText("name: t\ntime: 24h\nmodels: [weather]\n");
  ASSERT_FALSE(s);
  EXPECT_THAT(lines(), ::testing::UnorderedElementsAre(
                           HasSubstr(":2:7: 'time' must be a map, found a value"),
                           HasSubstr(":3:9: 'models' must be a map, found a list")));
}

TEST_F(ScenarioTest, ExtendsDeepMergesAndSetOverridesWin) {
  auto s = load(dataPath("scenarios/variant.yaml"),
                {"models.counter.gain=5", "seed=99", "time.duration=330min"});
  ASSERT_TRUE(s) << io::formatDiagnostics(problems_);
  EXPECT_EQ(s->name, "test-variant");
  EXPECT_EQ(s->description, "weather and a counter fed by the irradiance");  // from the base
  EXPECT_EQ(s->seed, 99u);
  EXPECT_EQ(s->endTick, 330 * 60);
  ASSERT_EQ(s->models.size(), 2u);
  EXPECT_EQ(s->models[0].periodTicks, 900);  // variant: 15min at 1 s ticks
  auto param = [&](std::size_t m, const std::string& name) {
    for (const auto& p : s->models[m].params) {
      if (p.name == name)
        return std::get<double>(p.value);
    }
    return -1.0;
  };
  EXPECT_DOUBLE_EQ(param(0, "temperature_offset"), 2.0);
  EXPECT_DOUBLE_EQ(param(1, "gain"), 5.0);  // --set beats the variant's 3
  EXPECT_EQ(s->connections.size(), 1u);     // inherited
  ASSERT_EQ(s->interventions.size(), 2u);
  EXPECT_EQ(s->interventions[0].at, 3 * 3600);  // 03:00 on the start day
  EXPECT_EQ(s->interventions[1].at, 5 * 3600);  // +5h after the start
}

TEST_F(ScenarioTest, ErrorsInAVariantPointIntoTheVariant) {
  writeFile(dir_ + "/base.yaml",
            std::string(kHeader) + "models:\n  w: {type: weather.tmy, period: 1h}\n");
  writeFile(dir_ + "/v.yaml", "name: v\nextends: base.yaml\nmodels:\n  w:\n    period: 1 hour\n");
  auto s = load(dir_ + "/v.yaml");
  ASSERT_FALSE(s);
  ASSERT_EQ(problems_.size(), 1u);
  EXPECT_THAT(problems_[0].str(), HasSubstr(dir_ + "/v.yaml:5:13: 'period'"));
}

TEST_F(ScenarioTest, AVariantAppendsToItsBasesListsWithAPlus) {
  // a variant adding a model and its connection: "connect+" keeps the base's connections,
  // "connect" alone would replace them
  writeFile(dir_ + "/base.yaml", std::string(kHeader) +
                                     "models:\n"
                                     "  w: {type: weather.tmy, period: 1h}\n"
                                     "  c: {type: test.counter, period: 1h}\n"
                                     "connect:\n"
                                     "  - [w.ghi, c.load]\n"
                                     "outputs:\n"
                                     "  timeseries: [w.ambient_temperature]\n");
  writeFile(dir_ + "/v.yaml",
            "name: v\nextends: base.yaml\n"
            "models:\n  d: {type: test.counter, period: 1h}\n"
            "connect+:\n  - [w.ghi, d.load]\n"
            "outputs:\n  timeseries+: [w.ghi]\n");
  auto s = load(dir_ + "/v.yaml");
  ASSERT_TRUE(s) << io::formatDiagnostics(problems_);
  ASSERT_EQ(s->connections.size(), 2u);
  EXPECT_EQ(s->connections[0].toModel, "c");
  EXPECT_EQ(s->connections[1].toModel, "d");
  EXPECT_EQ(s->timeseries.size(), 2u);
  // the same variant with a plain "connect" replaces the list
  writeFile(dir_ + "/r.yaml",
            "name: r\nextends: base.yaml\n"
            "models:\n  d: {type: test.counter, period: 1h}\n"
            "connect:\n  - [w.ghi, d.load]\n");
  auto r = load(dir_ + "/r.yaml");
  ASSERT_TRUE(r) << io::formatDiagnostics(problems_);
  ASSERT_EQ(r->connections.size(), 1u);
  EXPECT_EQ(r->connections[0].toModel, "d");
  // in a file without a base, "connect+" is "connect"
  auto b = loadText(std::string(kHeader) +
                    "models:\n  w: {type: weather.tmy, period: 1h}\n"
                    "  c: {type: test.counter, period: 1h}\n"
                    "connect+:\n  - [w.ghi, c.load]\n");
  ASSERT_TRUE(b) << io::formatDiagnostics(problems_);
  EXPECT_EQ(b->connections.size(), 1u);
}

TEST_F(ScenarioTest, SetOverridesAreCheckedLikeFileContent) {
  auto s = load(dataPath("scenarios/base.yaml"), {"models.weather.perod=1h", "nonsense"});
  ASSERT_FALSE(s);
  const std::string all = io::formatDiagnostics(problems_);
  EXPECT_THAT(all,
              HasSubstr("--set[2]:1:1: 'nonsense' is not an override; expected key.path=value"));
  problems_.clear();
  s = load(dataPath("scenarios/base.yaml"), {"models.weather.perod=1h"});
  ASSERT_FALSE(s);
  EXPECT_THAT(io::formatDiagnostics(problems_),
              HasSubstr("--set[1]:1:16: model type weather.tmy has no parameter 'perod'; did you "
                        "mean 'period'?"));
}

TEST_F(ScenarioTest, ExtendsCycleIsRefused) {
  writeFile(dir_ + "/a.yaml", "name: a\nextends: b.yaml\n");
  writeFile(dir_ + "/b.yaml", "name: b\nextends: a.yaml\n");
  auto s = load(dir_ + "/a.yaml");
  ASSERT_FALSE(s);
  EXPECT_THAT(io::formatDiagnostics(problems_), HasSubstr("'extends' forms a cycle"));
}

TEST_F(ScenarioTest, NumbersMustBeFinite) {
  auto s = loadText(std::string(kHeader) +
                    "models:\n  c: {type: test.counter, period: 1s, gain: .nan}\n");
  ASSERT_FALSE(s);
  EXPECT_THAT(io::formatDiagnostics(problems_), HasSubstr("parameter 'c.gain'"));
}

TEST_F(ScenarioTest, InterventionsNeedRuntimeSettableParameters) {
  auto s = loadText(std::string(kHeader) +
                    "models:\n  w: {type: weather.tmy, period: 1h}\n"
                    "interventions:\n"
                    "  - {at: '08:00', set: {w.file_utc_offset: 2h}}\n"
                    "  - {at: '25:00', set: {w.temperature_offset: 1K}}\n"
                    "  - {at: 2026-06-17T10:00:00+02:00, set: {w.temperature_offset: 3K}}\n");
  ASSERT_FALSE(s);
  EXPECT_THAT(lines(), ::testing::UnorderedElementsAre(
                           HasSubstr(":8:25: parameter 'file_utc_offset' of weather.tmy cannot be "
                                     "changed during a run"),
                           HasSubstr(":9:10: '25:00' is not a time of day")));
  EXPECT_THAT(io::formatDiagnostics(problems_), ::testing::Not(HasSubstr("s.yaml:10:")));
}

TEST_F(ScenarioTest, CamerasAreCheckedAndConverted) {
  auto ok =
      loadText(std::string(kHeader) +
               "models:\n  w: {type: weather.tmy, period: 1h}\n"
               "cameras:\n"
               "  dom: {eye: [294200, 5627600, 420], target: [294350, 5628550, 0], fov: 45deg}\n"
               "  west: {box: [290200, 5626000, 293000, 5628500]}\n"
               "outputs:\n  renders: [{at: '08:00', camera: dom}, {at: '09:00', camera: dom}]\n");
  ASSERT_TRUE(ok) << io::formatDiagnostics(problems_);
  ASSERT_EQ(ok->cameras.size(), 2u);
  EXPECT_DOUBLE_EQ(ok->cameras[0].eye[2], 420.0);
  EXPECT_NEAR(ok->cameras[0].fovDeg, 45.0, 1e-9);
  EXPECT_TRUE(ok->cameras[1].fromBox);
  ASSERT_EQ(ok->renders.size(), 2u);
  EXPECT_EQ(ok->renders[0].file, "renders/dom-080000.png");  // one camera twice: times in names
  EXPECT_EQ(ok->renders[0].at, 8 * 360000);
  auto bad = loadText(std::string(kHeader) +
                      "models:\n  w: {type: weather.tmy, period: 1h}\n"
                      "cameras:\n"
                      "  overview: {box: [0, 0, 1, 1]}\n"
                      "  flat: {box: [10, 10, 5, 20]}\n"
                      "  lost: {eye: [1, 2, 3]}\n");
  ASSERT_FALSE(bad);
  EXPECT_THAT(lines(),
              ::testing::UnorderedElementsAre(
                  HasSubstr(":8:3: camera 'overview' is built in"),
                  HasSubstr(":9:15: 'box' must be [minE, minN, maxE, maxN] with max > min"),
                  HasSubstr(":10:9: camera 'lost' needs eye and target, or box")));
}

TEST(EditDistance, Levenshtein) {
  EXPECT_EQ(io::editDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(io::editDistance("", "abc"), 3u);
  EXPECT_EQ(io::editDistance("models", "modles"), 2u);
}

}  // namespace
}  // namespace twin::test
