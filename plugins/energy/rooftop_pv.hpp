// SPDX-License-Identifier: Apache-2.0
// Model type energy.pv: rooftop PV on every suitable roof of the city, with shading by the real
// city. Sun position by the NREL SPA (Reda & Andreas 2004), irradiance on the module plane by
// Hay & Davies (1980) from the weather model's beam and diffuse irradiance, the beam part shaded
// per building by ray casts from sample points on the roof towards the sun through the host's
// physics service (ABI 1.2), cached per sun-position bin; AC output with cell temperature and
// system losses in the PVWatts structure (Dobos 2014). Per-building yields are a result layer.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <utility>
#include <vector>

#include "twin/plugin.hpp"

namespace twin::energy {

// Sample points on a roof: the centres of a `spacing` grid over the rings' bounding box that lie
// inside a ring (even-odd rule); a ring with none gets its vertex mean. Rings are x y pairs.
std::vector<std::array<double, 2>> roofSamplePoints(std::span<const std::span<const double>> rings,
                                                    double spacing);

// Civil date and time (UTC) of a Unix time: year, month, day, hour, minute, second
// (days-from-civil inverse, H. Hinnant's algorithm).
struct Civil {
  int year, month, day, hour, minute;
  double second;
};
Civil civilFromUnix(double unixS);

class RooftopPv {
 public:
  static constexpr const char* kTypeName = "energy.pv";
  static constexpr const char* kVersion = "0.1.0";
  static constexpr const char* kSummary =
      "Rooftop PV on every suitable roof: NREL SPA sun, Hay-Davies irradiance, shading by the "
      "city's buildings (ray casts), PVWatts-style AC output";

  enum Input : std::uint32_t { kBeam, kDiffuse, kTemperature };
  enum Output : std::uint32_t { kPower, kShadedShare, kBuildingPower };

  static constexpr std::array<TwinPortDesc, 6> kPorts{{
      {"beam_horizontal", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "W/m2",
       "direct irradiance on the horizontal plane (weather)"},
      {"diffuse_horizontal", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "W/m2",
       "diffuse irradiance on the horizontal plane (weather)"},
      {"ambient_temperature", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "degC",
       "air temperature (weather)"},
      {"power", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "kW",
       "AC output of all rooftop systems"},
      {"shaded_share", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "%",
       "share of the roof samples the city shades from the sun now"},
      {"building_power", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_ENTITY, 0, "kW",
       "AC output per building (city order; 0 without a suitable roof), e.g. for energy.grid"},
  }};
  static constexpr std::array<TwinParamDesc, 10> kParams{{
      {"module_efficiency", TWIN_PARAM_NUMBER, "1", "0.21", 0,
       "module efficiency at STC: kWp per m2 of modules (commercial silicon modules about 21 %, "
       "Fraunhofer ISE Photovoltaics Report)"},
      {"roof_coverage", TWIN_PARAM_NUMBER, "1", "0.6", 0,
       "share of a usable roof covered by modules (edges, chimneys, row spacing; assumed)"},
      {"pitched_share", TWIN_PARAM_NUMBER, "1", "0.5", 0,
       "share of a pitched roof's footprint that is usable (the sunnier side)"},
      {"min_roof_area", TWIN_PARAM_NUMBER, "m2", "20m2", 0,
       "smaller roofs and ancillary buildings get no PV"},
      {"tilt", TWIN_PARAM_NUMBER, "deg", "30deg", 0, "module tilt from horizontal"},
      {"azimuth", TWIN_PARAM_NUMBER, "deg", "180deg", 0,
       "module azimuth, clockwise from north (180: south)"},
      {"system_losses", TWIN_PARAM_NUMBER, "1", "0.14", 0,
       "soiling, wiring, mismatch, availability (PVWatts default 14 %)"},
      {"sample_spacing", TWIN_PARAM_NUMBER, "m", "5m", 0,
       "grid spacing of the shading sample points on each roof"},
      {"sun_bin", TWIN_PARAM_NUMBER, "deg", "2deg", 0,
       "sun positions within this bin of azimuth and elevation share one shading computation"},
      {"grid_co2", TWIN_PARAM_NUMBER, "g/kWh", "380g/kWh", 0,
       "CO2 per kWh of the grid electricity PV displaces (UBA: German mix 2023, 380 g/kWh)"},
  }};
  static constexpr std::array<TwinKpiDesc, 7> kKpis{{
      {"roofs", "1", "roofs with PV"},
      {"installed", "kW", "installed peak power (kWp)"},
      {"energy", "kWh", "AC energy over the run"},
      {"peak_power", "kW", "highest AC power"},
      {"shading_loss", "%", "energy lost to shading by the city, of the unshaded energy"},
      {"specific_yield", "kWh/kW", "energy per installed kWp over the run"},
      {"co2_avoided", "t", "grid CO2 the PV energy displaces at the average mix factor"},
  }};

  explicit RooftopPv(const sdk::Config& c);
  void init() {}
  TwinStatus step(sdk::Step& s);
  void publish(sdk::Publisher& out) const;
  std::vector<std::uint8_t> saveState() const;
  void loadState(std::span<const std::uint8_t> s);
  std::vector<double> kpis() const;

 private:
  // the shaded share of each PV roof for the sun in bin (azimuth, elevation)
  const std::vector<float>& shading(int azBin, int elBin, double binRad);

  sdk::CityRays rays_;
  std::int64_t startUnixS_;
  double periodH_;
  double latDeg_, lonDeg_;
  double tiltDeg_, azimuthDeg_, losses_, co2GPerKWh_;
  std::size_t buildingCount_ = 0;
  std::vector<std::uint32_t> roofBuilding_;  // per PV roof: its building index
  std::vector<double> kWp_;                  // per PV roof
  std::vector<std::uint32_t> sampleStart_;   // per PV roof + 1, into samples_
  std::vector<std::array<double, 3>> samples_;
  std::map<std::pair<int, int>, std::vector<float>> cache_;  // derived: rebuilt on demand
  double binRad_;
  // state
  std::vector<double> energyKWh_;    // per PV roof
  std::vector<double> unshadedKWh_;  // per PV roof: the energy without the city's shade
  double energy_ = 0, unshaded_ = 0, peak_ = 0, power_ = 0, shadedShare_ = 0;
};

}  // namespace twin::energy
