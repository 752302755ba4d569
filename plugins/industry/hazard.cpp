// SPDX-License-Identifier: Apache-2.0
#include "hazard.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <tuple>

#include "occupancy.hpp"
#include "twin/plugin.hpp"

namespace twin::industry {

using dispersion::kMinWindMps;

HazardEvent::HazardEvent(const ReleaseSpec& spec, const std::array<double, kLevels>& thresholds,
                         std::vector<BuildingPoint> buildings)
    : spec_(spec), thr_(thresholds), b_(std::move(buildings)) {
  level_.assign(b_.size(), 0);
  peak_.assign(b_.size(), 0.0);
  rel_.height_m = spec_.height_m;
  rel_.scheme = spec_.scheme;
  rel_.wind_mps = kMinWindMps;
}

void HazardEvent::toPlume(double x, double y, double& along, double& cross) const {
  const double dx = x - spec_.x, dy = y - spec_.y;
  along = dx * dirX_ + dy * dirY_;
  cross = -dx * dirY_ + dy * dirX_;
}

double HazardEvent::concentrationAt(double x, double y) const {
  if (!active_)
    return 0.0;
  const double zr = spec_.receptor_m;
  if (!spec_.instantaneous()) {
    double along = 0, cross = 0;
    toPlume(x, y, along, cross);
    if (along < tail_ || along > front_)
      return 0.0;
    return dispersion::plumeConcentration(rel_, spec_.rate_kg_s, along, cross, zr);
  }
  // the puff now: centred at (puffX_, puffY_) after travel_ metres
  const double dx = x - puffX_, dy = y - puffY_;
  const double along = dx * dirX_ + dy * dirY_ + travel_;
  const double cross = -dx * dirY_ + dy * dirX_;
  return dispersion::puffConcentration(rel_, spec_.mass_kg, along, cross, zr,
                                       travel_ / rel_.wind_mps);
}

Zone HazardEvent::zoneFor(double threshold) const {
  Zone z;
  if (!std::isfinite(threshold) || !started_)
    return z;
  const bool puff = spec_.instantaneous();
  const double zr = spec_.receptor_m;
  auto centre = [&](double x) {
    return puff ? dispersion::puffPeakConcentration(rel_, spec_.mass_kg, x, 0.0, zr)
                : dispersion::plumeConcentration(rel_, spec_.rate_kg_s, x, 0.0, zr);
  };
  const double reach =
      puff ? dispersion::puffThresholdDistance(rel_, spec_.mass_kg, threshold, zr)
           : dispersion::plumeThresholdDistance(rel_, spec_.rate_kg_s, threshold, zr);
  if (reach <= 0.0)
    return z;
  // the near end: the first distance above the threshold (an elevated release's ground
  // concentration rises before it falls)
  double lo = 1.0;
  constexpr int kScan = 200;
  for (int i = 0; i <= kScan; ++i) {
    const double x = std::pow(reach, static_cast<double>(i) / kScan);
    if (centre(x) >= threshold) {
      lo = x;
      break;
    }
  }
  double xa = lo, xb = reach;
  if (puff) {
    xb = std::min(xb, travel_);
  } else {
    xa = std::max(xa, tail_);
    xb = std::min(xb, front_);
  }
  if (!(xb > xa))
    return z;
  constexpr int kN = 64;
  std::vector<double> xs(kN), ws(kN);
  const bool logSpaced = xb / xa > 4.0;
  for (int i = 0; i < kN; ++i) {
    const double f = static_cast<double>(i) / (kN - 1);
    xs[static_cast<std::size_t>(i)] = logSpaced ? xa * std::pow(xb / xa, f) : xa + (xb - xa) * f;
  }
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double c = centre(xs[i]);
    const double sy = dispersion::sigmas(rel_.scheme, rel_.stability, xs[i]).y_m;
    ws[i] = c > threshold ? sy * std::sqrt(2.0 * std::log(c / threshold)) : 0.0;
  }
  auto put = [&](double along, double cross) {
    z.xy.push_back(spec_.x + along * dirX_ - cross * dirY_);
    z.xy.push_back(spec_.y + along * dirY_ + cross * dirX_);
  };
  for (std::size_t i = 0; i < xs.size(); ++i)
    put(xs[i], ws[i]);
  for (std::size_t i = xs.size(); i-- > 0;)
    put(xs[i], -ws[i]);
  // shoelace area
  double a = 0.0;
  const std::size_t n = z.xy.size() / 2;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t j = (i + 1) % n;
    a += z.xy[2 * i] * z.xy[2 * j + 1] - z.xy[2 * j] * z.xy[2 * i + 1];
  }
  z.area_m2 = 0.5 * std::abs(a);
  z.reach_m = xb;
  return z;
}

void HazardEvent::step(double t_s, double dt_s, double localHour, const Met& met) {
  (void)dt_s;
  const double lastT = t_;
  t_ = t_s;
  if (over_ || t_s < spec_.start_s)
    return;
  const bool first = !started_;
  started_ = true;
  // weather: transport speed at the release height, direction of travel
  rel_.stability = met.stability;
  rel_.wind_mps = std::max(
      kMinWindMps, dispersion::windAtHeight(met.wind10_mps, spec_.height_m, met.stability,
                                            spec_.scheme == dispersion::SigmaScheme::BriggsUrban));
  const double from = met.windFromDeg * std::numbers::pi / 180.0;
  dirX_ = -std::sin(from);
  dirY_ = -std::cos(from);
  const double u = rel_.wind_mps;
  const double since = std::max(first ? spec_.start_s : lastT, spec_.start_s);
  const double elapsed = std::max(0.0, t_s - since);
  const bool puff = spec_.instantaneous();
  if (puff) {
    prevTravel_ = travel_;
    prevPuffX_ = first ? spec_.x : puffX_;
    prevPuffY_ = first ? spec_.y : puffY_;
    if (first) {
      puffX_ = spec_.x;
      puffY_ = spec_.y;
    }
    travel_ += u * elapsed;
    puffX_ += dirX_ * u * elapsed;
    puffY_ += dirY_ * u * elapsed;
    released_ = spec_.mass_kg;
  } else {
    front_ += u * elapsed;
    const double end = spec_.start_s + spec_.duration_s;
    if (t_s > end)
      tail_ += u * std::max(0.0, t_s - std::max(since, end));
    released_ = spec_.rate_kg_s * std::min(t_s - spec_.start_s, spec_.duration_s);
  }
  active_ = puff ? travel_ > 0.0 : front_ > tail_;

  // buildings: exposure this step, levels newly reached, people inside now
  const double zr = spec_.receptor_m;
  peopleAbove2Now_ = 0.0;
  maxNow_ = 0.0;
  for (std::size_t i = 0; i < b_.size(); ++i) {
    const BuildingPoint& b = b_[i];
    double event = 0.0, now = 0.0;
    if (puff) {
      // the peak as the centre passes during this step (along the step's straight path)
      const double dx = b.x - prevPuffX_, dy = b.y - prevPuffY_;
      const double along = dx * dirX_ + dy * dirY_ + prevTravel_;
      const double cross = -dx * dirY_ + dy * dirX_;
      if (along > prevTravel_ && along <= travel_)
        event = dispersion::puffPeakConcentration(rel_, spec_.mass_kg, along, cross, zr);
      now = concentrationAt(b.x, b.y);
      event = std::max(event, now);
    } else {
      now = concentrationAt(b.x, b.y);
      event = now;
    }
    maxNow_ = std::max(maxNow_, now);
    if (event > peak_[i])
      peak_[i] = event;
    std::uint8_t lvl = level_[i];
    for (std::size_t k = lvl; k < kLevels; ++k) {
      if (std::isfinite(thr_[k]) && peak_[i] >= thr_[k])
        lvl = static_cast<std::uint8_t>(k + 1);
    }
    if (lvl > level_[i] || (std::isfinite(thr_[1]) && now >= thr_[1])) {
      const Presence p = presenceAt(localHour, b.useClass);
      const double inside = b.residents * p.residents + b.jobs * p.jobs;
      for (std::size_t k = level_[i]; k < lvl; ++k) {
        if (std::isfinite(thr_[k])) {
          people_[k] += inside;
          ++buildingCount_[k];
        }
      }
      if (std::isfinite(thr_[1]) && now >= thr_[1])
        peopleAbove2Now_ += inside;
      level_[i] = lvl;
    }
  }
  // zones now and the largest so far
  for (std::size_t k = 0; k < kLevels; ++k) {
    zonesNow_[k] = zoneFor(thr_[k]);
    if (zonesNow_[k].area_m2 > zones_[k].area_m2)
      zones_[k] = zonesNow_[k];
  }
  // over when the gas has passed beyond the reach of the lowest defined level
  double lowest = NAN;
  for (double t : thr_) {
    if (std::isfinite(t)) {
      lowest = t;
      break;
    }
  }
  if (std::isfinite(lowest)) {
    const double reach =
        puff ? dispersion::puffThresholdDistance(rel_, spec_.mass_kg, lowest, zr)
             : dispersion::plumeThresholdDistance(rel_, spec_.rate_kg_s, lowest, zr);
    if ((puff ? prevTravel_ : tail_) > reach) {
      over_ = true;
      active_ = false;
      zonesNow_ = {};
    }
  }
}

// ---- snapshot ---------------------------------------------------------------------------------

namespace {

void putZone(sdk::StateWriter& w, const Zone& z) {
  w.putVector(z.xy).put(z.area_m2).put(z.reach_m);
}

Zone getZone(sdk::StateReader& r) {
  Zone z;
  r.getVector(z.xy);
  z.area_m2 = r.get<double>();
  z.reach_m = r.get<double>();
  return z;
}

}  // namespace

std::vector<std::uint8_t> HazardEvent::save() const {
  sdk::StateWriter w;
  w.put<std::uint8_t>(static_cast<std::uint8_t>(started_ | (active_ << 1) | (over_ << 2)));
  for (double v : {t_, rel_.wind_mps, dirX_, dirY_, front_, tail_, travel_, prevTravel_, puffX_,
                   puffY_, prevPuffX_, prevPuffY_, released_, peopleAbove2Now_, maxNow_})
    w.put(v);
  w.put<int>(static_cast<int>(rel_.stability));
  w.putVector(level_).putVector(peak_);
  for (std::size_t k = 0; k < kLevels; ++k) {
    w.put(people_[k]).put<std::uint64_t>(buildingCount_[k]);
    putZone(w, zones_[k]);
    putZone(w, zonesNow_[k]);
  }
  return w.take();
}

void HazardEvent::load(const std::vector<std::uint8_t>& bytes) {
  sdk::StateReader r(bytes);
  const auto flags = r.get<std::uint8_t>();
  started_ = (flags & 1) != 0;
  active_ = (flags & 2) != 0;
  over_ = (flags & 4) != 0;
  for (double* v :
       {&t_, &rel_.wind_mps, &dirX_, &dirY_, &front_, &tail_, &travel_, &prevTravel_, &puffX_,
        &puffY_, &prevPuffX_, &prevPuffY_, &released_, &peopleAbove2Now_, &maxNow_})
    *v = r.get<double>();
  const int s = r.get<int>();
  if (s < 1 || s > 6)
    throw std::runtime_error("release state: bad stability class");
  rel_.stability = static_cast<dispersion::Stability>(s);
  std::vector<std::uint8_t> lv;
  std::vector<double> pk;
  r.getVector(lv);
  r.getVector(pk);
  if (lv.size() != b_.size() || pk.size() != b_.size())
    throw std::runtime_error("release state is for another city");
  level_ = std::move(lv);
  peak_ = std::move(pk);
  for (std::size_t k = 0; k < kLevels; ++k) {
    people_[k] = r.get<double>();
    buildingCount_[k] = r.get<std::uint64_t>();
    zones_[k] = getZone(r);
    zonesNow_[k] = getZone(r);
  }
  r.expectEnd();
}

// ---- the industrial centre --------------------------------------------------------------------

bool pointInRing(std::span<const double> ring, double x, double y) {
  bool in = false;
  const std::size_t n = ring.size() / 2;
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    const double xi = ring[2 * i], yi = ring[2 * i + 1], xj = ring[2 * j], yj = ring[2 * j + 1];
    if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
      in = !in;
  }
  return in;
}

bool siteCentre(std::span<const double> ring, const std::vector<BuildingPoint>& buildings,
                const std::vector<double>& footprints, double& x, double& y) {
  const std::size_t n = ring.size() / 2;
  if (n < 3)
    return false;
  // area centroid (shoelace), relative to the first vertex for precision
  const double x0 = ring[0], y0 = ring[1];
  double a = 0.0, cx = 0.0, cy = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t j = (i + 1) % n;
    const double xi = ring[2 * i] - x0, yi = ring[2 * i + 1] - y0;
    const double xj = ring[2 * j] - x0, yj = ring[2 * j + 1] - y0;
    const double cr = xi * yj - xj * yi;
    a += cr;
    cx += (xi + xj) * cr;
    cy += (yi + yj) * cr;
  }
  if (a != 0.0) {
    const double gx = x0 + cx / (3.0 * a), gy = y0 + cy / (3.0 * a);
    if (pointInRing(ring, gx, gy)) {
      x = gx;
      y = gy;
      return true;
    }
  }
  double sx = 0, sy = 0, sa = 0;
  for (std::size_t i = 0; i < buildings.size(); ++i) {
    if (pointInRing(ring, buildings[i].x, buildings[i].y)) {
      sx += buildings[i].x * footprints[i];
      sy += buildings[i].y * footprints[i];
      sa += footprints[i];
    }
  }
  if (!(sa > 0.0))
    return false;
  x = sx / sa;
  y = sy / sa;
  return true;
}

bool industrialCentre(const std::vector<BuildingPoint>& buildings,
                      const std::vector<double>& footprints, double& x, double& y) {
  constexpr double kCell = 200.0;
  double minX = INFINITY, minY = INFINITY;
  for (const BuildingPoint& b : buildings) {
    if (b.useClass == TWIN_USE_INDUSTRIAL) {
      minX = std::min(minX, b.x);
      minY = std::min(minY, b.y);
    }
  }
  if (!std::isfinite(minX))
    return false;
  auto cellOf = [&](double v, double lo) {
    return static_cast<long>(std::floor((v - lo) / kCell));
  };
  // footprint per cell (sorted vector: deterministic)
  std::vector<std::tuple<long, long, double>> fp;
  for (std::size_t i = 0; i < buildings.size(); ++i) {
    const BuildingPoint& b = buildings[i];
    if (b.useClass != TWIN_USE_INDUSTRIAL)
      continue;
    fp.emplace_back(cellOf(b.x, minX), cellOf(b.y, minY), footprints[i]);
  }
  std::sort(fp.begin(), fp.end());
  std::vector<std::tuple<long, long, double>> sum;
  for (const auto& [cx, cy, a] : fp) {
    if (!sum.empty() && std::get<0>(sum.back()) == cx && std::get<1>(sum.back()) == cy)
      std::get<2>(sum.back()) += a;
    else
      sum.emplace_back(cx, cy, a);
  }
  auto at = [&](long cx, long cy) {
    auto it = std::lower_bound(sum.begin(), sum.end(), std::make_tuple(cx, cy, -INFINITY));
    return it != sum.end() && std::get<0>(*it) == cx && std::get<1>(*it) == cy ? std::get<2>(*it)
                                                                               : 0.0;
  };
  double best = -1.0;
  long bx = 0, by = 0;
  for (const auto& [cx, cy, a] : sum) {
    (void)a;
    double w = 0.0;
    for (long i = -1; i <= 1; ++i)
      for (long j = -1; j <= 1; ++j)
        w += at(cx + i, cy + j);
    if (w > best) {
      best = w;
      bx = cx;
      by = cy;
    }
  }
  double sx = 0, sy = 0, sa = 0;
  for (std::size_t i = 0; i < buildings.size(); ++i) {
    const BuildingPoint& b = buildings[i];
    if (b.useClass != TWIN_USE_INDUSTRIAL)
      continue;
    const long cx = cellOf(b.x, minX), cy = cellOf(b.y, minY);
    if (std::abs(cx - bx) <= 1 && std::abs(cy - by) <= 1) {
      sx += b.x * footprints[i];
      sy += b.y * footprints[i];
      sa += footprints[i];
    }
  }
  if (!(sa > 0.0))
    return false;
  x = sx / sa;
  y = sy / sa;
  return true;
}

}  // namespace twin::industry
