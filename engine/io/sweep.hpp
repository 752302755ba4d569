// SPDX-License-Identifier: Apache-2.0
// Parameter sweeps (citytwin sweep): the cross product of --vary axes times replicates, one run
// folder each, and the summary tables over them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.hpp"
#include "io/compare.hpp"

namespace twin::io {

// One --vary: a scenario key and the values it takes ("models.energy.ev_share=0,0.1,0.3").
struct SweepAxis {
  std::string key;
  std::vector<std::string> values;
};

// Parses "key.path=v1,v2,..." (values in YAML syntax, no commas inside); BadInput otherwise.
core::Result<SweepAxis> parseVary(const std::string& text);

// One run of a sweep.
struct SweepRun {
  std::string point;                                      // "a=1,b=x" (the folder name)
  std::vector<std::pair<std::string, std::string>> sets;  // key, value
  int replicate = 0;                                      // 1-based; 0 without --replicates
  std::uint64_t seed = 0;
  std::string dir;  // run folder: <out>/<point> or <out>/<point>/rNN
};

// The cross product of `axes` (first axis slowest) times `replicates` (0: one run per point,
// seeded with `baseSeed`; N >= 1: replicates r01..rNN seeded baseSeed + r - 1). The seeds depend
// on the replicate number alone, so every point's replicate r uses the same random numbers
// (common random numbers) whichever process runs it. BadInput for an empty or duplicate axis,
// or a point folder name that would not be a plain file name.
core::Result<std::vector<SweepRun>> expandSweep(const std::vector<SweepAxis>& axes, int replicates,
                                                std::uint64_t baseSeed, const std::string& outDir);

// What became of one run.
struct SweepOutcome {
  int exitCode = 0;
  std::string error;  // the run's last error line when it failed
  std::optional<RunRecord> record;
};

// sweep.csv: one row per run (point, each axis value, replicate, seed, status, then every
// KPI's value in the first successful run's order).
std::string sweepRunsCsv(const std::vector<SweepAxis>& axes, const std::vector<SweepRun>& runs,
                         const std::vector<SweepOutcome>& outcomes);

// summary.csv: one row per point and KPI: n, mean, 95 % confidence interval (Student t) over
// the point's successful replicates.
std::string sweepSummaryCsv(const std::vector<SweepAxis>& axes, const std::vector<SweepRun>& runs,
                            const std::vector<SweepOutcome>& outcomes);

}  // namespace twin::io
