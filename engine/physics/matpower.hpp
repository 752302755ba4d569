// SPDX-License-Identifier: Apache-2.0
// MATPOWER case files (format version 2): the bus, gen and branch tables and baseMVA.
#pragma once

#include <string>
#include <vector>

#include "core/status.hpp"

namespace twin::physics {

enum class BusType { PQ = 1, PV = 2, Ref = 3, Isolated = 4 };

struct PfBus {
  int id = 0;  // external bus number
  BusType type = BusType::PQ;
  double pdMW = 0, qdMVAr = 0;   // load
  double gsMW = 0, bsMVAr = 0;   // shunt at 1 p.u.
  double vm = 1.0, vaDeg = 0.0;  // start (and, after a solve, solution)
  double baseKV = 0.0;
  double vmax = 1.1, vmin = 0.9;
};

struct PfGen {
  int bus = 0;  // external bus number
  double pgMW = 0, qgMVAr = 0;
  double qmaxMVAr = 0, qminMVAr = 0;
  double vg = 1.0;
  bool inService = true;
};

struct PfBranch {
  int from = 0, to = 0;        // external bus numbers
  double r = 0, x = 0, b = 0;  // p.u. on baseMVA
  double rateAMVA = 0;         // 0: unlimited
  double ratio = 0;            // off-nominal tap at the from end; 0 means 1
  double shiftDeg = 0;         // phase shift
  bool inService = true;
};

struct PfCase {
  std::string name;  // from "function mpc = NAME"
  double baseMVA = 100.0;
  std::vector<PfBus> buses;
  std::vector<PfGen> gens;
  std::vector<PfBranch> branches;
};

// Parses MATPOWER case text. Errors name `path:line:col` and what was expected; tables other
// than bus, gen and branch (gencost, bus_name, ...) are skipped.
core::Result<PfCase> parseMatpowerCase(const std::string& text, const std::string& path);
// Reads a .m file (or .m.gz) and parses it.
// Case files are read whole: at most this many bytes of text after decompression.
inline constexpr std::size_t kMaxCaseBytes = std::size_t{512} << 20;
core::Result<PfCase> loadMatpowerCase(const std::string& path);

}  // namespace twin::physics
