// SPDX-License-Identifier: Apache-2.0
#include "emissions.hpp"

#include "demand.hpp"

namespace twin::traffic {

namespace {

// Coefficients c0..c5 of E [g/h] = c0 + c1 a v + c2 a^2 v + c3 v + c4 v^2 + c5 v^3 (v in m/s,
// a in m/s2), as published in Eclipse SUMO's HBEFA3 emission model
// (src/utils/emissions/HelpersHBEFA3.cpp, EPL-2.0; fitted to HBEFA 3.1). Rows: CO2, NOx.
std::vector<EmissionClass> makeClasses() {
  return {
      {"zero", {}, {}, false},
      // passenger cars, petrol
      {"PC_G_EU4",
       {9449, 938.4, 0.0, -467.1, 28.26, 0.0},
       {4.336, 0.4428, 0.0, -0.3204, 0.01371, 0.0},
       false},
      {"PC_G_EU5",
       {8823, 886, 0.0, -432.9, 26.53, 0.0},
       {4.02, 0.4289, 0.0, -0.286, 0.01257, 0.0},
       false},
      {"PC_G_EU6",
       {8273, 845.1, 0.0, -401.1, 25.08, 0.0},
       {3.444, 0.4035, 0.0, -0.2313, 0.01086, 0.0},
       false},
      // passenger cars, diesel
      {"PC_D_EU4",
       {6824, 742.3, 0.0, -195.3, 16.46, 0.0},
       {47.45, 4.011, 0.0, -4.061, 0.1619, 0.0},
       true},
      {"PC_D_EU5",
       {4125, 686.1, 0.0, 153.1, 0.0, 0.2125},
       {46.01, 4.064, 0.0, -3.872, 0.1567, 0.0},
       true},
      {"PC_D_EU6",
       {3946, 661.8, 0.0, 149.8, 0.0, 0.2041},
       {16.31, 1.39, 0.0, -1.391, 0.05512, 0.0},
       true},
      // light duty vehicles (vans)
      {"LDV_G_EU6",
       {4423, 927.9, 0.0, 279, 0.0, 0.2844},
       {1.109, 0.1806, 0.0, 0.08319, 0.0, 0.0},
       false},
      {"LDV_D_EU5",
       {3505, 918.8, 0.0, 319.7, 0.0, 0.2978},
       {38.6, 6.079, 0.0, -3.414, 0.2026, 0.0},
       true},
      {"LDV_D_EU6",
       {3374, 880.2, 0.0, 308.9, 0.0, 0.2798},
       {13.57, 2.119, 0.0, -1.211, 0.07068, 0.0},
       true},
      // heavy duty vehicles (trucks), diesel
      {"HDV_D_EU4",
       {2.429e+04, 7180, 0.0, 1835, 0.0, 0.0},
       {202.2, 42.34, 0.0, 8.858, 0.0, 0.0},
       true},
      {"HDV_D_EU5",
       {2.396e+04, 7231, 0.0, 1868, 0.0, 0.0},
       {164.8, 33.84, 0.0, 7.036, 0.0, 0.0},
       true},
      {"HDV_D_EU6",
       {2.353e+04, 7227, 0.0, 1889, 0.0, 0.0},
       {47.47, 11.68, 0.0, 2.737, 0.0, 0.0},
       true},
      // urban buses and coaches (fleet averages of HBEFA 3.1)
      {"Bus", {1.903e+04, 6475, 0.0, 2073, 0.0, 0.0}, {218.7, 46.17, 0.0, 11.27, 0.0, 0.0}, true},
      {"Coach", {1.667e+04, 7763, 0.0, 2610, 0.0, 0.0}, {226.7, 60.86, 0.0, 16.97, 0.0, 0.0}, true},
  };
}

}  // namespace

const std::vector<EmissionClass>& emissionClasses() {
  static const std::vector<EmissionClass> classes = makeClasses();
  return classes;
}

int findEmissionClass(const std::string& name) {
  std::string n = name;
  if (n.rfind("HBEFA3/", 0) == 0)
    n = n.substr(7);
  const auto& cs = emissionClasses();
  for (std::size_t i = 0; i < cs.size(); ++i) {
    if (cs[i].name == n)
      return static_cast<int>(i);
  }
  return -1;
}

int defaultEmissionClass(int vehicleClass, bool electric) {
  if (electric)
    return findEmissionClass("zero");
  switch (static_cast<VehicleClass>(vehicleClass)) {
    case VehicleClass::Van:
      return findEmissionClass("LDV_D_EU6");
    case VehicleClass::Truck:
      return findEmissionClass("HDV_D_EU6");
    case VehicleClass::Bus:
      return findEmissionClass("Bus");
    case VehicleClass::Car:
      break;
  }
  return findEmissionClass("PC_G_EU4");
}

}  // namespace twin::traffic
