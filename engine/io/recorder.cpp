// SPDX-License-Identifier: Apache-2.0
#include "io/recorder.hpp"

#include <charconv>
#include <cmath>

namespace twin::io {

bool personDerived(const std::string& unit) {
  return unit == "person" || unit.rfind("person/", 0) == 0;
}

double suppressSmallGroup(double value, const std::string& unit, std::int64_t minGroup,
                          std::uint64_t& suppressed) {
  if (!personDerived(unit) || !(value > 0.0) || value >= static_cast<double>(minGroup))
    return value;
  ++suppressed;
  return NAN;
}

std::string formatNumber(double value) {
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return value > 0 ? "inf" : "-inf";
  if (value == 0.0)
    return "0";  // also folds -0
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value);
  if (ec != std::errc())
    return "nan";
  return std::string(buf, ptr);
}

namespace {
std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos)
    return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"')
      out += '"';
    out += c;
  }
  return out + "\"";
}
}  // namespace

std::string kpiCsv(const std::vector<KpiRow>& rows) {
  std::string out = "kpi,value,unit,description\n";
  for (const KpiRow& r : rows) {
    out += csvField(r.kpi) + "," + formatNumber(r.value) + "," + csvField(r.unit) + "," +
           csvField(r.description) + "\n";
  }
  return out;
}

core::Result<TimeseriesRecorder> TimeseriesRecorder::create(const std::string& path,
                                                            const Scenario& scenario,
                                                            const core::Scheduler& scheduler) {
  auto f = AtomicFile::create(path);
  if (!f)
    return core::Unexpected(f.error());
  TimeseriesRecorder r(std::move(*f));
  for (const SeriesSpec& s : scenario.timeseries) {
    const int m = scheduler.findModel(s.model);
    const int o = m >= 0 ? scheduler.findOutput(static_cast<std::size_t>(m), s.port) : -1;
    if (o < 0) {
      return core::fail(core::ErrorCode::Internal,
                        "time series " + s.model + "." + s.port + " not found in the scheduler");
    }
    const core::PortSpec& spec =
        scheduler.outputSpec(static_cast<std::size_t>(m), static_cast<std::size_t>(o));
    r.series_.push_back({static_cast<std::size_t>(m), static_cast<std::size_t>(o),
                         s.model + "." + s.port, spec.unit, spec.shape == core::PortShape::Entity});
  }
  r.file_.write("time_s,series,entity,value,unit\n");
  r.minGroup_ = scenario.minGroup;
  return r;
}

void TimeseriesRecorder::observe(const core::Scheduler& scheduler, core::Tick tick) {
  if (series_.empty())
    return;
  std::string timeText;
  for (const Series& s : series_) {
    if (scheduler.outputCommitTick(s.model, s.output) != tick)
      continue;
    if (timeText.empty())
      timeText = formatNumber(scheduler.calendar().seconds(tick));
    const auto values = scheduler.outputValue(s.model, s.output);
    for (std::size_t i = 0; i < values.size(); ++i) {
      buffer_ += timeText;
      buffer_ += ',';
      buffer_ += s.name;
      buffer_ += ',';
      if (s.entity)
        buffer_ += std::to_string(i);
      buffer_ += ',';
      const double v = suppressSmallGroup(values[i], s.unit, minGroup_, suppressed_);
      if (!std::isnan(v) || std::isnan(values[i]))
        buffer_ += formatNumber(v);
      buffer_ += ',';
      buffer_ += s.unit;
      buffer_ += '\n';
      ++rows_;
    }
  }
  if (buffer_.size() > (1u << 16)) {
    file_.write(buffer_);
    buffer_.clear();
  }
}

core::Status TimeseriesRecorder::commit() {
  file_.write(buffer_);
  buffer_.clear();
  return file_.commit();
}

}  // namespace twin::io
