// SPDX-License-Identifier: Apache-2.0
// citytwin: the command-line interface (DESIGN.md §3). Exit codes: 0 ok, 1 run failed,
// 2 bad input (usage, scenario, data, plugin refused).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "city_info.hpp"
#include "core/core.hpp"
#include "dispersion/gaussian.hpp"
#include "dispersion/substances.hpp"
#include "exec/tbb_executor.hpp"
#include "gis/city_builder.hpp"
#include "gis/city_cache.hpp"
#include "gis/city_mesh.hpp"
#include "gis/crs.hpp"
#include "gis/library_versions.hpp"
#include "gis/results_gpkg.hpp"
#include "io/compare.hpp"
#include "io/recorder.hpp"
#include "io/report.hpp"
#include "io/run_builder.hpp"
#include "io/scenario.hpp"
#include "io/sweep.hpp"
#include "mpi_queue.hpp"
#include "physics/library_versions.hpp"
#include "physics/powerflow.hpp"
#include "physics/ray_service.hpp"
#include "plugin/loader.hpp"
#include "render/headless.hpp"
#include "render/library_versions.hpp"
#include "render/video.hpp"
#include "render/viewer.hpp"
#include "twin_git_revision.hpp"

namespace {

using namespace twin;

double g_stepTimeoutS = 0.0;    // --step-timeout, seconds; 0: no watchdog
bool g_isolatePlugins = false;  // --isolate-plugins
std::uint64_t g_maxMemory = 0;  // --max-memory, bytes; 0: the machine's memory

constexpr int kExitOk = 0;
constexpr int kExitRunFailed = 1;
constexpr int kExitBadInput = 2;

int exitCodeFor(core::ErrorCode code) {
  switch (code) {
    case core::ErrorCode::BadInput:
    case core::ErrorCode::NotFound:
    case core::ErrorCode::PluginRefused:
      return kExitBadInput;
    case core::ErrorCode::ModelFailed:
    case core::ErrorCode::Io:
    case core::ErrorCode::Internal:
      return kExitRunFailed;
  }
  return kExitRunFailed;
}

// prints "citytwin: error: <first line>" and the remaining lines after it
int reportError(const core::Error& e) {
  std::string msg = e.message;
  const std::size_t nl = msg.find('\n');
  std::fprintf(stderr, "citytwin: error: %s\n", msg.substr(0, nl).c_str());
  if (nl != std::string::npos)
    std::fprintf(stderr, "%s\n", msg.substr(nl + 1).c_str());
  return exitCodeFor(e.code);
}

std::map<std::string, std::string> libraryVersions() {
  return {{"gdal", gis::gdalVersion()},
          {"proj", gis::projVersion()},
          {"openscenegraph", render::osgVersion()},
          {"bullet", physics::bulletVersion() + " (" + physics::bulletPrecision() + ")"}};
}

std::string versionText() {
  std::string out = "citytwin " TWIN_VERSION " (git " TWIN_GIT_REVISION ")\n";
  out +=
      "plugin ABI " + std::to_string(TWIN_ABI_MAJOR) + "." + std::to_string(TWIN_ABI_MINOR) + "\n";
  const auto libs = libraryVersions();
  out += "GDAL " + libs.at("gdal") + ", PROJ " + libs.at("proj") + ", OpenSceneGraph " +
         libs.at("openscenegraph") + ", Bullet " + libs.at("bullet") + "\n";
  return out;
}

// Refuses a city whose estimated memory is above the budget (--max-memory, default the
// machine's memory), with the numbers, before anything is read.
core::Status checkCityMemory(const gis::CityDef& def) {
  const bool given = g_maxMemory > 0;
  const std::uint64_t budget = given ? g_maxMemory : gis::machineMemoryBytes();
  auto est = gis::estimateCityMemory(def);
  if (!est)
    return core::Unexpected(est.error());
  core::log(core::LogLevel::Info, "city",
            "memory estimate " + core::formatBytes(est->bytes) + " (" + est->detail + "), budget " +
                (budget > 0 ? core::formatBytes(budget) : "unknown"));
  if (budget == 0 || est->bytes <= budget)
    return {};
  return core::fail(core::ErrorCode::BadInput,
                    "the city needs about " + core::formatBytes(est->bytes) +
                        " of memory by estimate (" + est->detail + "), above the budget of " +
                        core::formatBytes(budget) +
                        (given ? " (--max-memory)" : " (this machine's memory)") +
                        "; raise --max-memory if the machine has it, or use a smaller extract "
                        "(fewer or smaller sources)");
}

// the city's build, with the estimate checked first and the peak logged after
core::Result<gis::CityModel> buildCityWithinBudget(const gis::CityDef& def,
                                                   const std::string& cacheDir,
                                                   bool* fromCache = nullptr) {
  if (core::Status st = checkCityMemory(def); !st)
    return core::Unexpected(st.error());
  auto city = gis::buildCityCached(def, cacheDir, fromCache);
  if (city) {
    core::log(
        core::LogLevel::Info, "city",
        "built; peak memory of the process so far " + core::formatBytes(gis::peakResidentBytes()));
  }
  return city;
}

// loads scenario + plugins and validates; prints every problem on failure
struct Loaded {
  plugin::Registry registry;
  io::Scenario scenario;
  std::optional<gis::CityModel> city;
};

// builds the scenario's city from its sources (none: no city)
core::Status buildScenarioCity(Loaded& loaded, const std::string& cacheDir) {
  const io::CitySpec& spec = loaded.scenario.city;
  if (spec.sources.empty())
    return {};
  gis::CityDef def;
  for (const io::CitySourceSpec& src : spec.sources) {
    gis::CitySource c(src.path);
    c.layer = src.layer;
    c.crs = src.crs;
    c.kind = src.kind;
    c.fields = src.fields;
    def.sources.push_back(std::move(c));
  }
  def.crs = spec.crs;
  def.population = spec.population;
  def.osmConfig = io::assetDir() + "/" + gis::kOsmConfigAsset;
  auto city = buildCityWithinBudget(def, cacheDir);
  if (!city) {
    return core::fail(core::ErrorCode::BadInput,
                      loaded.scenario.path + ": city: " + city.error().message);
  }
  loaded.city = std::move(*city);
  return {};
}

core::Result<std::unique_ptr<Loaded>> loadAndValidate(const std::string& path,
                                                      const std::vector<std::string>& sets,
                                                      const std::string& cacheDir = "",
                                                      bool buildCity = true) {
  std::vector<io::Diagnostic> problems;
  auto doc = io::loadScenarioDocument(path, sets, problems);
  if (!doc) {
    if (problems.empty())
      return core::Unexpected(doc.error());
    const std::string text = io::formatDiagnostics(problems);
    return core::fail(core::ErrorCode::BadInput, text.substr(0, text.size() - 1));
  }
  auto loaded = std::make_unique<Loaded>();
  std::vector<std::string> paths = plugin::Registry::defaultSearchPath();
  for (const std::string& p : io::scenarioPluginPaths(*doc))
    paths.push_back(p);
  if (core::Status st = loaded->registry.load(paths); !st)
    return core::Unexpected(st.error());
  auto sc = io::validateScenario(*doc, loaded->registry, problems);
  if (!sc) {
    const std::string text = io::formatDiagnostics(problems);
    std::string msg = text.substr(0, text.size() - 1);
    msg += "\n" + std::to_string(problems.size()) +
           (problems.size() == 1 ? " problem" : " problems") + " found in " + path;
    return core::fail(core::ErrorCode::BadInput, msg);
  }
  loaded->scenario = std::move(*sc);
  if (!buildCity)
    return loaded;
  if (core::Status st = buildScenarioCity(*loaded, cacheDir); !st)
    return core::Unexpected(st.error());
  return loaded;
}

std::string thousands(double v);
std::string captionAt(const io::Scenario& sc, core::Tick t);

// the scenario's cameras in the city's local metres (z: metres above the ground)
std::vector<render::CameraDef> scenarioCameras(const io::Scenario& sc, const gis::CityModel& city) {
  std::vector<render::CameraDef> out;
  for (const io::CameraSpec& c : sc.cameras) {
    if (c.fromBox) {
      out.push_back(render::cameraForBox(c.name,
                                         {c.box[0] - city.originE, c.box[1] - city.originN,
                                          c.box[2] - city.originE, c.box[3] - city.originN},
                                         c.fovDeg));
    } else {
      out.push_back({c.name,
                     {c.eye[0] - city.originE, c.eye[1] - city.originN, c.eye[2]},
                     {c.target[0] - city.originE, c.target[1] - city.originN, c.target[2]},
                     c.fovDeg});
    }
  }
  return out;
}

// progress line on a terminal: sim time, % done, sim speed (x real time), ETA
class Progress {
 public:
  explicit Progress(const io::Scenario& sc) : sc_(sc), start_(std::chrono::steady_clock::now()) {}
  void update(const core::Scheduler& s, core::Tick t) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100))
      return;
    last_ = now;
    show(s.calendar(), t, now);
  }
  // the final 100 % line once the run is complete, then a new line
  void finish(const core::Calendar& calendar, bool completed) {
    if (shown_ && completed)
      show(calendar, sc_.endTick, std::chrono::steady_clock::now());
    if (shown_)
      std::fprintf(stderr, "\n");
  }

 private:
  void show(const core::Calendar& calendar, core::Tick t,
            std::chrono::steady_clock::time_point now) {
    const double wall = std::chrono::duration<double>(now - start_).count();
    const double frac =
        sc_.endTick > 0 ? static_cast<double>(t) / static_cast<double>(sc_.endTick) : 1.0;
    const double simS = calendar.seconds(t);
    const double speed = wall > 0 ? simS / wall : 0.0;
    const double eta = frac > 0 ? wall * (1.0 - frac) / frac : 0.0;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(frac * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    // \x1b[K clears what a longer previous line left behind
    std::fprintf(stderr, "\r[%s] %s %5.1f%%  %.3gx real time  ETA %.1fs\x1b[K", bar.c_str(),
                 calendar.iso(t).c_str(), frac * 100.0, speed, eta);
    std::fflush(stderr);
    shown_ = true;
  }

  const io::Scenario& sc_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_{};
  bool shown_ = false;
};

void printKpis(const std::vector<io::KpiRow>& rows) {
  std::size_t w0 = 3, w1 = 5, w2 = 4;
  std::vector<std::string> values;
  for (const auto& r : rows) {
    // four significant digits; large values whole with thousands separators (2,905,000)
    char buf[64];
    if (std::isfinite(r.value) && std::abs(r.value) >= 1e4) {
      const double mag = std::pow(10.0, std::floor(std::log10(std::abs(r.value))) - 3);
      values.push_back(thousands(std::round(r.value / mag) * mag));
    } else {
      std::snprintf(buf, sizeof buf, "%.4g", r.value);
      values.emplace_back(buf);
    }
    w0 = std::max(w0, r.kpi.size());
    w1 = std::max(w1, values.back().size());
    w2 = std::max(w2, r.unit.size());
  }
  std::printf("%-*s  %*s  %-*s  %s\n", static_cast<int>(w0), "KPI", static_cast<int>(w1), "value",
              static_cast<int>(w2), "unit", "description");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::printf("%-*s  %*s  %-*s  %s\n", static_cast<int>(w0), rows[i].kpi.c_str(),
                static_cast<int>(w1), values[i].c_str(), static_cast<int>(w2), rows[i].unit.c_str(),
                rows[i].description.c_str());
  }
}

int cmdRun(const std::string& path, std::vector<std::string> sets, const std::string& outOpt,
           std::optional<std::uint64_t> seed, int threads, bool quiet) {
  if (seed)
    sets.push_back("seed=" + std::to_string(*seed));
  // the built city is cached beside the output folder (DESIGN.md §5)
  const std::string cacheDir =
      (std::filesystem::path(outOpt.empty() ? "out/x" : outOpt).parent_path() / ".citytwin-cache")
          .string();
  auto loaded = loadAndValidate(path, sets, cacheDir);
  if (!loaded)
    return reportError(loaded.error());
  const io::Scenario& sc = (*loaded)->scenario;
  if (threads <= 0)
    threads = exec::hardwareThreads();
  exec::TbbExecutor executor(threads);
  Progress progress(sc);
  const bool tty = ::isatty(STDERR_FILENO) != 0 && !quiet;
  io::RunRequest req;
  req.scenario = &sc;
  req.outDir = outOpt.empty() ? "out/" + sc.name : outOpt;
  req.executor = &executor;
  req.threads = threads;
  req.version = TWIN_VERSION;
  req.gitRevision = TWIN_GIT_REVISION;
  req.libraries = libraryVersions();
  req.isolatePlugins = g_isolatePlugins;
  if (g_stepTimeoutS > 0) {
    req.stepTimeoutS = g_stepTimeoutS;
    const plugin::Registry* reg = &(*loaded)->registry;
    const core::Calendar* cal = &sc.calendar;
    req.onStepTimeout = [reg, cal](const std::string& model, const std::string& type, core::Tick t,
                                   double seconds) {
      const plugin::ModelType* mt = reg->find(type);
      std::fprintf(stderr,
                   "citytwin: error: model '%s' (%s from %s) has not finished its step at %s "
                   "after %.1f s (--step-timeout %s); the run is stopped, nothing was written\n",
                   model.c_str(), type.c_str(), mt != nullptr ? mt->plugin->path.c_str() : "?",
                   cal->iso(t).c_str(), seconds,
                   core::formatDurationNs(static_cast<std::int64_t>(g_stepTimeoutS * 1e9)).c_str());
      std::fflush(stderr);
      std::_Exit(kExitRunFailed);  // a running step cannot be interrupted: end the process
    };
  }
  if ((*loaded)->city)
    req.city = cityInfo(*(*loaded)->city, &executor);
  if (tty)
    req.onTick = [&](const core::Scheduler& s, core::Tick t) { progress.update(s, t); };
  // outputs.renders: cameras are checked before the run starts
  if (!sc.renders.empty()) {
    if (!(*loaded)->city) {
      std::fprintf(stderr, "citytwin: error: %s: outputs.renders needs a city (city.sources)\n",
                   sc.path.c_str());
      return kExitBadInput;
    }
    const auto cams = render::camerasFor(*(*loaded)->city, scenarioCameras(sc, *(*loaded)->city));
    for (const io::RenderSpec& r : sc.renders) {
      const bool known = std::any_of(
          cams.begin(), cams.end(), [&](const render::CameraDef& c) { return c.name == r.camera; });
      if (!known) {
        std::string names;
        for (const render::CameraDef& c : cams)
          names += (names.empty() ? "" : ", ") + c.name;
        std::fprintf(stderr, "citytwin: error: %s: unknown camera '%s'; cameras: %s\n",
                     r.where.str().c_str(), r.camera.c_str(), names.c_str());
        return kExitBadInput;
      }
    }
    req.render = [&](const io::RenderSpec& r, const core::Frame& frame, const std::string& file) {
      render::RenderDef def;
      def.width = r.width;
      def.height = r.height;
      def.camera = r.camera;
      def.caption = captionAt(sc, r.at);
      def.attribution = render::attributionFor(*(*loaded)->city);
      def.extraCameras = scenarioCameras(sc, *(*loaded)->city);
      return render::renderCityPng(*(*loaded)->city, def, frame, file);
    };
  }
  // results.gpkg: the city's buildings and road links with the values the models published last
  if ((*loaded)->city) {
    req.results = [&](const core::Frame& frame, const io::LinkSeries& series,
                      const std::string& dir) -> core::Result<std::string> {
      std::vector<gis::ResultColumn> buildings, links;
      std::vector<gis::ResultPolygonLayer> polygons;
      for (const core::Layer& l : frame.layers) {
        if (l.kind == core::LayerKind::BuildingValues) {
          buildings.push_back({gis::columnName(l.name, l.unit), l.values});
        } else if (l.kind == core::LayerKind::LinkValues) {
          links.push_back({gis::columnName(l.name, l.unit), l.values});
        } else if (l.kind == core::LayerKind::GroundPolygons) {
          // "<instance>.<layer>" -> layer "<instance>_<layer>", value column "value_<unit>"
          gis::ResultPolygonLayer pl;
          pl.name = gis::columnName(l.name, "");
          pl.column = gis::columnName("value", l.unit);
          for (const core::GroundPolygon& g : l.polygons) {
            std::vector<gis::Vec2> ring;
            for (std::size_t k = 0; k + 1 < g.xy.size(); k += 2)
              ring.push_back({g.xy[k], g.xy[k + 1]});
            pl.rings.push_back(std::move(ring));
            pl.values.push_back(g.value);
          }
          polygons.push_back(std::move(pl));
        } else if (l.kind == core::LayerKind::GroundLines || l.kind == core::LayerKind::Points) {
          // "<instance>.<layer>" -> layer "<instance>_<layer>" of lines or points
          gis::ResultPolygonLayer pl;
          pl.name = gis::columnName(l.name, "");
          pl.column = gis::columnName("value", l.unit);
          if (l.kind == core::LayerKind::GroundLines) {
            pl.geometry = gis::ResultGeometry::Line;
            for (const core::GroundLine& g : l.lines) {
              std::vector<gis::Vec2> line;
              for (std::size_t k = 0; k + 1 < g.xy.size(); k += 2)
                line.push_back({g.xy[k], g.xy[k + 1]});
              pl.rings.push_back(std::move(line));
              pl.values.push_back(g.value);
            }
          } else {
            pl.geometry = gis::ResultGeometry::Point;
            for (const core::GroundPoint& g : l.points) {
              pl.rings.push_back({{g.x, g.y}});
              pl.values.push_back(g.value);
            }
          }
          polygons.push_back(std::move(pl));
        }
      }
      gis::ResultLinkSeries ls;
      for (std::size_t c = 0; c < series.columns.size(); ++c)
        ls.columns.push_back(gis::columnName(series.columns[c], series.units[c]));
      ls.times = series.times;
      ls.values = series.values;
      if (core::Status st = gis::writeResultsGpkg(*(*loaded)->city, buildings, links,
                                                  dir + "/results.gpkg", polygons, ls);
          !st)
        return core::Unexpected(st.error());
      return std::string("results.gpkg");
    };
  }
  auto summary = io::runScenario(req);
  progress.finish(sc.calendar, summary.has_value());
  if (!summary)
    return reportError(summary.error());
  if (!quiet) {
    std::printf("scenario  %s (%s, %s from %s)\n", sc.name.c_str(), sc.path.c_str(),
                core::formatDurationNs(sc.durationNs).c_str(), sc.calendar.iso(0).c_str());
    if ((*loaded)->city) {
      const gis::CitySummary cs = (*loaded)->city->summary();
      std::printf("city      %s buildings, %.0f km of roads, ~%s residents, ~%s jobs (%s)\n",
                  thousands(static_cast<double>(cs.buildings)).c_str(), cs.roadKm,
                  thousands(cs.residents).c_str(), thousands(cs.jobs).c_str(),
                  (*loaded)->city->crs.c_str());
    }
    std::printf("ran       %llu model steps%s in %.3f s on %d thread%s\n",
                static_cast<unsigned long long>(summary->modelSteps),
                sc.renders.empty() ? ""
                                   : (" and " + std::to_string(sc.renders.size()) +
                                      (sc.renders.size() == 1 ? " render" : " renders"))
                                         .c_str(),
                summary->wallTimeS, threads, threads == 1 ? "" : "s");
    std::printf("\n");
    printKpis(summary->kpis);
    std::printf("\noutputs   %s/ (run.json, kpis.csv, timeseries.csv: %llu rows%s)\n",
                summary->outDir.c_str(), static_cast<unsigned long long>(summary->timeseriesRows),
                (*loaded)->city ? ", results.gpkg" : "");
    for (const io::RenderSpec& r : sc.renders) {
      std::printf("render    %s/%s\n", summary->outDir.c_str(), r.file.c_str());
    }
    std::printf("state     %s\n", summary->finalStateHash.c_str());
  }
  return kExitOk;
}

int cmdValidate(const std::string& path, const std::vector<std::string>& sets) {
  auto loaded = loadAndValidate(path, sets);
  if (!loaded) {
    const core::Error& e = loaded.error();
    if (e.code == core::ErrorCode::BadInput && e.message.find(": ") != std::string::npos) {
      std::fprintf(stderr, "%s\n", e.message.c_str());
      return kExitBadInput;
    }
    return reportError(e);
  }
  const io::Scenario& sc = (*loaded)->scenario;
  std::printf(
      "%s: ok: scenario '%s', %zu model%s, %zu connection%s, %zu intervention%s, %s from %s\n",
      path.c_str(), sc.name.c_str(), sc.models.size(), sc.models.size() == 1 ? "" : "s",
      sc.connections.size(), sc.connections.size() == 1 ? "" : "s", sc.interventions.size(),
      sc.interventions.size() == 1 ? "" : "s", core::formatDurationNs(sc.durationNs).c_str(),
      sc.calendar.iso(0).c_str());
  return kExitOk;
}

int cmdPlugins(bool json, const std::vector<std::string>& extra) {
  plugin::Registry reg;
  std::vector<std::string> paths = plugin::Registry::defaultSearchPath();
  paths.insert(paths.end(), extra.begin(), extra.end());
  if (core::Status st = reg.load(paths); !st)
    return reportError(st.error());
  if (json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const plugin::ModelType& t : reg.types()) {
      nlohmann::ordered_json ports = nlohmann::ordered_json::array();
      for (const core::PortSpec& p : t.ports) {
        ports.push_back({{"name", p.name},
                         {"direction", core::toString(p.direction)},
                         {"type", core::toString(p.type)},
                         {"unit", p.unit},
                         {"shape", core::toString(p.shape)},
                         {"required", p.required},
                         {"description", p.description}});
      }
      nlohmann::ordered_json params = nlohmann::ordered_json::array();
      for (const plugin::ParamSpec& p : t.params) {
        params.push_back({{"name", p.name},
                          {"kind", plugin::toString(p.kind)},
                          {"unit", p.unit},
                          {"default", p.defaultText ? nlohmann::ordered_json(*p.defaultText)
                                                    : nlohmann::ordered_json(nullptr)},
                          {"runtime_settable", p.runtimeSettable},
                          {"description", p.description}});
      }
      nlohmann::ordered_json kpis = nlohmann::ordered_json::array();
      for (const plugin::KpiSpec& k : t.kpis) {
        kpis.push_back({{"name", k.name}, {"unit", k.unit}, {"description", k.description}});
      }
      out.push_back({{"name", t.typeName},
                     {"version", t.version},
                     {"summary", t.summary},
                     {"plugin", t.plugin->name},
                     {"plugin_version", t.plugin->version},
                     {"file", t.plugin->path},
                     {"ports", ports},
                     {"parameters", params},
                     {"kpis", kpis}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  if (reg.types().empty()) {
    std::printf("no model types found (searched:");
    for (const auto& p : paths)
      std::printf(" %s", p.c_str());
    std::printf(")\n");
    return kExitOk;
  }
  for (const plugin::ModelType& t : reg.types()) {
    std::printf("%s %s  (plugin %s %s, %s)\n  %s\n", t.typeName.c_str(), t.version.c_str(),
                t.plugin->name.c_str(), t.plugin->version.c_str(), t.plugin->path.c_str(),
                t.summary.c_str());
    for (const core::PortSpec& p : t.ports) {
      std::printf("  %-3s %-22s [%s] %s %s  %s\n", core::toString(p.direction).data(),
                  p.name.c_str(), p.unit.c_str(), core::toString(p.type).data(),
                  core::toString(p.shape).data(), p.description.c_str());
    }
    for (const plugin::ParamSpec& p : t.params) {
      std::printf("  par %-22s %s%s%s%s  %s\n", p.name.c_str(), plugin::toString(p.kind).data(),
                  p.kind == plugin::ParamKind::Number ? (" [" + p.unit + "]").c_str() : "",
                  p.defaultText ? (" = " + *p.defaultText).c_str() : " (required)",
                  p.runtimeSettable ? ", settable at run time" : "", p.description.c_str());
    }
    for (const plugin::KpiSpec& k : t.kpis) {
      std::printf("  kpi %-22s [%s] %s\n", k.name.c_str(), k.unit.c_str(), k.description.c_str());
    }
  }
  return kExitOk;
}

// "aachen-baseline · Wed 2026-06-17 08:00" in the scenario's local time
std::string captionAt(const io::Scenario& sc, core::Tick t) {
  const core::CivilTime c = sc.calendar.local(t);
  static constexpr const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  char buf[96];
  std::snprintf(buf, sizeof buf, " \xC2\xB7 %s %04d-%02d-%02d %02d:%02d", kDays[c.weekday], c.year,
                c.month, c.day, c.hour, c.minute);
  return sc.name + buf;
}

// loads and validates a scenario that must have a city (render, view); on failure the exit
// code is in `failed` and the result is null
std::unique_ptr<Loaded> loadWithCity(const std::string& path, const std::vector<std::string>& sets,
                                     const char* what, int& failed) {
  auto loaded = loadAndValidate(path, sets, "out/.citytwin-cache");
  if (!loaded) {
    failed = reportError(loaded.error());
    return nullptr;
  }
  if (!(*loaded)->city) {
    std::fprintf(stderr, "citytwin: error: %s: the scenario has no city (city.sources) to %s\n",
                 path.c_str(), what);
    failed = kExitBadInput;
    return nullptr;
  }
  return std::move(*loaded);
}

struct RenderOptions {
  std::string at, camera = "overview", size = "1280x720", out;
  std::string from, to, step, video;
  int fps = 30;
};

// renders one PNG at --at, or a time-lapse from --from to --to into --video
int cmdRender(const std::string& path, const std::vector<std::string>& sets,
              const RenderOptions& o) {
  render::RenderDef def;
  def.camera = o.camera;
  if (!render::parseSize(o.size, def.width, def.height)) {
    std::fprintf(stderr,
                 "citytwin: error: --size '%s' is not WIDTHxHEIGHT (16..8192), e.g. 1920x1080\n",
                 o.size.c_str());
    return kExitBadInput;
  }
  const bool video = !o.video.empty();
  if (video ? (o.from.empty() || o.to.empty() || !o.at.empty() || !o.out.empty())
            : (o.at.empty() || o.out.empty() || !o.from.empty() || !o.to.empty())) {
    std::fprintf(stderr,
                 "citytwin: error: render needs either --at TIME -o FILE.png, or --from T0 --to T1 "
                 "--video FILE.mp4 [--fps N] [--step DURATION]\n");
    return kExitBadInput;
  }
  if (video && (o.fps < 1 || o.fps > 240)) {
    std::fprintf(stderr, "citytwin: error: --fps %d is outside 1..240\n", o.fps);
    return kExitBadInput;
  }
  // ffmpeg is checked before anything is computed
  if (video && render::findExecutable("ffmpeg").empty()) {
    std::fprintf(stderr,
                 "citytwin: error: --video needs ffmpeg, which is not on PATH; install it with "
                 "'apt-get install ffmpeg' (tools/install-deps does)\n");
    return kExitBadInput;
  }
  int failed = kExitOk;
  auto loaded = loadWithCity(path, sets, "render", failed);
  if (!loaded)
    return failed;
  const io::Scenario& sc = loaded->scenario;
  auto tickOf = [&](const char* option, const std::string& text) -> std::optional<core::Tick> {
    auto tick = io::simTimeTick(sc, text);
    if (!tick) {
      std::fprintf(stderr, "citytwin: error: %s: %s\n", option, tick.error().message.c_str());
      return std::nullopt;
    }
    return *tick;
  };
  const auto first = tickOf(video ? "--from" : "--at", video ? o.from : o.at);
  if (!first)
    return kExitBadInput;
  core::Tick last = *first, step = 1;
  if (video) {
    const auto to = tickOf("--to", o.to);
    if (!to)
      return kExitBadInput;
    if (*to <= *first) {
      std::fprintf(stderr, "citytwin: error: --to %s is not after --from %s\n", o.to.c_str(),
                   o.from.c_str());
      return kExitBadInput;
    }
    last = *to;
    if (o.step.empty()) {
      // a ten-second film by default
      step = std::max<core::Tick>(1, (last - *first) / (10 * o.fps));
    } else {
      auto ns = core::parseDurationNs(o.step);
      if (!ns || *ns <= 0 || *ns % sc.calendar.tickNs != 0) {
        std::fprintf(stderr,
                     "citytwin: error: --step '%s' is not a positive duration in whole ticks "
                     "(%s), e.g. 1min\n",
                     o.step.c_str(), core::formatDurationNs(sc.calendar.tickNs).c_str());
        return kExitBadInput;
      }
      step = *ns / sc.calendar.tickNs;
    }
  }
  def.caption = captionAt(sc, *first);
  def.attribution = render::attributionFor(*loaded->city);
  def.extraCameras = scenarioCameras(sc, *loaded->city);
  // the picture shows the state after every tick up to and including TIME
  const io::CityInfo info = cityInfo(*loaded->city);
  auto sched = io::buildScheduler(sc, nullptr, false, &info.forModels);
  if (!sched)
    return reportError(sched.error());
  auto renderer = render::OffscreenRenderer::create(*loaded->city, def);
  if (!renderer)
    return reportError(renderer.error());
  if (!video) {
    if (core::Status st = (*sched)->runUntil(*first + 1); !st)
      return reportError(st.error());
    auto frame = (*sched)->publishFrame();
    if (!frame)
      return reportError(frame.error());
    if (core::Status st = (*renderer)->writePng(*frame, def.caption, o.out); !st)
      return reportError(st.error());
    std::printf("%s (%dx%d, camera %s, %s, %zu layers)\n", o.out.c_str(), def.width, def.height,
                o.camera.c_str(), sc.calendar.iso(*first).c_str(), frame->layers.size());
    return kExitOk;
  }
  auto encoder = render::VideoEncoder::open(o.video, def.width, def.height, o.fps);
  if (!encoder)
    return reportError(encoder.error());
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  const core::Tick frames = (last - *first) / step + 1;
  for (core::Tick k = 0; k < frames; ++k) {
    const core::Tick t = *first + k * step;
    if (core::Status st = (*sched)->runUntil(t + 1); !st)
      return reportError(st.error());
    auto frame = (*sched)->publishFrame();
    if (!frame)
      return reportError(frame.error());
    auto rgb = (*renderer)->renderRgb(*frame, captionAt(sc, t));
    if (!rgb)
      return reportError(rgb.error());
    if (core::Status st = (*encoder)->add(*rgb); !st)
      return reportError(st.error());
    if (tty)
      std::fprintf(stderr, "\rframe %lld/%lld  %s", static_cast<long long>(k + 1),
                   static_cast<long long>(frames), sc.calendar.iso(t).c_str());
  }
  if (tty)
    std::fputs("\n", stderr);
  if (core::Status st = (*encoder)->finish(); !st)
    return reportError(st.error());
  std::printf("%s (%dx%d, %lld frames at %d fps, %s to %s, %s of sim time per frame)\n",
              o.video.c_str(), def.width, def.height, static_cast<long long>(frames), o.fps,
              sc.calendar.iso(*first).c_str(), sc.calendar.iso(last).c_str(),
              core::formatDurationNs(step * sc.calendar.tickNs).c_str());
  return kExitOk;
}

int cmdView(const std::string& path, const std::vector<std::string>& sets, const std::string& size,
            int frames, const std::string& screenshot) {
  render::ViewerDef def;
  if (!render::parseSize(size, def.width, def.height)) {
    std::fprintf(stderr, "citytwin: error: --size '%s' is not WIDTHxHEIGHT\n", size.c_str());
    return kExitBadInput;
  }
  int failed = kExitOk;
  auto loaded = loadWithCity(path, sets, "view", failed);
  if (!loaded)
    return failed;
  const io::Scenario& sc = loaded->scenario;
  const io::CityInfo info = cityInfo(*loaded->city);
  auto sched = io::buildScheduler(sc, nullptr, false, &info.forModels);
  if (!sched)
    return reportError(sched.error());
  core::Scheduler& s = **sched;
  // headline values: the scenario's time series (scalar ports), at most four
  std::vector<std::pair<std::size_t, std::size_t>> headlines;
  for (const io::SeriesSpec& ts : sc.timeseries) {
    const int m = s.findModel(ts.model);
    const int o = m >= 0 ? s.findOutput(static_cast<std::size_t>(m), ts.port) : -1;
    if (o >= 0 && headlines.size() < 4 &&
        s.outputSpec(static_cast<std::size_t>(m), static_cast<std::size_t>(o)).shape ==
            core::PortShape::Scalar) {
      headlines.emplace_back(static_cast<std::size_t>(m), static_cast<std::size_t>(o));
    }
  }
  def.title = sc.name;
  def.tickNs = sc.calendar.tickNs;
  def.endTick = sc.endTick;
  def.maxFrames = frames;
  def.finalScreenshot = screenshot;
  def.extraCameras = scenarioCameras(sc, *loaded->city);
  def.attribution = render::attributionFor(*loaded->city);
  auto advance = [&](core::Tick target) -> core::Result<render::PublishedFrame> {
    if (core::Status st = s.runUntil(target); !st)
      return core::Unexpected(st.error());
    render::PublishedFrame f;
    auto layers = s.publishFrame();
    if (!layers)
      return core::Unexpected(layers.error());
    f.layers = std::make_shared<const core::Frame>(std::move(*layers));
    f.tick = target;
    f.finished = target >= sc.endTick;
    f.clock = captionAt(sc, std::min(target, sc.endTick));
    for (const auto& [m, o] : headlines) {
      const auto v = s.outputValue(m, o);
      char buf[160];
      std::snprintf(buf, sizeof buf, "%s.%s  %.4g %s", s.modelName(m).c_str(),
                    s.outputSpec(m, o).name.c_str(), v.empty() ? 0.0 : v[0],
                    s.outputSpec(m, o).unit.c_str());
      f.headlines.emplace_back(buf);
    }
    return f;
  };
  auto drawn = render::runViewer(*loaded->city, def, advance);
  if (!drawn)
    return reportError(drawn.error());
  std::printf("viewer closed after %d frames at %s\n", *drawn,
              sc.calendar.iso(s.lastTick() < 0 ? 0 : s.lastTick()).c_str());
  return kExitOk;
}

std::string thousands(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  std::string digits = buf;
  std::string out;
  const std::size_t start = digits[0] == '-' ? 1 : 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > start && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return out;
}

// Silences this process (a non-zero MPI rank speaks through rank 0 alone).
void silence() {
  if (const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC); null >= 0) {
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    ::close(null);
  }
}

// Runs fn with stdout and stderr written to the file `log` (an MPI worker's run) and returns
// its result; the streams are restored afterwards.
int withOutputTo(const std::string& log, const std::function<int()>& fn) {
  std::fflush(stdout);
  std::fflush(stderr);
  const int savedOut = ::dup(STDOUT_FILENO), savedErr = ::dup(STDERR_FILENO);
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  const int code = fn();
  std::fflush(stdout);
  std::fflush(stderr);
  ::dup2(savedOut, STDOUT_FILENO);
  ::dup2(savedErr, STDERR_FILENO);
  ::close(savedOut);
  ::close(savedErr);
  return code;
}

// the last line of a run's log that says what went wrong
std::string lastErrorLine(const std::string& logPath) {
  std::ifstream in(logPath);
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.find("error") != std::string::npos)
      last = line;
  }
  if (last.rfind("citytwin: error: ", 0) == 0)
    last = last.substr(17);
  return last;
}

// several scenarios one after the other, each into out/<its name>; a failed one does not stop
// the others, the exit code is the worst. Under MPI (`mpi`, more than one rank) rank 0 hands
// the scenarios out to the other ranks, one at a time; each writes its output to
// out/logs/<file name>.log and rank 0 prints the table.
int cmdRunAll(const std::vector<std::string>& paths, const std::vector<std::string>& sets,
              const std::string& outOpt, std::optional<std::uint64_t> seed, int threads, bool quiet,
              bool mpi = false) {
  const bool overMpi = mpi && cli::mpiSize() > 1;
  if (paths.size() == 1 && !overMpi)
    return cmdRun(paths[0], sets, outOpt, seed, threads, quiet);
  const int rank = overMpi ? cli::mpiRank() : 0;
  if (rank != 0)
    silence();
  if (!outOpt.empty() && paths.size() > 1) {
    std::fprintf(stderr,
                 "citytwin: error: --out names one folder; with %zu scenarios each is written to "
                 "out/<scenario name>\n",
                 paths.size());
    return kExitBadInput;
  }
  std::vector<int> codes(paths.size(), kExitOk);
  std::vector<std::string> errors(paths.size());
  if (overMpi) {
    // a log per scenario, named after its file (numbered where two files share a name)
    std::vector<std::string> logs;
    for (std::size_t i = 0; i < paths.size(); ++i) {
      std::string stem = std::filesystem::path(paths[i]).stem().string();
      std::string log = "out/logs/" + stem + ".log";
      for (int k = 2; std::find(logs.begin(), logs.end(), log) != logs.end(); ++k)
        log = "out/logs/" + stem + "-" + std::to_string(k) + ".log";
      logs.push_back(log);
    }
    std::error_code ec;
    std::filesystem::create_directories("out/logs", ec);
    if (ec) {
      std::fprintf(stderr, "citytwin: error: cannot create out/logs: %s\n", ec.message().c_str());
      return kExitRunFailed;
    }
    if (!quiet) {
      std::printf("run       %zu scenarios over %d MPI worker ranks, logs in out/logs/\n",
                  paths.size(), cli::mpiSize() - 1);
      std::fflush(stdout);
    }
    std::size_t done = 0;
    cli::mpiWorkQueue(
        paths.size(),
        [&](std::size_t i) {
          const int code = withOutputTo(
              logs[i], [&] { return cmdRun(paths[i], sets, outOpt, seed, threads, true); });
          return cli::TaskResult{code, code != 0 ? lastErrorLine(logs[i]) : std::string()};
        },
        [&](std::size_t i, const cli::TaskResult& r) {
          codes[i] = r.exitCode;
          errors[i] = r.error;
          if (!quiet) {
            std::printf("[%zu/%zu] %s: %s\n", ++done, paths.size(), paths[i].c_str(),
                        r.exitCode == 0 ? "ok" : r.error.c_str());
            std::fflush(stdout);
          }
        });
    if (rank != 0)
      return kExitOk;  // rank 0 reports
  } else {
    for (std::size_t i = 0; i < paths.size(); ++i) {
      if (!quiet)
        std::printf("%s== %s (%zu of %zu)\n", i > 0 ? "\n" : "", paths[i].c_str(), i + 1,
                    paths.size());
      std::fflush(stdout);
      codes[i] = cmdRun(paths[i], sets, "", seed, threads, quiet);
    }
  }
  int worst = kExitOk;
  for (int c : codes)
    worst = std::max(worst, c);
  if (quiet)
    return worst;
  std::printf("\n%-40s  %s\n", "scenario", "result");
  for (std::size_t i = 0; i < paths.size(); ++i) {
    std::printf("%-40s  %s%s%s\n", paths[i].c_str(),
                codes[i] == kExitOk         ? "ok"
                : codes[i] == kExitBadInput ? "bad input (exit 2)"
                                            : "failed (exit 1)",
                errors[i].empty() ? "" : ": ", errors[i].c_str());
  }
  return worst;
}

// citytwin sweep: the cross product of --vary values times replicates, each a `citytwin run` in
// its own process (at most `jobs` at a time) into its own folder, then sweep.csv, summary.csv
// and a table of every point against the first
int cmdSweep(const std::string& path, const std::vector<std::string>& varies,
             const std::vector<std::string>& sets, int replicates, int jobs,
             const std::string& outOpt, std::optional<std::uint64_t> seed, int threads, bool quiet,
             bool mpi) {
  // under MPI every rank expands and validates the same sweep (no messages needed for that);
  // rank 0 prints, hands out the runs and writes the summary
  const int rank = mpi ? cli::mpiRank() : 0;
  if (rank != 0) {
    quiet = true;
    // one voice: a mistake in the sweep is reported by rank 0 alone; runs write their logs
    silence();
  }
  std::vector<io::SweepAxis> axes;
  for (const std::string& v : varies) {
    auto a = io::parseVary(v);
    if (!a)
      return reportError(a.error());
    axes.push_back(std::move(*a));
  }
  // the scenario as given, then every point, validated before anything runs
  std::vector<std::string> baseSets = sets;
  if (seed)
    baseSets.push_back("seed=" + std::to_string(*seed));
  auto loaded = loadAndValidate(path, baseSets, "", false);
  if (!loaded)
    return reportError(loaded.error());
  const io::Scenario& sc = (*loaded)->scenario;
  const std::string outDir = outOpt.empty() ? "out/" + sc.name + "-sweep" : outOpt;
  auto runs = io::expandSweep(axes, replicates, sc.seed, outDir);
  if (!runs)
    return reportError(runs.error());
  std::vector<std::string> checked;
  for (const io::SweepRun& r : *runs) {
    if (std::find(checked.begin(), checked.end(), r.point) != checked.end())
      continue;
    checked.push_back(r.point);
    std::vector<std::string> pointSets = baseSets;
    for (const auto& [k, v] : r.sets)
      pointSets.push_back(k + "=" + v);
    auto one = loadAndValidate(path, pointSets, "", false);
    if (!one) {
      std::fprintf(stderr, "citytwin: error: sweep point %s:\n", r.point.c_str());
      return reportError(one.error());
    }
  }
  if (jobs <= 0)
    jobs = std::max(1, exec::hardwareThreads() / std::max(1, threads));
  if (threads <= 0)
    threads = 1;
  std::error_code ec;
  std::filesystem::create_directories(outDir + "/logs", ec);
  if (ec) {
    std::fprintf(stderr, "citytwin: error: cannot create %s/logs: %s\n", outDir.c_str(),
                 ec.message().c_str());
    return kExitRunFailed;
  }
  const std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  const bool overMpi = mpi && cli::mpiSize() > 1;
  if (!quiet) {
    const std::string how = overMpi ? "over " + std::to_string(cli::mpiSize() - 1) +
                                          " MPI worker ranks (" + std::to_string(threads) +
                                          (threads == 1 ? " thread" : " threads") + " each)"
                                    : std::to_string(jobs) + " at a time";
    std::printf("sweep     %s: %zu runs (%zu points%s), %s, into %s/\n", sc.name.c_str(),
                runs->size(), checked.size(),
                replicates > 0 ? (" x " + std::to_string(replicates) + " replicates").c_str() : "",
                how.c_str(), outDir.c_str());
    std::fflush(stdout);
  }
  std::vector<io::SweepOutcome> outcomes(runs->size());
  std::map<pid_t, std::size_t> running;
  std::size_t next = 0, done = 0;
  auto logOf = [&](const io::SweepRun& r) {
    return outDir + "/logs/" + r.point +
           (r.replicate > 0 ? "-" + std::filesystem::path(r.dir).filename().string()
                            : std::string()) +
           ".log";
  };
  // a finished run: its record from its folder, a line of progress
  auto finish = [&](std::size_t i, int exitCode, std::string error) {
    ++done;
    const io::SweepRun& r = (*runs)[i];
    io::SweepOutcome& o = outcomes[i];
    o.exitCode = exitCode;
    o.error = std::move(error);
    if (o.exitCode == 0) {
      auto rec = io::readRun(r.dir);
      if (rec)
        o.record = std::move(*rec);
      else
        o = {kExitRunFailed, rec.error().message, {}};
    }
    if (!quiet) {
      std::printf("[%zu/%zu] %s%s: %s\n", done, runs->size(), r.point.c_str(),
                  r.replicate > 0 ? (" r" + std::to_string(r.replicate)).c_str() : "",
                  o.exitCode == 0 ? "ok" : o.error.c_str());
      std::fflush(stdout);
    }
  };
  if (overMpi) {
    // each worker rank runs its runs in its own process, one at a time, with `threads` threads,
    // its output into the run's log; seeds come from the expansion, not from the rank
    cli::mpiWorkQueue(
        runs->size(),
        [&](std::size_t i) {
          const io::SweepRun& r = (*runs)[i];
          std::vector<std::string> runSets = sets;
          for (const auto& [k, v] : r.sets)
            runSets.push_back(k + "=" + v);
          const std::string log = logOf(r);
          const int code = withOutputTo(
              log, [&] { return cmdRun(path, runSets, r.dir, r.seed, threads, true); });
          return cli::TaskResult{code, code != 0 ? lastErrorLine(log) : std::string()};
        },
        [&](std::size_t i, const cli::TaskResult& r) { finish(i, r.exitCode, r.error); });
    if (rank != 0)
      return kExitOk;  // rank 0 writes the summary
  }
  while (!overMpi && done < runs->size()) {
    while (next < runs->size() && running.size() < static_cast<std::size_t>(jobs)) {
      const io::SweepRun& r = (*runs)[next];
      // the runs share the memory budget: each gets its part (--max-memory of the sweep, or
      // the machine's memory, divided by the parallel jobs)
      const std::uint64_t budget = (g_maxMemory > 0 ? g_maxMemory : gis::machineMemoryBytes()) /
                                   static_cast<std::uint64_t>(std::max(jobs, 1));
      std::vector<std::string> args{self,
                                    "run",
                                    path,
                                    "--out",
                                    r.dir,
                                    "--seed",
                                    std::to_string(r.seed),
                                    "--threads",
                                    std::to_string(threads),
                                    "--quiet"};
      for (const std::string& st : sets) {
        args.push_back("--set");
        args.push_back(st);
      }
      for (const auto& [k, v] : r.sets) {
        args.push_back("--set");
        args.push_back(k + "=" + v);
      }
      if (budget > 0)
        args.insert(args.begin() + 1, {"--max-memory", std::to_string(budget) + "B"});
      std::vector<char*> argv;
      for (std::string& a : args)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      posix_spawn_file_actions_t fa;
      posix_spawn_file_actions_init(&fa);
      const std::string log = logOf(r);
      posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log.c_str(),
                                       O_WRONLY | O_CREAT | O_TRUNC, 0644);
      posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
      pid_t pid = 0;
      const int rc = posix_spawn(&pid, self.c_str(), &fa, nullptr, argv.data(), environ);
      posix_spawn_file_actions_destroy(&fa);
      if (rc != 0) {
        finish(next, kExitRunFailed, std::string("cannot start: ") + std::strerror(rc));
      } else {
        running[pid] = next;
      }
      ++next;
    }
    if (running.empty())
      continue;
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    auto it = running.find(pid);
    if (it == running.end())
      continue;
    const std::size_t i = it->second;
    running.erase(it);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : kExitRunFailed;
    finish(i, code,
           !WIFEXITED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
           : code != 0        ? lastErrorLine(logOf((*runs)[i]))
                              : std::string());
  }
  if (core::Status st =
          io::writeFileAtomic(outDir + "/sweep.csv", io::sweepRunsCsv(axes, *runs, outcomes));
      !st)
    return reportError(st.error());
  if (core::Status st =
          io::writeFileAtomic(outDir + "/summary.csv", io::sweepSummaryCsv(axes, *runs, outcomes));
      !st)
    return reportError(st.error());
  int worst = kExitOk;
  std::size_t failed = 0;
  for (const io::SweepOutcome& o : outcomes) {
    worst = std::max(worst, o.exitCode);
    failed += o.exitCode != 0 ? 1 : 0;
  }
  if (quiet)
    return worst;
  if (failed == 0 && checked.size() >= 2) {
    std::vector<io::RunRecord> points;
    for (const std::string& p : checked) {
      auto rec = io::readRun(outDir + "/" + p);
      if (!rec)
        return reportError(rec.error());
      rec->scenario = p;
      points.push_back(std::move(*rec));
    }
    if (auto c = io::compareRuns(std::move(points)); c)
      std::printf("\n%s", io::comparisonTable(*c).c_str());
  }
  std::printf(
      "\nsummary   %s/sweep.csv (every run), %s/summary.csv (mean and 95 %% interval per "
      "point)\n",
      outDir.c_str(), outDir.c_str());
  if (failed > 0)
    std::printf("failed    %zu of %zu runs; their logs are in %s/logs/\n", failed, runs->size(),
                outDir.c_str());
  return worst;
}

// KPIs of a baseline run and its variants side by side
// results.gpkg of a run folder (of its first replicate for a folder of replicates)
std::string resultsOf(const io::RunRecord& r) {
  if (!r.replicateDirs.empty())
    return r.replicateDirs[0] + "/results.gpkg";
  return r.results.empty() ? "" : r.dir + "/" + r.results;
}

// difference layers per variant: FILE for one variant, FILE-<variant>.gpkg for several
int writeDifferences(const io::Comparison& c, const std::string& gpkgOut, bool quiet) {
  const std::string base = resultsOf(c.runs[0]);
  if (base.empty()) {
    std::fprintf(stderr, "citytwin: error: %s has no results.gpkg (a run without a city)\n",
                 c.runs[0].dir.c_str());
    return kExitBadInput;
  }
  for (std::size_t i = 1; i < c.runs.size(); ++i) {
    const std::string variant = resultsOf(c.runs[i]);
    if (variant.empty()) {
      std::fprintf(stderr, "citytwin: error: %s has no results.gpkg\n", c.runs[i].dir.c_str());
      return kExitBadInput;
    }
    std::string out = gpkgOut;
    if (c.runs.size() > 2) {
      const std::filesystem::path p(gpkgOut);
      out = (p.parent_path() / (p.stem().string() + "-" + c.runs[i].scenario + ".gpkg")).string();
    }
    // written beside its final name, then renamed: a failed run leaves no half file
    const std::string tmp = out + ".tmp-" + std::to_string(::getpid());
    auto layers = gis::writeDifferenceGpkg(base, variant, tmp);
    std::error_code ec;
    if (!layers) {
      std::filesystem::remove(tmp, ec);
      return reportError(layers.error());
    }
    std::filesystem::rename(tmp, out, ec);
    if (ec) {
      std::filesystem::remove(tmp, ec);
      std::fprintf(stderr, "citytwin: error: cannot write %s: %s\n", out.c_str(),
                   ec.message().c_str());
      return kExitRunFailed;
    }
    if (!quiet) {
      std::string names;
      for (const std::string& l : *layers)
        names += (names.empty() ? "" : ", ") + l;
      std::printf("differences %s - %s: %s (%s)\n", c.runs[i].scenario.c_str(),
                  c.runs[0].scenario.c_str(), out.c_str(), names.c_str());
    }
  }
  return kExitOk;
}

// the folder of a record that holds its files (the first replicate for a folder of replicates)
std::string filesOf(const io::RunRecord& r) {
  return r.replicateDirs.empty() ? r.dir : r.replicateDirs[0];
}

// columns of a results layer that models wrote (not the city's own attributes)
std::vector<std::string> modelColumns(const std::string& gpkg, const std::string& layer) {
  static const std::set<std::string> kCity{"height_m", "floor_area_m2", "footprint_m2", "residents",
                                           "jobs",     "speed_kmh",     "length_m"};
  std::vector<std::string> out;
  if (auto cols = gis::realColumns(gpkg, layer); cols) {
    for (const std::string& c : *cols) {
      if (!kCity.count(c))
        out.push_back(c);
    }
  }
  return out;
}

std::vector<io::svg::MapShape> toShapes(const std::vector<gis::MapFeature>& features) {
  std::vector<io::svg::MapShape> shapes;
  shapes.reserve(features.size());
  for (const gis::MapFeature& f : features) {
    io::svg::MapShape s;
    s.value = f.value;
    for (const auto& ring : f.rings) {
      std::vector<std::array<double, 2>> r;
      r.reserve(ring.size());
      for (const gis::Vec2& p : ring)
        r.push_back({p.x, p.y});
      s.rings.push_back(std::move(r));
    }
    shapes.push_back(std::move(s));
  }
  return shapes;
}

// the HTML report of a comparison (or of one run): charts, maps, renders, sources, provenance
int writeReport(const io::Comparison& c, const std::string& out, bool quiet) {
  io::ReportInput in;
  in.comparison = c;
  in.citytwinVersion = TWIN_VERSION;
  for (const io::RunRecord& r : c.runs) {
    const std::string dir = filesOf(r);
    std::map<std::string, io::SeriesData> series;
    if (!r.timeseries.empty()) {
      auto ts = io::readTimeseries(dir + "/" + r.timeseries);
      if (!ts)
        return reportError(ts.error());
      series = std::move(*ts);
    }
    in.series.push_back(std::move(series));
    std::vector<std::pair<std::string, std::string>> pngs;
    for (const std::string& f : r.renders) {
      std::ifstream png(dir + "/" + f, std::ios::binary);
      if (!png) {
        std::fprintf(stderr, "citytwin: error: %s/%s: cannot read the render\n", dir.c_str(),
                     f.c_str());
        return kExitBadInput;
      }
      pngs.emplace_back(f, std::string(std::istreambuf_iterator<char>(png), {}));
    }
    in.renders.push_back(std::move(pngs));
  }
  // maps: the baseline's first model value per building (else its residents); per variant the
  // difference of that value
  const std::string baseGpkg = resultsOf(c.runs[0]);
  if (!baseGpkg.empty()) {
    const auto cols = modelColumns(baseGpkg, "buildings");
    const std::string col = cols.empty() ? "residents" : cols[0];
    auto base = gis::readMapLayer(baseGpkg, "buildings", col, 1.0);
    if (!base)
      return reportError(base.error());
    in.maps.push_back(
        {c.runs[0].scenario + ": " + (cols.empty() ? "residents per building (estimate)" : col),
         cols.empty() ? "residents" : col, toShapes(*base), false});
    for (std::size_t i = 1; i < c.runs.size() && !cols.empty(); ++i) {
      const std::string vg = resultsOf(c.runs[i]);
      if (vg.empty())
        continue;
      auto v = gis::readMapLayer(vg, "buildings", col, 1.0);
      if (!v || v->size() != base->size())
        continue;
      std::vector<gis::MapFeature> delta = *base;
      for (std::size_t k = 0; k < delta.size(); ++k)
        delta[k].value = (*v)[k].value - (*base)[k].value;
      in.maps.push_back({c.runs[i].scenario + " minus " + c.runs[0].scenario + ": " + col,
                         "difference in " + col, toShapes(delta), true});
    }
  }
  if (core::Status st = io::writeFileAtomic(out, io::reportHtml(in)); !st)
    return reportError(st.error());
  if (!quiet)
    std::printf("report    %s\n", out.c_str());
  return kExitOk;
}

// citytwin report RUN_DIR...: one run, or a baseline and variants
int cmdReport(const std::vector<std::string>& dirs, const std::string& outOpt) {
  std::vector<io::RunRecord> runs;
  for (const std::string& d : dirs) {
    auto r = io::readRun(d);
    if (!r)
      return reportError(r.error());
    runs.push_back(std::move(*r));
  }
  const std::string out = outOpt.empty() ? dirs[0] + "/report.html" : outOpt;
  if (runs.size() == 1)
    return writeReport(io::singleRun(std::move(runs[0])), out, false);
  auto c = io::compareRuns(std::move(runs));
  if (!c)
    return reportError(c.error());
  return writeReport(*c, out, false);
}

int cmdCompare(const std::vector<std::string>& dirs, const std::string& csvOut, bool json,
               const std::string& gpkgOut, const std::string& reportOut) {
  std::vector<io::RunRecord> runs;
  for (const std::string& d : dirs) {
    auto r = io::readRun(d);
    if (!r)
      return reportError(r.error());
    runs.push_back(std::move(*r));
  }
  auto c = io::compareRuns(std::move(runs));
  if (!c)
    return reportError(c.error());
  if (!csvOut.empty()) {
    const std::string text = io::comparisonCsv(*c);
    if (csvOut == "-") {
      std::fputs(text.c_str(), stdout);
      return kExitOk;
    }
    if (core::Status st = io::writeFileAtomic(csvOut, text); !st)
      return reportError(st.error());
  }
  std::fputs((json ? io::comparisonJson(*c) : io::comparisonTable(*c)).c_str(), stdout);
  if (!gpkgOut.empty()) {
    if (int rc = writeDifferences(*c, gpkgOut, json); rc != kExitOk)
      return rc;
  }
  if (!reportOut.empty())
    return writeReport(*c, reportOut, json);
  return kExitOk;
}

// AC power flow of a MATPOWER case with MATPOWER's default options; results as CSV files with
// the columns of MATPOWER's solution tables
// ---- citytwin plume: a screening calculator -------------------------------------------------

struct PlumeOptions {
  std::string rate, mass, height = "0m", wind, stability, scheme, duration, substance;
  std::string substancesFile, receptorHeight = "0m";
  std::vector<std::string> at, thresholds;
  bool urban = false, json = false;
};

int plumeError(const std::string& what) {
  std::fprintf(stderr, "citytwin plume: error: %s\n", what.c_str());
  return kExitBadInput;
}

// a quantity of the dimension of `unit`, in SI; an error message otherwise
std::optional<double> plumeQuantity(const std::string& option, const std::string& text,
                                    const char* unit, const char* example, std::string& error) {
  const std::string_view u(unit);
  const char* what = u == "kg/s"    ? "mass flow"
                     : u == "kg"    ? "mass"
                     : u == "m"     ? "length"
                     : u == "m/s"   ? "speed"
                     : u == "s"     ? "duration"
                     : u == "kg/m3" ? "mass concentration"
                                    : unit;
  auto q = core::parseQuantity(text);
  auto want = core::parseUnit(unit);
  if (!q || !want ||
      !(q->unit.sameDimension(*want) ||
        (q->unit.isDimensionless() && std::string_view(unit) == "m"))) {
    error = option + " '" + text + "': expected a " + what + " such as " + example;
    return std::nullopt;
  }
  const double v = q->unit.isDimensionless() ? q->value : q->si();
  if (!std::isfinite(v)) {
    error = option + " '" + text + "': expected a finite number";
    return std::nullopt;
  }
  return v;
}

int cmdPlume(const PlumeOptions& o) {
  using namespace dispersion;
  std::string err;
  if (o.rate.empty() == o.mass.empty())
    return plumeError(
        "give either --rate (continuous release, e.g. 2kg/s) or --mass "
        "(instantaneous puff, e.g. 500kg)");
  const bool puff = !o.mass.empty();
  const auto amount = puff ? plumeQuantity("--mass", o.mass, "kg", "500kg", err)
                           : plumeQuantity("--rate", o.rate, "kg/s", "2kg/s", err);
  if (!amount)
    return plumeError(err);
  if (!(*amount > 0.0))
    return plumeError(std::string(puff ? "--mass" : "--rate") + " must be greater than 0");
  const auto height = plumeQuantity("--height", o.height, "m", "10m", err);
  if (!height)
    return plumeError(err);
  if (*height < 0.0)
    return plumeError("--height must not be negative");
  const auto zr = plumeQuantity("--receptor-height", o.receptorHeight, "m", "1.5m", err);
  if (!zr)
    return plumeError(err);
  if (*zr < 0.0)
    return plumeError("--receptor-height must not be negative");
  const auto wind = plumeQuantity("--wind", o.wind, "m/s", "3m/s", err);
  if (!wind)
    return plumeError(err);
  if (*wind < kMinWindMps)
    return plumeError("--wind " + o.wind +
                      ": below 1 m/s the Gaussian plume is not valid (calm conditions need a "
                      "different model)");
  const auto stability = parseStability(o.stability);
  if (!stability)
    return plumeError("--stability '" + o.stability +
                      "': expected a Pasquill-Gifford class A..F (A very unstable, D neutral, F "
                      "moderately stable)");
  SigmaScheme scheme = o.urban ? SigmaScheme::BriggsUrban : SigmaScheme::BriggsRural;
  if (!o.scheme.empty()) {
    const auto s = parseSigmaScheme(o.scheme);
    if (!s)
      return plumeError("--sigmas '" + o.scheme +
                        "': expected briggs_rural, briggs_urban or pasquill_gifford");
    if (o.urban && *s != SigmaScheme::BriggsUrban)
      return plumeError("--urban selects briggs_urban; it conflicts with --sigmas " + o.scheme);
    scheme = *s;
  }
  Release rel;
  rel.height_m = *height;
  rel.wind_mps = *wind;
  rel.stability = *stability;
  rel.scheme = scheme;

  struct Receptor {
    double x, y;
  };
  std::vector<Receptor> receptors;
  for (const std::string& a : o.at) {
    const std::size_t comma = a.find(',');
    if (comma == std::string::npos)
      return plumeError("--at '" + a + "': expected X,Y (downwind, crosswind) such as 500m,0m");
    const auto x = plumeQuantity("--at", a.substr(0, comma), "m", "500m", err);
    if (!x)
      return plumeError(err);
    const auto y = plumeQuantity("--at", a.substr(comma + 1), "m", "0m", err);
    if (!y)
      return plumeError(err);
    receptors.push_back({*x, *y});
  }

  // thresholds: the substance's guideline levels for the exposure duration, and named values
  struct Threshold {
    std::string name;   // JSON key: "AEGL-2" or the threshold as given
    std::string label;  // text output: "AEGL-2 chlorine, 60 min"
    double kgM3;
  };
  std::vector<Threshold> thresholds;
  std::string durationText = o.duration.empty() ? (puff ? "10min" : "60min") : o.duration;
  const auto duration = plumeQuantity("--duration", durationText, "s", "60min", err);
  if (!duration)
    return plumeError(err);
  if (!(*duration > 0.0))
    return plumeError("--duration must be greater than 0");
  if (!o.substance.empty()) {
    const std::string file =
        o.substancesFile.empty() ? io::assetDir() + "/industry/substances.csv" : o.substancesFile;
    auto table = readSubstances(file, err);
    if (!table)
      return plumeError(err);
    const Substance* sub = table->find(o.substance);
    if (!sub)
      return plumeError("--substance '" + o.substance + "': not in " + file + " (it has " +
                        table->names() + ")");
    for (const GuidelineLevel& l : sub->levels) {
      const double t = sub->thresholdKgM3(l, *duration);
      if (std::isfinite(t))
        thresholds.push_back({l.name, l.name + " " + sub->name + ", " + durationText, t});
    }
  }
  for (const std::string& t : o.thresholds) {
    const auto v = plumeQuantity("--threshold", t, "kg/m3", "5.8mg/m3", err);
    if (!v)
      return plumeError(err);
    if (!(*v > 0.0))
      return plumeError("--threshold must be greater than 0");
    thresholds.push_back({t, t, *v});
  }

  auto conc = [&](double x, double y) {
    return puff ? puffPeakConcentration(rel, *amount, x, y, *zr)
                : plumeConcentration(rel, *amount, x, y, *zr);
  };
  std::vector<double> values;
  for (const Receptor& r : receptors)
    values.push_back(conc(r.x, r.y) * 1e6);  // mg/m3
  std::vector<double> distances;
  for (const Threshold& t : thresholds)
    distances.push_back(puff ? puffThresholdDistance(rel, *amount, t.kgM3, *zr)
                             : plumeThresholdDistance(rel, *amount, t.kgM3, *zr));

  if (o.json) {
    nlohmann::ordered_json j;
    j["model"] = {{"release", puff ? "instantaneous puff" : "continuous plume"},
                  {puff ? "mass_kg" : "rate_kg_s", *amount},
                  {"height_m", rel.height_m},
                  {"wind_m_s", rel.wind_mps},
                  {"stability", std::string(1, stabilityLetter(rel.stability))},
                  {"sigmas", sigmaSchemeName(rel.scheme)},
                  {"receptor_height_m", *zr}};
    j["receptors"] = nlohmann::json::array();
    for (std::size_t i = 0; i < receptors.size(); ++i)
      j["receptors"].push_back(
          {{"x_m", receptors[i].x}, {"y_m", receptors[i].y}, {"concentration_mg_m3", values[i]}});
    j["threshold_distances_m"] = nlohmann::json::object();
    for (std::size_t i = 0; i < thresholds.size(); ++i)
      j["threshold_distances_m"][thresholds[i].name] = distances[i];
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }
  std::printf(
      "release     %s: %g %s at %g m; wind %g m/s, class %c, %s coefficients, "
      "ground reflection\n",
      puff ? "instantaneous puff" : "continuous plume", *amount, puff ? "kg" : "kg/s", rel.height_m,
      rel.wind_mps, stabilityLetter(rel.stability), sigmaSchemeName(rel.scheme));
  for (std::size_t i = 0; i < receptors.size(); ++i)
    std::printf("receptor    x %g m, y %g m, z %g m: %.4g mg/m3%s\n", receptors[i].x,
                receptors[i].y, *zr, values[i], puff ? " (peak, as the puff passes)" : "");
  for (std::size_t i = 0; i < thresholds.size(); ++i) {
    if (distances[i] <= 0.0)
      std::printf("threshold   %s (%.4g mg/m3): not reached\n", thresholds[i].label.c_str(),
                  thresholds[i].kgM3 * 1e6);
    else
      std::printf("threshold   %s (%.4g mg/m3): reached up to %.0f m downwind%s\n",
                  thresholds[i].label.c_str(), thresholds[i].kgM3 * 1e6, distances[i],
                  distances[i] >= 100000.0 ? " (and beyond: search ends at 100 km)" : "");
  }
  if (receptors.empty() && thresholds.empty())
    std::printf("(give --at X,Y for receptors and --substance or --threshold for distances)\n");
  return kExitOk;
}

int cmdPowerflow(const std::string& casePath, const std::string& outOpt) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  auto pc = physics::loadMatpowerCase(casePath);
  if (!pc)
    return reportError(pc.error());
  const auto t1 = Clock::now();
  auto pf = physics::PowerFlow::create(*pc);
  if (!pf)
    return reportError(
        core::Error{core::ErrorCode::BadInput, casePath + ": " + pf.error().message});
  const physics::PfResult r = (*pf)->solve(*pc);
  const auto t2 = Clock::now();
  const double parseMs = std::chrono::duration<double, std::milli>(t1 - t0).count();
  const double solveMs = std::chrono::duration<double, std::milli>(t2 - t1).count();
  std::size_t inService = 0;
  for (const physics::PfBranch& b : pc->branches)
    inService += b.inService ? 1 : 0;
  std::printf(
      "case        %s: %zu buses, %zu generators, %zu branches (%zu in service), %g MVA base\n",
      pc->name.empty() ? casePath.c_str() : pc->name.c_str(), pc->buses.size(), pc->gens.size(),
      pc->branches.size(), inService, pc->baseMVA);
  std::printf(
      "method      Newton-Raphson, polar, KLU; tolerance 1e-8 p.u., at most 10 iterations, "
      "Q limits not enforced\n");
  if (!r.converged) {
    std::fprintf(stderr,
                 "citytwin: error: %s: the power flow did not converge in %d iterations "
                 "(largest mismatch %.3g p.u.); no results written\n",
                 casePath.c_str(), r.iterations, r.mismatch);
    return kExitRunFailed;
  }
  double vmin = INFINITY, vmax = -INFINITY;
  for (double v : r.vm) {
    vmin = std::min(vmin, v);
    vmax = std::max(vmax, v);
  }
  std::printf("converged   in %d iterations, largest mismatch %.2e p.u.\n", r.iterations,
              r.mismatch);
  std::printf("losses      %.6f MW, %.6f MVAr (series)\n", r.lossMW, r.lossMVAr);
  std::printf("voltages    %.6f .. %.6f p.u.\n", vmin, vmax);
  std::printf(
      "time        %.2f ms to read, %.2f ms to set up and solve (Jacobian %zu x %zu, "
      "%zu non-zeros)\n",
      parseMs, solveMs, (*pf)->jacobianSize(), (*pf)->jacobianSize(), (*pf)->jacobianNonZeros());
  std::string stem = std::filesystem::path(casePath).filename().string();
  for (const char* ext : {".gz", ".m"}) {
    if (stem.ends_with(ext))
      stem.resize(stem.size() - std::strlen(ext));
  }
  const std::string out = outOpt.empty() ? "out/powerflow-" + stem : outOpt;
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) {
    return reportError(
        core::Error{core::ErrorCode::Io, "cannot create " + out + ": " + ec.message()});
  }
  auto g = [](double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return std::string(buf);
  };
  std::string bus = "bus_i,type,Pd_MW,Qd_MVAr,Gs_MW,Bs_MVAr,baseKV,Vm_pu,Va_deg\n";
  for (std::size_t i = 0; i < pc->buses.size(); ++i) {
    const physics::PfBus& b = pc->buses[i];
    bus += std::to_string(b.id) + "," + std::to_string(static_cast<int>(b.type)) + "," + g(b.pdMW) +
           "," + g(b.qdMVAr) + "," + g(b.gsMW) + "," + g(b.bsMVAr) + "," + g(b.baseKV) + "," +
           g(r.vm[i]) + "," + g(r.vaDeg[i]) + "\n";
  }
  std::string branch = "idx,f_bus,t_bus,status,Pf_MW,Qf_MVAr,Pt_MW,Qt_MVAr,Ploss_MW,Qloss_MVAr\n";
  for (std::size_t k = 0; k < pc->branches.size(); ++k) {
    const physics::PfBranch& b = pc->branches[k];
    const physics::BranchFlow& f = r.branches[k];
    branch += std::to_string(k + 1) + "," + std::to_string(b.from) + "," + std::to_string(b.to) +
              "," + (b.inService ? "1" : "0") + "," + g(f.pfMW) + "," + g(f.qfMVAr) + "," +
              g(f.ptMW) + "," + g(f.qtMVAr) + "," + g(f.lossMW) + "," + g(f.lossMVAr) + "\n";
  }
  std::string gen = "idx,bus,status,Pg_MW,Qg_MVAr,Vg_pu\n";
  for (std::size_t k = 0; k < pc->gens.size(); ++k) {
    const physics::PfGen& x = pc->gens[k];
    gen += std::to_string(k + 1) + "," + std::to_string(x.bus) + "," + (x.inService ? "1" : "0") +
           "," + g(r.pgMW[k]) + "," + g(r.qgMVAr[k]) + "," + g(x.vg) + "\n";
  }
  for (const auto& [name, text] : {std::pair<std::string, const std::string&>{"bus.csv", bus},
                                   {"branch.csv", branch},
                                   {"gen.csv", gen}}) {
    if (core::Status st = io::writeFileAtomic(out + "/" + name, text); !st)
      return reportError(st.error());
  }
  std::printf("results     %s/{bus,branch,gen}.csv\n", out.c_str());
  return kExitOk;
}

int cmdInspect(const std::vector<std::string>& files, const std::string& crs, double population,
               bool json, const std::string& cacheDir) {
  gis::CityDef def;
  def.sources.assign(files.begin(), files.end());
  def.crs = crs;
  def.population = population;
  def.osmConfig = io::assetDir() + "/" + gis::kOsmConfigAsset;
  const auto t0 = std::chrono::steady_clock::now();
  bool fromCache = false;
  auto city = buildCityWithinBudget(def, cacheDir, &fromCache);
  if (!city) {
    return reportError(city.error());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const gis::CitySummary s = city->summary();
  const gis::Box& e = city->extent;
  const double minE = city->originE + e.minX, minN = city->originN + e.minY;
  const double maxE = city->originE + e.maxX, maxN = city->originN + e.maxY;
  if (json) {
    nlohmann::ordered_json j;
    j["sources"] = files;
    j["crs"] = city->crs;
    j["origin"] = {city->originE, city->originN};
    j["bbox"] = {minE, minN, maxE, maxN};
    j["counts"] = {{"buildings", s.buildings},        {"road_km", s.roadKm},
                   {"graph_nodes", s.graphNodes},     {"graph_edges", s.graphEdges},
                   {"car_edges", s.carEdges},         {"landuse_areas", s.landUseAreas},
                   {"highway_lines", s.highwayLines}, {"turn_restrictions", s.turnRestrictions},
                   {"banned_turns", s.bannedTurns}};
    j["floor_area_m2"] = s.floorAreaM2;
    j["residents_estimate"] = s.residents;
    j["jobs_estimate"] = s.jobs;
    j["population_scale"] = city->populationScale;
    j["height_sources"] = s.heightSources;
    j["use_classes"] = s.useClasses;
    j["road_km_by_class"] = s.roadKmByClass;
    j["main_component_share"] = s.mainComponentShare;
    j["junctions"] = s.junctions;
    j["landuse_km2"] = s.landUseKm2;
    j["lines"] = s.lines;
    j["terrain"] = {{"tiles", s.terrainTiles}, {"min_m", s.terrainMinM}, {"max_m", s.terrainMaxM}};
    j["problems"] = city->problems;
    j["load_time_s"] = seconds;
    j["from_cache"] = fromCache;
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }
  auto share = [&](const std::string& key) {
    auto it = s.heightSources.find(key);
    const double n = it == s.heightSources.end() ? 0.0 : static_cast<double>(it->second);
    return s.buildings > 0 ? 100.0 * n / static_cast<double>(s.buildings) : 0.0;
  };
  std::printf("city       %zu source%s, read in %.2f s%s\n", files.size(),
              files.size() == 1 ? "" : "s", seconds, fromCache ? " (from the cache)" : "");
  std::printf("crs        %s, local origin E %.0f N %.0f\n", city->crs.c_str(), city->originE,
              city->originN);
  std::printf("extent     E %.0f..%.0f  N %.0f..%.0f  (%.1f x %.1f km)\n", minE, maxE, minN, maxN,
              (maxE - minE) / 1000.0, (maxN - minN) / 1000.0);
  std::printf("buildings  %s, gross floor area %.2f km2, residents ~%s, jobs ~%s\n",
              thousands(static_cast<double>(s.buildings)).c_str(), s.floorAreaM2 / 1e6,
              thousands(s.residents).c_str(), thousands(s.jobs).c_str());
  std::printf("  heights  measured %.1f%%, tagged %.1f%%, from levels %.1f%%, default %.1f%%\n",
              share("measured"), share("tagged"), share("levels"), share("default"));
  std::printf("  use     ");
  for (const auto& [k, v] : s.useClasses)
    std::printf(" %s %s", k.c_str(), thousands(static_cast<double>(v)).c_str());
  std::printf(
      "\nroads      %.1f km from %s highway lines; graph %s nodes, %s edges (%s for cars)\n",
      s.roadKm, thousands(static_cast<double>(s.highwayLines)).c_str(),
      thousands(static_cast<double>(s.graphNodes)).c_str(),
      thousands(static_cast<double>(s.graphEdges)).c_str(),
      thousands(static_cast<double>(s.carEdges)).c_str());
  std::printf("  network  %.1f%% of car nodes in the largest strongly connected component\n",
              100.0 * s.mainComponentShare);
  std::printf("  km      ");
  for (const auto& [k, v] : s.roadKmByClass)
    std::printf(" %s %.1f", k.c_str(), v);
  std::printf("\n  turns    %s restrictions applied (%s banned turns)",
              thousands(static_cast<double>(s.turnRestrictions)).c_str(),
              thousands(static_cast<double>(s.bannedTurns)).c_str());
  std::printf("\n  control ");
  for (const auto& [k, v] : s.junctions)
    std::printf(" %s %s", k.c_str(), thousands(static_cast<double>(v)).c_str());
  std::printf("\nland use   %s areas:", thousands(static_cast<double>(s.landUseAreas)).c_str());
  for (const auto& [k, v] : s.landUseKm2)
    std::printf(" %s %.2f km2", k.c_str(), v);
  if (s.terrainTiles > 0) {
    std::printf("\nterrain    %llu tile%s, ground %.1f..%.1f m",
                static_cast<unsigned long long>(s.terrainTiles), s.terrainTiles == 1 ? "" : "s",
                s.terrainMinM, s.terrainMaxM);
  }
  std::printf("\nlines     ");
  for (const auto& [k, v] : s.lines)
    std::printf(" %s %s", k.c_str(), thousands(static_cast<double>(v)).c_str());
  std::printf("\nproblems  ");
  if (city->problems.empty())
    std::printf(" none");
  std::printf("\n");
  for (const auto& [k, v] : city->problems)
    std::printf("  %-50s %s\n", k.c_str(), thousands(static_cast<double>(v)).c_str());
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  // a file-size limit (ulimit -f, a quota) makes writes fail with EFBIG, reported as a clear
  // error with the staging folder removed, instead of killing the process half-way
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"citytwin: digital twin of a smart industrial city (traffic, energy, industry)"};
  app.require_subcommand(0, 1);
  bool showVersion = false;
  std::string logLevel = "warning";
  app.add_flag("--version", showVersion, "Print version, git revision, ABI and library versions");
  app.add_option("--log-level", logLevel, "trace, debug, info, warning, error or off")
      ->capture_default_str();
  std::string maxMemory;
  app.add_option("--max-memory", maxMemory,
                 "Memory budget (e.g. 8GiB; default: this machine's memory): a city whose "
                 "estimated size is above it is refused before it is read");

  std::vector<std::string> scenarioPaths;
  std::vector<std::string> sets;
  std::string outDir;
  std::optional<std::uint64_t> seed;
  int threads = 0;
  bool quiet = false;
  CLI::App* run = app.add_subcommand(
      "run", "Run one or more scenarios, each into its output folder (out/<scenario name>)");
  run->add_option("SCENARIO", scenarioPaths, "Scenario file(s) (YAML): a baseline and variants")
      ->required();
  run->add_option("--out", outDir, "Output folder (default: out/<scenario name>)");
  run->add_option("--set", sets, "Override a scenario key: key.path=value (repeatable)");
  run->add_option("--seed", seed, "Random seed (overrides the scenario's)");
  run->add_option("--threads", threads,
                  "Worker threads (0: all cores); results do not depend on it")
      ->capture_default_str();
  run->add_flag("--quiet", quiet, "No progress bar and no summary");
  std::string stepTimeout;
  run->add_option("--step-timeout", stepTimeout,
                  "Stop the run with an error when one model step takes longer than this wall "
                  "time (e.g. 30s, 2min): a hung plugin is named instead of waited for");
  bool runMpi = false;
  run->add_flag("--mpi", runMpi,
                "Hand the scenarios out over MPI ranks, one at a time (started by mpirun or srun; "
                "found by itself when so started): rank 0 coordinates and prints the table");
  run->add_flag("--isolate-plugins", g_isolatePlugins,
                "Run each model in a child process of its own: a plugin that crashes (or, with "
                "--step-timeout, hangs) fails the run with its name instead of ending citytwin");

  std::string sweepScenario;
  std::vector<std::string> sweepVary, sweepSets;
  int sweepReplicates = 0, sweepJobs = 0, sweepThreads = 1;
  std::string sweepOut;
  std::optional<std::uint64_t> sweepSeed;
  bool sweepQuiet = false;
  CLI::App* sweep = app.add_subcommand(
      "sweep",
      "Run a scenario over the cross product of --vary values (and replicates) in parallel "
      "processes, each into its own folder, with one summary table");
  sweep->add_option("SCENARIO", sweepScenario, "Scenario file (YAML)")->required();
  sweep->add_option("--vary", sweepVary,
                    "key.path=v1,v2,... : a scenario key and its values (repeatable; the runs "
                    "are the cross product)");
  sweep->add_option("--replicates", sweepReplicates,
                    "Runs per point with seeds seed, seed+1, ... (the same for every point: "
                    "common random numbers); KPIs get a mean and a 95 % interval");
  sweep->add_option("--jobs", sweepJobs, "Runs at a time (0: one per core)")->capture_default_str();
  sweep->add_option("--threads", sweepThreads, "Threads of each run")->capture_default_str();
  sweep->add_option("--out", sweepOut, "Output folder (default: out/<scenario name>-sweep)");
  sweep->add_option("--set", sweepSets, "Override a scenario key in every run: key.path=value");
  sweep->add_option("--seed", sweepSeed, "Base seed (overrides the scenario's)");
  sweep->add_flag("--quiet", sweepQuiet, "No progress and no table");
  bool sweepMpi = false;
  sweep->add_flag("--mpi", sweepMpi,
                  "Hand the runs out over MPI ranks (started by mpirun or srun; found by itself "
                  "there): rank 0 coordinates, every other rank runs one run at a time");

  std::string validateScenarioPath;
  std::vector<std::string> validateSets;
  CLI::App* validate = app.add_subcommand(
      "validate", "Check a scenario (files, plugins, ports, units) without running");
  validate->add_option("SCENARIO", validateScenarioPath, "Scenario file (YAML)")->required();
  validate->add_option("--set", validateSets, "Override a scenario key: key.path=value");

  std::vector<std::string> inspectFiles;
  std::string inspectCrs = "EPSG:25832";
  double inspectPopulation = 0.0;
  bool inspectJson = false;
  CLI::App* inspect = app.add_subcommand(
      "inspect", "Summarise GIS sources: CRS, extent, buildings, roads, land use, problems");
  inspect
      ->add_option("FILE", inspectFiles,
                   "City sources: .osm.pbf, .osm, .gml, .gml.gz, .geojson, .gpkg, .shp, .fgb, .tif")
      ->required();
  inspect->add_option("--crs", inspectCrs, "Target CRS (EPSG:code or auto)")->capture_default_str();
  inspect->add_option("--population", inspectPopulation, "Scale residents to this total");
  inspect->add_flag("--json", inspectJson, "Machine-readable output");
  std::string inspectCache;
  inspect->add_option("--cache", inspectCache, "Folder of the built-city cache (default: none)");

  std::string renderScenario;
  RenderOptions ro;
  std::vector<std::string> renderSets;
  CLI::App* renderCmd = app.add_subcommand(
      "render",
      "Render the scenario at a sim time to a PNG, or a time-lapse to a video (headless)");
  renderCmd->add_option("SCENARIO", renderScenario, "Scenario file (YAML)")->required();
  renderCmd->add_option("--at", ro.at, "Sim time of a PNG: 08:00, +2h or an ISO date-time");
  renderCmd->add_option("-o,--output", ro.out, "PNG file to write (with --at)");
  renderCmd->add_option("--from", ro.from, "Time-lapse: first sim time");
  renderCmd->add_option("--to", ro.to, "Time-lapse: last sim time");
  renderCmd->add_option("--video", ro.video, "Time-lapse: MP4 file to write (needs ffmpeg)");
  renderCmd->add_option("--fps", ro.fps, "Time-lapse: frames per second")->capture_default_str();
  renderCmd->add_option("--step", ro.step,
                        "Time-lapse: sim time between frames (default: a 10 s film)");
  renderCmd->add_option("--camera", ro.camera, "overview, center, park or a scenario camera")
      ->capture_default_str();
  renderCmd->add_option("--size", ro.size, "WIDTHxHEIGHT")->capture_default_str();
  renderCmd->add_option("--set", renderSets, "Override a scenario key: key.path=value");

  std::string viewScenario, viewSize = "1280x720";
  std::vector<std::string> viewSets;
  int viewFrames = 0;
  CLI::App* viewCmd = app.add_subcommand("view",
                                         "Interactive 3D window: space pause, +/- speed, 1-9 "
                                         "cameras, l layers, s screenshot, Esc quit");
  viewCmd->add_option("SCENARIO", viewScenario, "Scenario file (YAML)")->required();
  viewCmd->add_option("--size", viewSize, "Window WIDTHxHEIGHT")->capture_default_str();
  viewCmd->add_option("--frames", viewFrames, "Close after N frames (0: when the window closes)");
  std::string viewShot;
  viewCmd->add_option("--screenshot", viewShot, "With --frames: write the last frame to this PNG");
  viewCmd->add_option("--set", viewSets, "Override a scenario key: key.path=value");

  std::vector<std::string> compareDirs;
  std::string compareCsv;
  bool compareJson = false;
  CLI::App* compare = app.add_subcommand(
      "compare", "KPIs of a baseline run and variants side by side (absolute and % differences)");
  compare->add_option("RUN_DIR", compareDirs, "Run folders: the baseline first, then variants")
      ->required()
      ->expected(2, 64);
  compare->add_option("--csv", compareCsv, "Also write the table as CSV to FILE (- for stdout)");
  compare->add_flag("--json", compareJson, "Print JSON instead of the table");
  std::string compareGpkg, compareReport;
  compare->add_option("--report", compareReport,
                      "Also write the one-file HTML report of the comparison to FILE.html");
  compare->add_option("--gpkg", compareGpkg,
                      "Write difference layers (variant - baseline per building and road link) "
                      "to this GeoPackage (one file per variant when there are several)");

  std::vector<std::string> reportDirs;
  std::string reportOut;
  CLI::App* reportCmd = app.add_subcommand(
      "report",
      "One self-contained HTML report of a run, or of a baseline and variants (charts, maps, "
      "renders, sources, provenance)");
  reportCmd->add_option("RUN_DIR", reportDirs, "Run folder(s): the baseline first, then variants")
      ->required();
  reportCmd->add_option("-o,--output", reportOut, "HTML file (default: RUN_DIR/report.html)");

  PlumeOptions po;
  CLI::App* plume = app.add_subcommand(
      "plume",
      "Screening dispersion of a toxic release: Gaussian plume or puff, ground-level "
      "concentrations and the distances to guideline levels");
  plume->add_option("--rate", po.rate, "Continuous release rate, e.g. 2kg/s");
  plume->add_option("--mass", po.mass, "Instantaneous release (puff), e.g. 500kg");
  plume->add_option("--height", po.height, "Release height above ground, e.g. 10m")
      ->default_str("0m");
  plume->add_option("--wind", po.wind, "Wind speed at the release height, >= 1 m/s")->required();
  plume
      ->add_option("--stability", po.stability,
                   "Pasquill-Gifford class A..F (A very unstable, D neutral, F stable)")
      ->required();
  plume->add_flag("--urban", po.urban, "Briggs' urban coefficients (default: Briggs rural)");
  plume->add_option("--sigmas", po.scheme,
                    "Coefficients: briggs_rural, briggs_urban or pasquill_gifford");
  plume->add_option("--at", po.at, "Receptor X,Y in metres downwind, crosswind (repeatable)");
  plume->add_option("--receptor-height", po.receptorHeight, "Receptor height, e.g. 1.5m")
      ->default_str("0m");
  plume->add_option("--substance", po.substance,
                    "Thresholds from the substance table (AEGL-1..3), e.g. chlorine");
  plume->add_option("--substances", po.substancesFile, "Substance table (CSV)")
      ->default_str("assets/industry/substances.csv");
  plume->add_option("--duration", po.duration,
                    "Exposure duration that picks the guideline levels (default 60min, puff "
                    "10min)");
  plume->add_option("--threshold", po.thresholds, "A threshold, e.g. 5.8mg/m3 (repeatable)");
  plume->add_flag("--json", po.json, "Machine-readable output");

  std::string pfCase, pfOut;
  CLI::App* powerflow = app.add_subcommand(
      "powerflow", "AC power flow of a MATPOWER case (Newton-Raphson, MATPOWER's defaults)");
  powerflow->add_option("CASE", pfCase, "MATPOWER case file (.m or .m.gz, format 2)")->required();
  powerflow->add_option("--out", pfOut, "Folder for bus.csv, branch.csv, gen.csv")
      ->default_str("out/powerflow-<case>");

  bool json = false;
  std::vector<std::string> pluginPaths;
  CLI::App* plugins = app.add_subcommand("plugins", "List the model types found in plugins");
  plugins->add_flag("--json", json, "Machine-readable output");
  plugins->add_option("--path", pluginPaths, "Extra plugin folder or file (repeatable)");

  app.footer(
      "Exit codes: 0 ok, 1 run failed, 2 bad input.\n"
      "Plugins are searched in <citytwin>/../lib/citytwin/plugins, CITYTWIN_PLUGIN_PATH and the\n"
      "scenario's plugin_paths. Data © OpenStreetMap contributors (ODbL); weather: Deutscher "
      "Wetterdienst.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitBadInput;
  }
  core::LogLevel level = core::LogLevel::Warning;
  if (!core::parseLogLevel(logLevel, level)) {
    std::fprintf(stderr,
                 "citytwin: error: unknown log level '%s'; expected trace, debug, info, "
                 "warning, error or off\n",
                 logLevel.c_str());
    return kExitBadInput;
  }
  core::setLogLevel(level);
  if (!maxMemory.empty()) {
    auto bytes = core::parseByteSize(maxMemory);
    if (!bytes || *bytes == 0) {
      std::fprintf(stderr, "citytwin: error: --max-memory: %s\n",
                   bytes ? "must be above 0" : bytes.error().message.c_str());
      return kExitBadInput;
    }
    g_maxMemory = *bytes;
  }

  if (showVersion) {
    std::fputs(versionText().c_str(), stdout);
    return kExitOk;
  }
  if (*run) {
    if (!stepTimeout.empty()) {
      auto ns = core::parseDurationNs(stepTimeout);
      if (!ns || *ns <= 0) {
        std::fprintf(stderr, "citytwin: error: --step-timeout: %s\n",
                     ns ? "must be above 0" : ns.error().message.c_str());
        return kExitBadInput;
      }
      g_stepTimeoutS = static_cast<double>(*ns) * 1e-9;
    }
    const bool mpi = runMpi || (cli::mpiBuilt() && cli::startedByMpiLauncher());
    if (!mpi)
      return cmdRunAll(scenarioPaths, sets, outDir, seed, threads, quiet);
    std::string why;
    if (!cli::mpiInit(why)) {
      std::fprintf(stderr, "citytwin: error: --mpi: %s\n", why.c_str());
      return kExitBadInput;
    }
    const int code = cmdRunAll(scenarioPaths, sets, outDir, seed, threads, quiet, true);
    cli::mpiFinalize();
    return code;
  }
  if (*sweep) {
    const bool mpi = sweepMpi || (cli::mpiBuilt() && cli::startedByMpiLauncher());
    if (!mpi) {
      return cmdSweep(sweepScenario, sweepVary, sweepSets, sweepReplicates, sweepJobs, sweepOut,
                      sweepSeed, sweepThreads, sweepQuiet, false);
    }
    std::string why;
    if (!cli::mpiInit(why)) {
      std::fprintf(stderr, "citytwin: error: --mpi: %s\n", why.c_str());
      return kExitBadInput;
    }
    const int code = cmdSweep(sweepScenario, sweepVary, sweepSets, sweepReplicates, sweepJobs,
                              sweepOut, sweepSeed, sweepThreads, sweepQuiet, true);
    cli::mpiFinalize();
    return code;
  }
  if (*validate)
    return cmdValidate(validateScenarioPath, validateSets);
  if (*plugins)
    return cmdPlugins(json, pluginPaths);
  if (*viewCmd)
    return cmdView(viewScenario, viewSets, viewSize, viewFrames, viewShot);
  if (*renderCmd) {
    return cmdRender(renderScenario, renderSets, ro);
  }
  if (*plume)
    return cmdPlume(po);
  if (*powerflow)
    return cmdPowerflow(pfCase, pfOut);
  if (*compare)
    return cmdCompare(compareDirs, compareCsv, compareJson, compareGpkg, compareReport);
  if (*reportCmd)
    return cmdReport(reportDirs, reportOut);
  if (*inspect)
    return cmdInspect(inspectFiles, inspectCrs, inspectPopulation, inspectJson, inspectCache);
  std::fputs(app.help().c_str(), stdout);
  return kExitOk;
}
