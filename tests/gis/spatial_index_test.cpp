// SPDX-License-Identifier: Apache-2.0
#include "gis/spatial_index.hpp"

#include <gtest/gtest.h>

#include "core/rng.hpp"

namespace twin::gis {
namespace {

TEST(RTree, QueriesMatchABruteForceScan) {
  core::RngStream rng = core::makeRngStream(1, "rtree");
  std::vector<Box> boxes;
  for (int i = 0; i < 5000; ++i) {
    const double x = rng.uniform() * 10000.0, y = rng.uniform() * 8000.0;
    boxes.push_back({x, y, x + rng.uniform() * 40.0, y + rng.uniform() * 40.0});
  }
  RTree tree(boxes);
  EXPECT_EQ(tree.size(), 5000u);
  for (int q = 0; q < 200; ++q) {
    const double x = rng.uniform() * 10000.0, y = rng.uniform() * 8000.0, s = rng.uniform() * 500.0;
    const Box query{x, y, x + s, y + s};
    std::vector<std::uint32_t> expected;
    for (std::uint32_t i = 0; i < boxes.size(); ++i) {
      if (boxes[i].intersects(query))
        expected.push_back(i);
    }
    ASSERT_EQ(tree.query(query), expected);
  }
  // nearest point agrees with a scan
  std::vector<Box> points;
  for (int i = 0; i < 3000; ++i) {
    const double x = rng.uniform() * 1000.0, y = rng.uniform() * 1000.0;
    points.push_back({x, y, x, y});
  }
  RTree pointTree(points);
  for (int q = 0; q < 100; ++q) {
    const Vec2 p{rng.uniform() * 1000.0, rng.uniform() * 1000.0};
    std::uint32_t best = 0;
    for (std::uint32_t i = 1; i < points.size(); ++i) {
      if (distance({points[i].minX, points[i].minY}, p) <
          distance({points[best].minX, points[best].minY}, p)) {
        best = i;
      }
    }
    EXPECT_EQ(pointTree.nearest(p,
                                [&](std::uint32_t i) {
                                  return distance({points[i].minX, points[i].minY}, p);
                                }),
              best);
  }
  EXPECT_EQ(RTree().nearest({0, 0}, [](std::uint32_t) { return 0.0; }), -1);
}

TEST(Geometry, AreaCentroidAndContainment) {
  Polygon square{{{0, 0}, {10, 0}, {10, 10}, {0, 10}}, {{{4, 4}, {6, 4}, {6, 6}, {4, 6}}}};
  EXPECT_DOUBLE_EQ(area(square), 96.0);
  const Vec2 c = centroid(square.outer);
  EXPECT_DOUBLE_EQ(c.x, 5.0);
  EXPECT_DOUBLE_EQ(c.y, 5.0);
  EXPECT_TRUE(contains(square, {1, 1}));
  EXPECT_FALSE(contains(square, {5, 5}));  // in the hole
  EXPECT_FALSE(contains(square, {11, 5}));
  EXPECT_DOUBLE_EQ(length(std::vector<Vec2>{{0, 0}, {3, 4}, {3, 10}}), 11.0);
}

}  // namespace
}  // namespace twin::gis
