// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/scheduler.hpp"
#include "io/atomic_file.hpp"
#include "io/scenario.hpp"

namespace twin::io {

// Shortest text that reads back to the same double ("0.1", "1e+21"); "nan"/"inf" as such.
std::string formatNumber(double value);

// Person-derived results (privacy by construction): a value whose unit counts people ("person",
// "person/h") is suppressed in every export when it describes fewer than `minGroup` people
// (0 < value < minGroup): written empty (NaN), counted. Returns the value to export.
bool personDerived(const std::string& unit);
double suppressSmallGroup(double value, const std::string& unit, std::int64_t minGroup,
                          std::uint64_t& suppressed);

// One row of kpis.csv.
struct KpiRow {
  std::string kpi;  // "<instance>.<kpi>"
  double value = 0.0;
  std::string unit;
  std::string description;
};

// kpis.csv text: header "kpi,value,unit,description", then rows in the given order.
std::string kpiCsv(const std::vector<KpiRow>& rows);

// Observer that appends the scenario's `outputs.timeseries` to timeseries.csv in long format
// `time_s,series,entity,value,unit`, one row per value each time the producer commits.
class TimeseriesRecorder {
 public:
  static core::Result<TimeseriesRecorder> create(const std::string& path, const Scenario& scenario,
                                                 const core::Scheduler& scheduler);
  void observe(const core::Scheduler& scheduler, core::Tick tick);
  std::uint64_t rows() const { return rows_; }
  std::uint64_t suppressed() const { return suppressed_; }
  core::Status commit();

 private:
  struct Series {
    std::size_t model = 0;
    std::size_t output = 0;
    std::string name;
    std::string unit;
    bool entity = false;
  };
  explicit TimeseriesRecorder(AtomicFile file) : file_(std::move(file)) {}
  AtomicFile file_;
  std::vector<Series> series_;
  std::string buffer_;
  std::uint64_t rows_ = 0;
  std::uint64_t suppressed_ = 0;
  std::int64_t minGroup_ = 5;
};

}  // namespace twin::io
