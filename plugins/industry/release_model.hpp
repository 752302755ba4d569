// SPDX-License-Identifier: Apache-2.0
// Model type industry.release: a scheduled toxic release in the city (HazardEvent) driven by the
// weather model's wind and stability; hazard zones for the substance's AEGL-1..3, the buildings
// they reach and the people inside at that hour.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "hazard.hpp"
#include "twin/plugin.hpp"

namespace twin::industry {

// "02:00" or "02:00:30" -> seconds of the day; false when malformed
bool parseClock(const std::string& text, double& seconds);

class ReleaseModel {
 public:
  static constexpr const char* kTypeName = "industry.release";
  static constexpr const char* kVersion = "0.1.0";
  static constexpr const char* kSummary =
      "Scheduled toxic release: Gaussian plume or puff (Briggs/Pasquill-Gifford), AEGL hazard "
      "zones, buildings reached and the people inside at that hour";

  enum Input : std::uint32_t { kWindSpeed, kWindDirection, kStability };
  enum Output : std::uint32_t {
    kConcentrationMax,
    kPeopleAboveAegl2,
    kHazardArea,
    kEvacuationTrips
  };

  static constexpr std::array<TwinPortDesc, 7> kPorts{{
      {"wind_speed", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 1, "m/s",
       "wind speed at 10 m (weather)"},
      {"wind_direction", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 1, "deg",
       "where the wind blows from, clockwise from north (weather)"},
      {"stability_class", TWIN_PORT_IN, TWIN_VALUE_I64, TWIN_SHAPE_SCALAR, 1, "1",
       "Pasquill-Gifford class 1..6 = A..F (weather)"},
      {"concentration_max", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "mg/m3",
       "highest concentration at any building now"},
      {"people_above_aegl2", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "1",
       "people inside buildings above AEGL-2 now"},
      {"hazard_area", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "km2",
       "ground area above AEGL-2 now"},
      {"evacuation_trips", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_ENTITY, 0, "1",
       "car trips of evacuees (sdk::TripRecord) for traffic.extra_trips, {adapter: events}"},
  }};
  static constexpr std::array<TwinParamDesc, 14> kParams{{
      {"substance", TWIN_PARAM_STRING, "", "chlorine", 0,
       "substance of the release, a name in the substance table"},
      {"substances", TWIN_PARAM_PATH, "", "asset:industry/substances.csv", 0,
       "substance table: AEGL-1..3 per exposure duration (CSV)"},
      {"at", TWIN_PARAM_STRING, "", "02:00", 0,
       "local clock time the release starts (HH:MM), its first occurrence in the run"},
      {"rate", TWIN_PARAM_NUMBER, "kg/s", "0kg/s", 0,
       "continuous release rate (give rate or mass)"},
      {"mass", TWIN_PARAM_NUMBER, "kg", "0kg", 0, "instantaneous release, a puff (rate or mass)"},
      {"duration", TWIN_PARAM_NUMBER, "s", "30min", 0,
       "duration of a continuous release; also picks the AEGL column"},
      {"height", TWIN_PARAM_NUMBER, "m", "2m", 0, "release height above ground"},
      {"location", TWIN_PARAM_STRING, "", "industrial", 0,
       "'industrial' (centre of the city's industrial park, its largest industrial area) or "
       "'X,Y' in local metres"},
      {"sigmas", TWIN_PARAM_STRING, "", "briggs_urban", 0,
       "dispersion coefficients: briggs_urban, briggs_rural or pasquill_gifford"},
      {"receptor_height", TWIN_PARAM_NUMBER, "m", "1.5m", 0,
       "height at which people breathe the gas"},
      {"raster_cell", TWIN_PARAM_NUMBER, "m", "25m", 0,
       "cell size of the concentration layer in renders"},
      {"evacuation_share", TWIN_PARAM_NUMBER, "1", "0", 0,
       "share of the people inside the AEGL-2 zone at the warning who leave by car (0: all "
       "shelter in place, the usual advice for a toxic cloud)"},
      {"warning_delay", TWIN_PARAM_NUMBER, "s", "15min", 0,
       "time from the release's start to the public warning (the scenario's assumption)"},
      {"mobilisation_time", TWIN_PARAM_NUMBER, "s", "30min", 0,
       "evacuees' departures spread evenly over this time after the warning"},
  }};
  static constexpr std::array<TwinKpiDesc, 11> kKpis{{
      {"released", "kg", "mass released"},
      {"people_aegl1", "1", "people inside buildings when the gas reached AEGL-1 there"},
      {"people_aegl2", "1", "people inside buildings when the gas reached AEGL-2 there"},
      {"people_aegl3", "1", "people inside buildings when the gas reached AEGL-3 there"},
      {"buildings_aegl2", "1", "buildings the gas reached at AEGL-2 or above"},
      {"buildings_aegl3", "1", "buildings the gas reached at AEGL-3 or above"},
      {"area_aegl2", "km2", "largest ground area above AEGL-2"},
      {"reach_aegl2", "m", "farthest downwind distance of the AEGL-2 zone"},
      {"peak_people_above_aegl2", "1", "most people inside buildings above AEGL-2 at one time"},
      {"evacuees", "1", "people leaving the AEGL-2 zone by car after the warning"},
      {"evacuation_cars", "1", "their car trips (1.5 people per car, MiD 2017)"},
  }};

  explicit ReleaseModel(const sdk::Config& c);
  void init() {}
  TwinStatus step(sdk::Step& s);
  void publish(sdk::Publisher& out) const;
  std::vector<std::uint8_t> saveState() const;
  void loadState(std::span<const std::uint8_t> s);
  std::vector<double> kpis() const;

  const HazardEvent& event() const { return *event_; }

 private:
  const TwinHostApi* host_;
  std::string substance_;
  std::array<std::string, kLevels> levelNames_;
  double rasterCell_;
  std::unique_ptr<HazardEvent> event_;
  double peakPeople_ = 0.0;  // state
  // evacuation
  double evacShare_, warningS_, mobilisationS_;
  double minX_, minY_, maxX_, maxY_;    // the city's extent: destinations stay inside
  bool warned_ = false;                 // state
  double evacuees_ = 0.0, cars_ = 0.0;  // state
  std::vector<double> evacuate(double t, double localHour);  // trip records at the warning
};

}  // namespace twin::industry
