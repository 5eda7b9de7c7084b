// Property tests: random valid scenarios (every policy and machine option,
// programs mixing compute, io, sleep, yield, spawn/create, join, signals,
// repeat, if, locks, semaphores, events, barriers, conditions, queues, shared
// values and arrays, pipes and
// exit) must give identical bytes with and without
// event skipping, give the same bytes twice, and satisfy the invariants the
// event log and the metrics promise.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "mpsim/analysis/deadlock.hpp"
#include "mpsim/analysis/races.hpp"
#include "mpsim/report/report.hpp"
#include "schedule_helpers.hpp"

namespace mpsim::test {
namespace {

// ---------------------------------------------------------------- running enough cases

// Takes no notice of anything: progress output would drown the test log.
class QuietListener : public rc::detail::TestListener {
 public:
  void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
  void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

// RC_GTEST_PROP runs 100 cases unless RC_PARAMS says otherwise, and RC_PARAMS
// cannot be set from code. This runs `property` for at least `cases` cases
// (RC_PARAMS may ask for more; its seed and `reproduce` still apply) and checks
// from rapidcheck's own result that they all ran.
template <typename Property>
void check_cases(int cases, Property property) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata meta;
  meta.id = std::string(info->test_suite_name()) + "/" + info->name();
  meta.description = info->name();
  const auto& config = rc::detail::configuration();
  rc::detail::TestParams params = config.testParams;
  params.maxSuccess = std::max(params.maxSuccess, cases);
  QuietListener quiet;
  auto result = rc::detail::checkProperty(rc::detail::toProperty(property), meta, params, quiet,
                                          config.reproduce);
  if (!result.template is<rc::detail::SuccessResult>()) {
    std::ostringstream os;
    rc::detail::printResultMessage(result, os);
    FAIL() << os.str();
  }
  EXPECT_GE(result.template get<rc::detail::SuccessResult>().numSuccess, cases);
}

// ---------------------------------------------------------------- generating scenarios

// lo..hi inclusive, uniformly at every rapidcheck size (shrinking still goes
// towards lo): small sizes would otherwise make nearly every scenario fcfs.
int pick(int lo, int hi) {
  return *rc::gen::resize(100, rc::gen::inRange(lo, hi + 1));
}
bool chance(int percent) {
  return pick(1, 100) <= percent;
}

/// Index of a choice drawn with the given weights (0 = never).
std::size_t weighted(const std::vector<int>& weights) {
  int total = 0;
  for (int w : weights) total += w;
  int x = pick(1, total);
  for (std::size_t i = 0;; ++i) {
    x -= weights[i];
    if (x <= 0) return i;
  }
}

std::string num(std::int64_t v) {
  return std::to_string(v);
}

/// What a generated program is known to do, for the cpu invariant.
struct ProgramInfo {
  bool static_demand = true;  ///< no `if`: its compute total is known in advance
  Tick demand = 0;            ///< compute ticks up to its end or `exit`
  std::int64_t exit_code = 0;
};

enum Kind {
  Compute,
  Io,
  Sleep,
  Yield,
  Print,
  Set,
  Repeat,
  If,
  Spawn,
  Create,
  Join,
  Terminate,
  Kill,
  Exit,
  Lock,
  Sync
};

/// Builds one random scenario as JSON text. Program i may only spawn programs
/// j > i, so process trees are finite; operations stay small so runs are short.
class ScenarioGen {
 public:
  std::string scenario() {
    cores_ = pick(1, 4);
    int n = pick(1, 4);
    std::string programs;
    for (int i = 0; i < n; ++i) programs += (i ? ", " : "") + program(i, n);
    return R"({"name": "prop", "machine": )" + machine() +
           R"(, "locks": ["m0", "m1"], "semaphores": {"s0": {"value": 1}}, "events": ["e0"],)"
           R"( "barriers": {"b0": {"parties": 2}}, "conditions": {"c0": {"lock": "m0"}},)"
           R"( "queues": {"q0": {"capacity": 1}}, "values": {"v0": {}}, "arrays": {"a0": {"length": 2}},)"
           R"( "pipes": {"p0": {"capacity": 1}}, "programs": {)" + programs + R"(}, "processes": [)" +
           processes(n) + "]}";
  }
  [[nodiscard]] const std::vector<ProgramInfo>& programs() const { return info_; }
  [[nodiscard]] int cores() const { return cores_; }
  [[nodiscard]] bool cache() const { return cache_; }

 private:
  struct Block {
    int prog, programs, depth;
    Tick mult;
    bool in_if, in_lock;
  };

  std::string machine() {
    std::string sched = chance(20) ? share() : scheduler();
    std::string m = "{\"cores\": " + num(cores_) + ", \"scheduler\": " + sched;
    // multi.py's rules need rr; its seed goes with them (docs/multi-ostep.md).
    bool multi = sched.find("\"rr\"") != std::string::npos && chance(30);
    if (multi) m += R"(, "multi_ostep": true)";
    // mlfq's ostep variant is refused with per-core queues (semantics.md §12).
    if (sched.find("\"ostep\"") == std::string::npos && chance(35)) m += ", " + per_core(multi);
    cache_ = chance(35);  // the cache model (semantics.md §12.1)
    if (cache_)
      m += R"(, "cache": {"size": )" + num(pick(0, 120)) + ", \"warmup\": " + num(pick(0, 4)) +
           ", \"warm_rate\": " + num(pick(1, 3)) + "}";
    m += ", \"context_switch\": " + num(pick(0, 2));
    m += std::string(", \"switch_on_io\": ") + (chance(75) ? "true" : "false");
    m += std::string(", \"io_completion\": \"") + (chance(70) ? "enqueue" : "preempt") + "\"";
    m += ", \"io_channels\": " + num(pick(0, 2));
    m += std::string(", \"exit_semantics\": \"") + (chance(70) ? "posix" : "python") + "\"";
    return m + "}";
  }

  // lottery and stride (proportional share; tickets come from the processes' defaults).
  std::string share() {
    if (chance(50))
      return R"({"policy": "lottery", "quantum": )" + num(pick(1, 3)) +
             ", \"seed\": " + num(pick(0, 99)) + (chance(50) ? ", \"ostep\": true" : "") +
             transfer() + "}";
    return R"({"policy": "stride", "quantum": )" + num(pick(1, 3)) +
           ", \"big\": " + num(pick(1, 20000)) + transfer() + "}";
  }
  std::string transfer() { return chance(50) ? ", \"transfer\": true" : ""; }

  // Per-core run queues with random rules (semantics.md §10).
  std::string per_core(bool multi) {
    return std::string(R"("queues": "per_core", "per_core": {"placement": ")") +
           (chance(50) ? "last" : "least_loaded") +
           "\", \"balance_interval\": " + num(chance(50) ? 0 : pick(1, 6)) +
           ", \"balance_threshold\": " + num(pick(1, 2)) +
           ", \"steal_peek\": " + num(chance(50) ? 0 : pick(1, 4)) +
           (multi ? ", \"seed\": " + num(pick(0, 9)) : "") + "}";
  }

  std::string scheduler() {
    switch (pick(0, 7)) {
      case 0:
        return R"("fcfs")";
      case 1:
        return R"("sjf")";
      case 2:
        return R"("srtf")";
      case 3:
        return R"({"policy": "rr", "quantum": )" + num(pick(1, 4)) + "}";
      case 4:
        return std::string(R"({"policy": "priority", "preemptive": )") +
               (chance(60) ? "true" : "false") +
               ", \"aging\": " + num(chance(50) ? 0 : pick(1, 3)) + "}";
      case 5:
        return R"({"policy": "fair", "quantum": )" + num(pick(1, 3)) + "}";
      case 6:
        return R"({"policy": "cfs", "sched_latency": )" + num(pick(1, 8)) +
               ", \"min_granularity\": " + num(pick(1, 3)) + "}";
      default:
        return mlfq();
    }
  }

  std::string mlfq() {
    int levels = pick(1, 3);
    if (chance(35)) return mlfq_ostep(levels);
    std::string s = R"({"policy": "mlfq", "levels": )" + num(levels);
    s += chance(50) ? ", \"quantum\": " + num(pick(1, 4)) : ", \"quanta\": " + list(levels, 1, 4);
    s += chance(50) ? ", \"allotment\": " + num(pick(0, 6))
                    : ", \"allotments\": " + list(levels, 1, 6);
    return s + ", \"boost\": " + num(chance(50) ? 0 : pick(3, 20)) + "}";
  }

  // mlfq.py's rules: allotments in whole quanta, and its -S and -I.
  std::string mlfq_ostep(int levels) {
    std::string quanta, allots;
    for (int i = 0; i < levels; ++i) {
      int q = pick(1, 4);
      quanta += (i ? ", " : "") + num(q);
      allots += (i ? ", " : "") + num(q * pick(1, 3));
    }
    std::string s = R"({"policy": "mlfq", "variant": "ostep", "levels": )" + num(levels);
    s += ", \"quanta\": [" + quanta + "], \"allotments\": [" + allots + "]";
    s += ", \"boost\": " + num(chance(50) ? 0 : pick(3, 20));
    s += std::string(", \"io_resets\": ") + (chance(40) ? "true" : "false");
    return s + ", \"io_to_front\": " + (chance(40) ? "true" : "false") + "}";
  }

  static std::string list(int n, int lo, int hi) {
    std::string s = "[";
    for (int i = 0; i < n; ++i) s += (i ? ", " : "") + num(pick(lo, hi));
    return s + "]";
  }

  std::string processes(int programs) {
    std::string s;
    int n = pick(1, 4);
    for (int i = 0; i < n; ++i) {
      int count = pick(1, 2);
      s += (i ? ", " : "");
      s += R"({"name": "p)" + num(i) + (count > 1 ? "-{index}" : "") + R"(", "program": "p)" +
           num(chance(60) ? 0 : pick(0, programs - 1)) + "\", \"count\": " + num(count) +
           ", \"arrival\": " + num(chance(50) ? 0 : pick(0, 6)) +
           ", \"priority\": " + num(pick(0, 3));
      if (chance(30)) s += ", \"nice\": " + num(pick(-5, 5));  // cfs weights
      if (chance(25)) s += ", \"affinity\": " + affinity();
      if (chance(5)) s += R"(, "daemon": true)";
      if (cache_ && chance(70)) s += ", \"working_set\": " + num(pick(0, 80));
      s += "}";
    }
    return s;
  }

  std::string affinity() {
    std::string s;
    for (int c = 0; c < cores_; ++c)
      if (chance(50)) s += (s.empty() ? "" : ", ") + num(c);
    return "[" + (s.empty() ? num(pick(0, cores_ - 1)) : s) + "]";
  }

  std::string program(int i, int n) {
    info_.emplace_back();
    handles_.clear();
    spawns_ = 0;
    exited_ = false;
    return "\"p" + num(i) + "\": [" + ops(Block{i, n, 0, 1, false, false}) + "]";
  }

  std::string ops(const Block& b) {
    std::string s;
    int n = pick(1, b.depth == 0 ? 6 : 3);
    for (int k = 0; k < n && !exited_; ++k) {
      std::string o = op(b);
      if (!o.empty()) s += (s.empty() ? "" : ", ") + o;
    }
    return s.empty() ? R"({"compute": 0})" : s;
  }

  std::string op(const Block& b) {
    bool top = b.depth == 0 && !b.in_lock;
    bool can_spawn = b.depth == 0 && b.prog + 1 < b.programs && spawns_ < 2;
    bool has = !handles_.empty();
    std::vector<int> w = {6,
                          3,
                          2,
                          1,
                          1,
                          1,
                          b.depth < 2 ? 2 : 0,
                          b.depth < 2 ? 1 : 0,
                          can_spawn ? 3 : 0,
                          can_spawn ? 1 : 0,
                          has ? 3 : 0,
                          has ? 1 : 0,
                          has ? 1 : 0,
                          top ? 1 : 0,
                          top ? 1 : 0,
                          2};
    switch (static_cast<Kind>(weighted(w))) {
      case Compute: {
        int n = pick(1, 5);
        if (!b.in_if) info_.back().demand += n * b.mult;
        return R"({"compute": )" + num(n) + "}";
      }
      case Io:
        return R"({"io": )" + num(pick(1, 4)) + "}";
      case Sleep:
        return R"({"sleep": )" + num(pick(1, 4)) + "}";
      case Yield:
        return R"("yield")";
      case Print:
        return R"({"print": "{pid} at {now}"})";
      case Set:
        return R"({"set": "x", "value": "pid * 2"})";
      case Repeat: {
        int n = pick(0, 3);
        return R"({"repeat": )" + num(n) + R"(, "do": [)" +
               ops(Block{b.prog, b.programs, b.depth + 1, b.mult * n, b.in_if, b.in_lock}) + "]}";
      }
      case If:
        return if_op(b);
      case Spawn:
        return spawn_op(b, "spawn");
      case Create: {
        std::string h = "h" + num(static_cast<std::int64_t>(handles_.size()));
        std::string c = spawn_op(b, "create");
        return c + R"(, {"start": ")" + h + "\"}";
      }
      case Join: {
        std::string h =
            handles_[static_cast<std::size_t>(pick(0, static_cast<int>(handles_.size()) - 1))];
        if (chance(30)) return R"({"join": ")" + h + R"(", "timeout": )" + num(pick(0, 5)) + "}";
        return R"({"join": ")" + h + "\"}";
      }
      case Terminate:
        return R"({"terminate": ")" + handles_.back() + "\"}";
      case Kill:
        return R"({"kill": ")" + handles_.back() + "\"}";
      case Exit: {
        exited_ = true;
        info_.back().exit_code = pick(2, 5);
        return R"({"exit": )" + num(info_.back().exit_code) + "}";
      }
      case Lock: {
        std::string m = "m" + num(pick(0, 1));
        std::string body = ops(Block{b.prog, b.programs, 1, b.mult, b.in_if, true});
        return R"({"acquire": ")" + m + "\"}, " + body + R"(, {"release": ")" + m + "\"}";
      }
      case Sync:
        return sync_op(b);
    }
    return "";
  }

  // One operation on the other objects; waits mostly have timeouts, so runs
  // end in a deadlock only now and then.
  std::string sync_op(const Block& b) {
    std::string timeout = chance(80) ? R"(, "timeout": )" + num(pick(0, 4)) : "";
    switch (pick(0, 12)) {
      case 0: return R"({"acquire": "s0")" + timeout + R"(, "into": "ok"}, {"release": "s0"})";
      case 8: return R"({"load": "v0", "into": "x"}, {"store": "v0", "value": "x + 1"})";
      case 9: return R"({"store": "a0", "index": "pid % 2", "value": "pid"})";
      case 10: return R"({"send": "p0.a", "value": "pid"})";
      case 11:
        if (chance(10)) return R"({"close": "p0.a"})";
        return R"({"poll": "p0.b", "into": "r")" + timeout + "}";
      case 12: return R"({"recv": "p0.b", "into": "msg", "ok": "ok"})";
      case 1: return R"({"set_event": "e0"})";
      case 2: return R"({"clear_event": "e0"})";
      case 3: return R"({"wait": "e0")" + timeout + "}";
      case 4: return R"({"put": "q0", "value": "pid")" + timeout + R"(, "ok": "ok"})";
      case 5: return R"({"get": "q0", "into": "msg")" + timeout + R"(, "ok": "ok"})";
      case 6: return R"({"wait": "b0"})";
      default:
        if (b.in_lock) return R"({"qsize": "q0", "into": "n"})";
        return R"({"acquire": "m0"}, {"wait": "c0")" + timeout + R"(}, {"notify": "c0"}, {"release": "m0"})";
    }
  }

  std::string if_op(const Block& b) {
    info_.back().static_demand = false;
    Block inner{b.prog, b.programs, b.depth + 1, b.mult, true, b.in_lock};
    std::size_t saved = handles_.size();  // handles set in a branch may stay unset
    std::string s = R"({"if": "pid % 2 == 0", "then": [)" + ops(inner) + "]";
    if (chance(50)) s += R"(, "else": [)" + ops(inner) + "]";
    handles_.resize(saved);
    return s + "}";
  }

  std::string spawn_op(const Block& b, const std::string& verb) {
    ++spawns_;
    std::string h = "h" + num(static_cast<std::int64_t>(handles_.size()));
    handles_.push_back(h);
    std::string s = "{\"" + verb + "\": \"p" + num(pick(b.prog + 1, b.programs - 1)) +
                    "\", \"into\": \"" + h + "\"";
    if (chance(20)) s += R"(, "daemon": true)";
    return s + "}";
  }

  int cores_ = 1;
  bool cache_ = false;
  std::vector<ProgramInfo> info_;
  std::vector<std::string> handles_;
  int spawns_ = 0;
  bool exited_ = false;
};

// ---------------------------------------------------------------- invariants

/// Core and process states tick by tick, rebuilt from the event log.
class Replay {
 public:
  Replay(const RunResult& r, int cores)
      : r_(r),
        status_(static_cast<std::size_t>(cores)),
        core_pid_(static_cast<std::size_t>(cores)),
        state_(r.processes.size() + 2, ProcState::New) {}

  void check() {
    Tick last = 0;
    for (std::size_t i = 0; i < r_.events.size(); ++i) {
      const Event& e = r_.events[i];
      RC_ASSERT(e.tick >= last);  // event ticks never go back
      last = e.tick;
      apply(e);
      bool end_of_tick = i + 1 == r_.events.size() || r_.events[i + 1].tick != e.tick;
      if (end_of_tick && e.tick < r_.makespan) check_tick();
    }
    RC_ASSERT(last <= r_.makespan);
  }

 private:
  void apply(const Event& e) {
    if (e.kind == EventKind::State)
      state_[static_cast<std::size_t>(e.pid)] = static_cast<ProcState>(e.a);
    if (e.kind == EventKind::Core) {
      status_[static_cast<std::size_t>(e.core)] = static_cast<CoreStatus>(e.a);
      core_pid_[static_cast<std::size_t>(e.core)] = e.pid;
    }
  }

  // What holds from this tick until the next event: each core is in exactly
  // one status that agrees with its process's state, and the running
  // processes are exactly those on running cores (so never more than cores).
  void check_tick() {
    std::size_t running_cores = 0;
    for (std::size_t c = 0; c < status_.size(); ++c) {
      Pid pid = core_pid_[c];
      switch (status_[c]) {
        case CoreStatus::Idle:
          RC_ASSERT(pid == kNoPid);
          break;
        case CoreStatus::Running:
          ++running_cores;
          RC_ASSERT(state_.at(static_cast<std::size_t>(pid)) == ProcState::Running);
          break;
        case CoreStatus::Switching:
          RC_ASSERT(state_.at(static_cast<std::size_t>(pid)) == ProcState::Ready);
          break;
        case CoreStatus::Held:
          RC_ASSERT(state_.at(static_cast<std::size_t>(pid)) == ProcState::Blocked);
          break;
      }
    }
    auto running =
        static_cast<std::size_t>(std::count(state_.begin(), state_.end(), ProcState::Running));
    RC_ASSERT(running == running_cores);
    RC_ASSERT(running <= status_.size());
  }

  const RunResult& r_;
  std::vector<CoreStatus> status_;
  std::vector<Pid> core_pid_;
  std::vector<ProcState> state_;
};

void check_process(const ProcessResult& p, const std::vector<ProgramInfo>& programs, bool cache) {
  if (p.finish >= 0) {
    RC_ASSERT(p.wait + p.cpu + p.blocked() == p.turnaround());  // ready, running or blocked
    RC_ASSERT(p.first_run < 0 || p.first_run >= p.arrival);
  }
  const ProgramInfo& info = programs.at(static_cast<std::size_t>(std::stoi(p.program.substr(1))));
  bool ran_to_its_end = p.finish >= 0 && p.exit_code == info.exit_code && p.error.empty();
  // A warm cache does more than one compute tick per tick (semantics.md §12.1).
  if (info.static_demand && ran_to_its_end && !cache) RC_ASSERT(p.cpu == info.demand);
  if (info.static_demand && ran_to_its_end && cache) RC_ASSERT(p.cpu <= info.demand);
}

void check_run(const RunResult& r, const ScenarioGen& gen) {
  Replay(r, gen.cores()).check();
  Tick cpu = 0;
  for (const ProcessResult& p : r.processes) {
    check_process(p, gen.programs(), gen.cache());
    cpu += p.cpu;
    // Every started process ends reaped, unless the run deadlocked (then the
    // blocked ones, and zombies whose parent is blocked, remain).
    if (!r.deadlock && p.started) RC_ASSERT(p.state == ProcState::Reaped);
    if (!p.started) RC_ASSERT(p.state == ProcState::New);
  }
  Tick busy = 0, switching = 0;
  for (const CoreResult& c : r.cores) {
    busy += c.busy;
    switching += c.switching;
    RC_ASSERT(c.busy + c.switching + c.held <= r.makespan);
  }
  RC_ASSERT(busy == cpu);
  RC_ASSERT(switching == r.switch_overhead);
  RC_ASSERT(r.deadlock == !r.stuck.empty());
}

// ---------------------------------------------------------------- properties

// The property of semantics §5: skipping ticks in which nothing changes must
// not change anything; plus every invariant on both runs.
void skipping_changes_nothing() {
  ScenarioGen gen;
  std::string json = gen.scenario();
  RC_LOG() << json << "\n";
  Scenario s = load(json);
  RunResult skip = simulate(s, RunOptions{.event_skipping = true});
  RunResult step = simulate(s, RunOptions{.event_skipping = false});
  std::string diff = first_difference(format_json(skip, true), format_json(step, true));
  RC_LOG() << "skipping vs tick by tick: " << diff << "\n";
  RC_ASSERT(diff.empty());
  check_run(skip, gen);
  RC_ASSERT(analyse_deadlock(skip).explanations.size() == skip.stuck.size());
  find_races(skip);  // replays every synchronisation event; must not throw
}

TEST(Property, EventSkippingGivesTheTickByTickResult) {
  check_cases(1000, skipping_changes_nothing);
}

// Round skipping (semantics §5): scenarios made for it, long computes under
// rr, fair and cfs on 1-4 cores with context-switch costs 0-3, arrivals, io
// and sleeps between them (each one an event that changes the ready set).
std::string rounds_scenario() {
  std::string sched;
  switch (pick(0, 2)) {
    case 0:
      sched = R"({"policy": "rr", "quantum": )" + num(pick(1, 5)) + "}";
      break;
    case 1:
      sched = R"({"policy": "fair", "quantum": )" + num(pick(1, 3)) + "}";
      break;
    default:
      sched = R"({"policy": "cfs", "sched_latency": )" + num(pick(2, 24)) +
              R"(, "min_granularity": )" + num(pick(1, 4)) + "}";
  }
  std::string json = R"({"name": "rounds", "machine": {"cores": )" + num(pick(1, 4)) +
                     R"(, "context_switch": )" + num(pick(0, 3)) + R"(, "scheduler": )" + sched +
                     (chance(20) ? R"(, "io_completion": "preempt")" : "") + R"(}, "programs": {)";
  std::string processes;
  int n = pick(1, 9);
  for (int i = 0; i < n; ++i) {
    std::string body = R"([{"compute": )" + num(pick(1, 400)) + "}";
    if (chance(60))
      body += std::string(R"(, {")") + (chance(50) ? "io" : "sleep") + R"(": )" + num(pick(1, 80)) +
              "}";
    std::string ops = R"([{"repeat": )" + num(pick(1, 3)) + R"(, "do": )" + body + "]}";
    if (chance(30)) ops += R"(, {"compute": )" + num(pick(1, 300)) + "}";
    json += (i ? ", " : "") + std::string(R"("p)") + num(i) + R"(": )" + ops + "]";
    processes += (i ? ", " : "") + std::string(R"({"name": "p)") + num(i) + R"(", "program": "p)" +
                 num(i) + R"(", "arrival": )" + num(chance(50) ? 0 : pick(0, 200)) +
                 (chance(30) ? R"(, "nice": )" + num(pick(-5, 5)) : "") + "}";
  }
  return json + R"(}, "processes": [)" + processes + "]}";
}

// Counts how many generated runs skipped rounds at all: a property that never
// exercised the code it is about would prove nothing.
struct RoundsSeen {
  int runs = 0, skipped = 0;
};

void rounds_change_nothing(RoundsSeen& seen) {
  std::string json = rounds_scenario();
  RC_LOG() << json << "\n";
  Scenario s = load(json);
  for (bool log : {true, false}) {
    RunResult rounds = simulate(s, RunOptions{.event_skipping = true, .record_events = log});
    RunResult slices = simulate(
        s, RunOptions{.event_skipping = true, .round_skipping = false, .record_events = log});
    RunResult step = simulate(s, RunOptions{.event_skipping = false, .record_events = log});
    std::string got = format_json(rounds, log);
    RC_LOG() << "rounds vs slice by slice: " << first_difference(got, format_json(slices, log))
             << "\n";
    RC_ASSERT(got == format_json(slices, log));
    RC_ASSERT(got == format_json(step, log));
    RC_ASSERT(rounds.events.size() == slices.events.size());
    RC_ASSERT(slices.round_skipped_ticks == 0 && step.round_skipped_ticks == 0);
    if (log) {
      ++seen.runs;
      if (rounds.round_skipped_ticks > 0) ++seen.skipped;
      Replay(rounds, s.machine.cores).check();
    }
  }
}

TEST(Property, RoundSkippingGivesTheSliceBySliceResult) {
  RoundsSeen seen;
  check_cases(400, [&seen] { rounds_change_nothing(seen); });
  // Most generated runs have a period between two events somewhere.
  EXPECT_GE(seen.skipped * 3, seen.runs)
      << seen.skipped << " of " << seen.runs << " runs skipped rounds";
}

// Slice batching (semantics §5): rr scenarios with arrivals, io, sleeps,
// yields, spawned children and exits between long computes, some pinned
// processes, some machines that keep the core during io, on 1-4 cores (batching
// applies to one; the others check that it stays out of the way) with
// switch costs 0-3. Batching on and off, with and without round skipping and
// tick by tick must give the same bytes: the JSON report, and with the log
// the timeline, the Chrome trace and the Gantt chart.
std::string rotation_scenario() {
  int cores = chance(70) ? 1 : pick(2, 4);
  std::string json = R"({"name": "rotation", "machine": {"cores": )" + num(cores) +
                     (chance(10) ? R"(, "switch_on_io": false)" : "") + R"(, "context_switch": )" +
                     num(pick(0, 3)) + R"(, "scheduler": {"policy": "rr", "quantum": )" +
                     num(pick(1, 6)) + "}" + (chance(20) ? R"(, "io_completion": "preempt")" : "") +
                     R"(}, "programs": {"leaf": [{"compute": )" + num(pick(1, 60)) +
                     R"(}, {"io": )" + num(pick(1, 30)) + R"(}, {"compute": )" + num(pick(1, 60)) +
                     "}]";
  std::string processes;
  int n = pick(1, 8);
  for (int i = 0; i < n; ++i) {
    std::string body = R"([{"compute": )" + num(pick(1, 200)) + "}";
    if (chance(60))
      body += std::string(R"(, {")") + (chance(50) ? "io" : "sleep") + R"(": )" + num(pick(1, 60)) +
              "}";
    if (chance(25)) body += R"(, {"spawn": "leaf"})";
    if (chance(20)) body += R"(, "yield")";
    std::string ops = R"([{"repeat": )" + num(pick(1, 4)) + R"(, "do": )" + body + "]}";
    if (chance(30)) ops += R"(, {"compute": )" + num(pick(1, 150)) + "}";
    json += std::string(R"(, "p)") + num(i) + R"(": )" + ops + "]";
    processes += (i ? ", " : "") + std::string(R"({"name": "p)") + num(i) + R"(", "program": "p)" +
                 num(i) + R"(", "arrival": )" + num(chance(50) ? 0 : pick(0, 150)) +
                 (chance(15) ? R"(, "affinity": [)" + num(pick(0, cores - 1)) + "]" : "") + "}";
  }
  return json + R"(}, "processes": [)" + processes + "]}";
}

struct BatchesSeen {
  int runs = 0, batched = 0, dispatched = 0;
};

// Everything a run can show, as one text: the JSON report and, with the
// log, the timeline, the trace and the Gantt chart.
std::string everything(const RunResult& r, bool log) {
  std::string out = format_json(r, log);
  if (log) out += format_timeline(r) + format_trace(r) + format_gantt_svg({&r}, {"run"});
  return out;
}

void batching_changes_nothing(BatchesSeen& seen) {
  std::string json = rotation_scenario();
  RC_LOG() << json << "\n";
  Scenario s = load(json);
  for (bool log : {true, false}) {
    RunResult on = simulate(s, RunOptions{.event_skipping = true, .record_events = log});
    std::string got = everything(on, log);
    RunResult off = simulate(s, RunOptions{.slice_batching = false, .record_events = log});
    RC_LOG() << "batching on vs off: " << first_difference(got, everything(off, log)) << "\n";
    RC_ASSERT(got == everything(off, log));
    RC_ASSERT(off.batched_slices == 0);
    RunResult alone = simulate(s, RunOptions{.round_skipping = false, .record_events = log});
    RC_ASSERT(got == everything(alone, log));
    RunResult step = simulate(s, RunOptions{.event_skipping = false, .record_events = log});
    RC_ASSERT(got == everything(step, log));
    RC_ASSERT(step.batched_slices == 0);
    if (s.machine.cores > 1) RC_ASSERT(on.batched_slices == 0);
    if (log) {
      ++seen.runs;
      if (alone.batched_slices > 0) ++seen.batched;
      if (alone.batched_dispatches > 0) ++seen.dispatched;
      Replay(on, s.machine.cores).check();
    }
  }
}

TEST(Property, SliceBatchingGivesTheTickLoopResult) {
  BatchesSeen seen;
  check_cases(250, [&seen] { batching_changes_nothing(seen); });
  // Most one-core runs (70 % of them) have plain slice changes to batch.
  EXPECT_GE(seen.batched * 2, seen.runs) << seen.batched << " of " << seen.runs << " runs batched";
  // Many dispatch to a core that a process left by blocking, yielding or exiting.
  EXPECT_GE(seen.dispatched * 4, seen.runs)
      << seen.dispatched << " of " << seen.runs << " runs dispatched to a freed core";
}

// The same input twice gives the same bytes (no hidden state, no addresses).
RC_GTEST_PROP(Property, RunsAreDeterministic, ()) {
  ScenarioGen gen;
  std::string json = gen.scenario();
  RC_LOG() << json << "\n";
  Scenario s = load(json);
  RC_ASSERT(
      first_difference(format_json(simulate(s), true), format_json(simulate(load(json)), true))
          .empty());
}

}  // namespace
}  // namespace mpsim::test

namespace mpsim::test {
namespace {

// ---------------------------------------------------------------- process pools

// Random pool workloads (semantics.md §13): one or two creators, each with its
// own pool of 1-3 workers (maybe maxtasksperchild, maybe an initializer), and
// a random mix of apply, apply_async with callbacks, map, map_async,
// imap_unordered, get_result with timeouts, failing tasks, close or terminate.
std::string pool_task_program(int i) {
  std::string ops;
  int n = pick(1, 3);
  for (int k = 0; k < n; ++k) {
    switch (pick(0, 3)) {
      case 0:
        ops += R"({"io": )" + num(pick(1, 3)) + "}, ";
        break;
      case 1:
        ops += R"({"sleep": )" + num(pick(1, 3)) + "}, ";
        break;
      default:
        ops += R"({"compute": )" + num(pick(1, 4)) + "}, ";
    }
  }
  if (chance(20)) ops += R"({"assert": "item != 1"}, )";
  ops += chance(80) ? R"({"return": "item + pid"})" : R"({"set": "y", "value": 1})";
  return "\"t" + num(i) + "\": [" + ops + "]";
}

std::string pool_main_program(int m) {
  std::string pool = "\"pool" + num(m) + "\"";
  std::string s = R"({"create_pool": )" + pool + "}";
  int handles = 0;
  int n = pick(1, 5);
  for (int k = 0; k < n; ++k) {
    std::string task = "\"t" + num(pick(0, 1)) + "\"";
    std::string items = num(pick(0, 4));
    switch (pick(0, 6)) {
      case 0:
        s += R"(, {"apply": )" + pool + R"(, "program": )" + task + R"(, "into": "r"})";
        break;
      case 1: {
        std::string h = "\"h" + num(handles++) + "\"";
        s += R"(, {"apply_async": )" + pool + R"(, "program": )" + task + R"(, "into": )" + h +
             (chance(50) ? R"(, "callback": "cb", "error_callback": "ecb")" : "") + "}";
        if (chance(70))
          s += R"(, {"get_result": )" + h + R"(, "into": "g", "ok": "ok")" +
               (chance(40) ? R"(, "timeout": )" + num(pick(0, 4)) : std::string()) + "}";
        break;
      }
      case 2:
        s += R"(, {"map": )" + pool + R"(, "program": )" + task + R"(, "items": )" + items +
             R"(, "into": "m"})";
        break;
      case 3: {
        std::string h = "\"h" + num(handles++) + "\"";
        s += R"(, {"map_async": )" + pool + R"(, "program": )" + task + R"(, "items": )" + items +
             R"(, "into": )" + h +
             R"(, "callback": "cb", "error_callback": "ecb"}, {"wait_result": )" + h +
             R"(, "ok": "ok"})";
        break;
      }
      case 4: {
        std::string h = "\"h" + num(handles++) + "\"";
        s += R"(, {"imap_unordered": )" + pool + R"(, "program": )" + task + R"(, "items": )" +
             items + R"(, "into": )" + h + R"(}, {"repeat": )" + num(pick(0, 5)) +
             R"(, "do": [{"next": )" + h + R"(, "into": "x", "ok": "ok"}]})";
        break;
      }
      case 5:
        s += R"(, {"compute": )" + num(pick(1, 4)) + "}";
        break;
      default:
        s += R"(, {"sleep": )" + num(pick(1, 4)) + "}";
    }
  }
  switch (pick(0, 9)) {
    case 0:
      break;  // the creator ends with the pool still running
    case 1:
    case 2:
      s += R"(, {"terminate_pool": )" + pool + R"(}, {"join_pool": )" + pool + "}";
      break;
    default:
      s += R"(, {"close_pool": )" + pool + R"(}, {"join_pool": )" + pool + "}";
  }
  return "\"main" + num(m) + "\": [" + s + "]";
}

std::string pool_property_scenario(int cores) {
  int mains = pick(1, 2);
  std::string pools, programs, processes;
  for (int m = 0; m < mains; ++m) {
    pools += (m ? ", " : "") + std::string("\"pool") + num(m) + R"(": {"processes": )" +
             num(pick(1, 3)) +
             (chance(30) ? R"(, "maxtasksperchild": )" + num(pick(1, 2)) : std::string()) +
             (chance(30) ? R"(, "initializer": "init")" : "") + "}";
    programs += pool_main_program(m) + ", ";
    processes += (m ? ", " : "") + std::string(R"({"name": "main)") + num(m) +
                 R"(", "program": "main)" + num(m) + R"(", "arrival": )" + num(pick(0, 2)) + "}";
  }
  std::string sched =
      chance(50) ? R"("fcfs")" : R"({"policy": "rr", "quantum": )" + num(pick(1, 3)) + "}";
  return R"({"name": "pool-prop", "machine": {"cores": )" + num(cores) + R"(, "scheduler": )" +
         sched + R"(, "exit_semantics": ")" + (chance(50) ? "posix" : "python") +
         R"("}, "pools": {)" + pools + R"(}, "programs": {)" + programs + pool_task_program(0) +
         ", " + pool_task_program(1) +
         R"(, "init": [{"compute": 1}, {"set": "served", "value": 0}], "cb": [{"print": "cb {now}"}],)"
         R"( "ecb": [{"print": "ecb {error}"}]}, "processes": [)" +
         processes + "]}";
}

void pools_skipping_changes_nothing() {
  int cores = pick(1, 4);
  std::string json = pool_property_scenario(cores);
  RC_LOG() << json << "\n";
  Scenario s = load(json);
  RunResult skip = simulate(s, RunOptions{.event_skipping = true});
  RunResult step = simulate(s, RunOptions{.event_skipping = false});
  std::string diff = first_difference(format_json(skip, true), format_json(step, true));
  RC_LOG() << "skipping vs tick by tick: " << diff << "\n";
  RC_ASSERT(diff.empty());
  RC_ASSERT(format_json(skip, true) ==
            format_json(simulate(s, RunOptions{}), true));  // same bytes twice
  Replay(skip, cores).check();
  RC_ASSERT(!skip.deadlock);  // no task waits for anything that may never come
  find_races(skip);  // replays the pools' hand-overs with every other event; must not throw
  for (const TaskResult& t : skip.tasks) {
    RC_ASSERT(t.submitted >= 0);
    if (t.started >= 0) RC_ASSERT(t.started >= t.submitted);
    if (t.finished >= 0 && t.started >= 0) RC_ASSERT(t.finished >= t.started);
    if (t.ok) RC_ASSERT(t.started >= 0 && t.finished >= 0);
  }
  for (const PoolResult& p : skip.pools) {
    double u = p.utilisation(skip.makespan);
    RC_ASSERT(u >= 0.0 && u <= 1.0);
  }
  for (const ProcessResult& p : skip.processes)
    if (p.started) RC_ASSERT(p.state == ProcState::Reaped);
}

TEST(Property, PoolsEventSkippingGivesTheTickByTickResult) {
  check_cases(500, pools_skipping_changes_nothing);
}

}  // namespace
}  // namespace mpsim::test
