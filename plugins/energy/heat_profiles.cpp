// SPDX-License-Identifier: Apache-2.0
#include "heat_profiles.hpp"

#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "load_profiles.hpp"

namespace twin::energy {
namespace {

// rows of a demandlib-style CSV (first column an index), with a header map
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> lines;
  int col(const std::string& name, const std::string& path) const {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name)
        return static_cast<int>(i);
    }
    throw std::runtime_error(path + ":1: no column '" + name + "'");
  }
};

Csv readCsv(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(path + ": cannot open");
  Csv c;
  std::string line;
  int n = 0;
  auto split = [](const std::string& l) {
    std::vector<std::string> cells;
    std::stringstream ss(l);
    std::string cell;
    while (std::getline(ss, cell, ','))
      cells.push_back(cell);
    return cells;
  };
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.empty())
      continue;
    if (c.header.empty()) {
      c.header = split(line);
      continue;
    }
    c.rows.push_back(split(line));
    c.lines.push_back(n);
    if (c.rows.back().size() != c.header.size())
      throw std::runtime_error(path + ":" + std::to_string(n) + ": expected " +
                               std::to_string(c.header.size()) + " columns");
  }
  return c;
}

double number(const std::string& s, const std::string& path, int line) {
  try {
    std::size_t used = 0;
    const double v = std::stod(s, &used);
    if (used == s.size() && std::isfinite(v))
      return v;
  } catch (const std::exception&) {
  }
  throw std::runtime_error(path + ":" + std::to_string(line) + ": '" + s + "' is not a number");
}

}  // namespace

HeatProfiles HeatProfiles::load(const std::string& dir) {
  HeatProfiles h;
  {
    const std::string path = dir + "/shlp_sigmoid_factors.csv";
    const Csv c = readCsv(path);
    const int a = c.col("parameter_a", path), b = c.col("parameter_b", path),
              cc = c.col("parameter_c", path), d = c.col("parameter_d", path),
              cls = c.col("building_class", path), type = c.col("shlp_type", path),
              wind = c.col("wind_impact", path);
    for (std::size_t r = 0; r < c.rows.size(); ++r) {
      const auto& row = c.rows[r];
      const int l = c.lines[r];
      h.sigmoid_[{row[static_cast<std::size_t>(type)],
                  static_cast<int>(number(row[static_cast<std::size_t>(cls)], path, l)),
                  number(row[static_cast<std::size_t>(wind)], path, l) != 0.0}] = {
          number(row[static_cast<std::size_t>(a)], path, l),
          number(row[static_cast<std::size_t>(b)], path, l),
          number(row[static_cast<std::size_t>(cc)], path, l),
          number(row[static_cast<std::size_t>(d)], path, l)};
    }
  }
  {
    const std::string path = dir + "/shlp_weekday_factors.csv";
    const Csv c = readCsv(path);
    const int type = c.col("shlp_type", path), f = c.col("wochentagsfaktor", path);
    std::map<std::string, int> seen;
    for (std::size_t r = 0; r < c.rows.size(); ++r) {
      const std::string& t = c.rows[r][static_cast<std::size_t>(type)];
      const int k = seen[t]++;
      if (k >= 7)
        throw std::runtime_error(path + ":" + std::to_string(c.lines[r]) +
                                 ": more than 7 days for " + t);
      h.weekday_[t][static_cast<std::size_t>(k)] =
          number(c.rows[r][static_cast<std::size_t>(f)], path, c.lines[r]);
    }
  }
  {
    const std::string path = dir + "/shlp_hour_factors.csv";
    const Csv c = readCsv(path);
    const int hour = c.col("hour_of_day", path), wd = c.col("weekday", path),
              cls = c.col("building_class", path), type = c.col("shlp_type", path);
    int temp[10];
    for (int k = 0; k < 10; ++k) {
      char name[32];
      std::snprintf(name, sizeof name, "temp_intervall_%02d", k + 1);
      temp[k] = c.col(name, path);
    }
    for (std::size_t r = 0; r < c.rows.size(); ++r) {
      const auto& row = c.rows[r];
      const int l = c.lines[r];
      const int hr = static_cast<int>(number(row[static_cast<std::size_t>(hour)], path, l));
      if (hr < 1 || hr > 24)
        throw std::runtime_error(path + ":" + std::to_string(l) + ": hour_of_day must be 1..24");
      for (int k = 0; k < 10; ++k) {
        h.hours_[{row[static_cast<std::size_t>(type)],
                  static_cast<int>(number(row[static_cast<std::size_t>(cls)], path, l)),
                  static_cast<int>(number(row[static_cast<std::size_t>(wd)], path, l)), k + 1}]
                [static_cast<std::size_t>(hr - 1)] =
            number(row[static_cast<std::size_t>(temp[k])], path, l);
      }
    }
  }
  return h;
}

SigmoidParams HeatProfiles::sigmoid(const std::string& type, int buildingClass, bool windy) const {
  const auto it = sigmoid_.find({type, buildingClass, windy});
  if (it == sigmoid_.end()) {
    throw std::runtime_error("no SigLinDe parameters for type " + type + ", building class " +
                             std::to_string(buildingClass));
  }
  return it->second;
}

double HeatProfiles::dailyFactor(const SigmoidParams& p, double t, bool hotWater) {
  t = std::min(t, 39.0);  // the sigmoid is defined below 40 degC
  return p.a / (1.0 + std::pow(p.b / (t - 40.0), p.c)) + (hotWater ? p.d : 0.0);
}

double HeatProfiles::weekdayFactor(const std::string& type, int weekday) const {
  const auto it = weekday_.find(type);
  return it == weekday_.end() ? 1.0 : it->second.at(static_cast<std::size_t>(weekday - 1));
}

int HeatProfiles::temperatureClass(double dailyMeanTempC) {
  const auto t = static_cast<int>(std::ceil(dailyMeanTempC));
  if (t <= -15)
    return 1;
  if (t >= 26)
    return 10;
  return 2 + static_cast<int>(std::floor((t + 14) / 5.0));
}

std::array<double, 24> HeatProfiles::hourShares(const std::string& type, int buildingClass,
                                                int weekday, double dailyMeanTempC) const {
  const int tc = temperatureClass(dailyMeanTempC);
  // residential shares are the same every day (weekday 0); commercial ones per weekday
  auto it = hours_.find({type, buildingClass, 0, tc});
  if (it == hours_.end())
    it = hours_.find({type, buildingClass, weekday, tc});
  if (it == hours_.end()) {
    throw std::runtime_error("no hourly heat shares for type " + type + ", class " +
                             std::to_string(buildingClass));
  }
  std::array<double, 24> s = it->second;
  const double sum = std::accumulate(s.begin(), s.end(), 0.0);
  for (double& x : s)
    x /= sum;  // the table's shares sum to 1 within 0.15 %: exactly 1 here
  return s;
}

std::vector<double> HeatProfiles::hourly(const std::string& type, int buildingClass, bool windy,
                                         int year, const std::vector<double>& temps,
                                         double annualKWh, bool hotWater) const {
  const SigmoidParams p = sigmoid(type, buildingClass, windy);
  const std::size_t n = temps.size();
  if (n < 4)
    throw std::runtime_error("a heat profile needs at least 4 daily temperatures");
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  std::vector<double> daily(n);
  std::vector<int> weekday(n);
  double total = 0.0;
  int m = 1, d = 1;
  for (std::size_t i = 0; i < n; ++i) {
    auto at = [&](std::size_t back) { return temps[(i + n - back) % n]; };
    const double weighted = (at(0) + 0.5 * at(1) + 0.25 * at(2) + 0.125 * at(3)) / 1.875;
    // public holidays as Sunday (BDEW)
    weekday[i] = bdewDayType(year, m, d) == DayType::Sunday ? 7 : dayOfWeek(year, m, d);
    daily[i] = dailyFactor(p, weighted, hotWater) * weekdayFactor(type, weekday[i]);
    total += daily[i];
    if (++d > kDays[m - 1] + (m == 2 && isLeapYear(year) ? 1 : 0)) {
      d = 1;
      m = m % 12 + 1;
    }
  }
  std::vector<double> out;
  out.reserve(n * 24);
  for (std::size_t i = 0; i < n; ++i) {
    const double dayKWh = annualKWh * daily[i] / total;
    const auto shares = hourShares(type, buildingClass, weekday[i], temps[i]);
    for (double s : shares)
      out.push_back(dayKWh * s);  // kWh in one hour = mean kW
  }
  return out;
}

}  // namespace twin::energy
