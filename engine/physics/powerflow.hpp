// SPDX-License-Identifier: Apache-2.0
// AC power flow: Newton-Raphson in polar coordinates on the power-balance equations (Tinney &
// Hart 1967; the formulation of MATPOWER's newtonpf, Zimmerman et al. 2011), with a sparse
// Jacobian factorised by KLU (Davis & Palamadai Natarajan 2010). The symbolic analysis is done
// once per network and reused for every iteration and every later solve (time series), and a
// solve may start from the previous solution (warm start).
#pragma once

#include <complex>
#include <memory>
#include <vector>

#include "core/status.hpp"
#include "physics/matpower.hpp"

namespace twin::physics {

struct PfOptions {
  double tolerance = 1e-8;  // infinity norm of the mismatch, p.u. (MATPOWER pf.tol)
  int maxIterations = 10;   // MATPOWER pf.nr.max_it
};

struct BranchFlow {
  double pfMW = 0, qfMVAr = 0, ptMW = 0, qtMVAr = 0;  // injected at the from / to end
  double lossMW = 0, lossMVAr = 0;                    // series loss |I|^2 z
  double loading = 0;                                 // max(|Sf|, |St|) / rateA (0: unrated)
};

struct PfResult {
  bool converged = false;
  int iterations = 0;
  double mismatch = 0.0;                // final infinity norm, p.u.
  std::vector<double> vm, vaDeg;        // per bus, case order
  std::vector<double> pgMW, qgMVAr;     // per generator (out of service: 0)
  std::vector<BranchFlow> branches;     // case order (out of service: 0)
  double lossMW = 0.0, lossMVAr = 0.0;  // sums of the series losses
};

// A network ready to solve: admittance matrix, bus classification, Jacobian pattern and the
// KLU symbolic factorisation. Loads and generator setpoints may change between solves; the
// topology may not.
class PowerFlow {
 public:
  static core::Result<std::unique_ptr<PowerFlow>> create(const PfCase& pc);
  ~PowerFlow();
  PowerFlow(const PowerFlow&) = delete;
  PowerFlow& operator=(const PowerFlow&) = delete;

  // Solves from the case's start point (Vm/Va, generator voltage setpoints), as MATPOWER does.
  PfResult solve(const PfCase& pc, const PfOptions& options = {});
  // Solves from a given start (e.g. the previous step's solution): the voltage magnitudes at
  // generator buses are still set to their setpoints.
  PfResult solveFrom(const PfCase& pc, const std::vector<double>& vm,
                     const std::vector<double>& vaDeg, const PfOptions& options = {});

  std::size_t jacobianSize() const;
  std::size_t jacobianNonZeros() const;

 private:
  PowerFlow();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace twin::physics
