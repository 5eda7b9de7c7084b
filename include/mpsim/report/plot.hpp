#pragma once
/// Line charts with error bars, as SVG (`mpsim sweep plot`).
#include <string>
#include <vector>

namespace mpsim {

struct PlotPoint {
  double x = 0;
  double y = 0;     ///< the mean
  double half = 0;  ///< the error bar reaches y - half .. y + half
};

struct PlotSeries {
  std::string label;
  std::vector<PlotPoint> points;  ///< drawn joined in this order
};

struct PlotSpec {
  std::string title;
  std::string x_label;
  std::string y_label;
};

/// One chart: linear axes from the data (y from 0 when every value is >= 0),
/// one coloured polyline per series with its error bars, and a legend. Every
/// text is XML-escaped; the same input gives the same bytes.
std::string format_line_chart_svg(const PlotSpec& spec, const std::vector<PlotSeries>& series);

}  // namespace mpsim
