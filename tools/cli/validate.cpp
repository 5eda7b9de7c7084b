// mpsim validate FILE: the simulator against real Linux processes, row by row.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "commands.hpp"
#include "contention.hpp"
#include "mpsim/analysis/races.hpp"
#include "mpsim/kernel/machine.hpp"
#include "mpsim/report/report.hpp"
#include "py_options.hpp"
#include "validate_cores.hpp"

namespace mpsim::cli {

namespace {

struct ValidateArgs {
  std::string file;
  MachineOptions machine;
  RealCliOptions real;
  int runs = 3;
  double tolerance = 5;
  std::int64_t migration_tolerance = 2;
  std::string format = "text";
  PyCliOptions py;  // FILE.py: a Python program (py_validate.cpp)
  LimitOptions limits;
};

// Whether the scenario file itself sets machine.`key` (it loaded, so it parses).
bool machine_key_set(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  return doc.is_object() && doc.contains("machine") && doc["machine"].is_object() &&
         doc["machine"].contains(key);
}

struct Row {
  std::string section;  // outcome / timing
  std::string name;
  std::string sim;
  std::string real;
  bool pass = true;
  std::string note;
};

std::string files_text(const FileContent& c) {
  std::string s;
  for (const auto& [k, v] : c) s += (s.empty() ? "" : " ") + k + "=" + to_display(v);
  return s;
}

std::string fate(const ProcessResult& p) {
  std::string s;
  if (p.reaped_by != kNoPid) s += "reaped by " + std::to_string(p.reaped_by);
  if (p.orphaned_at >= 0) s += std::string(s.empty() ? "" : ", ") + "orphaned";
  if (p.daemon && p.exit_code == -15) s += std::string(s.empty() ? "" : ", ") + "daemon killed";
  if (p.finish < 0) s += std::string(s.empty() ? "" : ", ") + to_string(p.state);
  return s;
}

const ProcessResult* find(const RunResult& r, Pid pid) {
  for (const auto& p : r.processes)
    if (p.pid == pid) return &p;
  return nullptr;
}

// Terminal columns of UTF-8 text: East Asian characters take two.
std::size_t width(const std::string& s) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    std::uint32_t cp = n == 1 ? c : c & (0x3F >> (n - 1));
    for (std::size_t k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    w += cp >= 0x1100 && (cp <= 0x115F || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
                          (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0x20000))
             ? 2 : 1;
    i += n;
  }
  return w;
}

Tick median(std::vector<Tick> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? -1 : v[v.size() / 2];
}

struct FinishRow {
  std::size_t row;           // index in the rows
  const ProcessResult* sim;  // the simulated process
  Tick real;                 // its median real finish
};
using FinishRows = std::vector<FinishRow>;

// Same-tick contention on several CPUs (contention.hpp): the simulated grant
// order is a tie-break, so one process's finish may really be another's. The
// finish times, sorted, must then agree rank by rank in every real run (a row
// of its own); a failed finish row passes when its real value is one of the
// simulated finishes. A real difference in timing still fails the sorted row.
template <class Within>
void excuse_grant_order(const SameTickContention& tie, const std::vector<os::RealRun>& reals,
                        const FinishRows& finish_rows, Within within, std::vector<Row>& rows) {
  std::string pids;
  for (Pid p : tie.pids) pids += (pids.empty() ? "" : ", ") + std::to_string(p);
  std::vector<Tick> sim_sorted;
  for (const auto& f : finish_rows) sim_sorted.push_back(f.sim->finish);
  std::sort(sim_sorted.begin(), sim_sorted.end());
  int ok = 0;
  std::string first_miss;
  for (const auto& run : reals) {
    std::vector<Tick> real_sorted;
    for (const auto& f : finish_rows)
      if (const ProcessResult* q = find(run.result, f.sim->pid)) real_sorted.push_back(q->finish);
    std::sort(real_sorted.begin(), real_sorted.end());
    bool same = real_sorted.size() == sim_sorted.size();
    for (std::size_t i = 0; same && i < sim_sorted.size(); ++i) {
      same = within(sim_sorted[i], real_sorted[i]);
      if (!same && first_miss.empty())
        first_miss = "; rank " + std::to_string(i + 1) + ": " + std::to_string(sim_sorted[i]) + " vs " +
                     std::to_string(real_sorted[i]);
    }
    ok += same ? 1 : 0;
  }
  bool all = ok == static_cast<int>(reals.size());
  rows.push_back({"timing", "finish times, sorted", std::to_string(sim_sorted.size()) + " finishes",
                  std::to_string(sim_sorted.size()) + " finishes", all,
                  std::to_string(ok) + "/" + std::to_string(reals.size()) + " runs agree rank by rank" + first_miss +
                      "; pids " + pids + " contend for a lock or semaphore at tick " + std::to_string(tie.tick) +
                      " on several CPUs: which is served first is the kernel's race, not the model's"});
  if (!all) return;
  for (const auto& f : finish_rows) {
    Row& r = rows[f.row];
    if (r.pass) continue;
    if (std::none_of(sim_sorted.begin(), sim_sorted.end(), [&](Tick t) { return within(t, f.real); })) continue;
    r.pass = true;
    r.note += "; another process's simulated finish: lock grant order";
  }
}

}  // namespace

Command add_validate(CLI::App& app) {
  auto* cmd = app.add_subcommand("validate", "run a scenario in the simulator and as real processes, and compare");
  auto a = std::make_shared<ValidateArgs>();
  cmd->add_option("FILE", a->file, "scenario file, or a Python program (.py)")->required();
  a->machine.add_to(*cmd);
  a->real.add_to(*cmd);
  cmd->add_option("--runs", a->runs, "real runs (default 3)")->check(CLI::Range(1, 50));
  cmd->add_option("--tolerance", a->tolerance, "timing tolerance in percent (plus 2 ticks; default 5)")
      ->check(CLI::Range(0.0, 1000.0));
  cmd->add_option(
         "--migration-tolerance", a->migration_tolerance,
         "on several cores: migrations may differ by this many, in all and per process (default 2)")
      ->check(CLI::Range(0, 1000000));
  cmd->add_option("--format", a->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  a->py.add_to(*cmd);
  a->limits.add_to(*cmd);
  return [a] {
    if (is_python_script(a->file))
      return validate_python(a->py, a->file,
                             {a->machine.overrides(), a->runs, a->tolerance, a->format});
    auto s = load_or_report(a->file, a->machine.overrides());
    if (!s || !a->limits.admit(*s)) return kExitBadInput;
    a->real.opt.sim_limits = a->limits.run;
    // On several cores, what the scenario leaves open is Linux-like, on both sides.
    LinuxDefault linux_default =
        apply_linux_default(*s, a->machine.policy || machine_key_set(a->file, "scheduler"),
                            a->machine.queues || machine_key_set(a->file, "queues"));
    std::vector<os::RealRun> reals;
    for (int i = 0; i < a->runs; ++i) {
      auto r = run_real_or_report(*s, a->real.opt);
      if (!r) return kExitBadInput;
      if (r->info.exit_status != 0 && r->info.exit_status != kExitDeadlock) {
        std::cerr << "error: real run " << i + 1 << " stopped: " << r->info.stopped << "\n";
        return r->info.exit_status;
      }
      reals.push_back(std::move(*r));
    }
    // The simulated side runs the real run's tick and, under rr, the kernel's quantum.
    Scenario sim_s = *s;
    if (a->real.opt.tick_us > 0) sim_s.machine.tick_us = a->real.opt.tick_us;
    std::string sim_note;
    if (sim_s.machine.scheduler.policy == "rr" && reals.front().info.rr_interval_us > 0) {
      std::int64_t q = std::max<std::int64_t>(1, std::llround(static_cast<double>(reals.front().info.rr_interval_us) /
                                                               static_cast<double>(sim_s.machine.tick_us)));
      MachineOverrides o;
      o.quantum = q;
      apply_overrides(sim_s, o);
      sim_note = "simulated with the kernel's SCHED_RR quantum: " + std::to_string(q) + " ticks";
    }
    RunResult sim = simulate(sim_s, a->limits.run);
    bool racy = find_races(sim, 1).total > 0;
    bool prints_now = false;
    for (const auto& [n, prog] : s->programs)
      for (const auto& in : prog->code)
        if (in.op == OpCode::Print)
          for (const auto& h : in.text.holes())
            for (const auto& v : h.variables()) prints_now = prints_now || v == "now";

    std::vector<Row> rows;
    auto all_runs = [&](auto&& same) {
      int ok = 0;
      for (const auto& r : reals) ok += same(r.result) ? 1 : 0;
      return ok;
    };
    auto count_note = [&](int ok) { return std::to_string(ok) + "/" + std::to_string(reals.size()) + " runs"; };
    const RunResult& r0 = reals.front().result;

    // Outcome rows.
    for (const auto& p : sim.processes) {
      int ok = all_runs([&](const RunResult& r) {
        const ProcessResult* q = find(r, p.pid);
        return q && (q->finish >= 0) == (p.finish >= 0) && (p.finish < 0 || q->exit_code == p.exit_code);
      });
      const ProcessResult* q0 = find(r0, p.pid);
      rows.push_back({"outcome", "exit code " + std::to_string(p.pid) + " " + p.name,
                      p.finish >= 0 ? std::to_string(p.exit_code) : "-",
                      q0 && q0->finish >= 0 ? std::to_string(q0->exit_code) : "-", ok == static_cast<int>(reals.size()),
                      count_note(ok)});
      ok = all_runs([&](const RunResult& r) {
        const ProcessResult* q = find(r, p.pid);
        return q && fate(*q) == fate(p);
      });
      rows.push_back({"outcome", "fate " + std::to_string(p.pid), fate(p), q0 ? fate(*q0) : "?",
                      ok == static_cast<int>(reals.size()), count_note(ok)});
    }
    // Zombies: a child that exited before its parent joined it waited as a
    // zombie (the simulator's reaped_at > finish); real mode saw it as Z in /proc.
    for (const auto& p : sim.processes) {
      if (p.reaped_by == kNoPid || p.reaped_by == kInitPid || p.finish < 0) continue;
      bool want = p.reaped_at > p.finish;
      // Seen as Z, and a zombie for at least a tick (a child killed just before
      // the join is a zombie for microseconds, as in the model for 0 ticks).
      auto seen = [&](const os::RealRun& run) {
        const ProcessResult* q = find(run.result, p.pid);
        if (!q || q->reaped_at <= q->finish) return false;
        for (const auto& f : run.info.facts)
          if (f.pid == p.pid && f.text.find("seen as Z") != std::string::npos) return true;
        return false;
      };
      int ok = 0;
      for (const auto& r : reals) ok += seen(r) == want ? 1 : 0;
      rows.push_back({"outcome", "zombie before join " + std::to_string(p.pid),
                      want ? "zombie " + std::to_string(p.reaped_at - p.finish) + " ticks" : "no",
                      seen(reals.front()) ? "seen as Z" : "no", ok == static_cast<int>(reals.size()), count_note(ok)});
    }
    auto lines = [&](const RunResult& r) {
      std::multiset<std::string> m;
      static const std::regex digits("[0-9]+");
      for (const auto& l : r.prints) m.insert(prints_now ? std::regex_replace(l.text, digits, "#") : l.text);
      return m;
    };
    {
      auto want = lines(sim);
      int ok = all_runs([&](const RunResult& r) { return lines(r) == want; });
      std::string note = count_note(ok);
      if (prints_now) note += "; numbers masked: the program prints `now`";
      if (racy) note += "; racy: may legitimately differ";
      // How many of the first real run's lines the simulation did not print.
      auto got = lines(r0);
      std::vector<std::string> extra;
      std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra));
      std::string real = std::to_string(r0.prints.size()) + " lines";
      if (!extra.empty()) real += ", " + std::to_string(extra.size()) + " not simulated";
      rows.push_back({"outcome", "printed lines (multiset)", std::to_string(sim.prints.size()) + " lines", real,
                      racy || ok == static_cast<int>(reals.size()), note});
      if (racy)
        for (const auto& l : std::set<std::string>(got.begin(), got.end()))
          rows.push_back({"outcome", "  real printed", "", std::to_string(got.count(l)) + " x " + l, true,
                          "(information)"});
    }
    for (const auto& [name, content] : sim.files) {
      int ok = all_runs([&](const RunResult& r) { return r.files.count(name) && r.files.at(name) == content; });
      std::string note = count_note(ok) + (racy ? "; racy: may legitimately differ" : "");
      rows.push_back({"outcome", "file " + name, files_text(content),
                      r0.files.count(name) ? files_text(r0.files.at(name)) : "-", racy || ok == static_cast<int>(reals.size()),
                      note});
    }
    // Pools: how many tasks each ran and how many failed. Which worker ran which
    // task is timing (who was idle first), so it and the workers' CPU are not compared.
    std::set<Pid> pool_workers;
    for (const auto& pl : sim.pools) {
      pool_workers.insert(pl.workers.begin(), pl.workers.end());
      auto of = [&](const RunResult& r) -> const PoolResult* {
        for (const auto& q : r.pools)
          if (q.name == pl.name) return &q;
        return nullptr;
      };
      const PoolResult* q0 = of(r0);
      int ok = all_runs([&](const RunResult& r) { return of(r) && of(r)->tasks == pl.tasks; });
      rows.push_back({"outcome", "pool " + pl.name + " tasks", std::to_string(pl.tasks),
                      q0 ? std::to_string(q0->tasks) : "-", ok == static_cast<int>(reals.size()),
                      count_note(ok)});
      ok = all_runs([&](const RunResult& r) { return of(r) && of(r)->failed == pl.failed; });
      rows.push_back({"outcome", "pool " + pl.name + " failed tasks", std::to_string(pl.failed),
                      q0 ? std::to_string(q0->failed) : "-", ok == static_cast<int>(reals.size()),
                      count_note(ok)});
    }
    {
      int ok = all_runs([&](const RunResult& r) { return r.deadlock == sim.deadlock; });
      rows.push_back({"outcome", "deadlock", sim.deadlock ? "yes" : "no", r0.deadlock ? "yes" : "no",
                      ok == static_cast<int>(reals.size()), count_note(ok)});
    }

    // Timing rows: the median real value against the simulated one.
    auto within = [&](Tick simv, Tick realv) {
      double allowed = a->tolerance / 100.0 * static_cast<double>(simv) + 2;
      return simv >= 0 && realv >= 0 && std::abs(static_cast<double>(realv - simv)) <= allowed;
    };
    auto timing = [&](const std::string& name, Tick simv, std::vector<Tick> realv) {
      Tick m = median(realv);
      std::ostringstream ratio;
      if (simv > 0 && m >= 0) ratio << "ratio " << std::fixed << std::setprecision(3) << static_cast<double>(m) / static_cast<double>(simv);
      rows.push_back({"timing", name, std::to_string(simv), std::to_string(m), within(simv, m), ratio.str()});
      return m;
    };
    if (!sim.deadlock) {
      std::vector<Tick> ms;
      for (const auto& r : reals) ms.push_back(r.result.makespan);
      timing("makespan", sim.makespan, ms);
      FinishRows finish_rows;
      for (const auto& p : sim.processes) {
        if (p.finish < 0) continue;
        std::vector<Tick> fin, cpu;
        for (const auto& r : reals)
          if (const ProcessResult* q = find(r.result, p.pid)) {
            fin.push_back(q->finish);
            cpu.push_back(q->cpu);
          }
        std::size_t row = rows.size();
        finish_rows.push_back({row, &p, timing("finish " + std::to_string(p.pid) + " " + p.name, p.finish, fin)});
        if (!pool_workers.count(p.pid))
          timing("cpu " + std::to_string(p.pid) + " " + p.name, p.cpu, cpu);
      }
      if (auto tie = same_tick_contention(sim)) excuse_grant_order(*tie, reals, finish_rows, within, rows);
    }
    // Where the processes ran, on several cores (docs/real-os.md).
    if (sim.cores.size() > 1 && !sim.deadlock) {
      std::vector<const RunResult*> results;
      for (const auto& r : reals) results.push_back(&r.result);
      CoreTolerance tol;
      tol.busy_pct = a->tolerance;
      tol.migrations = a->migration_tolerance;
      bool affinity = std::any_of(s->processes.begin(), s->processes.end(),
                                  [](const ProcessSpec& p) { return !p.affinity.empty(); });
      for (auto& c : compare_cores(sim, results, tol, affinity))
        rows.push_back({"cores", std::move(c.name), std::move(c.sim), std::move(c.real), c.pass,
                        std::move(c.note)});
    }
    std::size_t failed = static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [](const Row& r) { return !r.pass; }));

    if (a->format == "json") {
      nlohmann::json j;
      j["scenario"] = s->name;
      j["runs"] = a->runs;
      j["tolerance_pct"] = a->tolerance;
      j["tolerance_ticks"] = 2;
      j["racy"] = racy;
      j["policy"] = reals.front().info.policy;
      j["rr_interval_us"] = reals.front().info.rr_interval_us;
      j["simulated_note"] = sim_note;
      j["linux_default"] = linux_default.note;
      j["migration_tolerance"] = a->migration_tolerance;
      j["rows"] = nlohmann::json::array();
      for (const auto& r : rows)
        j["rows"].push_back({{"section", r.section}, {"row", r.name}, {"simulated", r.sim}, {"real", r.real},
                             {"pass", r.pass}, {"note", r.note}});
      j["pass"] = failed == 0;
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << "validate  " << s->name << ": " << a->runs << " real run(s), tolerance " << a->tolerance
                << "% + 2 ticks\n";
      std::cout << "simulated " << describe_machine(sim.machine) << "\n";
      if (!sim_note.empty()) std::cout << "          " << sim_note << "\n";
      if (!linux_default.note.empty()) std::cout << "          " << linux_default.note << "\n";
      const auto& info = reals.front().info;
      std::cout << "real      " << info.policy;
      if (info.rr_interval_us > 0) std::cout << " (quantum " << info.rr_interval_us / 1000.0 << " ms)";
      std::cout << " on CPUs";
      for (int c : info.cpus) std::cout << " " << c;
      std::cout << (info.policy_note.empty() ? "" : "; " + info.policy_note) << "\n";
      if (racy)
        std::cout << "racy      the race detector reports data races: printed lines and files are compared only "
                     "for information (happens-before does not fix them); the real run's values are shown\n";
      std::cout << "\n";
      std::size_t w = 0, ws = 9, wr = 4;
      for (const auto& r : rows) {
        w = std::max(w, width(r.name));
        ws = std::max(ws, width(r.sim));
        wr = std::max(wr, width(r.real));
      }
      auto pad = [](const std::string& x, std::size_t n) { return x + std::string(n > width(x) ? n - width(x) : 0, ' '); };
      std::string section;
      for (const auto& r : rows) {
        if (r.section != section) {
          section = r.section;
          std::cout << section << "\n  " << pad("row", w) << "  " << pad("simulated", ws) << "  " << pad("real", wr)
                    << "  verdict  note\n";
        }
        std::cout << "  " << pad(r.name, w) << "  " << pad(r.sim, ws) << "  " << pad(r.real, wr) << "  "
                  << pad(r.pass ? "ok" : "FAIL", 7) << "  " << r.note << "\n";
      }
      std::cout << "\n" << (failed == 0 ? "PASS" : "FAIL") << ": " << rows.size() - failed << " of " << rows.size()
                << " rows agree\n";
    }
    return failed == 0 ? kExitOk : kExitMismatch;
  };
}

}  // namespace mpsim::cli
