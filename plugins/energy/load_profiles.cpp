// SPDX-License-Identifier: Apache-2.0
#include "load_profiles.hpp"

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace twin::energy {

bool isLeapYear(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int dayOfYear(int y, int m, int d) {
  static constexpr int kBefore[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  return kBefore[m - 1] + d + (m > 2 && isLeapYear(y) ? 1 : 0);
}

int dayOfWeek(int y, int m, int d) {
  // days since 1970-01-01 (a Thursday), Howard Hinnant's civil-from-days inverse
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const long days = static_cast<long>(era) * 146097 + doe - 719468;
  const long wd = ((days % 7) + 7 + 3) % 7;  // 0 = Monday
  return static_cast<int>(wd) + 1;
}

void easterSunday(int year, int& month, int& day) {
  const int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
  const int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  month = (h + l - 7 * m + 114) / 31;
  day = (h + l - 7 * m + 114) % 31 + 1;
}

bool isPublicHoliday(int y, int m, int d, bool nrw) {
  if ((m == 1 && d == 1) || (m == 5 && d == 1) || (m == 10 && d == 3) || (m == 12 && d == 25) ||
      (m == 12 && d == 26)) {
    return true;
  }
  if (nrw && m == 11 && d == 1)
    return true;  // All Saints
  int em = 0, ed = 0;
  easterSunday(y, em, ed);
  const int easter = dayOfYear(y, em, ed), t = dayOfYear(y, m, d);
  // Good Friday, Easter Monday, Ascension (+39), Whit Monday (+50), Corpus Christi (+60, NRW)
  return t == easter - 2 || t == easter + 1 || t == easter + 39 || t == easter + 50 ||
         (nrw && t == easter + 60);
}

Season bdewSeason(int m, int d) {
  const int md = m * 100 + d;
  if (md >= 1101 || md <= 320)
    return Season::Winter;
  if (md >= 515 && md <= 914)
    return Season::Summer;
  return Season::Transition;
}

DayType bdewDayType(int y, int m, int d, bool holidays) {
  const int wd = dayOfWeek(y, m, d);
  if (wd == 7 || (holidays && isPublicHoliday(y, m, d)))
    return DayType::Sunday;
  if (wd == 6 || (m == 12 && (d == 24 || d == 31)))
    return DayType::Saturday;
  return DayType::Workday;
}

double h0Dynamisation(int t) {
  const double x = t;
  const double f =
      -3.92e-10 * x * x * x * x + 3.2e-7 * x * x * x - 7.02e-5 * x * x + 2.1e-3 * x + 1.24;
  return std::round(f * 1e4) / 1e4;
}

StandardLoadProfiles StandardLoadProfiles::load(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(path + ": cannot open the load profile file");
  StandardLoadProfiles p;
  std::string line;
  std::getline(in, line);
  {
    std::stringstream ss(line);
    std::string cell;
    int col = 0;
    while (std::getline(ss, cell, ',')) {
      if (col++ >= 3)
        p.names_.push_back(cell);
    }
  }
  if (p.names_.empty())
    throw std::runtime_error(path + ":1: expected a header ',period,weekday,h0,...'");
  p.values_.assign(p.names_.size(), {});
  std::array<std::array<int, 3>, 3> count{};
  int lineNo = 1;
  while (std::getline(in, line)) {
    ++lineNo;
    if (line.empty())
      continue;
    std::vector<std::string> c;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ','))
      c.push_back(cell);
    if (c.size() != p.names_.size() + 3)
      throw std::runtime_error(path + ":" + std::to_string(lineNo) + ": expected " +
                               std::to_string(p.names_.size() + 3) + " columns");
    const Season s = c[1] == "summer"   ? Season::Summer
                     : c[1] == "winter" ? Season::Winter
                     : c[1] == "transition"
                         ? Season::Transition
                         : throw std::runtime_error(path + ":" + std::to_string(lineNo) +
                                                    ": unknown period '" + c[1] + "'");
    const int wd = std::stoi(c[2]);
    if (wd < 1 || wd > 7)
      throw std::runtime_error(path + ":" + std::to_string(lineNo) + ": weekday must be 1..7");
    // the time of day of the row label gives the quarter hour
    int hh = 0, mm = 0;
    if (c[0].size() < 16 || std::sscanf(c[0].c_str() + 11, "%d:%d", &hh, &mm) != 2)
      throw std::runtime_error(path + ":" + std::to_string(lineNo) + ": bad time '" + c[0] + "'");
    const int q = hh * 4 + mm / 15;
    const DayType d = wd <= 5 ? DayType::Workday : wd == 6 ? DayType::Saturday : DayType::Sunday;
    if (wd <= 5 && wd != 1)
      continue;  // BDEW's working days are identical; Monday's rows stand for all
    for (std::size_t k = 0; k < p.names_.size(); ++k) {
      const double v = std::stod(c[k + 3]);
      if (!std::isfinite(v) || v < 0)
        throw std::runtime_error(path + ":" + std::to_string(lineNo) + ": bad value");
      p.values_[k][static_cast<std::size_t>(s)][static_cast<std::size_t>(d)]
               [static_cast<std::size_t>(q)] = v;
    }
    ++count[static_cast<std::size_t>(s)][static_cast<std::size_t>(d)];
  }
  for (const auto& bySeason : count) {
    for (int n : bySeason) {
      if (n != 96)
        throw std::runtime_error(path + ": every period and day type needs 96 quarter hours");
    }
  }
  return p;
}

int StandardLoadProfiles::index(const std::string& name) const {
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name)
      return static_cast<int>(i);
  }
  return -1;
}

double StandardLoadProfiles::value(int profile, Season s, DayType d, int quarter) const {
  return values_.at(static_cast<std::size_t>(profile))[static_cast<std::size_t>(
      s)][static_cast<std::size_t>(d)][static_cast<std::size_t>(quarter)];
}

std::vector<double> StandardLoadProfiles::year(int profile, int y, double annualKWh, bool holidays,
                                               bool dynamise) const {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool h0 = names_.at(static_cast<std::size_t>(profile)) == "h0";
  std::vector<double> out;
  out.reserve(366 * 96);
  for (int m = 1; m <= 12; ++m) {
    const int days = kDays[m - 1] + (m == 2 && isLeapYear(y) ? 1 : 0);
    for (int d = 1; d <= days; ++d) {
      const Season s = bdewSeason(m, d);
      const DayType t = bdewDayType(y, m, d, holidays);
      const double f = h0 && dynamise ? h0Dynamisation(dayOfYear(y, m, d)) : 1.0;
      for (int q = 0; q < 96; ++q)
        out.push_back(value(profile, s, t, q) * f * annualKWh / 1000.0);
    }
  }
  return out;
}

}  // namespace twin::energy
