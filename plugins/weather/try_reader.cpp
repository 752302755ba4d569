// SPDX-License-Identifier: Apache-2.0
#include "try_reader.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace twin::weather {

TryYear readTry2010(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(path + ": cannot open the weather file");
  TryYear year;
  std::string line;
  int lineNo = 0;
  bool inData = false;
  auto bad = [&](const std::string& what) {
    return std::runtime_error(path + ":" + std::to_string(lineNo) + ": " + what);
  };
  while (std::getline(in, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (!inData) {
      if (line.rfind("Station:", 0) == 0) {
        std::string rest = line.substr(8);
        const auto end = rest.find("  ", rest.find_first_not_of(' '));
        const auto start = rest.find_first_not_of(' ');
        year.station = start == std::string::npos ? "" : rest.substr(start, end - start);
      }
      if (line.rfind("***", 0) == 0)
        inData = true;
      continue;
    }
    if (line.find_first_not_of(' ') == std::string::npos)
      continue;
    std::istringstream row(line);
    int region = 0, info = 0, event = 0, ik = 0, atmos = 0, terr = 0, il = 0;
    double mixing = 0.0;
    TryHour h;
    if (!(row >> region >> info >> h.month >> h.day >> h.hour >> h.cloudOktas >>
          h.windDirectionDeg >> h.windSpeedMps >> h.temperatureC >> h.pressureHpa >> mixing >>
          h.relativeHumidityPct >> event >> h.beamHorizontalWm2 >> h.diffuseHorizontalWm2 >> ik >>
          atmos >> terr >> il)) {
      throw bad("expected 19 numeric columns (RG IS MM DD HH N WR WG t p x RF W B D IK A E IL)");
    }
    if (h.month < 1 || h.month > 12 || h.day < 1 || h.day > 31 || h.hour < 1 || h.hour > 24) {
      throw bad("date or hour out of range");
    }
    if (h.cloudOktas < 0 || h.cloudOktas > 9 || h.windSpeedMps < 0 || h.beamHorizontalWm2 < 0 ||
        h.diffuseHorizontalWm2 < 0 || h.temperatureC < -60 || h.temperatureC > 60) {
      throw bad("value out of its physical range");
    }
    year.hours.push_back(h);
  }
  if (!inData) {
    throw std::runtime_error(path + ": not a TRY 2010 file (no '***' line before the data)");
  }
  if (year.hours.size() != 8760) {
    throw std::runtime_error(path + ": a TRY year has 8760 hourly rows, this file has " +
                             std::to_string(year.hours.size()));
  }
  if (year.hours.front().month != 1 || year.hours.front().day != 1 ||
      year.hours.front().hour != 1 || year.hours.back().month != 12 ||
      year.hours.back().day != 31 || year.hours.back().hour != 24) {
    throw std::runtime_error(path + ": rows must run from 1 January hour 1 to 31 December hour 24");
  }
  return year;
}

}  // namespace twin::weather
