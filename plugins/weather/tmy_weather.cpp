// SPDX-License-Identifier: Apache-2.0
#include "tmy_weather.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace twin::weather {
namespace {

constexpr int kHoursPerYear = 8760;

// wind speed class index for the stability tables: <2, 2-3, 3-5, 5-6, >=6 m/s
int windClass(double u) {
  if (u < 2.0)
    return 0;
  if (u < 3.0)
    return 1;
  if (u < 5.0)
    return 2;
  if (u < 6.0)
    return 3;
  return 4;
}

bool isLeap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil)
std::int64_t daysFromCivil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// year of a day count (inverse of the above, year only)
std::int64_t yearOfDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return yoe + era * 400 + (m <= 2 ? 1 : 0);
}

double directionOf(const TryHour& h) {
  // 0 = calm and 999 = variable carry no direction
  return (h.windDirectionDeg >= 10 && h.windDirectionDeg <= 360) ? h.windDirectionDeg : -1.0;
}

}  // namespace

int pasquillGiffordClass(double windSpeedMps, double ghiWm2, int cloudOktas) {
  constexpr int A = 1, B = 2, C = 3, D = 4, E = 5, F = 6;
  const int w = windClass(windSpeedMps);
  if (cloudOktas >= 8)
    return D;
  if (ghiWm2 > 0.0) {
    static constexpr int kDay[5][4] = {// >=925, 675-925, 175-675, <175 W/m2
                                       {A, A, B, D},
                                       {A, B, C, D},
                                       {B, B, C, D},
                                       {C, C, D, D},
                                       {C, D, D, D}};
    const int r = ghiWm2 >= 925.0 ? 0 : ghiWm2 >= 675.0 ? 1 : ghiWm2 >= 175.0 ? 2 : 3;
    return kDay[w][r];
  }
  static constexpr int kNight[5][2] = {// cloud >= 4/8, cloud <= 3/8
                                       {E, F},
                                       {E, F},
                                       {D, E},
                                       {D, D},
                                       {D, D}};
  return kNight[w][cloudOktas >= 4 ? 0 : 1];
}

WeatherSample sampleWeather(const TryYear& year, double unixS, std::int64_t fileOffsetS) {
  // local (file) time, split into whole days and seconds of the day
  const double local = unixS + static_cast<double>(fileOffsetS);
  const auto days = static_cast<std::int64_t>(std::floor(local / 86400.0));
  const double secOfDay = local - static_cast<double>(days) * 86400.0;
  const std::int64_t y = yearOfDays(days);
  std::int64_t dayOfYear = days - daysFromCivil(y, 1, 1);  // 0-based
  // the typical year has no 29 February: it repeats 28 February, later days shift back one
  if (isLeap(static_cast<int>(y)) && dayOfYear >= 59)
    dayOfYear -= 1;
  const double hours = static_cast<double>(dayOfYear) * 24.0 + secOfDay / 3600.0;
  const auto lo = static_cast<std::int64_t>(std::floor(hours));
  const double frac = hours - static_cast<double>(lo);
  // row r holds the value at hour r+1 of the year; hour 0 is the previous 31 December 24:00
  const auto rowOf = [](std::int64_t hour) {
    return static_cast<std::size_t>(((hour - 1) % kHoursPerYear + kHoursPerYear) % kHoursPerYear);
  };
  const TryHour& a = year.hours[rowOf(lo)];
  const TryHour& b = year.hours[rowOf(lo + 1)];
  auto lerp = [frac](double x, double z) { return x + (z - x) * frac; };

  WeatherSample s;
  s.temperatureC = lerp(a.temperatureC, b.temperatureC);
  s.beamWm2 = lerp(a.beamHorizontalWm2, b.beamHorizontalWm2);
  s.diffuseWm2 = lerp(a.diffuseHorizontalWm2, b.diffuseHorizontalWm2);
  s.ghiWm2 = s.beamWm2 + s.diffuseWm2;
  s.windSpeedMps = lerp(a.windSpeedMps, b.windSpeedMps);
  s.pressurePa = lerp(a.pressureHpa, b.pressureHpa) * 100.0;
  s.relativeHumidityPct =
      lerp(static_cast<double>(a.relativeHumidityPct), static_cast<double>(b.relativeHumidityPct));
  const TryHour& nearer = frac < 0.5 ? a : b;
  s.cloudOktas = std::min(nearer.cloudOktas, 8);
  s.cloudFraction = static_cast<double>(s.cloudOktas) / 8.0;
  // wind direction: unit vectors interpolated, calm/variable rows defer to the other one
  const double da = directionOf(a), db = directionOf(b);
  if (da < 0 && db < 0) {
    s.windDirectionDeg = 0.0;
  } else if (da < 0 || db < 0) {
    s.windDirectionDeg = da < 0 ? db : da;
  } else {
    const double ra = da * std::numbers::pi / 180.0, rb = db * std::numbers::pi / 180.0;
    const double x = lerp(std::sin(ra), std::sin(rb));
    const double yv = lerp(std::cos(ra), std::cos(rb));
    double deg = std::atan2(x, yv) * 180.0 / std::numbers::pi;
    if (deg <= 0.0)
      deg += 360.0;
    s.windDirectionDeg = deg;
  }
  s.stabilityClass = pasquillGiffordClass(s.windSpeedMps, s.ghiWm2, nearer.cloudOktas);
  return s;
}

TmyWeather::TmyWeather(const twin::sdk::Config& config)
    : year_(readTry2010(config.text("file"))),
      fileOffsetS_(std::llround(config.number("file_utc_offset"))),
      temperatureOffsetK_(config.number("temperature_offset")) {
  if (!std::isfinite(temperatureOffsetK_))
    throw std::invalid_argument("temperature_offset is not finite");
}

TwinStatus TmyWeather::step(twin::sdk::Step& step) {
  WeatherSample w = sampleWeather(year_, step.unixSeconds(), fileOffsetS_);
  w.temperatureC += temperatureOffsetK_;
  step.output(kAmbientTemperature, w.temperatureC);
  step.output(kGhi, w.ghiWm2);
  step.output(kBeamHorizontal, w.beamWm2);
  step.output(kDiffuseHorizontal, w.diffuseWm2);
  step.output(kWindSpeed, w.windSpeedMps);
  step.output(kWindDirection, w.windDirectionDeg);
  step.output(kPressure, w.pressurePa);
  step.output(kRelativeHumidity, w.relativeHumidityPct);
  step.output(kCloudCover, w.cloudFraction);
  step.output(kStabilityClass, static_cast<double>(w.stabilityClass));

  // KPIs: each published value holds for one period
  const double dt = step.dtS();
  if (seconds_ == 0.0) {
    minTemperature_ = maxTemperature_ = w.temperatureC;
  }
  minTemperature_ = std::min(minTemperature_, w.temperatureC);
  maxTemperature_ = std::max(maxTemperature_, w.temperatureC);
  seconds_ += dt;
  temperatureSeconds_ += w.temperatureC * dt;
  irradiationJm2_ += w.ghiWm2 * dt;
  windSeconds_ += w.windSpeedMps * dt;
  if (w.stabilityClass >= 5)
    stableSeconds_ += dt;
  return TWIN_OK;
}

void TmyWeather::setParam(const TwinParamValue& value) {
  if (std::string_view(value.name) != "temperature_offset") {
    throw std::invalid_argument(std::string("parameter '") + value.name +
                                "' cannot be changed at run time");
  }
  if (!std::isfinite(value.number))
    throw std::invalid_argument("temperature_offset is not finite");
  temperatureOffsetK_ = value.number;
}

std::vector<std::uint8_t> TmyWeather::saveState() const {
  twin::sdk::StateWriter w;
  w.put(temperatureOffsetK_).put(seconds_).put(temperatureSeconds_).put(minTemperature_);
  w.put(maxTemperature_).put(irradiationJm2_).put(windSeconds_).put(stableSeconds_);
  return w.take();
}

void TmyWeather::loadState(std::span<const std::uint8_t> state) {
  twin::sdk::StateReader r(state);
  temperatureOffsetK_ = r.get<double>();
  seconds_ = r.get<double>();
  temperatureSeconds_ = r.get<double>();
  minTemperature_ = r.get<double>();
  maxTemperature_ = r.get<double>();
  irradiationJm2_ = r.get<double>();
  windSeconds_ = r.get<double>();
  stableSeconds_ = r.get<double>();
  r.expectEnd();
}

std::vector<double> TmyWeather::kpis() const {
  const double t = seconds_ > 0.0 ? seconds_ : 1.0;
  return {temperatureSeconds_ / t, minTemperature_,  maxTemperature_,
          irradiationJm2_ / 3.6e6, windSeconds_ / t, 100.0 * stableSeconds_ / t};
}

}  // namespace twin::weather
