// SPDX-License-Identifier: Apache-2.0
// AC power flow against MATPOWER's reference solutions of 11 cases (tests/data/powerflow, see
// its SOURCE.md), with MATPOWER's default options: |dVm| <= 1e-6 p.u., |dVa| <= 1e-4 deg,
// branch flows and total losses within 1e-3 MW/MVAr, slack Pg and bus totals of Qg within
// 1e-3, iterations within +-1. Reference CSV columns:
//   <case>_bus.csv     bus_i,type,Pd_MW,Qd_MVAr,Gs_MW,Bs_MVAr,baseKV,Vm_pu,Va_deg
//   <case>_branch.csv  idx,f_bus,t_bus,status,Pf_MW,Qf_MVAr,Pt_MW,Qt_MVAr,Ploss_MW,Qloss_MVAr
//   <case>_gen.csv     idx,bus,status,Pg_MW,Qg_MVAr,Vg_pu
//   summary.csv        case,nbus,ngen,nbranch,nbranch_in_service,success,iterations,Ploss_MW,...
#include "physics/powerflow.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

#include "support/twin_test.hpp"

namespace twin::physics {
namespace {

using ::testing::HasSubstr;

std::string gunzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  std::string text;
  if (f == nullptr)
    return text;
  char buf[1 << 16];
  int n = 0;
  while ((n = gzread(f, buf, sizeof buf)) > 0)
    text.append(buf, static_cast<std::size_t>(n));
  gzclose(f);
  return text;
}

// rows of numbers (first column may be text), header skipped
std::vector<std::vector<std::string>> csv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(gunzip(path));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ls(line);
    std::string cell;
    while (std::getline(ls, cell, ','))
      cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

double num(const std::string& s) {
  return std::stod(s);
}

std::string pfData(const std::string& rel) {
  return test::dataPath("powerflow/" + rel);
}

class PowerFlowCase : public test::EngineTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(PowerFlowCase, MatchesMatpowerReference) {
  const std::string name = GetParam();
  auto pc = loadMatpowerCase(pfData("cases/" + name + ".m.gz"));
  ASSERT_TRUE(pc) << pc.error().message;
  auto pf = PowerFlow::create(*pc);
  ASSERT_TRUE(pf) << pf.error().message;
  const PfResult r = (*pf)->solve(*pc);
  ASSERT_TRUE(r.converged) << "mismatch " << r.mismatch << " after " << r.iterations;
  EXPECT_LT(r.mismatch, 1e-8);
  // summary: iterations and total losses
  int refIterations = -1;
  double refLoss = NAN;
  for (const auto& row : csv(pfData("reference/summary.csv.gz"))) {
    if (row[0] == name) {
      refIterations = std::stoi(row[6]);
      refLoss = num(row[7]);
    }
  }
  ASSERT_GE(refIterations, 0);
  EXPECT_NEAR(r.iterations, refIterations, 1);
  EXPECT_NEAR(r.lossMW, refLoss, 1e-3);
  // buses
  const auto buses = csv(pfData("reference/" + name + "_bus.csv.gz"));
  ASSERT_EQ(buses.size(), pc->buses.size());
  double worstVm = 0, worstVa = 0;
  for (std::size_t i = 0; i < buses.size(); ++i) {
    ASSERT_EQ(std::stoi(buses[i][0]), pc->buses[i].id);
    worstVm = std::max(worstVm, std::abs(r.vm[i] - num(buses[i][7])));
    worstVa = std::max(worstVa, std::abs(r.vaDeg[i] - num(buses[i][8])));
  }
  EXPECT_LE(worstVm, 1e-6);
  EXPECT_LE(worstVa, 1e-4);
  // branches
  const auto branches = csv(pfData("reference/" + name + "_branch.csv.gz"));
  ASSERT_EQ(branches.size(), pc->branches.size());
  double worstFlow = 0, worstLoss = 0;
  for (std::size_t k = 0; k < branches.size(); ++k) {
    const BranchFlow& b = r.branches[k];
    for (auto [mine, col] : {std::pair{b.pfMW, 4}, std::pair{b.qfMVAr, 5}, std::pair{b.ptMW, 6},
                             std::pair{b.qtMVAr, 7}}) {
      worstFlow =
          std::max(worstFlow, std::abs(mine - num(branches[k][static_cast<std::size_t>(col)])));
    }
    worstLoss = std::max({worstLoss, std::abs(b.lossMW - num(branches[k][8])),
                          std::abs(b.lossMVAr - num(branches[k][9]))});
  }
  EXPECT_LE(worstFlow, 1e-3);
  EXPECT_LE(worstLoss, 1e-3);
  // generators: slack P, and Q totals per bus
  const auto gens = csv(pfData("reference/" + name + "_gen.csv.gz"));
  ASSERT_EQ(gens.size(), pc->gens.size());
  std::map<int, double> qMine, qRef;
  double worstP = 0;
  for (std::size_t g = 0; g < gens.size(); ++g) {
    worstP = std::max(worstP, std::abs(r.pgMW[g] - num(gens[g][3])));
    qMine[pc->gens[g].bus] += r.qgMVAr[g];
    qRef[pc->gens[g].bus] += num(gens[g][4]);
  }
  double worstQ = 0;
  for (const auto& [bus, q] : qRef)
    worstQ = std::max(worstQ, std::abs(qMine[bus] - q));
  EXPECT_LE(worstP, 1e-3);
  EXPECT_LE(worstQ, 1e-3);
}

INSTANTIATE_TEST_SUITE_P(Matpower, PowerFlowCase,
                         ::testing::Values("case9", "case14", "case30", "case57", "case118",
                                           "case1354pegase", "case2383wp", "case2869pegase",
                                           "case_ACTIVSg2000", "case9241pegase",
                                           "case_ACTIVSg10k"));

class PowerFlowTest : public test::EngineTest {};

TEST_F(PowerFlowTest, WarmStartFromTheSolutionNeedsNoIteration) {
  auto pc = loadMatpowerCase(pfData("cases/case118.m.gz"));
  ASSERT_TRUE(pc);
  auto pf = PowerFlow::create(*pc);
  ASSERT_TRUE(pf);
  const PfResult cold = (*pf)->solve(*pc);
  ASSERT_TRUE(cold.converged);
  const PfResult warm = (*pf)->solveFrom(*pc, cold.vm, cold.vaDeg);
  EXPECT_TRUE(warm.converged);
  EXPECT_EQ(warm.iterations, 0);
  // 5 % more load everywhere: a warm start converges in fewer steps than the cold one
  PfCase more = *pc;
  for (PfBus& b : more.buses) {
    b.pdMW *= 1.05;
    b.qdMVAr *= 1.05;
  }
  const PfResult moreCold = (*pf)->solve(more);
  const PfResult moreWarm = (*pf)->solveFrom(more, cold.vm, cold.vaDeg);
  ASSERT_TRUE(moreCold.converged && moreWarm.converged);
  EXPECT_LE(moreWarm.iterations, moreCold.iterations);
  for (std::size_t i = 0; i < more.buses.size(); ++i)
    EXPECT_NEAR(moreWarm.vm[i], moreCold.vm[i], 1e-8);
  EXPECT_GT(moreCold.lossMW, cold.lossMW);
}

TEST_F(PowerFlowTest, TwoBusLineByHand) {
  // slack at 1.0 p.u. feeding 100 MW + 50 MVAr over r = 0.01, x = 0.1 p.u. (100 MVA base):
  // the receiving end voltage solves |V2|^4 + (2(rP + xQ) - 1)|V2|^2 + (r^2 + x^2)(P^2 + Q^2) = 0
  // (all p.u.), the textbook two-bus power-flow solution
  const std::string text =
      "function mpc = twobus\nmpc.version = '2';\nmpc.baseMVA = 100;\n"
      "mpc.bus = [\n1 3 0 0 0 0 1 1 0 20 1 1.1 0.9;\n2 1 100 50 0 0 1 1 0 20 1 1.1 0.9;\n];\n"
      "mpc.gen = [\n1 0 0 300 -300 1.0 100 1 300 0;\n];\n"
      "mpc.branch = [\n1 2 0.01 0.1 0 0 0 0 0 0 1 -360 360;\n];\n";
  auto pc = parseMatpowerCase(text, "twobus.m");
  ASSERT_TRUE(pc) << pc.error().message;
  auto pf = PowerFlow::create(*pc);
  ASSERT_TRUE(pf);
  const PfResult r = (*pf)->solve(*pc);
  ASSERT_TRUE(r.converged);
  const double rr = 0.01, x = 0.1, p = 1.0, q = 0.5;
  const double bq = 2 * (rr * p + x * q) - 1, cq = (rr * rr + x * x) * (p * p + q * q);
  const double v2 = std::sqrt((-bq + std::sqrt(bq * bq - 4 * cq)) / 2);
  EXPECT_NEAR(r.vm[1], v2, 1e-9);
  // losses |I|^2 r with |I| = |S| / |V2|
  EXPECT_NEAR(r.lossMW, 100.0 * (p * p + q * q) / (v2 * v2) * rr, 1e-6);
  EXPECT_NEAR(r.pgMW[0], 100.0 + r.lossMW, 1e-6);
}

TEST_F(PowerFlowTest, MalformedCaseNamesTheLine) {
  const std::string text =
      "function mpc = bad\nmpc.version = '2';\nmpc.baseMVA = 100;\n"
      "mpc.bus = [\n1 3 0 0 0 0 1 1 0 20 1 1.1 0.9;\n2 1 1O0 50 0 0 1 1 0 20 1 1.1 0.9;\n];\n";
  auto pc = parseMatpowerCase(text, "bad.m");
  ASSERT_FALSE(pc);
  EXPECT_THAT(pc.error().message,
              HasSubstr("bad.m:6:5: mpc.bus: expected a number, ';' or ']', found '1O0'"));
  auto shortRow = parseMatpowerCase(
      "mpc.baseMVA = 100;\nmpc.bus = [\n1 3 0 0;\n];\nmpc.gen = [];\nmpc.branch = [];\n", "s.m");
  ASSERT_FALSE(shortRow);
  EXPECT_THAT(shortRow.error().message,
              HasSubstr("mpc.bus row 1 has 4 columns; expected at least 13"));
  auto missing = parseMatpowerCase("mpc.baseMVA = 100;\n", "m.m");
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message,
              HasSubstr("not a MATPOWER case: no mpc.bus, mpc.gen, mpc.branch"));
  auto unclosed = parseMatpowerCase("mpc.baseMVA = 100;\nmpc.bus = [\n1 3 0 0\n", "u.m");
  ASSERT_FALSE(unclosed);
  EXPECT_THAT(unclosed.error().message, HasSubstr("has no closing ']'"));
}

TEST_F(PowerFlowTest, ACompressedCaseThatExpandsBeyondTheLimitIsRefused) {
  // a gzip bomb: 520 MiB of spaces in about 500 KB; the reader stops at 512 MiB of text
  const std::string dir = test::makeTempDir("matpower-bomb");
  const std::string path = dir + "/bomb.m.gz";
  gzFile f = gzopen(path.c_str(), "wb9");
  ASSERT_NE(f, nullptr);
  const std::string chunk(1 << 20, ' ');
  for (int i = 0; i < 520; ++i)
    ASSERT_EQ(gzwrite(f, chunk.data(), static_cast<unsigned>(chunk.size())), 1 << 20);
  gzclose(f);
  EXPECT_LT(std::filesystem::file_size(path), 2u << 20);
  auto pc = loadMatpowerCase(path);
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(pc);
  EXPECT_THAT(pc.error().message, HasSubstr("bomb.m.gz: the case holds more than 512 MiB of "
                                            "text; case files are read whole and limited"));
}

}  // namespace
}  // namespace twin::physics
