// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "core/log.hpp"

namespace twin::test {

// Base fixture: fails the test when anything logs a warning or an error that the test did not
// declare as expected with expectLog() (as MuJoCo's test fixture does).
class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Declares that a warning/error containing `fragment` is part of the test.
  void expectLog(std::string fragment) { expected_.push_back(std::move(fragment)); }
  // Warnings and errors logged so far.
  std::vector<std::string> logged() const;

 private:
  std::vector<std::string> expected_;
  mutable std::mutex mutex_;
  std::vector<std::string> logged_;
  core::LogSink previous_;
};

// Path of a file under tests/data.
std::string dataPath(const std::string& relative);
// A fresh empty directory under the system temp folder, removed by the caller's TearDown.
std::string makeTempDir(const std::string& tag);
// Whole content of a file ("" when it cannot be read).
std::string readFile(const std::string& path);
void writeFile(const std::string& path, const std::string& content);

// Runs a shell command; returns its exit status and what it printed.
struct CommandResult {
  int exitCode = -1;
  std::string out;
  std::string err;
};
CommandResult runCommand(const std::string& command);

}  // namespace twin::test
