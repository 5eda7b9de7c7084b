// The real-OS runner, merging (runner.hpp): the events every process logged
// in shared memory, sorted by CLOCK_MONOTONIC time, and the per-process slots
// become the simulator's RunResult, so every report works for real runs.
#include <algorithm>
#include <fstream>

#include "os/runner.hpp"
#include "os/sync_objects.hpp"

namespace mpsim::os::detail {

Value from_json(const nlohmann::json& j) {
  if (j.is_boolean()) return Value{j.get<bool>()};
  if (j.is_number_integer()) return Value{j.get<std::int64_t>()};
  if (j.is_string()) return Value{j.get<std::string>()};
  return Value{j.dump()};
}

// The final files, as the processes left them.
void Runner::read_files() {
  for (const auto& [name, content] : sc_.files) {
    FileContent fc;
    std::ifstream f(folder_ + "/" + name + ".json");
    nlohmann::json doc = nlohmann::json::parse(f, nullptr, false);
    if (doc.is_object())
      for (const auto& [k, v] : doc.items()) fc[k] = from_json(v);
    final_files_[name] = std::move(fc);
  }
}

// A process's CPU time per core, as it counted it itself (core_tracking.cpp,
// RealRuntime::track). A process killed before its exit could not count its
// last stretch: the rest of its CPU time (rusage) goes to the core it was
// last seen on; one that never looked (killed at once) to the CPU it ended on.
void Runner::count_core_time(const Slot& s, std::int64_t rusage_ns,
                             std::vector<std::int64_t>& core_ns) {
  std::int64_t counted = 0;
  for (std::size_t k = 0; k < core_ns.size() && k < static_cast<std::size_t>(kCoreSlots); ++k) {
    core_ns[k] += s.core_ns[k];
    counted += s.core_ns[k];
  }
  std::int64_t total = s.sched_run_ns >= 0 && s.self_exit.load() ? s.sched_run_ns : rusage_ns;
  std::int64_t rest = total - counted;
  if (rest <= 0) return;
  std::int32_t core = s.cur_core;
  if (core < 0 && s.last_cpu >= 0) {
    auto it = std::find(info_.cpus.begin(), info_.cpus.end(), s.last_cpu);
    if (it != info_.cpus.end()) core = static_cast<std::int32_t>(it - info_.cpus.begin());
  }
  if (core >= 0 && static_cast<std::size_t>(core) < core_ns.size())
    core_ns[static_cast<std::size_t>(core)] += rest;
}

// Pools and tasks from the shared tables (semantics.md §13; docs/real-os.md#pools).
// A task still running when its worker died (its creator ended and took its
// daemonic workers with it) failed, as in the simulator.
void Runner::merge_pools(RunResult& r) {
  const PoolTable& pt = sh_->pool;
  std::int32_t n = std::min(pt.ntasks.load(), kMaxPoolTasks);
  auto when = [&](std::int64_t ns) { return ns > 0 && ns <= end_ns_ ? tick(ns) : Tick{-1}; };
  for (std::size_t i = 0; i < sc_.pools.size() && i < static_cast<std::size_t>(kMaxPools); ++i) {
    const PoolDecl& d = sc_.pools[i];
    const SharedPool& pl = pt.pools[i];
    PoolResult rec;
    rec.name = d.name;
    rec.processes = d.processes;
    rec.maxtasksperchild = d.maxtasksperchild;
    if (pl.state != 0) {
      rec.creator = pl.creator;
      rec.created = tick(pl.created_ns);
      std::int64_t last = 0;
      bool all = pl.nworkers > 0;
      for (std::int32_t k = 0; k < pl.nworkers; ++k) {
        const Slot& s = sh_->slots[pl.workers[k]];
        rec.workers.push_back(pl.workers[k]);
        if (s.exit_logged.load() && s.finish_ns <= end_ns_)
          last = std::max(last, s.finish_ns);
        else
          all = false;
      }
      if (all) rec.ended = tick(last);
    }
    r.pools.push_back(std::move(rec));
  }
  for (std::int32_t id = 1; id <= n; ++id) {
    const SharedTask& t = pt.tasks[id - 1];
    TaskResult tr;
    tr.id = id;
    tr.pool = sc_.pools[static_cast<std::size_t>(t.pool)].name;
    tr.job = t.job;
    tr.kind = to_string(static_cast<OpCode>(t.kind));
    tr.item = t.item;
    tr.program = t.program;
    tr.submitter = t.submitter;
    tr.submitted = tick(t.submitted_ns);
    tr.started = when(t.started_ns);
    tr.finished = when(t.finished_ns);
    tr.worker = t.started_ns > 0 ? t.worker : kNoPid;
    tr.ok = t.state == 2 && tr.finished >= 0;
    if (tr.ok) tr.result = to_display(from_message(t.result));
    if (t.state == 3 && t.error_text >= 0) {
      const Text& tx = sh_->texts[t.error_text];
      tr.error = std::string(sh_->text_data + tx.offset, tx.length);
    }
    if (t.state == 1 && t.worker > 0) {
      const Slot& s = sh_->slots[t.worker];
      if (s.exit_logged.load() && s.finish_ns <= end_ns_) {
        tr.finished = tick(s.finish_ns);
        tr.error = "worker " + std::to_string(t.worker) + " ended (exit code " +
                   std::to_string(s.exit_code) + ") while running the task";
      }
    }
    PoolResult& pr = r.pools[static_cast<std::size_t>(t.pool)];
    ++pr.tasks;
    if (tr.finished >= 0 && !tr.ok) ++pr.failed;
    if (tr.started >= 0) pr.busy += (tr.finished >= 0 ? tr.finished : r.makespan) - tr.started;
    r.tasks.push_back(std::move(tr));
  }
}

RunResult Runner::merge() {
  RunResult r;
  r.scenario = sc_.name;
  r.machine = sc_.machine;
  r.cores.resize(static_cast<std::size_t>(sc_.machine.cores));
  for (const auto& o : sc_.objects)
    r.objects.push_back(std::string(o.pipe_end ? "pipe end" : to_string(o.kind)) + " " + o.name);
  std::map<std::int16_t, std::int64_t> object_ns;        // time blocked per synchronisation object
  std::vector<std::int64_t> core_ns(r.cores.size(), 0);  // the processes' CPU time per core
  Pid last = std::min<Pid>(sh_->next_pid.load(), kMaxSlots);
  // What the runner did after the end (killing after a hang, a limit or a
  // signal) is not part of the run: the log and the fates stop at end_ns_.
  auto exited = [&](const Slot& s) { return s.exit_logged.load() && s.finish_ns <= end_ns_; };
  auto reaped = [&](const Slot& s) { return s.reaped.load() && s.reaped_ns <= end_ns_; };

  // Raw events in time order; orphaning is derived from the exits.
  struct Plain {
    std::int64_t ns;
    std::int32_t pid;
    std::int16_t object;
    std::uint8_t kind, a;
    std::int32_t b;
  };
  struct Raw {
    std::int64_t ns;
    std::uint32_t seq;
    Plain e;
  };
  std::vector<Raw> raw;
  std::uint32_t head = std::min(sh_->ring_head.load(), kRingSize);
  info_.events_dropped = sh_->ring_head.load() - head;
  for (std::uint32_t i = 0; i < head; ++i) {
    const RawEvent& e = sh_->ring[i];
    if (!e.valid.load(std::memory_order_acquire) || e.ns > end_ns_) continue;
    Raw x{e.ns, i, {}};
    x.e.ns = e.ns;
    x.e.pid = e.pid;
    x.e.object = e.object;
    x.e.kind = e.kind;
    x.e.a = e.a;
    x.e.b = e.b;
    raw.push_back(x);
  }
  std::map<Pid, Tick> orphaned_at;
  for (Pid p = 2; p < last; ++p) {
    const Slot& s = sh_->slots[p];
    if (!s.used.load() || !s.started.load() || s.parent == kInitPid) continue;
    const Slot& par = sh_->slots[s.parent];
    if (!exited(par)) continue;
    bool alive_then = !exited(s) || s.finish_ns > par.finish_ns;
    if (!alive_then || s.arrival_ns > par.finish_ns) continue;
    orphaned_at[p] = tick(par.finish_ns);
    Raw x{par.finish_ns, UINT32_MAX, {}};
    x.e.pid = p;
    x.e.object = -1;
    x.e.kind = static_cast<std::uint8_t>(EventKind::Orphan);
    x.e.b = s.parent;
    raw.push_back(x);
  }
  std::stable_sort(raw.begin(), raw.end(), [](const Raw& a, const Raw& b) {
    return a.ns != b.ns ? a.ns < b.ns : a.seq < b.seq;
  });

  struct Acc {
    Tick first_run = -1;
    ProcState state = ProcState::New;
    BlockReason reason = BlockReason::None;
    std::int64_t since = 0;
    std::map<BlockReason, std::int64_t> blocked;  // ns per reason (a map: reasons may be added)
    std::int16_t object = -1;                     // the synchronisation object it is blocked on
  };
  std::map<Pid, Acc> acc;
  auto blocked_ns = [](const Acc& a, BlockReason why) {
    auto it = a.blocked.find(why);
    return it == a.blocked.end() ? std::int64_t{0} : it->second;
  };
  // Cores as the processes saw them: a process entering Running takes the
  // core it is on (sched_getcpu), and frees it when it blocks or exits. Real
  // preemption inside a burst is not observed (docs/real-os.md).
  std::vector<Pid> core_pid(r.cores.size(), kNoPid);
  std::map<Pid, CoreId> core_of;
  auto free_core = [&](Pid pid, Tick t) {
    auto it = core_of.find(pid);
    if (it == core_of.end()) return;
    if (core_pid[static_cast<std::size_t>(it->second)] == pid) {
      core_pid[static_cast<std::size_t>(it->second)] = kNoPid;
      r.events.push_back(Event{t, kNoPid, static_cast<std::int16_t>(it->second), EventKind::Core,
                               static_cast<std::uint8_t>(CoreStatus::Idle), 0});
    }
    core_of.erase(it);
  };
  std::map<std::int16_t, std::int32_t> key_map;
  std::int32_t live = 0, running = 0, io = 0;
  Tick last_tick = 0, io_since = 0;
  auto advance = [&](Tick t) {
    if (t > last_tick) {
      r.concurrency_ticks += static_cast<std::int64_t>(live) * (t - last_tick);
      last_tick = t;
    }
  };
  for (const Raw& x : raw) {
    const Plain& e = x.e;
    Tick t = tick(e.ns);
    if (e.kind == kMigrationKind) {  // where it ran: listed apart (RealInfo::migrations)
      info_.migrations.push_back(Migration{e.pid, t, e.object, static_cast<CoreId>(e.b)});
      // Moved while running (inside a burst): the lanes follow it. One that
      // moved while blocked takes its new core with its next Running event.
      Acc& a = acc[e.pid];
      if (a.state == ProcState::Running && e.b >= 0 &&
          e.b < static_cast<std::int32_t>(r.cores.size())) {
        free_core(e.pid, t);
        auto to = static_cast<std::int16_t>(e.b);
        core_of[e.pid] = to;
        core_pid[static_cast<std::size_t>(to)] = e.pid;
        r.events.push_back(Event{t, e.pid, to, EventKind::Core,
                                 static_cast<std::uint8_t>(CoreStatus::Running), 0});
        r.events.push_back(Event{t, e.pid, to, EventKind::State,
                                 static_cast<std::uint8_t>(ProcState::Running), 0});
      }
      continue;
    }
    advance(t);
    Event out{t, e.pid, -1, static_cast<EventKind>(e.kind), e.a, e.b};
    Acc& a = acc[e.pid];
    switch (out.kind) {
      case EventKind::Spawn:
        r.events.push_back(out);
        out = Event{t, e.pid, -1, EventKind::State, static_cast<std::uint8_t>(ProcState::Ready), 0};
        a.state = ProcState::Ready;
        a.since = e.ns;
        ++live;
        r.max_concurrency = std::max(r.max_concurrency, live);
        break;
      case EventKind::State: {
        auto st = static_cast<ProcState>(e.a);
        if (a.state == ProcState::Blocked) {
          a.blocked[a.reason] += e.ns - a.since;
          if (a.object >= 0) object_ns[a.object] += e.ns - a.since;
          if (a.reason == BlockReason::Io) {
            if (--io == 0) r.io_busy += t - io_since;
            r.events.push_back(Event{t, kNoPid, -1, EventKind::Io, 0, io});
          }
        }
        if (a.state == ProcState::Running) {
          --running;
          free_core(e.pid, t);
        }
        if (st == ProcState::Running && e.object >= 0 &&
            e.object < static_cast<std::int16_t>(r.cores.size())) {
          core_of[e.pid] = e.object;
          core_pid[static_cast<std::size_t>(e.object)] = e.pid;
          r.events.push_back(Event{t, e.pid, e.object, EventKind::Core,
                                   static_cast<std::uint8_t>(CoreStatus::Running), 0});
          out.core = e.object;
        }
        if (st == ProcState::Running) {
          ++running;
          r.max_parallelism = std::max(r.max_parallelism, std::min(running, sc_.machine.cores));
          if (a.first_run < 0) a.first_run = t;
        }
        if (st == ProcState::Blocked && static_cast<BlockReason>(e.b) == BlockReason::Io) {
          if (io++ == 0) io_since = t;
          r.events.push_back(Event{t, e.pid, -1, EventKind::Io, 0, io});
        }
        if (st == ProcState::Zombie) --live;
        a.state = st;
        a.reason = static_cast<BlockReason>(e.b);
        // A synchronisation wait carries its object (sim/os/sync_objects.cpp); io, sleep and join
        // none.
        a.object =
            st == ProcState::Blocked && a.reason >= BlockReason::Lock ? e.object : std::int16_t{-1};
        a.since = e.ns;
        break;
      }
      case EventKind::Print:
      case EventKind::Error: {
        if (e.b < 0) continue;
        const Text& tx = sh_->texts[e.b];
        std::string text(sh_->text_data + tx.offset, tx.length);
        if (out.kind == EventKind::Print) {
          out.b = static_cast<std::int32_t>(r.prints.size());
          r.prints.push_back(PrintLine{t, e.pid, std::move(text)});
        } else {
          out.b = static_cast<std::int32_t>(r.errors.size());
          r.errors.push_back(ErrorRecord{t, e.pid, std::move(text)});
        }
        break;
      }
      case EventKind::Reap:
        r.events.push_back(
            Event{t, e.pid, -1, EventKind::State, static_cast<std::uint8_t>(ProcState::Reaped), 0});
        break;
      case EventKind::Sync:
        if (e.a == static_cast<std::uint8_t>(SyncOp::Read) ||
            e.a == static_cast<std::uint8_t>(SyncOp::Write)) {
          auto [it, added] = key_map.emplace(e.object, static_cast<std::int32_t>(r.keys.size()));
          if (added) r.keys.push_back(setup_.keys[static_cast<std::size_t>(e.object)]);
          out.core = static_cast<std::int16_t>(it->second);
          out.b = 0;
        } else {
          out.core = e.object;  // the object; b: message id or barrier generation, as logged
        }
        break;
      default:
        break;
    }
    r.events.push_back(out);
  }
  r.scheduling_events = static_cast<std::int64_t>(r.events.size());

  for (Pid p = 2; p < last; ++p) {
    const Slot& s = sh_->slots[p];
    if (!s.used.load()) continue;
    ProcessResult pr;
    pr.pid = p;
    pr.original_parent = s.parent;
    pr.parent = orphaned_at.count(p) ? kInitPid : s.parent;
    pr.name = s.name;
    pr.program = s.program;
    pr.daemon = s.daemon != 0;
    pr.started = s.started.load() != 0;
    Acc& a = acc[p];
    if (reaped(s))
      pr.state = ProcState::Reaped;
    else if (exited(s))
      pr.state = ProcState::Zombie;
    else
      pr.state = a.state;
    if (exited(s)) {
      pr.exit_code = s.exit_code;
      pr.finish = tick(s.finish_ns);
    }
    if (s.error_text >= 0 && s.self_exit.load() && s.exit_code == 1) {
      for (const auto& e : r.errors)
        if (e.pid == p) pr.error = e.message;
    }
    if (pr.started) pr.arrival = tick(s.arrival_ns);
    pr.first_run = a.first_run;
    if (reaped(s)) {
      pr.reaped_at = tick(s.reaped_ns);
      pr.reaped_by = s.reaped_by;
    }
    if (auto it = orphaned_at.find(p); it != orphaned_at.end()) pr.orphaned_at = it->second;
    // wait4's rusage includes the children the process reaped: take theirs out.
    std::int64_t cpu_us = s.cpu_us, nvcsw = s.nvcsw, nivcsw = s.nivcsw;
    for (Pid c = 2; c < last; ++c) {
      const Slot& k = sh_->slots[c];
      if (k.parent != p || !k.reaped.load() || k.reaped_by != p) continue;
      cpu_us -= k.cpu_us;
      nvcsw -= k.nvcsw;
      nivcsw -= k.nivcsw;
    }
    pr.cpu = s.sched_run_ns >= 0 && s.self_exit.load()
                 ? ticks_of(s.sched_run_ns)
                 : ticks_of(std::max<std::int64_t>(0, cpu_us) * 1000);
    pr.migrations = s.migrations;
    count_core_time(s, std::max<std::int64_t>(0, cpu_us) * 1000, core_ns);
    pr.wait = s.sched_wait_ns > 0 ? ticks_of(s.sched_wait_ns) : 0;
    if (!exited(s) && a.state == ProcState::Blocked) {
      // Still waiting when the run ended (a deadlock, a limit): that time counts as blocked.
      std::int64_t until = deadlock_ ? std::max(hang_ns_, a.since) : end_ns_;
      a.blocked[a.reason] += until - a.since;
      if (a.object >= 0) object_ns[a.object] += until - a.since;
    }
    pr.blocked_io = ticks_of(blocked_ns(a, BlockReason::Io));
    pr.blocked_sleep = ticks_of(blocked_ns(a, BlockReason::Sleep));
    pr.blocked_join = ticks_of(blocked_ns(a, BlockReason::Join));
    pr.blocked_lock = ticks_of(blocked_ns(a, BlockReason::Lock));
    pr.blocked_semaphore = ticks_of(blocked_ns(a, BlockReason::Semaphore));
    pr.blocked_event = ticks_of(blocked_ns(a, BlockReason::Event));
    pr.blocked_barrier = ticks_of(blocked_ns(a, BlockReason::Barrier));
    pr.blocked_condition = ticks_of(blocked_ns(a, BlockReason::Condition));
    pr.blocked_queue = ticks_of(blocked_ns(a, BlockReason::Queue));
    pr.voluntary_switches = std::max<std::int64_t>(0, nvcsw);
    pr.involuntary_switches = std::max<std::int64_t>(0, nivcsw);
    r.context_switches += pr.voluntary_switches + pr.involuntary_switches;
    if (pr.finish > r.makespan) r.makespan = pr.finish;
    r.processes.push_back(std::move(pr));
    if (s.real_pid.load() > 0) info_.real_pids[p] = s.real_pid.load();
    if (s.zombie_seen_ns > 0 && s.zombie_seen_ns <= end_ns_)
      info_.facts.push_back(Fact{
          p, tick(s.zombie_seen_ns),
          std::string(s.name) + " (real pid " + std::to_string(s.real_pid.load()) +
              ") was seen as Z in /proc/" + std::to_string(s.real_pid.load()) + "/stat before " +
              (s.reaped_by == kInitPid ? "the runner (init)"
                                       : "its parent " + std::to_string(s.reaped_by)) +
              " reaped it"});
    if (s.orphan_seen_ns > 0)
      info_.facts.push_back(Fact{p, tick(s.orphan_seen_ns),
                                 std::string(s.name) +
                                     ": getppid() returned the runner (pid 1, real pid " +
                                     std::to_string(sh_->runner_pid) + ") once its parent " +
                                     std::to_string(s.parent) + " had exited"});
  }
  if (deadlock_) {
    r.deadlock = true;
    r.stuck = stuck_;
    r.makespan = std::max(r.makespan, tick(hang_ns_));
  }
  if (!info_.stopped.empty()) r.makespan = std::max(r.makespan, tick(end_ns_));
  advance(r.makespan);
  std::sort(info_.facts.begin(), info_.facts.end(), [](const Fact& a, const Fact& b) {
    return a.tick != b.tick ? a.tick < b.tick : a.pid < b.pid;
  });

  info_.core_busy_us.clear();
  for (std::size_t k = 0; k < r.cores.size(); ++k) {
    info_.core_busy_us.push_back(core_ns[k] / 1000);
    r.cores[k].busy = std::min(ticks_of(core_ns[k]), r.makespan);
  }

  r.files = final_files_;
  // Per-object statistics: uses, waits and the longest queue counted in shared
  // memory by the operations themselves, blocked time from the merged states.
  for (std::size_t i = 0; i < sc_.objects.size() && i < static_cast<std::size_t>(kMaxObjects);
       ++i) {
    const SharedObject& o = sh_->objects[i];
    ObjectStats st;
    st.uses = o.uses;
    st.waits = o.waits;
    st.max_waiting = o.max_waiting;
    auto it = object_ns.find(static_cast<std::int16_t>(i));
    st.blocked = it == object_ns.end() ? 0 : ticks_of(it->second);
    r.object_stats.push_back(st);
  }
  merge_pools(r);
  if (std::int64_t rr = sh_->rr_interval_ns.load(); rr > 0) info_.rr_interval_us = rr / 1000;
  if (sh_->policy_failed.load()) {
    info_.policy_note += (info_.policy_note.empty() ? "" : "; ") +
                         std::string("some processes could not set ") + info_.policy +
                         " and ran under SCHED_OTHER";
  }
  if (sh_->nice_failed.load())
    info_.notes.push_back(
        "some processes could not set their nice (a negative one needs root or CAP_SYS_NICE)");
  if (deadlock_) {
    info_.exit_status = 3;
    info_.notes.push_back(
        "hang detected: every live process waited, with no timeout, on a synchronisation object or "
        "a child for " +
        std::to_string(opt_.hang_ms) + " ms; the runner killed them");
  }
  info_.folder_kept = opt_.keep;
  return r;
}

}  // namespace mpsim::os::detail
