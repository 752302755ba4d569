// SPDX-License-Identifier: Apache-2.0
// A template model: the heat index ("feels like" temperature) from the weather model's air
// temperature and relative humidity, by the US National Weather Service algorithm (Rothfusz
// 1990, NWS Technical Attachment SR 90-23, with the NWS adjustments for low and high humidity).
// Copy this folder, rename the model, keep the structure: ports, parameters, KPIs, step, state.
#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <stdexcept>
#include <vector>

#include "twin/plugin.hpp"

namespace {

// heat index in degF from air temperature t (degF) and relative humidity rh (%)
double heatIndexF(double t, double rh) {
  const double simple = 0.5 * (t + 61.0 + (t - 68.0) * 1.2 + rh * 0.094);
  if ((simple + t) / 2.0 < 80.0)
    return simple;
  double hi = -42.379 + 2.04901523 * t + 10.14333127 * rh - 0.22475541 * t * rh -
              0.00683783 * t * t - 0.05481717 * rh * rh + 0.00122874 * t * t * rh +
              0.00085282 * t * rh * rh - 0.00000199 * t * t * rh * rh;
  if (rh < 13.0 && t >= 80.0 && t <= 112.0)
    hi -= (13.0 - rh) / 4.0 * std::sqrt((17.0 - std::abs(t - 95.0)) / 17.0);
  else if (rh > 85.0 && t >= 80.0 && t <= 87.0)
    hi += (rh - 85.0) / 10.0 * (87.0 - t) / 5.0;
  return hi;
}

class HeatIndex {
 public:
  static constexpr const char* kTypeName = "template.heat_index";
  static constexpr const char* kVersion = "0.1.0";
  static constexpr const char* kSummary = "Heat index from air temperature and humidity (NWS)";
  static constexpr std::array<TwinPortDesc, 3> kPorts{{
      {"air_temperature", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "degC",
       "air temperature at 2 m"},
      {"relative_humidity", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "%",
       "relative humidity"},
      {"heat_index", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "degC",
       "how hot it feels"},
  }};
  static constexpr std::array<TwinParamDesc, 1> kParams{{
      {"caution", TWIN_PARAM_NUMBER, "degC", "27degC", 0,
       "heat index from which the NWS advises caution (80 degF)"},
  }};
  static constexpr std::array<TwinKpiDesc, 2> kKpis{{
      {"max_heat_index", "degC", "highest heat index of the run"},
      {"caution_hours", "h", "time with the heat index at or above 'caution'"},
  }};

  explicit HeatIndex(const twin::sdk::Config& c)
      : caution_(c.number("caution")),
        periodH_(static_cast<double>(c.periodTicks()) * static_cast<double>(c.tickNs()) / 3.6e12) {
    if (!std::isfinite(caution_))
      throw std::invalid_argument("caution must be a temperature");
  }
  void init() {}
  TwinStatus step(twin::sdk::Step& s) {
    const double tC = s.inputOr(0, NAN), rh = s.inputOr(1, NAN);
    if (std::isnan(tC) || std::isnan(rh))
      return TWIN_OK;  // no weather yet
    const double hiC = (heatIndexF(tC * 1.8 + 32.0, rh) - 32.0) / 1.8;
    max_ = std::max(max_, hiC);
    if (hiC >= caution_)
      cautionH_ += periodH_;
    s.output(0, hiC);
    return TWIN_OK;
  }
  std::vector<std::uint8_t> saveState() const {
    return twin::sdk::StateWriter().put(max_).put(cautionH_).take();
  }
  void loadState(std::span<const std::uint8_t> bytes) {
    twin::sdk::StateReader r(bytes);
    max_ = r.get<double>();
    cautionH_ = r.get<double>();
    r.expectEnd();
  }
  std::vector<double> kpis() const { return {max_, cautionH_}; }

 private:
  double caution_;
  double periodH_;
  double max_ = -273.15;
  double cautionH_ = 0.0;
};

}  // namespace

TWIN_PLUGIN("template", "0.1.0", TWIN_MODEL(HeatIndex))
