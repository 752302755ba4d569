// SPDX-License-Identifier: Apache-2.0
#include "io/run_builder.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <numbers>
#include <optional>

#include "core/hash.hpp"
#include "io/atomic_file.hpp"
#include "plugin/loader.hpp"

namespace twin::io {
using core::ErrorCode;
using core::fail;

core::Result<std::unique_ptr<core::Scheduler>> buildScheduler(const Scenario& scenario,
                                                              core::Executor* executor,
                                                              bool profile,
                                                              const plugin::ModelCity* city,
                                                              const Isolation& isolation) {
  std::vector<core::ModelEntryDef> models;
  for (const ModelInstanceSpec& m : scenario.models) {
    if (m.type == nullptr)
      return fail(ErrorCode::Internal, "model '" + m.name + "' has no type");
    plugin::InstanceDef def;
    def.name = m.name;
    def.params = m.params;
    def.tickNs = scenario.calendar.tickNs;
    def.periodTicks = m.periodTicks;
    def.startUnixS = scenario.calendar.startUnixS;
    def.utcOffsetS = scenario.calendar.utcOffsetS;
    def.seed = scenario.seed;
    def.executor = executor;
    def.isolate = isolation.enabled;
    def.callTimeoutS = isolation.callTimeoutS;
    if (city != nullptr)
      def.city = *city;
    auto instance = plugin::instantiate(*m.type, def);
    if (!instance) {
      return fail(ErrorCode::BadInput, m.where.str() + ": " + instance.error().message);
    }
    core::ModelEntryDef e;
    e.name = m.name;
    e.typeName = m.typeName;
    e.periodTicks = m.periodTicks;
    e.ports = m.type->ports;
    e.model = std::move(*instance);
    models.push_back(std::move(e));
  }
  std::vector<core::ConnectionDef> connections;
  for (const ConnectionSpec& c : scenario.connections) {
    connections.push_back({c.fromModel, c.fromPort, c.toModel, c.toPort, c.link, c.adapter});
  }
  std::vector<core::InterventionDef> interventions;
  for (const InterventionSpec& iv : scenario.interventions) {
    interventions.push_back({iv.at, iv.model, iv.value});
  }
  core::SchedulerDef def;
  def.calendar = scenario.calendar;
  def.endTick = scenario.endTick;
  def.seed = scenario.seed;
  def.executor = executor;
  def.profile = profile;
  return core::Scheduler::create(def, std::move(models), std::move(connections),
                                 std::move(interventions));
}

namespace {
// a tick as UTC ISO 8601 (GeoPackage's DateTime; spreadsheets and QGIS read it too)
std::string utcText(const core::Calendar& calendar, core::Tick t) {
  const auto unix = static_cast<std::time_t>(calendar.unixSeconds(t));
  std::tm utc{};
  gmtime_r(&unix, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}
}  // namespace

core::Result<RunSummary> runScenario(const RunRequest& request) {
  const Scenario& sc = *request.scenario;
  const auto wallStart = std::chrono::steady_clock::now();
  auto folder = OutputFolder::begin(request.outDir);
  if (!folder)
    return core::Unexpected(folder.error());
  const std::string dir = folder->stagingPath();

  auto sched = buildScheduler(sc, request.executor, true,
                              request.city.present ? &request.city.forModels : nullptr,
                              {request.isolatePlugins, request.stepTimeoutS});
  if (!sched)
    return core::Unexpected(sched.error());
  core::Scheduler& s = **sched;
  if (request.stepTimeoutS > 0 && request.onStepTimeout && !request.isolatePlugins) {
    s.setStepWatchdog(request.stepTimeoutS,
                      [&request, dir](const std::string& model, const std::string& type,
                                      core::Tick t, double seconds) {
                        std::error_code ec;
                        std::filesystem::remove_all(dir, ec);  // nothing half-written stays behind
                        request.onStepTimeout(model, type, t, seconds);
                      });
  }

  auto recorder = TimeseriesRecorder::create(dir + "/timeseries.csv", sc, s);
  if (!recorder)
    return core::Unexpected(recorder.error());
  s.addObserver([&](const core::Scheduler& sch, core::Tick t) { recorder->observe(sch, t); });
  if (request.onTick)
    s.addObserver(request.onTick);
  // outputs.link_series: the models' road-link layers at the end of every interval
  LinkSeries linkSeries;
  core::Status seriesStatus;
  if (sc.linkSeriesNs > 0 && request.results) {
    const core::Tick every = sc.linkSeriesNs / sc.calendar.tickNs;
    s.addObserver([&, every, next = every](const core::Scheduler&, core::Tick t) mutable {
      // at the tick that starts the next interval: the models' steps of that tick have seen
      // the interval's end (a step at time t advances the model to t)
      if (!seriesStatus || t < next)
        return;
      while (next <= t)
        next += every;
      auto frame = s.publishFrame();
      if (!frame) {
        seriesStatus = core::Unexpected(frame.error());
        return;
      }
      std::vector<std::vector<double>> row;
      std::size_t column = 0;
      for (const core::Layer& l : frame->layers) {
        if (l.kind != core::LayerKind::LinkValues)
          continue;
        if (linkSeries.times.empty()) {
          linkSeries.columns.push_back(l.name);
          linkSeries.units.push_back(l.unit);
        } else if (column >= linkSeries.columns.size() || linkSeries.columns[column] != l.name) {
          seriesStatus = fail(ErrorCode::ModelFailed,
                              "the road-link layers changed during the run (" + l.name +
                                  "): outputs.link_series needs the same layers throughout");
          return;
        }
        row.push_back(l.values);
        ++column;
      }
      if (row.empty())
        return;  // no model publishes road-link values
      linkSeries.times.push_back(utcText(sc.calendar, t));
      linkSeries.values.push_back(std::move(row));
    });
  }
  // outputs.traces: the models' instance layers (vehicles, drones) every traces_interval, one
  // row per instance: x y in the city's CRS (local metres plus the origin; a scenario without a
  // city: the network's own metres), bearing clockwise from north
  std::optional<AtomicFile> traces;
  core::Status tracesStatus;
  if (sc.traces) {
    auto file = AtomicFile::create(dir + "/traces.csv");
    if (!file)
      return core::Unexpected(file.error());
    traces.emplace(std::move(*file));
    traces->write("time,layer,id,x,y,z,bearing_deg,value\n");
    const core::Tick every = std::max<core::Tick>(1, sc.tracesIntervalNs / sc.calendar.tickNs);
    const double originE = request.city.present ? request.city.originE : 0.0;
    const double originN = request.city.present ? request.city.originN : 0.0;
    s.addObserver([&, every, originE, originN, next = core::Tick{0}](const core::Scheduler&,
                                                                     core::Tick t) mutable {
      if (!tracesStatus || t < next)
        return;
      while (next <= t)
        next += every;
      auto frame = s.publishFrame();
      if (!frame) {
        tracesStatus = core::Unexpected(frame.error());
        return;
      }
      const std::string time = utcText(sc.calendar, t);
      std::string rows;
      for (const core::Layer& l : frame->layers) {
        if (l.kind != core::LayerKind::Instances)
          continue;
        for (const core::InstanceItem& it : l.instances) {
          double bearing = std::fmod(90.0 - it.headingRad * 180.0 / std::numbers::pi, 360.0);
          if (bearing < 0.0)
            bearing += 360.0;
          char row[320];
          std::snprintf(row, sizeof row, "%s,%s,%llu,%.2f,%.2f,%.2f,%.1f,%.6g\n", time.c_str(),
                        l.name.c_str(), static_cast<unsigned long long>(it.id), it.x + originE,
                        it.y + originN, it.z, bearing, static_cast<double>(it.value));
          rows += row;
        }
      }
      traces->write(rows);
    });
  }

  // run in segments that end at each requested render time, then to the end
  std::vector<const RenderSpec*> renders;
  for (const RenderSpec& r : sc.renders)
    renders.push_back(&r);
  std::stable_sort(renders.begin(), renders.end(),
                   [](const RenderSpec* a, const RenderSpec* b) { return a->at < b->at; });
  core::Status runStatus;
  for (const RenderSpec* r : renders) {
    runStatus = s.runUntil(r->at + 1);
    if (!runStatus)
      break;
    if (request.render) {
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(dir) / "renders", ec);
      auto frame = s.publishFrame();
      if (!frame)
        return core::Unexpected(frame.error());
      if (r->layers) {
        // only the layers the render names, each of which must exist
        std::vector<core::Layer> kept;
        for (const std::string& name : *r->layers) {
          const core::Layer* l = frame->find(name);
          if (l == nullptr) {
            std::string published;
            for (const core::Layer& p : frame->layers)
              published += (published.empty() ? "" : ", ") + p.name;
            return fail(ErrorCode::BadInput,
                        r->where.str() + ": no model publishes the layer '" + name +
                            "' (published: " + (published.empty() ? "none" : published) + ")");
          }
          kept.push_back(*l);
        }
        frame->layers = std::move(kept);
      }
      if (core::Status rs = request.render(*r, *frame, dir + "/" + r->file); !rs) {
        return core::Unexpected(rs.error());
      }
    }
  }
  if (runStatus)
    runStatus = s.run();
  if (runStatus && !seriesStatus)
    return core::Unexpected(seriesStatus.error());
  if (runStatus && !tracesStatus)
    return core::Unexpected(tracesStatus.error());
  if (!runStatus) {
    if (const core::StepFailure* f = s.failure()) {
      const int m = s.findModel(f->model);
      std::string who = "model '" + f->model + "'";
      for (const ModelInstanceSpec& spec : sc.models) {
        if (spec.name == f->model && spec.type != nullptr) {
          who = plugin::describeInstance(*spec.type, spec.name);
        }
      }
      (void)m;
      return fail(ErrorCode::ModelFailed,
                  who + " failed at " + sc.calendar.iso(f->tick) + " (sim time " +
                      formatNumber(sc.calendar.seconds(f->tick)) + " s): " + f->message);
    }
    return core::Unexpected(runStatus.error());
  }

  // KPIs in scenario order, then declaration order
  RunSummary summary;
  for (std::size_t i = 0; i < sc.models.size(); ++i) {
    const ModelInstanceSpec& m = sc.models[i];
    auto values = s.model(i).kpiValues();
    if (!values) {
      return fail(ErrorCode::ModelFailed,
                  plugin::describeInstance(*m.type, m.name) +
                      " could not report its KPIs: " + values.error().message);
    }
    for (std::size_t k = 0; k < m.type->kpis.size() && k < values->size(); ++k) {
      const plugin::KpiSpec& spec = m.type->kpis[k];
      summary.kpis.push_back({m.name + "." + spec.name, (*values)[k], spec.unit, spec.description});
    }
  }
  // privacy by construction: person counts below outputs.min_group leave the engine as NaN
  std::uint64_t suppressed = 0;
  for (KpiRow& k : summary.kpis) {
    const double v = suppressSmallGroup(k.value, k.unit, sc.minGroup, suppressed);
    if (std::isnan(v) && !std::isnan(k.value)) {
      k.value = v;
      k.description += " (suppressed: fewer than " + std::to_string(sc.minGroup) + " people)";
    }
  }
  auto hash = s.stateHash();
  if (!hash)
    return core::Unexpected(hash.error());
  summary.finalStateHash = core::toHex(*hash);
  summary.modelSteps = s.totalSteps();
  summary.timeseriesRows = recorder->rows();

  if (core::Status st = recorder->commit(); !st)
    return core::Unexpected(st.error());
  std::string resultsFile;
  if (request.results) {
    auto frame = s.publishFrame();
    if (!frame)
      return core::Unexpected(frame.error());
    for (core::Layer& l : frame->layers) {
      if (personDerived(l.unit)) {
        for (double& v : l.values)
          v = suppressSmallGroup(v, l.unit, sc.minGroup, suppressed);
      }
    }
    auto written = request.results(*frame, linkSeries, dir);
    if (!written)
      return core::Unexpected(written.error());
    resultsFile = *written;
  }
  if (core::Status st = writeFileAtomic(dir + "/kpis.csv", kpiCsv(summary.kpis)); !st) {
    return core::Unexpected(st.error());
  }
  if (traces) {
    if (core::Status st = traces->commit(); !st)
      return core::Unexpected(st.error());
  }

  summary.wallTimeS =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();
  nlohmann::ordered_json j;
  j["version"] = request.version;
  j["git_revision"] = request.gitRevision;
  nlohmann::ordered_json settings = nlohmann::ordered_json::object();
  for (const auto& [k, v] : sc.settings)
    settings[k] = v;
  j["scenario"] = {{"name", sc.name},
                   {"description", sc.description},
                   {"hash", sc.hash},
                   {"file", sc.path},
                   {"settings", settings}};
  j["seed"] = sc.seed;
  j["threads"] = request.threads;
  nlohmann::ordered_json plugins = nlohmann::ordered_json::array();
  std::vector<std::string> seen;
  for (const ModelInstanceSpec& m : sc.models) {
    const std::string& name = m.type->plugin->name;
    if (std::find(seen.begin(), seen.end(), name) != seen.end())
      continue;
    seen.push_back(name);
    plugins.push_back(
        {{"name", name}, {"version", m.type->plugin->version}, {"file", m.type->plugin->path}});
  }
  j["plugins"] = plugins;
  nlohmann::ordered_json models = nlohmann::ordered_json::array();
  std::int64_t totalNs = 0;
  for (std::size_t i = 0; i < sc.models.size(); ++i)
    totalNs += s.stepNanos(i);
  nlohmann::ordered_json share = nlohmann::ordered_json::object();
  for (std::size_t i = 0; i < sc.models.size(); ++i) {
    const ModelInstanceSpec& m = sc.models[i];
    models.push_back({{"name", m.name},
                      {"type", m.typeName},
                      {"type_version", m.type->version},
                      {"period", core::formatDurationNs(m.periodNs)},
                      {"steps", s.stepCount(i)}});
    share[m.name] =
        totalNs > 0 ? static_cast<double>(s.stepNanos(i)) / static_cast<double>(totalNs) : 0.0;
  }
  j["models"] = models;
  // a model that finished its work (a finite traffic demand) ends the run early
  const core::Tick simEnd = s.endedAt() >= 0 ? s.endedAt() + 1 : sc.endTick;
  j["sim"] = {{"start", sc.calendar.iso(0)},
              {"end", sc.calendar.iso(simEnd)},
              {"tick", core::formatDurationNs(sc.calendar.tickNs)},
              {"ticks", simEnd},
              {"ended_early", s.endedAt() >= 0},
              {"model_steps", summary.modelSteps}};
  j["wall_time_s"] = summary.wallTimeS;
  j["model_time_share"] = share;
  j["final_state_hash"] = summary.finalStateHash;
  nlohmann::ordered_json renderFiles = nlohmann::ordered_json::array();
  if (request.render) {
    for (const RenderSpec& r : sc.renders)
      renderFiles.push_back(r.file);
  }
  j["outputs"] = {{"kpis", "kpis.csv"},
                  {"renders", renderFiles},
                  {"timeseries", "timeseries.csv"},
                  {"timeseries_rows", summary.timeseriesRows}};
  if (!resultsFile.empty())
    j["outputs"]["results"] = resultsFile;
  if (traces)
    j["outputs"]["traces"] = "traces.csv";
  j["privacy"] = {{"min_group", sc.minGroup},
                  {"traces", sc.traces},
                  {"suppressed_values", suppressed + recorder->suppressed()}};
  if (request.city.present) {
    j["city"] = {{"crs", request.city.crs},
                 {"origin", {request.city.originE, request.city.originN}},
                 {"sources", request.city.sources},
                 {"figures", request.city.figures},
                 {"problems", request.city.problems}};
  }
  nlohmann::ordered_json libs = nlohmann::ordered_json::object();
  for (const auto& [k, v] : request.libraries)
    libs[k] = v;
  j["libraries"] = libs;
  // run.json last: its presence marks a complete folder
  if (core::Status st = writeFileAtomic(dir + "/run.json", j.dump(2) + "\n"); !st) {
    return core::Unexpected(st.error());
  }
  if (core::Status st = folder->commit(); !st)
    return core::Unexpected(st.error());
  summary.outDir = folder->finalPath();
  return summary;
}

}  // namespace twin::io
