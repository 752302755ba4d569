// SPDX-License-Identifier: Apache-2.0
#include "occupancy.hpp"

#include <cmath>

#include "twin/plugin.h"

namespace twin::industry {

namespace {

// 0 at night (22:00-06:00), 1 by day (09:00-16:00), linear in between
double dayWeight(double h) {
  h = std::fmod(std::fmod(h, 24.0) + 24.0, 24.0);
  if (h < 6.0 || h >= 22.0)
    return 0.0;
  if (h < 9.0)
    return (h - 6.0) / 3.0;
  if (h <= 16.0)
    return 1.0;
  return (22.0 - h) / 6.0;
}

double mix(double night, double day, double w) {
  return night + (day - night) * w;
}

}  // namespace

Presence presenceAt(double localHour, int useClass) {
  const double w = dayWeight(localHour);
  // HAZUS-MH 2.1 Table 13.2 shares (night 2 a.m., day 2 p.m.)
  constexpr double kResidentsNight = 1.0, kResidentsDay = 0.29;
  constexpr double kCommercialNight = 0.02, kCommercialDay = 0.98;
  constexpr double kIndustrialNight = 0.10, kIndustrialDay = 0.80;
  constexpr double kSchoolNight = 0.0, kSchoolDay = 0.80;
  Presence p;
  p.residents = mix(kResidentsNight, kResidentsDay, w);
  switch (useClass) {
    case TWIN_USE_INDUSTRIAL:
      p.jobs = mix(kIndustrialNight, kIndustrialDay, w);
      break;
    case TWIN_USE_EDUCATION:
      p.jobs = mix(kSchoolNight, kSchoolDay, w);
      break;
    default:
      p.jobs = mix(kCommercialNight, kCommercialDay, w);
      break;
  }
  return p;
}

}  // namespace twin::industry
