// mlfq, variant "ostep": the rules of OSTEP's mlfq.py (ostep-homework,
// cpu-sched-mlfq), so that a workload gives the same schedule tick for tick.
// docs/semantics.md ("mlfq: the ostep variant") lists every rule and how it
// differs from the default variant; the comments here say why the code does
// what it does.
//
// mlfq.py keeps the running job at the head of its queue. So here every
// process, ready or running, has a place in its level's list (a sort key):
// ready ones sit in a map by key, running ones keep theirs, and a ready process
// preempts a running one exactly when it comes first ((level, key) order).
// A process taken off its core keeps its place; only a yield moves it to the
// tail. Keys at one boundary t, smallest first:
//   - front entries (-I, io_completion "preempt"): negative, the latest first;
//   - 3t:   a process whose quantum ended at t (mlfq.py requeues it at the end
//           of the tick before), and the queue order a boost at t builds;
//   - 3t+1: processes entering for the first time (mlfq.py's JOB BEGINS are
//           queued before its IO_DONEs);
//   - 3t+2: everything else (back from a block, yields).
#include <algorithm>
#include <map>
#include <tuple>

#include "kernel/policies/mlfq_ostep.hpp"

namespace mpsim::policies {

namespace {

using Key = std::pair<std::int64_t, std::int64_t>;

// What mlfq.py keeps per job, plus what tells the events apart (the machine
// calls enqueue for all of them).
struct Job {
  bool seen = false;
  std::int64_t level = 0;
  Tick ticks_left = 0;          ///< of the current quantum (mlfq.py ticksLeft)
  std::int64_t allot_left = 0;  ///< quanta left at this level (mlfq.py allotLeft)
  std::int64_t epoch = 0;       ///< boosts applied to it
  Key key{0, 0};                ///< place in its level's list
  Tick since = 0;               ///< boundary at which it last entered the ready queue
  bool dispatched = false;      ///< handed out by pick_next and not queued since
  // Counters when it last ran or was picked: a change says what happened since.
  std::int64_t voluntary = 0, involuntary = 0;
  Tick blocked_io = 0;
};

class MlfqOstep : public Policy {
 public:
  explicit MlfqOstep(OstepConfig c) : c_(std::move(c)), ready_(c_.quanta.size()) {}

  void enqueue(Process& p, Tick now, bool front) override {
    now_ = now;
    Job& j = job(p);
    if (!j.seen) {
      arrive(p, j, now);
      j.key = front ? front_key() : key(now, 1);
    } else if (j.dispatched && p.stats.voluntary_switches == j.voluntary) {
      // Straight from a core: a slice end (on_slice_end has placed it) or a
      // preemption keep its place; a yield goes to the tail (and a quantum
      // that ended as the yield's compute did still counts: phase 2 comes
      // before on_slice_end).
      if (p.stats.involuntary_switches == j.involuntary) {
        if (j.ticks_left == 0) expire(j);
        j.key = key(now, 2);
      }
    } else {  // back from a block
      bool from_io = p.stats.blocked_io != j.blocked_io;
      settle(j, from_io && c_.io_resets);
      j.key = front || (from_io && c_.io_to_front) ? front_key() : key(now, 2);
    }
    undispatch(p, j);
    j.since = now;
    ready_[static_cast<std::size_t>(j.level)].emplace(j.key, &p);
  }
  void dequeue(Process& p) override {
    Job& j = job(p);
    ready_[static_cast<std::size_t>(j.level)].erase(j.key);
  }
  Process* pick_next(CoreId core, Tick) override {
    for (auto& level : ready_) {
      for (auto it = level.begin(); it != level.end(); ++it) {
        if (!it->second->can_run_on(core)) continue;
        Process* p = it->second;
        level.erase(it);
        Job& j = job(*p);
        j.dispatched = true;
        snapshot(*p, j);
        running_.push_back(p);
        return p;
      }
    }
    return nullptr;
  }
  bool has_ready_for(CoreId core) const override {
    for (const auto& level : ready_)
      for (const auto& [k, p] : level)
        if (p->can_run_on(core)) return true;
    return false;
  }
  void for_each_ready(const std::function<bool(Process&)>& f) override {
    for (auto& level : ready_)
      for (auto& [k, p] : level)
        if (!f(*p)) return;
  }
  bool prefers(const Process& a, const Process& b, Tick) const override {
    const Job& ja = job(a);
    const Job& jb = job(b);
    return std::tie(ja.level, ja.key) < std::tie(jb.level, jb.key);
  }
  bool preemptive() const override { return true; }
  Tick slice_left(const Process& p) const override { return job(p).ticks_left; }
  void on_ran(Process& p, Tick ticks) override {
    Job& j = job(p);
    j.ticks_left -= ticks;
    snapshot(p, j);
  }
  void on_slice_end(Process& p) override {
    Job& j = job(p);
    expire(j);
    j.key = key(now_, 0);  // the tail of its (new) level, before this boundary's arrivals
  }
  Tick next_event(Tick now) const override {
    return c_.boost == 0 ? kNever : (now / c_.boost + 1) * c_.boost;
  }
  void on_boundary(Tick now) override {
    now_ = now;
    if (c_.boost == 0 || now == 0 || now % c_.boost != 0 || now == last_boost_) return;
    last_boost_ = now;
    boost(now);
  }
  std::string describe() const override {
    std::string d = "mlfq (" + std::to_string(c_.quanta.size()) + " levels, quanta";
    for (Tick q : c_.quanta) d += " " + std::to_string(q);
    d += ", allotments (quanta)";
    for (auto a : c_.allot_quanta) d += " " + std::to_string(a);
    if (c_.boost > 0) d += ", boost " + std::to_string(c_.boost);
    d += ", variant ostep";
    if (c_.io_resets) d += ", io_resets";
    if (c_.io_to_front) d += ", io_to_front";
    return d + ")";
  }

 private:
  Job& job(const Process& p) {
    auto i = static_cast<std::size_t>(p.pid);
    if (i >= jobs_.size()) jobs_.resize(i + 1);
    return jobs_[i];
  }
  const Job& job(const Process& p) const {
    static const Job
        kUnseen;  // only asked about processes it has queued, but never read past the end
    auto i = static_cast<std::size_t>(p.pid);
    return i < jobs_.size() ? jobs_[i] : kUnseen;
  }

  Key key(Tick now, std::int64_t order) { return {3 * now + order, ++seq_}; }
  Key front_key() { return {-(++fronts_), 0}; }

  static void snapshot(const Process& p, Job& j) {
    j.voluntary = p.stats.voluntary_switches;
    j.involuntary = p.stats.involuntary_switches;
    j.blocked_io = p.stats.blocked_io;
  }
  void undispatch(Process& p, Job& j) {
    if (!j.dispatched) return;
    j.dispatched = false;
    running_.erase(std::remove(running_.begin(), running_.end(), &p), running_.end());
  }

  // First entry. mlfq.py's jobs all exist from time 0, so a boost before a
  // scenario process arrives has already set its ticksLeft; a child exists
  // only from its start and begins fresh.
  void arrive(const Process& p, Job& j, Tick now) {
    j.seen = true;
    j.level = 0;
    j.ticks_left = c_.quanta[0];
    j.allot_left = c_.allot_quanta[0];
    j.epoch = epoch_;
    if (p.original_parent == kInitPid && c_.boost > 0 && now > c_.boost)
      j.ticks_left = c_.allot_quanta[0];
  }

  // What happened to a blocked process, in mlfq.py's order: at the IO (-S
  // reset, then the quantum that ended with the IO counts), then any boost.
  void settle(Job& j, bool reset) {
    Tick before = j.ticks_left;
    if (reset) {
      j.ticks_left = c_.quanta[static_cast<std::size_t>(j.level)];
      j.allot_left = c_.allot_quanta[static_cast<std::size_t>(j.level)];
    }
    if (before == 0) expire(j);
    if (j.epoch < epoch_) lift(j);
  }

  // A quantum used up: one quantum of the allotment is gone; with none left
  // the process moves down a level (at the bottom it stays) with a fresh one.
  void expire(Job& j) const {
    auto l = static_cast<std::size_t>(j.level);
    if (--j.allot_left == 0) {
      if (l + 1 < c_.quanta.size()) ++l;
      j.level = static_cast<std::int64_t>(l);
      j.allot_left = c_.allot_quanta[l];
    }
    j.ticks_left = c_.quanta[l];
  }

  // mlfq.py's boost of one job: top level, and ticksLeft set to the top
  // level's allotment (a count of quanta, used as ticks); allotLeft kept.
  void lift(Job& j) const {
    j.level = 0;
    j.ticks_left = c_.allot_quanta[0];
    j.epoch = epoch_;
  }

  // mlfq.py's queue order after a boost: the top queue, then the bottom
  // level's, then the one above it, ..., level 1's last.
  std::int64_t merge_rank(std::int64_t level) const {
    return level == 0 ? 0 : static_cast<std::int64_t>(c_.quanta.size()) - level;
  }

  void boost(Tick t) {
    ++epoch_;
    running_.erase(std::remove_if(running_.begin(), running_.end(),
                                  [](const Process* p) { return p->core < 0; }),
                   running_.end());
    // A running process whose quantum ends now was requeued by mlfq.py before the boost.
    for (Process* p : running_) {
      Job& j = job(*p);
      if (j.ticks_left == 0) {
        expire(j);
        j.key = key(t, 0);
      }
    }
    // Everything queued before this boundary, and the running ones, in mlfq.py's
    // merged order; what entered at this boundary stays after it (or in front).
    std::vector<std::tuple<std::int64_t, Key, Process*>> merged;
    std::map<Key, Process*> top;
    for (auto& level : ready_) {
      for (auto& [k, p] : level) {
        Job& j = job(*p);
        if (j.since < t)
          merged.emplace_back(merge_rank(j.level), k, p);
        else
          top.emplace(k, p);
        lift(j);
      }
      level.clear();
    }
    for (Process* p : running_) {
      Job& j = job(*p);
      merged.emplace_back(merge_rank(j.level), j.key, p);
      lift(j);
    }
    std::sort(merged.begin(), merged.end(), [](const auto& a, const auto& b) {
      return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
    });
    for (auto& [rank, k, p] : merged) {
      Job& j = job(*p);
      j.key = key(t, 0);
      if (!j.dispatched) top.emplace(j.key, p);
    }
    ready_[0] = std::move(top);
  }

  OstepConfig c_;
  std::vector<std::map<Key, Process*>> ready_;  // per level
  std::vector<Job> jobs_;                       // by pid
  std::vector<Process*> running_;               // picked and not queued since (pruned at boosts)
  std::int64_t epoch_ = 0;
  std::int64_t seq_ = 0;
  std::int64_t fronts_ = 0;
  Tick now_ = 0;
  Tick last_boost_ = -1;
};

}  // namespace

std::unique_ptr<Policy> make_mlfq_ostep(OstepConfig c) {
  return std::make_unique<MlfqOstep>(std::move(c));
}

std::vector<std::pair<std::string, std::string>> check_mlfq_ostep(const SchedulerConfig& c) {
  std::vector<std::pair<std::string, std::string>> out;
  auto levels = static_cast<std::size_t>(param_int(c, "levels"));
  std::vector<Tick> quanta = param_list(c, "quanta");
  if (quanta.empty()) quanta.assign(levels, param_int(c, "quantum"));
  std::vector<Tick> allots = param_list(c, "allotments");
  bool listed = !allots.empty();
  if (!listed) {
    Tick a = param_int(c, "allotment");
    for (Tick q : quanta) allots.push_back(a == 0 ? q : a);
  }
  for (std::size_t l = 0; l < levels; ++l) {
    if (allots[l] % quanta[l] == 0) continue;
    out.emplace_back(
        listed ? "allotments" : "allotment",
        "the ostep variant counts an allotment in whole quanta (mlfq.py -A): expected a "
        "multiple of level " +
            std::to_string(l) + "'s quantum " + std::to_string(quanta[l]) + ", found " +
            std::to_string(allots[l]));
    break;  // one message is enough: the others say the same
  }
  return out;
}

}  // namespace mpsim::policies
