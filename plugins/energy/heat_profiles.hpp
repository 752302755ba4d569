// SPDX-License-Identifier: Apache-2.0
// Heat demand over a year from the BDEW/SigLinDe standard load profiles for gas and heat
// (BDEW/VKU/GEODE guideline; Hellwig 2003): the daily heat factor
//   h(T) = A / (1 + (B / (T - 40))^C) + D
// of the weighted ("allocation") temperature T = (T_d + 0.5 T_d-1 + 0.25 T_d-2 + 0.125 T_d-3)
// / 1.875, a weekday factor, and hourly shares by day type and daily mean temperature class.
// Scaled so the year sums exactly to the annual heat demand.
#pragma once

#include <array>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace twin::energy {

struct SigmoidParams {
  double a = 0, b = 0, c = 0, d = 0;
};

class HeatProfiles {
 public:
  // Reads shlp_sigmoid_factors.csv, shlp_weekday_factors.csv and shlp_hour_factors.csv from
  // `dir`; throws std::runtime_error naming the file and line when one is malformed.
  static HeatProfiles load(const std::string& dir);

  // type: EFH, MFH (building class 1 = old .. 11 = new) or a commercial type (GHD, GKO, ...;
  // class 0); windy: the site's wind factor set
  SigmoidParams sigmoid(const std::string& type, int buildingClass, bool windy) const;
  static double dailyFactor(const SigmoidParams& p, double weightedTempC, bool hotWater = true);
  double weekdayFactor(const std::string& type, int weekday) const;  // 1 = Monday .. 7
  // shares of the day's heat per hour (0..23), normalised to sum to 1
  std::array<double, 24> hourShares(const std::string& type, int buildingClass, int weekday,
                                    double dailyMeanTempC) const;
  // the temperature class (1..10) of a daily mean temperature (rounded up to whole degrees)
  static int temperatureClass(double dailyMeanTempC);

  // Hourly heat demand (kW, 24 per day) of a year from its daily mean temperatures (one per
  // day; the three days before the first wrap around from the year's end) for `annualKWh`.
  // `year` sets the weekdays (public holidays count as Sunday, as in the BDEW procedure).
  std::vector<double> hourly(const std::string& type, int buildingClass, bool windy, int year,
                             const std::vector<double>& dailyMeanTempC, double annualKWh,
                             bool hotWater = true) const;

 private:
  std::map<std::tuple<std::string, int, bool>, SigmoidParams> sigmoid_;
  std::map<std::string, std::array<double, 7>> weekday_;
  // (type, class, weekday 0 for all days or 1..7, temperature class) -> 24 shares
  std::map<std::tuple<std::string, int, int, int>, std::array<double, 24>> hours_;
};

}  // namespace twin::energy
