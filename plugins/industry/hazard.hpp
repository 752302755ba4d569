// SPDX-License-Identifier: Apache-2.0
// A toxic release followed through time over a city: where the gas is, which buildings it
// reaches above each guideline level, and how many people are inside them at that hour.
//
// A continuous release is a steady Gaussian plume (engine/dispersion) under the current weather,
// cut to the part the gas has reached (downwind distance <= u * age) and, after the release
// ends, to the part it has not yet left (>= u * time since the end): a "segmented" plume. A
// change of wind turns the whole plume at once; that is the screening model's limit (a puff
// model such as CALPUFF follows curved paths). An instantaneous release is a Gaussian puff whose
// centre moves with the current wind each step; a building's exposure is the puff's peak as its
// centre passes the building's along-wind position, so a step never skips over the peak.
// A building's exposure is the outdoor concentration at its centre at receptor height (no
// indoor attenuation: conservative for shelter in place).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "dispersion/gaussian.hpp"

namespace twin::industry {

struct BuildingPoint {
  double x = 0, y = 0;  // local metres
  double residents = 0, jobs = 0;
  int useClass = 0;  // TWIN_USE_*
};

struct ReleaseSpec {
  double x = 0, y = 0;         // source, local metres
  double height_m = 2.0;       // release height
  double rate_kg_s = 0.0;      // continuous release; 0 for an instantaneous one
  double mass_kg = 0.0;        // instantaneous release; 0 for a continuous one
  double start_s = 0.0;        // seconds since the run's start
  double duration_s = 1800.0;  // of a continuous release
  dispersion::SigmaScheme scheme = dispersion::SigmaScheme::BriggsUrban;
  double receptor_m = 1.5;  // breathing height
  bool instantaneous() const { return mass_kg > 0.0; }
};

struct Met {
  double wind10_mps = 0.0;   // at 10 m
  double windFromDeg = 0.0;  // meteorological: where it blows from, clockwise from north
  dispersion::Stability stability = dispersion::Stability::D;
};

inline constexpr std::size_t kLevels = 3;  // guideline levels 1..3 (AEGL-1..3)

// A hazard zone: the ground area above a level, as one outer ring (x y pairs, local metres).
struct Zone {
  std::vector<double> xy;
  double area_m2 = 0.0;
  double reach_m = 0.0;  // farthest downwind distance
};

class HazardEvent {
 public:
  // thresholds in kg/m3 for levels 1..3 (NaN: the level is not defined for the substance)
  HazardEvent(const ReleaseSpec& spec, const std::array<double, kLevels>& thresholds,
              std::vector<BuildingPoint> buildings);

  // Advances to time t_s (seconds since the run's start; steps of dt_s) under `met`;
  // localHour is the local clock hour at t_s (who is inside the buildings).
  void step(double t_s, double dt_s, double localHour, const Met& met);

  // ---- results
  bool active() const { return active_; }  // gas in the air over the area now
  bool started() const { return started_; }
  bool over() const { return over_; }
  // per building: highest level reached so far (0..3) and peak concentration (kg/m3)
  const std::vector<std::uint8_t>& levels() const { return level_; }
  const std::vector<double>& peaks() const { return peak_; }
  // per level: people inside buildings when they first reached it; buildings reached
  const std::array<double, kLevels>& people() const { return people_; }
  const std::array<std::size_t, kLevels>& buildings() const { return buildingCount_; }
  // now: people present in buildings above level 2, and the highest building concentration
  double peopleAboveLevel2Now() const { return peopleAbove2Now_; }
  double maxBuildingConcentrationNow() const { return maxNow_; }
  // the largest zone of each level seen so far (empty when never reached)
  const std::array<Zone, kLevels>& zones() const { return zones_; }
  // the zone of each level now (empty when none)
  const std::array<Zone, kLevels>& zonesNow() const { return zonesNow_; }
  double releasedKg() const { return released_; }

  // Concentration (kg/m3) at (x, y) now at receptor height: for rasters.
  double concentrationAt(double x, double y) const;
  const std::array<double, kLevels>& thresholds() const { return thr_; }
  const std::vector<BuildingPoint>& buildingPoints() const { return b_; }
  // downwind / crosswind coordinates relative to the source under the current wind, and back
  void plumeCoordinates(double x, double y, double& along, double& cross) const {
    toPlume(x, y, along, cross);
  }
  void fromPlumeCoordinates(double along, double cross, double& x, double& y) const {
    x = spec_.x + along * dirX_ - cross * dirY_;
    y = spec_.y + along * dirY_ + cross * dirX_;
  }
  const ReleaseSpec& spec() const { return spec_; }

  // snapshot of the changing state
  std::vector<std::uint8_t> save() const;
  void load(const std::vector<std::uint8_t>& bytes);

 private:
  // downwind / crosswind coordinates of a point relative to the source, for the current wind
  void toPlume(double x, double y, double& along, double& cross) const;
  Zone zoneFor(double threshold) const;

  ReleaseSpec spec_;
  std::array<double, kLevels> thr_;
  std::vector<BuildingPoint> b_;
  // state
  bool started_ = false, active_ = false, over_ = false;
  double t_ = 0.0;
  dispersion::Release rel_;                 // current wind at height, stability, scheme
  double dirX_ = 0.0, dirY_ = 1.0;          // unit vector of travel
  double front_ = 0.0, tail_ = 0.0;         // continuous: reached / left distances
  double travel_ = 0.0, prevTravel_ = 0.0;  // puff: distance travelled
  double puffX_ = 0.0, puffY_ = 0.0, prevPuffX_ = 0.0, prevPuffY_ = 0.0;
  double released_ = 0.0;
  std::vector<std::uint8_t> level_;
  std::vector<double> peak_;
  std::array<double, kLevels> people_{};
  std::array<std::size_t, kLevels> buildingCount_{};
  double peopleAbove2Now_ = 0.0, maxNow_ = 0.0;
  std::array<Zone, kLevels> zones_, zonesNow_;
};

// The centre of a ring (x y pairs, not closed): its area centroid when that lies inside the
// ring, else the footprint-weighted centre of the buildings inside it (a concave site); false
// when neither exists.
bool siteCentre(std::span<const double> ring, const std::vector<BuildingPoint>& buildings,
                const std::vector<double>& footprints, double& x, double& y);
bool pointInRing(std::span<const double> ring, double x, double y);

// Without land-use areas: the centre of the city's main industrial area: the 600 m x 600 m window
// (on a 200 m grid) with the most industrial footprint, and the footprint-weighted centre of the
// industrial buildings in it. False when the city has no industrial building.
bool industrialCentre(const std::vector<BuildingPoint>& buildings,
                      const std::vector<double>& footprints, double& x, double& y);

}  // namespace twin::industry
