// SPDX-License-Identifier: Apache-2.0
// Power-flow benchmark (issue: energy flows). Per case: reading the .m file, setting up the
// network (admittance matrix, Jacobian pattern, KLU symbolic analysis), a cold solve from the
// case's start point, a warm solve (from the previous solution after 1 % load noise), and a
// time series of STEPS such warm steps, each with fresh load noise; MATPOWER's runpf time on
// this machine class from timing.csv beside the cases. Goals: case9241pegase cold <= 25 ms,
// warm <= 8 ms, and >= 10x faster than runpf. Usage: powerflow_bench CASE_DIR TIMING_CSV [STEPS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "physics/powerflow.hpp"

namespace {
using namespace twin;
using Clock = std::chrono::steady_clock;

double ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

// case -> MATPOWER runpf median seconds (the mean of the two runs' medians), MP-Core and legacy
std::map<std::string, std::pair<double, double>> matpowerTimes(const std::string& path) {
  std::map<std::string, std::pair<double, double>> out;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> c;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ','))
      c.push_back(cell);
    if (c.size() > 6) {
      out[c[0]] = {(std::stod(c[3]) + std::stod(c[4])) / 2.0,
                   (std::stod(c[5]) + std::stod(c[6])) / 2.0};
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: powerflow_bench CASE_DIR TIMING_CSV [STEPS]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const auto matpower = matpowerTimes(argv[2]);
  const int steps = argc > 3 ? std::atoi(argv[3]) : 1000;
  std::printf("%-18s %6s %8s %8s %9s %9s %9s %11s %10s %8s\n", "case", "buses", "read ms",
              "setup ms", "cold ms", "warm ms", "series ms", "its c/w", "runpf ms", "speed-up");
  for (const char* name : {"case118", "case1354pegase", "case2383wp", "case2869pegase",
                           "case_ACTIVSg2000", "case9241pegase", "case_ACTIVSg10k"}) {
    std::string path = dir + "/" + name + ".m";
    if (!std::ifstream(path))
      path += ".gz";
    const auto t0 = Clock::now();
    auto pc = physics::loadMatpowerCase(path);
    const auto t1 = Clock::now();
    if (!pc) {
      std::fprintf(stderr, "%s\n", pc.error().message.c_str());
      return 1;
    }
    // cold: set-up + solve, median of 5
    std::vector<double> setup, cold;
    physics::PfResult base;
    std::unique_ptr<physics::PowerFlow> pf;
    for (int rep = 0; rep < 5; ++rep) {
      const auto a = Clock::now();
      auto made = physics::PowerFlow::create(*pc);
      const auto b = Clock::now();
      base = (*made)->solve(*pc);
      const auto c = Clock::now();
      setup.push_back(ms(a, b));
      cold.push_back(ms(a, c));
      pf = std::move(*made);
    }
    // warm time series: each step 1 % multiplicative noise on every load, from the last solution
    std::mt19937_64 rng(42);
    std::normal_distribution<double> noise(1.0, 0.01);
    physics::PfCase step = *pc;
    std::vector<double> vm = base.vm, va = base.vaDeg, warm;
    int warmIts = 0, failed = 0;
    const auto s0 = Clock::now();
    for (int k = 0; k < steps; ++k) {
      for (std::size_t i = 0; i < step.buses.size(); ++i) {
        const double f = noise(rng);
        step.buses[i].pdMW = pc->buses[i].pdMW * f;
        step.buses[i].qdMVAr = pc->buses[i].qdMVAr * f;
      }
      const auto a = Clock::now();
      const physics::PfResult r = pf->solveFrom(step, vm, va);
      warm.push_back(ms(a, Clock::now()));
      if (!r.converged) {
        ++failed;
        continue;
      }
      warmIts = std::max(warmIts, r.iterations);
      vm = r.vm;
      va = r.vaDeg;
    }
    const double series = ms(s0, Clock::now());
    const auto mp = matpower.find(name);
    const double runpf = mp != matpower.end() ? mp->second.first * 1000.0 : 0.0;
    char its[16];
    std::snprintf(its, sizeof its, "%d/%d", base.iterations, warmIts);
    std::printf("%-18s %6zu %8.1f %8.2f %9.2f %9.2f %9.0f %11s %10.1f %7.0fx%s\n", name,
                pc->buses.size(), ms(t0, t1), median(setup), median(cold), median(warm), series,
                its, runpf, median(cold) > 0 ? runpf / median(cold) : 0.0,
                failed > 0 ? "  (some steps did not converge)" : "");
  }
  std::printf(
      "cold = set-up + solve from the case's start; warm = one time-series step (median of %d);\n"
      "runpf = MATPOWER 8 runpf, MP-Core, median on the 2-core project machine (timing.csv), not "
      "rerun here\n",
      steps);
  return 0;
}
