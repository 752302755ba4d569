// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <string_view>

namespace twin::core {

enum class LogLevel { Trace = 0, Debug = 1, Info = 2, Warning = 3, Error = 4, Off = 5 };

// Receives every log record at or above the current level. Called from any thread; the sink
// must be thread-safe (the default one writes whole lines to stderr under a mutex).
using LogSink =
    std::function<void(LogLevel level, std::string_view source, std::string_view message)>;

// Sends one record to the sink: `source` names the module or model instance ("io", "weather").
void log(LogLevel level, std::string_view source, std::string_view message);

// Replaces the sink; an empty function restores the default stderr sink. Returns the old one.
LogSink setLogSink(LogSink sink);

// Records below `level` are dropped before they reach the sink.
void setLogLevel(LogLevel level);
LogLevel logLevel();

// Parses "trace", "debug", "info", "warning", "error", "off"; false when unknown.
bool parseLogLevel(std::string_view text, LogLevel& level);
std::string_view toString(LogLevel level);

}  // namespace twin::core
