// SPDX-License-Identifier: Apache-2.0
#include "dispersion/substances.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

namespace twin::dispersion {

namespace {

std::string lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a])))
    ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1])))
    --b;
  return s.substr(a, b - a);
}

std::vector<std::string> splitCsv(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ','))
    out.push_back(trim(cell));
  if (!line.empty() && line.back() == ',')
    out.emplace_back();
  return out;
}

bool parseNumber(const std::string& s, double& v) {
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  return ec == std::errc() && p == end && std::isfinite(v);
}

}  // namespace

double Substance::thresholdKgM3(const GuidelineLevel& level, double exposure_s) const {
  std::size_t col = kGuidelineDurationsS.size() - 1;
  for (std::size_t i = 0; i < kGuidelineDurationsS.size(); ++i) {
    if (exposure_s <= kGuidelineDurationsS[i]) {
      col = i;
      break;
    }
  }
  return mgPerM3(level.ppm[col]) * 1e-6;
}

const Substance* SubstanceTable::find(const std::string& name) const {
  const std::string key = lower(name);
  for (const Substance& s : substances)
    if (lower(s.name) == key)
      return &s;
  return nullptr;
}

std::string SubstanceTable::names() const {
  std::vector<std::string> n;
  for (const Substance& s : substances)
    n.push_back(s.name);
  std::sort(n.begin(), n.end());
  std::string out;
  for (const std::string& s : n)
    out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::optional<SubstanceTable> readSubstances(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = path + ": cannot open the substance table";
    return std::nullopt;
  }
  static const std::vector<std::string> kHeader{"substance", "cas",       "molar_mass_g_mol",
                                                "level",     "ppm_10min", "ppm_30min",
                                                "ppm_60min", "ppm_4h",    "ppm_8h"};
  SubstanceTable table;
  std::string line;
  int lineNo = 0;
  bool header = false;
  auto fail = [&](const std::string& what) {
    error = path + ":" + std::to_string(lineNo) + ": " + what;
    return std::nullopt;
  };
  while (std::getline(in, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (trim(line).empty() || trim(line)[0] == '#')
      continue;
    const std::vector<std::string> cells = splitCsv(line);
    if (!header) {
      if (cells != kHeader)
        return fail(
            "expected the header "
            "substance,cas,molar_mass_g_mol,level,ppm_10min,ppm_30min,ppm_60min,ppm_4h,ppm_8h");
      header = true;
      continue;
    }
    if (cells.size() != kHeader.size())
      return fail("expected 9 comma-separated fields, found " + std::to_string(cells.size()));
    if (cells[0].empty())
      return fail("expected a substance name");
    double molar = 0.0;
    if (!parseNumber(cells[2], molar) || molar <= 0.0)
      return fail("expected a molar mass in g/mol > 0, found '" + cells[2] + "'");
    if (cells[3].empty())
      return fail("expected a level name such as AEGL-2");
    GuidelineLevel level;
    level.name = cells[3];
    for (std::size_t i = 0; i < 5; ++i) {
      const std::string& c = cells[4 + i];
      if (c.empty() || c == "NR") {
        level.ppm[i] = std::numeric_limits<double>::quiet_NaN();
        continue;
      }
      if (!parseNumber(c, level.ppm[i]) || level.ppm[i] <= 0.0)
        return fail("expected a concentration in ppm > 0 (or empty for NR) in column " +
                    kHeader[4 + i] + ", found '" + c + "'");
    }
    auto it = std::find_if(table.substances.begin(), table.substances.end(),
                           [&](const Substance& s) { return lower(s.name) == lower(cells[0]); });
    if (it == table.substances.end()) {
      table.substances.push_back({cells[0], cells[1], molar, {}});
      it = table.substances.end() - 1;
    } else if (it->molarMassGPerMol != molar) {
      return fail("molar mass of " + cells[0] + " differs from its earlier row");
    }
    for (const GuidelineLevel& l : it->levels)
      if (l.name == level.name)
        return fail("level " + level.name + " of " + cells[0] + " appears twice");
    it->levels.push_back(std::move(level));
  }
  if (!header) {
    lineNo = std::max(lineNo, 1);
    return fail("empty substance table: expected a header line");
  }
  if (table.substances.empty())
    return fail("no substances in the table");
  return table;
}

}  // namespace twin::dispersion
