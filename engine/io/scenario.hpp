// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/status.hpp"
#include "core/time.hpp"
#include "io/yaml_tree.hpp"
#include "plugin/loader.hpp"

namespace twin::io {

// A scenario file after `extends:` and `--set` were applied, not yet validated.
struct ScenarioDocument {
  std::string path;                // the file named on the command line
  std::vector<std::string> files;  // every file read, the named one first, then its bases
  Node root;                       // merged tree
};

// Reads a scenario, follows `extends:` (paths relative to the extending file; cycles are an
// error), deep-merges each variant over its base and applies `--set key.path=value` overrides
// (value in YAML syntax). Syntax problems come back as file:line:col diagnostics.
core::Result<ScenarioDocument> loadScenarioDocument(const std::string& path,
                                                    const std::vector<std::string>& sets,
                                                    std::vector<Diagnostic>& problems);

// Plugin search paths a scenario names (top-level `plugin_paths:`), resolved to its file.
std::vector<std::string> scenarioPluginPaths(const ScenarioDocument& doc);

struct ModelInstanceSpec {
  std::string name;
  std::string typeName;
  const plugin::ModelType* type = nullptr;  // owned by the registry used for validation
  std::int64_t periodNs = 0;
  core::Tick periodTicks = 1;
  std::vector<core::ParamValue> params;  // every declared parameter, defaults filled in
  Location where;
};

struct ConnectionSpec {
  std::string fromModel, fromPort, toModel, toPort;
  core::LinkKind link = core::LinkKind::Direct;
  core::Adapter adapter = core::Adapter::Hold;
  Location where;
};

struct InterventionSpec {
  core::Tick at = 0;
  std::string atText;
  std::string model;
  core::ParamValue value;
  Location where;
};

// A camera the scenario defines (top-level `cameras:`), in the scenario CRS (absolute metres):
// either eye + target, or a box to look at obliquely from the south.
struct CameraSpec {
  std::string name;
  bool fromBox = false;
  std::array<double, 3> eye{};
  std::array<double, 3> target{};
  std::array<double, 4> box{};  // minE, minN, maxE, maxN
  double fovDeg = 40.0;
  Location where;
};

// A picture the run writes (outputs.renders): the city at a sim time through a named camera.
struct RenderSpec {
  core::Tick at = 0;
  std::string atText;
  std::string camera = "overview";
  int width = 1280;
  int height = 720;
  std::string file;  // relative to the run folder: renders/<camera>.png or <camera>-HHMM.png
  // the published layers drawn (names "<model>.<layer>"); unset: all, empty: none
  std::optional<std::vector<std::string>> layers;
  Location where;
};

struct SeriesSpec {
  std::string model;
  std::string port;
  Location where;
};

// One city source as the scenario names it: a path, or a map with a column mapping.
struct CitySourceSpec {
  std::string path;  // absolute, checked to exist
  std::string layer;
  std::string crs;
  std::string kind;                           // buildings, roads, landuse or empty
  std::map<std::string, std::string> fields;  // OSM-style tag -> column
};

struct CitySpec {
  std::vector<CitySourceSpec> sources;
  std::string crs = "EPSG:25832";
  double population = 0.0;  // 0: not given
};

// A validated scenario: everything `run` needs, in scenario-file order.
struct Scenario {
  std::string name;
  std::string description;
  std::string path;
  std::string hash;  // FNV-1a of the merged tree, hex
  core::Calendar calendar;
  std::int64_t durationNs = 0;
  core::Tick endTick = 0;
  std::uint64_t seed = 0;
  CitySpec city;
  std::vector<ModelInstanceSpec> models;
  std::vector<ConnectionSpec> connections;
  std::vector<InterventionSpec> interventions;
  std::vector<SeriesSpec> timeseries;
  std::vector<RenderSpec> renders;
  std::vector<CameraSpec> cameras;
  // outputs.traces: the models' instance layers (vehicles, drones) are written to traces.csv
  // every tracesIntervalNs (per-vehicle records: off unless a scenario asks)
  bool traces = false;
  std::int64_t tracesIntervalNs = std::int64_t{10} * 1'000'000'000;
  std::int64_t minGroup = 5;
  // outputs.link_series: every this many ns the road-link layers the models publish are
  // sampled into the table road_link_series of results.gpkg (0: off)
  std::int64_t linkSeriesNs = std::int64_t{15} * 60 * 1'000'000'000;
  // the merged scenario's leaves (flattenTree), recorded in run.json for "what changed"
  std::vector<std::pair<std::string, std::string>> settings;
};

// Checks a merged scenario against the schema of DESIGN.md §4 and the model types in
// `registry`: unknown keys (with a did-you-mean), wrong types, bad units, missing files,
// unknown model types, unknown ports, unit mismatches, feedback loops without a delayed link.
// Every problem is appended to `problems`; the result is valid only when none was found.
core::Result<Scenario> validateScenario(const ScenarioDocument& doc,
                                        const plugin::Registry& registry,
                                        std::vector<Diagnostic>& problems);

// Resolves a simulation time as scenarios and the CLI write it: "08:00" or "08:00:30" (time of
// day on the start date, in the scenario's UTC offset), "+2h" or "90min" (offset from the
// start), or an ISO 8601 instant. Returns nanoseconds since the start (may be outside the run).
core::Result<std::int64_t> simTimeOffsetNs(const core::Calendar& calendar, std::string_view text);

// The same as a tick of `scenario`: an error when it lies outside the run or between ticks.
core::Result<core::Tick> simTimeTick(const Scenario& scenario, std::string_view text);

// Why `path` cannot be read as a file: "" when it can; otherwise "not found", "is a directory,
// expected a file", "is a symbolic link loop", "is not a regular file" or "cannot be read
// (permission denied)".
std::string whyNotAReadableFile(const std::string& path);

// Directory of shipped data (assets/): CITYTWIN_ASSET_DIR, else <exe>/../share/citytwin/assets,
// else the source tree's assets/ (build tree). Parameter defaults "asset:weather/x.dat" use it.
std::string assetDir();

// "a.b.c" edit distance helper for did-you-mean; exposed for tests.
std::size_t editDistance(std::string_view a, std::string_view b);

// Formats diagnostics one per line, sorted by file, line and column.
std::string formatDiagnostics(std::vector<Diagnostic> problems);

}  // namespace twin::io
