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
  p.values_.assign(p.names_.size(), std::vector<DayTable>(3));
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

StandardLoadProfiles StandardLoadProfiles::load2025(const std::string& dir) {
  static const char* const kMonths[12] = {"Januar",    "Februar", "März",     "April",
                                          "Mai",       "Juni",    "Juli",     "August",
                                          "September", "Oktober", "November", "Dezember"};
  StandardLoadProfiles p;
  p.monthly_ = true;
  for (const char* name : {"h25", "g25", "l25", "p25", "s25"}) {
    const std::string path = dir + "/" + name + ".csv";
    std::ifstream in(path);
    if (!in)
      throw std::runtime_error(path + ": cannot open the load profile file");
    auto cells = [](const std::string& line) {
      std::vector<std::string> c;
      std::stringstream ss(line);
      std::string cell;
      while (std::getline(ss, cell, ','))
        c.push_back(cell);
      if (!line.empty() && line.back() == ',')
        c.emplace_back();
      return c;
    };
    std::string monthsLine, typesLine;
    std::getline(in, monthsLine);
    std::getline(in, typesLine);
    const auto months = cells(monthsLine), types = cells(typesLine);
    if (months.size() != 37 || types.size() != 37)
      throw std::runtime_error(path + ":1: expected 36 columns (12 months x SA, FT, WT)");
    // column -> (month, day type)
    std::vector<std::pair<int, DayType>> columns;
    for (std::size_t k = 1; k < 37; ++k) {
      int month = -1;
      for (int m = 0; m < 12; ++m)
        if (months[k] == kMonths[m])
          month = m;
      const DayType d = types[k] == "SA"   ? DayType::Saturday
                        : types[k] == "FT" ? DayType::Sunday
                        : types[k] == "WT"
                            ? DayType::Workday
                            : throw std::runtime_error(path + ":2: unknown day type '" + types[k] +
                                                       "'; expected SA, FT or WT");
      if (month < 0)
        throw std::runtime_error(path + ":1: unknown month '" + months[k] + "'");
      columns.emplace_back(month, d);
    }
    std::vector<DayTable> table(12);
    std::string line;
    int lineNo = 2, quarter = 0;
    while (std::getline(in, line)) {
      ++lineNo;
      if (line.empty())
        continue;
      const auto c = cells(line);
      const std::string where = path + ":" + std::to_string(lineNo) + ": ";
      if (c.size() != 37 || quarter >= 96)
        throw std::runtime_error(where + "expected a quarter hour and 36 values");
      for (std::size_t k = 1; k < 37; ++k) {
        double v = 0;
        try {
          std::size_t used = 0;
          v = std::stod(c[k], &used);
          if (used != c[k].size() || !std::isfinite(v) || v < 0)
            throw std::invalid_argument("x");
        } catch (const std::exception&) {
          throw std::runtime_error(where + "column " + std::to_string(k + 1) +
                                   " is not a value >= 0: '" + c[k] + "'");
        }
        // kWh per quarter hour for 1,000,000 kWh/a -> kW per 1,000 kWh/a
        const auto [m, d] = columns[k - 1];
        table[static_cast<std::size_t>(m)][static_cast<std::size_t>(d)]
             [static_cast<std::size_t>(quarter)] = v * 4.0 / 1000.0;
      }
      ++quarter;
    }
    if (quarter != 96)
      throw std::runtime_error(path + ": expected 96 quarter hours, got " +
                               std::to_string(quarter));
    p.names_.emplace_back(name);
    p.values_.push_back(std::move(table));
  }
  return p;
}

bool StandardLoadProfiles::dynamic(int profile) const {
  const std::string& n = names_.at(static_cast<std::size_t>(profile));
  return n == "h0" || n == "h25" || n == "p25" || n == "s25";
}

double StandardLoadProfiles::value(int profile, Season s, DayType d, int quarter) const {
  if (monthly_)
    throw std::logic_error("the BDEW 2025 profiles are by month, not by season");
  return values_.at(static_cast<std::size_t>(profile))[static_cast<std::size_t>(
      s)][static_cast<std::size_t>(d)][static_cast<std::size_t>(quarter)];
}

double StandardLoadProfiles::at(int profile, int y, int m, int d, int quarter, bool holidays,
                                bool dynamise) const {
  const std::size_t period =
      monthly_ ? static_cast<std::size_t>(m - 1) : static_cast<std::size_t>(bdewSeason(m, d));
  const DayType t = bdewDayType(y, m, d, holidays);
  const double f = dynamise && dynamic(profile) ? h0Dynamisation(dayOfYear(y, m, d)) : 1.0;
  return values_.at(static_cast<std::size_t>(
             profile))[period][static_cast<std::size_t>(t)][static_cast<std::size_t>(quarter)] *
         f;
}

std::vector<double> StandardLoadProfiles::year(int profile, int y, double annualKWh, bool holidays,
                                               bool dynamise) const {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  std::vector<double> out;
  out.reserve(366 * 96);
  for (int m = 1; m <= 12; ++m) {
    const int days = kDays[m - 1] + (m == 2 && isLeapYear(y) ? 1 : 0);
    for (int d = 1; d <= days; ++d)
      for (int q = 0; q < 96; ++q)
        out.push_back(at(profile, y, m, d, q, holidays, dynamise) * annualKWh / 1000.0);
  }
  return out;
}

}  // namespace twin::energy
