#pragma once
/// Line charts with error bars, as SVG (`mpsim sweep plot`).
#include <cstddef>
#include <string>
#include <vector>

namespace mpsim {

struct PlotPoint {
  double x = 0;
  double y = 0;       ///< the mean
  double half = 0;    ///< the error bar reaches y - half .. y + half
  std::size_t n = 0;  ///< runs behind the point (shown in the HTML table)
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

/// A self-contained HTML page (no script, nothing fetched): the chart inline
/// and a table of its points (series, x, mean, 95 % half-width, runs).
std::string format_line_chart_html(const PlotSpec& spec, const std::vector<PlotSeries>& series);

}  // namespace mpsim
