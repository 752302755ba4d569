// SPDX-License-Identifier: Apache-2.0
#include "io/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>

#include "io/recorder.hpp"
#include "io/stats.hpp"

namespace twin::io {
namespace {
using core::ErrorCode;
using core::fail;
using svg::escape;

bool endsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string fmt(double v, const char* f = "%.4g") {
  if (!std::isfinite(v))
    return "&#8211;";
  char buf[48];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

bool intervalScale(const std::string& unit) {
  return unit == "degC" || unit == "degF";
}

std::string kpiValue(const Comparison::Row& r, std::size_t i) {
  if (!r.values[i])
    return "&#8211;";
  std::string s = fmt(*r.values[i]);
  if (i < r.ciHalf.size() && r.ciHalf[i])
    s += " &#177;" + fmt(*r.ciHalf[i], "%.2g");
  return s;
}

constexpr const char* kCss = R"(
:root{--ink:#1b1b1b;--muted:#5b5b5b;--line:#d9d9d9;--accent:#0072B2;--up:#D55E00;--down:#0072B2}
*{box-sizing:border-box}
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;color:var(--ink);margin:0 auto;
 max-width:1080px;padding:24px 28px 48px;line-height:1.45;font-size:14px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid
 var(--accent);padding-bottom:3px}h3{font-size:15px;margin:18px 0 6px}
.sub{color:var(--muted);margin:0 0 16px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f5f7;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums;
 white-space:nowrap}tr:nth-child(even) td{background:#fafafa}
.up{color:var(--up)}.down{color:var(--down)}.sig{font-weight:700}
.wide{overflow-x:auto}table.compact td,table.compact th{padding:2px 4px;font-size:11.5px}
.summary{background:#f3f7fb;border-left:4px solid var(--accent);padding:10px 14px;margin:12px 0}
.summary p{margin:4px 0}.note{color:var(--muted);font-size:12px}
code{font-family:"DejaVu Sans Mono",monospace;font-size:12px;background:#f3f3f3;padding:0 3px}
figure{margin:10px 0 16px;break-inside:avoid}figcaption{color:var(--muted);font-size:12px}
svg{max-width:100%;height:auto}img.render{max-width:100%;border:1px solid var(--line)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:12px}
@page{size:A4;margin:14mm}
@media print{body{max-width:none;padding:0;font-size:11px}h2{break-after:avoid}
 table,figure,.summary{break-inside:avoid}a{color:inherit;text-decoration:none}}
)";

// settings that every variant has its own value of: not "what changed"
bool ownSetting(const std::string& key) {
  return key == "name" || key == "description";
}

struct Change {
  std::string key, before, after;
};
std::vector<Change> changesBetween(const RunRecord& base, const RunRecord& v) {
  std::map<std::string, std::string> a(base.settings.begin(), base.settings.end());
  std::vector<Change> out;
  std::set<std::string> seen;
  for (const auto& [k, val] : v.settings) {
    seen.insert(k);
    if (ownSetting(k))
      continue;
    auto it = a.find(k);
    if (it == a.end())
      out.push_back({k, "", val});
    else if (it->second != val)
      out.push_back({k, it->second, val});
  }
  for (const auto& [k, val] : base.settings) {
    if (!seen.count(k) && !ownSetting(k))
      out.push_back({k, val, ""});
  }
  return out;
}

std::string shortHash(const std::string& h) {
  return "<code>" + escape(h) + "</code>";
}

}  // namespace

core::Result<std::map<std::string, SeriesData>> readTimeseries(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return fail(ErrorCode::BadInput, path + ": cannot read");
  std::string line;
  std::getline(in, line);
  if (line != "time_s,series,entity,value,unit")
    return fail(ErrorCode::BadInput,
                path + ":1: expected the header time_s,series,entity,value,unit");
  std::map<std::string, SeriesData> out;
  int n = 1;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty())
      continue;
    std::vector<std::string> f;
    std::size_t start = 0;
    for (int k = 0; k < 4; ++k) {
      const auto comma = line.find(',', start);
      if (comma == std::string::npos)
        return fail(ErrorCode::BadInput, path + ":" + std::to_string(n) + ": expected 5 fields");
      f.push_back(line.substr(start, comma - start));
      start = comma + 1;
    }
    f.push_back(line.substr(start));
    if (!f[2].empty())
      continue;  // per-entity values are for maps, not charts
    SeriesData& s = out[f[1]];
    s.unit = f[4];
    try {
      s.hours.push_back(std::stod(f[0]) / 3600.0);
      s.values.push_back(f[3].empty() ? NAN : std::stod(f[3]));
    } catch (const std::exception&) {
      return fail(ErrorCode::BadInput, path + ":" + std::to_string(n) + ": not a number");
    }
  }
  return out;
}

std::vector<DataSource> dataSourcesOf(const RunRecord& run) {
  std::vector<DataSource> out;
  for (const std::string& s : run.citySources) {
    if (endsWith(s, ".osm.pbf") || endsWith(s, ".osm") || endsWith(s, ".osm.bz2")) {
      out.push_back({"City model: OpenStreetMap (" + s + ")", "Open Database Licence (ODbL) 1.0",
                     "\xC2\xA9 OpenStreetMap contributors"});
    } else if (endsWith(s, ".gml") || endsWith(s, ".gml.gz") || endsWith(s, ".xml")) {
      out.push_back({"City model: CityGML (" + s + ")",
                     "as published with the file (NRW "
                     "LoD2: Datenlizenz Deutschland \xE2\x80\x93 Zero 2.0)",
                     "Geobasis NRW"});
    } else if (endsWith(s, ".tif") || endsWith(s, ".tiff")) {
      out.push_back({"Terrain: " + s, "as published with the file (NRW DGM: dl-de/zero-2.0)",
                     "Geobasis NRW"});
    } else {
      out.push_back({"City data: " + s, "see the file's source", ""});
    }
  }
  for (const auto& [name, version] : run.plugins) {
    if (name == "weather") {
      out.push_back({"Weather: test reference year TRY 2010 (DWD/BBSR), region 5, Essen",
                     "DWD open data, attribution required", "Deutscher Wetterdienst"});
    }
  }
  return out;
}

Comparison singleRun(RunRecord run) {
  Comparison c;
  for (const RunRecord::Kpi& k : run.kpis) {
    Comparison::Row r{k.name, k.unit, k.description, {k.value}, {std::nullopt}, {std::nullopt}};
    auto it = run.samples.find(k.name);
    if (it != run.samples.end()) {
      if (const MeanCi m = meanCi95(it->second); m.valid)
        r.ciHalf[0] = m.half;
    }
    c.rows.push_back(std::move(r));
  }
  c.runs.push_back(std::move(run));
  return c;
}

std::string base64(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16) |
                       (static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                       static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 2]));
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16) |
                       (static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string reportHtml(const ReportInput& in) {
  const Comparison& c = in.comparison;
  const RunRecord& base = c.runs[0];
  const bool compare = c.runs.size() > 1;
  std::string title = compare ? base.scenario + " and " + std::to_string(c.runs.size() - 1) +
                                    (c.runs.size() == 2 ? " variant" : " variants")
                              : base.scenario;
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
      "<meta name=\"generator\" content=\"citytwin " +
      escape(in.citytwinVersion) + "\"/><title>citytwin report: " + escape(title) +
      "</title><style>" + kCss + "</style></head><body>\n";
  h += "<h1>citytwin report: " + escape(title) + "</h1>";
  h += "<p class=\"sub\">Simulated " + escape(base.simStart) + " to " + escape(base.simEnd) +
       (base.citySources.empty() ? "" : " on the city of " + escape(base.citySources[0])) +
       ". Every figure below comes from the run folders named in the provenance section.</p>\n";

  // privacy first: traces leave the engine only when a scenario asks
  bool traces = false;
  std::string minGroup = "5";
  for (const RunRecord& r : c.runs) {
    for (const auto& [k, v] : r.settings) {
      if (k == "outputs.traces" && v == "true")
        traces = true;
      if (k == "outputs.min_group")
        minGroup = v;
    }
  }
  if (traces) {
    h += "<div class=\"summary\"><p><b>Per-person traces:</b> at least one of these runs set "
         "<code>outputs.traces: true</code>, so per-person or per-vehicle records left the "
         "engine. Handle its outputs as personal data.</p></div>\n";
  }

  // 1. the answer on one screen
  h += "<div class=\"summary\">";
  if (compare) {
    for (std::size_t i = 1; i < c.runs.size(); ++i) {
      const RunRecord& v = c.runs[i];
      const auto changes = changesBetween(base, v);
      h += "<p><b>" + escape(v.scenario) + "</b> vs <b>" + escape(base.scenario) + "</b>: ";
      if (changes.empty()) {
        h += "the same settings";
      } else {
        h += "changed ";
        for (std::size_t k = 0; k < changes.size() && k < 3; ++k)
          h += (k > 0 ? ", " : "") + std::string("<code>") + escape(changes[k].key) + "</code>";
        if (changes.size() > 3)
          h += " and " + std::to_string(changes.size() - 3) + " more";
      }
      // the largest relative changes
      std::vector<std::pair<double, const Comparison::Row*>> moved;
      for (const Comparison::Row& r : c.rows) {
        if (!r.values[0] || !r.values[i] || *r.values[i] == *r.values[0])
          continue;
        const double rel = intervalScale(r.unit) || *r.values[0] == 0.0
                               ? std::abs(*r.values[i] - *r.values[0])
                               : std::abs((*r.values[i] - *r.values[0]) / *r.values[0]);
        moved.emplace_back(rel, &r);
      }
      std::sort(moved.begin(), moved.end(),
                [](const auto& a, const auto& b) { return a.first > b.first; });
      if (moved.empty()) {
        h += "; no KPI changed.";
      } else {
        h += "; largest changes: ";
        for (std::size_t k = 0; k < moved.size() && k < 3; ++k) {
          const Comparison::Row& r = *moved[k].second;
          const double d = *r.values[i] - *r.values[0];
          h += (k > 0 ? ", " : "") + escape(r.kpi) + " <span class=\"" + (d > 0 ? "up" : "down") +
               "\">" + (d > 0 ? "+" : "") + fmt(d) + " " + escape(r.unit);
          if (!intervalScale(r.unit) && *r.values[0] != 0.0)
            h += " (" + fmt(d / std::abs(*r.values[0]) * 100.0, "%+.1f") + " %)";
          h += "</span>";
          if (i < r.significant.size() && r.significant[i])
            h += *r.significant[i] ? " (significant)" : " (not significant)";
        }
        h += ".";
      }
      h += "</p>";
    }
  } else {
    h += "<p><b>" + escape(base.scenario) + "</b>: " + escape(base.description) + "</p>";
  }
  bool sameCity = true, crn = true;
  for (const RunRecord& r : c.runs) {
    sameCity = sameCity && r.cityKey == base.cityKey;
    crn = crn &&
          (r.replicateDirs.empty() ? r.seed == base.seed : r.replicateSeeds == base.replicateSeeds);
  }
  h += "<p class=\"note\">Why these numbers can be compared: " +
       std::string(sameCity ? "every run used the same city model"
                            : "the runs used different "
                              "city models") +
       (crn ? "; every run used the same random seeds, and each model and entity draws from its "
              "own stream (common random numbers), so differences come from the changes, not "
              "from chance"
            : "; the runs used different seeds, so part of each difference is chance") +
       "; every run is deterministic (same scenario and seed give the same state hash, listed "
       "below, whatever the thread count).</p></div>\n";

  // 2. scenarios
  h += "<h2>Scenarios</h2><table><tr><th>run</th><th>description</th><th>file</th>"
       "<th>seed</th><th>replicates</th></tr>";
  for (const RunRecord& r : c.runs) {
    h += "<tr><td><b>" + escape(r.scenario) + "</b></td><td>" + escape(r.description) +
         "</td><td><code>" + escape(r.file) + "</code></td><td class=\"n\">" +
         std::to_string(r.seed) + "</td><td class=\"n\">" +
         (r.replicateDirs.empty() ? "1" : std::to_string(r.replicateDirs.size())) + "</td></tr>";
  }
  h += "</table>\n";

  // 3. what changed (the merged scenario diff)
  if (compare) {
    h += "<h2>What changed</h2>";
    for (std::size_t i = 1; i < c.runs.size(); ++i) {
      const auto changes = changesBetween(base, c.runs[i]);
      h += "<h3>" + escape(c.runs[i].scenario) + "</h3>";
      if (changes.empty()) {
        h += "<p>No setting differs from the baseline.</p>";
        continue;
      }
      h += "<table><tr><th>setting</th><th>" + escape(base.scenario) + "</th><th>" +
           escape(c.runs[i].scenario) + "</th></tr>";
      for (const Change& ch : changes) {
        h += "<tr><td><code>" + escape(ch.key) + "</code></td><td>" +
             (ch.before.empty() ? "<i>not set</i>" : escape(ch.before)) + "</td><td>" +
             (ch.after.empty() ? "<i>not set</i>" : escape(ch.after)) + "</td></tr>";
      }
      h += "</table>";
    }
    h += "\n";
  }

  // 4. KPIs
  // with more than two variants the absolute difference moves into each change's tooltip, so
  // the table fits the page (and A4) beside the values
  const bool compact = c.runs.size() > 3;
  h += std::string("<h2>Key figures</h2><div class=\"wide\"><table id=\"kpis\"") +
       (compact ? " class=\"compact\"" : "") + "><tr><th>KPI</th><th>unit</th><th>" +
       escape(base.scenario) + "</th>";
  for (std::size_t i = 1; i < c.runs.size(); ++i) {
    h += "<th>" + escape(c.runs[i].scenario) + "</th>" +
         (compact ? "<th>&#916;</th>" : "<th>&#916;</th><th>&#916; %</th>");
  }
  h += "</tr>";
  bool anyReplicates = false;
  for (const Comparison::Row& r : c.rows) {
    h += "<tr><td title=\"" + escape(r.description) + "\">" + escape(r.kpi) + "</td><td>" +
         escape(r.unit) + "</td><td class=\"n\">" + kpiValue(r, 0) + "</td>";
    for (std::size_t i = 1; i < c.runs.size(); ++i) {
      const bool sig = i < r.significant.size() && r.significant[i] && *r.significant[i];
      anyReplicates = anyReplicates || (i < r.significant.size() && r.significant[i]);
      std::string d = "&#8211;", p = "&#8211;";
      if (r.values[0] && r.values[i]) {
        const double dv = *r.values[i] - *r.values[0];
        d = (dv > 0 ? "+" : "") + fmt(dv);
        if (!intervalScale(r.unit) && *r.values[0] != 0.0)
          p = fmt(dv / std::abs(*r.values[0]) * 100.0, "%+.2f");
      }
      const std::string cls = "n" + std::string(sig ? " sig" : "");
      if (compact) {
        // the relative change where there is one, else the absolute difference
        const bool relative = p != "&#8211;";
        h += "<td class=\"n\">" + kpiValue(r, i) + "</td><td class=\"" + cls + "\" title=\"" + d +
             " " + escape(r.unit) + "\">" + (relative ? p + " %" : d) + (sig ? " *" : "") + "</td>";
      } else {
        h += "<td class=\"n\">" + kpiValue(r, i) + "</td><td class=\"" + cls + "\">" + d +
             (sig ? " *" : "") + "</td><td class=\"n\">" + p + "</td>";
      }
    }
    h += "</tr>";
  }
  h += "</table></div>";
  if (compact) {
    h += "<p class=\"note\">&#916;: the change in % of the baseline (the absolute difference "
         "where there is no relative one, e.g. temperatures); hover for the absolute "
         "difference.</p>";
  }
  if (anyReplicates) {
    h += "<p class=\"note\">&#177;: half width of the 95 % confidence interval of the mean over "
         "replicates (Student t). *: the difference is significant at 5 % (paired t test over "
         "replicates that share seeds).</p>";
  }
  std::uint64_t suppressed = 0;
  for (const RunRecord& r : c.runs)
    suppressed += r.suppressedValues;
  h += "<p class=\"note\">Groups of fewer than " + escape(minGroup) +
       " people are suppressed in every export of person-derived results (outputs.min_group); "
       "such values show as &#8211;." +
       (suppressed > 0
            ? " In these runs " + std::to_string(suppressed) + " values describing fewer than " +
                  escape(minGroup) + " people were suppressed."
            : std::string()) +
       "</p>\n";

  // 5. differences as bars
  if (compare) {
    h += "<h2>Differences to the baseline</h2><div class=\"grid\">";
    for (std::size_t i = 1; i < c.runs.size(); ++i) {
      std::vector<svg::Bar> bars;
      for (const Comparison::Row& r : c.rows) {
        if (!r.values[0] || !r.values[i] || intervalScale(r.unit) || *r.values[0] == 0.0)
          continue;
        svg::Bar b;
        b.label = r.kpi;
        b.value = (*r.values[i] - *r.values[0]) / std::abs(*r.values[0]) * 100.0;
        b.significant = i >= r.significant.size() || !r.significant[i] || *r.significant[i];
        bars.push_back(b);
      }
      h += "<figure>" +
           svg::barChart(c.runs[i].scenario + " vs " + base.scenario, "change in %", bars) +
           "<figcaption>Relative change of each KPI with a non-zero baseline (temperatures "
           "have no meaningful % change: see the table). Light bars: not significant.</figcaption>"
           "</figure>";
    }
    h += "</div>\n";
  }

  // 6. time series
  if (!in.series.empty() && !in.series[0].empty()) {
    h += "<h2>Over the day</h2><div class=\"grid\">";
    for (const auto& [name, data] : in.series[0]) {
      std::vector<svg::Series> lines;
      for (std::size_t i = 0; i < c.runs.size() && i < in.series.size(); ++i) {
        auto it = in.series[i].find(name);
        if (it != in.series[i].end())
          lines.push_back({c.runs[i].scenario, it->second.hours, it->second.values});
      }
      h += "<figure>" +
           svg::lineChart(name, "hours since start", name + " [" + data.unit + "]", lines) +
           "</figure>";
    }
    h += "</div>\n";
  }

  // 7. maps
  if (!in.maps.empty()) {
    h += "<h2>Maps</h2>";
    for (const ReportMap& m : in.maps) {
      h += "<figure>" +
           svg::mapChart(m.title, m.unit, m.shapes, m.diverging, 1000,
                         "\xC2\xA9 OpenStreetMap contributors") +
           "</figure>";
    }
    h += "\n";
  }

  // 8. renders
  bool anyRender = false;
  for (const auto& rs : in.renders)
    anyRender = anyRender || !rs.empty();
  if (anyRender) {
    h += "<h2>The city in 3D</h2><div class=\"grid\">";
    for (std::size_t i = 0; i < in.renders.size() && i < c.runs.size(); ++i) {
      for (const auto& [file, png] : in.renders[i]) {
        h += "<figure><img class=\"render\" alt=\"" + escape(c.runs[i].scenario + ": " + file) +
             "\" src=\"data:image/png;base64," + base64(png) + "\"/><figcaption>" +
             escape(c.runs[i].scenario + ": " + file) + "</figcaption></figure>";
      }
    }
    h += "</div>\n";
  }

  // 9. sources
  h += "<h2>Data sources and licences</h2><table><tr><th>data</th><th>licence</th>"
       "<th>attribution</th></tr>";
  std::set<std::string> listed;
  for (const RunRecord& r : c.runs) {
    for (const DataSource& s : dataSourcesOf(r)) {
      if (!listed.insert(s.what).second)
        continue;
      h += "<tr><td>" + escape(s.what) + "</td><td>" + escape(s.licence) + "</td><td>" +
           escape(s.attribution) + "</td></tr>";
    }
  }
  h += "</table>\n";

  // 10. provenance
  h += "<h2>Provenance</h2><table><tr><th>run</th><th>folder</th><th>citytwin</th>"
       "<th>scenario hash</th><th>seed(s)</th><th>final state hash(es)</th><th>plugins</th></tr>";
  for (const RunRecord& r : c.runs) {
    std::string seeds = std::to_string(r.seed), hashes = shortHash(r.finalStateHash);
    if (!r.replicateDirs.empty()) {
      seeds.clear();
      hashes.clear();
      for (std::size_t k = 0; k < r.replicateDirs.size(); ++k) {
        seeds += (k > 0 ? ", " : "") + std::to_string(r.replicateSeeds[k]);
        hashes += (k > 0 ? " " : "") + shortHash(r.replicateHashes[k]);
      }
    }
    std::string plugins;
    for (const auto& [name, version] : r.plugins)
      plugins += (plugins.empty() ? "" : ", ") + escape(name + " " + version);
    h += "<tr><td>" + escape(r.scenario) + "</td><td><code>" + escape(r.dir) + "</code></td><td>" +
         escape(r.version) + " (" + escape(r.gitRevision) + ")</td><td>" +
         shortHash(r.scenarioHash) + "</td><td>" + seeds + "</td><td>" + hashes + "</td><td>" +
         plugins + "</td></tr>";
  }
  h += "</table><p class=\"note\">Written by citytwin " + escape(in.citytwinVersion) +
       ". Rerunning a scenario file with the same seed and citytwin version reproduces its "
       "state hash exactly.</p>\n</body></html>\n";
  return h;
}

}  // namespace twin::io
