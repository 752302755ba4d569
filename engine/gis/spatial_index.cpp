// SPDX-License-Identifier: Apache-2.0
#include "gis/spatial_index.hpp"

#include <algorithm>
#include <cmath>
#include <queue>

namespace twin::gis {
namespace {

Vec2 centre(const Box& b) {
  return {(b.minX + b.maxX) / 2.0, (b.minY + b.maxY) / 2.0};
}

Box unite(const Box& a, const Box& b) {
  return {std::min(a.minX, b.minX), std::min(a.minY, b.minY), std::max(a.maxX, b.maxX),
          std::max(a.maxY, b.maxY)};
}

double boxDistance(const Box& b, Vec2 p) {
  const double dx = std::max({b.minX - p.x, 0.0, p.x - b.maxX});
  const double dy = std::max({b.minY - p.y, 0.0, p.y - b.maxY});
  return std::hypot(dx, dy);
}

// orders `ids` into STR tiles of `capacity` entries by their boxes' centres
void strOrder(std::vector<std::uint32_t>& ids, const std::vector<Box>& boxes, int capacity) {
  const std::size_t n = ids.size();
  const auto leaves = static_cast<std::size_t>(std::ceil(static_cast<double>(n) / capacity));
  const auto slices = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(leaves))));
  const std::size_t perSlice = slices * static_cast<std::size_t>(capacity);
  auto byX = [&](std::uint32_t a, std::uint32_t b) {
    const double ca = centre(boxes[a]).x, cb = centre(boxes[b]).x;
    return ca != cb ? ca < cb : a < b;
  };
  auto byY = [&](std::uint32_t a, std::uint32_t b) {
    const double ca = centre(boxes[a]).y, cb = centre(boxes[b]).y;
    return ca != cb ? ca < cb : a < b;
  };
  std::sort(ids.begin(), ids.end(), byX);
  for (std::size_t s = 0; s < n; s += perSlice) {
    const auto end = ids.begin() + static_cast<std::ptrdiff_t>(std::min(n, s + perSlice));
    std::sort(ids.begin() + static_cast<std::ptrdiff_t>(s), end, byY);
  }
}

}  // namespace

RTree::RTree(const std::vector<Box>& boxes, int nodeCapacity)
    : itemBoxes_(boxes), itemCount_(boxes.size()) {
  if (boxes.empty())
    return;
  const auto cap = static_cast<std::size_t>(std::max(2, nodeCapacity));
  items_.resize(boxes.size());
  for (std::size_t i = 0; i < boxes.size(); ++i)
    items_[i] = static_cast<std::uint32_t>(i);
  strOrder(items_, boxes, static_cast<int>(cap));
  // leaves
  std::vector<std::uint32_t> level;
  for (std::size_t i = 0; i < items_.size(); i += cap) {
    Node leaf;
    leaf.leaf = true;
    leaf.first = static_cast<std::uint32_t>(i);
    leaf.count = static_cast<std::uint32_t>(std::min(cap, items_.size() - i));
    leaf.box = boxes[items_[i]];
    for (std::size_t k = i; k < i + leaf.count; ++k)
      leaf.box = unite(leaf.box, boxes[items_[k]]);
    level.push_back(static_cast<std::uint32_t>(nodes_.size()));
    nodes_.push_back(leaf);
  }
  // upper levels: pack consecutive nodes (already spatially ordered) until one root remains
  while (level.size() > 1) {
    std::vector<Box> levelBoxes;
    for (std::uint32_t id : level)
      levelBoxes.push_back(nodes_[id].box);
    std::vector<std::uint32_t> order(level.size());
    for (std::size_t i = 0; i < order.size(); ++i)
      order[i] = static_cast<std::uint32_t>(i);
    strOrder(order, levelBoxes, static_cast<int>(cap));
    // children of one parent must be contiguous in nodes_: copy them in packed order
    std::vector<std::uint32_t> next;
    for (std::size_t i = 0; i < order.size(); i += cap) {
      Node parent;
      parent.leaf = false;
      parent.first = static_cast<std::uint32_t>(nodes_.size());
      parent.count = static_cast<std::uint32_t>(std::min(cap, order.size() - i));
      parent.box = levelBoxes[order[i]];
      for (std::size_t k = i; k < i + parent.count; ++k) {
        nodes_.push_back(nodes_[level[order[k]]]);
        parent.box = unite(parent.box, levelBoxes[order[k]]);
      }
      next.push_back(static_cast<std::uint32_t>(nodes_.size()));
      nodes_.push_back(parent);
    }
    level = std::move(next);
  }
}

void RTree::query(const Box& q, const std::function<void(std::uint32_t)>& visit) const {
  if (nodes_.empty())
    return;
  std::vector<std::uint32_t> stack{static_cast<std::uint32_t>(nodes_.size() - 1)};
  while (!stack.empty()) {
    const Node& n = nodes_[stack.back()];
    stack.pop_back();
    if (!n.box.intersects(q))
      continue;
    for (std::uint32_t k = 0; k < n.count; ++k) {
      if (n.leaf) {
        const std::uint32_t item = items_[n.first + k];
        if (itemBoxes_[item].intersects(q))
          visit(item);
      } else {
        stack.push_back(n.first + k);
      }
    }
  }
}

std::vector<std::uint32_t> RTree::query(const Box& q) const {
  std::vector<std::uint32_t> out;
  query(q, [&](std::uint32_t i) { out.push_back(i); });
  std::sort(out.begin(), out.end());
  return out;
}

std::int64_t RTree::nearest(Vec2 p, const std::function<double(std::uint32_t)>& itemDistance,
                            const std::function<bool(std::uint32_t)>& accept) const {
  if (nodes_.empty())
    return -1;
  // best-first search over nodes and items by their lower-bound distance (Hjaltason & Samet)
  struct Entry {
    double d;
    std::uint32_t id;
    bool item;
    bool operator>(const Entry& o) const {
      return d != o.d ? d > o.d : (item != o.item ? !item : id > o.id);
    }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
  const auto root = static_cast<std::uint32_t>(nodes_.size() - 1);
  queue.push({boxDistance(nodes_[root].box, p), root, false});
  while (!queue.empty()) {
    const Entry e = queue.top();
    queue.pop();
    if (e.item)
      return e.id;
    const Node& n = nodes_[e.id];
    for (std::uint32_t k = 0; k < n.count; ++k) {
      if (n.leaf) {
        const std::uint32_t item = items_[n.first + k];
        if (accept && !accept(item))
          continue;
        queue.push({itemDistance(item), item, true});
      } else {
        queue.push({boxDistance(nodes_[n.first + k].box, p), n.first + k, false});
      }
    }
  }
  return -1;
}

}  // namespace twin::gis
