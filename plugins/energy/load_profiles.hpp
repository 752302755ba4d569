// SPDX-License-Identifier: Apache-2.0
// BDEW standard load profiles for electricity (VDEW 1999: H0, G0-G6, L0-L2) on a real calendar:
// BDEW's periods (winter 1 Nov-20 Mar, summer 15 May-14 Sep, transition otherwise), day types
// (working day, Saturday, Sunday; public holidays as Sunday, 24 and 31 December as Saturday)
// and the H0 dynamisation F(t) = -3.92e-10 t^4 + 3.2e-7 t^3 - 7.02e-5 t^2 + 2.1e-3 t + 1.24
// (t = day of the year, F rounded to 4 decimals).
#pragma once

#include <array>
#include <string>
#include <vector>

namespace twin::energy {

enum class Season { Summer = 0, Winter = 1, Transition = 2 };
enum class DayType { Workday = 0, Saturday = 1, Sunday = 2 };

// 1 = Monday .. 7 = Sunday (proleptic Gregorian calendar)
int dayOfWeek(int year, int month, int day);
int dayOfYear(int year, int month, int day);
bool isLeapYear(int year);
// Easter Sunday (anonymous Gregorian algorithm, Meeus 1991): month and day
void easterSunday(int year, int& month, int& day);
// German public holidays: the nationwide ones and, with nrw, those of North Rhine-Westphalia
// (Corpus Christi, All Saints)
bool isPublicHoliday(int year, int month, int day, bool nrw = true);

Season bdewSeason(int month, int day);
DayType bdewDayType(int year, int month, int day, bool holidays = true);
// F(t) rounded to 4 decimals as BDEW does
double h0Dynamisation(int dayOfYear);

class StandardLoadProfiles {
 public:
  // Reads selp_series.csv; throws std::runtime_error naming the file and line when malformed.
  static StandardLoadProfiles load(const std::string& path);
  // profile names as in the file's header: h0, g0..g6, l0..l2
  const std::vector<std::string>& names() const { return names_; }
  int index(const std::string& name) const;  // -1 when unknown
  // kW per 1,000 kWh/a for a season, day type and quarter hour (0..95)
  double value(int profile, Season s, DayType d, int quarter) const;
  // A whole year in quarter hours (kW), scaled to `annualKWh` per year of the profile's own
  // values (not renormalised: BDEW's profiles sum to about, not exactly, 1,000 kWh);
  // dynamised when the profile is h0 and `dynamise`.
  std::vector<double> year(int profile, int year, double annualKWh, bool holidays = true,
                           bool dynamise = true) const;

 private:
  std::vector<std::string> names_;
  // [season][day type][quarter] per profile
  std::vector<std::array<std::array<std::array<double, 96>, 3>, 3>> values_;
};

}  // namespace twin::energy
