// SPDX-License-Identifier: Apache-2.0
#include "core/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

namespace twin::core {
namespace {

std::mutex gSinkMutex;
LogSink gSink;  // empty: default sink
std::atomic<LogLevel> gLevel{LogLevel::Info};

void defaultSink(LogLevel level, std::string_view source, std::string_view message) {
  std::string line;
  line.reserve(message.size() + source.size() + 16);
  line += toString(level);
  line += ": ";
  if (!source.empty()) {
    line += '[';
    line += source;
    line += "] ";
  }
  line += message;
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

void log(LogLevel level, std::string_view source, std::string_view message) {
  if (level < gLevel.load(std::memory_order_relaxed) || level == LogLevel::Off) {
    return;
  }
  std::lock_guard lock(gSinkMutex);
  if (gSink) {
    gSink(level, source, message);
  } else {
    defaultSink(level, source, message);
  }
}

LogSink setLogSink(LogSink sink) {
  std::lock_guard lock(gSinkMutex);
  LogSink old = std::move(gSink);
  gSink = std::move(sink);
  return old;
}

void setLogLevel(LogLevel level) {
  gLevel.store(level);
}
LogLevel logLevel() {
  return gLevel.load();
}

bool parseLogLevel(std::string_view text, LogLevel& level) {
  for (int i = 0; i <= static_cast<int>(LogLevel::Off); ++i) {
    auto candidate = static_cast<LogLevel>(i);
    if (text == toString(candidate)) {
      level = candidate;
      return true;
    }
  }
  return false;
}

std::string_view toString(LogLevel level) {
  switch (level) {
    case LogLevel::Trace:
      return "trace";
    case LogLevel::Debug:
      return "debug";
    case LogLevel::Info:
      return "info";
    case LogLevel::Warning:
      return "warning";
    case LogLevel::Error:
      return "error";
    case LogLevel::Off:
      return "off";
  }
  return "?";
}

}  // namespace twin::core
