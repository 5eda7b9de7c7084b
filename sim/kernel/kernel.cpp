// Setting up a run, the bookkeeping helpers every phase uses (state changes,
// cores, timers, IO devices) and closing the books at the end.
#include <malloc.h>  // malloc_trim (glibc)

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "kernel/kernel.hpp"
#include "kernel/run_queues.hpp"

namespace mpsim::detail {


Kernel::Kernel(const Scenario& s, const RunOptions& o) : scenario_(s), options_(o) {
  string_limit = o.max_string_bytes;
  const PolicyInfo* info = find_policy(s.machine.scheduler.policy);
  if (!info) throw std::invalid_argument("unknown policy " + s.machine.scheduler.policy);
  if (s.machine.queues == QueueDesign::PerCore || s.machine.cache || s.machine.multi_ostep)
    result_.multicore.emplace();
  if (s.machine.cache) cache_ = std::make_unique<CacheModel>(*s.machine.cache, s.machine.cores, *result_.multicore);
  multi_ostep_ = s.machine.multi_ostep;
  cache_or_ostep_ = cache_ || multi_ostep_;
  if (s.machine.queues == QueueDesign::PerCore) {
    auto queues = std::make_unique<PerCoreQueues>(*info, s.machine, cores_, *result_.multicore);
    per_core_ = queues.get();
    policy_ = std::move(queues);
  } else {
    policy_ = info->make(s.machine);
  }
  traits_ = PolicyTraits{policy_->preemptive(), policy_->silent_slice_end(), policy_->ranks_all_equal(),
                         policy_->fixed_quantum(), policy_->keeps_time()};
  policy_->attach([this](Pid pid) -> const Process* { return valid_pid(pid) ? &proc(pid) : nullptr; });
  for (CoreId i = 0; i < s.machine.cores; ++i) cores_.push_back(Core{.id = i});
  // Round skipping and slice batching replay slices whose computes progress
  // one tick per tick and that start at dispatch: neither holds with the
  // cache model or multi.py's rules (semantics.md §12.1), so both decline them.
  if (o.event_skipping && o.round_skipping && policy_->periodic_rounds() && !cache_ && !multi_ostep_)
    next_round_try_ = 0;
  batch_ = !cache_ && !multi_ostep_ && batches_slices(s, o);
  result_.scenario = s.name;
  result_.machine = s.machine;
  result_.cores.resize(cores_.size());
  files_ = s.files;
  init_sync_objects();
  pools_.init(s);
  std::size_t initial = 2;  // pid 0 (unused) and init
  for (const ProcessSpec& spec : s.processes) initial += static_cast<std::size_t>(spec.count);
  procs_.expect(initial);
  procs_.emplace_back();  // pid 0: unused
  Process& init = procs_.emplace_back();
  init.pid = kInitPid;
  init.name = "init";
  init.state = ProcState::Running;  // init never changes state; it only adopts and reaps
  for (const ProcessSpec& spec : s.processes) {
    for (std::int32_t i = 0; i < spec.count; ++i) {
      Pid pid = static_cast<Pid>(procs_.size());
      auto [name, vars] = initial_identity(spec, i, pid);
      create_process(kInitPid, *s.programs.at(spec.program), std::move(name), std::move(vars));
      Process& p = proc(pid);
      p.priority = spec.priority;
      p.nice = spec.nice;
      p.tickets = spec.tickets;
      p.working_set = spec.working_set;
      p.affinity = spec.affinity;
      pinned_ = pinned_ || !spec.affinity.empty();  // children inherit it: no other source
      p.daemon = spec.daemon;
      p.stats.daemon = spec.daemon;
      add_timer(p, spec.arrival, 1);
      ++pending_arrivals_;
    }
  }
}

Process& Kernel::create_process(Pid parent, const Program& program, std::string name, Variables vars) {
  // pid 0 is unused and 1 is init: the scenario's processes are the rest.
  if (static_cast<std::int64_t>(procs_.size()) - 2 >= options_.max_processes)
    throw RuntimeError("process limit of " + std::to_string(options_.max_processes) +
                       " reached (--max-processes)");
  Pid pid = static_cast<Pid>(procs_.size());
  Process& p = procs_.emplace_back();
  p.begin(pid, parent, std::move(name), program, std::move(vars));
  p.state_since = now_;
  if (parent != kInitPid) {
    Process& par = proc(parent);
    p.priority = par.priority;  // like fork: scheduling attributes are inherited
    p.nice = par.nice;
    p.tickets = par.tickets;
    p.working_set = par.working_set;
    p.affinity = par.affinity;
    par.children.push_back(pid);
  }
  return p;
}

void Kernel::start_process(Process& p) {
  p.started = true;
  p.stats.arrival = now_;
  log(EventKind::Spawn, p.pid, 0, p.parent);
  ++live_;
  result_.max_concurrency = std::max<std::int32_t>(result_.max_concurrency, static_cast<std::int32_t>(live_));
  make_ready(p);
}

void Kernel::account_state_time(Process& p) {
  Tick dt = now_ - p.state_since;
  p.state_since = now_;
  switch (p.state) {
    case ProcState::Ready: p.stats.wait += dt; break;
    case ProcState::Running: p.stats.cpu += dt; break;
    case ProcState::Blocked:
      switch (p.block) {
        case BlockReason::Io: p.stats.blocked_io += dt; break;
        case BlockReason::Sleep: p.stats.blocked_sleep += dt; break;
        case BlockReason::Join: p.stats.blocked_join += dt; break;
        case BlockReason::Lock: p.stats.blocked_lock += dt; break;
        case BlockReason::Semaphore: p.stats.blocked_semaphore += dt; break;
        case BlockReason::Event: p.stats.blocked_event += dt; break;
        case BlockReason::Barrier: p.stats.blocked_barrier += dt; break;
        case BlockReason::Condition: p.stats.blocked_condition += dt; break;
        case BlockReason::Queue: p.stats.blocked_queue += dt; break;
        case BlockReason::None: break;
      }
      break;
    default: break;
  }
}

void Kernel::set_state(Process& p, ProcState st, BlockReason why) {
  account_state_time(p);
  p.state = st;
  p.block = why;
  log(EventKind::State, p.pid, static_cast<int>(st), static_cast<std::int32_t>(why), p.core);
}

void Kernel::set_core(Core& c, CoreStatus st, Process* p) {
  if (c.status == st && c.process == p) return;
  Pid pid = p ? p->pid : kNoPid;
  Tick dt = now_ - c.status_since;
  CoreResult& acc = result_.cores[static_cast<std::size_t>(c.id)];
  if (c.status == CoreStatus::Running) acc.busy += dt;
  if (c.status == CoreStatus::Switching) {
    acc.switching += dt;
    result_.switch_overhead += dt;  // not the planned cost: the process may die mid-switch
  }
  if (c.status == CoreStatus::Held) acc.held += dt;
  c.status = st;
  c.pid = pid;
  c.process = p;
  c.status_since = now_;
  log(EventKind::Core, pid, static_cast<int>(st), 0, c.id);
}

void Kernel::make_ready(Process& p, bool front) {
  p.core = -1;
  set_state(p, ProcState::Ready);
  p.ready_since = now_;
  p.ready_seq = ++ready_seq_;
  policy_->enqueue(p, now_, front);
}

void Kernel::begin_running(Core& c, Process& p) {
  c.last = p.pid;
  p.core = c.id;
  p.quantum_used = 0;
  if (cache_or_ostep_) [[unlikely]]
    cache_dispatch(c, p);
  if (p.stats.first_run < 0) p.stats.first_run = now_;
  set_core(c, CoreStatus::Running, &p);
  set_state(p, ProcState::Running);
  // A preempted compute just goes on: no operation to interpret (and none
  // counted against the runaway-loop limit). Most dispatches under rr are these.
  if (p.remaining > 0) return;
  handle_stop(c, p, run_zero_time(p));
}

// A process starts running under the cache model or multi.py's rules: the
// core's cache sees it, and with one global queue (per-core queues count
// their own) a move to another core than the last is a migration. Called
// before set_core, so a core still Held is a process resuming, no dispatch.
void Kernel::cache_dispatch(Core& c, Process& p) {
  // multi.py interrupts every core at the multiples of its quantum: a slice
  // begun between them ends at the next one.
  if (multi_ostep_) p.quantum_used = now_ % traits_.fixed_quantum;
  if (c.status == CoreStatus::Held) return;
  if (!per_core_) {
    if (p.last_core >= 0 && p.last_core != c.id) {
      ++p.stats.migrations;
      ++result_.multicore->migrations;
    }
    p.last_core = c.id;
  }
  if (cache_) cache_->on_dispatch(c.id, p);
}

void Kernel::handle_stop(Core& c, Process& p, Stop stop) {
  switch (stop) {
    case Stop::Compute:
      if (c.status != CoreStatus::Running) set_core(c, CoreStatus::Running, &p);
      return;
    case Stop::Blocked:
      ++p.stats.voluntary_switches;
      if (p.core >= 0) set_core(c, CoreStatus::Held, &p);  // see block()
      else set_core(c, CoreStatus::Idle, nullptr);
      return;
    case Stop::Yielded:
      ++p.stats.voluntary_switches;
      [[fallthrough]];
    case Stop::Exited:
      // exit_process or make_ready has already given the core back
      if (c.pid == p.pid) set_core(c, CoreStatus::Idle, nullptr);
      return;
    case Stop::None: return;  // run_zero_time never ends with it
  }
}

void Kernel::release_core(Core& c) {
  if (c.process) c.process->core = -1;
  set_core(c, CoreStatus::Idle, nullptr);
}

Core* Kernel::core_of(Process& p) {
  if (p.core < 0) return nullptr;
  Core& c = cores_[static_cast<std::size_t>(p.core)];
  return c.pid == p.pid ? &c : nullptr;
}

bool Kernel::others_ready_for(const Process& p) const {
  return p.core >= 0 && policy_->has_ready_for(p.core);
}

void Kernel::add_timer(Process& p, Tick at, int group) {
  p.wake_at = at;
  timers_.push(Timer{at, group, p.pid, p.timer_gen});
}

void Kernel::block(Process& p, BlockReason why, Tick duration) {
  if (options_.chooser && options_.chooser->jitter > 0 &&
      (why == BlockReason::Io || why == BlockReason::Sleep))
    duration += chosen_delay(p);
  // switch_on_io false (uniprogramming): io and sleep keep the core. Joins and
  // synchronisation waits always give it up, or one core could never run the awaited child.
  bool keeps_core = !scenario_.machine.switch_on_io && (why == BlockReason::Io || why == BlockReason::Sleep);
  if (!keeps_core) p.core = -1;
  set_state(p, ProcState::Blocked, why);
  if (why == BlockReason::Io) {
    p.io_ticks = duration;
    start_io(p);
  } else if (duration != kNever) {
    add_timer(p, now_ + duration, 0);
  }
}

void Kernel::start_io(Process& p) {
  std::int32_t channels = scenario_.machine.io_channels;
  if (channels > 0 && io_in_service_ >= channels) {
    io_queue_.push_back(p.pid);
    return;
  }
  if (io_in_service_++ == 0) io_busy_since_ = now_;
  log(EventKind::Io, p.pid, 0, io_in_service_);  // the pid marks when its service (not its queueing) began
  add_timer(p, now_ + p.io_ticks, 0);
}

void Kernel::finish_io_service(Process& p) {
  (void)p;
  if (--io_in_service_ == 0) result_.io_busy += now_ - io_busy_since_;
  log(EventKind::Io, kNoPid, 0, io_in_service_);
  if (!io_queue_.empty()) {
    Process& next = proc(io_queue_.front());
    io_queue_.pop_front();
    start_io(next);
  }
}

std::int32_t Kernel::key_id(const std::string& key) {
  auto [it, added] = key_index_.emplace(key, static_cast<std::int32_t>(result_.keys.size()));
  if (added) result_.keys.push_back(key);
  return it->second;
}

void Kernel::log_sync(const Process& p, SyncOp op, std::int32_t object, std::int32_t arg) {
  // Event::core holds the object index; beyond its range the race detector
  // would mix objects up, so such a run is refused rather than misreported.
  if (object > INT16_MAX) throw std::length_error("more than 32767 shared keys or objects in one run");
  log(EventKind::Sync, p.pid, static_cast<int>(op), arg, static_cast<CoreId>(object));
}

void Kernel::print(Process& p, std::string text) {
  if (static_cast<std::int64_t>(result_.prints.size()) >= options_.max_output_lines)
    throw RuntimeError("output limit of " + std::to_string(options_.max_output_lines) +
                       " lines reached (--max-output-lines)");
  log(EventKind::Print, p.pid, 0, static_cast<std::int32_t>(result_.prints.size()));
  result_.prints.push_back(PrintLine{now_, p.pid, std::move(text)});
}

// What a process stuck at the end waits for, for the deadlock report.
StuckProcess Kernel::describe_wait(const Process& p) const {
  StuckProcess s{p.pid, p.block, "", "", kNoPid, {}};
  if (p.block == BlockReason::Join) {
    s.child = p.join_target;
    s.waits_for = "child " + std::to_string(p.join_target);
  }
  if (p.wait_obj >= 0) describe_sync_wait(p, s);
  else pools_.describe(p, s);
  return s;
}

std::string Kernel::stop_reason() const {
  if (options_.interrupt && *options_.interrupt) {
    const char* name = sigabbrev_np(*options_.interrupt);
    return std::string("interrupted by SIG") +
           (name ? name : std::to_string(*options_.interrupt).c_str());
  }
  return "simulated-time limit of " + std::to_string(options_.max_ticks) +
         " ticks reached (--max-ticks)";
}

void Kernel::finish_run() {
  for (Core& c : cores_) set_core(c, CoreStatus::Idle, nullptr);
  result_.makespan = now_;
  for (std::size_t i = 2; i < procs_.size(); ++i) {
    Process& p = procs_[i];
    if (p.alive()) {
      account_state_time(p);  // the time spent stuck counts as blocked
      result_.stuck.push_back(describe_wait(p));
    }
  }
  finish_sync_stats();  // reads the waits still going on: before the processes are released
  pools_.finish(result_, now_);
  // The run is over: each process's state is released as its result is
  // written, and the freed memory handed back to the system now and then, so
  // that the peak is about the larger of the two rather than their sum (a
  // million processes: ~0.9 GB of state, ~0.25 GB of results).
  result_.processes.reserve(procs_.size() - 2);
  std::size_t n = 0;
  procs_.drain(2, [&](Process& p) {  // pid 0 is unused, 1 is init
    ProcessResult r = std::move(p.stats);
    r.pid = p.pid;
    r.parent = p.parent;
    r.original_parent = p.original_parent;
    r.name = std::move(p.name);
    r.program = p.program->name;
    r.daemon = p.daemon;
    r.started = p.started;
    r.state = p.state;
    result_.processes.push_back(std::move(r));
    if (++n % 65536 == 0) malloc_trim(0);
  });
  result_.files = files_;
}

}  // namespace mpsim::detail
