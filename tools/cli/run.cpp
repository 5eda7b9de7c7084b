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
#include "report_options.hpp"

namespace mpsim::cli {

namespace {

struct RunArgs {
  std::string file;
  MachineOptions machine;
  ReportOptions report;
  bool no_skip = false;
  bool no_round_skip = false;
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
  nlohmann::json moves = nlohmann::json::array();
  for (const auto& m : i.migrations)
    moves.push_back({{"pid", m.pid}, {"tick", m.tick}, {"from", m.from}, {"to", m.to}});
  j["cores"] = {{"migrations", moves}, {"busy_us", i.core_busy_us}};
  nlohmann::json nice = nlohmann::json::object();
  for (const auto& [t, n] : i.ticket_nice) nice[std::to_string(t)] = n;
  j["ticket_nice"] = nice;
  return j;
}

// A real run on several cores: the simulator's `multicore` object and
// per-process `migrations` (docs/json-output.md), with what real mode cannot
// observe (queue moves, loads) null.
void add_real_multicore(nlohmann::json& j, const RunResult& r) {
  if (r.cores.size() < 2) return;
  std::int64_t all = 0;
  for (auto& p : j["processes"])
    if (const ProcessResult* q = r.process(p["pid"].get<Pid>())) {
      p["migrations"] = q->migrations;
      all += q->migrations;
    }
  j["multicore"] = {{"migrations", all},          {"stolen", nullptr},
                    {"balanced", nullptr},        {"load_ticks", nullptr},
                    {"imbalance_ticks", nullptr}, {"max_imbalance", nullptr},
                    {"load_series", nullptr}};
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
  a->report.add_to(*cmd);
  cmd->add_flag("--no-skip", a->no_skip, "simulate tick by tick instead of skipping idle ticks (same result, slower)");
  cmd->add_flag("--no-round-skip", a->no_round_skip,
                "simulate rr/fair/cfs rounds slice by slice through the whole tick loop instead "
                "of skipping whole rounds and batching rr slice changes (same result, slower)");
  cmd->add_option("--schedule", a->schedule,
                  "follow a schedule written by mpsim explore -o (docs/explore.md)");
  return [a] {
    auto s = load_or_report(a->file, a->machine.overrides());
    if (!s || !a->limits.admit(*s)) return kExitBadInput;
    RunOptions opts = a->limits.run;
    a->real.opt.sim_limits = a->limits.run;
    opts.event_skipping = !a->no_skip;
    opts.round_skipping = !a->no_round_skip;
    opts.slice_batching = !a->no_round_skip;
    // The event log feeds timelines, traces, charts and the race detector.
    opts.record_events = a->report.timeline || a->report.events || !a->report.trace.empty() ||
                         !a->report.gantt.empty() || !s->files.empty();
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
    TextProducer produce = [&text](const TextSink& sink) { sink(text); };
    if (a->report.format == "json" && !real && !checks) {
      // The plain JSON result, the largest output, goes to its destination
      // in pieces, never whole in memory.
      produce = json_output(r, a->report.events);
    } else if (a->report.format == "json") {
      if (real) {
        nlohmann::json j = nlohmann::json::parse(format_json(r, a->report.events));
        j["backend"] = "real";
        j["real"] = real_info_json(real->info);
        add_real_multicore(j, r);
        if (checks) j["expect"] = expect_json(expects);
        text = j.dump(2) + "\n";
      } else {
        nlohmann::ordered_json j = nlohmann::ordered_json::parse(format_json(r, a->report.events));
        j["expect"] = expect_json(expects);
        text = j.dump(2) + "\n";
      }
    } else {
      text = (real ? os::format_real_info(*real) + os::format_real_cores(real->info, r) : "") +
             format_text(r) + "\n";
      if (checks) text += "\n" + format_expects(expects, r);
      if (a->report.timeline) text += "\ntimeline\n" + format_timeline(r);
    }
    if (!a->report.write_files(r, s->name)) return kExitBadInput;
    if (!write_output(a->report.out, produce, a->report.force)) return kExitBadInput;
    if (real && real->info.exit_status != 0) return real->info.exit_status;
    if (!r.stopped.empty()) return g_interrupt != 0 ? 128 + g_interrupt : kExitStopped;
    if (r.deadlock) return kExitDeadlock;
    return violated(expects, r) ? kExitExpect : kExitOk;
  };
}

}  // namespace mpsim::cli
