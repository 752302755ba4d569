// SPDX-License-Identifier: Apache-2.0
// Reader of the neutral traffic benchmark format (GeoJSON edges and nodes, CSV connections,
// signal programs, vehicle types and demand, each optionally gzip-compressed), so that the same
// network and demand run in citytwin and in SUMO. Errors name the file and line.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "demand.hpp"
#include "network.hpp"

namespace twin::traffic {

class BenchError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The whole file, gunzipped when it is gzip (plain files pass through).
// Files of the benchmark format are read whole: at most this many bytes after decompression
// (the largest file of the peer cases, grid30 with 50,000 trips, is 11 MB of CSV).
inline constexpr std::size_t kMaxBenchFileBytes = std::size_t{1} << 30;
std::string readMaybeGzip(const std::string& path);

// A network folder: edges.geojson[.gz], nodes.geojson[.gz], connections.csv[.gz], tls.csv[.gz].
Network readBenchNetwork(const std::string& dir);

// vtypes.csv: the rows whose `source` names the variant (e.g. "idm" matches idm.add.xml).
std::vector<VehicleType> readBenchVTypes(const std::string& file, const std::string& variant);

// demand_<case>.csv[.gz]. With `givenRoutes` every trip drives its route_edges (checked: each
// edge must connect to the next); otherwise the caller routes from from_edge to to_edge and the
// trips carry just those two edges. Sorted by departure, stable.
Demand readBenchDemand(const std::string& file, const Network& net,
                       const std::vector<VehicleType>& vtypes, bool givenRoutes);

}  // namespace twin::traffic
