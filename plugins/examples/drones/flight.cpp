// SPDX-License-Identifier: Apache-2.0
#include "flight.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <queue>
#include <stdexcept>

namespace drones {

double Airframe::diskAreaM2() const {
  return rotors * std::numbers::pi * rotorRadiusM * rotorRadiusM;
}

double inducedVelocity(double thrustN, double rho, double diskAreaM2, double vNormal,
                       double vParallel) {
  if (!(thrustN > 0))
    return 0.0;
  const double vh2 = thrustN / (2.0 * rho * diskAreaM2);  // hover induced velocity squared
  // f(v) = v - vh2 / sqrt(vp^2 + (vn + v)^2) rises from below 0 at v = 0; its root lies below
  // vh2 / |vp| (forward flight) and below sqrt(vh2) + |vn| + 1 in every case
  auto f = [&](double v) {
    const double s = std::hypot(vParallel, vNormal + v);
    return s > 0 ? v - vh2 / s : -1.0;
  };
  double lo = 0.0, hi = std::sqrt(vh2) + std::abs(vNormal) + 1.0;
  while (f(hi) < 0)
    hi *= 2;
  for (int i = 0; i < 80; ++i) {
    const double mid = 0.5 * (lo + hi);
    (f(mid) < 0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

double rotorPowerW(const Airframe& a, double thrustN, double rho, double vNormal,
                   double vParallel) {
  const double vi = inducedVelocity(thrustN, rho, a.diskAreaM2(), vNormal, vParallel);
  // in fast descent the air drives the rotors; the motors still draw their avionics and a
  // momentum-theory power floored at zero (the vortex-ring state is outside the model)
  const double air = std::max(0.0, thrustN * (vNormal + vi));
  return air / a.efficiency + a.avionicsW;
}

double airDensity(double temperatureC, double pressurePa) {
  return pressurePa / (287.058 * (temperatureC + 273.15));
}

double Route::lengthM() const {
  double l = 0;
  for (std::size_t i = 1; i < points.size(); ++i)
    l += std::sqrt(std::pow(points[i].x - points[i - 1].x, 2) +
                   std::pow(points[i].y - points[i - 1].y, 2) +
                   std::pow(points[i].z - points[i - 1].z, 2));
  return l;
}

namespace {

// the highest top in a corridor around the segment a-b (three parallel lines)
double corridorTop(double ax, double ay, double bx, double by, const PlanLimits& lim,
                   const TopsFn& tops) {
  const double len = std::hypot(bx - ax, by - ay);
  const auto n = static_cast<std::size_t>(std::ceil(len / lim.cellM)) + 1;
  const double nx = len > 0 ? -(by - ay) / len : 0, ny = len > 0 ? (bx - ax) / len : 0;
  std::vector<double> xy;
  xy.reserve(6 * n);
  for (std::size_t i = 0; i < n; ++i) {
    const double f = n > 1 ? static_cast<double>(i) / static_cast<double>(n - 1) : 0.0;
    const double x = ax + (bx - ax) * f, y = ay + (by - ay) * f;
    for (double side : {-1.0, 0.0, 1.0}) {
      xy.push_back(x + side * lim.corridorM * nx);
      xy.push_back(y + side * lim.corridorM * ny);
    }
  }
  std::vector<double> top(xy.size() / 2);
  tops(xy, top);
  return *std::max_element(top.begin(), top.end());
}

// A* (Hart, Nilsson & Raphael 1968) on an 8-connected grid with the Euclidean distance as the
// heuristic; the cells of the path from start to goal, or none
std::vector<std::size_t> aStar(const std::vector<char>& blocked, std::size_t nx, std::size_t ny,
                               std::size_t start, std::size_t goal) {
  const std::size_t n = nx * ny;
  std::vector<double> g(n, INFINITY);
  std::vector<std::size_t> from(n, n);
  auto h = [&](std::size_t c) {
    const double dx = static_cast<double>(c % nx) - static_cast<double>(goal % nx);
    const double dy = static_cast<double>(c / nx) - static_cast<double>(goal / nx);
    return std::sqrt(dx * dx + dy * dy);
  };
  using Item = std::pair<double, std::size_t>;  // f, cell (ties by cell: deterministic)
  std::priority_queue<Item, std::vector<Item>, std::greater<>> open;
  g[start] = 0;
  open.push({h(start), start});
  while (!open.empty()) {
    const auto [f, c] = open.top();
    open.pop();
    if (c == goal)
      break;
    if (f > g[c] + h(c) + 1e-12)
      continue;  // stale entry
    const auto cx = static_cast<long>(c % nx), cy = static_cast<long>(c / nx);
    for (long dy = -1; dy <= 1; ++dy) {
      for (long dx = -1; dx <= 1; ++dx) {
        const long x = cx + dx, y = cy + dy;
        if ((dx == 0 && dy == 0) || x < 0 || y < 0 || x >= static_cast<long>(nx) ||
            y >= static_cast<long>(ny))
          continue;
        const auto m = static_cast<std::size_t>(y) * nx + static_cast<std::size_t>(x);
        // no cutting of corners: a diagonal step needs both cells beside it free
        if (blocked[m] ||
            (dx != 0 && dy != 0 &&
             (blocked[static_cast<std::size_t>(cy) * nx + static_cast<std::size_t>(x)] ||
              blocked[static_cast<std::size_t>(y) * nx + static_cast<std::size_t>(cx)])))
          continue;
        const double ng = g[c] + ((dx != 0 && dy != 0) ? std::numbers::sqrt2 : 1.0);
        if (ng < g[m]) {
          g[m] = ng;
          from[m] = c;
          open.push({ng + h(m), m});
        }
      }
    }
  }
  std::vector<std::size_t> path;
  if (!std::isfinite(g[goal]))
    return path;
  for (std::size_t c = goal; c != n; c = from[c])
    path.push_back(c);
  std::reverse(path.begin(), path.end());
  return path;
}

}  // namespace

Route planRoute(const Vec3& pad, const Vec3& target, double groundZ, const PlanLimits& lim,
                const TopsFn& tops, const ClearFn& clear) {
  if (!(lim.cellM > 0) || !(lim.clearanceM >= 0) || !(lim.maxAglM > lim.minAglM))
    throw std::invalid_argument("route planning: cell > 0 and max altitude above the minimum");
  Route r;
  const double ceiling = groundZ + lim.maxAglM;
  const double highest = corridorTop(pad.x, pad.y, target.x, target.y, lim, tops);
  const double wanted =
      std::max({highest + lim.clearanceM, groundZ + lim.minAglM, pad.z + 5, target.z + 5});
  r.ceilingZ = ceiling;
  r.lowestZ = wanted;
  std::vector<Vec3> corners;  // horizontal corners at cruise altitude after the hub
  if (wanted <= ceiling && clear({pad.x, pad.y, wanted}, {target.x, target.y, wanted})) {
    r.cruiseZ = wanted;
  } else {
    // around what rises above the ceiling: A* on a grid over the box of both ends
    r.detour = true;
    r.cruiseZ = ceiling;
    const double dist = std::hypot(target.x - pad.x, target.y - pad.y);
    const double margin = std::max(300.0, 0.5 * dist);
    const double x0 = std::min(pad.x, target.x) - margin, y0 = std::min(pad.y, target.y) - margin;
    const auto nx =
        static_cast<std::size_t>(std::ceil((std::abs(target.x - pad.x) + 2 * margin) / lim.cellM));
    const auto ny =
        static_cast<std::size_t>(std::ceil((std::abs(target.y - pad.y) + 2 * margin) / lim.cellM));
    std::vector<double> xy(2 * nx * ny);
    for (std::size_t j = 0; j < ny; ++j) {
      for (std::size_t i = 0; i < nx; ++i) {
        xy[2 * (j * nx + i)] = x0 + (static_cast<double>(i) + 0.5) * lim.cellM;
        xy[2 * (j * nx + i) + 1] = y0 + (static_cast<double>(j) + 0.5) * lim.cellM;
      }
    }
    std::vector<double> top(nx * ny);
    tops(xy, top);
    // a cell is blocked when what stands in it, or in a cell beside it (the samples are the
    // cells' centres: the margin covers what lies between them), rises above cruise - clearance
    std::vector<char> tall(nx * ny), blocked(nx * ny, 0);
    for (std::size_t c = 0; c < nx * ny; ++c)
      tall[c] = top[c] + lim.clearanceM > r.cruiseZ ? 1 : 0;
    for (std::size_t j = 0; j < ny; ++j) {
      for (std::size_t i = 0; i < nx; ++i) {
        if (!tall[j * nx + i])
          continue;
        for (std::size_t jj = j > 0 ? j - 1 : 0; jj <= std::min(ny - 1, j + 1); ++jj)
          for (std::size_t ii = i > 0 ? i - 1 : 0; ii <= std::min(nx - 1, i + 1); ++ii)
            blocked[jj * nx + ii] = 1;
      }
    }
    auto cellOf = [&](const Vec3& p) {
      const auto i = static_cast<std::size_t>(
          std::clamp((p.x - x0) / lim.cellM, 0.0, static_cast<double>(nx - 1)));
      const auto j = static_cast<std::size_t>(
          std::clamp((p.y - y0) / lim.cellM, 0.0, static_cast<double>(ny - 1)));
      return j * nx + i;
    };
    const std::size_t s = cellOf(pad), g = cellOf(target);
    blocked[s] = blocked[g] = 0;  // the ends are reached vertically
    const std::vector<std::size_t> cells = aStar(blocked, nx, ny, s, g);
    if (cells.empty())
      return r;  // found = false
    // string pulling: from each kept point, the farthest cell reachable with a free sweep
    std::vector<Vec3> pts;
    pts.push_back({pad.x, pad.y, r.cruiseZ});
    for (std::size_t k = 1; k + 1 < cells.size(); ++k)
      pts.push_back({xy[2 * cells[k]], xy[2 * cells[k] + 1], r.cruiseZ});
    pts.push_back({target.x, target.y, r.cruiseZ});
    std::size_t at = 0;
    while (at + 1 < pts.size()) {
      std::size_t next = at + 1;
      for (std::size_t k = pts.size() - 1; k > at + 1; --k) {
        if (clear(pts[at], pts[k])) {
          next = k;
          break;
        }
      }
      if (next + 1 < pts.size())
        corners.push_back(pts[next]);
      at = next;
    }
  }
  r.points.push_back(pad);
  r.points.push_back({pad.x, pad.y, r.cruiseZ});
  for (const Vec3& c : corners)
    r.points.push_back(c);
  r.points.push_back({target.x, target.y, r.cruiseZ});
  r.points.push_back(target);
  // every leg swept; the first starts a little above the pad so the pad itself is not a contact
  for (std::size_t i = 1; i < r.points.size(); ++i) {
    Vec3 a = r.points[i - 1], b = r.points[i];
    if (i == 1)
      a.z += 3;
    if (!clear(a, b))
      ++r.unclearLegs;
  }
  r.found = true;
  return r;
}

std::vector<Vec3> returnPath(const Route& out, double layerM) {
  std::vector<Vec3> back(out.points.rbegin(), out.points.rend());
  double shift = 0;
  if (out.cruiseZ + layerM <= out.ceilingZ)
    shift = layerM;
  else if (out.cruiseZ - layerM >= out.lowestZ && !out.detour)
    shift = -layerM;
  for (std::size_t i = 1; i + 1 < back.size(); ++i)
    back[i].z += shift;
  return back;
}

}  // namespace drones
