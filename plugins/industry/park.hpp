// SPDX-License-Identifier: Apache-2.0
// A chemical park: its definition file (assets/parks/*.yaml, read with file:line:col errors), the
// utility dispatch that turns its electricity and steam demand into gas, grid electricity and
// CO2, and the trips it causes (trucks at its gates, workers at shift changes).
//
// Dispatch per step (a rule set, as a park's energy manager runs it): the electrified shares of
// the steam come first (electrode boilers, heat pumps); the CHP follows the remaining heat up to
// its thermal capacity at its rated power-to-heat ratio (heat-led); gas boilers make the rest.
// The park buys (or sells) the difference between its electricity use and the CHP's output.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace twin::industry {

struct PlantDef {
  std::string name, productGroup;
  double electricLoadW = 0, steamDemandW = 0;  // steam as heat
  std::string pattern = "continuous";          // continuous | day (weekdays, day_work hours)
  double workforce = 0;
  double trucksPerDay = 0;
  std::array<double, 24> truckProfile{};  // share of the day's trucks per local hour, sums to 1
  double wasteHeatW = 0;                  // heat the plant rejects that a heat network could use
  double wasteHeatTemperatureC = 0;       // its temperature
};

struct GateDef {
  std::string name;
  std::string side;                  // north | east | south | west
  double trucks = 0, commuters = 0;  // shares of the park's trucks and commuters
};

struct ParkDef {
  std::string name;
  std::vector<std::array<double, 2>> site;  // empty: the city's largest industrial area
  std::vector<PlantDef> plants;
  double shiftShare = 0;  // of the workforce on fully continuous shifts
  int crews = 5;
  std::vector<double> shiftStartsS;  // seconds of the day
  double dayArriveS[2] = {7 * 3600.0, 9 * 3600.0}, dayLeaveS[2] = {15.5 * 3600.0, 17.5 * 3600.0};
  double commuteCarShare = 0;
  std::vector<GateDef> gates;
  double railShare = 0;
  // utilities
  double chpElectricW = 0, chpThermalW = 0, chpTotalEfficiency = 0.75;
  double boilerW = 0, boilerEfficiency = 0.92;
  double eBoilerEfficiency = 0.99, heatPumpCop = 2.0;
  double electrolyserW = 0, electrolyserEfficiency = 0.66;  // electric input; H2 out (LHV)
};

// Reads a park file; on failure nullopt and `error` = "file:line:col: what; expected ...".
std::optional<ParkDef> readPark(const std::string& path, std::string& error);

// "228MW" -> 228e6: a number >= 0 with the unit W, kW, MW or GW; false otherwise.
bool parsePower(const std::string& text, double& watts);

struct Levers {
  double electrifySteamShare = 0;  // of the steam made by electrode boilers
  double heatPumpShare = 0;        // of the steam made by heat pumps
  double electrolyserW = -1;       // electrolyser input power; < 0: the park file's capacity
};

struct Dispatch {
  double steamW = 0;                           // demand, heat
  double eBoilerHeatW = 0, heatPumpHeatW = 0;  // electrified
  double chpHeatW = 0, chpElectricW = 0, chpFuelW = 0;
  double boilerHeatW = 0, boilerFuelW = 0;
  double unservedHeatW = 0;                 // beyond the CHP and boiler capacity
  double electrolyserW = 0, hydrogenW = 0;  // electric input, hydrogen out (LHV)
  double parkElectricW = 0;  // plants + electrode boilers + heat pumps + electrolyser
  double gridImportW = 0;    // parkElectric - chpElectric (negative: export)
  double gasW() const { return chpFuelW + boilerFuelW; }
  double lossesW() const { return gasW() - chpElectricW - chpHeatW - boilerHeatW; }
};

// The dispatch for the plants' demand now (W of electricity, W of steam).
Dispatch dispatch(const ParkDef& park, const Levers& levers, double electricW, double steamW);

// The plants' electricity and steam demand at a local hour of a weekday or weekend day.
void demandAt(const ParkDef& park, double localHour, bool weekend, double& electricW,
              double& steamW, double* wasteHeatW = nullptr);

}  // namespace twin::industry
