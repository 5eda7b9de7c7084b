// The real-OS runner (docs/real-os.md): the scenario's init. It makes itself a
// child subreaper, forks the initial processes at their arrival times, reaps
// whatever exits into its arms (its children and every orphan), watches the
// wall clock and the hang detector, and on any way out kills and reaps every
// process and removes the run folder. A guardian process removes everything
// if the runner itself dies. This file: the checks, the preparation and the
// run from start to cleanup; launch.cpp, supervise.cpp and merge.cpp hold the
// rest (runner.hpp).
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "os/runner.hpp"
#include "os/sync_objects.hpp"

namespace mpsim::os {

namespace detail {

namespace {

bool supported(OpCode op) {
  switch (op) {
    case OpCode::Compute: case OpCode::Io: case OpCode::Sleep: case OpCode::Yield:
    case OpCode::Set: case OpCode::Print: case OpCode::Jump: case OpCode::JumpIfFalse:
    case OpCode::RepeatInit: case OpCode::RepeatNext: case OpCode::Create: case OpCode::Start:
    case OpCode::Spawn: case OpCode::SetDaemon: case OpCode::Join: case OpCode::Terminate:
    case OpCode::Kill: case OpCode::IsAlive: case OpCode::GetPid: case OpCode::GetPpid:
    case OpCode::Exit: case OpCode::Read: case OpCode::Write: case OpCode::Acquire:
    case OpCode::Release: case OpCode::SetEvent: case OpCode::ClearEvent: case OpCode::IsSet:
    case OpCode::Wait: case OpCode::Notify: case OpCode::NotifyAll: case OpCode::Put: case OpCode::Get:
    case OpCode::QSize: case OpCode::End: case OpCode::Assert: case OpCode::Load: case OpCode::Store:
    case OpCode::Send: case OpCode::Recv: case OpCode::Poll: case OpCode::ClosePipe:
    case OpCode::CreatePool: case OpCode::Apply: case OpCode::ApplyAsync: case OpCode::Map:
    case OpCode::MapAsync: case OpCode::Imap: case OpCode::ImapUnordered: case OpCode::GetResult:
    case OpCode::WaitResult: case OpCode::Ready: case OpCode::Next: case OpCode::ClosePool:
    case OpCode::JoinPool: case OpCode::TerminatePool: case OpCode::Return: case OpCode::PoolWork:
      return true;
    default:
      return false;  // operations added later are refused until real mode implements them
  }
}

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) cpus.push_back(c);
  return cpus;
}

double load_average() {
  std::ifstream f("/proc/loadavg");
  double l = 0;
  f >> l;
  return l;
}

}  // namespace

void remove_folder(const std::string& folder) {
  std::error_code ec;
  if (!folder.empty()) std::filesystem::remove_all(folder, ec);
}

nlohmann::json to_json(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  return std::get<std::string>(v);
}

RealRun Runner::run() {
  check();
  prepare();
  start_guardian();
  loop();
  read_files();
  // The folder goes before the guardian does (the kill takes it with the
  // group; finish_guardian dismisses it), on every way out: once the guardian
  // is gone nobody else would remove the folder should the runner die now
  // (SIGKILL, the OOM killer, a crash while merging).
  if (!opt_.keep) remove_folder(folder_);
  if (!info_.stopped.empty() || deadlock_) kill_all();
  finish_guardian();
  RealRun out;
  out.result = merge();
  out.result.stopped = info_.stopped;  // the same mark as a stopped simulation
  out.info = info_;
  return out;
}

void Runner::check() {
  std::vector<std::string> why = unsupported(sc_);
  if (!why.empty()) {
    std::string msg = "real mode cannot run this scenario:";
    for (const auto& w : why) msg += "\n  " + w;
    throw Refused(msg);
  }
  std::vector<int> cpus = allowed_cpus();
  if (cpus.empty()) throw Refused("cannot read the CPUs available to mpsim (sched_getaffinity)");
  if (sc_.machine.cores > static_cast<std::int32_t>(cpus.size()) && !opt_.oversubscribe)
    throw Refused(std::to_string(sc_.machine.cores) +
                  " cores asked for (machine.cores or --cores), but this machine has only " +
                  std::to_string(cpus.size()) +
                  " CPU(s) available to mpsim: real mode cannot run more cores than CPUs" +
                  " (--oversubscribe shares them, core i on CPU i mod " +
                  std::to_string(cpus.size()) + ")");
  if (std::min<std::size_t>(static_cast<std::size_t>(sc_.machine.cores), cpus.size()) > kCoreSlots)
    throw Refused(std::to_string(sc_.machine.cores) +
                  " cores asked for, but real mode counts the CPU time of at most " +
                  std::to_string(kCoreSlots) + " cores apart (docs/real-os.md)");
  for (std::int32_t c = 0; c < sc_.machine.cores; ++c)
    info_.cpus.push_back(cpus[static_cast<std::size_t>(c) % cpus.size()]);
  if (sc_.machine.cores > static_cast<std::int32_t>(cpus.size()))
    info_.notes.push_back(std::to_string(sc_.machine.cores) + " cores share " +
                          std::to_string(cpus.size()) +
                          " CPU(s) (--oversubscribe): cores on one CPU take turns");
  if (opt_.max_processes < 1 || opt_.max_processes > kMaxSlots - 2)
    throw Refused("--max-procs must be between 1 and " + std::to_string(kMaxSlots - 2));
  std::int64_t initial = 0;
  for (const auto& p : sc_.processes) initial += p.count;
  if (initial > opt_.max_processes)
    throw Refused("the scenario starts " + std::to_string(initial) + " processes, above the limit of " +
                  std::to_string(opt_.max_processes) + " (--max-procs)");
  // What the machine can give, with the guardian and the prediction's child.
  Capacity cap = machine_capacity();
  if (cap.processes >= 0 && initial + 2 > cap.processes)
    throw Refused("the scenario starts " + std::to_string(initial) + " processes (" +
                  std::to_string(initial + 2) +
                  " with mpsim's guardian and predictor), but this machine lets mpsim fork only " +
                  std::to_string(cap.processes) + " more (" + cap.processes_why + ")");
  if (cap.memory_bytes >= 0 && static_cast<std::int64_t>(sizeof(Shared)) > cap.memory_bytes)
    throw Refused("the run's shared memory takes " + std::to_string(sizeof(Shared)) +
                  " bytes, but only " + std::to_string(cap.memory_bytes) +
                  " bytes of memory are available (MemAvailable)");
}

void Runner::prepare() {
  // Signals are taken synchronously from here on (loop()): one that arrives
  // while preparing stops the run as soon as it starts, after cleanup.
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGQUIT}) sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, &saved_mask_);
  masked_ = true;
  info_.predicted_makespan = predict_makespan();
  double predicted_ms = static_cast<double>(info_.predicted_makespan) * static_cast<double>(sc_.machine.tick_us) / 1000.0;
  std::int64_t limit = opt_.wall_ms > 0 ? opt_.wall_ms
                       : info_.predicted_makespan < 0 ? opt_.max_wall_ms
                                                      : static_cast<std::int64_t>(opt_.wall_factor * predicted_ms) + 1000;
  if (opt_.wall_ms <= 0 && info_.predicted_makespan < 0)
    info_.notes.push_back("the simulator gave no makespan within its budget (a fork bomb?): the wall-time limit is the maximum");
  info_.wall_limit_ms = std::min(limit, opt_.max_wall_ms);
  info_.load1 = load_average();

  // Policy: fcfs and rr have real-time twins; everything else is the normal scheduler.
  const std::string& pol = sc_.machine.scheduler.policy;
  setup_.policy = pol == "fcfs" ? SCHED_FIFO : pol == "rr" ? SCHED_RR : SCHED_OTHER;
  info_.policy = setup_.policy == SCHED_FIFO ? "SCHED_FIFO" : setup_.policy == SCHED_RR ? "SCHED_RR" : "SCHED_OTHER";
  if (setup_.policy == SCHED_OTHER)
    info_.policy_note = pol + " has no real-time twin: Linux's normal scheduler (CFS/EEVDF) decides";
  if (pol == "lottery" || pol == "stride") tickets_as_nice();
  if (setup_.policy != SCHED_OTHER) {
    sched_param sp{};
    sp.sched_priority = kWatchPriority;
    if (sched_getparam(0, &saved_param_) == 0) saved_policy_ = sched_getscheduler(0);
    // Its children start as SCHED_OTHER (reset on fork); fork_initial
    // raises each one at once, and a raised thread goes to the tail of its
    // priority's list: the scenario processes queue in arrival order.
    if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) == 0) {
      rt_runner_ = true;
    } else {
      info_.policy_note = info_.policy + " not permitted (" + std::strerror(errno) + "): fell back to SCHED_OTHER";
      info_.policy = "SCHED_OTHER";
      setup_.policy = SCHED_OTHER;
    }
  }
  setup_.rt_priority = kWorkerPriority;
  setup_.rttime_us = info_.wall_limit_ms * 1000;
  setup_.cpus = info_.cpus;
  setup_.max_string_bytes = opt_.sim_limits.max_string_bytes;
  bool priority = false, nice = false;
  for (const auto& spec : sc_.processes) {
    priority = priority || spec.priority != 0;
    nice = nice || spec.nice != 0;
  }
  if (priority) info_.notes.push_back("priority (the simulator's priority policies) is not applied to the real processes");
  if (nice && setup_.max_tickets > 0)
    info_.notes.push_back(
        pol +
        " schedules by tickets: the scenario's nice is not applied (nor is it by the simulator)");
  else if (nice && setup_.policy != SCHED_OTHER)
    info_.notes.push_back("nice is applied only under SCHED_OTHER; " + info_.policy + " ignores it");
  if (sc_.machine.context_switch > 0)
    info_.notes.push_back("context_switch is the model's cost; real switches cost what the kernel takes");

  // The run folder, with the scenario's files.
  const char* tmp = std::getenv("TMPDIR");
  std::string base = (tmp && *tmp) ? tmp : "/tmp";
  std::string templ = base + "/mpsim-run-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) throw Refused("cannot create a run folder in " + base + ": " + std::strerror(errno));
  folder_ = buf.data();
  info_.folder = folder_;
  setup_.folder = folder_;
  for (const auto& [name, content] : sc_.files) {
    nlohmann::json doc = nlohmann::json::object();
    for (const auto& [k, v] : content) doc[k] = to_json(v);
    std::string path = folder_ + "/" + name + ".json";
    std::ofstream f(path);
    f << doc.dump();
    f.close();  // a full disk shows only when the buffer is flushed
    if (!f) throw Refused("cannot write " + path + ": " + std::strerror(errno));
  }
  std::set<std::string> keys;
  for (const auto& [name, prog] : sc_.programs)
    for (const auto& in : prog->code)
      if (in.op == OpCode::Read || in.op == OpCode::Write) keys.insert(in.object);
  for (const auto& [name, m] : sc_.shared)  // load/store pick their key when they run
    for (const auto& [key, v] : sc_.files.at(name)) keys.insert(name + "." + key);
  setup_.keys.assign(keys.begin(), keys.end());

  // The shared region: anonymous, so nothing in /dev/shm; gone with the last process.
  void* mem = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) throw Refused(std::string("cannot map shared memory: ") + std::strerror(errno));
  sh_ = static_cast<Shared*>(mem);
  sh_->tick_ns = sc_.machine.tick_us * 1000;
  sh_->runner_pid = getpid();
  sh_->cap = opt_.max_processes + 2;
  sh_->next_pid.store(2);
  sh_->guardian_fd = -1;
  init_sync_objects(*sh_, sc_);  // object ids are Instr::obj, indices into Scenario::objects
  setup_.scenario = &sc_;
  setup_.shared = sh_;

  // The runner is init: orphans come to it. Signals are taken synchronously.
  prctl(PR_GET_CHILD_SUBREAPER, &saved_subreaper_, 0, 0, 0);
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  saved_slack_ = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
}

// lottery and stride have no Linux twin, but CFS shares the CPU in
// proportion to weights, which is what stride does deterministically and the
// lottery on average: each process gets the nice whose weight is nearest its
// share of tickets (ticket_nice), and the result says so.
void Runner::tickets_as_nice() {
  const std::string& pol = sc_.machine.scheduler.policy;
  std::int64_t min_tickets = 0;
  for (const auto& spec : sc_.processes) {
    setup_.max_tickets = std::max(setup_.max_tickets, spec.tickets);
    min_tickets = min_tickets == 0 ? spec.tickets : std::min(min_tickets, spec.tickets);
  }
  std::string map;
  for (const auto& spec : sc_.processes) {
    int n = ticket_nice(spec.tickets, setup_.max_tickets);
    if (info_.ticket_nice.emplace(spec.tickets, n).second)
      map += (map.empty() ? "" : ", ") + std::to_string(spec.tickets) + " -> nice " +
             std::to_string(n);
  }
  info_.policy_note = pol +
                      " has no Linux twin: its tickets become CFS weights under SCHED_OTHER (" +
                      map + "), a proportional share like stride's" +
                      (pol == "lottery" ? ", without the lottery's random draws" : std::string());
  if (min_tickets > 0 && setup_.max_tickets / min_tickets > 68)
    info_.notes.push_back(
        "tickets differ by more than CFS's weights can (1024 for nice 0 against 15 for nice 19): "
        "the shares are not kept");
  auto transfer = sc_.machine.scheduler.params.find("transfer");
  if (transfer != sc_.machine.scheduler.params.end() && std::get_if<bool>(&transfer->second) &&
      std::get<bool>(transfer->second))
    info_.notes.push_back(
        "ticket transfer (a joiner lending its tickets) has no real equivalent: not applied");
}

void Runner::cleanup() {
  if (guardian_ > 0 || (sh_ && !all_reaped())) kill_all();
  finish_guardian();
  if (!opt_.keep) remove_folder(folder_);
  if (sh_) {
    munmap(sh_, sizeof(Shared));
    sh_ = nullptr;
  }
  if (masked_) {
    // Signals that arrived meanwhile stay pending; drop the ones the run consumed.
    sigprocmask(SIG_SETMASK, &saved_mask_, nullptr);
    masked_ = false;
  }
  prctl(PR_SET_CHILD_SUBREAPER, saved_subreaper_, 0, 0, 0);
  if (saved_slack_ > 0) prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(saved_slack_), 0, 0, 0);
  if (rt_runner_) {
    sched_setscheduler(0, saved_policy_ < 0 ? SCHED_OTHER : saved_policy_, &saved_param_);
    rt_runner_ = false;
  }
}

}  // namespace detail

using namespace detail;

std::vector<std::string> unsupported(const Scenario& s) {
  std::vector<std::string> why;
  std::set<std::string> ops;
  for (const auto& [name, prog] : s.programs)
    for (const auto& in : prog->code)
      if (!supported(in.op)) ops.insert(std::string(to_string(in.op)) + " (" + in.path + ")");
  for (const auto& o : ops) why.push_back("operation " + o + " is not implemented in real mode yet");
  for (auto& w : sync_limits(s)) why.push_back(std::move(w));
  if (s.pools.size() > static_cast<std::size_t>(kMaxPools))
    why.push_back(std::to_string(s.pools.size()) + " pools: real mode holds at most " + std::to_string(kMaxPools));
  if (!s.machine.switch_on_io)
    why.push_back("switch_on_io false (uniprogramming) has no real equivalent: a sleeping Linux process never keeps its CPU");
  if (s.machine.io_channels > 0)
    why.push_back("io_channels (a modelled IO device queue) is not implemented in real mode");
  if (s.machine.io_completion == IoCompletion::Preempt)
    why.push_back("io_completion \"preempt\" is a model rule; real mode cannot force it");
  for (const auto& p : s.processes)
    for (CoreId c : p.affinity)
      if (c >= s.machine.cores) why.push_back(p.path + ": affinity core " + std::to_string(c) + " is beyond the cores");
  return why;
}

RealRun run_real(const Scenario& s, const RealOptions& o) {
  Runner runner(s, o);
  return runner.run();
}

std::string format_real_info(const RealRun& run) {
  const RealInfo& i = run.info;
  std::ostringstream out;
  out << "backend   real Linux processes: " << i.policy;
  if (i.rr_interval_us > 0) out << " (kernel quantum " << i.rr_interval_us / 1000.0 << " ms)";
  out << ", CPUs";
  for (int c : i.cpus) out << " " << c;
  out << ", wall " << i.wall_us / 1000.0 << " ms (limit " << i.wall_limit_ms << " ms, simulator predicts "
      << i.predicted_makespan << " ticks), load " << i.load1 << " at start\n";
  if (i.load1 >= 0.5 * static_cast<double>(std::max<std::size_t>(1, i.cpus.size())))
    out << "          warning: the machine was busy at start (load " << i.load1
        << "): expect timing to stretch, above all under SCHED_OTHER\n";
  if (!i.policy_note.empty()) out << "          " << i.policy_note << "\n";
  for (const auto& n : i.notes) out << "          note: " << n << "\n";
  if (!i.stopped.empty()) out << "          STOPPED: " << i.stopped << "; every process was killed and reaped\n";
  if (i.events_dropped > 0) out << "          " << i.events_dropped << " events dropped (log full)\n";
  out << "          run folder " << i.folder << (i.folder_kept ? " (kept)" : " (removed)") << "\n";
  if (!i.facts.empty()) {
    out << "observed\n";
    for (const auto& f : i.facts) out << "  tick " << f.tick << ", pid " << f.pid << ": " << f.text << "\n";
  }
  out << "real pids";
  for (const auto& [p, real] : i.real_pids) out << "  " << p << "=" << real;
  out << "\n";
  return out.str();
}

}  // namespace mpsim::os

