// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the neutral traffic benchmark format. The input is a folder in one file: nodes,
// edges, connections, signals and demand, separated by lines "===". Readers throw BenchError
// (file:line: what) for what they refuse; any other exception or a crash is a finding.
#include <string>

#include "bench_reader.hpp"
#include "fuzz_support.hpp"

extern "C" int TWIN_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  namespace f = twin::fuzz;
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const std::string dir = f::scratchDir() + "/bench";
  std::filesystem::create_directories(dir);
  f::writeFile(dir + "/nodes.geojson", f::part(all, 0));
  f::writeFile(dir + "/edges.geojson", f::part(all, 1));
  f::writeFile(dir + "/connections.csv", f::part(all, 2));
  f::writeFile(dir + "/tls.csv", f::part(all, 3));
  f::writeFile(dir + "/demand.csv", f::part(all, 4));
  try {
    const twin::traffic::Network net = twin::traffic::readBenchNetwork(dir);
    twin::traffic::VehicleType car;
    car.id = "car";
    (void)twin::traffic::readBenchDemand(dir + "/demand.csv", net, {car}, true);
  } catch (const twin::traffic::BenchError&) {
    // refused with a message: fine
  }
  return 0;
}
