// SPDX-License-Identifier: Apache-2.0
#include "support/twin_test.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace twin::test {
namespace fs = std::filesystem;

void EngineTest::SetUp() {
  previous_ = core::setLogSink(
      [this](core::LogLevel level, std::string_view source, std::string_view message) {
        if (level < core::LogLevel::Warning)
          return;
        std::lock_guard lock(mutex_);
        logged_.push_back(std::string(source) + ": " + std::string(message));
      });
}

void EngineTest::TearDown() {
  core::setLogSink(std::move(previous_));
  std::lock_guard lock(mutex_);
  for (const std::string& line : logged_) {
    bool ok = false;
    for (const std::string& e : expected_)
      ok = ok || line.find(e) != std::string::npos;
    EXPECT_TRUE(ok) << "unexpected warning or error logged: " << line;
  }
}

std::vector<std::string> EngineTest::logged() const {
  std::lock_guard lock(mutex_);
  return logged_;
}

std::string dataPath(const std::string& relative) {
  return std::string(TWIN_TEST_DATA_DIR) + "/" + relative;
}

std::string makeTempDir(const std::string& tag) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = "citytwin-" + tag + "-" + std::to_string(::getpid());
  if (info != nullptr)
    name += std::string("-") + info->name();
  fs::path p = fs::temp_directory_path() / name;
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeFile(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
}

CommandResult runCommand(const std::string& command) {
  const fs::path dir = fs::temp_directory_path();
  const std::string base = (dir / ("citytwin-cmd-" + std::to_string(::getpid()))).string();
  const std::string full = "(" + command + ") >" + base + ".out 2>" + base + ".err";
  const int status = std::system(full.c_str());
  CommandResult r;
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = readFile(base + ".out");
  r.err = readFile(base + ".err");
  fs::remove(base + ".out");
  fs::remove(base + ".err");
  return r;
}

}  // namespace twin::test
