// SPDX-License-Identifier: Apache-2.0
// What a building of the city needs in a year, and the heat pumps that may supply its heat:
//  - residential space heat and hot water from the German TABULA typology (IWU 2015; Loga et al.
//    2016): heating need per m2 by size class and construction-year band, as built or after
//    usual or advanced refurbishment;
//  - electricity of households per resident, of other uses per m2 of floor area, each with the
//    BDEW standard load profile that fits it;
//  - heat of other uses per m2, with the SigLinDe profile type that fits it;
//  - the COP of air-source heat pumps from the regression of Ruhnau, Hirth & Praktiknjo (2019)
//    over manufacturer data, with their heating curve for the sink temperature.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace twin::energy {

enum class Refurbishment { AsBuilt = 0, Usual = 1, Advanced = 2 };
Refurbishment parseRefurbishment(const std::string& text);  // as_built, usual, advanced

struct TabulaType {
  std::string code;       // e.g. DE.N.SFH.05.Gen.ReEx.001
  std::string sizeClass;  // SFH, TH, MFH, AB
  int yearFrom = 0, yearTo = 9999;
  int band = 0;                  // the age band of the code (01..12)
  std::array<double, 3> qh{};    // heating need, kWh/(m2 a), by Refurbishment
  double qw = 0.0;               // hot-water need, kWh/(m2 a)
  double referenceAreaM2 = 0.0;  // TABULA A_C,Ref of the example building
};

class Tabula {
 public:
  // Reads the typology CSV (assets/energy/benchmarks); throws std::runtime_error naming the
  // file and line when malformed. Only the generic West German types (DE.N) are kept.
  static Tabula load(const std::string& path);
  // the type of a size class for a construction year (0: unknown, the band of `defaultYear`)
  const TabulaType& find(const std::string& sizeClass, int year) const;
  std::size_t size() const { return types_.size(); }

 private:
  std::vector<TabulaType> types_;
};

// TABULA's size class of a residential building from its storeys and floor area: SFH up to 2
// storeys and 300 m2 (one or two dwellings), AB from 6 storeys or 3,000 m2, MFH otherwise.
// (Terraced houses cannot be told from single-family houses in OSM footprints alone.)
std::string residentialSizeClass(int floors, double floorAreaM2);

// Air-source heat pump: COP = 6.08 - 0.09 dT + 0.0005 dT^2 with dT = sink - source (K),
// Ruhnau, Hirth & Praktiknjo, "Time series of heat demand and heat pump efficiency for energy
// system modeling", Scientific Data 6 (2019) 189, times their field correction 0.85.
double airSourceCop(double sourceC, double sinkC);
// sink temperature of space heating by radiators: 40 - 1.0 T_ambient degC (same source); hot
// water at 50 degC
double radiatorSinkC(double ambientC);
inline constexpr double kHotWaterSinkC = 50.0;

// One building's demand parameters (annual energy and the profiles that distribute it).
struct BuildingDemand {
  double electricityKWh = 0.0;    // per year, appliances and lighting (no heat)
  double spaceHeatKWh = 0.0;      // per year, useful heat
  double hotWaterKWh = 0.0;       // per year, useful heat
  std::int16_t loadProfile = -1;  // index into StandardLoadProfiles
  std::int16_t heatGroup = -1;    // index into DemandModel::heatGroups()
};

// SigLinDe profile type and building class of a group of buildings
struct HeatGroup {
  std::string type;  // EFH, MFH or a commercial type
  int buildingClass = 0;
};

// Per-m2 and per-resident intensities; the defaults are assumptions of the right order (see the
// plugin's README: calibrate against metered data where the city has it).
struct DemandParams {
  double householdKWhPerResident = 1500.0;  // BDEW: households 2022 about 130 TWh / 84 M people
  double netAreaShare = 0.8;                // conditioned area of the gross floor area
  int defaultYear = 1965;                   // construction year when OSM has none
  Refurbishment refurbishment = Refurbishment::Usual;
};

}  // namespace twin::energy
