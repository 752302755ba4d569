// SPDX-License-Identifier: Apache-2.0
#include "io/sweep.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>

#include "io/recorder.hpp"
#include "io/stats.hpp"

namespace twin::io {
namespace {
using core::ErrorCode;
using core::fail;

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t");
  if (a == std::string::npos)
    return "";
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

bool plainName(const std::string& s) {
  if (s.empty() || s == "." || s == ".." || s.size() > 200)
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c != '/' && c != '\\' && c != '\0' && static_cast<unsigned char>(c) >= 0x20;
  });
}

std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos)
    return s;
  std::string out = "\"";
  for (char c : s)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string axisValue(const SweepRun& r, const std::string& key) {
  for (const auto& [k, v] : r.sets) {
    if (k == key)
      return v;
  }
  return "";
}

}  // namespace

core::Result<SweepAxis> parseVary(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    return fail(ErrorCode::BadInput, "--vary '" + text +
                                         "': expected key.path=value1,value2,... (e.g. "
                                         "models.weather.temperature_offset=0K,2K)");
  }
  SweepAxis a;
  a.key = trim(text.substr(0, eq));
  const std::string rest = text.substr(eq + 1);
  std::size_t start = 0;
  while (true) {
    const auto comma = rest.find(',', start);
    const std::string v = trim(rest.substr(start, comma - start));
    if (v.empty())
      return fail(ErrorCode::BadInput, "--vary '" + text + "': an empty value");
    if (std::find(a.values.begin(), a.values.end(), v) != a.values.end())
      return fail(ErrorCode::BadInput, "--vary '" + text + "': value '" + v + "' twice");
    a.values.push_back(v);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  if (a.key.find_first_of(" \t") != std::string::npos)
    return fail(ErrorCode::BadInput, "--vary '" + text + "': a key has no spaces");
  return a;
}

core::Result<std::vector<SweepRun>> expandSweep(const std::vector<SweepAxis>& axes, int replicates,
                                                std::uint64_t baseSeed, const std::string& outDir) {
  if (axes.empty() && replicates < 2) {
    return fail(ErrorCode::BadInput,
                "a sweep needs at least one --vary key=values or --replicates N (N >= 2)");
  }
  if (replicates < 0 || replicates > 10000)
    return fail(ErrorCode::BadInput, "--replicates must be between 0 and 10000");
  for (std::size_t i = 0; i < axes.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (axes[i].key == axes[j].key)
        return fail(ErrorCode::BadInput, "--vary names '" + axes[i].key + "' twice");
    }
  }
  std::size_t points = 1;
  for (const SweepAxis& a : axes) {
    points *= a.values.size();
    if (points > 100000)
      return fail(ErrorCode::BadInput, "the sweep has more than 100,000 points");
  }
  std::vector<SweepRun> out;
  for (std::size_t p = 0; p < points; ++p) {
    SweepRun base;
    std::size_t rest = p;
    std::vector<std::size_t> index(axes.size());
    for (std::size_t k = axes.size(); k-- > 0;) {
      index[k] = rest % axes[k].values.size();
      rest /= axes[k].values.size();
    }
    // a varied seed is the point's seed: its replicates count up from it (each run's --seed
    // would otherwise replace the varied value, and every point would draw the same numbers)
    std::uint64_t pointSeed = baseSeed;
    for (std::size_t k = 0; k < axes.size(); ++k) {
      const std::string& v = axes[k].values[index[k]];
      if (axes[k].key == "seed") {
        std::uint64_t parsed = 0;
        const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), parsed);
        if (ec != std::errc() || end != v.data() + v.size()) {
          return fail(ErrorCode::BadInput, "--vary seed: '" + v + "' is not a whole number >= 0");
        }
        pointSeed = parsed;
      }
      base.sets.emplace_back(axes[k].key, v);
      // the folder names the last part of each key: "ev_share=0.1,temperature_offset=2K"
      const std::string shortKey = axes[k].key.substr(axes[k].key.rfind('.') + 1);
      base.point += (k > 0 ? "," : "") + shortKey + "=" + v;
    }
    if (base.point.empty())
      base.point = "replicates";
    if (!plainName(base.point)) {
      return fail(ErrorCode::BadInput,
                  "sweep point '" + base.point + "' cannot be a folder name (no '/' in values)");
    }
    if (replicates == 0) {
      base.seed = pointSeed;
      base.dir = outDir + "/" + base.point;
      out.push_back(base);
      continue;
    }
    for (int r = 1; r <= replicates; ++r) {
      SweepRun run = base;
      run.replicate = r;
      run.seed = pointSeed + static_cast<std::uint64_t>(r - 1);
      char name[16];
      std::snprintf(name, sizeof name, "r%02d", r);
      run.dir = outDir + "/" + base.point + "/" + name;
      out.push_back(std::move(run));
    }
  }
  // short keys could collide ("a.x" and "b.x" with equal values)
  std::vector<std::string> dirs;
  for (const SweepRun& r : out)
    dirs.push_back(r.dir);
  std::sort(dirs.begin(), dirs.end());
  if (std::adjacent_find(dirs.begin(), dirs.end()) != dirs.end()) {
    return fail(ErrorCode::BadInput,
                "two sweep points share a folder name; vary keys whose last parts differ");
  }
  return out;
}

std::string sweepRunsCsv(const std::vector<SweepAxis>& axes, const std::vector<SweepRun>& runs,
                         const std::vector<SweepOutcome>& outcomes) {
  std::vector<std::string> kpis;
  for (const SweepOutcome& o : outcomes) {
    if (o.record) {
      for (const RunRecord::Kpi& k : o.record->kpis)
        kpis.push_back(k.name + " [" + k.unit + "]");
      break;
    }
  }
  std::string out = "point";
  for (const SweepAxis& a : axes)
    out += "," + csvField(a.key);
  out += ",replicate,seed,status,error";
  for (const std::string& k : kpis)
    out += "," + csvField(k);
  out += "\n";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const SweepRun& r = runs[i];
    const SweepOutcome& o = outcomes[i];
    out += csvField(r.point);
    for (const SweepAxis& a : axes)
      out += "," + csvField(axisValue(r, a.key));
    out += "," + (r.replicate > 0 ? std::to_string(r.replicate) : std::string()) + "," +
           std::to_string(r.seed) + "," +
           (o.exitCode == 0   ? "ok"
            : o.exitCode == 2 ? "bad input"
                              : "failed") +
           "," + csvField(o.error);
    for (std::size_t k = 0; k < kpis.size(); ++k) {
      out += ",";
      if (o.record && k < o.record->kpis.size())
        out += formatNumber(o.record->kpis[k].value);
    }
    out += "\n";
  }
  return out;
}

std::string sweepSummaryCsv(const std::vector<SweepAxis>& axes, const std::vector<SweepRun>& runs,
                            const std::vector<SweepOutcome>& outcomes) {
  std::string out = "point";
  for (const SweepAxis& a : axes)
    out += "," + csvField(a.key);
  out += ",kpi,unit,n,mean,ci95_low,ci95_high\n";
  std::vector<std::string> order;
  for (const SweepRun& r : runs) {
    if (std::find(order.begin(), order.end(), r.point) == order.end())
      order.push_back(r.point);
  }
  for (const std::string& point : order) {
    const SweepRun* first = nullptr;
    std::vector<std::string> names, units;
    std::map<std::string, std::vector<double>> values;
    for (std::size_t i = 0; i < runs.size(); ++i) {
      if (runs[i].point != point)
        continue;
      if (first == nullptr)
        first = &runs[i];
      if (!outcomes[i].record)
        continue;
      for (const RunRecord::Kpi& k : outcomes[i].record->kpis) {
        if (!values.count(k.name)) {
          names.push_back(k.name);
          units.push_back(k.unit);
        }
        values[k.name].push_back(k.value);
      }
    }
    for (std::size_t k = 0; k < names.size(); ++k) {
      const MeanCi m = meanCi95(values[names[k]]);
      out += csvField(point);
      for (const SweepAxis& a : axes)
        out += "," + csvField(axisValue(*first, a.key));
      out += "," + csvField(names[k]) + "," + csvField(units[k]) + "," + std::to_string(m.n) + "," +
             formatNumber(m.mean) + "," + (m.valid ? formatNumber(m.mean - m.half) : "") + "," +
             (m.valid ? formatNumber(m.mean + m.half) : "") + "\n";
    }
  }
  return out;
}

}  // namespace twin::io
