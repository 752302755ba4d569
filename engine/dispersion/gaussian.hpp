// SPDX-License-Identifier: Apache-2.0
// Screening dispersion of a gas released at a point: the Gaussian plume (continuous release) and
// the Gaussian puff (instantaneous release), both with total reflection at the ground, as in
// D. B. Turner, "Workbook of Atmospheric Dispersion Estimates" (1970; 2nd ed. 1994) and
// N. de Nevers / Boubel, Fox, Turner, Stern, "Fundamentals of Air Pollution", 3rd ed. (1994),
// ch. 19. Dispersion coefficients sigma_y and sigma_z from three published schemes:
//  * Briggs (1973) rural ("open country") formulas for 100 m..10 km, as tabulated by Gifford
//    (1976) and in Turner (1994) and Boubel et al. (1994) Table 19-7;
//  * Briggs (1973) urban formulas (McElroy-Pooler St. Louis data), Boubel et al. Table 19-6;
//  * the Pasquill-Gifford curves as fitted for EPA's PTDIS/PTMTP and ISC3 models
//    (sigma_y = 465.11628 x tan(T), T = c - d ln x; sigma_z = a x^b piecewise; x in km),
//    Boubel et al. Tables 19-4 and 19-5, EPA-454/B-95-003b (ISC3 user's guide vol. II) Table 1-2.
// Units are SI throughout: m, s, kg, kg/s, kg/m^3. Standard library only.
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <string_view>

namespace twin::dispersion {

// Pasquill-Gifford stability classes; the numbers are the weather model's stability_class port.
enum class Stability : int { A = 1, B = 2, C = 3, D = 4, E = 5, F = 6 };

// "A".."F" (either case) or "1".."6"
std::optional<Stability> parseStability(std::string_view text);
char stabilityLetter(Stability s);
// 1..6 to a class; nullopt outside
std::optional<Stability> stabilityFromIndex(double index);

enum class SigmaScheme { BriggsRural, BriggsUrban, PasquillGifford };
std::optional<SigmaScheme> parseSigmaScheme(std::string_view text);  // briggs_rural|...
const char* sigmaSchemeName(SigmaScheme s);

struct Sigmas {
  double y_m = 0.0;
  double z_m = 0.0;
};

// Dispersion coefficients at downwind distance x_m > 0 (for x_m <= 0 both are 0). Briggs'
// formulas are stated for 100 m..10 km; outside they are extrapolated as published. The
// Pasquill-Gifford sigma_z stops at 5,000 m, as in PTDIS and ISC3.
Sigmas sigmas(SigmaScheme scheme, Stability s, double x_m);

// Wind speed at height h_m from the speed at the 10 m reference height by the power law
// u(h) = u10 (h/10)^p with Irwin's (1979) exponents as used by ISC3 (rural: A 0.07, B 0.07,
// C 0.10, D 0.15, E 0.35, F 0.55; urban: 0.15, 0.15, 0.20, 0.25, 0.30, 0.30). Below 10 m the
// 10 m speed is used, as ISC3 does.
double windAtHeight(double u10_mps, double h_m, Stability s, bool urban);

// The Gaussian model's lower limit of wind speed (ISC3 and ALOHA use 1 m/s): below it the
// plume equation diverges and the screening result is not meaningful.
inline constexpr double kMinWindMps = 1.0;

struct Release {
  double height_m = 0.0;  // effective release height (no plume rise: a cold or dense-neutral gas)
  double wind_mps = 1.0;  // transport speed at the release height, >= kMinWindMps
  Stability stability = Stability::D;
  SigmaScheme scheme = SigmaScheme::BriggsRural;
};

// Continuous release of rate_kg_s: concentration (kg/m^3) at x downwind, y crosswind and z above
// the ground, source at the origin (Turner 1970 eq. 3.1 with the ground image term); 0 upwind.
double plumeConcentration(const Release& r, double rate_kg_s, double x, double y, double z);

// Instantaneous release of mass_kg at t = 0: concentration (kg/m^3) at (x, y, z) at time t_s.
// The puff's centre moves downwind at the wind speed; its spreads are the plume coefficients at
// the distance travelled, sigma_x = sigma_y (Turner 1970 eq. 3.3 with ground reflection).
double puffConcentration(const Release& r, double mass_kg, double x, double y, double z,
                         double t_s);

// Peak concentration of the puff at a receptor: when the puff's centre passes it (x = u t).
double puffPeakConcentration(const Release& r, double mass_kg, double x, double y, double z);

// The farthest downwind distance (m) on the plume's centre line (y = 0, height z) at which
// `concentration(x)` reaches `threshold`, searched from 1 m to max_m: 0 when never reached,
// max_m when still above at max_m. A log-spaced scan brackets the last crossing; bisection
// then finds it to 0.1 %.
template <class F>
double farthestDistanceAbove(F concentration, double threshold, double max_m = 100000.0);

// The same for the plume and the puff's peak.
double plumeThresholdDistance(const Release& r, double rate_kg_s, double threshold_kg_m3,
                              double z = 0.0, double max_m = 100000.0);
double puffThresholdDistance(const Release& r, double mass_kg, double threshold_kg_m3,
                             double z = 0.0, double max_m = 100000.0);

// ---- implementation of the template ---------------------------------------------------------

template <class F>
double farthestDistanceAbove(F concentration, double threshold, double max_m) {
  // scan from far to near: the first point above the threshold brackets the last crossing
  constexpr int kSteps = 400;
  const double lo = 1.0;
  const double ratio = std::pow(max_m / lo, 1.0 / kSteps);
  double outer = max_m;
  if (concentration(outer) >= threshold)
    return max_m;
  for (int i = kSteps - 1; i >= 0; --i) {
    const double inner = lo * std::pow(ratio, static_cast<double>(i));
    if (concentration(inner) >= threshold) {
      double a = inner, b = outer;  // c(a) >= threshold > c(b)
      while (b - a > 1e-3 * a) {
        const double m = 0.5 * (a + b);
        if (concentration(m) >= threshold)
          a = m;
        else
          b = m;
      }
      return 0.5 * (a + b);
    }
    outer = inner;
  }
  return 0.0;
}

}  // namespace twin::dispersion
