// SPDX-License-Identifier: Apache-2.0
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "io/atomic_file.hpp"
#include "io/recorder.hpp"
#include "support/twin_test.hpp"

namespace twin::test {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class Outputs : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    dir_ = makeTempDir("outputs");
  }
  void TearDown() override {
    fs::remove_all(dir_);
    EngineTest::TearDown();
  }
  std::string dir_;
};

TEST_F(Outputs, NumbersRoundTripExactly) {
  EXPECT_EQ(io::formatNumber(0.1), "0.1");
  EXPECT_EQ(io::formatNumber(-0.0), "0");
  EXPECT_EQ(io::formatNumber(1e21), "1e+21");
  EXPECT_EQ(io::formatNumber(293.15), "293.15");
  EXPECT_EQ(std::stod(io::formatNumber(1.0 / 3.0)), 1.0 / 3.0);
}

TEST_F(Outputs, KpiCsvQuotesWhatNeedsQuoting) {
  const std::string csv = io::kpiCsv({{"energy.peak_load", 12.5, "MW", "peak, over the day"},
                                      {"weather.note", 1, "1", "says \"hi\""}});
  EXPECT_EQ(csv,
            "kpi,value,unit,description\n"
            "energy.peak_load,12.5,MW,\"peak, over the day\"\n"
            "weather.note,1,1,\"says \"\"hi\"\"\"\n");
}

TEST_F(Outputs, AtomicFileIsInvisibleUntilCommitted) {
  const std::string path = dir_ + "/kpis.csv";
  {
    auto f = io::AtomicFile::create(path);
    ASSERT_TRUE(f);
    f->write("half a fi");
    EXPECT_FALSE(fs::exists(path));
    // destroyed without commit: the temporary file is gone too
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_empty(dir_));
  ASSERT_TRUE(io::writeFileAtomic(path, "kpi,value\n"));
  EXPECT_EQ(readFile(path), "kpi,value\n");
}

TEST_F(Outputs, FolderIsPublishedOnlyOnCommitAndKeepsTheOldRunOtherwise) {
  const std::string out = dir_ + "/run";
  {
    auto folder = io::OutputFolder::begin(out);
    ASSERT_TRUE(folder);
    ASSERT_TRUE(io::writeFileAtomic(folder->stagingPath() + "/run.json", "{\"v\":1}\n"));
    EXPECT_FALSE(fs::exists(out));
    ASSERT_TRUE(folder->commit());
  }
  EXPECT_EQ(readFile(out + "/run.json"), "{\"v\":1}\n");
  {
    // a second run that fails (no commit) leaves the first one untouched and no staging folder
    auto folder = io::OutputFolder::begin(out);
    ASSERT_TRUE(folder);
    ASSERT_TRUE(io::writeFileAtomic(folder->stagingPath() + "/kpis.csv", "partial"));
  }
  EXPECT_EQ(readFile(out + "/run.json"), "{\"v\":1}\n");
  EXPECT_FALSE(fs::exists(out + "/kpis.csv"));
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_))
    ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST_F(Outputs, RefusesToReplaceAFolderThatIsNoRunFolder) {
  writeFile(dir_ + "/home/thesis.tex", "precious");
  auto folder = io::OutputFolder::begin(dir_ + "/home");
  ASSERT_FALSE(folder);
  EXPECT_THAT(folder.error().message, HasSubstr("not a citytwin output folder"));
  EXPECT_EQ(readFile(dir_ + "/home/thesis.tex"), "precious");
}

TEST_F(Outputs, StaleStagingFoldersOfDeadRunsAreCleanedUp) {
  // pid 999999999 cannot exist (pid_max is at most 2^22)
  fs::create_directories(dir_ + "/run.tmp-999999999");
  auto folder = io::OutputFolder::begin(dir_ + "/run");
  ASSERT_TRUE(folder);
  EXPECT_FALSE(fs::exists(dir_ + "/run.tmp-999999999"));
}

}  // namespace
}  // namespace twin::test
