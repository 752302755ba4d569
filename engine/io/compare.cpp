// SPDX-License-Identifier: Apache-2.0
#include "io/compare.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/recorder.hpp"

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

std::string show(const std::optional<double>& v, const char* fmt = "%.6g") {
  if (!v)
    return "-";
  char buf[48];
  std::snprintf(buf, sizeof buf, fmt, *v);
  return buf;
}

}  // namespace

core::Result<RunRecord> readRun(const std::string& dir) {
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
    if (doc.contains("city")) {
      const auto& c = doc.at("city");
      std::string key = c.value("crs", "");
      for (const auto& s : c.at("sources"))
        key += "|" + fs::path(s.get<std::string>()).filename().string();
      if (c.contains("figures") && c.at("figures").contains("buildings"))
        key += "|" + std::to_string(c.at("figures").at("buildings").get<double>());
      r.cityKey = key;
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
      kpi.value = cells[1] == "nan" ? NAN : std::stod(cells[1]);
    } catch (const std::exception&) {
      return fail(ErrorCode::BadInput,
                  kpiPath + ":" + std::to_string(n) + ": '" + cells[1] + "' is not a number");
    }
    r.kpis.push_back(std::move(kpi));
  }
  return r;
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
        c.rows.push_back(
            {k.name, k.unit, k.description, std::vector<std::optional<double>>(runs.size())});
      }
      c.rows[it->second].values[i] = k.value;
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
    std::vector<std::string> line{r.kpi, r.unit, show(r.values[0])};
    for (std::size_t i = 1; i < c.runs.size(); ++i) {
      line.push_back(show(r.values[i]));
      line.push_back(show(delta(r.values[0], r.values[i]), "%+.4g"));
      line.push_back(intervalScale(r.unit) ? "-"
                                           : show(deltaPct(r.values[0], r.values[i]), "%+.2f %%"));
    }
    cells.push_back(line);
  }
  std::vector<std::size_t> width(head.size(), 0);
  for (const auto& line : cells) {
    for (std::size_t k = 0; k < line.size(); ++k)
      width[k] = std::max(width[k], line[k].size());
  }
  std::string out;
  for (std::size_t row = 0; row < cells.size(); ++row) {
    for (std::size_t k = 0; k < cells[row].size(); ++k) {
      const std::string& s = cells[row][k];
      const std::string pad(width[k] - s.size(), ' ');
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
  out += "baseline " + c.runs[0].dir;
  for (std::size_t i = 1; i < c.runs.size(); ++i)
    out += "; variant " + c.runs[i].dir;
  out += "\n";
  return out;
}

std::string comparisonCsv(const Comparison& c) {
  std::string out = "kpi,unit,run,scenario,value,delta,delta_pct\n";
  auto num = [](const std::optional<double>& v) { return v ? formatNumber(*v) : std::string(); };
  for (const Comparison::Row& r : c.rows) {
    for (std::size_t i = 0; i < c.runs.size(); ++i) {
      out += r.kpi + "," + r.unit + "," + c.runs[i].dir + "," + c.runs[i].scenario + "," +
             num(r.values[i]) + "," + (i == 0 ? "" : num(delta(r.values[0], r.values[i]))) + "," +
             (i == 0 || intervalScale(r.unit) ? "" : num(deltaPct(r.values[0], r.values[i]))) +
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
    rows.push_back({{"kpi", r.kpi},
                    {"unit", r.unit},
                    {"description", r.description},
                    {"values", values},
                    {"delta", deltas},
                    {"delta_pct", pcts}});
  }
  j["kpis"] = rows;
  return j.dump(2) + "\n";
}

}  // namespace twin::io
