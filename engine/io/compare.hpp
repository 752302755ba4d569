// SPDX-License-Identifier: Apache-2.0
// Side-by-side comparison of finished runs (citytwin compare): the KPIs of a baseline and its
// variants with absolute and relative differences, refused for runs of different cities or of
// incompatible citytwin versions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.hpp"

namespace twin::io {

// What a run folder holds that a comparison needs (run.json and kpis.csv).
struct RunRecord {
  std::string dir;
  std::string scenario;  // name
  std::string scenarioHash;
  std::string version;
  std::uint64_t seed = 0;
  std::string finalStateHash;
  std::string cityKey;  // CRS, source file names and building count; "" without a city
  struct Kpi {
    std::string name, unit, description;
    double value = 0.0;
  };
  std::vector<Kpi> kpis;  // in file order
};

// Reads a run folder; BadInput naming the file when it is not a complete citytwin run.
core::Result<RunRecord> readRun(const std::string& dir);

struct Comparison {
  std::vector<RunRecord> runs;  // [0] is the baseline
  struct Row {
    std::string kpi, unit, description;
    std::vector<std::optional<double>> values;  // per run; empty where a run lacks the KPI
  };
  std::vector<Row> rows;  // the baseline's order, then KPIs only variants have
};

// Checks that the runs can be compared (same city, same major.minor version) and lines their
// KPIs up. BadInput with the reason otherwise.
core::Result<Comparison> compareRuns(std::vector<RunRecord> runs);

// Renderings of a comparison: an aligned terminal table, CSV (long: kpi, unit, run, value,
// delta, delta_pct) and JSON.
std::string comparisonTable(const Comparison& c);
std::string comparisonCsv(const Comparison& c);
std::string comparisonJson(const Comparison& c);

}  // namespace twin::io
