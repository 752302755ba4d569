// SPDX-License-Identifier: Apache-2.0
#include "solar/pv.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace twin::solar {
namespace {
constexpr double kRad = std::numbers::pi / 180.0;
}

double extraterrestrialNormal(int dayOfYear) {
  const double b = 2.0 * std::numbers::pi * (dayOfYear - 1) / 365.0;
  return 1367.0 * (1.00011 + 0.034221 * std::cos(b) + 0.00128 * std::sin(b) +
                   0.000719 * std::cos(2 * b) + 0.000077 * std::sin(2 * b));
}

PlaneIrradiance hayDavies(double beamHorizontal, double diffuseHorizontal, double zenithDeg,
                          double sunAzimuthDeg, double tiltDeg, double azimuthDeg,
                          double extraNormal, double albedo) {
  PlaneIrradiance out;
  const double cosZ = std::cos(zenithDeg * kRad);
  const double tilt = tiltDeg * kRad;
  // angle of incidence on the plane
  const double cosAoi = cosZ * std::cos(tilt) + std::sin(zenithDeg * kRad) * std::sin(tilt) *
                                                    std::cos((sunAzimuthDeg - azimuthDeg) * kRad);
  const bool sunUp = zenithDeg < 85.0;
  const double dni = sunUp ? std::max(0.0, beamHorizontal) / cosZ : 0.0;
  const double ghi = std::max(0.0, beamHorizontal) + std::max(0.0, diffuseHorizontal);
  out.beam = dni * std::max(0.0, cosAoi);
  // anisotropy index A = DNI / I0 and the beam's geometric factor Rb
  const double a = extraNormal > 0 ? std::clamp(dni / extraNormal, 0.0, 1.0) : 0.0;
  const double rb = sunUp ? std::max(0.0, cosAoi) / cosZ : 0.0;
  out.diffuse =
      std::max(0.0, diffuseHorizontal) * (a * rb + (1.0 - a) * (1.0 + std::cos(tilt)) / 2.0);
  out.ground = ghi * albedo * (1.0 - std::cos(tilt)) / 2.0;
  out.poa = out.beam + out.diffuse + out.ground;
  return out;
}

double pvAcPower(const PvSystem& pv, double poa, double airTemperatureC) {
  if (poa <= 0.0)
    return 0.0;
  const double cell = airTemperatureC + poa / 800.0 * (pv.noctC - 20.0);
  const double dc = pv.kWp * poa / 1000.0 * (1.0 + pv.gamma * (cell - 25.0));
  return std::max(0.0, dc * (1.0 - pv.systemLosses) * pv.inverterEff);
}

}  // namespace twin::solar
