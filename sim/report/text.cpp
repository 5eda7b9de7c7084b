// The text report. Widths adapt to the content so that the tables stay
// aligned for 3 processes and for 30,000.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <sstream>

#include "mpsim/analysis/deadlock.hpp"
#include "mpsim/kernel/policy.hpp"
#include "mpsim/analysis/races.hpp"
#include "mpsim/report/report.hpp"
#include "report/multicore.hpp"
#include "report/pools.hpp"
#include "report/text_table.hpp"

namespace mpsim {

namespace {

using detail::fixed;
using detail::Table;

std::string pct(Tick part, Tick whole) {
  return whole == 0 ? "0.0%" : fixed(100.0 * static_cast<double>(part) / static_cast<double>(whole), 1) + "%";
}

std::string real_time(Tick ticks, std::int64_t tick_us) {
  double us = static_cast<double>(ticks) * static_cast<double>(tick_us);
  if (us >= 1e6) return fixed(us / 1e6, 3) + " s";
  if (us >= 1e3) return fixed(us / 1e3, 3) + " ms";
  return fixed(us, 0) + " us";
}

std::string stats_line(const std::vector<double>& v) {
  if (v.empty()) return "-";
  double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  return "mean " + fixed(mean, 2) + "  p50 " + fixed(percentile(v, 50), 0) + "  p95 " +
         fixed(percentile(v, 95), 0) + "  max " + fixed(*std::max_element(v.begin(), v.end()), 0);
}

std::string fate(const ProcessResult& p) {
  std::vector<std::string> notes;
  if (!p.started) notes.push_back("never started");
  if (p.daemon) notes.push_back("daemon");
  if (p.orphaned_at >= 0) notes.push_back("orphaned at " + std::to_string(p.orphaned_at));
  if (p.exit_code == -15 && p.finish >= 0) notes.push_back("terminated");
  if (p.exit_code == -9 && p.finish >= 0) notes.push_back("killed");
  if (!p.error.empty()) notes.push_back("error");
  if (p.reaped_at >= 0) {
    Tick zombie = p.reaped_at - p.finish;
    std::string r = "reaped by " + std::to_string(p.reaped_by) + " at " + std::to_string(p.reaped_at);
    if (zombie > 0) r += " (zombie " + std::to_string(zombie) + ")";
    notes.push_back(r);
  }
  std::string out;
  for (const auto& n : notes) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string num_or_dash(Tick v) { return v < 0 ? "-" : std::to_string(v); }

void summary(std::ostringstream& out, const RunResult& r) {
  const MachineConfig& m = r.machine;
  out << "summary\n";
  Table t({"makespan", std::to_string(r.makespan) + " ticks (" + real_time(r.makespan, m.tick_us) + ")"});
  std::string util;
  Tick busy_total = 0;
  for (std::size_t i = 0; i < r.cores.size(); ++i) {
    util += (i ? "  " : "") + std::string("core") + std::to_string(i) + " " + pct(r.cores[i].busy, r.makespan);
    busy_total += r.cores[i].busy;
  }
  if (r.cores.size() > 1) util += "  (all " + pct(busy_total, r.makespan * static_cast<Tick>(r.cores.size())) + ")";
  t.add({"cpu utilisation", util});
  t.add({"io busy", std::to_string(r.io_busy) + " ticks (" + pct(r.io_busy, r.makespan) + ")"});
  t.add({"context switches", std::to_string(r.context_switches) + " (overhead " + std::to_string(r.switch_overhead) + " ticks)"});
  t.add({"max parallelism", std::to_string(r.max_parallelism) + " running at once"});
  t.add({"average concurrency", fixed(r.average_concurrency(), 2) + " in progress (max " + std::to_string(r.max_concurrency) + ")"});
  std::vector<double> ta, resp, wait;
  std::int64_t finished = 0;
  for (const auto& p : r.processes) {
    if (p.finish < 0) continue;
    ++finished;
    ta.push_back(static_cast<double>(p.turnaround()));
    resp.push_back(static_cast<double>(std::max<Tick>(p.response(), 0)));
    wait.push_back(static_cast<double>(p.wait));
  }
  t.add({"throughput", std::to_string(finished) + " processes finished, " +
                          (r.makespan ? fixed(100.0 * static_cast<double>(finished) / static_cast<double>(r.makespan), 2) : "0.00") +
                          " per 100 ticks"});
  t.add({"turnaround", stats_line(ta)});
  t.add({"response", stats_line(resp)});
  t.add({"wait", stats_line(wait)});
  out << t.render("  ") << "\n";
}

void process_table(std::ostringstream& out, const RunResult& r) {
  out << "processes\n";
  Table t({"pid", "name", "ppid", "state", "exit", "arrival", "first_run", "finish", "turnaround", "response",
           "wait", "cpu", "blocked", "switches", "fate"});
  for (const auto& p : r.processes) {
    bool done = p.finish >= 0;
    t.add({std::to_string(p.pid), p.name, std::to_string(p.parent), to_string(p.state),
           done ? std::to_string(p.exit_code) : "-", num_or_dash(p.arrival), num_or_dash(p.first_run),
           num_or_dash(p.finish), num_or_dash(done ? p.turnaround() : -1), num_or_dash(p.response()),
           std::to_string(p.wait), std::to_string(p.cpu), std::to_string(p.blocked()),
           std::to_string(p.voluntary_switches) + "/" + std::to_string(p.involuntary_switches), fate(p)});
  }
  out << t.render("  ") << "  (blocked = io, sleep, join and synchronisation waits; switches = voluntary/involuntary)\n\n";
}

void races(std::ostringstream& out, const RunResult& r) {
  RaceReport rep = find_races(r, 20);  // the JSON result lists up to 200
  out << "races\n";
  if (rep.total == 0) out << "  none: every conflicting access to a shared file is ordered by happens-before\n";
  else
    out << "  " << rep.total << " unordered pairs: " << rep.write_write << " write/write (an update may be lost), "
        << rep.total - rep.write_write << " read/write (a read may see a stale value)\n";
  for (const auto& race : rep.races) out << "  " << explain(race, r) << "\n";
  if (rep.total > rep.races.size()) out << "  ... and " << rep.total - rep.races.size() << " more\n";
  out << "\n";
}

// Contention per synchronisation object: who waited, how often, how long.
void objects(std::ostringstream& out, const RunResult& r) {
  out << "synchronisation objects\n";
  Table t({"object", "uses", "waits", "blocked", "max waiting"});
  for (std::size_t i = 0; i < r.objects.size(); ++i) {
    const ObjectStats& s = r.object_stats[i];
    t.add({r.objects[i], std::to_string(s.uses), std::to_string(s.waits), std::to_string(s.blocked),
           std::to_string(s.max_waiting)});
  }
  out << t.render("  ") << "  (blocked = ticks spent waiting on it, all processes together)\n\n";
}

void deadlock(std::ostringstream& out, const RunResult& r) {
  DeadlockReport rep = analyse_deadlock(r);
  out << "deadlock at tick " << r.makespan << ": no process can ever run again\n";
  for (const auto& line : rep.explanations) out << "  " << line << "\n";
  for (const auto& cycle : rep.cycles) {
    out << "  cycle:";
    for (const auto& v : cycle) out << " " << v << " ->";
    out << " " << cycle.front() << "\n";
  }
  if (rep.cycles.empty()) out << "  no circular wait: what they wait for can never be provided\n";
  out << "\n";
}

}  // namespace

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return sorted_percentile(values, p);
}

double sorted_percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

std::string describe_machine(const MachineConfig& m) {
  std::string d = std::to_string(m.cores) + (m.cores == 1 ? " core" : " cores");
  d += ", " + find_policy(m.scheduler.policy)->make(m)->describe();
  d += ", context switch " + std::to_string(m.context_switch);
  d += m.switch_on_io ? ", switch on io" : ", keep core during io";
  d += m.io_completion == IoCompletion::Preempt ? ", io completion preempts" : "";
  d += m.io_channels == 0 ? ", unlimited io" : ", " + std::to_string(m.io_channels) + " io channel(s)";
  d += m.exit_semantics == ExitSemantics::Python ? ", python exit" : "";
  d += ", tick " + std::to_string(m.tick_us) + " us";
  return d + detail::describe_queues(m);
}

std::string format_text(const RunResult& r) {
  std::ostringstream out;
  out << "scenario  " << (r.scenario.empty() ? "(unnamed)" : r.scenario) << "\n";
  out << "machine   " << describe_machine(r.machine) << "\n\n";
  summary(out, r);
  detail::multicore_text(out, r);
  process_table(out, r);
  if (!r.prints.empty()) {
    out << "output\n";
    Table t({"tick", "pid", "name", "text"});
    for (const auto& l : r.prints) t.add({std::to_string(l.tick), std::to_string(l.pid), r.name_of(l.pid), l.text});
    out << t.render("  ") << "\n";
  }
  if (!r.errors.empty()) {
    out << "errors\n";
    for (const auto& e : r.errors)
      out << "  tick " << e.tick << ", pid " << e.pid << " (" << r.name_of(e.pid) << "): " << e.message << "\n";
    out << "\n";
  }
  if (!r.files.empty()) {
    out << "files\n";
    for (const auto& [name, content] : r.files) {
      out << "  " << name << ":";
      for (const auto& [k, v] : content)
        out << " " << k << "=" << (std::holds_alternative<std::string>(v) ? "'" + to_display(v) + "'" : to_display(v));
      out << "\n";
    }
    out << "\n";
  }
  if (!r.object_stats.empty()) objects(out, r);
  detail::pools_text(out, r);
  if (!r.keys.empty()) races(out, r);
  if (r.deadlock) deadlock(out, r);
  if (!r.stopped.empty()) out << "STOPPED at tick " << r.makespan << ": " << r.stopped << "\n";
  std::string text = out.str();
  while (!text.empty() && text.back() == '\n') text.pop_back();  // the caller ends the line
  return text;
}

}  // namespace mpsim
