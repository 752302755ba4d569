// SPDX-License-Identifier: Apache-2.0
// Tailpipe emissions per vehicle and step: the HBEFA3-based model of Eclipse SUMO (Krajzewicz,
// Behrisch, Wagner, Hausberger, Luz, Krumnow 2015, "Second generation of pollutant emission
// models for SUMO"). For each emission class and pollutant a polynomial in speed v (m/s) and
// acceleration a (m/s2), fitted to the emission factors of HBEFA 3.1 (the Handbook Emission
// Factors for Road Transport of the German, Swiss and Austrian environment agencies):
//
//   E [g/h] = max(0, c0 + c1 a v + c2 a^2 v + c3 v + c4 v^2 + c5 v^3)
//
// Validity: the fleet and technology of HBEFA 3.1 (Euro 0..6), flat roads, warm engines (no
// cold start), per-second speed traces of urban and extra-urban driving. SUMO 1.15 also sets
// every pollutant to zero while a vehicle coasts (fuel cut-off); this model does not, so it
// gives 1.4..3.1 % more CO2 on a trace with a stop (tests/data/traffic, SOURCE.md).
// Electric vehicles emit nothing at the tailpipe (class "zero").
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace twin::traffic {

struct EmissionClass {
  std::string name;             // HBEFA3 class, e.g. PC_G_EU4 (SUMO's default car)
  std::array<double, 6> co2{};  // coefficients c0..c5 (g/h)
  std::array<double, 6> nox{};
  bool diesel = false;
};

// mg/s of each pollutant at speed v (m/s) and acceleration a (m/s2)
struct EmissionRates {
  double co2 = 0, nox = 0;
};

// the classes citytwin knows (passenger cars, light and heavy duty vehicles, buses, zero)
const std::vector<EmissionClass>& emissionClasses();
// index of a class by name ("HBEFA3/" prefix allowed), or -1
int findEmissionClass(const std::string& name);
// the default class of a vehicle class and whether it is electric: cars PC_G_EU4 (SUMO 1.15's
// default), vans LDV_D_EU6, trucks HDV_D_EU6, buses Bus; electric: zero
int defaultEmissionClass(int vehicleClass, bool electric);

// (inline: called for every vehicle in every step; the powers of v and a are shared)
inline EmissionRates emissionRates(const EmissionClass& c, double v, double a) {
  const double av = a * v, aav = a * av, v2 = v * v, v3 = v2 * v;
  auto rate = [&](const std::array<double, 6>& k) {
    const double gPerH = k[0] + k[1] * av + k[2] * aav + k[3] * v + k[4] * v2 + k[5] * v3;
    return gPerH > 0.0 ? gPerH * (1.0 / 3.6) : 0.0;  // g/h -> mg/s
  };
  return {rate(c.co2), rate(c.nox)};
}

}  // namespace twin::traffic
