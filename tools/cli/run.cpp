// mpsim run FILE: simulate and report.
#include <fstream>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.hpp"
#include "mpsim/analysis/deadlock.hpp"
#include "mpsim/analysis/expect.hpp"
#include "mpsim/analysis/explore.hpp"
#include "mpsim/kernel/machine.hpp"
#include "mpsim/report/report.hpp"

namespace mpsim::cli {

namespace {

struct RunArgs {
  std::string file;
  MachineOptions machine;
  std::string format = "text";
  bool timeline = false;
  bool events = false;
  bool no_skip = false;
  bool no_round_skip = false;
  std::string out;
  std::string trace;
  std::string gantt;
  std::string dot;
  std::string tree;
  bool force = false;
  std::string backend = "sim";
  RealCliOptions real;
  std::string schedule;
  LimitOptions limits;
};

nlohmann::json real_info_json(const os::RealInfo& i) {
  nlohmann::json j;
  j["policy"] = i.policy;
  j["policy_note"] = i.policy_note;
  j["rr_interval_us"] = i.rr_interval_us;
  j["cpus"] = i.cpus;
  j["folder"] = i.folder;
  j["folder_kept"] = i.folder_kept;
  nlohmann::json pids = nlohmann::json::object();
  for (const auto& [p, real] : i.real_pids) pids[std::to_string(p)] = real;
  j["real_pids"] = pids;
  j["facts"] = nlohmann::json::array();
  for (const auto& f : i.facts) j["facts"].push_back({{"pid", f.pid}, {"tick", f.tick}, {"text", f.text}});
  j["notes"] = i.notes;
  j["stopped"] = i.stopped;
  j["wall_us"] = i.wall_us;
  j["wall_limit_ms"] = i.wall_limit_ms;
  j["predicted_makespan"] = i.predicted_makespan;
  j["load1"] = i.load1;
  j["events_dropped"] = i.events_dropped;
  return j;
}

nlohmann::ordered_json expect_json(const std::vector<ExpectOutcome>& outcomes) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& o : outcomes)
    list.push_back({{"expression", o.source}, {"ok", o.ok}, {"value", o.value}});
  return list;
}

// ^C during a long simulation: the run stops at its next boundary and the
// partial result is reported, marked as interrupted (docs/reliability.md).
volatile std::sig_atomic_t g_interrupt = 0;
void on_interrupt(int sig) {
  g_interrupt = sig;
}

}  // namespace

Command add_run(CLI::App& app) {
  auto* cmd = app.add_subcommand("run", "simulate a scenario and report what happened");
  auto a = std::make_shared<RunArgs>();
  cmd->add_option("FILE", a->file, "scenario file")->required();
  a->machine.add_to(*cmd);
  cmd->add_option("--backend", a->backend, "sim (the simulator, default) or real (real Linux processes, docs/real-os.md)")
      ->check(CLI::IsMember({"sim", "real"}));
  a->real.add_to(*cmd);
  a->limits.add_to(*cmd);
  cmd->add_option("--format", a->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->add_flag("--timeline", a->timeline, "add the per-tick table (text format)");
  cmd->add_flag("--events", a->events, "add the event log (json format)");
  cmd->add_flag("--no-skip", a->no_skip, "simulate tick by tick instead of skipping idle ticks (same result, slower)");
  cmd->add_flag("--no-round-skip", a->no_round_skip,
                "simulate rr/fair/cfs rounds slice by slice instead of skipping whole ones (same "
                "result, slower)");
  cmd->add_option("-o,--output", a->out, "write the report to this file instead of stdout");
  cmd->add_option("--trace", a->trace, "also write a Chrome trace-event JSON file (Perfetto, chrome://tracing)");
  cmd->add_option("--gantt", a->gantt, "also write an SVG Gantt chart");
  cmd->add_option("--dot", a->dot, "after a deadlock, also write the wait-for graph (Graphviz)");
  cmd->add_option("--tree", a->tree, "also write the process tree (Graphviz)");
  cmd->add_flag("--force", a->force, "replace output files if they exist");
  cmd->add_option("--schedule", a->schedule,
                  "follow a schedule written by mpsim explore -o (docs/explore.md)");
  return [a] {
    auto s = load_or_report(a->file, a->machine.overrides());
    if (!s || !a->limits.admit(*s)) return kExitBadInput;
    RunOptions opts = a->limits.run;
    a->real.opt.sim_limits = a->limits.run;
    opts.event_skipping = !a->no_skip;
    opts.round_skipping = !a->no_round_skip;
    // The event log feeds timelines, traces, charts and the race detector.
    opts.record_events = a->timeline || a->events || !a->trace.empty() || !a->gantt.empty() || !s->files.empty();
    std::optional<os::RealRun> real;
    if (a->backend == "sim") {
      std::signal(SIGINT, on_interrupt);
      std::signal(SIGTERM, on_interrupt);
      opts.interrupt = &g_interrupt;
    }
    if (a->backend == "real") {
      real = run_real_or_report(*s, a->real.opt);
      if (!real) return kExitBadInput;
    }
    std::optional<Schedule> schedule;
    if (!a->schedule.empty()) {
      if (real) {
        std::cerr
            << "error: --schedule replays a simulated run; it cannot be used with --backend real\n";
        return kExitBadInput;
      }
      std::ifstream in(a->schedule, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      std::string error = in ? "" : a->schedule + ": cannot open the file";
      if (in) schedule = parse_schedule(text.str(), a->schedule, *s, error);
      if (!schedule) {
        std::cerr << "error: " << error << "\n";
        return kExitBadInput;
      }
    }
    RunResult r;
    if (real) {
      r = std::move(real->result);
    } else if (schedule) {
      ScheduleChooser chooser(*schedule);
      std::string stale;
      r = replay(*s, chooser, opts, stale);
      if (!stale.empty()) {
        std::cerr << "error: " << a->schedule
                  << ": the schedule does not fit this run (stale): " << stale << "\n";
        return kExitBadInput;
      }
    } else {
      r = simulate(*s, opts);
    }
    // Checks are shown only for scenarios that have some: other outputs stay as they were.
    std::vector<ExpectOutcome> expects = check_expects(s->expects, r);
    bool checks = !s->expects.empty() || failed_asserts(r) > 0;
    std::string text;
    if (a->format == "json") {
      if (real) {
        nlohmann::json j = nlohmann::json::parse(format_json(r, a->events));
        j["backend"] = "real";
        j["real"] = real_info_json(real->info);
        if (checks) j["expect"] = expect_json(expects);
        text = j.dump(2) + "\n";
      } else if (checks) {
        nlohmann::ordered_json j = nlohmann::ordered_json::parse(format_json(r, a->events));
        j["expect"] = expect_json(expects);
        text = j.dump(2) + "\n";
      } else {
        text = format_json(r, a->events) + "\n";
      }
    } else {
      text = (real ? os::format_real_info(*real) : "") + format_text(r) + "\n";
      if (checks) text += "\n" + format_expects(expects, r);
      if (a->timeline) text += "\ntimeline\n" + format_timeline(r);
    }
    if (!a->trace.empty() && !write_output(a->trace, format_trace(r), a->force)) return kExitBadInput;
    if (!a->gantt.empty() && !write_output(a->gantt, format_gantt_svg({&r}, {s->name}), a->force)) return kExitBadInput;
    if (!a->tree.empty() && !write_output(a->tree, process_tree_dot(r), a->force)) return kExitBadInput;
    if (!a->dot.empty() && r.deadlock && !write_output(a->dot, analyse_deadlock(r).dot, a->force)) return kExitBadInput;
    if (!write_output(a->out, text, a->force)) return kExitBadInput;
    if (real && real->info.exit_status != 0) return real->info.exit_status;
    if (!r.stopped.empty()) return g_interrupt != 0 ? 128 + g_interrupt : kExitStopped;
    if (r.deadlock) return kExitDeadlock;
    return violated(expects, r) ? kExitExpect : kExitOk;
  };
}

}  // namespace mpsim::cli
