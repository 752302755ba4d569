// SPDX-License-Identifier: Apache-2.0
// Model type energy.grid: the city's buildings as electricity and heat consumers on a synthetic
// distribution grid (synthetic_grid.hpp), solved by AC power flow every step.
//  - demand: BDEW standard load profiles for electricity, TABULA heat need with the SigLinDe
//    heat profiles driven by the weather model's temperature (building_demand.hpp);
//  - heating: heat pumps (COP from the ambient temperature), gas and oil boilers and district
//    heat, each building drawing its system by its own random number (common random numbers:
//    a variant with more heat pumps converts the same buildings first);
//  - rooftop PV: the energy.pv model's output per building on the roofs that have it;
//  - EV charging at home: the city's cars (residents x car ownership), the EV share of them,
//    daily distance and arrival drawn per car and day, uncontrolled or staggered into the night;
//    or (ev_source: traffic) every electric car the traffic model parks, recharging its trip;
//  - district heat: a network along the streets from the industrial park, fed by its waste heat
//    first and gas boilers for the rest, with pipe losses and pumping electricity;
//  - AC power flow (Newton-Raphson with KLU, engine/physics) warm-started from the last step:
//    voltages, cable and transformer loading, losses, violations;
//  - CO2 of grid electricity, gas and oil.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "building_demand.hpp"
#include "heat_profiles.hpp"
#include "load_profiles.hpp"
#include "physics/powerflow.hpp"
#include "synthetic_grid.hpp"
#include "try_reader.hpp"
#include "twin/plugin.hpp"

namespace twin::energy {

enum class Heating : std::uint8_t { Gas = 0, Oil = 1, HeatPump = 2, District = 3, None = 4 };
enum class Charging : std::uint8_t { Uncontrolled = 0, Smart = 1 };

// One electric car charging at home: its building and its own random stream id.
struct HomeEv {
  std::uint32_t building;
  std::uint64_t id;
};

// A charging session: start (seconds since the run's first local midnight) and duration (s)
struct ChargingSession {
  double startS = 0, durationS = 0;
};
// The home charging session of car `id` on day `day` (0: the run's first day): a daily distance
// drawn from an exponential distribution with the mean of `kmPerYear` / 365, arrival at home
// from a mixture (three quarters return from work 16:00-19:00, normal around 17:30 with 1.25 h;
// the rest uniform 10:00-21:00; an assumption until traffic demand provides arrivals), charged
// at `chargerKW` until the day's energy is back; smart charging starts at a random minute
// between 22:00 and the latest start that ends by 06:30.
ChargingSession chargingSession(std::uint64_t seed, std::string_view instance, std::uint64_t id,
                                std::int64_t day, double kmPerYear, double kWhPerKm,
                                double chargerKW, Charging mode);

// A daily profile of a value by local time of day: rows "HH:MM,value" from 00:00, each value
// holding until the next row. Throws std::runtime_error "file:line: what" when malformed.
struct DailyProfile {
  std::vector<double> startS, values;
  static DailyProfile load(const std::string& path);
  double at(double secondsOfDay) const;
};

class GridModel {
 public:
  static constexpr const char* kTypeName = "energy.grid";
  static constexpr const char* kVersion = "0.1.0";
  static constexpr const char* kSummary =
      "Buildings' electricity and heat (BDEW, TABULA, SigLinDe), heat pumps, rooftop PV and "
      "home EV charging on a synthetic MV/LV grid solved by AC power flow; district heat; CO2";

  enum Input : std::uint32_t { kTemperature, kBuildingPv, kWasteHeat, kEvArrivals, kBuildingLoad };
  enum Output : std::uint32_t {
    kLoad,
    kPvFeed,
    kGridImport,
    kHeatDemand,
    kHeatPumpLoad,
    kEvCharging,
    kTransformerLoadingMax,
    kVoltageMin,
    kVoltageMax,
    kViolations,
    kLosses,
    kCo2
  };
  static constexpr std::array<TwinPortDesc, 17> kPorts{{
      {"ambient_temperature", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 1, "degC",
       "air temperature (weather): heat demand and heat-pump COP"},
      {"building_pv", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_ENTITY, 0, "kW",
       "rooftop PV potential per building (energy.pv building_power)"},
      {"waste_heat", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "MW",
       "waste heat the industrial park offers the district heating network"},
      {"ev_arrivals", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_ENTITY, 0, "1",
       "vehicles arriving where they park (traffic.micro arrivals, {adapter: events}); used "
       "with ev_source: traffic"},
      {"building_load", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_ENTITY, 0, "kW",
       "further electric load per building from other models (chargers of a drone hub, a new "
       "plant's supply), added to the building's demand"},
      {"load", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "MW",
       "electricity demand of the buildings (appliances, heat pumps, EV charging, DH pumps)"},
      {"pv_feed", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "MW",
       "rooftop PV generation on the roofs that have PV"},
      {"grid_import", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "MW",
       "power the substations take from the 110 kV grid (negative: back-feed)"},
      {"heat_demand", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "MW",
       "space heat and hot water of all buildings"},
      {"heat_pump_load", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "MW",
       "electricity of the heat pumps"},
      {"ev_charging", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "MW",
       "home charging of electric cars"},
      {"transformer_loading_max", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "%",
       "highest loading of a 10/0.4 kV transformer now"},
      {"voltage_min", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "1",
       "lowest bus voltage now (p.u.)"},
      {"voltage_max", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "1",
       "highest bus voltage now (p.u.)"},
      {"violations", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "1",
       "buses outside the voltage band plus overloaded cables and transformers now"},
      {"losses", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "kW",
       "series losses of cables and transformers"},
      {"co2", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "t/h",
       "CO2 of the grid electricity, gas and oil the buildings use now"},
  }};
  static constexpr std::array<TwinParamDesc, 30> kParams{{
      {"load_profile_set", TWIN_PARAM_STRING, nullptr, "bdew1999", 0,
       "bdew1999 (H0 households, G0-G6 by trade) or bdew2025 (H25 households, G25 trade)"},
      {"load_profiles", TWIN_PARAM_PATH, nullptr, "asset:energy/bdew1999/selp_series.csv", 0,
       "BDEW standard load profiles of 1999 (electricity)"},
      {"load_profiles_2025", TWIN_PARAM_FOLDER, nullptr, "asset:energy/bdew2025", 0,
       "BDEW standard load profiles of 2025 (h25.csv, g25.csv, l25.csv, p25.csv, s25.csv)"},
      {"heat_profiles", TWIN_PARAM_FOLDER, nullptr, "asset:energy/heat_bdew_siglinde", 0,
       "BDEW/SigLinDe heat profile tables"},
      {"typology", TWIN_PARAM_PATH, nullptr,
       "asset:energy/benchmarks/tabula_de_residential_heat_need.csv", 0,
       "TABULA residential heat need by size class and age band"},
      {"grid_types", TWIN_PARAM_PATH, nullptr, "asset:energy/grid_types.csv", 0,
       "cable and transformer types of the synthetic grid"},
      {"climate", TWIN_PARAM_PATH, nullptr, "asset:weather/TRY2010_05_Jahr.dat", 0,
       "the site's test reference year: scales the heat profiles to a year and gives the days "
       "before the run"},
      {"household_consumption", TWIN_PARAM_NUMBER, "kWh", "1500kWh", 0,
       "household electricity per resident and year (BDEW: about 130 TWh for 84 M people)"},
      {"refurbishment", TWIN_PARAM_STRING, nullptr, "usual", 0,
       "TABULA state of the residential stock: as_built, usual or advanced"},
      {"default_year", TWIN_PARAM_INTEGER, nullptr, "1965", 0,
       "construction year of buildings OSM gives none (the stock's most common decade)"},
      {"heat_pump_share", TWIN_PARAM_NUMBER, "1", "0.06", 0,
       "share of buildings heated by air-source heat pumps"},
      {"district_heat_share", TWIN_PARAM_NUMBER, "1", "0.14", 0,
       "share of buildings on district heat"},
      {"oil_share", TWIN_PARAM_NUMBER, "1", "0.25", 0,
       "share of the remaining (boiler-heated) buildings with oil; the rest burn gas"},
      {"boiler_efficiency", TWIN_PARAM_NUMBER, "1", "0.9", 0,
       "annual efficiency of gas and oil boilers (useful heat per fuel)"},
      {"pv_share", TWIN_PARAM_NUMBER, "1", "0.1", 0,
       "share of the suitable roofs that have PV (1: every suitable roof)"},
      {"design_pv_share", TWIN_PARAM_NUMBER, "1", "0.1", 0,
       "the PV share the grid was planned for (keep it when a variant adds PV)"},
      {"ev_share", TWIN_PARAM_NUMBER, "1", "0.033", 0,
       "electric share of the cars (KBA, 1 Jan 2025: 3.3 % of German cars)"},
      {"cars_per_resident", TWIN_PARAM_NUMBER, "1", "0.59", 0,
       "cars per resident (Germany 2025: 49.3 M cars, 83.6 M people)"},
      {"car_km_per_year", TWIN_PARAM_NUMBER, "km", "12300km", 0,
       "distance a car drives per year (KBA, Verkehr in Kilometern 2023)"},
      {"ev_consumption", TWIN_PARAM_NUMBER, "kWh/km", "0.19kWh/km", 0,
       "EV electricity per km from the socket, charging losses included"},
      {"charger_power", TWIN_PARAM_NUMBER, "kW", "11kW", 0, "home charging power"},
      {"charging", TWIN_PARAM_STRING, nullptr, "uncontrolled", 0,
       "uncontrolled (charge on arrival) or smart (staggered into the night)"},
      {"ev_source", TWIN_PARAM_STRING, nullptr, "residents", 0,
       "residents (the residents' cars charge at home by the statistics above) or traffic "
       "(every electric car arriving on ev_arrivals charges at the building nearest where it "
       "parks, the energy its trip used)"},
      {"voltage_band", TWIN_PARAM_NUMBER, "1", "0.05", 0,
       "allowed deviation of bus voltages from 1 p.u."},
      {"grid_co2", TWIN_PARAM_NUMBER, "g/kWh", "380g/kWh", 0,
       "CO2 per kWh of grid electricity (UBA: German mix 2023)"},
      {"grid_co2_profile", TWIN_PARAM_PATH, nullptr, "", 0,
       "optional: the grid factor by time of day instead (CSV 'time,g_per_kwh', rows from 00:00 "
       "in local time, each value holding until the next row), e.g. from the hourly mix"},
      {"gas_co2", TWIN_PARAM_NUMBER, "g/kWh", "201g/kWh", 0,
       "CO2 per kWh of natural gas burnt (UBA: 55.9 t/TJ)"},
      {"oil_co2", TWIN_PARAM_NUMBER, "g/kWh", "266g/kWh", 0,
       "CO2 per kWh of heating oil burnt (UBA: 74 t/TJ)"},
      {"dh_loss_per_metre", TWIN_PARAM_NUMBER, "W", "25W", 0,
       "district heat pipe loss per metre of trench (twin plastic pipes, 80/50 degC)"},
      {"dh_pump_share", TWIN_PARAM_NUMBER, "1", "0.01", 0,
       "pumping electricity per unit of district heat delivered"},
  }};
  static constexpr std::array<TwinKpiDesc, 31> kKpis{{
      {"buildings", "1", "buildings supplied"},
      {"lv_transformers", "1", "10/0.4 kV transformers of the synthetic grid"},
      {"substations", "1", "110/10 kV substations"},
      {"lv_cable_km", "km", "low-voltage cable along the streets"},
      {"mv_cable_km", "km", "10 kV cable along the streets"},
      {"electricity", "MWh", "electricity the buildings used"},
      {"peak_load", "MW", "highest electricity demand"},
      {"peak_import", "MW", "highest power taken from the 110 kV grid"},
      {"heat", "MWh", "space heat and hot water"},
      {"heat_pump_electricity", "MWh", "electricity of heat pumps"},
      {"gas", "MWh", "gas burnt in boilers (buildings and district heat)"},
      {"oil", "MWh", "heating oil burnt"},
      {"evs", "1", "electric cars charging at home (ev_source traffic: charging sessions)"},
      {"ev_energy", "MWh", "EV home charging"},
      {"pv_energy", "MWh", "rooftop PV generation"},
      {"pv_self_consumption", "%", "PV used in its own building, of the PV energy"},
      {"self_sufficiency", "%", "PV used in its own building, of the electricity demand"},
      {"grid_losses", "MWh", "losses in cables and transformers"},
      {"max_transformer_loading", "%", "highest 10/0.4 kV transformer loading"},
      {"max_cable_loading", "%", "highest cable loading"},
      {"min_voltage", "1", "lowest bus voltage (p.u.)"},
      {"max_voltage", "1", "highest bus voltage (p.u.)"},
      {"violation_hours", "h", "time with at least one violation"},
      {"buses_out_of_band", "1", "buses outside the voltage band at least once"},
      {"overloaded_branches", "1", "cables and transformers above 100 % at least once"},
      {"district_heat", "MWh", "district heat delivered"},
      {"waste_heat_used", "MWh", "industrial waste heat fed into district heat"},
      {"dh_losses", "MWh", "district heat pipe losses"},
      {"co2", "t", "CO2 of grid electricity, gas and oil"},
      {"power_flow_iterations", "1", "mean Newton-Raphson iterations per step"},
      {"not_converged", "1", "steps whose power flow did not converge"},
  }};

  explicit GridModel(const sdk::Config& c);
  ~GridModel();
  void init() {}
  TwinStatus step(sdk::Step& s);
  void publish(sdk::Publisher& out) const;
  std::vector<std::uint8_t> saveState() const;
  void loadState(std::span<const std::uint8_t> s);
  std::vector<double> kpis() const;

  const SyntheticGrid& grid() const { return grid_; }

 private:
  void splitIslands();
  double allocationTemperature(std::int64_t day) const;
  double climateDailyMean(std::int64_t day) const;
  double climateAt(double unixS) const;

  const TwinCityInfo* city_ = nullptr;
  const TwinHostApi* host_ = nullptr;
  std::string instance_;
  std::uint64_t seed_ = 0;
  std::int64_t startUnixS_ = 0;
  std::int32_t utcOffsetS_ = 0;
  double periodS_ = 0;
  double midnight0_ = 0;  // unix seconds of the run's first local midnight

  StandardLoadProfiles slp_;
  HeatProfiles heat_;
  weather::TryYear climate_;
  GridTypes types_;
  GridDesign design_;
  SyntheticGrid grid_;
  physics::PfCase case_;  // the whole grid (loads set each step)
  // each substation's area is a grid of its own (its busbar is the reference): solved apart,
  // in parallel, and gathered in area order
  struct Island {
    physics::PfCase pc;
    std::unique_ptr<physics::PowerFlow> pf;
    std::vector<std::uint32_t> buses, branches;  // global indices in local order
    physics::PfResult result;
  };
  std::vector<Island> islands_;
  sdk::Threads threads_;

  // per building
  std::vector<BuildingDemand> demand_;
  std::vector<Heating> heating_;
  std::vector<std::uint8_t> hasPv_;
  std::vector<HeatGroup> groups_;
  std::vector<double> groupNorm_;  // per heat group: sum over the climate year of h * F_WT
  std::vector<HomeEv> evs_;
  // derived (not state): the residents' sessions of day sessionDay_ - 1 and sessionDay_, two
  // per car in evs_ order
  std::vector<ChargingSession> daySessions_;
  std::int64_t sessionDay_ = std::numeric_limits<std::int64_t>::min();
  int h0_ = -1;

  // parameters
  double boilerEff_, kmPerYear_, kWhPerKm_, chargerKW_, band_, gridCo2_, gasCo2_, oilCo2_;
  double dhLossW_ = 0, dhPumpShare_ = 0, dhTrenchM_ = 0;
  DailyProfile gridCo2Profile_;  // empty: gridCo2_ all day
  Charging charging_ = Charging::Uncontrolled;
  bool evFromTraffic_ = false;
  double evShare_ = 0;
  std::unique_ptr<PointIndex> buildingIndex_;  // buildings with a demand (ev_source: traffic)
  struct TrafficSession {
    std::uint32_t building;
    double startS, durationS;  // since the run's first local midnight
  };
  std::vector<TrafficSession> sessions_;        // state
  double lastArrivalId_ = -1, evSessions_ = 0;  // state

  // state
  std::vector<double> dayAnomaly_;  // observed minus climate temperature, per finished day
  double anomalySum_ = 0, anomalyCount_ = 0;
  std::int64_t currentDay_ = 0;
  std::vector<double> vm_, va_;                          // last solution (warm start)
  std::vector<double> electricityKWh_, heatKWh_, vMin_;  // per building
  std::vector<double> branchLoading_;                    // last step, per branch (%)
  std::vector<double> branchMax_, busMin_, busMax_;      // over the run
  std::vector<std::uint8_t> busViolated_, branchViolated_;
  double load_ = 0, pv_ = 0, import_ = 0, heatNow_ = 0, hpNow_ = 0, evNow_ = 0, trafoMax_ = 0,
         vMinNow_ = 1, vMaxNow_ = 1, violationsNow_ = 0, lossesKW_ = 0, co2Now_ = 0;
  double eElectricity_ = 0, peakLoad_ = 0, peakImport_ = -1e300, eHeat_ = 0, eHp_ = 0, eGas_ = 0,
         eOil_ = 0, eEv_ = 0, ePv_ = 0, ePvSelf_ = 0, eLosses_ = 0, maxTrafo_ = 0, maxCable_ = 0,
         minV_ = 1e300, maxV_ = -1e300, violationS_ = 0, eDh_ = 0, eWaste_ = 0, eDhLoss_ = 0,
         co2T_ = 0, iterations_ = 0, solves_ = 0, notConverged_ = 0;
};

}  // namespace twin::energy
