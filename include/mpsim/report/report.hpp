#pragma once
/// Human and machine renderings of a run, all built from the RunResult.
#include <functional>
#include <string>
#include <string_view>

#include "mpsim/model/result.hpp"
#include "mpsim/model/scenario.hpp"

namespace mpsim {

/// One-line description of the machine: cores, policy, switch cost, options.
std::string describe_machine(const MachineConfig& m);

/// The default text report: summary, per-process table, printed lines,
/// errors, final files and, when it happened, the deadlock.
std::string format_text(const RunResult& r);

/// The whole result as JSON (docs/json-output.md); with `events`, the event log too.
std::string format_json(const RunResult& r, bool events);

/// Receives a text in pieces, in order.
using TextSink = std::function<void(std::string_view)>;

/// format_json(r, events) without the whole text in memory (a 1000-process
/// result is 772 KB, which cost 190 page faults to build): what can fail
/// (nlohmann::json::type_error for a string that is not UTF-8) is done and
/// thrown now; the function returned hands the text to a sink in pieces (the
/// processes in pieces of up to 64 KB; the rest, the event log included, as
/// nlohmann dumps it). `r` must outlive it.
std::function<void(const TextSink&)> json_writer(const RunResult& r, bool events);

/// OSTEP-style table with one row per tick (needs the event log).
std::string format_timeline(const RunResult& r);

/// Nearest-rank percentile (p in 0..100) of `values`; 0 for an empty list.
double percentile(std::vector<double> values, double p);
/// The same of a list already in ascending order (no copy, no sort).
double sorted_percentile(const std::vector<double>& sorted, double p);

}  // namespace mpsim

namespace mpsim {

/// Chrome trace-event JSON (opens in Perfetto and chrome://tracing): a track
/// per core and per process, instants for lifecycle events; needs the event log.
std::string format_trace(const RunResult& r);

/// A self-contained SVG Gantt chart of one or more runs stacked on one time
/// axis (one section per run, titled by `labels`); needs the event logs.
std::string format_gantt_svg(const std::vector<const RunResult*>& runs, const std::vector<std::string>& labels);

}  // namespace mpsim

namespace mpsim {
struct CompareRow;

/// One self-contained HTML page (inline SVG, CSS and a little JavaScript, no
/// network): scenario, compare table, bound, Gantt charts, process tree,
/// printed lines, errors and deadlocks. `rows` must have event logs.
std::string format_html_report(const Scenario& s, const std::vector<CompareRow>& rows);

}  // namespace mpsim
