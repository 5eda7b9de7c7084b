// Renderings of a comparison: a table (text or CSV) or JSON, then the bound
// and two lines in plain words on concurrency versus parallelism.
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

#include "mpsim/analysis/compare.hpp"
#include "mpsim/report/report.hpp"
#include "report/csv.hpp"
#include "report/text_table.hpp"

namespace mpsim {

namespace {

using detail::fixed;

struct Dist {
  double mean = 0, p95 = 0;
};

Dist dist(const RunResult& r, Tick (*metric)(const ProcessResult&)) {
  std::vector<double> v;
  for (const auto& p : r.processes)
    if (p.finish >= 0) v.push_back(static_cast<double>(metric(p)));
  if (v.empty()) return {};
  return {std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()), percentile(v, 95)};
}

Tick turnaround(const ProcessResult& p) { return p.turnaround(); }
Tick response(const ProcessResult& p) { return p.response(); }
Tick wait(const ProcessResult& p) { return p.wait; }

const std::vector<std::string>& columns() {
  static const std::vector<std::string> kCols = {
      "cores", "policy", "makespan", "speedup", "efficiency", "cpu_util", "io_busy", "turnaround_mean",
      "turnaround_p95", "response_mean", "response_p95", "wait_mean", "wait_p95", "switches",
      "switch_overhead", "max_parallelism", "avg_concurrency", "bound", "makespan_over_bound"};
  return kCols;
}

std::vector<std::string> cells(const CompareRow& row) {
  const RunResult& r = row.result;
  Dist ta = dist(r, turnaround), rs = dist(r, response), wt = dist(r, wait);
  double bound = row.bound();
  return {std::to_string(row.config.cores), row.policy_description, std::to_string(r.makespan),
          fixed(row.speedup(), 2), fixed(row.efficiency(), 2), fixed(100 * row.utilisation(), 1) + "%",
          std::to_string(r.io_busy), fixed(ta.mean, 2), fixed(ta.p95, 0), fixed(rs.mean, 2), fixed(rs.p95, 0),
          fixed(wt.mean, 2), fixed(wt.p95, 0), std::to_string(r.context_switches), std::to_string(r.switch_overhead),
          std::to_string(r.max_parallelism), fixed(r.average_concurrency(), 2), fixed(bound, 1),
          bound > 0 ? fixed(static_cast<double>(r.makespan) / bound, 2) : "-"};
}

std::string path_text(const WorkSpan& ws, const RunResult& r) {
  std::string out;
  Pid last = kNoPid;
  for (const auto& step : ws.critical_path) {
    if (step.ticks == 0 && step.what != "spawn" && step.what != "join") continue;
    std::string name = "?";
    for (const auto& p : r.processes)
      if (p.pid == step.pid) name = p.name;
    if (!out.empty()) out += ", ";
    if (step.pid != last) out += name + " ";
    out += step.what + (step.ticks ? " " + std::to_string(step.ticks) : "");
    last = step.pid;
  }
  return out.empty() ? "(empty)" : out;
}

// "on 1 core up to 6 processes were in progress at once ... speedup 3.1 of a possible 3.4"
std::string plain_words(const std::vector<CompareRow>& rows) {
  const CompareRow* one = nullptr;
  const CompareRow* most = nullptr;
  for (const auto& r : rows) {
    if (r.config.cores == 1 && !one) one = &r;
    if (!most || r.config.cores > most->config.cores) most = &r;
  }
  std::ostringstream out;
  if (one)
    out << "On 1 core up to " << one->result.max_concurrency << " processes were in progress at once "
        << "(concurrency), but never more than " << one->result.max_parallelism << " ran at once.\n";
  if (most && most->config.cores > 1) {
    double possible = most->bound() > 0 ? static_cast<double>(most->baseline_makespan) / most->bound() : 0;
    out << "On " << most->config.cores << " cores up to " << most->result.max_parallelism
        << " ran at once (parallelism): speedup " << fixed(most->speedup(), 2) << " of a possible "
        << fixed(possible, 2) << " (makespan " << most->baseline_makespan << " -> " << most->result.makespan
        << ", bound " << fixed(most->bound(), 1) << ").\n";
  }
  return out.str();
}

}  // namespace

std::string format_compare_text(const std::vector<CompareRow>& rows) {
  detail::Table t(columns());
  for (const auto& row : rows) t.add(cells(row));
  std::ostringstream out;
  out << t.render("") << "\n";
  if (rows.empty()) return out.str();
  const WorkSpan& ws = rows.front().work_span;
  out << "work " << ws.work << " ticks, span " << ws.span << " ticks: on p cores no schedule beats max(work/p, span)\n";
  const CompareRow* slowest = &rows.front();
  for (const auto& r : rows)
    if (r.result.makespan > slowest->result.makespan) slowest = &r;
  out << "critical path of the slowest run (" << slowest->config.cores << " core(s), " << slowest->policy_description
      << "): " << path_text(slowest->work_span, slowest->result) << "\n\n";
  out << plain_words(rows);
  return out.str();
}

std::vector<std::string> compare_csv_columns() {
  std::vector<std::string> cols = columns();
  cols.push_back("work");
  cols.push_back("span");
  return cols;
}

std::vector<std::string> compare_csv_cells(const CompareRow& row) {
  auto c = cells(row);
  c[5].pop_back();  // "93.5%" -> "93.5": CSV keeps plain numbers
  c.push_back(std::to_string(row.work_span.work));
  c.push_back(std::to_string(row.work_span.span));
  return c;
}

std::string format_compare_csv(const std::vector<CompareRow>& rows) {
  std::string out;
  const auto cols = compare_csv_columns();
  for (std::size_t i = 0; i < cols.size(); ++i) out += (i ? "," : "") + cols[i];
  out += "\n";
  for (const auto& row : rows) {
    auto c = compare_csv_cells(row);
    for (std::size_t i = 0; i < c.size(); ++i) out += (i ? "," : "") + detail::csv_quote(c[i]);
    out += "\n";
  }
  return out;
}

namespace {
nlohmann::ordered_json row_json(const CompareRow& row);
}  // namespace

std::string format_compare_json(const std::vector<CompareRow>& rows) {
  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  for (const auto& row : rows) j.push_back(row_json(row));
  return j.dump(2);
}

std::string compare_json_line(const CompareRow& row) {
  return row_json(row).dump();
}

namespace {

nlohmann::ordered_json row_json(const CompareRow& row) {
  const RunResult& r = row.result;
  Dist ta = dist(r, turnaround), rs = dist(r, response), wt = dist(r, wait);
  nlohmann::ordered_json path = nlohmann::ordered_json::array();
  for (const auto& s : row.work_span.critical_path)
    path.push_back({{"pid", s.pid}, {"what", s.what}, {"ticks", s.ticks}});
  return {{"cores", row.config.cores},
          {"policy", r.machine.scheduler.policy},
          {"policy_description", row.policy_description},
          {"makespan", r.makespan},
          {"baseline_makespan", row.baseline_makespan},
          {"speedup", row.speedup()},
          {"efficiency", row.efficiency()},
          {"cpu_utilisation", row.utilisation()},
          {"io_busy", r.io_busy},
          {"turnaround", {{"mean", ta.mean}, {"p95", ta.p95}}},
          {"response", {{"mean", rs.mean}, {"p95", rs.p95}}},
          {"wait", {{"mean", wt.mean}, {"p95", wt.p95}}},
          {"context_switches", r.context_switches},
          {"switch_overhead", r.switch_overhead},
          {"max_parallelism", r.max_parallelism},
          {"average_concurrency", r.average_concurrency()},
          {"max_concurrency", r.max_concurrency},
          {"work", row.work_span.work},
          {"span", row.work_span.span},
          {"bound", row.bound()},
          {"critical_path", path}};
}

}  // namespace

}  // namespace mpsim
