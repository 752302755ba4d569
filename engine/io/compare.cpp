// SPDX-License-Identifier: Apache-2.0
#include "io/compare.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/recorder.hpp"
#include "io/stats.hpp"

namespace twin::io {
namespace {
using core::ErrorCode;
using core::fail;
namespace fs = std::filesystem;

// one CSV record with RFC 4180 quoting
std::vector<std::string> csvRecord(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

std::string majorMinor(const std::string& v) {
  const auto a = v.find('.');
  const auto b = a == std::string::npos ? a : v.find('.', a + 1);
  return v.substr(0, b);
}

std::optional<double> delta(const std::optional<double>& base, const std::optional<double>& v) {
  if (!base || !v)
    return std::nullopt;
  return *v - *base;
}

// a relative change of a temperature on an interval scale (degC, degF) means nothing: none
bool intervalScale(const std::string& unit) {
  return unit == "degC" || unit == "degF";
}

std::optional<double> deltaPct(const std::optional<double>& base, const std::optional<double>& v) {
  if (!base || !v || *base == 0.0)
    return std::nullopt;
  return (*v - *base) / std::abs(*base) * 100.0;
}

// characters on a terminal: UTF-8 continuation bytes take no column
std::size_t displayWidth(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char ch) { return (ch & 0xC0) != 0x80; }));
}

std::string show(const std::optional<double>& v, const char* fmt = "%.6g") {
  if (!v || std::isnan(*v))
    return "-";
  char buf[48];
  std::snprintf(buf, sizeof buf, fmt, *v);
  return buf;
}

}  // namespace

namespace {

core::Result<RunRecord> readOneRun(const std::string& dir) {
  RunRecord r;
  r.dir = dir;
  const std::string runJson = dir + "/run.json";
  std::ifstream j(runJson);
  if (!j) {
    return fail(ErrorCode::BadInput,
                dir + ": not a finished citytwin run (no run.json); run the scenario first");
  }
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(j);
    r.scenario = doc.at("scenario").at("name").get<std::string>();
    r.scenarioHash = doc.at("scenario").value("hash", "");
    r.version = doc.at("version").get<std::string>();
    r.seed = doc.value("seed", std::uint64_t{0});
    r.finalStateHash = doc.value("final_state_hash", "");
    const auto& scj = doc.at("scenario");
    r.description = scj.value("description", "");
    r.file = scj.value("file", "");
    if (scj.contains("settings")) {
      for (const auto& [k, v] : scj.at("settings").items())
        r.settings.emplace_back(k, v.get<std::string>());
    }
    r.gitRevision = doc.value("git_revision", "");
    if (doc.contains("privacy"))
      r.suppressedValues = doc.at("privacy").value("suppressed_values", std::uint64_t{0});
    r.wallTimeS = doc.value("wall_time_s", 0.0);
    r.threads = doc.value("threads", 0);
    if (doc.contains("sim")) {
      r.simStart = doc.at("sim").value("start", "");
      r.simEnd = doc.at("sim").value("end", "");
    }
    if (doc.contains("plugins")) {
      for (const auto& p : doc.at("plugins"))
        r.plugins.emplace_back(p.value("name", ""), p.value("version", ""));
    }
    if (doc.contains("outputs")) {
      const auto& o = doc.at("outputs");
      if (o.contains("renders")) {
        for (const auto& f : o.at("renders"))
          r.renders.push_back(f.get<std::string>());
      }
      r.timeseries = o.value("timeseries", "");
      r.results = o.value("results", "");
    }
    if (doc.contains("city")) {
      const auto& c = doc.at("city");
      std::string key = c.value("crs", "");
      for (const auto& s : c.at("sources"))
        key += "|" + fs::path(s.get<std::string>()).filename().string();
      if (c.contains("figures") && c.at("figures").contains("buildings"))
        key += "|" + std::to_string(c.at("figures").at("buildings").get<double>());
      r.cityKey = key;
      for (const auto& s : c.at("sources"))
        r.citySources.push_back(fs::path(s.get<std::string>()).filename().string());
      if (c.contains("figures")) {
        for (const auto& [k, v] : c.at("figures").items())
          r.cityFigures[k] = v.get<double>();
      }
    }
  } catch (const std::exception& e) {
    return fail(ErrorCode::BadInput, runJson + ": not a citytwin run.json (" + e.what() + ")");
  }
  const std::string kpiPath = dir + "/kpis.csv";
  std::ifstream k(kpiPath);
  if (!k)
    return fail(ErrorCode::BadInput, kpiPath + ": missing");
  std::string line;
  std::getline(k, line);
  if (line != "kpi,value,unit,description")
    return fail(ErrorCode::BadInput,
                kpiPath + ":1: expected the header kpi,value,unit,description");
  int n = 1;
  while (std::getline(k, line)) {
    ++n;
    if (line.empty())
      continue;
    const auto cells = csvRecord(line);
    if (cells.size() != 4)
      return fail(ErrorCode::BadInput, kpiPath + ":" + std::to_string(n) + ": expected 4 fields");
    RunRecord::Kpi kpi{cells[0], cells[2], cells[3], 0.0};
    try {
      kpi.value = cells[1] == "nan" || cells[1].empty() ? NAN : std::stod(cells[1]);
    } catch (const std::exception&) {
      return fail(ErrorCode::BadInput,
                  kpiPath + ":" + std::to_string(n) + ": '" + cells[1] + "' is not a number");
    }
    r.kpis.push_back(std::move(kpi));
  }
  return r;
}

}  // namespace

core::Result<RunRecord> readRun(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir + "/run.json", ec) || !fs::is_directory(dir, ec))
    return readOneRun(dir);
  // a folder of replicates: r01, r02, ... in name order
  std::vector<std::string> reps;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (e.is_directory() && name.size() >= 2 && name[0] == 'r' &&
        std::all_of(name.begin() + 1, name.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      reps.push_back(e.path().string());
  }
  if (reps.empty())
    return readOneRun(dir);  // the "no run.json" error
  std::sort(reps.begin(), reps.end());
  RunRecord group;
  for (const std::string& rd : reps) {
    auto one = readOneRun(rd);
    if (!one)
      return core::Unexpected(one.error());
    if (group.replicateDirs.empty()) {
      group = *one;
      group.dir = dir;
    } else if (one->scenario != group.scenario || one->cityKey != group.cityKey) {
      return fail(ErrorCode::BadInput, rd + " is not a replicate of " + group.replicateDirs[0] +
                                           " (another scenario or city)");
    }
    group.replicateDirs.push_back(rd);
    group.replicateSeeds.push_back(one->seed);
    group.replicateHashes.push_back(one->finalStateHash);
    for (const RunRecord::Kpi& k : one->kpis)
      group.samples[k.name].push_back(k.value);
  }
  for (RunRecord::Kpi& k : group.kpis) {
    const std::vector<double>& xs = group.samples[k.name];
    if (xs.size() != reps.size()) {
      return fail(ErrorCode::BadInput,
                  dir + ": KPI " + k.name + " is missing from some replicates");
    }
    k.value = meanCi95(xs).mean;
  }
  return group;
}

core::Result<Comparison> compareRuns(std::vector<RunRecord> runs) {
  if (runs.size() < 2)
    return fail(ErrorCode::BadInput, "compare needs a baseline and at least one variant");
  const RunRecord& base = runs[0];
  for (std::size_t i = 1; i < runs.size(); ++i) {
    const RunRecord& r = runs[i];
    if (r.cityKey != base.cityKey) {
      return fail(ErrorCode::BadInput, r.dir + " ran on another city than " + base.dir + " (" +
                                           (r.cityKey.empty() ? "no city" : r.cityKey) + " vs " +
                                           (base.cityKey.empty() ? "no city" : base.cityKey) +
                                           "); only runs of the same city are compared");
    }
    if (majorMinor(r.version) != majorMinor(base.version)) {
      return fail(ErrorCode::BadInput, r.dir + " was made by citytwin " + r.version + ", " +
                                           base.dir + " by " + base.version +
                                           "; rerun both with one version");
    }
  }
  Comparison c;
  std::map<std::string, std::size_t> at;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    for (const RunRecord::Kpi& k : runs[i].kpis) {
      auto [it, fresh] = at.try_emplace(k.name, c.rows.size());
      if (fresh) {
        c.rows.push_back({k.name,
                          k.unit,
                          k.description,
                          std::vector<std::optional<double>>(runs.size()),
                          {},
                          {}});
      }
      c.rows[it->second].values[i] = k.value;
    }
  }
  // replicates: confidence intervals and significance of the differences
  for (Comparison::Row& row : c.rows) {
    row.ciHalf.assign(runs.size(), std::nullopt);
    row.significant.assign(runs.size(), std::nullopt);
    auto samplesOf = [&](std::size_t i) -> const std::vector<double>* {
      auto it = runs[i].samples.find(row.kpi);
      return it == runs[i].samples.end() ? nullptr : &it->second;
    };
    for (std::size_t i = 0; i < runs.size(); ++i) {
      if (const auto* xs = samplesOf(i); xs != nullptr) {
        if (const MeanCi m = meanCi95(*xs); m.valid)
          row.ciHalf[i] = m.half;
      }
    }
    const std::vector<double>* baseXs = samplesOf(0);
    for (std::size_t i = 1; i < runs.size() && baseXs != nullptr; ++i) {
      const std::vector<double>* xs = samplesOf(i);
      if (xs == nullptr || xs->size() < 2 || baseXs->size() < 2)
        continue;
      if (runs[i].replicateSeeds == runs[0].replicateSeeds) {
        // paired: replicate k of both ran with the same seed (common random numbers)
        std::vector<double> d;
        for (std::size_t k = 0; k < xs->size(); ++k)
          d.push_back((*xs)[k] - (*baseXs)[k]);
        const MeanCi m = meanCi95(d);
        const bool allZero = std::all_of(d.begin(), d.end(), [](double x) { return x == 0.0; });
        row.significant[i] = !allZero && std::abs(m.mean) > m.half;
      } else {
        // Welch: difference of means against its standard error
        const MeanCi a = meanCi95(*baseXs), b = meanCi95(*xs);
        auto var = [](const std::vector<double>& v, double mean) {
          double ss = 0.0;
          for (double x : v)
            ss += (x - mean) * (x - mean);
          return ss / static_cast<double>(v.size() - 1) / static_cast<double>(v.size());
        };
        const double va = var(*baseXs, a.mean), vb = var(*xs, b.mean);
        const double se = std::sqrt(va + vb);
        const double df =
            se > 0 ? std::pow(va + vb, 2) / (va * va / static_cast<double>(baseXs->size() - 1) +
                                             vb * vb / static_cast<double>(xs->size() - 1))
                   : 1.0;
        const double t = tQuantile975(static_cast<std::size_t>(std::max(1.0, std::floor(df))));
        row.significant[i] = se > 0 ? std::abs(b.mean - a.mean) > t * se : b.mean != a.mean;
      }
    }
  }
  c.runs = std::move(runs);
  return c;
}

std::string comparisonTable(const Comparison& c) {
  // columns: KPI, unit, baseline, then value / delta / delta % per variant
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> head{"KPI", "unit", c.runs[0].scenario};
  for (std::size_t i = 1; i < c.runs.size(); ++i) {
    head.push_back(c.runs[i].scenario);
    head.push_back("delta");
    head.push_back("delta %");
  }
  cells.push_back(head);
  for (const Comparison::Row& r : c.rows) {
    auto withCi = [&](std::size_t i) {
      std::string v = show(r.values[i]);
      if (i < r.ciHalf.size() && r.ciHalf[i])
        v += " \u00b1" + show(r.ciHalf[i], "%.3g");
      return v;
    };
    std::vector<std::string> line{r.kpi, r.unit, withCi(0)};
    for (std::size_t i = 1; i < c.runs.size(); ++i) {
      line.push_back(withCi(i));
      std::string d = show(delta(r.values[0], r.values[i]), "%+.4g");
      if (i < r.significant.size() && r.significant[i])
        d += *r.significant[i] ? " *" : "  ";
      line.push_back(d);
      line.push_back(intervalScale(r.unit) ? "-"
                                           : show(deltaPct(r.values[0], r.values[i]), "%+.2f %%"));
    }
    cells.push_back(line);
  }
  std::vector<std::size_t> width(head.size(), 0);
  for (const auto& line : cells) {
    for (std::size_t k = 0; k < line.size(); ++k)
      width[k] = std::max(width[k], displayWidth(line[k]));
  }
  std::string out;
  for (std::size_t row = 0; row < cells.size(); ++row) {
    for (std::size_t k = 0; k < cells[row].size(); ++k) {
      const std::string& s = cells[row][k];
      const std::string pad(width[k] - displayWidth(s), ' ');
      // text left, numbers right
      out += (k < 2 ? s + pad : pad + s) + (k + 1 < cells[row].size() ? "  " : "");
    }
    out += "\n";
    if (row == 0) {
      std::size_t total = 0;
      for (std::size_t w : width)
        total += w + 2;
      out += std::string(total - 2, '-') + "\n";
    }
  }
  const bool replicated = std::any_of(c.runs.begin(), c.runs.end(),
                                      [](const RunRecord& r) { return !r.replicateDirs.empty(); });
  if (replicated) {
    out +=
        "\u00b1: half width of the 95 % confidence interval over replicates; *: the difference "
        "is significant at 5 % (paired t test with common random numbers)\n";
  }
  out += "baseline " + c.runs[0].dir;
  for (std::size_t i = 1; i < c.runs.size(); ++i)
    out += "; variant " + c.runs[i].dir;
  out += "\n";
  return out;
}

std::string comparisonCsv(const Comparison& c) {
  std::string out = "kpi,unit,run,scenario,value,delta,delta_pct,ci95_half,significant\n";
  auto num = [](const std::optional<double>& v) { return v ? formatNumber(*v) : std::string(); };
  for (const Comparison::Row& r : c.rows) {
    for (std::size_t i = 0; i < c.runs.size(); ++i) {
      out +=
          r.kpi + "," + r.unit + "," + c.runs[i].dir + "," + c.runs[i].scenario + "," +
          num(r.values[i]) + "," + (i == 0 ? "" : num(delta(r.values[0], r.values[i]))) + "," +
          (i == 0 || intervalScale(r.unit) ? "" : num(deltaPct(r.values[0], r.values[i]))) + "," +
          (i < r.ciHalf.size() ? num(r.ciHalf[i]) : "") + "," +
          (i < r.significant.size() && r.significant[i] ? (*r.significant[i] ? "yes" : "no") : "") +
          "\n";
    }
  }
  return out;
}

std::string comparisonJson(const Comparison& c) {
  nlohmann::ordered_json j;
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  for (const RunRecord& r : c.runs) {
    runs.push_back({{"dir", r.dir},
                    {"scenario", r.scenario},
                    {"scenario_hash", r.scenarioHash},
                    {"seed", r.seed},
                    {"version", r.version},
                    {"final_state_hash", r.finalStateHash}});
  }
  j["runs"] = runs;
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  auto val = [](const std::optional<double>& v) {
    return v && std::isfinite(*v) ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
  };
  for (const Comparison::Row& r : c.rows) {
    nlohmann::ordered_json values = nlohmann::ordered_json::array(),
                           deltas = nlohmann::ordered_json::array(),
                           pcts = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < c.runs.size(); ++i) {
      values.push_back(val(r.values[i]));
      deltas.push_back(i == 0 ? nlohmann::ordered_json(nullptr)
                              : val(delta(r.values[0], r.values[i])));
      pcts.push_back(i == 0 || intervalScale(r.unit) ? nlohmann::ordered_json(nullptr)
                                                     : val(deltaPct(r.values[0], r.values[i])));
    }
    nlohmann::ordered_json cis = nlohmann::ordered_json::array(),
                           sig = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < c.runs.size(); ++i) {
      cis.push_back(i < r.ciHalf.size() ? val(r.ciHalf[i]) : nullptr);
      sig.push_back(i < r.significant.size() && r.significant[i]
                        ? nlohmann::ordered_json(*r.significant[i])
                        : nlohmann::ordered_json(nullptr));
    }
    rows.push_back({{"kpi", r.kpi},
                    {"unit", r.unit},
                    {"description", r.description},
                    {"values", values},
                    {"delta", deltas},
                    {"delta_pct", pcts},
                    {"ci95_half", cis},
                    {"significant", sig}});
  }
  j["kpis"] = rows;
  return j.dump(2) + "\n";
}

}  // namespace twin::io
