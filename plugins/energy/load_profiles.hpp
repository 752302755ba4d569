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
  // Reads selp_series.csv (the 1999 set: h0, g0..g6, l0..l2 by season); throws
  // std::runtime_error naming the file and line when malformed.
  static StandardLoadProfiles load(const std::string& path);
  // Reads the BDEW 2025 set from a folder: h25, g25, l25, p25 (households with PV) and s25
  // (with PV and a battery), each a CSV of 12 months x 3 day types (SA, FT, WT) x 96 quarter
  // hours in kWh per quarter hour for 1,000,000 kWh/a. H25, P25 and S25 are dynamised.
  static StandardLoadProfiles load2025(const std::string& dir);
  // profile names: h0, g0..g6, l0..l2 (1999) or h25, g25, l25, p25, s25 (2025)
  const std::vector<std::string>& names() const { return names_; }
  int index(const std::string& name) const;  // -1 when unknown
  bool monthly() const { return monthly_; }  // the 2025 set: one table per month
  bool dynamic(int profile) const;           // multiplied by the dynamisation F(t)
  // kW per 1,000 kWh/a for a season, day type and quarter hour (0..95); the 1999 set only
  double value(int profile, Season s, DayType d, int quarter) const;
  // kW per 1,000 kWh/a on a date and quarter hour, with the BDEW calendar (holidays as Sunday)
  // and, for dynamic profiles, F(day of the year)
  double at(int profile, int year, int month, int day, int quarter, bool holidays = true,
            bool dynamise = true) const;
  // A whole year in quarter hours (kW), scaled to `annualKWh` per year of the profile's own
  // values (not renormalised: BDEW's profiles sum to about, not exactly, 1,000 kWh);
  // dynamised when the profile is dynamic and `dynamise`.
  std::vector<double> year(int profile, int year, double annualKWh, bool holidays = true,
                           bool dynamise = true) const;

 private:
  using DayTable = std::array<std::array<double, 96>, 3>;  // [day type][quarter]
  std::vector<std::string> names_;
  bool monthly_ = false;
  // [period][day type][quarter] per profile; periods: 3 seasons (1999) or 12 months (2025)
  std::vector<std::vector<DayTable>> values_;
};

}  // namespace twin::energy
