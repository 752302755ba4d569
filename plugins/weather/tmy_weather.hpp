// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "try_reader.hpp"
#include "twin/plugin.hpp"

namespace twin::weather {

// Pasquill-Gifford stability class 1..6 (A..F) from the wind speed at 10 m, the global
// horizontal irradiance and the cloud cover. Day (GHI > 0): the solar-radiation table of the
// US EPA SRDT method (EPA-454/R-99-005, 2000, Table 6-7). Night: Pasquill (1961) / Turner
// (1970) with cloud cover >= 4/8 vs <= 3/8; below 2 m/s, where Pasquill left the night cells
// open, E (cloudy) and F (clear) as commonly assigned. Overcast (8/8 or obscured): D.
int pasquillGiffordClass(double windSpeedMps, double ghiWm2, int cloudOktas);

// Weather at one instant, interpolated from a typical year.
struct WeatherSample {
  double temperatureC = 0.0;
  double ghiWm2 = 0.0;
  double beamWm2 = 0.0;
  double diffuseWm2 = 0.0;
  double windSpeedMps = 0.0;
  double windDirectionDeg = 0.0;
  double pressurePa = 0.0;
  double relativeHumidityPct = 0.0;
  double cloudFraction = 0.0;
  int cloudOktas = 0;
  int stabilityClass = 4;
};

// Weather at Unix time `unixS` from `year`, whose rows are labelled in local time
// UTC+`fileOffsetS`. The calendar date picks the row (the TRY is a typical year; 29 February
// repeats 28 February); values are linear between the labelled full hours, wind direction is
// interpolated as a unit vector, cloud cover is taken from the nearer hour.
WeatherSample sampleWeather(const TryYear& year, double unixS, std::int64_t fileOffsetS);

// Model type weather.tmy: publishes the test reference year's weather at its period.
class TmyWeather {
 public:
  static constexpr const char* kTypeName = "weather.tmy";
  static constexpr const char* kVersion = "1.0.0";
  static constexpr const char* kSummary =
      "Ambient weather from a DWD test reference year (TRY 2010), interpolated in time";

  // output port indices
  enum Output : std::uint32_t {
    kAmbientTemperature,
    kGhi,
    kBeamHorizontal,
    kDiffuseHorizontal,
    kWindSpeed,
    kWindDirection,
    kPressure,
    kRelativeHumidity,
    kCloudCover,
    kStabilityClass,
  };

  static constexpr std::array<TwinPortDesc, 10> kPorts{{
      {"ambient_temperature", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "degC",
       "air temperature at 2 m"},
      {"ghi", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "W/m2",
       "global horizontal irradiance (beam + diffuse)"},
      {"beam_horizontal", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "W/m2",
       "direct (beam) irradiance on the horizontal plane"},
      {"diffuse_horizontal", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "W/m2",
       "diffuse irradiance on the horizontal plane"},
      {"wind_speed", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "m/s",
       "wind speed at 10 m"},
      {"wind_direction", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "deg",
       "direction the wind blows from, clockwise from north (0 when calm)"},
      {"pressure", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "Pa",
       "air pressure at station height"},
      {"relative_humidity", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "%",
       "relative humidity at 2 m"},
      {"cloud_cover", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "1",
       "cloud cover as a fraction of the sky (oktas / 8)"},
      {"stability_class", TWIN_PORT_OUT, TWIN_VALUE_I64, TWIN_SHAPE_SCALAR, 0, "1",
       "Pasquill-Gifford stability class, 1..6 = A (very unstable) .. F (stable)"},
  }};

  static constexpr std::array<TwinParamDesc, 3> kParams{{
      {"file", TWIN_PARAM_PATH, nullptr, "asset:weather/TRY2010_05_Jahr.dat", 0,
       "TRY 2010 .dat file (default: the shipped Essen TRY, climate region 5)"},
      {"file_utc_offset", TWIN_PARAM_NUMBER, "s", "1h", 0,
       "UTC offset of the file's time labels (TRY: CET, +1h, no daylight saving)"},
      {"temperature_offset", TWIN_PARAM_NUMBER, "K", "0K", 1,
       "added to the air temperature (e.g. 2K for a warmer-climate what-if); settable at run time"},
  }};

  static constexpr std::array<TwinKpiDesc, 6> kKpis{{
      {"mean_temperature", "degC", "time-weighted mean air temperature over the run"},
      {"min_temperature", "degC", "lowest air temperature published"},
      {"max_temperature", "degC", "highest air temperature published"},
      {"global_irradiation", "kWh/m2", "global horizontal irradiation summed over the run"},
      {"mean_wind_speed", "m/s", "time-weighted mean wind speed at 10 m"},
      {"stable_share", "%", "share of the run with stable air (Pasquill-Gifford E or F)"},
  }};

  explicit TmyWeather(const twin::sdk::Config& config);
  void init() {}
  TwinStatus step(twin::sdk::Step& step);
  void setParam(const TwinParamValue& value);
  std::vector<std::uint8_t> saveState() const;
  void loadState(std::span<const std::uint8_t> state);
  std::vector<double> kpis() const;

 private:
  TryYear year_;
  std::int64_t fileOffsetS_ = 3600;
  // state: the runtime parameter and the KPI accumulators
  double temperatureOffsetK_ = 0.0;
  double seconds_ = 0.0;
  double temperatureSeconds_ = 0.0;
  double minTemperature_ = 0.0;
  double maxTemperature_ = 0.0;
  double irradiationJm2_ = 0.0;
  double windSeconds_ = 0.0;
  double stableSeconds_ = 0.0;
};

}  // namespace twin::weather
