// SPDX-License-Identifier: Apache-2.0
// A table of hazardous substances and their exposure guideline levels (AEGL-1..3 of the US EPA /
// National Research Council for 10 min, 30 min, 1 h, 4 h and 8 h), read from a CSV file such as
// assets/industry/substances.csv. Standard library only.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace twin::dispersion {

struct GuidelineLevel {
  std::string name;  // "AEGL-2"
  // ppm for 10 min, 30 min, 60 min, 4 h, 8 h; NaN where not recommended
  std::array<double, 5> ppm{};
};

struct Substance {
  std::string name;  // "chlorine"
  std::string cas;
  double molarMassGPerMol = 0.0;
  std::vector<GuidelineLevel> levels;  // in file order (AEGL-1, -2, -3)

  // mg/m3 from ppm at 25 degC, 101.325 kPa (24.45 L/mol, the AEGL documents' convention)
  double mgPerM3(double ppm) const { return ppm * molarMassGPerMol / 24.45; }
  // the level's threshold in kg/m3 for an exposure of `exposure_s`: the tabulated duration that
  // covers it (the next longer one, whose value is lower: conservative), 8 h beyond; NaN when
  // the level is not recommended for that duration
  double thresholdKgM3(const GuidelineLevel& level, double exposure_s) const;
};

// The durations of the table's columns, in seconds.
inline constexpr std::array<double, 5> kGuidelineDurationsS{600.0, 1800.0, 3600.0, 14400.0,
                                                            28800.0};

struct SubstanceTable {
  std::vector<Substance> substances;
  const Substance* find(const std::string& name) const;  // case-insensitive
  std::string names() const;                             // "ammonia, chlorine, phosgene"
};

// Reads the CSV (comment lines start with '#'; header
// substance,cas,molar_mass_g_mol,level,ppm_10min,ppm_30min,ppm_60min,ppm_4h,ppm_8h). On failure
// returns nullopt and sets `error` to "file:line: what was expected".
std::optional<SubstanceTable> readSubstances(const std::string& path, std::string& error);

}  // namespace twin::dispersion
