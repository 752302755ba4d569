// SPDX-License-Identifier: Apache-2.0
// Irradiance on a tilted plane and PV output: the Hay-Davies transposition (J. E. Hay, J. A.
// Davies, "Calculation of the solar radiation incident on an inclined surface", 1980) with an
// isotropic ground reflection, extraterrestrial irradiance after Spencer (1971), a cell
// temperature from the NOCT (Ta + POA/800 * (NOCT - 20)), a linear power temperature
// coefficient and lumped system and inverter losses (the PVWatts v5 structure, Dobos 2014).
// Standard library only.
#pragma once

namespace twin::solar {

// Extraterrestrial normal irradiance (W/m2) on a day of the year (Spencer 1971).
double extraterrestrialNormal(int dayOfYear);

struct PlaneIrradiance {
  double poa = 0;      // total on the plane, W/m2
  double beam = 0;     // direct part
  double diffuse = 0;  // sky diffuse part (circumsolar + isotropic)
  double ground = 0;   // reflected by the ground
};

// Irradiance on a plane of `tiltDeg` whose normal points to `azimuthDeg` (from north,
// eastward), for the sun at zenith/azimuth (deg) and the horizontal beam and diffuse
// irradiance. The beam's normal irradiance is beamHorizontal / cos(zenith), taken as 0 below
// 5 degrees of sun elevation (where horizontal beam values are not meaningful).
PlaneIrradiance hayDavies(double beamHorizontal, double diffuseHorizontal, double zenithDeg,
                          double sunAzimuthDeg, double tiltDeg, double azimuthDeg,
                          double extraNormal, double albedo = 0.2);

struct PvSystem {
  double kWp = 1.0;
  double gamma = -0.0037;      // relative power change per K of cell temperature
  double noctC = 45.0;         // nominal operating cell temperature
  double systemLosses = 0.14;  // soiling, wiring, mismatch, ... (PVWatts default)
  double inverterEff = 0.96;
};

// AC power (kW) for a plane irradiance (W/m2) and the air temperature.
double pvAcPower(const PvSystem& pv, double poa, double airTemperatureC);

}  // namespace twin::solar
