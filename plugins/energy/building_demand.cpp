// SPDX-License-Identifier: Apache-2.0
#include "building_demand.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace twin::energy {

Refurbishment parseRefurbishment(const std::string& text) {
  if (text == "as_built")
    return Refurbishment::AsBuilt;
  if (text == "usual")
    return Refurbishment::Usual;
  if (text == "advanced")
    return Refurbishment::Advanced;
  throw std::runtime_error("refurbishment '" + text + "': expected as_built, usual or advanced");
}

Tabula Tabula::load(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(path + ": cannot open the TABULA typology");
  Tabula t;
  std::string line;
  int lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (lineNo == 1 || line.empty())
      continue;  // header
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ','))
      f.push_back(cell);
    if (f.size() == 9)
      f.emplace_back();  // a trailing empty field
    const std::string where = path + ":" + std::to_string(lineNo) + ": ";
    if (f.size() != 10)
      throw std::runtime_error(where + "expected 10 fields, got " + std::to_string(f.size()));
    if (f[0].rfind("DE.N.", 0) != 0)
      continue;  // GDR-era types are not used for a West German city
    auto num = [&](std::size_t k, double fallback) {
      if (f[k].empty())
        return fallback;
      try {
        std::size_t used = 0;
        const double v = std::stod(f[k], &used);
        if (used != f[k].size() || !std::isfinite(v))
          throw std::invalid_argument("x");
        return v;
      } catch (const std::exception&) {
        throw std::runtime_error(where + "field " + std::to_string(k + 1) + " is not a number: '" +
                                 f[k] + "'");
      }
    };
    TabulaType ty;
    ty.code = f[0];
    ty.sizeClass = f[1];
    ty.yearFrom = static_cast<int>(num(2, 0));
    ty.yearTo = static_cast<int>(num(3, 9999));
    ty.referenceAreaM2 = num(4, 0);
    ty.qh = {num(6, 0), num(7, 0), num(8, 0)};
    ty.qw = num(9, 0);
    // the age band: the two digits after the size class in the code (DE.N.SFH.05...)
    const std::size_t p = f[0].find('.', 5);
    if (p == std::string::npos || p + 3 > f[0].size())
      throw std::runtime_error(where + "code '" + f[0] + "' has no age band");
    ty.band = std::stoi(f[0].substr(p + 1, 2));
    if (ty.qh[0] <= 0 || ty.qh[1] <= 0 || ty.qh[2] <= 0)
      throw std::runtime_error(where + "heating needs must be positive");
    t.types_.push_back(ty);
  }
  if (t.types_.empty())
    throw std::runtime_error(path + ": no West German (DE.N) types");
  return t;
}

const TabulaType& Tabula::find(const std::string& sizeClass, int year) const {
  const TabulaType* best = nullptr;
  for (const TabulaType& t : types_) {
    if (t.sizeClass != sizeClass)
      continue;
    if (year >= t.yearFrom && year <= t.yearTo)
      return t;
    // outside every band of the class (e.g. AB has none before 1860): the nearest band
    if (best == nullptr ||
        std::min(std::abs(year - t.yearFrom), std::abs(year - t.yearTo)) <
            std::min(std::abs(year - best->yearFrom), std::abs(year - best->yearTo)))
      best = &t;
  }
  if (best == nullptr)
    throw std::runtime_error("no TABULA type for size class " + sizeClass);
  return *best;
}

std::string residentialSizeClass(int floors, double floorAreaM2) {
  if (floors <= 2 && floorAreaM2 <= 300.0)
    return "SFH";
  if (floors >= 6 || floorAreaM2 >= 3000.0)
    return "AB";
  return "MFH";
}

double airSourceCop(double sourceC, double sinkC) {
  const double dT = std::max(15.0, sinkC - sourceC);  // the regression's range starts near 15 K
  return 0.85 * (6.08 - 0.09 * dT + 0.0005 * dT * dT);
}

double radiatorSinkC(double ambientC) {
  return 40.0 - 1.0 * ambientC;
}

}  // namespace twin::energy
