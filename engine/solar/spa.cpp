// SPDX-License-Identifier: Apache-2.0
// The periodic terms (earth heliocentric longitude, latitude and radius; nutation) are the
// coefficients of tables A4.2 and A4.3 of Reda & Andreas (2008), which abridge VSOP87 (Bretagnon
// & Francou 1988) and the IAU 1980 nutation series as in J. Meeus, Astronomical Algorithms.
#include "solar/spa.hpp"

#include <cmath>
#include <limits>
#include <numbers>

namespace twin::solar {
namespace {

struct Term {
  double a, b, c;  // a cos(b + c JME)
};

constexpr Term kL0[] = {{175347046, 0, 0},           {3341656, 4.6692568, 6283.07585},
                        {34894, 4.6261, 12566.1517}, {3497, 2.7441, 5753.3849},
                        {3418, 2.8289, 3.5231},      {3136, 3.6277, 77713.7715},
                        {2676, 4.4181, 7860.4194},   {2343, 6.1352, 3930.2097},
                        {1324, 0.7425, 11506.7698},  {1273, 2.0371, 529.691},
                        {1199, 1.1096, 1577.3435},   {990, 5.233, 5884.927},
                        {902, 2.045, 26.298},        {857, 3.508, 398.149},
                        {780, 1.179, 5223.694},      {753, 2.533, 5507.553},
                        {505, 4.583, 18849.228},     {492, 4.205, 775.523},
                        {357, 2.92, 0.067},          {317, 5.849, 11790.629},
                        {284, 1.899, 796.298},       {271, 0.315, 10977.079},
                        {243, 0.345, 5486.778},      {206, 4.806, 2544.314},
                        {205, 1.869, 5573.143},      {202, 2.458, 6069.777},
                        {156, 0.833, 213.299},       {132, 3.411, 2942.463},
                        {126, 1.083, 20.775},        {115, 0.645, 0.98},
                        {103, 0.636, 4694.003},      {102, 0.976, 15720.839},
                        {102, 4.267, 7.114},         {99, 6.21, 2146.17},
                        {98, 0.68, 155.42},          {86, 5.98, 161000.69},
                        {85, 1.3, 6275.96},          {85, 3.67, 71430.7},
                        {80, 1.81, 17260.15},        {79, 3.04, 12036.46},
                        {75, 1.76, 5088.63},         {74, 3.5, 3154.69},
                        {74, 4.68, 801.82},          {70, 0.83, 9437.76},
                        {62, 3.98, 8827.39},         {61, 1.82, 7084.9},
                        {57, 2.78, 6286.6},          {56, 4.39, 14143.5},
                        {56, 3.47, 6279.55},         {52, 0.19, 12139.55},
                        {52, 1.33, 1748.02},         {51, 0.28, 5856.48},
                        {49, 0.49, 1194.45},         {41, 5.37, 8429.24},
                        {41, 2.4, 19651.05},         {39, 6.17, 10447.39},
                        {37, 6.04, 10213.29},        {37, 2.57, 1059.38},
                        {36, 1.71, 2352.87},         {36, 1.78, 6812.77},
                        {33, 0.59, 17789.85},        {30, 0.44, 83996.85},
                        {30, 2.74, 1349.87},         {25, 3.16, 4690.48}};

constexpr Term kL1[] = {{628331966747, 0, 0},       {206059, 2.678235, 6283.07585},
                        {4303, 2.6351, 12566.1517}, {425, 1.59, 3.523},
                        {119, 5.796, 26.298},       {109, 2.966, 1577.344},
                        {93, 2.59, 18849.23},       {72, 1.14, 529.69},
                        {68, 1.87, 398.15},         {67, 4.41, 5507.55},
                        {59, 2.89, 5223.69},        {56, 2.17, 155.42},
                        {45, 0.4, 796.3},           {36, 0.47, 775.52},
                        {29, 2.65, 7.11},           {21, 5.34, 0.98},
                        {19, 1.85, 5486.78},        {19, 4.97, 213.3},
                        {17, 2.99, 6275.96},        {16, 0.03, 2544.31},
                        {16, 1.43, 2146.17},        {15, 1.21, 10977.08},
                        {12, 2.83, 1748.02},        {12, 3.26, 5088.63},
                        {12, 5.27, 1194.45},        {12, 2.08, 4694},
                        {11, 0.77, 553.57},         {10, 1.3, 6286.6},
                        {10, 4.24, 1349.87},        {9, 2.7, 242.73},
                        {9, 5.64, 951.72},          {8, 5.3, 2352.87},
                        {6, 2.65, 9437.76},         {6, 4.67, 4690.48}};

constexpr Term kL2[] = {
    {52919, 0, 0},     {8720, 1.0721, 6283.0758}, {309, 0.867, 12566.152}, {27, 0.05, 3.52},
    {16, 5.19, 26.3},  {16, 3.68, 155.42},        {10, 0.76, 18849.23},    {9, 2.06, 77713.77},
    {7, 0.83, 775.52}, {5, 4.66, 1577.34},        {4, 1.03, 7.11},         {4, 3.44, 5573.14},
    {3, 5.14, 796.3},  {3, 6.05, 5507.55},        {3, 1.19, 242.73},       {3, 6.12, 529.69},
    {3, 0.31, 398.15}, {3, 2.28, 553.57},         {2, 4.38, 5223.69},      {2, 3.75, 0.98}};

constexpr Term kL3[] = {{289, 5.844, 6283.076}, {35, 0, 0},      {17, 5.49, 12566.15},
                        {3, 5.2, 155.42},       {1, 4.72, 3.52}, {1, 5.3, 18849.23},
                        {1, 5.97, 242.73}};

constexpr Term kL4[] = {{114, 3.142, 0}, {8, 4.13, 6283.08}, {1, 3.84, 12566.15}};

constexpr Term kL5[] = {{1, 3.14, 0}};

constexpr Term kB0[] = {{280, 3.199, 84334.662},
                        {102, 5.422, 5507.553},
                        {80, 3.88, 5223.69},
                        {44, 3.7, 2352.87},
                        {32, 4, 1577.34}};

constexpr Term kB1[] = {{9, 3.9, 5507.55}, {6, 1.73, 5223.69}};

constexpr Term kR0[] = {{100013989, 0, 0},
                        {1670700, 3.0984635, 6283.07585},
                        {13956, 3.05525, 12566.1517},
                        {3084, 5.1985, 77713.7715},
                        {1628, 1.1739, 5753.3849},
                        {1576, 2.8469, 7860.4194},
                        {925, 5.453, 11506.77},
                        {542, 4.564, 3930.21},
                        {472, 3.661, 5884.927},
                        {346, 0.964, 5507.553},
                        {329, 5.9, 5223.694},
                        {307, 0.299, 5573.143},
                        {243, 4.273, 11790.629},
                        {212, 5.847, 1577.344},
                        {186, 5.022, 10977.079},
                        {175, 3.012, 18849.228},
                        {110, 5.055, 5486.778},
                        {98, 0.89, 6069.78},
                        {86, 5.69, 15720.84},
                        {86, 1.27, 161000.69},
                        {65, 0.27, 17260.15},
                        {63, 0.92, 529.69},
                        {57, 2.01, 83996.85},
                        {56, 5.24, 71430.7},
                        {49, 3.25, 2544.31},
                        {47, 2.58, 775.52},
                        {45, 5.54, 9437.76},
                        {43, 6.01, 6275.96},
                        {39, 5.36, 4694},
                        {38, 2.39, 8827.39},
                        {37, 0.83, 19651.05},
                        {37, 4.9, 12139.55},
                        {36, 1.67, 12036.46},
                        {35, 1.84, 2942.46},
                        {33, 0.24, 7084.9},
                        {32, 0.18, 5088.63},
                        {32, 1.78, 398.15},
                        {28, 1.21, 6286.6},
                        {28, 1.9, 6279.55},
                        {26, 4.59, 10447.39}};

constexpr Term kR1[] = {{103019, 1.10749, 6283.07585},
                        {1721, 1.0644, 12566.1517},
                        {702, 3.142, 0},
                        {32, 1.02, 18849.23},
                        {31, 2.84, 5507.55},
                        {25, 1.32, 5223.69},
                        {18, 1.42, 1577.34},
                        {10, 5.91, 10977.08},
                        {9, 1.42, 6275.96},
                        {9, 0.27, 5486.78}};

constexpr Term kR2[] = {{4359, 5.7846, 6283.0758}, {124, 5.579, 12566.152}, {12, 3.14, 0},
                        {9, 3.63, 77713.77},       {6, 1.87, 5573.14},      {3, 5.47, 18849.23}};

constexpr Term kR3[] = {{145, 4.273, 6283.076}, {7, 3.92, 12566.15}};

constexpr Term kR4[] = {{4, 2.56, 6283.08}};

struct Nutation {
  int y[5];
  double a, b, c, d;  // (a + b JCE) sin(sum X Y), (c + d JCE) cos(sum X Y), 0.0001 arcsec
};

constexpr Nutation kNutation[] = {{{0, 0, 0, 0, 1}, -171996, -174.2, 92025, 8.9},
                                  {{-2, 0, 0, 2, 2}, -13187, -1.6, 5736, -3.1},
                                  {{0, 0, 0, 2, 2}, -2274, -0.2, 977, -0.5},
                                  {{0, 0, 0, 0, 2}, 2062, 0.2, -895, 0.5},
                                  {{0, 1, 0, 0, 0}, 1426, -3.4, 54, -0.1},
                                  {{0, 0, 1, 0, 0}, 712, 0.1, -7, 0},
                                  {{-2, 1, 0, 2, 2}, -517, 1.2, 224, -0.6},
                                  {{0, 0, 0, 2, 1}, -386, -0.4, 200, 0},
                                  {{0, 0, 1, 2, 2}, -301, 0, 129, -0.1},
                                  {{-2, -1, 0, 2, 2}, 217, -0.5, -95, 0.3},
                                  {{-2, 0, 1, 0, 0}, -158, 0, 0, 0},
                                  {{-2, 0, 0, 2, 1}, 129, 0.1, -70, 0},
                                  {{0, 0, -1, 2, 2}, 123, 0, -53, 0},
                                  {{2, 0, 0, 0, 0}, 63, 0, 0, 0},
                                  {{0, 0, 1, 0, 1}, 63, 0.1, -33, 0},
                                  {{2, 0, -1, 2, 2}, -59, 0, 26, 0},
                                  {{0, 0, -1, 0, 1}, -58, -0.1, 32, 0},
                                  {{0, 0, 1, 2, 1}, -51, 0, 27, 0},
                                  {{-2, 0, 2, 0, 0}, 48, 0, 0, 0},
                                  {{0, 0, -2, 2, 1}, 46, 0, -24, 0},
                                  {{2, 0, 0, 2, 2}, -38, 0, 16, 0},
                                  {{0, 0, 2, 2, 2}, -31, 0, 13, 0},
                                  {{0, 0, 2, 0, 0}, 29, 0, 0, 0},
                                  {{-2, 0, 1, 2, 2}, 29, 0, -12, 0},
                                  {{0, 0, 0, 2, 0}, 26, 0, 0, 0},
                                  {{-2, 0, 0, 2, 0}, -22, 0, 0, 0},
                                  {{0, 0, -1, 2, 1}, 21, 0, -10, 0},
                                  {{0, 2, 0, 0, 0}, 17, -0.1, 0, 0},
                                  {{2, 0, -1, 0, 1}, 16, 0, -8, 0},
                                  {{-2, 2, 0, 2, 2}, -16, 0.1, 7, 0},
                                  {{0, 1, 0, 0, 1}, -15, 0, 9, 0},
                                  {{-2, 0, 1, 0, 1}, -13, 0, 7, 0},
                                  {{0, -1, 0, 0, 1}, -12, 0, 6, 0},
                                  {{0, 0, 2, -2, 0}, 11, 0, 0, 0},
                                  {{2, 0, -1, 2, 1}, -10, 0, 5, 0},
                                  {{2, 0, 1, 2, 2}, -8, 0, 3, 0},
                                  {{0, 1, 0, 2, 2}, 7, 0, -3, 0},
                                  {{-2, 1, 1, 0, 0}, -7, 0, 0, 0},
                                  {{0, -1, 0, 2, 2}, -7, 0, 3, 0},
                                  {{2, 0, 0, 2, 1}, -7, 0, 3, 0},
                                  {{2, 0, 1, 0, 0}, 6, 0, 0, 0},
                                  {{-2, 0, 2, 2, 2}, 6, 0, -3, 0},
                                  {{-2, 0, 1, 2, 1}, 6, 0, -3, 0},
                                  {{2, 0, -2, 0, 1}, -6, 0, 3, 0},
                                  {{2, 0, 0, 0, 1}, -6, 0, 3, 0},
                                  {{0, -1, 1, 0, 0}, 5, 0, 0, 0},
                                  {{-2, -1, 0, 2, 1}, -5, 0, 3, 0},
                                  {{-2, 0, 0, 0, 1}, -5, 0, 3, 0},
                                  {{0, 0, 2, 2, 1}, -5, 0, 3, 0},
                                  {{-2, 0, 2, 0, 1}, 4, 0, 0, 0},
                                  {{-2, 1, 0, 2, 1}, 4, 0, 0, 0},
                                  {{0, 0, 1, -2, 0}, 4, 0, 0, 0},
                                  {{-1, 0, 1, 0, 0}, -4, 0, 0, 0},
                                  {{-2, 1, 0, 0, 0}, -4, 0, 0, 0},
                                  {{1, 0, 0, 0, 0}, -4, 0, 0, 0},
                                  {{0, 0, 1, 2, 0}, 3, 0, 0, 0},
                                  {{0, 0, -2, 2, 2}, -3, 0, 0, 0},
                                  {{-1, -1, 1, 0, 0}, -3, 0, 0, 0},
                                  {{0, 1, 1, 0, 0}, -3, 0, 0, 0},
                                  {{0, -1, 1, 2, 2}, -3, 0, 0, 0},
                                  {{2, -1, -1, 2, 2}, -3, 0, 0, 0},
                                  {{0, 0, 3, 2, 2}, -3, 0, 0, 0},
                                  {{2, -1, 0, 2, 2}, -3, 0, 0, 0}};

constexpr double kRad = std::numbers::pi / 180.0;
constexpr double kSunRadius = 0.26667;  // deg

double deg(double r) {
  return r / kRad;
}
double limit360(double d) {
  d = std::fmod(d, 360.0);
  return d < 0 ? d + 360.0 : d;
}
double limit1(double f) {
  f -= std::floor(f);
  return f;
}

template <std::size_t N>
double series(const Term (&t)[N], double jme) {
  double s = 0;
  for (const Term& x : t)
    s += x.a * std::cos(x.b + x.c * jme);
  return s;
}

// Julian day of a UT date and time (eq. 4; Gregorian calendar)
double julianDay(int year, int month, int day, int hour, int minute, double second,
                 double timezoneH, double deltaUt1) {
  const double dayFraction =
      day + (hour - timezoneH + (minute + (second + deltaUt1) / 60.0) / 60.0) / 24.0;
  if (month < 3) {
    month += 12;
    year -= 1;
  }
  double jd = std::floor(365.25 * (year + 4716.0)) + std::floor(30.6001 * (month + 1)) +
              dayFraction - 1524.5;
  if (jd > 2299160.0) {
    const double a = std::floor(year / 100.0);
    jd += 2.0 - a + std::floor(a / 4.0);
  }
  return jd;
}

// the geocentric sun (sections 3.2-3.8) at a Julian day
void geocentric(SpaResult& r, double jd, double deltaT) {
  r.jd = jd;
  r.jc = (jd - 2451545.0) / 36525.0;
  r.jde = jd + deltaT / 86400.0;
  r.jce = (r.jde - 2451545.0) / 36525.0;
  r.jme = r.jce / 10.0;
  const double t = r.jme;
  const double l =
      (series(kL0, t) + series(kL1, t) * t + series(kL2, t) * t * t + series(kL3, t) * t * t * t +
       series(kL4, t) * t * t * t * t + series(kL5, t) * t * t * t * t * t) /
      1e8;
  r.l = limit360(deg(l));
  r.b = deg((series(kB0, t) + series(kB1, t) * t) / 1e8);
  r.r = (series(kR0, t) + series(kR1, t) * t + series(kR2, t) * t * t + series(kR3, t) * t * t * t +
         series(kR4, t) * t * t * t * t) /
        1e8;
  r.theta = limit360(r.l + 180.0);
  r.beta = -r.b;
  const double c = r.jce;
  r.x[0] = 297.85036 + 445267.111480 * c - 0.0019142 * c * c + c * c * c / 189474.0;
  r.x[1] = 357.52772 + 35999.050340 * c - 0.0001603 * c * c - c * c * c / 300000.0;
  r.x[2] = 134.96298 + 477198.867398 * c + 0.0086972 * c * c + c * c * c / 56250.0;
  r.x[3] = 93.27191 + 483202.017538 * c - 0.0036825 * c * c + c * c * c / 327270.0;
  r.x[4] = 125.04452 - 1934.136261 * c + 0.0020708 * c * c + c * c * c / 450000.0;
  double psi = 0, eps = 0;
  for (const Nutation& n : kNutation) {
    double arg = 0;
    for (int k = 0; k < 5; ++k)
      arg += r.x[k] * n.y[k];
    psi += (n.a + n.b * c) * std::sin(arg * kRad);
    eps += (n.c + n.d * c) * std::cos(arg * kRad);
  }
  r.delPsi = psi / 36000000.0;
  r.delEpsilon = eps / 36000000.0;
  const double u = r.jme / 10.0;
  r.epsilon0 =
      84381.448 +
      u * (-4680.93 +
           u * (-1.55 +
                u * (1999.25 +
                     u * (-51.38 +
                          u * (-249.67 +
                               u * (-39.05 + u * (7.12 + u * (27.87 + u * (5.79 + u * 2.45)))))))));
  r.epsilon = r.epsilon0 / 3600.0 + r.delEpsilon;
  r.delTau = -20.4898 / (3600.0 * r.r);
  r.lambda = r.theta + r.delPsi + r.delTau;
  r.nu0 = limit360(280.46061837 + 360.98564736629 * (jd - 2451545.0) +
                   r.jc * r.jc * (0.000387933 - r.jc / 38710000.0));
  r.nu = r.nu0 + r.delPsi * std::cos(r.epsilon * kRad);
  const double lam = r.lambda * kRad, e = r.epsilon * kRad, be = r.beta * kRad;
  r.alpha = limit360(
      deg(std::atan2(std::sin(lam) * std::cos(e) - std::tan(be) * std::sin(e), std::cos(lam))));
  r.delta = deg(std::asin(std::sin(be) * std::cos(e) + std::cos(be) * std::sin(e) * std::sin(lam)));
}

// the observer's view (sections 3.9-3.15)
void topocentric(SpaResult& r, const SpaInput& in) {
  r.h = limit360(r.nu + in.longitudeDeg - r.alpha);
  r.xi = 8.794 / (3600.0 * r.r);
  const double phi = in.latitudeDeg * kRad;
  const double u = std::atan(0.99664719 * std::tan(phi));
  const double x = std::cos(u) + in.elevationM / 6378140.0 * std::cos(phi);
  const double y = 0.99664719 * std::sin(u) + in.elevationM / 6378140.0 * std::sin(phi);
  const double xi = r.xi * kRad, hh = r.h * kRad, d = r.delta * kRad;
  const double da =
      std::atan2(-x * std::sin(xi) * std::sin(hh), std::cos(d) - x * std::sin(xi) * std::cos(hh));
  r.delAlpha = deg(da);
  r.alphaPrime = r.alpha + r.delAlpha;
  r.deltaPrime = deg(std::atan2((std::sin(d) - y * std::sin(xi)) * std::cos(da),
                                std::cos(d) - x * std::sin(xi) * std::cos(hh)));
  r.hPrime = r.h - r.delAlpha;
  const double dp = r.deltaPrime * kRad, hp = r.hPrime * kRad;
  r.e0 = deg(std::asin(std::sin(phi) * std::sin(dp) + std::cos(phi) * std::cos(dp) * std::cos(hp)));
  r.delE = 0.0;
  if (r.e0 >= -(kSunRadius + in.atmosRefractDeg)) {
    r.delE = in.pressureMbar / 1010.0 * 283.0 / (273.0 + in.temperatureC) * 1.02 /
             (60.0 * std::tan((r.e0 + 10.3 / (r.e0 + 5.11)) * kRad));
  }
  r.e = r.e0 + r.delE;
  r.zenith = 90.0 - r.e;
  r.azimuthAstro = limit360(
      deg(std::atan2(std::sin(hp), std::cos(hp) * std::sin(phi) - std::tan(dp) * std::cos(phi))));
  r.azimuth = limit360(r.azimuthAstro + 180.0);
  const double z = r.zenith * kRad, w = in.slopeDeg * kRad;
  r.incidence = deg(
      std::acos(std::cos(z) * std::cos(w) +
                std::sin(w) * std::sin(z) * std::cos((r.azimuthAstro - in.azmRotationDeg) * kRad)));
}

// sunrise, transit and sunset (appendix A.2), local hours
void riseTransitSet(SpaResult& out, const SpaInput& in) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // the geocentric sun at 0 UT of the day before, the day and the day after (delta T = 0)
  const double jd0 = julianDay(in.year, in.month, in.day, 0, 0, 0.0, 0.0, 0.0);
  SpaResult day[3];
  for (int k = 0; k < 3; ++k)
    geocentric(day[k], jd0 + (k - 1), 0.0);
  const double nu = day[1].nu;
  const double h0Prime = -(kSunRadius + in.atmosRefractDeg);
  const double phi = in.latitudeDeg * kRad;
  const double m0 = (day[1].alpha - in.longitudeDeg - nu) / 360.0;
  const double cosH0 = (std::sin(h0Prime * kRad) - std::sin(phi) * std::sin(day[1].delta * kRad)) /
                       (std::cos(phi) * std::cos(day[1].delta * kRad));
  double m[3] = {limit1(m0), 0, 0};
  const bool riseAndSet = std::abs(cosH0) <= 1.0;
  const double h0 = riseAndSet ? deg(std::acos(cosH0)) : 0.0;
  m[1] = limit1(m[0] - h0 / 360.0);
  m[2] = limit1(m[0] + h0 / 360.0);
  // interpolation differences, limited as the paper says when the right ascension wraps
  auto diff = [](double v) { return std::abs(v) > 2.0 ? limit1(v) : v; };
  const double a = diff(day[1].alpha - day[0].alpha), b = diff(day[2].alpha - day[1].alpha);
  const double ap = diff(day[1].delta - day[0].delta), bp = diff(day[2].delta - day[1].delta);
  double hPrime[3], deltaP[3], hAlt[3];
  for (int i = 0; i < 3; ++i) {
    const double nui = nu + 360.985647 * m[i];
    const double n = m[i] + in.deltaT / 86400.0;
    const double alphaP = day[1].alpha + n * (a + b + (b - a) * n) / 2.0;
    deltaP[i] = day[1].delta + n * (ap + bp + (bp - ap) * n) / 2.0;
    double hp = limit360(nui + in.longitudeDeg - alphaP);
    if (hp > 180.0)
      hp -= 360.0;
    hPrime[i] = hp;
    const double dp = deltaP[i] * kRad;
    hAlt[i] = deg(std::asin(std::sin(phi) * std::sin(dp) +
                            std::cos(phi) * std::cos(dp) * std::cos(hp * kRad)));
  }
  auto localHours = [&](double dayFraction) {
    return limit1(dayFraction + in.timezoneH / 24.0) * 24.0;
  };
  out.sunTransit = localHours(m[0] - hPrime[0] / 360.0);
  if (!riseAndSet) {
    out.sunrise = out.sunset = nan;
    return;
  }
  auto event = [&](int i) {
    return m[i] + (hAlt[i] - h0Prime) / (360.0 * std::cos(deltaP[i] * kRad) * std::cos(phi) *
                                         std::sin(hPrime[i] * kRad));
  };
  out.sunrise = localHours(event(1));
  out.sunset = localHours(event(2));
}

}  // namespace

SpaResult spa(const SpaInput& in, bool withRiseTransitSet) {
  SpaResult r;
  geocentric(r,
             julianDay(in.year, in.month, in.day, in.hour, in.minute, in.second, in.timezoneH,
                       in.deltaUt1),
             in.deltaT);
  topocentric(r, in);
  if (withRiseTransitSet)
    riseTransitSet(r, in);
  return r;
}

}  // namespace twin::solar
