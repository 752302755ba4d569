// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace twin::weather {

// One hour of a German test reference year (DWD/BBSR TRY 2010 format).
struct TryHour {
  int month = 1;
  int day = 1;
  int hour = 1;               // 1..24, the full hour the row is labelled with (CET)
  int cloudOktas = 0;         // 0..8, 9 = sky obscured
  int windDirectionDeg = 0;   // 0 = calm, 10..360, 999 = variable
  double windSpeedMps = 0.0;  // at 10 m
  double temperatureC = 0.0;  // at 2 m
  double pressureHpa = 0.0;   // at station height
  int relativeHumidityPct = 0;
  double beamHorizontalWm2 = 0.0;
  double diffuseHorizontalWm2 = 0.0;
};

// A whole typical year: 8760 rows, 1 January 01:00 to 31 December 24:00 CET.
struct TryYear {
  std::string station;
  std::vector<TryHour> hours;
};

// Reads a TRY 2010 ".dat" file. Throws std::runtime_error with "file:line: what" on a file
// that is not a TRY 2010 year or has a malformed row.
TryYear readTry2010(const std::string& path);

}  // namespace twin::weather
