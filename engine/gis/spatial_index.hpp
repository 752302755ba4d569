// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "gis/geometry.hpp"

namespace twin::gis {

// A static R-tree over boxes, bulk-loaded with Sort-Tile-Recursive packing (Leutenegger,
// Lopez & Edgington 1997). Built once for the immutable city; queries are read-only and safe
// from many threads.
class RTree {
 public:
  RTree() = default;
  // Indexes item i by boxes[i].
  explicit RTree(const std::vector<Box>& boxes, int nodeCapacity = 16);

  // Calls visit(i) for every item whose box intersects `query`, in no particular order.
  void query(const Box& query, const std::function<void(std::uint32_t)>& visit) const;
  // Items whose box intersects `query`, sorted by index (deterministic).
  std::vector<std::uint32_t> query(const Box& query) const;
  // The item nearest to `p` by the distance `itemDistance(i)`, searching boxes outward;
  // -1 when empty or no item accepted (accept(i) false).
  std::int64_t nearest(Vec2 p, const std::function<double(std::uint32_t)>& itemDistance,
                       const std::function<bool(std::uint32_t)>& accept = nullptr) const;
  std::size_t size() const { return itemCount_; }

 private:
  struct Node {
    Box box;
    std::uint32_t first = 0;  // first child node, or first entry in items_ for leaves
    std::uint32_t count = 0;
    bool leaf = true;
  };
  std::vector<Node> nodes_;           // root last
  std::vector<std::uint32_t> items_;  // leaf entries
  std::vector<Box> itemBoxes_;
  std::size_t itemCount_ = 0;
};

}  // namespace twin::gis
