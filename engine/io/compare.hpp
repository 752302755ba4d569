// SPDX-License-Identifier: Apache-2.0
// Side-by-side comparison of finished runs (citytwin compare): the KPIs of a baseline and its
// variants with absolute and relative differences, refused for runs of different cities or of
// incompatible citytwin versions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
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
  std::vector<Kpi> kpis;  // in file order; for replicates, the mean over them
  // what the report shows (run.json)
  std::string description;
  std::string file;
  std::string gitRevision;
  std::vector<std::pair<std::string, std::string>> settings;  // merged scenario leaves
  std::vector<std::string> renders;                           // relative to dir
  std::string timeseries;                                     // relative to dir, "" if none
  std::string results;                                        // results.gpkg or ""
  std::vector<std::string> citySources;                       // file names
  std::map<std::string, double> cityFigures;
  std::vector<std::pair<std::string, std::string>> plugins;  // name, version
  std::string simStart, simEnd;
  double wallTimeS = 0.0;
  int threads = 0;
  std::uint64_t suppressedValues = 0;  // person counts under outputs.min_group, left out
  // replicates (a sweep point folder with r01, r02, ... run folders): their seeds and state
  // hashes, and every KPI's value per replicate in the same order; empty for a single run
  std::vector<std::string> replicateDirs;
  std::vector<std::uint64_t> replicateSeeds;
  std::vector<std::string> replicateHashes;
  std::map<std::string, std::vector<double>> samples;
};

// Reads a run folder; BadInput naming the file when it is not a complete citytwin run. A folder
// of replicates (subfolders r01, r02, ... each a run of the same scenario, as `citytwin sweep
// --replicates` writes them) reads as one record whose KPIs are the replicate means.
core::Result<RunRecord> readRun(const std::string& dir);

struct Comparison {
  std::vector<RunRecord> runs;  // [0] is the baseline
  struct Row {
    std::string kpi, unit, description;
    std::vector<std::optional<double>> values;  // per run; empty where a run lacks the KPI
    // with replicates: half width of the 95 % confidence interval of each run's mean, and per
    // variant whether its difference to the baseline is significant at 5 % (a paired t test
    // over replicates with the same seeds, which common random numbers make the right test;
    // Welch's interval otherwise); empty without replicates
    std::vector<std::optional<double>> ciHalf;
    std::vector<std::optional<bool>> significant;
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
