// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/scheduler.hpp"
#include "io/recorder.hpp"
#include "io/scenario.hpp"
#include "plugin/loader.hpp"

namespace twin::io {

// Creates every model instance of a validated scenario and wires them into a Scheduler.
// `city`: what the models are told about the scenario's city (null: none).
// `isolation`: every plugin model in a child process of its own (--isolate-plugins).
struct Isolation {
  bool enabled = false;
  double callTimeoutS = 0.0;  // > 0: a call into a model's process that takes longer stops it
};
core::Result<std::unique_ptr<core::Scheduler>> buildScheduler(
    const Scenario& scenario, core::Executor* executor, bool profile,
    const plugin::ModelCity* city = nullptr, const Isolation& isolation = {});

// Facts about the city the run was built on, recorded in run.json (filled by the caller, which
// owns the GIS module).
struct CityInfo {
  bool present = false;
  std::string crs;
  double originE = 0.0;
  double originN = 0.0;
  std::vector<std::string> sources;
  std::map<std::string, double> figures;          // buildings, road_km, residents, ...
  std::map<std::string, std::uint64_t> problems;  // reason -> count
  plugin::ModelCity forModels;                    // extent and entity counts (TwinCityInfo)
};

// What `citytwin run` asks for.
// The road-link layers sampled every outputs.link_series during a run: at each sample its
// time (ISO 8601, the end of the interval) and every link layer's values then.
struct LinkSeries {
  std::vector<std::string> columns;  // layer names with their units ("traffic.flow", "1")
  std::vector<std::string> units;
  std::vector<std::string> times;
  std::vector<std::vector<std::vector<double>>> values;  // [sample][column][link]
};

struct RunRequest {
  const Scenario* scenario = nullptr;
  std::string outDir;
  core::Executor* executor = nullptr;  // null: serial
  int threads = 1;                     // recorded in run.json
  std::string version;                 // citytwin version
  std::string gitRevision;
  std::map<std::string, std::string> libraries;  // name -> version, recorded in run.json
  CityInfo city;
  // Writes the picture of outputs.renders[i] with the models' published `frame` to `file` (the
  // caller owns the renderer); called when the run has processed every tick up to the
  // render's time. Null: renders are skipped.
  std::function<core::Status(const RenderSpec& render, const core::Frame& frame,
                             const std::string& file)>
      render;
  // Writes the per-entity results of the finished run (results.gpkg) into the staging folder
  // `dir` from the models' last published `frame`; returns the file name written, relative to
  // the run folder (the caller owns the GIS module). Null: no results file.
  // `series`: the link layers sampled every outputs.link_series (empty when off or none).
  std::function<core::Result<std::string>(const core::Frame& frame, const LinkSeries& series,
                                          const std::string& dir)>
      results;
  // Step watchdog (--step-timeout): when one model step runs longer than stepTimeoutS (> 0),
  // the staging folder is removed and onStepTimeout is called from the watchdog thread with the
  // model's name and type, the tick and the seconds so far; it must end the process (a step
  // cannot be interrupted).
  double stepTimeoutS = 0.0;
  std::function<void(const std::string& model, const std::string& type, core::Tick tick,
                     double seconds)>
      onStepTimeout;
  // --isolate-plugins: each model instance runs in a child process; a crash there fails the
  // run with the model's name (exit 1) instead of ending the engine. With stepTimeoutS, a step
  // that runs longer stops the model's process and fails the run the same way (the watchdog
  // above is not used).
  bool isolatePlugins = false;
  // Called after every processed tick (progress display); must not change anything.
  std::function<void(const core::Scheduler&, core::Tick)> onTick;
};

// What a finished run produced.
struct RunSummary {
  std::string outDir;
  std::vector<KpiRow> kpis;
  std::string finalStateHash;  // 16 hex digits
  double wallTimeS = 0.0;
  std::uint64_t modelSteps = 0;
  std::uint64_t timeseriesRows = 0;
};

// Runs a validated scenario and writes run.json, kpis.csv and timeseries.csv (DESIGN.md §5)
// atomically: on any failure no output folder is published and earlier results stay as they
// were. A model failure names the model, its plugin file and the simulated time.
core::Result<RunSummary> runScenario(const RunRequest& request);

}  // namespace twin::io
