// SPDX-License-Identifier: Apache-2.0
// traffic-split: the region-scale study of docs/scale-out.md on a benchmark case of the neutral
// format.
//
//   traffic-split study NETWORK DEMAND VTYPES [--parts 2,4,...] [--out DIR]
//     runs the case once in one process and records per step where every vehicle is; splits
//     the junction graph into 2..64 parts with METIS (multilevel k-way, Karypis & Kumar 1998),
//     weighted by the vehicle-steps each junction's lanes carry and the vehicles each road
//     carries; prints per part count the edge cut, the ghost lanes, the vehicles handed over per
//     step, the message volume, the load balance and the modelled speed-up; writes
//     DIR/partition-study.csv and DIR/part-<K>.txt (the owner of every junction, one per line).
//
//   mpirun -n K traffic-split run NETWORK DEMAND VTYPES [--partition FILE] [--arrivals FILE]
//     runs the case split over the K ranks (traffic::Domain; ghost lanes and vehicle hand-over
//     by MPI point-to-point messages with the neighbours, twice per step, and one allreduce of
//     "finished"); rank 0 prints the timing and writes every vehicle's insertion, arrival and
//     metres driven to the arrivals file, the same bytes for any K.
//
//   mpirun -n 2 traffic-split pingpong
//     measures this machine's MPI latency and bandwidth (half a round trip, 0 B and 4 MiB).
#include <metis.h>
#include <mpi.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "bench_reader.hpp"
#include "sim.hpp"

namespace {

using twin::traffic::Demand;
using twin::traffic::kNone;
using twin::traffic::Network;
using twin::traffic::SimParams;
using twin::traffic::Simulation;
using twin::traffic::VehicleType;

constexpr std::uint64_t kSeed = 42;
constexpr int kMaxSteps = 6 * 3600;
// bytes on the wire per ghost lane summary and per handed-over vehicle (sim.cpp's messages)
constexpr double kSummaryBytes = 4 + 4 + 5 * 8;
constexpr double kVehicleBytes = 4 + 4 + 1 + 8 + 8 + 8 + 8 + 8 + 8 + 4 + 8 + 8 + 1;

const twin::traffic::ParallelFor kSerial =
    [](std::size_t n, const std::function<void(std::size_t, std::size_t)>& fn) { fn(0, n); };

struct Case {
  Network net;
  std::vector<VehicleType> vtypes;
  Demand demand;
};

// A mistake in the input, found by every rank alike before any message: each rank ends with
// exit code 2 and rank 0 says why (no MPI_Abort).
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Case load(const std::string& network, const std::string& demand, const std::string& vtypes) {
  Case c;
  try {
    c.net = twin::traffic::readBenchNetwork(network);
    c.vtypes = twin::traffic::readBenchVTypes(vtypes, "idm");
    c.demand = twin::traffic::readBenchDemand(demand, c.net, c.vtypes, true);
  } catch (const std::exception& e) {
    throw InputError(e.what());
  }
  return c;
}

// the junction whose process owns a lane: an edge's lanes belong to the junction at its end,
// an internal lane to its own junction
std::vector<std::uint32_t> laneNode(const Network& net) {
  std::vector<std::uint32_t> node(net.lanes.size(), 0);
  for (const auto& e : net.edges) {
    for (std::uint32_t i = 0; i < e.laneCount; ++i)
      node[e.firstLane + i] = e.to;
  }
  for (const auto& c : net.connections)
    node[c.internalLane] = c.node;
  return node;
}

// METIS k-way partition of the junction graph (undirected; the two directions of a road
// merged), edge weights `flow` (+1 so that empty roads still count). `work` holds `ncon`
// weights per junction (work[v * ncon + c]); with more than one, METIS balances each of them
// (multi-constraint partitioning, Karypis & Kumar 1998): the work of each time of day.
std::vector<std::uint32_t> partition(const Network& net, const std::vector<double>& work,
                                     const std::vector<double>& edgeFlow, int parts, int ncon = 1) {
  const std::size_t n = net.nodes.size();
  if (parts <= 1)
    return std::vector<std::uint32_t>(n, 0);
  std::vector<std::map<std::uint32_t, double>> adj(n);
  for (std::size_t e = 0; e < net.edges.size(); ++e) {
    const auto& edge = net.edges[e];
    if (edge.from == kNone || edge.to == kNone || edge.from == edge.to)
      continue;
    adj[edge.from][edge.to] += edgeFlow[e];
    adj[edge.to][edge.from] += edgeFlow[e];
  }
  std::vector<idx_t> xadj{0}, adjncy, adjwgt, vwgt;
  for (std::size_t v = 0; v < n; ++v) {
    for (const auto& [u, w] : adj[v]) {
      adjncy.push_back(static_cast<idx_t>(u));
      adjwgt.push_back(static_cast<idx_t>(1 + std::lround(w)));
    }
    xadj.push_back(static_cast<idx_t>(adjncy.size()));
    for (int c = 0; c < ncon; ++c)
      vwgt.push_back(static_cast<idx_t>(
          1 + std::lround(work[v * static_cast<std::size_t>(ncon) + static_cast<std::size_t>(c)])));
  }
  idx_t nv = static_cast<idx_t>(n), nc = ncon, k = parts, objval = 0;
  idx_t options[METIS_NOPTIONS];
  METIS_SetDefaultOptions(options);
  options[METIS_OPTION_SEED] = 1;  // the same partition on every rank and every run
  std::vector<idx_t> part(n, 0);
  const int rc =
      METIS_PartGraphKway(&nv, &nc, xadj.data(), adjncy.data(), vwgt.data(), nullptr, adjwgt.data(),
                          &k, nullptr, nullptr, options, &objval, part.data());
  if (rc != METIS_OK)
    throw std::runtime_error("METIS_PartGraphKway failed with code " + std::to_string(rc));
  return {part.begin(), part.end()};
}

// ---- study ----------------------------------------------------------------------------------

struct Pilot {
  std::vector<double> nodeWork;  // vehicle-steps on the lanes each junction owns
  std::vector<double> binWork;   // the same per time bin: [node * bins + bin]
  std::vector<double> edgeFlow;  // vehicles entering each edge
  double seconds = 0;            // the uninstrumented run's wall time
  std::uint64_t updates = 0;
  int steps = 0;
};

// Per part count, filled by the instrumented second pass.
struct SplitFigures {
  int parts = 0;
  std::vector<std::uint32_t> owner;
  std::size_t cutEdges = 0, ghostLanes = 0, maxGhostLanes = 0;
  double maxNeighbours = 0, meanNeighbours = 0;
  double imbalance = 0;              // total work of the busiest part / mean
  double stepMaxWork = 0;            // sum over steps of the busiest part's vehicle updates
  double handovers = 0;              // vehicles handed over, whole run
  double maxHandoversPerStep = 0;    // the busiest step, all processes
  double busiestBytesPerStep = 0;    // the busiest process, mean over steps: sent + received
  std::vector<double> partWork;      // per part
  std::vector<double> partMsgBytes;  // per part: running sum of the step's bytes
};

// Runs the case (one process) calling `observe(t, sim)` after every step; returns the steps.
int pilotRun(const Case& c, const std::function<void(int, const Simulation&)>& observe) {
  Simulation sim(c.net, c.vtypes, c.demand, SimParams{}, kSeed);
  int t = 0;
  for (; t < kMaxSteps && !sim.finished(); ++t) {
    sim.step(t, kSerial);
    if (observe)
      observe(t, sim);
  }
  return t;
}

// an interconnect for the model: latency (s per message) and bandwidth (bytes per s)
struct Link {
  double latency = 0, bandwidth = 1;
};

int cmdStudy(const std::string& network, const std::string& demand, const std::string& vtypes,
             std::vector<int> partCounts, const std::string& outDir, Link here, Link cluster,
             int bins) {
  const Case c = load(network, demand, vtypes);
  const Network& net = c.net;
  const auto ownerNode = laneNode(net);
  std::printf("case      %s: %zu junctions, %zu edges, %zu lanes (%zu internal), %zu trips\n",
              network.c_str(), net.nodes.size(), net.edges.size(), net.lanes.size(),
              net.lanes.size() - net.normalLaneCount, c.demand.trips.size());
  // 1. the cost of one process, uninstrumented (best of three)
  Pilot pilot;
  pilot.seconds = 1e300;
  for (int r = 0; r < 3; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    Simulation sim(net, c.vtypes, c.demand, SimParams{}, kSeed);
    int t = 0;
    for (; t < kMaxSteps && !sim.finished(); ++t)
      sim.step(t, kSerial);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    pilot.seconds = std::min(pilot.seconds, s);
    pilot.steps = t;
    pilot.updates = sim.stats().vehicleUpdates;
  }
  std::printf("one       %d steps, %llu vehicle updates, %.3f s (best of 3): %.1f ns per update\n",
              pilot.steps, static_cast<unsigned long long>(pilot.updates), pilot.seconds,
              pilot.seconds / static_cast<double>(pilot.updates) * 1e9);
  // 2. where the work is and which roads carry the vehicles
  pilot.nodeWork.assign(net.nodes.size(), 0.0);
  pilot.binWork.assign(net.nodes.size() * static_cast<std::size_t>(bins), 0.0);
  pilot.edgeFlow.assign(net.edges.size(), 0.0);
  std::vector<std::uint32_t> lastEdge(c.demand.trips.size(), kNone);
  // the edges vehicles entered in a step (teleports included): (edge, vehicle)
  auto entries = [&](const Simulation& sim, std::vector<std::uint32_t>& entered) {
    entered.clear();
    for (const auto& v : sim.vehicles()) {
      const std::uint32_t e = net.lanes[v.lane].edge;
      if (e != kNone && e != lastEdge[v.trip]) {
        lastEdge[v.trip] = e;
        entered.push_back(e);
      }
    }
  };
  std::vector<std::uint32_t> entered;
  pilotRun(c, [&](int t, const Simulation& sim) {
    const auto bin = static_cast<std::size_t>(
        std::min(bins - 1, static_cast<int>(static_cast<long>(t) * bins / pilot.steps)));
    for (const auto& v : sim.vehicles()) {
      pilot.nodeWork[ownerNode[v.lane]] += 1;
      pilot.binWork[ownerNode[v.lane] * static_cast<std::size_t>(bins) + bin] += 1;
    }
    entries(sim, entered);
    for (std::uint32_t e : entered)
      pilot.edgeFlow[e] += 1;
  });
  {
    // the granularity limit: no part can carry less than its heaviest junction
    const double total = std::accumulate(pilot.nodeWork.begin(), pilot.nodeWork.end(), 0.0);
    const auto heaviest = std::max_element(pilot.nodeWork.begin(), pilot.nodeWork.end());
    std::printf(
        "heaviest  junction %s: %.2f %% of the vehicle-steps (a part of 64 averages "
        "%.2f %%)\n",
        net.nodes[static_cast<std::size_t>(heaviest - pilot.nodeWork.begin())].id.c_str(),
        100.0 * *heaviest / total, 100.0 / 64);
  }
  // 3. the partitions and their static figures
  std::vector<SplitFigures> figs;
  for (int k : partCounts) {
    SplitFigures f;
    f.parts = k;
    f.owner = bins > 1 ? partition(net, pilot.binWork, pilot.edgeFlow, k, bins)
                       : partition(net, pilot.nodeWork, pilot.edgeFlow, k);
    f.partWork.assign(static_cast<std::size_t>(k), 0.0);
    f.partMsgBytes.assign(static_cast<std::size_t>(k), 0.0);
    std::vector<std::vector<char>> neighbour(static_cast<std::size_t>(k),
                                             std::vector<char>(static_cast<std::size_t>(k), 0));
    std::vector<std::size_t> ghosts(static_cast<std::size_t>(k), 0);
    for (const auto& e : net.edges) {
      const std::uint32_t a = f.owner[e.from], b = f.owner[e.to];
      if (a == b)
        continue;
      ++f.cutEdges;
      f.ghostLanes += e.laneCount;
      ghosts[a] += e.laneCount;  // a reads them, b sends them
      ghosts[b] += e.laneCount;
      neighbour[a][b] = neighbour[b][a] = 1;
    }
    f.maxGhostLanes = *std::max_element(ghosts.begin(), ghosts.end());
    for (const auto& row : neighbour) {
      const double nb = static_cast<double>(std::count(row.begin(), row.end(), 1));
      f.maxNeighbours = std::max(f.maxNeighbours, nb);
      f.meanNeighbours += nb / k;
    }
    for (std::size_t v = 0; v < net.nodes.size(); ++v)
      f.partWork[f.owner[v]] += pilot.nodeWork[v];
    const double mean = std::accumulate(f.partWork.begin(), f.partWork.end(), 0.0) / k;
    f.imbalance = *std::max_element(f.partWork.begin(), f.partWork.end()) / mean;
    figs.push_back(std::move(f));
  }
  // 4. per step: the busiest part's work, the vehicles handed over and the busiest process's
  // bytes (its summaries both ways, every step, plus the vehicles it sends and receives)
  std::fill(lastEdge.begin(), lastEdge.end(), kNone);
  std::vector<double> work, bytes;
  pilotRun(c, [&](int, const Simulation& sim) {
    const auto vehicles = sim.vehicles();
    entries(sim, entered);
    for (SplitFigures& f : figs) {
      const std::size_t k = static_cast<std::size_t>(f.parts);
      work.assign(k, 0.0);
      bytes.assign(k, 0.0);
      for (const auto& v : vehicles)
        work[f.owner[ownerNode[v.lane]]] += 1;
      double handed = 0;
      for (std::uint32_t e : entered) {
        const std::uint32_t a = f.owner[net.edges[e].from], b = f.owner[net.edges[e].to];
        if (a != b) {
          handed += 1;
          bytes[a] += kVehicleBytes;
          bytes[b] += kVehicleBytes;
        }
      }
      f.stepMaxWork += *std::max_element(work.begin(), work.end());
      f.handovers += handed;
      f.maxHandoversPerStep = std::max(f.maxHandoversPerStep, handed);
      for (std::size_t p = 0; p < k; ++p)
        f.partMsgBytes[p] += bytes[p];
    }
  });
  // the model (docs/scale-out.md): a step costs the busiest part's updates at the measured
  // cost per update, plus two neighbour exchanges and one allreduce, each alpha per message
  // plus bytes / beta
  auto model = [&](const SplitFigures& f, double alpha, double beta) {
    const double perUpdate = pilot.seconds / static_cast<double>(pilot.updates);
    const double steps = pilot.steps;
    double busiest = 0;
    for (std::size_t p = 0; p < f.partMsgBytes.size(); ++p)
      busiest = std::max(busiest, f.partMsgBytes[p]);
    const double summaryBytes = 2 * kSummaryBytes * static_cast<double>(f.maxGhostLanes);
    const double comm = steps * (2 * 2 * f.maxNeighbours * alpha + summaryBytes / beta +
                                 std::log2(f.parts) * alpha) +
                        busiest / beta;
    return pilot.seconds / (f.stepMaxWork * perUpdate + comm);
  };
  std::filesystem::create_directories(outDir);
  const std::string csvPath = outDir + "/partition-study.csv";
  std::ofstream csv(csvPath + ".tmp");
  csv << "parts,cut_edges,cut_share,ghost_lanes,max_ghost_lanes,max_neighbours,mean_neighbours,"
         "imbalance_total,imbalance_per_step,handovers_per_step,max_handovers_per_step,"
         "summary_bytes_per_step,vehicle_bytes_per_step,speedup_ideal,"
         "speedup_here,speedup_cluster\n";
  std::printf(
      "\n| parts | cut edges | ghost lanes (max/part) | neighbours max | work imbalance "
      "(total / per step) | handovers per step (mean / max) | bytes per step | speed-up: "
      "balance only | this machine's link | cluster link "
      "|\n|---|---|---|---|---|---|---|---|---|---|\n");
  const double totalWork = static_cast<double>(pilot.updates);
  for (const SplitFigures& f : figs) {
    const double steps = pilot.steps;
    const double perStepImb = f.stepMaxWork / (totalWork / f.parts);
    const double ideal = totalWork / f.stepMaxWork;
    const double shm = model(f, here.latency, here.bandwidth),
                 ib = model(f, cluster.latency, cluster.bandwidth);
    const double summaryBytes = kSummaryBytes * static_cast<double>(f.ghostLanes);
    const double vehBytes = f.handovers / steps * kVehicleBytes;
    std::printf(
        "| %d | %zu (%.1f %%) | %zu (%zu) | %.0f | %.2f / %.2f | %.2f / %.0f | %.1f kB | "
        "%.2f | %.2f | %.2f |\n",
        f.parts, f.cutEdges,
        100.0 * static_cast<double>(f.cutEdges) / static_cast<double>(net.edges.size()),
        f.ghostLanes, f.maxGhostLanes, f.maxNeighbours, f.imbalance, perStepImb,
        f.handovers / steps, f.maxHandoversPerStep, (summaryBytes + vehBytes) / 1e3, ideal, shm,
        ib);
    csv << f.parts << ',' << f.cutEdges << ','
        << static_cast<double>(f.cutEdges) / static_cast<double>(net.edges.size()) << ','
        << f.ghostLanes << ',' << f.maxGhostLanes << ',' << f.maxNeighbours << ','
        << f.meanNeighbours << ',' << f.imbalance << ',' << perStepImb << ',' << f.handovers / steps
        << ',' << f.maxHandoversPerStep << ',' << summaryBytes << ',' << vehBytes << ',' << ideal
        << ',' << shm << ',' << ib << '\n';
    std::ofstream part(outDir + "/part-" + std::to_string(f.parts) + ".txt.tmp");
    for (std::uint32_t o : f.owner)
      part << o << '\n';
    part.close();
    std::filesystem::rename(outDir + "/part-" + std::to_string(f.parts) + ".txt.tmp",
                            outDir + "/part-" + std::to_string(f.parts) + ".txt");
  }
  csv.close();
  std::filesystem::rename(csvPath + ".tmp", csvPath);
  std::printf("\nwrote     %s and part-<K>.txt\n", csvPath.c_str());
  return 0;
}

// ---- run over MPI ---------------------------------------------------------------------------

std::vector<std::uint32_t> readPartition(const std::string& path, std::size_t nodes, int ranks) {
  std::ifstream in(path);
  if (!in)
    throw InputError(path + ": cannot read the partition");
  std::vector<std::uint32_t> owner;
  long v = 0;
  while (in >> v) {
    if (v < 0 || v >= ranks)
      throw InputError(path + ": line " + std::to_string(owner.size() + 1) + ": owner " +
                       std::to_string(v) + " is not a rank of " + std::to_string(ranks));
    owner.push_back(static_cast<std::uint32_t>(v));
  }
  if (!in.eof())
    throw InputError(path + ": line " + std::to_string(owner.size() + 1) +
                     ": expected a rank number");
  if (owner.size() != nodes)
    throw InputError(path + ": " + std::to_string(owner.size()) + " owners for " +
                     std::to_string(nodes) + " junctions");
  return owner;
}

int cmdRun(const std::string& network, const std::string& demand, const std::string& vtypes,
           const std::string& partitionFile, const std::string& arrivalsFile) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const Case c = load(network, demand, vtypes);
  const Network& net = c.net;
  std::vector<std::uint32_t> owner;
  if (!partitionFile.empty()) {
    owner = readPartition(partitionFile, net.nodes.size(), size);
  } else {
    // without a study: weights from the network alone (lane-metres a junction owns, lanes)
    std::vector<double> work(net.nodes.size(), 0.0), lanes(net.edges.size(), 0.0);
    for (std::size_t e = 0; e < net.edges.size(); ++e) {
      work[net.edges[e].to] += net.edges[e].length * net.edges[e].laneCount / 10.0;
      lanes[e] = net.edges[e].laneCount;
    }
    owner = partition(net, work, lanes, size);
  }
  // neighbours: ranks across a cut edge, either way
  std::vector<int> neighbours;
  for (const auto& e : net.edges) {
    const int a = static_cast<int>(owner[e.from]), b = static_cast<int>(owner[e.to]);
    if (a != b && (a == rank || b == rank))
      neighbours.push_back(a == rank ? b : a);
  }
  std::sort(neighbours.begin(), neighbours.end());
  neighbours.erase(std::unique(neighbours.begin(), neighbours.end()), neighbours.end());
  double exchangeSeconds = 0;
  std::uint64_t messages = 0, bytesSent = 0;
  Simulation sim(net, c.vtypes, c.demand, SimParams{}, kSeed);
  if (size > 1) {
    twin::traffic::Domain d;
    d.nodeOwner = owner;
    d.self = static_cast<std::uint32_t>(rank);
    d.exchange = [&](std::vector<std::vector<std::uint8_t>> out) {
      const double t0 = MPI_Wtime();
      out.resize(static_cast<std::size_t>(size));
      for (int p = 0; p < size; ++p) {
        if (!out[static_cast<std::size_t>(p)].empty() &&
            !std::binary_search(neighbours.begin(), neighbours.end(), p))
          throw std::runtime_error("a message for a rank that is no neighbour");
      }
      std::vector<MPI_Request> req(neighbours.size());
      for (std::size_t i = 0; i < neighbours.size(); ++i) {
        const auto& buf = out[static_cast<std::size_t>(neighbours[i])];
        MPI_Isend(buf.data(), static_cast<int>(buf.size()), MPI_BYTE, neighbours[i], 7,
                  MPI_COMM_WORLD, &req[i]);
        bytesSent += buf.size();
        ++messages;
      }
      std::vector<std::vector<std::uint8_t>> in(static_cast<std::size_t>(size));
      for (int p : neighbours) {
        MPI_Status st;
        MPI_Probe(p, 7, MPI_COMM_WORLD, &st);
        int count = 0;
        MPI_Get_count(&st, MPI_BYTE, &count);
        auto& buf = in[static_cast<std::size_t>(p)];
        buf.resize(static_cast<std::size_t>(count));
        MPI_Recv(buf.data(), count, MPI_BYTE, p, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      }
      MPI_Waitall(static_cast<int>(req.size()), req.data(), MPI_STATUSES_IGNORE);
      exchangeSeconds += MPI_Wtime() - t0;
      return in;
    };
    sim.setDomain(std::move(d));
  }
  struct Arrived {
    double vehicle, inserted, arrived, metres;
  };
  std::vector<Arrived> mine;
  MPI_Barrier(MPI_COMM_WORLD);
  const double t0 = MPI_Wtime();
  int t = 0;
  double reduceSeconds = 0;
  for (; t < kMaxSteps; ++t) {
    sim.step(t, kSerial);
    for (const auto& a : sim.arrivals())
      mine.push_back({static_cast<double>(a.vehicle), sim.insertedAt(a.vehicle), a.t,
                      sim.odometer(a.vehicle)});
    const double r0 = MPI_Wtime();
    int done = sim.finished() ? 1 : 0, all = 0;
    MPI_Allreduce(&done, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    reduceSeconds += MPI_Wtime() - r0;
    if (all == 1) {
      ++t;
      break;
    }
  }
  const double wall = MPI_Wtime() - t0;
  // totals and the arrivals, to rank 0
  const auto s = sim.stats();
  std::uint64_t local[5] = {s.inserted, s.arrived, s.teleports, s.vehicleUpdates, sim.handedOver()};
  std::uint64_t total[5] = {0, 0, 0, 0, 0};
  MPI_Reduce(local, total, 5, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
  double times[3] = {wall, exchangeSeconds, reduceSeconds}, maxTimes[3] = {0, 0, 0};
  MPI_Reduce(times, maxTimes, 3, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  std::uint64_t comm[2] = {messages, bytesSent}, commTotal[2] = {0, 0};
  MPI_Reduce(comm, commTotal, 2, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
  const int n = static_cast<int>(mine.size() * 4);
  std::vector<int> counts(static_cast<std::size_t>(size)), displs(static_cast<std::size_t>(size));
  MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<double> all;
  if (rank == 0) {
    int sum = 0;
    for (int p = 0; p < size; ++p) {
      displs[static_cast<std::size_t>(p)] = sum;
      sum += counts[static_cast<std::size_t>(p)];
    }
    all.resize(static_cast<std::size_t>(sum));
  }
  MPI_Gatherv(reinterpret_cast<double*>(mine.data()), n, MPI_DOUBLE, all.data(), counts.data(),
              displs.data(), MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (rank != 0)
    return 0;
  std::vector<Arrived> arrivals(all.size() / 4);
  std::memcpy(arrivals.data(), all.data(), all.size() * sizeof(double));
  std::sort(arrivals.begin(), arrivals.end(),
            [](const Arrived& a, const Arrived& b) { return a.vehicle < b.vehicle; });
  double travel = 0;
  for (const Arrived& a : arrivals)
    travel += a.arrived - a.inserted;
  std::printf("ranks     %d (%zu junctions; partition %s)\n", size, net.nodes.size(),
              partitionFile.empty() ? "METIS on lane-metres" : partitionFile.c_str());
  std::printf("steps     %d, vehicles inserted %llu, arrived %llu, teleports %llu\n", t,
              static_cast<unsigned long long>(total[0]), static_cast<unsigned long long>(total[1]),
              static_cast<unsigned long long>(total[2]));
  std::printf("mean      travel time %.3f s\n",
              arrivals.empty() ? 0.0 : travel / static_cast<double>(arrivals.size()));
  std::printf(
      "wall      %.3f s, %.2f M vehicle updates/s; exchanges %.3f s, allreduce %.3f s "
      "(slowest rank)\n",
      maxTimes[0], static_cast<double>(total[3]) / maxTimes[0] / 1e6, maxTimes[1], maxTimes[2]);
  std::printf("messages  %llu, %.1f kB per step; vehicles handed over %llu\n",
              static_cast<unsigned long long>(commTotal[0]),
              static_cast<double>(commTotal[1]) / std::max(t, 1) / 1e3,
              static_cast<unsigned long long>(total[4]));
  if (!arrivalsFile.empty()) {
    std::ofstream out(arrivalsFile + ".tmp");
    char line[160];
    out << "trip,inserted_s,arrived_s,travel_time_s,metres\n";
    for (const Arrived& a : arrivals) {
      const auto& trip = c.demand.trips[static_cast<std::size_t>(a.vehicle)];
      std::snprintf(line, sizeof line, ",%.17g,%.17g,%.17g,%.17g\n", a.inserted, a.arrived,
                    a.arrived - a.inserted, a.metres);
      out << trip.id << line;
    }
    out.close();
    std::filesystem::rename(arrivalsFile + ".tmp", arrivalsFile);
  }
  return 0;
}

// ---- pingpong -------------------------------------------------------------------------------

int cmdPingpong() {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size != 2) {
    if (rank == 0)
      std::fprintf(stderr, "traffic-split: error: pingpong needs exactly 2 ranks\n");
    return 2;
  }
  auto halfRoundTrip = [&](std::size_t bytes, int reps) {
    std::vector<char> buf(std::max<std::size_t>(bytes, 1));
    const int n = static_cast<int>(bytes);
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = MPI_Wtime();
    for (int r = 0; r < reps; ++r) {
      if (rank == 0) {
        MPI_Send(buf.data(), n, MPI_BYTE, 1, 1, MPI_COMM_WORLD);
        MPI_Recv(buf.data(), n, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      } else {
        MPI_Recv(buf.data(), n, MPI_BYTE, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Send(buf.data(), n, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
      }
    }
    return (MPI_Wtime() - t0) / reps / 2;
  };
  halfRoundTrip(0, 1000);  // warm-up
  const double lat = halfRoundTrip(0, 20000);
  const std::size_t big = std::size_t{4} << 20;
  const double tBig = halfRoundTrip(big, 200);
  if (rank == 0) {
    std::printf("latency   %.3f us (half a round trip, 0 B)\n", lat * 1e6);
    std::printf("bandwidth %.2f GB/s (4 MiB messages)\n",
                static_cast<double>(big) / (tBig - lat) / 1e9);
  }
  return 0;
}

std::vector<int> parseParts(const std::string& s) {
  std::vector<int> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    int k = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), k);
    if (ec != std::errc{} || end != item.data() + item.size() || k < 2 || k > 4096)
      throw InputError("--parts: " + item + " is not a part count of 2..4096");
    out.push_back(k);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"traffic-split: split a traffic benchmark case over processes (docs/scale-out.md)"};
  app.require_subcommand(1);
  std::string network, demand, vtypes, out = "out/scale-out", parts = "2,4,8,16,32,64";
  std::string partitionFile, arrivalsFile;
  CLI::App* study =
      app.add_subcommand("study", "Partition the case's junctions into 2..64 parts and measure");
  CLI::App* run = app.add_subcommand("run", "Run the case split over the MPI ranks");
  for (CLI::App* sub : {study, run}) {
    sub->add_option("NETWORK", network, "Network folder of the neutral format")->required();
    sub->add_option("DEMAND", demand, "demand_<case>.csv[.gz]")->required();
    sub->add_option("VTYPES", vtypes, "vtypes.csv (variant idm)")->required();
  }
  study->add_option("--parts", parts, "Part counts")->capture_default_str();
  int bins = 1;
  study
      ->add_option("--time-bins", bins,
                   "Balance the work of each of this many periods of the run separately "
                   "(METIS multi-constraint; 1: the whole run's work)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  study->add_option("--out", out, "Output folder")->capture_default_str();
  run->add_option("--partition", partitionFile,
                  "Owner rank of every junction, one per line (study's part-<K>.txt)");
  run->add_option("--arrivals", arrivalsFile, "Write every vehicle's arrival here (CSV)");
  // the model's links: this machine's as `pingpong` measured it here (docs/scale-out.md), and an
  // assumed cluster interconnect (100 Gb/s, 2 us per message)
  double latUs = 0.0, bwGBs = 0.0, clusterLatUs = 2.0, clusterBwGBs = 12.5;
  study->add_option("--latency-us", latUs, "This machine's MPI latency (pingpong)")
      ->capture_default_str();
  study->add_option("--bandwidth-gbs", bwGBs, "This machine's MPI bandwidth (pingpong)")
      ->capture_default_str();
  study->add_option("--cluster-latency-us", clusterLatUs, "A cluster link's latency")
      ->capture_default_str();
  study->add_option("--cluster-bandwidth-gbs", clusterBwGBs, "A cluster link's bandwidth")
      ->capture_default_str();
  CLI::App* pingpong = app.add_subcommand("pingpong", "Measure MPI latency and bandwidth");
  CLI11_PARSE(app, argc, argv);
  MPI_Init(&argc, &argv);
  int code = 0;
  try {
    if (*study) {
      int rank = 0;
      MPI_Comm_rank(MPI_COMM_WORLD, &rank);
      if (!(latUs > 0 && bwGBs > 0 && clusterLatUs > 0 && clusterBwGBs > 0))
        throw InputError(
            "--latency-us and --bandwidth-gbs (measure them with "
            "`mpirun -n 2 traffic-split pingpong`) must be above 0");
      code = rank == 0 ? cmdStudy(network, demand, vtypes, parseParts(parts), out,
                                  Link{latUs * 1e-6, bwGBs * 1e9},
                                  Link{clusterLatUs * 1e-6, clusterBwGBs * 1e9}, bins)
                       : 0;
    } else if (*run) {
      code = cmdRun(network, demand, vtypes, partitionFile, arrivalsFile);
    } else if (*pingpong) {
      code = cmdPingpong();
    }
  } catch (const InputError& e) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0)
      std::fprintf(stderr, "traffic-split: error: %s\n", e.what());
    MPI_Finalize();
    return 2;
  } catch (const std::exception& e) {
    // anything else may strike one rank alone, with the others waiting for it
    std::fprintf(stderr, "traffic-split: error: %s\n", e.what());
    MPI_Abort(MPI_COMM_WORLD, 1);
    return 1;
  }
  MPI_Finalize();
  return code;
}
