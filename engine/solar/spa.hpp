// SPDX-License-Identifier: Apache-2.0
// Sun position by the Solar Position Algorithm of I. Reda and A. Andreas, "Solar Position
// Algorithm for Solar Radiation Applications", NREL/TP-560-34302 (2003, revised 2008):
// topocentric zenith and azimuth to +-0.0003 deg for the years -2000..6000, the incidence angle
// on a tilted surface, and sunrise, transit and sunset (its appendix A.2). Standard library only.
#pragma once

namespace twin::solar {

struct SpaInput {
  // local civil date and time, and the zone's offset from UTC in hours (east positive)
  int year = 2000, month = 1, day = 1, hour = 0, minute = 0;
  double second = 0.0;
  double timezoneH = 0.0;
  double deltaUt1 = 0.0;      // UT1 - UTC, s
  double deltaT = 69.0;       // TT - UT1, s (about 69 s in the 2020s)
  double longitudeDeg = 0.0;  // east positive
  double latitudeDeg = 0.0;   // north positive
  double elevationM = 0.0;
  double pressureMbar = 1013.25;
  double temperatureC = 15.0;
  double slopeDeg = 0.0;            // surface tilt from horizontal
  double azmRotationDeg = 0.0;      // surface azimuth from south, east negative
  double atmosRefractDeg = 0.5667;  // refraction at sunrise and sunset
};

// Every intermediate value of the paper's section 3 (its names), and the results.
struct SpaResult {
  double jd = 0, jc = 0, jde = 0, jce = 0, jme = 0;
  double l = 0, b = 0, r = 0;  // earth heliocentric longitude, latitude (deg), radius (AU)
  double theta = 0, beta = 0;  // geocentric longitude and latitude
  double x[5] = {};            // nutation arguments X0..X4
  double delPsi = 0, delEpsilon = 0, epsilon0 = 0, epsilon = 0;
  double delTau = 0, lambda = 0;
  double nu0 = 0, nu = 0;
  double alpha = 0, delta = 0;  // geocentric right ascension and declination
  double h = 0;                 // observer local hour angle
  double xi = 0, delAlpha = 0, alphaPrime = 0, deltaPrime = 0, hPrime = 0;
  double e0 = 0, delE = 0, e = 0;  // topocentric elevation without and with refraction
  double zenith = 0;
  double azimuthAstro = 0;  // from south, westward (Gamma)
  double azimuth = 0;       // from north, eastward (Phi)
  double incidence = 0;     // on the surface given by slope and azmRotation
  // local hours of the day (0..24); NaN when the sun does not rise or set that day
  double sunTransit = 0, sunrise = 0, sunset = 0;
};

// Computes everything; `riseTransitSet` adds the three times (three more positions).
SpaResult spa(const SpaInput& in, bool riseTransitSet = true);

}  // namespace twin::solar
