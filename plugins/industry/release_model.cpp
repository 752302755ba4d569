// SPDX-License-Identifier: Apache-2.0
#include "release_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "dispersion/substances.hpp"
#include "occupancy.hpp"

namespace twin::industry {

bool parseClock(const std::string& text, double& seconds) {
  int h = 0, m = 0, s = 0;
  char tail = 0;
  const int n = std::sscanf(text.c_str(), "%d:%d:%d%c", &h, &m, &s, &tail);
  const bool shape = (n == 2 && text.size() == 5) || (n == 3 && text.size() == 8);
  if (!shape || h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59)
    return false;
  seconds = h * 3600.0 + m * 60.0 + s;
  return true;
}

namespace {

std::vector<BuildingPoint> cityBuildings(const TwinCityInfo* city, std::vector<double>& footprint) {
  std::vector<BuildingPoint> out;
  for (std::size_t i = 0; city != nullptr && i < city->building_count; ++i) {
    const TwinBuilding& b = city->buildings[i];
    out.push_back({b.x, b.y, b.residents, b.jobs, b.use_class});
    footprint.push_back(b.footprint_m2);
  }
  return out;
}

}  // namespace

ReleaseModel::ReleaseModel(const sdk::Config& c) : host_(c.host()) {
  const TwinCityInfo* city = c.city();
  if (city == nullptr)
    throw std::runtime_error("industry.release needs a city (the scenario's city.sources)");
  substance_ = c.text("substance");
  std::string error;
  const auto table = dispersion::readSubstances(c.text("substances"), error);
  if (!table)
    throw std::runtime_error(error);
  const dispersion::Substance* sub = table->find(substance_);
  if (sub == nullptr)
    throw std::runtime_error("substance '" + substance_ + "' is not in " + c.text("substances") +
                             " (it has " + table->names() + ")");
  ReleaseSpec spec;
  spec.rate_kg_s = c.number("rate");
  spec.mass_kg = c.number("mass");
  if (!(spec.rate_kg_s >= 0.0) || !(spec.mass_kg >= 0.0) ||
      (spec.rate_kg_s > 0.0) == (spec.mass_kg > 0.0))
    throw std::runtime_error(
        "give either rate (a continuous release, e.g. 2kg/s) or mass (an instantaneous one, "
        "e.g. 500kg), not both and not neither");
  spec.duration_s = c.number("duration");
  if (!(spec.duration_s > 0.0))
    throw std::runtime_error("duration must be greater than 0");
  spec.height_m = c.number("height");
  spec.receptor_m = c.number("receptor_height");
  if (!(spec.height_m >= 0.0) || !(spec.receptor_m >= 0.0))
    throw std::runtime_error("height and receptor_height must not be negative");
  evacShare_ = c.number("evacuation_share");
  warningS_ = c.number("warning_delay");
  mobilisationS_ = c.number("mobilisation_time");
  if (!(evacShare_ >= 0.0 && evacShare_ <= 1.0))
    throw std::runtime_error("evacuation_share must be between 0 and 1");
  if (!(warningS_ >= 0.0) || !(mobilisationS_ >= 0.0))
    throw std::runtime_error("warning_delay and mobilisation_time must not be negative");
  minX_ = city->min_x;
  minY_ = city->min_y;
  maxX_ = city->max_x;
  maxY_ = city->max_y;
  rasterCell_ = c.number("raster_cell");
  if (!(rasterCell_ >= 1.0))
    throw std::runtime_error("raster_cell must be at least 1 m");
  const auto scheme = dispersion::parseSigmaScheme(c.text("sigmas"));
  if (!scheme)
    throw std::runtime_error(
        "sigmas must be briggs_urban, briggs_rural or pasquill_gifford, got '" + c.text("sigmas") +
        "'");
  spec.scheme = *scheme;
  double clock = 0.0;
  if (!parseClock(c.text("at"), clock))
    throw std::runtime_error("at must be a local clock time HH:MM, got '" + c.text("at") + "'");
  const double startLocal =
      std::fmod(static_cast<double>(c.startUnixS() + c.utcOffsetS()) + 864000.0 * 365.0, 86400.0);
  spec.start_s = std::fmod(clock - startLocal + 86400.0, 86400.0);

  std::vector<double> footprint;
  std::vector<BuildingPoint> buildings = cityBuildings(city, footprint);
  const std::string loc = c.text("location");
  if (loc == "industrial") {
    // the city's industrial park (its largest industrial land-use area), else the densest
    // cluster of industrial buildings
    const sdk::LandUseRing park = sdk::largestLandUse(city, TWIN_LAND_INDUSTRIAL);
    if (!siteCentre(park.xy, buildings, footprint, spec.x, spec.y) &&
        !industrialCentre(buildings, footprint, spec.x, spec.y))
      throw std::runtime_error(
          "location 'industrial': the city has neither an industrial area nor an industrial "
          "building; give location: 'X,Y' in local metres");
  } else {
    double x = 0, y = 0;
    char tail = 0;
    if (std::sscanf(loc.c_str(), "%lf,%lf%c", &x, &y, &tail) != 2 || !std::isfinite(x) ||
        !std::isfinite(y))
      throw std::runtime_error("location must be 'industrial' or 'X,Y' in local metres, got '" +
                               loc + "'");
    if (x < city->min_x || x > city->max_x || y < city->min_y || y > city->max_y)
      throw std::runtime_error("location " + loc + " lies outside the city's extent");
    spec.x = x;
    spec.y = y;
  }
  std::array<double, kLevels> thr{NAN, NAN, NAN};
  const double exposure = spec.mass_kg > 0.0 ? 600.0 : spec.duration_s;
  for (const dispersion::GuidelineLevel& l : sub->levels) {
    for (std::size_t k = 0; k < kLevels; ++k) {
      if (l.name == "AEGL-" + std::to_string(k + 1)) {
        thr[k] = sub->thresholdKgM3(l, exposure);
        levelNames_[k] = l.name;
      }
    }
  }
  if (!std::isfinite(thr[1]))
    throw std::runtime_error("substance '" + substance_ + "' has no AEGL-2 for that duration");
  char msg[200];
  std::snprintf(msg, sizeof msg,
                "%s release at (%.0f, %.0f) local m, %.0f m high, starting %.0f s into the run",
                sub->name.c_str(), spec.x, spec.y, spec.height_m, spec.start_s);
  sdk::log(host_, TWIN_LOG_INFO, msg);
  event_ = std::make_unique<HazardEvent>(spec, thr, std::move(buildings));
}

TwinStatus ReleaseModel::step(sdk::Step& s) {
  const double t = s.timeS();
  Met met;
  if (t >= event_->spec().start_s && !event_->over()) {
    const auto u = s.input(kWindSpeed), d = s.input(kWindDirection), k = s.input(kStability);
    if (u.empty() || d.empty() || k.empty())
      throw std::runtime_error(
          "the release needs the weather: connect weather.wind_speed, weather.wind_direction "
          "and weather.stability_class to it");
    const auto cls = dispersion::stabilityFromIndex(k[0]);
    if (!cls || !std::isfinite(u[0]) || !std::isfinite(d[0]))
      throw std::runtime_error("the weather inputs are not valid numbers");
    met.wind10_mps = u[0];
    met.windFromDeg = d[0];
    met.stability = *cls;
  }
  const double localS = s.unixSeconds() + s.utcOffsetS();
  const double hour = std::fmod(std::fmod(localS, 86400.0) + 86400.0, 86400.0) / 3600.0;
  event_->step(t, s.dtS(), hour, met);
  peakPeople_ = std::max(peakPeople_, event_->peopleAboveLevel2Now());
  s.output(kConcentrationMax, event_->maxBuildingConcentrationNow() * 1e6);
  s.output(kPeopleAboveAegl2, event_->peopleAboveLevel2Now());
  s.output(kHazardArea, event_->zonesNow()[1].area_m2 * 1e-6);
  std::vector<double> trips;
  if (!warned_ && event_->started() && t >= event_->spec().start_s + warningS_) {
    warned_ = true;
    if (evacShare_ > 0.0)
      trips = evacuate(t, hour);
  }
  s.output(kEvacuationTrips, trips);
  return TWIN_OK;
}

std::vector<double> ReleaseModel::evacuate(double t, double localHour) {
  // who: the people inside buildings that the gas has reached at AEGL-2 or that lie in the
  // AEGL-2 zone now, times the share; cars at 1.5 people each (MiD 2017 mean car occupancy),
  // rounded so that the total is the rounded sum (remainders carried in building order)
  constexpr double kPeoplePerCar = 1.5;
  const HazardEvent& e = *event_;
  const Zone& zone = e.zonesNow()[1];
  const Zone& outer = e.zonesNow()[0].xy.size() >= 6 ? e.zonesNow()[0] : zone;
  struct Leaving {
    std::size_t building;
    std::uint64_t cars;
  };
  std::vector<Leaving> leaving;
  double carry = 0.0;
  std::uint64_t total = 0;
  const auto& b = e.buildingPoints();
  for (std::size_t i = 0; i < b.size(); ++i) {
    const bool inZone = zone.xy.size() >= 6 && pointInRing(zone.xy, b[i].x, b[i].y);
    if (e.levels()[i] < 2 && !inZone)
      continue;
    const Presence p = presenceAt(localHour, b[i].useClass);
    const double people = (b[i].residents * p.residents + b[i].jobs * p.jobs) * evacShare_;
    evacuees_ += people;
    const double before = std::floor(carry + 0.5);
    carry += people / kPeoplePerCar;
    const auto n = static_cast<std::uint64_t>(std::floor(carry + 0.5) - before);
    if (n > 0) {
      leaving.push_back({i, n});
      total += n;
    }
  }
  cars_ += static_cast<double>(total);
  // where to: crosswind on the building's side, 500 m beyond the widest half-width of the
  // lowest level's zone, inside the city
  double halfWidth = 0.0;
  for (std::size_t j = 0; j + 1 < outer.xy.size(); j += 2) {
    double along = 0, cross = 0;
    e.plumeCoordinates(outer.xy[j], outer.xy[j + 1], along, cross);
    halfWidth = std::max(halfWidth, std::abs(cross));
  }
  std::vector<double> out;
  std::uint64_t k = 0;
  for (const Leaving& l : leaving) {
    const BuildingPoint& bp = b[l.building];
    double along = 0, cross = 0;
    e.plumeCoordinates(bp.x, bp.y, along, cross);
    const double side = cross >= 0.0 ? 1.0 : -1.0;
    double tx = 0, ty = 0;
    e.fromPlumeCoordinates(along, side * (halfWidth + 500.0), tx, ty);
    tx = std::clamp(tx, minX_, maxX_);
    ty = std::clamp(ty, minY_, maxY_);
    for (std::uint64_t c = 0; c < l.cars; ++c, ++k) {
      sdk::TripRecord r;
      r.id = static_cast<double>(k);
      r.departS = t + mobilisationS_ * (static_cast<double>(k) + 0.5) / static_cast<double>(total);
      r.fromX = bp.x;
      r.fromY = bp.y;
      r.toX = tx;
      r.toY = ty;
      r.vehicleClass = sdk::kTripCar;
      sdk::appendTrip(out, r);
    }
  }
  char msg[160];
  std::snprintf(msg, sizeof msg, "warning: %.0f people evacuate in %llu cars", evacuees_,
                static_cast<unsigned long long>(total));
  sdk::log(host_, TWIN_LOG_INFO, msg);
  return out;
}

void ReleaseModel::publish(sdk::Publisher& out) const {
  const HazardEvent& e = *event_;
  // per building: the highest level the gas reached there (results.gpkg column)
  // (NaN where it never came above AEGL-1: the building keeps its colour, NULL in results.gpkg)
  std::vector<double> levels;
  levels.reserve(e.levels().size());
  for (std::uint8_t l : e.levels())
    levels.push_back(l > 0 ? static_cast<double>(l) : NAN);
  out.entityValues(
      sdk::Publisher::layer("hazard_level", TWIN_LAYER_BUILDING_VALUES,
                            "Highest AEGL level reached", "1", TWIN_SCALE_MAGMA, 0.0, 3.0),
      levels);
  // the hazard zones: the largest area above each level so far
  std::vector<double> xy, values;
  std::vector<std::size_t> sizes;
  for (std::size_t k = 0; k < kLevels; ++k) {
    const Zone& z = e.zones()[k];
    if (z.xy.size() < 6)
      continue;
    xy.insert(xy.end(), z.xy.begin(), z.xy.end());
    sizes.push_back(z.xy.size() / 2);
    values.push_back(static_cast<double>(k + 1));
  }
  out.polygons(sdk::Publisher::layer("hazard_zones", TWIN_LAYER_GROUND_POLYGONS,
                                     "Hazard zone (AEGL level)", "1", TWIN_SCALE_MAGMA, 0.0, 3.0),
               xy, sizes, values);
  // the gas now, where above the lowest level
  if (e.active()) {
    double lowest = NAN, highest = NAN;
    for (double t : e.thresholds()) {
      if (std::isfinite(t)) {
        if (!std::isfinite(lowest))
          lowest = t;
        highest = t;
      }
    }
    const Zone* z = nullptr;
    for (const Zone& zn : e.zonesNow()) {
      if (zn.xy.size() >= 6) {
        z = &zn;
        break;
      }
    }
    if (z != nullptr) {
      double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
      for (std::size_t i = 0; i + 1 < z->xy.size(); i += 2) {
        x0 = std::min(x0, z->xy[i]);
        x1 = std::max(x1, z->xy[i]);
        y0 = std::min(y0, z->xy[i + 1]);
        y1 = std::max(y1, z->xy[i + 1]);
      }
      const double pad = 2.0 * rasterCell_;
      x0 -= pad;
      y0 -= pad;
      x1 += pad;
      y1 += pad;
      const double cell = std::max(rasterCell_, std::max(x1 - x0, y1 - y0) / 400.0);
      const auto nx = static_cast<std::size_t>(std::ceil((x1 - x0) / cell));
      const auto ny = static_cast<std::size_t>(std::ceil((y1 - y0) / cell));
      std::vector<double> grid(nx * ny, NAN);
      for (std::size_t j = 0; j < ny; ++j) {
        for (std::size_t i = 0; i < nx; ++i) {
          const double c = e.concentrationAt(x0 + (static_cast<double>(i) + 0.5) * cell,
                                             y0 + (static_cast<double>(j) + 0.5) * cell);
          if (c >= lowest)
            grid[j * nx + i] = c * 1e6;
        }
      }
      out.raster(sdk::Publisher::layer("concentration", TWIN_LAYER_GROUND_RASTER,
                                       ("Concentration of " + substance_).c_str(), "mg/m3",
                                       TWIN_SCALE_MAGMA, lowest * 1e6, highest * 1e6),
                 x0, y0, cell, nx, ny, grid);
    }
  }
  if (e.started()) {
    const std::string text = substance_ + " release";
    const TwinLabel label{e.spec().x, e.spec().y, 10.0, text.c_str()};
    out.labels(sdk::Publisher::layer("source", TWIN_LAYER_LABELS, "Release", "", TWIN_SCALE_RGBA),
               std::span<const TwinLabel>(&label, 1));
  }
}

std::vector<std::uint8_t> ReleaseModel::saveState() const {
  std::vector<std::uint8_t> out = event_->save();
  const double tail[4] = {peakPeople_, warned_ ? 1.0 : 0.0, evacuees_, cars_};
  const auto* p = reinterpret_cast<const std::uint8_t*>(tail);
  out.insert(out.end(), p, p + sizeof tail);
  return out;
}

void ReleaseModel::loadState(std::span<const std::uint8_t> s) {
  double tail[4];
  if (s.size() < sizeof tail)
    throw std::runtime_error("release state is truncated");
  std::vector<std::uint8_t> ev(s.begin(), s.end() - sizeof tail);
  event_->load(ev);
  std::memcpy(tail, s.data() + ev.size(), sizeof tail);
  peakPeople_ = tail[0];
  warned_ = tail[1] != 0.0;
  evacuees_ = tail[2];
  cars_ = tail[3];
}

std::vector<double> ReleaseModel::kpis() const {
  const HazardEvent& e = *event_;
  return {e.releasedKg(),
          e.people()[0],
          e.people()[1],
          e.people()[2],
          static_cast<double>(e.buildings()[1]),
          static_cast<double>(e.buildings()[2]),
          e.zones()[1].area_m2 * 1e-6,
          e.zones()[1].reach_m,
          peakPeople_,
          evacuees_,
          cars_};
}

}  // namespace twin::industry
