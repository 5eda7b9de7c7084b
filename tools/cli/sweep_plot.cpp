// mpsim sweep plot DIR --x PARAM --y METRIC [--series PARAM] -o chart.svg:
// one line per series value, one point per x value: the mean over every run
// with those two values (all other parameters and seeds pooled) and its 95 %
// confidence interval as an error bar.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "mpsim/analysis/stats.hpp"
#include "mpsim/model/diagnostics.hpp"
#include "mpsim/report/plot.hpp"
#include "sweep_commands.hpp"

namespace mpsim::cli {

namespace {

using json = nlohmann::ordered_json;

struct PlotArgs {
  std::string dir;
  std::string x;
  std::string y;
  std::string series;
  std::string title;
  std::string out;
  bool force = false;
};

// metrics.turnaround.mean -> the number, for a dotted metric name.
const json* metric(const json& metrics, const std::string& name) {
  const json* v = &metrics;
  std::size_t pos = 0;
  while (pos <= name.size()) {
    auto dot = name.find('.', pos);
    std::string key = name.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    if (!v->is_object() || !v->contains(key)) return nullptr;
    v = &(*v)[key];
    if (dot == std::string::npos) break;
    pos = dot + 1;
  }
  return v->is_number() ? v : nullptr;
}

void metric_names(const json& v, const std::string& prefix, std::vector<std::string>& out) {
  for (const auto& [k, x] : v.items()) {
    std::string n = prefix.empty() ? k : prefix + "." + k;
    if (x.is_object())
      metric_names(x, n, out);
    else if (x.is_number())
      out.push_back(n);
  }
}

std::string label(const json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

int fail(const std::string& msg) {
  std::cerr << "error: " << msg << "\n";
  return kExitBadInput;
}

int plot(const PlotArgs& a) {
  auto path = std::filesystem::path(a.dir) / "runs.jsonl";
  std::ifstream in(path);
  if (!in)
    return fail(path.string() + " not found: plot needs a finished sweep folder (or a merged one)");
  std::vector<std::string> series_order;
  std::map<std::string, std::map<double, std::vector<double>>> data;
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("params") || !j.contains("metrics"))
      return fail(path.string() + ": line " + std::to_string(n) + " is not a sweep row");
    const json& params = j["params"];
    std::vector<std::string> names;
    for (const auto& [k, v] : params.items()) names.push_back(k);
    for (const std::string* p : {&a.x, &a.series}) {
      if (p->empty() || params.contains(*p)) continue;
      std::string guess = closest_match(*p, names);
      return fail("the sweep has no parameter \"" + *p + "\"" +
                  (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)") +
                  "; parameters: " + (names.empty() ? "none" : [&] {
                    std::string s;
                    for (auto& x : names) s += (s.empty() ? "" : ", ") + x;
                    return s;
                  }()));
    }
    if (!params[a.x].is_number())
      return fail("parameter \"" + a.x + "\" is not a number (found " + params[a.x].dump() +
                  "): it cannot be an x axis");
    const json* y = metric(j["metrics"], a.y);
    if (!y) {
      std::vector<std::string> known;
      metric_names(j["metrics"], "", known);
      std::string guess = closest_match(a.y, known);
      return fail("no metric \"" + a.y + "\"" +
                  (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)") +
                  "; metrics are the numbers of a row's \"metrics\", dotted: makespan, speedup, "
                  "response.mean...");
    }
    std::string s = a.series.empty() ? a.y : label(params[a.series]);
    if (!data.count(s)) series_order.push_back(s);
    data[s][params[a.x].get<double>()].push_back(y->get<double>());
  }
  if (series_order.empty()) return fail(path.string() + " has no runs");
  std::vector<PlotSeries> series;
  for (const auto& s : series_order) {
    PlotSeries ps{a.series.empty() ? s : a.series + " " + s, {}};
    for (const auto& [x, ys] : data[s]) {
      MeanCi ci = mean_ci(ys);
      ps.points.push_back(PlotPoint{x, ci.mean, ci.half, ci.n});
    }
    series.push_back(std::move(ps));
  }
  PlotSpec spec{
      a.title.empty() ? a.y + " vs " + a.x + (a.series.empty() ? "" : " per " + a.series) : a.title,
      a.x, a.y + " (mean, 95 % CI)"};
  bool html = a.out.size() > 5 && a.out.compare(a.out.size() - 5, 5, ".html") == 0;
  std::string text =
      html ? format_line_chart_html(spec, series) : format_line_chart_svg(spec, series);
  return write_output(a.out, text, a.force) ? kExitOk : kExitBadInput;
}

}  // namespace

Command add_sweep_plot(CLI::App& sweep) {
  auto* cmd =
      sweep.add_subcommand("plot", "draw an SVG line chart with error bars from a sweep folder");
  auto a = std::make_shared<PlotArgs>();
  cmd->add_option("DIR", a->dir, "a finished (or merged) sweep folder")->required();
  cmd->add_option("--x", a->x, "the parameter on the x axis (a number), e.g. cores")->required();
  cmd->add_option("--y", a->y, "the metric on the y axis, e.g. speedup, response.mean")->required();
  cmd->add_option("--series", a->series, "one line per value of this parameter, e.g. policy");
  cmd->add_option("--title", a->title, "chart title (default: Y vs X per SERIES)");
  cmd->add_option("-o,--output", a->out,
                  "SVG file, or an HTML page (chart and table) if it ends in .html (default: SVG "
                  "on stdout)");
  cmd->add_flag("--force", a->force, "replace the output file if it exists");
  return [a] { return plot(*a); };
}

}  // namespace mpsim::cli
