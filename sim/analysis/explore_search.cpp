// The three searches of `mpsim explore` (docs/explore.md): exhaustive
// breadth-first by number of deviations (so the first failing schedule found
// has the fewest), PCT (Burckhardt et al., ASPLOS 2010) and uniform random
// choices; pct and random results are then minimised.
#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <random>

#include "analysis/explore_internal.hpp"

namespace mpsim {

namespace {

bool names_pid(ChoiceKind k) {
  return k == ChoiceKind::Dispatch || k == ChoiceKind::Continue || k == ChoiceKind::Grant;
}

const Schedule& no_schedule() {
  static const Schedule kEmpty;
  return kEmpty;
}

// Uniform choices, except preempt points when preemption is not explored.
class RandomChooser : public ScheduleChooser {
 public:
  RandomChooser(std::uint64_t seed, Tick jitter, bool preempt)
      : ScheduleChooser(no_schedule()), rng_(seed), preempt_(preempt) {
    this->jitter = jitter;
  }
  std::int32_t choose(const ChoicePoint& point) override {
    std::int32_t c = 0;
    if (point.kind != ChoiceKind::Preempt || preempt_)
      c = std::uniform_int_distribution<std::int32_t>(0, point.count - 1)(rng_);
    record(point, c);
    return c;
  }

 private:
  std::mt19937_64 rng_;
  bool preempt_;
};

// PCT with depth d: random distinct priorities for the processes (given when
// a process is first met), the highest-priority option wins at every
// dispatch, continue and grant point; at d - 1 random steps out of the k of
// the default run, the process that ran last drops below everyone (to
// d - 1, d - 2, ... 1). Delays are uniform; preempt points keep the rule.
class PctChooser : public ScheduleChooser {
 public:
  PctChooser(std::uint64_t seed, std::int32_t depth, std::int64_t k, Tick jitter)
      : ScheduleChooser(no_schedule()), rng_(seed), depth_(depth) {
    this->jitter = jitter;
    std::uniform_int_distribution<std::int64_t> at(0, std::max<std::int64_t>(k, 1) - 1);
    for (std::int32_t i = 1; i < depth; ++i) changes_[at(rng_)] = depth - i;
  }
  std::int32_t choose(const ChoicePoint& point) override {
    auto step = static_cast<std::int64_t>(points.size());
    if (auto c = changes_.find(step); c != changes_.end() && last_ != kNoPid)
      prio_[last_] = c->second;
    std::int32_t chosen = 0;
    if (names_pid(point.kind)) {
      for (std::int32_t i = 1; i < point.count; ++i)
        if (priority(point.pids[i]) > priority(point.pids[chosen])) chosen = i;
      if (point.kind != ChoiceKind::Grant) last_ = point.pids[chosen];
    } else if (point.kind == ChoiceKind::Delay) {
      chosen = std::uniform_int_distribution<std::int32_t>(0, point.count - 1)(rng_);
    }
    record(point, chosen);
    return chosen;
  }

 private:
  double priority(Pid p) {
    auto it = prio_.find(p);
    if (it != prio_.end()) return it->second;
    double v = depth_ + std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    prio_[p] = v;
    return v;
  }
  std::mt19937_64 rng_;
  std::int32_t depth_;
  std::map<std::int64_t, double> changes_;
  std::map<Pid, double> prio_;
  Pid last_ = kNoPid;
};

class Search {
 public:
  Search(const Scenario& s, const ExploreOptions& o) : s_(s), o_(o), opts_(o.limits) {
    opts_.event_skipping = o.event_skipping;
    opts_.record_events = true;
    for (const auto& c : o.checks)
      if (c.source.find("printed") != std::string::npos) prints_matter_ = true;
  }

  ExploreResult run() {
    auto t0 = std::chrono::steady_clock::now();
    if (o_.mode == SearchMode::Exhaustive)
      exhaustive();
    else
      randomised();
    res_.stats.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return std::move(res_);
  }

 private:
  // One run with `chooser`; keeps it as the answer when it fails first.
  bool attempt(ScheduleChooser& chooser) {
    RunOptions opts = opts_;
    opts.chooser = &chooser;
    RunResult r = simulate(s_, opts);
    ++res_.stats.schedules;
    res_.stats.max_points =
        std::max(res_.stats.max_points, static_cast<std::int64_t>(chooser.points.size()));
    Verdict v = judge(o_.checks, r);
    last_run_ = std::move(r);
    if (!v.violated) return false;
    ++res_.stats.violations;
    if (!res_.found) {
      res_.found = true;
      res_.stats.first_violation = res_.stats.schedules - 1;
      keep(chooser, std::move(last_run_), std::move(v));
    }
    return true;
  }

  void keep(ScheduleChooser& chooser, RunResult r, Verdict v) {
    res_.schedule = chooser.taken();
    res_.run = std::move(r);
    res_.verdict = std::move(v);
    res_.points = chooser.points;
    res_.accesses = chooser.accesses;
  }

  void exhaustive() {
    std::string why = o_.por ? detail::por_unsupported(s_) : "";
    res_.stats.por_used = o_.por && why.empty();
    res_.stats.por_note = why;
    std::deque<Schedule> level{Schedule{o_.jitter, {}}};
    for (std::int32_t k = 0; !level.empty(); ++k) {
      std::deque<Schedule> next;
      for (const Schedule& sched : level) {
        if (res_.stats.schedules >= o_.max_schedules) return;  // incomplete
        ScheduleChooser chooser(sched);
        if (attempt(chooser)) return;
        if (k < o_.max_deviations) children(sched, chooser, next);
      }
      level = std::move(next);
    }
    res_.stats.complete = true;
  }

  // The schedules with one deviation more, each after the last one of `sched`.
  void children(const Schedule& sched, const ScheduleChooser& chooser, std::deque<Schedule>& out) {
    std::int64_t after = sched.deviations.empty() ? -1 : sched.deviations.back().step;
    std::set<std::pair<std::int64_t, std::int32_t>> keep;
    if (res_.stats.por_used)
      keep = detail::races_to_reverse(last_run_, chooser.points, after, prints_matter_);
    for (auto i = after + 1; i < static_cast<std::int64_t>(chooser.points.size()); ++i) {
      const ChoiceRecord& p = chooser.points[static_cast<std::size_t>(i)];
      if (p.kind == ChoiceKind::Preempt && !o_.preempt) continue;
      for (std::int32_t opt = 1; opt < p.count; ++opt) {
        ++res_.stats.alternatives;
        if (res_.stats.por_used && names_pid(p.kind) && !keep.count({i, opt})) {
          ++res_.stats.pruned;
          continue;
        }
        Schedule child = sched;
        Pid pid = names_pid(p.kind) ? p.pids[static_cast<std::size_t>(opt)] : p.pid;
        child.deviations.push_back(Deviation{i, p.tick, p.kind, opt, pid});
        out.push_back(std::move(child));
      }
    }
  }

  void randomised() {
    std::int64_t k = 1;
    if (o_.mode ==
        SearchMode::Pct) {  // the default run measures k, the steps to place change points in
      const Schedule none{o_.jitter, {}};  // outlives the chooser, which keeps a reference
      ScheduleChooser first(none);
      if (attempt(first) && !o_.keep_going) return minimise();
      k = static_cast<std::int64_t>(first.points.size());
    }
    for (std::uint64_t i = 0; res_.stats.schedules < o_.max_schedules; ++i) {
      std::uint64_t seed = o_.seed + i;
      bool bad = false;
      if (o_.mode == SearchMode::Pct) {
        PctChooser c(seed, o_.pct_depth, k, o_.jitter);
        bad = attempt(c);
      } else {
        RandomChooser c(seed, o_.jitter, o_.preempt);
        bad = attempt(c);
      }
      if (bad && !o_.keep_going) break;
    }
    res_.stats.complete = true;
    if (res_.found) minimise();
  }

  // Drops deviations one at a time while the run still fails (tolerant
  // replay: later deviations that no longer fit are skipped). At most 500 runs.
  void minimise() {
    Schedule best = res_.schedule;
    int budget = 500;
    for (std::size_t i = 0; i < best.deviations.size() && budget > 0;) {
      Schedule cand = best;
      cand.deviations.erase(cand.deviations.begin() + static_cast<std::ptrdiff_t>(i));
      ScheduleChooser c(cand, true);
      RunOptions opts = opts_;
      opts.chooser = &c;
      RunResult r = simulate(s_, opts);
      --budget;
      Verdict v = judge(o_.checks, r);
      if (v.violated && c.taken().deviations.size() < best.deviations.size()) {
        best = c.taken();
        keep(c, std::move(r), std::move(v));
      } else {
        ++i;
      }
    }
  }

  const Scenario& s_;
  const ExploreOptions& o_;
  RunOptions opts_;
  bool prints_matter_ = false;
  RunResult last_run_;
  ExploreResult res_;
};

}  // namespace

ExploreResult explore(const Scenario& s, const ExploreOptions& o) {
  return Search(s, o).run();
}

}  // namespace mpsim
