// SPDX-License-Identifier: Apache-2.0
#include "dispersion/gaussian.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace twin::dispersion {

std::optional<Stability> parseStability(std::string_view text) {
  if (text.size() != 1)
    return std::nullopt;
  const char c = text[0];
  if (c >= 'A' && c <= 'F')
    return static_cast<Stability>(c - 'A' + 1);
  if (c >= 'a' && c <= 'f')
    return static_cast<Stability>(c - 'a' + 1);
  if (c >= '1' && c <= '6')
    return static_cast<Stability>(c - '0');
  return std::nullopt;
}

char stabilityLetter(Stability s) {
  return static_cast<char>('A' + static_cast<int>(s) - 1);
}

std::optional<Stability> stabilityFromIndex(double index) {
  if (!(index >= 1.0 && index <= 6.0))
    return std::nullopt;
  return static_cast<Stability>(static_cast<int>(std::lround(index)));
}

std::optional<SigmaScheme> parseSigmaScheme(std::string_view text) {
  if (text == "briggs_rural")
    return SigmaScheme::BriggsRural;
  if (text == "briggs_urban")
    return SigmaScheme::BriggsUrban;
  if (text == "pasquill_gifford")
    return SigmaScheme::PasquillGifford;
  return std::nullopt;
}

const char* sigmaSchemeName(SigmaScheme s) {
  switch (s) {
    case SigmaScheme::BriggsRural:
      return "briggs_rural";
    case SigmaScheme::BriggsUrban:
      return "briggs_urban";
    case SigmaScheme::PasquillGifford:
      return "pasquill_gifford";
  }
  return "?";
}

namespace {

std::size_t idx(Stability s) {
  return static_cast<std::size_t>(static_cast<int>(s) - 1);
}

// Briggs (1973) open-country formulas, Gifford (1976): sigma_y = a x (1 + b x)^-1/2;
// sigma_z = c x (1 + d x)^e
struct BriggsRow {
  double a, b, c, d, e;
};
constexpr std::array<BriggsRow, 6> kBriggsRural{{
    {0.22, 0.0001, 0.20, 0.0, 0.0},       // A: sigma_z = 0.20 x
    {0.16, 0.0001, 0.12, 0.0, 0.0},       // B: sigma_z = 0.12 x
    {0.11, 0.0001, 0.08, 0.0002, -0.5},   // C
    {0.08, 0.0001, 0.06, 0.0015, -0.5},   // D
    {0.06, 0.0001, 0.03, 0.0003, -1.0},   // E
    {0.04, 0.0001, 0.016, 0.0003, -1.0},  // F
}};
// Briggs (1973) urban formulas; A and B share a row, as do E and F
constexpr std::array<BriggsRow, 6> kBriggsUrban{{
    {0.32, 0.0004, 0.24, 0.001, 0.5},    // A-B: sigma_z = 0.24 x (1 + 0.001 x)^+1/2
    {0.32, 0.0004, 0.24, 0.001, 0.5},    // A-B
    {0.22, 0.0004, 0.20, 0.0, 0.0},      // C: sigma_z = 0.20 x
    {0.16, 0.0004, 0.14, 0.0003, -0.5},  // D
    {0.11, 0.0004, 0.08, 0.0015, -0.5},  // E-F
    {0.11, 0.0004, 0.08, 0.0015, -0.5},  // E-F
}};

Sigmas briggs(const BriggsRow& r, double x) {
  Sigmas s;
  s.y_m = r.a * x / std::sqrt(1.0 + r.b * x);
  s.z_m = r.e == 0.0 ? r.c * x : r.c * x * std::pow(1.0 + r.d * x, r.e);
  return s;
}

// Pasquill-Gifford sigma_y (PTDIS): T = c - d ln(x km) degrees, sigma_y = 465.11628 x tan T
constexpr std::array<std::array<double, 2>, 6> kPgY{{
    {24.1670, 2.5334},
    {18.3330, 1.8096},
    {12.5000, 1.0857},
    {8.3330, 0.72382},
    {6.2500, 0.54287},
    {4.1667, 0.36191},
}};

// Pasquill-Gifford sigma_z = a x^b (x in km) up to `upto` km (ISC3 Table 1-2)
struct PgZRow {
  double upto, a, b;
};
constexpr double kInf = 1e30;
constexpr std::array<PgZRow, 9> kPgZA{{{0.10, 122.800, 0.94470},
                                       {0.15, 158.080, 1.05420},
                                       {0.20, 170.220, 1.09320},
                                       {0.25, 179.520, 1.12620},
                                       {0.30, 217.410, 1.26440},
                                       {0.40, 258.890, 1.40940},
                                       {0.50, 346.750, 1.72830},
                                       {3.11, 453.850, 2.11660},
                                       {kInf, 453.850, 2.11660}}};
constexpr std::array<PgZRow, 3> kPgZB{
    {{0.20, 90.673, 0.93198}, {0.40, 98.483, 0.98332}, {kInf, 109.300, 1.09710}}};
constexpr std::array<PgZRow, 1> kPgZC{{{kInf, 61.141, 0.91465}}};
constexpr std::array<PgZRow, 6> kPgZD{{{0.30, 34.459, 0.86974},
                                       {1.00, 32.093, 0.81066},
                                       {3.00, 32.093, 0.64403},
                                       {10.00, 33.504, 0.60486},
                                       {30.00, 36.650, 0.56589},
                                       {kInf, 44.053, 0.51179}}};
constexpr std::array<PgZRow, 9> kPgZE{{{0.10, 24.260, 0.83660},
                                       {0.30, 23.331, 0.81956},
                                       {1.00, 21.628, 0.75660},
                                       {2.00, 21.628, 0.63077},
                                       {4.00, 22.534, 0.57154},
                                       {10.00, 24.703, 0.50527},
                                       {20.00, 26.970, 0.46713},
                                       {40.00, 35.420, 0.37615},
                                       {kInf, 47.618, 0.29592}}};
constexpr std::array<PgZRow, 10> kPgZF{{{0.20, 15.209, 0.81558},
                                        {0.70, 14.457, 0.78407},
                                        {1.00, 13.953, 0.68465},
                                        {2.00, 13.953, 0.63227},
                                        {3.00, 14.823, 0.54503},
                                        {7.00, 16.187, 0.46490},
                                        {15.00, 17.836, 0.41507},
                                        {30.00, 22.651, 0.32681},
                                        {60.00, 27.074, 0.27436},
                                        {kInf, 34.219, 0.21716}}};

template <std::size_t N>
double pgZ(const std::array<PgZRow, N>& rows, double xKm) {
  for (const PgZRow& r : rows)
    if (xKm <= r.upto)
      return r.a * std::pow(xKm, r.b);
  return 0.0;  // unreachable: the last row reaches kInf
}

Sigmas pasquillGifford(Stability s, double x) {
  const double xKm = x / 1000.0;
  const auto& yc = kPgY[idx(s)];
  const double tDeg = yc[0] - yc[1] * std::log(xKm);
  Sigmas out;
  out.y_m = 465.11628 * xKm * std::tan(tDeg * std::numbers::pi / 180.0);
  double z = 0.0;
  switch (s) {
    case Stability::A:
      z = pgZ(kPgZA, xKm);
      break;
    case Stability::B:
      z = pgZ(kPgZB, xKm);
      break;
    case Stability::C:
      z = pgZ(kPgZC, xKm);
      break;
    case Stability::D:
      z = pgZ(kPgZD, xKm);
      break;
    case Stability::E:
      z = pgZ(kPgZE, xKm);
      break;
    case Stability::F:
      z = pgZ(kPgZF, xKm);
      break;
  }
  out.z_m = std::min(z, 5000.0);
  return out;
}

// vertical term with the ground's image source: exp(-(z-H)^2/2sz^2) + exp(-(z+H)^2/2sz^2)
double verticalTerm(double z, double h, double sz) {
  const double a = (z - h) / sz, b = (z + h) / sz;
  return std::exp(-0.5 * a * a) + std::exp(-0.5 * b * b);
}

}  // namespace

Sigmas sigmas(SigmaScheme scheme, Stability s, double x_m) {
  if (!(x_m > 0.0))
    return {};
  switch (scheme) {
    case SigmaScheme::BriggsRural:
      return briggs(kBriggsRural[idx(s)], x_m);
    case SigmaScheme::BriggsUrban:
      return briggs(kBriggsUrban[idx(s)], x_m);
    case SigmaScheme::PasquillGifford:
      return pasquillGifford(s, x_m);
  }
  return {};
}

double windAtHeight(double u10_mps, double h_m, Stability s, bool urban) {
  constexpr std::array<double, 6> kRural{0.07, 0.07, 0.10, 0.15, 0.35, 0.55};
  constexpr std::array<double, 6> kUrban{0.15, 0.15, 0.20, 0.25, 0.30, 0.30};
  if (!(h_m > 10.0))
    return u10_mps;
  const double p = urban ? kUrban[idx(s)] : kRural[idx(s)];
  return u10_mps * std::pow(h_m / 10.0, p);
}

double plumeConcentration(const Release& r, double rate_kg_s, double x, double y, double z) {
  if (!(x > 0.0) || z < 0.0)
    return 0.0;
  const Sigmas s = sigmas(r.scheme, r.stability, x);
  if (!(s.y_m > 0.0) || !(s.z_m > 0.0))
    return 0.0;
  const double u = std::max(r.wind_mps, kMinWindMps);
  const double cy = y / s.y_m;
  return rate_kg_s / (2.0 * std::numbers::pi * u * s.y_m * s.z_m) * std::exp(-0.5 * cy * cy) *
         verticalTerm(z, r.height_m, s.z_m);
}

double puffConcentration(const Release& r, double mass_kg, double x, double y, double z,
                         double t_s) {
  if (!(t_s > 0.0) || z < 0.0)
    return 0.0;
  const double u = std::max(r.wind_mps, kMinWindMps);
  const double travelled = u * t_s;
  const Sigmas s = sigmas(r.scheme, r.stability, travelled);
  if (!(s.y_m > 0.0) || !(s.z_m > 0.0))
    return 0.0;
  const double cx = (x - travelled) / s.y_m, cy = y / s.y_m;
  const double norm = std::pow(2.0 * std::numbers::pi, 1.5) * s.y_m * s.y_m * s.z_m;
  return mass_kg / norm * std::exp(-0.5 * (cx * cx + cy * cy)) * verticalTerm(z, r.height_m, s.z_m);
}

double puffPeakConcentration(const Release& r, double mass_kg, double x, double y, double z) {
  if (!(x > 0.0))
    return 0.0;
  const double u = std::max(r.wind_mps, kMinWindMps);
  return puffConcentration(r, mass_kg, x, y, z, x / u);
}

double plumeThresholdDistance(const Release& r, double rate_kg_s, double threshold_kg_m3, double z,
                              double max_m) {
  return farthestDistanceAbove(
      [&](double x) { return plumeConcentration(r, rate_kg_s, x, 0.0, z); }, threshold_kg_m3,
      max_m);
}

double puffThresholdDistance(const Release& r, double mass_kg, double threshold_kg_m3, double z,
                             double max_m) {
  return farthestDistanceAbove(
      [&](double x) { return puffPeakConcentration(r, mass_kg, x, 0.0, z); }, threshold_kg_m3,
      max_m);
}

}  // namespace twin::dispersion
