// SPDX-License-Identifier: Apache-2.0
#include "io/stats.hpp"

#include <array>
#include <cmath>

namespace twin::io {

double tQuantile975(std::size_t df) {
  static constexpr std::array<double, 30> kTable{
      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
      2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
      2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (df == 0)
    return NAN;
  if (df <= kTable.size())
    return kTable[df - 1];
  const double z = 1.959964, n = static_cast<double>(df);
  const double z3 = z * z * z, z5 = z3 * z * z;
  return z + (z3 + z) / (4.0 * n) + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * n * n);
}

MeanCi meanCi95(const std::vector<double>& xs) {
  MeanCi r;
  r.n = xs.size();
  if (xs.empty())
    return r;
  double sum = 0.0;
  for (double x : xs)
    sum += x;
  r.mean = sum / static_cast<double>(xs.size());
  if (xs.size() < 2)
    return r;
  double ss = 0.0;
  for (double x : xs)
    ss += (x - r.mean) * (x - r.mean);
  const double sd = std::sqrt(ss / static_cast<double>(xs.size() - 1));
  r.half = tQuantile975(xs.size() - 1) * sd / std::sqrt(static_cast<double>(xs.size()));
  r.valid = true;
  return r;
}

}  // namespace twin::io
