// Sweep line charts: axes on whole 1-2-5 steps, error bars only where there
// is an interval, every string escaped, the same bytes for the same input.
#include <gtest/gtest.h>

#include "mpsim/report/plot.hpp"

namespace mpsim {
namespace {

std::vector<PlotSeries> sample() {
  return {{"rr <q=2> & co", {{1, 1.0, 0}, {2, 1.8, 0.25}, {4, 2.1, 0.4}}},
          {"fcfs", {{1, 1.0, 0}, {4, 1.5, 0}}}};
}

TEST(Plot, AxesUseWholeStepsFromZero) {
  std::string svg = format_line_chart_svg({"speedup", "cores", "speedup"}, sample());
  // y: the highest bar end is 2.5; a 0.5 step gives 0, 0.5 .. 2.5. x: 1 .. 4
  // in steps of 1 (3 / 5 = 0.6 rounds up to the next 1-2-5 step).
  for (const char* tick : {">0</text>", ">0.5</text>", ">2.5</text>", ">3</text>", ">4</text>"})
    EXPECT_NE(svg.find(tick), std::string::npos) << tick;
  for (const char* tick : {">5</text>", ">2.75</text>", ">3.5</text>"})
    EXPECT_EQ(svg.find(tick), std::string::npos) << tick;
}

TEST(Plot, ErrorBarsOnlyWhereThereIsAnInterval) {
  std::string svg = format_line_chart_svg({"t", "x", "y"}, sample());
  std::size_t bars = 0;
  for (auto pos = svg.find("<path"); pos != std::string::npos; pos = svg.find("<path", pos + 1))
    ++bars;
  EXPECT_EQ(bars, 2u);
  EXPECT_EQ(svg.find("<polyline", svg.find("<polyline") + 1) != std::string::npos,
            true);  // one line per series
}

TEST(Plot, StringsAreEscapedAndOutputIsStable) {
  std::string svg = format_line_chart_svg({"a<b", "x&y", "\"y\""}, sample());
  EXPECT_NE(svg.find("rr &lt;q=2&gt; &amp; co"), std::string::npos);
  EXPECT_NE(svg.find(">a&lt;b</text>"), std::string::npos);
  EXPECT_NE(svg.find(">x&amp;y</text>"), std::string::npos);
  EXPECT_NE(svg.find(">&quot;y&quot;</text>"), std::string::npos);
  EXPECT_EQ(svg.find("<q=2>"), std::string::npos);
  EXPECT_EQ(svg, format_line_chart_svg({"a<b", "x&y", "\"y\""}, sample()));
}

}  // namespace
}  // namespace mpsim
