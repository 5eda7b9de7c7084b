// SVG line charts for sweeps: a fixed layout (plot area, about 5 ticks per axis,
// legend on the right) so charts of different sweeps line up side by side.
#include "mpsim/report/plot.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "report/text_table.hpp"

namespace mpsim {

namespace {

constexpr double kLeft = 80, kTop = 40, kWidth = 560, kHeight = 320, kLegendW = 190;
constexpr int kTicks = 5;
const char* const kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

using detail::fixed;
using detail::xml_escape;

// A short label for an axis tick: no trailing zeros.
std::string tick_text(double v) {
  std::string s = fixed(v, 3);
  while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) {
    bool dot = s.back() == '.';
    s.pop_back();
    if (dot) break;
  }
  return s == "-0" ? "0" : s;
}

struct Range {
  double lo, hi;
  [[nodiscard]] double span() const { return hi > lo ? hi - lo : 1; }
};

// A tick step of 1, 2 or 5 times a power of ten giving about kTicks steps;
// found by multiplying and dividing by 10 only (no log10: the same bytes
// whatever the C library).
double nice_step(double span) {
  double raw = span / kTicks;
  if (!(raw > 0)) return 1;
  double p = 1;
  while (p * 10 <= raw) p *= 10;
  while (p > raw) p /= 10;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (p * m >= raw) return p * m;
  return p * 10;
}

// The axis widened to whole steps.
Range nice(Range r, double step) {
  return {std::floor(r.lo / step) * step, std::ceil(r.hi / step) * step};
}

}  // namespace

std::string format_line_chart_svg(const PlotSpec& spec, const std::vector<PlotSeries>& series) {
  Range xr{0, 0}, yr{0, 0};
  bool any = false, negative = false;
  for (const auto& s : series)
    for (const auto& p : s.points) {
      if (!any) xr = {p.x, p.x}, yr = {p.y - p.half, p.y + p.half};
      any = true;
      xr = {std::min(xr.lo, p.x), std::max(xr.hi, p.x)};
      yr = {std::min(yr.lo, p.y - p.half), std::max(yr.hi, p.y + p.half)};
      negative = negative || p.y - p.half < 0;
    }
  if (!negative) yr.lo = 0;
  if (yr.hi <= yr.lo) yr.hi = yr.lo + 1;
  const double ystep = nice_step(yr.span());
  yr = nice(yr, ystep);
  const double xstep = nice_step(xr.span());
  if (xr.hi > xr.lo) xr = nice(xr, xstep);
  auto px = [&](double x) {
    return kLeft + (xr.hi > xr.lo ? (x - xr.lo) / xr.span() * kWidth : kWidth / 2);
  };
  auto py = [&](double y) { return kTop + kHeight - (y - yr.lo) / yr.span() * kHeight; };

  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kLeft + kWidth + kLegendW
    << "\" height=\"" << kTop + kHeight + 60 << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  o << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "<text x=\"" << kLeft << "\" y=\"24\" font-size=\"15\">" << xml_escape(spec.title)
    << "</text>\n";
  o << "<g stroke=\"#999\">\n<line x1=\"" << kLeft << "\" y1=\"" << kTop + kHeight << "\" x2=\""
    << kLeft + kWidth << "\" y2=\"" << kTop + kHeight << "\"/>\n<line x1=\"" << kLeft << "\" y1=\""
    << kTop << "\" x2=\"" << kLeft << "\" y2=\"" << kTop + kHeight << "\"/>\n</g>\n";
  for (int i = 0; xr.lo + xstep * i <= xr.hi + xstep / 2; ++i) {
    double xv = xr.hi > xr.lo ? xr.lo + xstep * i : xr.lo;
    o << "<text x=\"" << fixed(px(xv), 1) << "\" y=\"" << kTop + kHeight + 16
      << "\" text-anchor=\"middle\">" << tick_text(xv) << "</text>\n";
    if (!(xr.hi > xr.lo)) break;
  }
  for (int i = 0; yr.lo + ystep * i <= yr.hi + ystep / 2; ++i) {
    double yv = yr.lo + ystep * i;
    o << "<line x1=\"" << kLeft << "\" y1=\"" << fixed(py(yv), 1) << "\" x2=\"" << kLeft + kWidth
      << "\" y2=\"" << fixed(py(yv), 1) << "\" stroke=\"#eee\"/>\n";
    o << "<text x=\"" << kLeft - 6 << "\" y=\"" << fixed(py(yv) + 4, 1) << "\" text-anchor=\"end\">"
      << tick_text(yv) << "</text>\n";
  }
  o << "<text x=\"" << kLeft + kWidth / 2 << "\" y=\"" << kTop + kHeight + 40
    << "\" text-anchor=\"middle\">" << xml_escape(spec.x_label) << "</text>\n";
  o << "<text transform=\"rotate(-90)\" x=\"" << -(kTop + kHeight / 2)
    << "\" y=\"16\" text-anchor=\"middle\">" << xml_escape(spec.y_label) << "</text>\n";
  for (std::size_t k = 0; k < series.size(); ++k) {
    const char* colour = kColours[k % (sizeof kColours / sizeof kColours[0])];
    const auto& s = series[k];
    o << "<g stroke=\"" << colour << "\" fill=\"" << colour << "\">\n";
    std::string pts;
    for (const auto& p : s.points)
      pts += (pts.empty() ? "" : " ") + fixed(px(p.x), 1) + "," + fixed(py(p.y), 1);
    o << "<polyline fill=\"none\" stroke-width=\"2\" points=\"" << pts << "\"/>\n";
    for (const auto& p : s.points) {
      std::string x = fixed(px(p.x), 1);
      o << "<circle cx=\"" << x << "\" cy=\"" << fixed(py(p.y), 1) << "\" r=\"3\"><title>"
        << xml_escape(s.label) << ": " << tick_text(p.x) << " -> " << fixed(p.y, 3) << " ± "
        << fixed(p.half, 3) << "</title></circle>\n";
      if (p.half > 0)
        o << "<path fill=\"none\" d=\"M" << x << " " << fixed(py(p.y - p.half), 1) << "V"
          << fixed(py(p.y + p.half), 1) << "M" << fixed(px(p.x) - 4, 1) << " "
          << fixed(py(p.y - p.half), 1) << "h8M" << fixed(px(p.x) - 4, 1) << " "
          << fixed(py(p.y + p.half), 1) << "h8\"/>\n";
    }
    double ly = kTop + 10 + 18.0 * static_cast<double>(k);
    o << "<line x1=\"" << kLeft + kWidth + 15 << "\" y1=\"" << fixed(ly, 1) << "\" x2=\""
      << kLeft + kWidth + 35 << "\" y2=\"" << fixed(ly, 1) << "\" stroke-width=\"2\"/>\n";
    o << "<text stroke=\"none\" fill=\"black\" x=\"" << kLeft + kWidth + 40 << "\" y=\""
      << fixed(ly + 4, 1) << "\">" << xml_escape(s.label) << "</text>\n</g>\n";
  }
  o << "</svg>\n";
  return o.str();
}

std::string format_line_chart_html(const PlotSpec& spec, const std::vector<PlotSeries>& series) {
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
    << xml_escape(spec.title) << "</title>\n<style>body{font-family:sans-serif;margin:2em}"
    << "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px "
       "8px;text-align:right}"
    << "td:first-child,th:first-child{text-align:left}</style>\n</head>\n<body>\n<h1>"
    << xml_escape(spec.title) << "</h1>\n"
    << format_line_chart_svg(spec, series) << "<table>\n<tr><th>series</th><th>"
    << xml_escape(spec.x_label) << "</th><th>mean</th><th>± 95 %</th><th>runs</th></tr>\n";
  for (const auto& s : series)
    for (const auto& p : s.points)
      o << "<tr><td>" << xml_escape(s.label) << "</td><td>" << tick_text(p.x) << "</td><td>"
        << fixed(p.y, 4) << "</td><td>" << fixed(p.half, 4) << "</td><td>" << p.n << "</td></tr>\n";
  o << "</table>\n</body>\n</html>\n";
  return o.str();
}

}  // namespace mpsim
