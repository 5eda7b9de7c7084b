#include "report.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

namespace mpsim::bench {

namespace {

std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

// Milliseconds with about three significant digits: runs span microseconds to seconds.
std::string ms(double seconds) {
  double v = seconds * 1e3;
  if (v >= 100) return format("%.0f", v);
  if (v >= 10) return format("%.1f", v);
  if (v >= 1) return format("%.2f", v);
  return format("%.3g", v);
}

double mib(std::int64_t kb) {
  return static_cast<double>(kb) / 1024.0;
}

// printf-style row layout shared by the header and the rows so they line up.
constexpr const char* kRow = "%-13s %10s %8s %5s %4s %9s %9s %10s %7s %8s %8s %10s\n";

}  // namespace

void print_header(std::ostream& out, const RunInfo& info) {
  const Host& h = info.host;
  out << "mpsim-bench" << (info.quick ? " --quick" : "") << ": median of " << info.reps
      << " runs, seed " << info.seed << "\n"
      << "host: " << h.cpu << ", " << h.logical_cpus << " logical CPUs, " << h.memory_mb << " MB, "
      << h.kernel << "\n"
      << "build: " << h.build_type << ", " << h.compiler << "\n\n";
  char line[256];
  std::snprintf(line, sizeof line, kRow, "workload", "size", "policy", "cores", "log", "median ms",
                "min ms", "events", "Mev/s", "peak MB", "load ms", "process ms");
  out << line;
  out.flush();
}

void print_row(std::ostream& out, const CaseResult& r) {
  const Case& c = r.spec;
  std::string size = c.workload->size_label(c.size);
  std::string cores = std::to_string(c.machine.cores), log = c.record_events ? "on" : "off";
  char line[512];
  if (!r.ok) {
    std::snprintf(line, sizeof line, "%-13s %10s %8s %5s %4s FAILED: %s\n",
                  c.workload->name.c_str(), size.c_str(), policy_label(c.machine).c_str(),
                  cores.c_str(), log.c_str(), r.failure.c_str());
  } else {
    std::snprintf(line, sizeof line, kRow, c.workload->name.c_str(), size.c_str(),
                  policy_label(c.machine).c_str(), cores.c_str(), log.c_str(),
                  ms(r.median_seconds()).c_str(), ms(r.min_seconds()).c_str(),
                  std::to_string(r.events).c_str(),
                  format("%.2f", r.events_per_second() / 1e6).c_str(),
                  format("%.1f", mib(r.peak_rss_kb)).c_str(), ms(r.load_seconds).c_str(),
                  r.process_seconds.empty() ? "-" : ms(r.median_process_seconds()).c_str());
  }
  out << line;
  out.flush();
}

void print_footer(std::ostream& out, const std::vector<CaseResult>& results) {
  out << "\n";
  std::set<std::string> seen;
  std::int64_t start_kb = 0;
  for (const CaseResult& r : results) {
    start_kb = std::max(start_kb, r.start_rss_kb);
    const Workload& w = *r.spec.workload;
    if (!seen.insert(w.name).second) continue;
    out << w.name << ": " << w.summary << "\n";
    if (!w.note.empty()) out << "  " << w.note << "\n";
  }
  out << "times: simulate() only (load ms: load_scenario_text alone on the generated text, median "
         "of as many runs);"
         " the host may be shared, so expect noise\n"
      << "process ms: the whole `mpsim run FILE --format json` process (start, load, simulate,"
         " analyse, write), median, log-off rows\n"
      << "Mev/s: scheduling events (every logged event) per second at the median time;"
         " log on/off: RunOptions::record_events\n"
      << "peak MB: peak RSS of a fresh child by the end of its first run, of which "
      << format("%.1f", mib(start_kb)) << " MB before loading anything\n";
}

std::string to_json(const RunInfo& info, const std::vector<CaseResult>& results) {
  using ojson = nlohmann::ordered_json;
  const Host& h = info.host;
  ojson doc = {{"host",
                {{"cpu", h.cpu},
                 {"logical_cpus", h.logical_cpus},
                 {"memory_mb", h.memory_mb},
                 {"kernel", h.kernel},
                 {"compiler", h.compiler},
                 {"build_type", h.build_type}}},
               {"quick", info.quick},
               {"reps", info.reps},
               {"seed", info.seed},
               {"results", ojson::array()}};
  for (const CaseResult& r : results) {
    const Case& c = r.spec;
    ojson row = {{"workload", c.workload->name},
                 {"size", c.workload->size_label(c.size)},
                 {"processes", c.size.processes},
                 {"bursts", c.size.bursts},
                 {"ticks", c.size.ticks},
                 {"policy", c.machine.policy},
                 {"policy_label", policy_label(c.machine)},
                 {"cores", c.machine.cores},
                 {"record_events", c.record_events},
                 {"ok", r.ok}};
    if (!r.ok) row["failure"] = r.failure;
    row["seconds"] = r.seconds;
    row["median_s"] = r.median_seconds();
    row["min_s"] = r.min_seconds();
    row["events"] = r.events;
    row["events_per_s"] = r.events_per_second();
    row["makespan"] = r.makespan;
    row["load_s"] = r.load_seconds;
    row["round_skipping"] = c.round_skipping;
    row["process_seconds"] = r.process_seconds;
    row["process_median_s"] = r.median_process_seconds();
    row["peak_rss_kb"] = r.peak_rss_kb;
    row["peak_rss_all_runs_kb"] = r.peak_all_kb;
    row["start_rss_kb"] = r.start_rss_kb;
    doc["results"].push_back(row);
  }
  return doc.dump(2);
}

}  // namespace mpsim::bench
