// SPDX-License-Identifier: Apache-2.0
// The one-file HTML report (citytwin report / compare --report): scenarios, what changed, the
// KPI table, charts of differences and time series, maps, renders, data sources with licences
// and provenance; self-contained (inline CSS, SVG and PNG), printable on A4.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/status.hpp"
#include "io/compare.hpp"
#include "io/svg.hpp"

namespace twin::io {

// The entity-less series of a timeseries.csv: name -> unit and (hours since start, value).
struct SeriesData {
  std::string unit;
  std::vector<double> hours, values;
};
core::Result<std::map<std::string, SeriesData>> readTimeseries(const std::string& path);

// A data source the report credits: what, licence, the attribution it requires.
struct DataSource {
  std::string what, licence, attribution;
};
// The sources behind a run: its city files (OpenStreetMap, CityGML, DEM) and its models' data.
std::vector<DataSource> dataSourcesOf(const RunRecord& run);

// A map the report shows.
struct ReportMap {
  std::string title, unit;
  std::vector<svg::MapShape> shapes;
  bool diverging = false;
};

struct ReportInput {
  Comparison comparison;  // runs[0] is the baseline; one run is fine
  std::vector<std::map<std::string, SeriesData>> series;  // per run
  // per run: (file name, PNG bytes) of its renders
  std::vector<std::vector<std::pair<std::string, std::string>>> renders;
  std::vector<ReportMap> maps;
  std::string citytwinVersion;  // of the program writing the report
};

// A comparison of one run with itself (a report of a single run).
Comparison singleRun(RunRecord run);

// The report as one HTML5 document (UTF-8).
std::string reportHtml(const ReportInput& in);

// RFC 4648 base64 (for inline images).
std::string base64(const std::string& bytes);

}  // namespace twin::io
