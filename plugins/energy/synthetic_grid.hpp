// SPDX-License-Identifier: Apache-2.0
// A synthetic but plausible distribution grid for a city, built the way planners lay one out:
//  1. low-voltage areas: the buildings are split by recursive coordinate bisection at the
//     load-weighted median (balanced areas, as in k-d trees) until an area's design load fits
//     one 10/0.4 kV transformer at the planning utilisation and the area is compact; the
//     transformer stands at the street node nearest the area's load centre; an area whose cable
//     route to a building would be longer than a feeder (streets detour) is split again;
//  2. low-voltage cables run along the streets: the shortest-path tree (Dijkstra) from the
//     transformer to every building's street node, radial as LV networks are operated; a section
//     whose downstream load exceeds one cable's rating gets parallel cables, and the route to a
//     building whose design voltage drop exceeds the LV budget gets more (as planners reinforce);
//  3. medium voltage: the transformers are grouped by the same bisection into primary-substation
//     areas that fit 110/10 kV transformers at their utilisation; 10 kV cables run along the
//     streets as the shortest-path tree from the substation (open rings, operated radially);
//  4. each substation's 10 kV busbar holds its voltage (the on-load tap changer) and is the
//     reference bus of its area.
// A single customer too large for one transformer (a hospital, a mall) gets a station of several
// in parallel. Buildings connect at their street node; the service cable itself is not modelled.
// Cable and transformer data come from assets/energy/grid_types.csv.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "physics/matpower.hpp"
#include "twin/plugin.h"

namespace twin::energy {

// The nearest of a fixed set of points (each with an id): a uniform grid of 100 m cells searched
// in growing square rings; ties go to the smaller id.
class PointIndex {
 public:
  PointIndex(std::span<const std::array<double, 2>> xy, std::span<const std::uint32_t> ids);
  bool empty() const { return points_.empty(); }
  std::uint32_t nearest(double x, double y) const;  // throws on an empty index

 private:
  static constexpr double kCell = 100.0;
  struct Entry {
    double x, y;
    std::uint32_t id;
  };
  double minX_ = 0, minY_ = 0;
  std::size_t nx_ = 0, ny_ = 0;
  std::vector<std::size_t> start_;  // per cell, into points_
  std::vector<Entry> points_;
};

struct CableType {
  std::string name;
  double kV = 0, rOhmPerKm = 0, xOhmPerKm = 0, cNfPerKm = 0, iMaxKA = 0;
  double ratingMVA() const;  // sqrt(3) V I
};
struct TransformerType {
  std::string name;
  double snMVA = 0, hvKV = 0, lvKV = 0, vkPct = 0, vkrPct = 0;
};
struct GridTypes {
  std::vector<CableType> cables;
  std::vector<TransformerType> transformers;
  // throws std::runtime_error "file:line: what" on a malformed file
  static GridTypes load(const std::string& path);
  const CableType& cable(const std::string& name) const;
};

struct GridDesign {
  std::string lvCable = "NAYY 4x150 SE";
  std::string mvCable = "NA2XS2Y 1x240 RM/25 6/10 kV";
  std::string substationTransformer = "40 MVA 110/10 kV";
  double lvUtilisation = 0.7;     // design load / transformer rating of an LV area
  double mvUtilisation = 0.6;     // of a substation and its MV cables (n-1 reserve in rings)
  double cableUtilisation = 0.7;  // of LV cables at design load
  double maxAreaSizeM = 500.0;    // an LV area's longer side at most
  double maxFeederM = 600.0;      // cable route from the transformer to a building at most
  double lvDropBudget = 0.04;     // voltage drop at design load along an LV feeder at most
  double powerFactor = 0.95;      // of the loads at design
  double setpointPu = 1.02;       // the substations' 10 kV busbar voltage (tap changer)
};

enum class BusLevel : std::int8_t { Mv = 1, Lv = 2 };
enum class BranchKind : std::int8_t { LvCable = 0, MvCable = 1, LvTransformer = 2 };

struct GridBus {
  double x = 0, y = 0;
  BusLevel level = BusLevel::Lv;
  std::int32_t area = 0;  // LV area (transformer) or substation index
  bool reference = false;
};
// A branch: a transformer, or a cable from one bus to the next (a bus is a street node with a
// customer or a junction of the feeder; the street's other nodes in between are not buses, the
// cable's sections between them are added up in series).
struct GridBranch {
  std::int32_t from = 0, to = 0;  // bus indices
  BranchKind kind = BranchKind::LvCable;
  std::int32_t type = 0;      // index into GridTypes cables or transformers
  std::int32_t parallel = 1;  // cables (the fewest along it) or transformers in parallel
  double lengthM = 0;         // cables
  double ratingMVA = 0;       // all in parallel (a cable: its weakest section)
  double rOhm = 0, xOhm = 0;  // cables: series impedance
  double bS = 0;              // cables: shunt susceptance (siemens)
  std::vector<double> xy;     // polyline, x y pairs (transformers: the two ends)
};
// Adds a section of `parallel` cables of type `c` and `lengthM` to a cable branch.
void addCableSection(GridBranch& b, const CableType& c, double lengthM, int parallel);
struct Substation {
  std::int32_t bus = 0;  // its 10 kV busbar (reference bus)
  std::int32_t transformers = 1;
  double ratingMVA = 0;
  double designMVA = 0;
};

struct SyntheticGrid {
  std::vector<GridBus> buses;
  std::vector<GridBranch> branches;
  std::vector<Substation> substations;
  std::vector<std::int32_t> buildingBus;  // per city building, -1: not connected
  std::size_t lvTransformers = 0;
  double lvCableKm = 0, mvCableKm = 0, designMW = 0;
  std::size_t unconnectedBuildings = 0;  // with a load but no street in the main network

  // The grid as a power-flow case (base 1 MVA, bus numbers 1..n in bus order, one generator
  // per substation at its reference bus); loads are zero.
  physics::PfCase toCase(const GridTypes& types, const GridDesign& design) const;
};

// Builds the grid for `designKW` (per city building; 0: no connection). Deterministic.
// Throws std::runtime_error when the city has no road network to lay cables along.
SyntheticGrid buildSyntheticGrid(const TwinCityInfo& city, std::span<const double> designKW,
                                 const GridTypes& types, const GridDesign& design);

}  // namespace twin::energy

namespace twin::energy {

// Length (m) of the street tree that joins the street nodes of `buildings` to the street node
// nearest (x, y): the trench of a district heating network laid from a source along the streets.
double streetTreeLengthM(const TwinCityInfo& city, double x, double y,
                         std::span<const std::uint32_t> buildings);

}  // namespace twin::energy
