// SPDX-License-Identifier: Apache-2.0
// Sweeps: --vary parsing, the cross product with replicate seeds (common random numbers), the
// statistics of replicated KPIs, and the flattened scenario a report diffs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "io/stats.hpp"
#include "io/sweep.hpp"
#include "io/yaml_tree.hpp"
#include "twin/plugin.hpp"

namespace twin::io {
namespace {

using ::testing::HasSubstr;

TEST(Stats, StudentQuantilesMatchTheTable) {
  // two-sided 95 %: t(1) = 12.706, t(10) = 2.228, t(30) = 2.042; beyond the table the
  // expansion approaches the normal 1.960 (t(60) = 2.000, t(120) = 1.980 in printed tables)
  EXPECT_DOUBLE_EQ(tQuantile975(1), 12.706);
  EXPECT_DOUBLE_EQ(tQuantile975(10), 2.228);
  EXPECT_DOUBLE_EQ(tQuantile975(30), 2.042);
  EXPECT_NEAR(tQuantile975(60), 2.000, 0.001);
  EXPECT_NEAR(tQuantile975(120), 1.980, 0.001);
  EXPECT_NEAR(tQuantile975(100000), 1.960, 0.001);
}

TEST(Stats, MeanAndIntervalOfAWorkedExample) {
  // 1..5: mean 3, s = sqrt(2.5) = 1.5811, half width t(4) s / sqrt(5) = 2.776 * 0.70711
  const MeanCi m = meanCi95({1, 2, 3, 4, 5});
  EXPECT_TRUE(m.valid);
  EXPECT_EQ(m.n, 5u);
  EXPECT_DOUBLE_EQ(m.mean, 3.0);
  EXPECT_NEAR(m.half, 1.96293, 1e-5);
  const MeanCi one = meanCi95({7});
  EXPECT_FALSE(one.valid);
  EXPECT_DOUBLE_EQ(one.mean, 7.0);
}

TEST(Sweep, VaryParsesKeysAndValuesAndRefusesNonsense) {
  auto a = parseVary("models.energy.ev_share=0, 0.1,0.3");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->key, "models.energy.ev_share");
  EXPECT_EQ(a->values, (std::vector<std::string>{"0", "0.1", "0.3"}));
  for (const char* bad : {"ev_share", "=1,2", "x=1,,2", "x=", "x=1,1", "a b=1"}) {
    auto r = parseVary(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, core::ErrorCode::BadInput);
      EXPECT_THAT(r.error().message, HasSubstr("--vary")) << bad;
    }
  }
}

TEST(Sweep, CrossProductNamesFoldersAndSharesSeedsAcrossPoints) {
  const std::vector<SweepAxis> axes{{"models.a.x", {"1", "2"}}, {"models.b.y", {"p", "q"}}};
  auto runs = expandSweep(axes, 0, 42, "out/s");
  ASSERT_TRUE(runs) << runs.error().message;
  ASSERT_EQ(runs->size(), 4u);
  EXPECT_EQ((*runs)[0].point, "x=1,y=p");
  EXPECT_EQ((*runs)[1].point, "x=1,y=q");
  EXPECT_EQ((*runs)[3].point, "x=2,y=q");
  EXPECT_EQ((*runs)[3].dir, "out/s/x=2,y=q");
  EXPECT_EQ((*runs)[2].sets, (std::vector<std::pair<std::string, std::string>>{
                                 {"models.a.x", "2"}, {"models.b.y", "p"}}));
  for (const SweepRun& r : *runs) {
    EXPECT_EQ(r.seed, 42u);
    EXPECT_EQ(r.replicate, 0);
  }
  // replicates: r01..r03 with seeds 42..44, the same for every point
  auto reps = expandSweep(axes, 3, 42, "out/s");
  ASSERT_TRUE(reps);
  ASSERT_EQ(reps->size(), 12u);
  EXPECT_EQ((*reps)[0].dir, "out/s/x=1,y=p/r01");
  EXPECT_EQ((*reps)[11].dir, "out/s/x=2,y=q/r03");
  for (const SweepRun& r : *reps)
    EXPECT_EQ(r.seed, 42u + static_cast<std::uint64_t>(r.replicate - 1)) << r.dir;
  // replicates alone
  auto only = expandSweep({}, 2, 7, "o");
  ASSERT_TRUE(only);
  EXPECT_EQ((*only)[1].dir, "o/replicates/r02");
}

TEST(Sweep, AVariedSeedIsThePointsSeedAndItsReplicatesCountFromIt) {
  // before, each run's --seed (the base seed + r - 1) replaced the varied value, so every
  // point ran with the same numbers
  auto runs = expandSweep({{"seed", {"5", "9"}}}, 2, 42, "o");
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 4u);
  EXPECT_EQ((*runs)[0].seed, 5u);
  EXPECT_EQ((*runs)[1].seed, 6u);
  EXPECT_EQ((*runs)[2].seed, 9u);
  EXPECT_EQ((*runs)[3].seed, 10u);
  auto single = expandSweep({{"seed", {"7"}}}, 0, 42, "o");
  ASSERT_TRUE(single);
  EXPECT_EQ((*single)[0].seed, 7u);
  auto bad = expandSweep({{"seed", {"-1"}}}, 0, 42, "o");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("--vary seed: '-1' is not a whole number"), std::string::npos);
}

TEST(Sweep, RefusesEmptyDuplicateAndUnnameablePoints) {
  EXPECT_FALSE(expandSweep({}, 0, 1, "o"));
  EXPECT_FALSE(expandSweep({{"a", {"1"}}, {"a", {"2"}}}, 0, 1, "o"));
  EXPECT_FALSE(expandSweep({{"a", {"x/y"}}}, 0, 1, "o"));
  // different keys whose last parts collide
  auto clash = expandSweep({{"m.a.x", {"1"}}, {"m.b.x", {"1"}}}, 0, 1, "o");
  EXPECT_TRUE(clash);  // "x=1,x=1" is one folder for one point: fine
  auto twoPoints = expandSweep({{"m.a.x", {"1", "2"}}}, -1, 1, "o");
  EXPECT_FALSE(twoPoints);
}

TEST(Sweep, SummaryAveragesReplicatesAndListsFailures) {
  const std::vector<SweepAxis> axes{{"models.m.k", {"1"}}};
  auto runs = expandSweep(axes, 3, 5, "o");
  ASSERT_TRUE(runs);
  std::vector<SweepOutcome> outcomes(3);
  for (int i = 0; i < 2; ++i) {
    RunRecord r;
    r.kpis.push_back({"m.v", "kW", "a value", i == 0 ? 1.0 : 3.0});
    outcomes[static_cast<std::size_t>(i)].record = r;
  }
  outcomes[2] = {1, "model 'm' failed at 08:00", {}};
  const std::string all = sweepRunsCsv(axes, *runs, outcomes);
  EXPECT_THAT(all, HasSubstr("point,models.m.k,replicate,seed,status,error,m.v [kW]\n"));
  EXPECT_THAT(all, HasSubstr("k=1,1,1,5,ok,,1\n"));
  EXPECT_THAT(all, HasSubstr("k=1,1,3,7,failed,model 'm' failed at 08:00,\n"));
  const std::string sum = sweepSummaryCsv(axes, *runs, outcomes);
  // two successful replicates: mean 2, s = 1.4142, t(1) = 12.706 -> half 12.706
  EXPECT_THAT(sum, HasSubstr("k=1,1,m.v,kW,2,2,-10.706,14.706\n"));
}

TEST(Scenario, FlattenedLeavesNameEveryValue) {
  std::vector<Diagnostic> problems;
  auto n = parseYaml(
      "name: a\nmodels:\n  w: {type: x, period: 15min}\nlist: [1, {k: v}]\n"
      "empty: {}\n",
      "f.yaml", problems);
  ASSERT_TRUE(n);
  const auto flat = flattenTree(*n);
  const std::vector<std::pair<std::string, std::string>> want{
      {"name", "a"},    {"models.w.type", "x"}, {"models.w.period", "15min"},
      {"list[0]", "1"}, {"list[1].k", "v"},     {"empty", "{}"}};
  EXPECT_EQ(flat, want);
}

TEST(CommonRandomNumbers, AnEntitysStreamDependsOnSeedInstanceAndIdAlone) {
  auto draw = [](std::uint64_t seed, const char* inst, std::uint64_t id) {
    sdk::EntityRandom r(seed, inst, id);
    std::vector<std::uint64_t> v;
    for (int i = 0; i < 4; ++i)
      v.push_back(r.next());
    return v;
  };
  // the same entity draws the same numbers whatever was drawn for others before
  const auto a = draw(42, "traffic", 7);
  (void)draw(42, "traffic", 8);
  EXPECT_EQ(draw(42, "traffic", 7), a);
  EXPECT_NE(draw(42, "traffic", 8), a);
  EXPECT_NE(draw(43, "traffic", 7), a);
  EXPECT_NE(draw(42, "energy", 7), a);
  // neighbouring ids are not correlated in their first draw: 10,000 ids, first draws uniform
  std::set<std::uint64_t> firsts;
  double mean = 0.0;
  for (std::uint64_t id = 0; id < 10000; ++id) {
    sdk::EntityRandom r(1, "m", id);
    const double u = r.uniform();
    mean += u / 10000.0;
    firsts.insert(sdk::EntityRandom(1, "m", id).next());
  }
  EXPECT_EQ(firsts.size(), 10000u);
  EXPECT_NEAR(mean, 0.5, 0.01);  // 4.3 standard errors of 1/sqrt(12 * 10000)
}

}  // namespace
}  // namespace twin::io
