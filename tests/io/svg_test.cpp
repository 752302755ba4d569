// SPDX-License-Identifier: Apache-2.0
// The report's chart writer: nice ticks (Heckbert 1990), tick labels, escaping, map classes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "io/svg.hpp"

namespace twin::io::svg {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Svg, NiceTicksAreRoundAndCoverTheRange) {
  EXPECT_EQ(niceTicks(0, 97), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(niceTicks(-3.2, 4.1), (std::vector<double>{-4, -2, 0, 2, 4, 6}));
  // range 0.035 -> nice range 0.05, step nice(0.05 / 3) = 0.02
  const auto small = niceTicks(0.013, 0.048, 4);
  const std::vector<double> want{0, 0.02, 0.04, 0.06};
  ASSERT_EQ(small.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(small[i], want[i], 1e-12);
  const auto flat = niceTicks(5, 5);
  ASSERT_GE(flat.size(), 2u);
  EXPECT_LT(flat.front(), 5.0);
  EXPECT_GT(flat.back(), 5.0);
  EXPECT_TRUE(niceTicks(0, NAN).empty());
}

TEST(Svg, TickLabelsDropNoiseAndGroupThousands) {
  EXPECT_EQ(tickLabel(12500, 2500),
            "12\xE2\x80\x89"
            "500");
  EXPECT_EQ(tickLabel(2500, 500), "2500");
  EXPECT_EQ(tickLabel(0.30000000000000004, 0.1), "0.3");
  EXPECT_EQ(tickLabel(-0.0, 1), "0");
  EXPECT_EQ(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
}

TEST(Svg, DifferenceMapsColourSignsAndLeaveNoChangeGrey) {
  auto square = [](double x, double v) {
    return MapShape{{{{x, 0}, {x + 100, 0}, {x + 100, 100}, {x, 100}}}, v};
  };
  const std::string map =
      mapChart("d", "kWh", {square(0, -1), square(200, 0), square(400, 1)}, true, 600);
  EXPECT_THAT(map, HasSubstr("fill=\"#2166ac\""));     // the most negative class: blue
  EXPECT_THAT(map, HasSubstr("fill=\"#b35806\""));     // the most positive class: orange
  EXPECT_THAT(map, HasSubstr("fill=\"#e4e4e4\" d="));  // no change
  EXPECT_THAT(map, HasSubstr("no change"));
  // levels: zero is its own class, NaN grey
  const std::string levels =
      mapChart("l", "kWh", {square(0, 0), square(200, NAN), square(400, 3)}, false, 600);
  EXPECT_THAT(levels, HasSubstr("fill=\"#bbbbbb\" d="));
  EXPECT_THAT(levels, HasSubstr("fill=\"#e4e4e4\" d="));
  EXPECT_THAT(levels, Not(HasSubstr("no change")));
  // a shape under a third of a pixel is left out
  const std::string tiny =
      mapChart("t", "", {square(0, 1), {{{{5000, 0}, {5000.1, 0}, {5000.1, 0.1}}}, 2}}, false, 100);
  EXPECT_THAT(tiny, Not(HasSubstr("M100 ")));
}

TEST(Svg, LineChartsHaveAxesLegendAndGaps) {
  const std::string c =
      lineChart("t", "hours", "power [kW]",
                {{"base", {0, 1, 2, 3}, {1, 2, NAN, 4}}, {"var", {0, 3}, {2, 2}}});
  EXPECT_THAT(c, HasSubstr("<title>t</title>"));
  EXPECT_THAT(c, HasSubstr(">power [kW]</text>"));
  EXPECT_THAT(c, HasSubstr(">base</text>"));
  EXPECT_THAT(c, HasSubstr(">var</text>"));
  EXPECT_THAT(c, HasSubstr("stroke=\"#0072B2\""));  // Okabe-Ito blue first
  // the NaN breaks the first line into two pieces: two move-to commands in one path
  const auto d = c.find("<path d=\"M");
  ASSERT_NE(d, std::string::npos);
  const std::string path = c.substr(d, c.find('"', d + 9) - d);
  EXPECT_EQ(std::count(path.begin(), path.end(), 'M'), 2);
}

}  // namespace
}  // namespace twin::io::svg
