// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "core/hash.hpp"
#include "core/rng.hpp"

namespace twin::core {
namespace {

TEST(Hash, Fnv1aReferenceValues) {
  // published FNV-1a 64-bit test vectors (Fowler/Noll/Vo)
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ULL);
  EXPECT_EQ(toHex(0xaf63dc4c8601ec8cULL), "af63dc4c8601ec8c");
}

TEST(Rng, SplitMix64ReferenceSequence) {
  // reference output of splitmix64 seeded with 1234567 (Vigna's splitmix64.c)
  std::uint64_t x = 1234567;
  EXPECT_EQ(splitMix64(x), 6457827717110365317ULL);
  EXPECT_EQ(splitMix64(x), 3203168211198807973ULL);
  EXPECT_EQ(splitMix64(x), 9817491932198370423ULL);
}

TEST(Rng, StreamsDependOnSeedAndNameOnly) {
  RngStream a = makeRngStream(42, "traffic");
  RngStream b = makeRngStream(42, "traffic");
  RngStream c = makeRngStream(42, "energy");
  RngStream d = makeRngStream(43, "traffic");
  const std::uint64_t first = a.next();
  EXPECT_EQ(first, b.next());
  EXPECT_NE(first, c.next());
  EXPECT_NE(first, d.next());
  // uniform() stays in [0, 1) and its mean is near 1/2
  double sum = 0.0;
  for (int i = 0; i < 100000; ++i) {
    const double u = a.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 100000.0, 0.5, 0.005);
}

}  // namespace
}  // namespace twin::core
