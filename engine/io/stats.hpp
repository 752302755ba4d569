// SPDX-License-Identifier: Apache-2.0
// Small statistics for replicated runs: Student-t confidence intervals of a mean.
#pragma once

#include <cstddef>
#include <vector>

namespace twin::io {

// The 97.5 % quantile of Student's t distribution with `df` degrees of freedom (two-sided
// 95 %): tabulated for df 1..30 (e.g. Abramowitz & Stegun 1964, table 26.10), beyond by the
// Cornish-Fisher expansion around the normal quantile 1.959964 (Abramowitz & Stegun 26.7.5).
double tQuantile975(std::size_t df);

// Mean and the half width of its two-sided 95 % confidence interval (Student t, sample standard
// deviation). n < 2: half width 0 and `valid` false.
struct MeanCi {
  double mean = 0.0;
  double half = 0.0;
  std::size_t n = 0;
  bool valid = false;
};
MeanCi meanCi95(const std::vector<double>& xs);

}  // namespace twin::io
