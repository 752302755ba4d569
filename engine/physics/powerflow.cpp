// SPDX-License-Identifier: Apache-2.0
#include "physics/powerflow.hpp"

#include <suitesparse/klu.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <numbers>

namespace twin::physics {
namespace {
using core::ErrorCode;
using core::fail;
using cplx = std::complex<double>;
constexpr double kDeg = std::numbers::pi / 180.0;

}  // namespace

struct PowerFlow::Impl {
  std::size_t n = 0;
  double baseMVA = 100.0;
  std::vector<int> busOf;  // generator -> bus index (case order)
  // Ybus in compressed columns
  std::vector<int> yp, yi;
  std::vector<cplx> yx;
  // per branch: from/to index and the 2x2 admittances (MATPOWER makeYbus)
  struct Br {
    int f = -1, t = -1;
    cplx yff, yft, ytf, ytt, tap, z;
    bool on = false;
    double rate = 0;
  };
  std::vector<Br> br;
  std::vector<int> ref, pv, pq;  // effective bus types
  std::vector<int> rowP, rowQ;   // bus -> Jacobian row/column of its angle / magnitude, or -1
  std::vector<char> voltageControlled;
  // Jacobian pattern (compressed columns) and, per Ybus non-zero, where its four entries go
  int jn = 0;
  std::vector<int> jp, ji;
  std::vector<double> jx;
  std::vector<std::array<int, 4>> slot;  // dP/dVa, dP/dVm, dQ/dVa, dQ/dVm (-1: none)
  klu_common common{};
  klu_symbolic* symbolic = nullptr;
  klu_numeric* numeric = nullptr;

  ~Impl() {
    if (numeric != nullptr)
      klu_free_numeric(&numeric, &common);
    if (symbolic != nullptr)
      klu_free_symbolic(&symbolic, &common);
  }

  // I = Ybus V
  void current(const std::vector<cplx>& v, std::vector<cplx>& cur) const {
    std::fill(cur.begin(), cur.end(), cplx{});
    for (std::size_t k = 0; k < n; ++k) {
      for (int q = yp[k]; q < yp[k + 1]; ++q)
        cur[static_cast<std::size_t>(yi[static_cast<std::size_t>(q)])] +=
            yx[static_cast<std::size_t>(q)] * v[k];
    }
  }

  // F = [Re mis(pv, pq); Im mis(pq)], mis = V conj(I) - Sbus; returns its infinity norm
  double mismatch(const std::vector<cplx>& v, const std::vector<cplx>& sbus, std::vector<cplx>& cur,
                  std::vector<double>& f) const {
    current(v, cur);
    double norm = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const cplx mis = v[i] * std::conj(cur[i]) - sbus[i];
      if (rowP[i] >= 0) {
        f[static_cast<std::size_t>(rowP[i])] = mis.real();
        norm = std::max(norm, std::abs(mis.real()));
      }
      if (rowQ[i] >= 0) {
        f[static_cast<std::size_t>(rowQ[i])] = mis.imag();
        norm = std::max(norm, std::abs(mis.imag()));
      }
    }
    return norm;
  }

  // fills the Jacobian values from dS/dVa and dS/dVm (MATPOWER dSbus_dV, polar)
  void jacobian(const std::vector<cplx>& v, const std::vector<cplx>& cur) {
    std::fill(jx.begin(), jx.end(), 0.0);
    for (std::size_t k = 0; k < n; ++k) {
      const double mk = std::abs(v[k]);
      const cplx vnk = mk > 0.0 ? v[k] / mk : cplx{1.0, 0.0};
      for (int q = yp[k]; q < yp[k + 1]; ++q) {
        const auto i = static_cast<std::size_t>(yi[static_cast<std::size_t>(q)]);
        const cplx y = yx[static_cast<std::size_t>(q)];
        cplx dVa = cplx(0.0, 1.0) * v[i] * std::conj(-y * v[k]);
        cplx dVm = v[i] * std::conj(y * vnk);
        if (i == k) {
          dVa += cplx(0.0, 1.0) * v[i] * std::conj(cur[i]);
          dVm += std::conj(cur[i]) * vnk;
        }
        const std::array<int, 4>& s = slot[static_cast<std::size_t>(q)];
        if (s[0] >= 0)
          jx[static_cast<std::size_t>(s[0])] = dVa.real();
        if (s[1] >= 0)
          jx[static_cast<std::size_t>(s[1])] = dVm.real();
        if (s[2] >= 0)
          jx[static_cast<std::size_t>(s[2])] = dVa.imag();
        if (s[3] >= 0)
          jx[static_cast<std::size_t>(s[3])] = dVm.imag();
      }
    }
  }

  // factorises J: a refactorisation with the previous pivot order when it stays well
  // conditioned, else a fresh one
  bool factor() {
    if (numeric != nullptr) {
      if (klu_refactor(jp.data(), ji.data(), jx.data(), symbolic, numeric, &common) == 1 &&
          klu_rcond(symbolic, numeric, &common) == 1 && common.rcond > 1e-12) {
        return true;
      }
      klu_free_numeric(&numeric, &common);
    }
    numeric = klu_factor(jp.data(), ji.data(), jx.data(), symbolic, &common);
    return numeric != nullptr;
  }
};

PowerFlow::PowerFlow() = default;
PowerFlow::~PowerFlow() = default;

core::Result<std::unique_ptr<PowerFlow>> PowerFlow::create(const PfCase& pc) {
  std::unique_ptr<PowerFlow> pf(new PowerFlow);
  pf->impl_ = std::make_unique<Impl>();
  Impl& m = *pf->impl_;
  m.n = pc.buses.size();
  m.baseMVA = pc.baseMVA;
  if (m.n == 0)
    return fail(ErrorCode::BadInput, "the case has no buses");
  std::map<int, int> index;
  for (std::size_t i = 0; i < m.n; ++i)
    index[pc.buses[i].id] = static_cast<int>(i);
  for (const PfGen& g : pc.gens)
    m.busOf.push_back(index.at(g.bus));
  // admittances (MATPOWER makeYbus): series ys, charging b, tap t = ratio * e^(j shift)
  struct Triplet {
    int col, row;
    cplx value;
  };
  std::vector<Triplet> y;
  y.reserve(m.n + 4 * pc.branches.size());
  for (std::size_t i = 0; i < m.n; ++i) {
    const PfBus& b = pc.buses[i];
    y.push_back({static_cast<int>(i), static_cast<int>(i), cplx(b.gsMW, b.bsMVAr) / pc.baseMVA});
  }
  for (const PfBranch& b : pc.branches) {
    Impl::Br r;
    r.f = index.at(b.from);
    r.t = index.at(b.to);
    r.on = b.inService;
    r.rate = b.rateAMVA;
    r.z = cplx(b.r, b.x);
    r.tap = (b.ratio == 0.0 ? 1.0 : b.ratio) * std::polar(1.0, b.shiftDeg * kDeg);
    if (r.on) {
      if (std::abs(r.z) == 0.0) {
        return fail(ErrorCode::BadInput, "branch " + std::to_string(b.from) + "-" +
                                             std::to_string(b.to) + " has zero impedance");
      }
      const cplx ys = 1.0 / r.z;
      const cplx ytt = ys + cplx(0.0, b.b / 2.0);
      r.ytt = ytt;
      r.yff = ytt / (r.tap * std::conj(r.tap));
      r.yft = -ys / std::conj(r.tap);
      r.ytf = -ys / r.tap;
      y.push_back({r.f, r.f, r.yff});
      y.push_back({r.t, r.f, r.yft});  // row f, column t
      y.push_back({r.f, r.t, r.ytf});  // row t, column f
      y.push_back({r.t, r.t, r.ytt});
    }
    m.br.push_back(r);
  }
  // compressed columns, rows sorted, duplicates (parallel branches) summed
  std::sort(y.begin(), y.end(), [](const Triplet& a, const Triplet& b) {
    return a.col != b.col ? a.col < b.col : a.row < b.row;
  });
  m.yp.assign(m.n + 1, 0);
  for (std::size_t q = 0; q < y.size(); ++q) {
    if (q > 0 && y[q].col == y[q - 1].col && y[q].row == y[q - 1].row) {
      m.yx.back() += y[q].value;
      continue;
    }
    ++m.yp[static_cast<std::size_t>(y[q].col) + 1];
    m.yi.push_back(y[q].row);
    m.yx.push_back(y[q].value);
  }
  for (std::size_t k = 0; k < m.n; ++k)
    m.yp[k + 1] += m.yp[k];
  // bus types as MATPOWER's bustypes: a PV bus without a generator in service is PQ
  std::vector<int> gensOn(m.n, 0);
  for (std::size_t g = 0; g < pc.gens.size(); ++g) {
    if (pc.gens[g].inService)
      ++gensOn[static_cast<std::size_t>(m.busOf[g])];
  }
  m.voltageControlled.assign(m.n, 0);
  for (std::size_t i = 0; i < m.n; ++i) {
    const BusType t = pc.buses[i].type;
    if (t == BusType::Ref) {
      m.ref.push_back(static_cast<int>(i));
      m.voltageControlled[i] = 1;
    } else if (t == BusType::PV && gensOn[i] > 0) {
      m.pv.push_back(static_cast<int>(i));
      m.voltageControlled[i] = 1;
    } else if (t != BusType::Isolated) {
      m.pq.push_back(static_cast<int>(i));
    }
  }
  if (m.ref.empty())
    return fail(ErrorCode::BadInput, "the case has no reference (slack) bus, type 3");
  m.rowP.assign(m.n, -1);
  m.rowQ.assign(m.n, -1);
  int row = 0;
  for (int i : m.pv)
    m.rowP[static_cast<std::size_t>(i)] = row++;
  for (int i : m.pq)
    m.rowP[static_cast<std::size_t>(i)] = row++;
  for (int i : m.pq)
    m.rowQ[static_cast<std::size_t>(i)] = row++;
  m.jn = row;
  // the Jacobian's pattern from Ybus's: entry (row of bus i, column of bus k) per non-zero,
  // gathered column by column in two passes (count, then fill) and sorted within columns
  m.jp.assign(static_cast<std::size_t>(m.jn) + 1, 0);
  auto forEach = [&](auto&& visit) {
    for (std::size_t k = 0; k < m.n; ++k) {
      for (int q = m.yp[k]; q < m.yp[k + 1]; ++q) {
        const auto i = static_cast<std::size_t>(m.yi[static_cast<std::size_t>(q)]);
        const int rows[2] = {m.rowP[i], m.rowQ[i]};
        const int columns[2] = {m.rowP[k], m.rowQ[k]};  // Va column, Vm column
        for (int a = 0; a < 2; ++a) {
          for (int c = 0; c < 2; ++c) {
            if (rows[a] >= 0 && columns[c] >= 0)
              visit(rows[a], columns[c], static_cast<std::size_t>(q), a * 2 + c);
          }
        }
      }
    }
  };
  forEach([&](int, int col, std::size_t, int) { ++m.jp[static_cast<std::size_t>(col) + 1]; });
  for (std::size_t c = 0; c < static_cast<std::size_t>(m.jn); ++c)
    m.jp[c + 1] += m.jp[c];
  struct Entry {
    int row;
    int source;  // Ybus non-zero * 4 + which derivative
  };
  std::vector<Entry> entries(static_cast<std::size_t>(m.jp.back()));
  std::vector<int> next(m.jp.begin(), m.jp.end() - 1);
  forEach([&](int r, int col, std::size_t q, int which) {
    entries[static_cast<std::size_t>(next[static_cast<std::size_t>(col)]++)] = {
        r, static_cast<int>(q) * 4 + which};
  });
  m.slot.assign(m.yx.size(), {-1, -1, -1, -1});
  m.ji.resize(entries.size());
  for (std::size_t c = 0; c < static_cast<std::size_t>(m.jn); ++c) {
    const auto first = entries.begin() + m.jp[c], last = entries.begin() + m.jp[c + 1];
    std::sort(first, last, [](const Entry& e1, const Entry& e2) { return e1.row < e2.row; });
    for (auto it = first; it != last; ++it) {
      const auto at = static_cast<std::size_t>(it - entries.begin());
      m.ji[at] = it->row;
      m.slot[static_cast<std::size_t>(it->source / 4)][static_cast<std::size_t>(it->source % 4)] =
          static_cast<int>(at);
    }
  }
  m.jx.assign(m.ji.size(), 0.0);
  klu_defaults(&m.common);
  m.symbolic = klu_analyze(m.jn, m.jp.data(), m.ji.data(), &m.common);
  if (m.symbolic == nullptr)
    return fail(ErrorCode::Internal, "KLU could not analyse the Jacobian");
  return pf;
}

std::size_t PowerFlow::jacobianSize() const {
  return static_cast<std::size_t>(impl_->jn);
}
std::size_t PowerFlow::jacobianNonZeros() const {
  return impl_->ji.size();
}

PfResult PowerFlow::solve(const PfCase& pc, const PfOptions& options) {
  std::vector<double> vm(pc.buses.size()), va(pc.buses.size());
  for (std::size_t i = 0; i < pc.buses.size(); ++i) {
    vm[i] = pc.buses[i].vm;
    va[i] = pc.buses[i].vaDeg;
  }
  return solveFrom(pc, vm, va, options);
}

PfResult PowerFlow::solveFrom(const PfCase& pc, const std::vector<double>& vm0,
                              const std::vector<double>& va0, const PfOptions& options) {
  Impl& m = *impl_;
  const std::size_t n = m.n;
  PfResult res;
  // start voltages; generator buses that control voltage start at the setpoint
  std::vector<cplx> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = std::polar(vm0[i], va0[i] * kDeg);
  for (std::size_t g = 0; g < pc.gens.size(); ++g) {
    const auto b = static_cast<std::size_t>(m.busOf[g]);
    if (pc.gens[g].inService && m.voltageControlled[b] != 0 && std::abs(v[b]) > 0.0)
      v[b] = pc.gens[g].vg / std::abs(v[b]) * v[b];
  }
  // scheduled injections
  std::vector<cplx> sbus(n);
  for (std::size_t i = 0; i < n; ++i)
    sbus[i] = -cplx(pc.buses[i].pdMW, pc.buses[i].qdMVAr) / pc.baseMVA;
  for (std::size_t g = 0; g < pc.gens.size(); ++g) {
    if (pc.gens[g].inService) {
      sbus[static_cast<std::size_t>(m.busOf[g])] +=
          cplx(pc.gens[g].pgMW, pc.gens[g].qgMVAr) / pc.baseMVA;
    }
  }
  std::vector<cplx> cur(n);
  std::vector<double> f(static_cast<std::size_t>(m.jn));
  double norm = m.mismatch(v, sbus, cur, f);
  bool converged = norm < options.tolerance;
  int it = 0;
  std::vector<double> vmag(n), vang(n);
  while (!converged && it < options.maxIterations) {
    ++it;
    m.jacobian(v, cur);
    if (!m.factor())
      break;
    klu_solve(m.symbolic, m.numeric, m.jn, 1, f.data(), &m.common);  // f <- J^-1 F
    for (std::size_t i = 0; i < n; ++i) {
      vmag[i] = std::abs(v[i]);
      vang[i] = std::arg(v[i]);
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (m.rowP[i] >= 0)
        vang[i] -= f[static_cast<std::size_t>(m.rowP[i])];
      if (m.rowQ[i] >= 0)
        vmag[i] -= f[static_cast<std::size_t>(m.rowQ[i])];
      v[i] = std::polar(vmag[i], vang[i]);
    }
    norm = m.mismatch(v, sbus, cur, f);
    converged = norm < options.tolerance;
  }
  res.converged = converged;
  res.iterations = it;
  res.mismatch = norm;
  res.vm.resize(n);
  res.vaDeg.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    res.vm[i] = std::abs(v[i]);
    res.vaDeg[i] = std::arg(v[i]) / kDeg;
  }
  // generators (MATPOWER pfsoln): Q from the bus injection, shared by Q range; slack P
  m.current(v, cur);
  const std::size_t ng = pc.gens.size();
  res.pgMW.assign(ng, 0.0);
  res.qgMVAr.assign(ng, 0.0);
  std::vector<double> qTot(n, 0.0), qMin(n, 0.0), qMax(n, 0.0);
  std::vector<int> count(n, 0);
  for (std::size_t g = 0; g < ng; ++g) {
    if (!pc.gens[g].inService)
      continue;
    const auto b = static_cast<std::size_t>(m.busOf[g]);
    ++count[b];
    qMin[b] += pc.gens[g].qminMVAr;
    qMax[b] += pc.gens[g].qmaxMVAr;
    res.pgMW[g] = pc.gens[g].pgMW;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (count[i] > 0)
      qTot[i] = (v[i] * std::conj(cur[i])).imag() * pc.baseMVA + pc.buses[i].qdMVAr;
  }
  for (std::size_t g = 0; g < ng; ++g) {
    if (!pc.gens[g].inService)
      continue;
    const auto b = static_cast<std::size_t>(m.busOf[g]);
    const PfGen& gen = pc.gens[g];
    if (count[b] == 1) {
      res.qgMVAr[g] = qTot[b];
    } else if (qMin[b] == qMax[b]) {
      // no range to share by: each takes its minimum plus an equal part of the rest
      res.qgMVAr[g] = gen.qminMVAr + (qTot[b] - qMin[b]) / count[b];
    } else {
      res.qgMVAr[g] = gen.qminMVAr + (qTot[b] - qMin[b]) /
                                         (qMax[b] - qMin[b] + 2.220446049250313e-16) *
                                         (gen.qmaxMVAr - gen.qminMVAr);
    }
  }
  for (int r : m.ref) {
    const auto b = static_cast<std::size_t>(r);
    std::size_t first = ng;
    double others = 0.0;
    for (std::size_t g = 0; g < ng; ++g) {
      if (!pc.gens[g].inService || static_cast<std::size_t>(m.busOf[g]) != b)
        continue;
      if (first == ng)
        first = g;
      else
        others += pc.gens[g].pgMW;
    }
    if (first < ng) {
      res.pgMW[first] = (v[b] * std::conj(cur[b])).real() * pc.baseMVA + pc.buses[b].pdMW - others;
    }
  }
  // branch flows and series losses (MATPOWER get_losses: |Vf/t - Vt|^2 / conj(z))
  res.branches.resize(m.br.size());
  for (std::size_t k = 0; k < m.br.size(); ++k) {
    const Impl::Br& b = m.br[k];
    if (!b.on)
      continue;
    const cplx vf = v[static_cast<std::size_t>(b.f)], vt = v[static_cast<std::size_t>(b.t)];
    const cplx sf = vf * std::conj(b.yff * vf + b.yft * vt) * pc.baseMVA;
    const cplx st = vt * std::conj(b.ytf * vf + b.ytt * vt) * pc.baseMVA;
    const cplx dv = vf / b.tap - vt;
    const cplx loss = pc.baseMVA * std::norm(dv) / std::conj(b.z);
    BranchFlow& out = res.branches[k];
    out = {sf.real(), sf.imag(), st.real(), st.imag(), loss.real(), loss.imag(), 0.0};
    if (b.rate > 0.0)
      out.loading = std::max(std::abs(sf), std::abs(st)) / b.rate;
    res.lossMW += loss.real();
    res.lossMVAr += loss.imag();
  }
  return res;
}

}  // namespace twin::physics
