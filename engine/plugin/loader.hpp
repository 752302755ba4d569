// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/executor.hpp"
#include "core/model.hpp"
#include "core/ray_service.hpp"
#include "core/status.hpp"
#include "twin/plugin.h"

namespace twin::plugin {

// An opened plugin file. The library stays loaded while anything refers to it; every model
// instance holds a reference, so instances are destroyed before dlclose.
struct LoadedPlugin {
  std::string path;
  std::string name;
  std::string version;
  std::string buildTag;
  const TwinPluginDescriptor* descriptor = nullptr;
  std::shared_ptr<void> handle;  // dlclose on release
};

enum class ParamKind { Number, Integer, Bool, String, Path, List, Folder };

// A model parameter as the host sees it.
struct ParamSpec {
  std::string name;
  ParamKind kind = ParamKind::Number;
  std::string unit;                        // Number: the SI unit the model receives
  std::optional<std::string> defaultText;  // absent: the scenario must set it
  bool runtimeSettable = false;
  std::string description;
};

struct KpiSpec {
  std::string name;
  std::string unit;
  std::string description;
};

// A model type provided by a plugin.
struct ModelType {
  std::string typeName;
  std::string version;
  std::string summary;
  std::vector<core::PortSpec> ports;
  std::vector<ParamSpec> params;
  std::vector<KpiSpec> kpis;
  bool parallelSafe = false;
  const TwinModelDescriptor* descriptor = nullptr;
  std::shared_ptr<LoadedPlugin> plugin;
};

std::string_view toString(ParamKind kind);

// Opens one plugin file and checks the handshake: the entry symbol, ABI major/minor, struct
// sizes, and that every model descriptor is complete and its units parse.
core::Result<std::shared_ptr<LoadedPlugin>> openPlugin(const std::string& path);

// The model types found in plugins on a search path.
class Registry {
 public:
  // Directories searched by default: <exe dir>/../lib/citytwin/plugins, then the entries of
  // CITYTWIN_PLUGIN_PATH (':'-separated). Entries may be directories or plugin files.
  static std::vector<std::string> defaultSearchPath();

  // Loads every plugin in `paths` (directories: every *.so in name order). Every problem is
  // reported in one error (one line per plugin); nothing is registered from a broken plugin.
  core::Status load(const std::vector<std::string>& paths);

  const ModelType* find(std::string_view typeName) const;
  // All model types, sorted by name.
  const std::vector<ModelType>& types() const { return types_; }
  const std::vector<std::shared_ptr<LoadedPlugin>>& plugins() const { return plugins_; }

 private:
  std::vector<std::shared_ptr<LoadedPlugin>> plugins_;
  std::vector<ModelType> types_;
};

// What a model instance is created with; params are validated and converted (numbers in SI).
// The scenario's city as models see it (TwinCityInfo): local metres around an origin. The
// tables are shared by every instance (read-only); link polylines point into `linkPoints`.
struct ModelCityTables {
  std::vector<TwinBuilding> buildings;
  std::vector<TwinRoadNode> nodes;
  std::vector<TwinRoadLink> links;
  std::vector<std::vector<double>> linkPoints;
  // footprint rings (TwinCityInfo.outline_*, ABI 1.2)
  std::vector<double> outlineXy;
  std::vector<std::size_t> outlineRingStart;
  std::vector<std::size_t> outlineBuildingStart;
  // turn restrictions (TwinCityInfo.banned_turns, ABI 1.3): link in, link out, sorted pairs
  std::vector<std::uint32_t> bannedTurns;
  // land-use areas (TwinCityInfo.land_use_*, ABI 1.4): outer rings, class, area
  std::vector<double> landUseXy;
  std::vector<std::size_t> landUseStart;  // area count + 1 entries, in points
  std::vector<std::int32_t> landUseClass;
  std::vector<double> landUseAreaM2;
};
struct ModelCity {
  std::string crs;
  double originE = 0.0, originN = 0.0;
  double minX = 0.0, minY = 0.0, maxX = 0.0, maxY = 0.0;
  std::size_t buildings = 0;
  std::size_t roadLinks = 0;
  double centreLatDeg = 0.0, centreLonDeg = 0.0;  // the extent's centre in WGS 84
  std::shared_ptr<const ModelCityTables> tables;  // null: counts only
  // ray casts against the city's buildings and terrain (ABI 1.2); null: none offered
  std::shared_ptr<const core::RayService> rays;
};

struct InstanceDef {
  std::string name;
  std::optional<ModelCity> city;
  std::vector<core::ParamValue> params;
  std::int64_t tickNs = 0;
  core::Tick periodTicks = 1;
  std::int64_t startUnixS = 0;
  std::int32_t utcOffsetS = 0;
  std::uint64_t seed = 0;
  // the scenario's worker threads for TwinHostApi.parallel_for; null: the calling thread
  core::Executor* executor = nullptr;
  // --isolate-plugins: the instance lives in a child process of its own (isolated_model.cpp),
  // so a plugin that crashes ends only that process and is reported by name. callTimeoutS > 0:
  // a call into the child (a step, a snapshot, publish) that takes longer stops the child and
  // fails with the time it ran (--step-timeout).
  bool isolate = false;
  double callTimeoutS = 0.0;
};

// Creates and initialises one instance of `type` behind the core::Model interface. Errors name
// the plugin file and the instance.
core::Result<std::unique_ptr<core::Model>> instantiate(const ModelType& type,
                                                       const InstanceDef& def);

// The same as instantiate() with def.isolate: forks a child process that creates the instance
// and serves the core::Model calls over a socket. Parameters, the city and the loaded plugin
// reach the child through fork(); the step's inputs, outputs and random stream travel with each
// call, so results are the bits of an instance in the engine's process.
core::Result<std::unique_ptr<core::Model>> instantiateIsolated(const ModelType& type,
                                                               const InstanceDef& def);

// KPI values and a description of failures, for the plugin-backed models created above.
std::string describeInstance(const ModelType& type, std::string_view instanceName);

}  // namespace twin::plugin
