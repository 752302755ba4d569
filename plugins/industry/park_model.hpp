// SPDX-License-Identifier: Apache-2.0
// Model type industry.park: a chemical park on the city's industrial area (park.hpp): its
// electricity and steam demand, the utility dispatch (electrified steam, heat-led CHP, gas
// boilers), gas, grid exchange and CO2, and the trucks and workers' cars at its gates as trips
// for the traffic model. What-if levers: electrified steam, heat pumps, rail share, a new plant.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "park.hpp"
#include "park_trips.hpp"
#include "twin/plugin.hpp"

namespace twin::industry {

class ParkModel {
 public:
  static constexpr const char* kTypeName = "industry.park";
  static constexpr const char* kVersion = "0.1.0";
  static constexpr const char* kSummary =
      "Chemical park: plants' electricity and steam, utility dispatch (e-boilers, heat pumps, "
      "heat-led CHP, gas boilers), grid exchange and CO2, truck and shift trips at its gates";

  enum Output : std::uint32_t {
    kGridImport,
    kElectricLoad,
    kSteam,
    kGas,
    kCo2,
    kTruckTrips,
    kCommuterTrips,
    kWasteHeat
  };
  static constexpr std::array<TwinPortDesc, 8> kPorts{{
      {"grid_import", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "MW",
       "electricity bought from the grid (negative: sold), after the CHP's own output"},
      {"electric_load", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "MW",
       "the park's electricity use: plants, electrode boilers, heat pumps"},
      {"steam", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "MW",
       "steam demand (as heat)"},
      {"gas", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "MW",
       "natural gas burnt in the CHP and the boilers (fuel power)"},
      {"co2", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "t/h",
       "CO2 of the gas burnt and the grid electricity bought"},
      {"truck_trips", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_ENTITY, 0, "1",
       "truck trips to and from the gates (sdk::TripRecord) for traffic.extra_trips, "
       "{adapter: events}"},
      {"commuter_trips", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_ENTITY, 0, "1",
       "workers' car trips at shift changes and day-work hours (sdk::TripRecord)"},
      {"waste_heat", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "MW",
       "heat the plants reject that a district-heat network could take (the park file's)"},
  }};
  static constexpr std::array<TwinParamDesc, 12> kParams{{
      {"park", TWIN_PARAM_PATH, "", "asset:parks/chempark.yaml", 0,
       "the park definition file (plants, shifts, gates, utilities; sources named inside)"},
      {"electrify_steam_share", TWIN_PARAM_NUMBER, "1", "0", 1,
       "share of the steam made by electrode boilers"},
      {"heat_pump_share", TWIN_PARAM_NUMBER, "1", "0", 1,
       "share of the steam made by high-temperature heat pumps"},
      {"rail_share", TWIN_PARAM_STRING, "", "park", 0,
       "share of the freight by rail: 'park' (the file's) or a number 0..1; trucks scale with "
       "the road share"},
      {"new_plant.electric_load", TWIN_PARAM_NUMBER, "MW", "0MW", 0,
       "a new plant (continuous): its electricity use"},
      {"new_plant.steam_demand", TWIN_PARAM_NUMBER, "MW", "0MW", 0, "its steam demand (heat)"},
      {"new_plant.workforce", TWIN_PARAM_NUMBER, "1", "0", 0, "its workforce"},
      {"new_plant.trucks_per_day", TWIN_PARAM_NUMBER, "1", "0", 0, "its trucks a day"},
      {"grid_co2", TWIN_PARAM_NUMBER, "g/kWh", "380g/kWh", 1,
       "CO2 per kWh bought from the grid (UBA: German mix 2023, 380 g/kWh)"},
      {"gas_co2", TWIN_PARAM_NUMBER, "g/kWh", "201g/kWh", 0,
       "CO2 per kWh of natural gas burnt (UBA emission factor, 201 g/kWh, lower heating value)"},
      {"electrolyser", TWIN_PARAM_STRING, "", "park", 0,
       "electrolyser input power: 'park' (the file's capacity) or a power such as 50MW"},
      {"trips", TWIN_PARAM_BOOL, "", "true", 0,
       "publish truck and commuter trips (needs road nodes at the park)"},
  }};
  static constexpr std::array<TwinKpiDesc, 15> kKpis{{
      {"electricity", "MWh", "electricity the park used (plants, electrode boilers, heat pumps)"},
      {"grid_import", "MWh", "electricity bought from the grid"},
      {"grid_export", "MWh", "CHP electricity sold to the grid"},
      {"peak_grid_import", "MW", "highest grid import"},
      {"steam", "MWh", "steam (heat) delivered"},
      {"gas", "MWh", "natural gas burnt (CHP and boilers)"},
      {"chp_electricity", "MWh", "electricity from the CHP"},
      {"unserved_steam", "MWh", "steam beyond the CHP's and boilers' capacity"},
      {"co2_site", "t", "CO2 of the gas burnt on site"},
      {"co2_grid", "t", "CO2 of the electricity bought, at the grid factor"},
      {"co2_total", "t", "site and grid CO2"},
      {"truck_trips", "1", "truck trips (in and out) at the gates"},
      {"commuter_trips", "1", "workers' car trips to and from the gates"},
      {"workforce", "1", "people working in the park"},
      {"hydrogen", "MWh", "hydrogen from the electrolyser (lower heating value)"},
  }};

  explicit ParkModel(const sdk::Config& c);
  void init() {}
  TwinStatus step(sdk::Step& s);
  void setParam(const TwinParamValue& v);
  void publish(sdk::Publisher& out) const;
  std::vector<std::uint8_t> saveState() const;
  void loadState(std::span<const std::uint8_t> s);
  std::vector<double> kpis() const;

 private:
  ParkDef park_;
  Levers levers_;
  double gridCo2_, gasCo2_;  // kg per J
  double truckFactor_ = 1.0;
  double localStartS_;
  std::unique_ptr<ParkTrips> trips_;
  std::vector<std::array<double, 2>> gatePoints_;
  std::array<double, 2> centre_{};
  // state: energies in J, CO2 in kg
  double electricity_ = 0, import_ = 0, export_ = 0, peakImport_ = 0, steam_ = 0, gas_ = 0,
         chpEl_ = 0, unserved_ = 0, co2Site_ = 0, co2Grid_ = 0, hydrogen_ = 0;
  double wasteHeatW_ = 0;
  Dispatch last_;
};

}  // namespace twin::industry
