// Following a schedule through a run: the chooser that answers the choice
// points from a list of deviations, records what it met, and the verdict of
// a run against the scenario's checks.
#include <algorithm>

#include "mpsim/analysis/explore.hpp"

namespace mpsim {

ScheduleChooser::ScheduleChooser(const Schedule& s, bool tolerant) : s_(s), tolerant_(tolerant) {
  jitter = s.jitter;
}

namespace {

bool names_pid(ChoiceKind k) {
  return k == ChoiceKind::Dispatch || k == ChoiceKind::Continue || k == ChoiceKind::Grant;
}

// The option of deviation `d` at `point`, or -1 when it does not fit.
std::int32_t option_of(const Deviation& d, const ChoicePoint& point) {
  if (d.kind != point.kind || d.tick != point.tick) return -1;
  if (names_pid(d.kind)) {
    for (std::int32_t i = 0; i < point.count; ++i)
      if (point.pids[i] == d.pid) return i;
    return -1;
  }
  if (d.pid != point.pid || d.option >= point.count) return -1;
  return d.option;
}

}  // namespace

std::int32_t ScheduleChooser::choose(const ChoicePoint& point) {
  auto step = static_cast<std::int64_t>(points.size());
  std::int32_t chosen = 0;
  while (next_ < s_.deviations.size() && s_.deviations[next_].step < step)
    ++next_;  // tolerant skips
  if (next_ < s_.deviations.size() && s_.deviations[next_].step == step) {
    const Deviation& d = s_.deviations[next_++];
    std::int32_t o = option_of(d, point);
    if (o >= 0) {
      chosen = o;
    } else if (!tolerant_ && stale_.empty()) {
      stale_ = "deviation " + std::to_string(next_ - 1) + " (step " + std::to_string(d.step) +
               ") is a " + to_string(d.kind) + " at tick " + std::to_string(d.tick) + " for pid " +
               std::to_string(d.pid) + ", but step " + std::to_string(step) + " of this run is a " +
               to_string(point.kind) + " at tick " + std::to_string(point.tick) +
               (point.pid != kNoPid ? " for pid " + std::to_string(point.pid) : "");
    }
  }
  record(point, chosen);
  return chosen;
}

void ScheduleChooser::record(const ChoicePoint& point, std::int32_t chosen) {
  ChoiceRecord rec{point.kind,   point.tick,        {},    point.count, point.pid, point.core,
                   point.object, point.event_index, chosen};
  if (point.pids) rec.pids.assign(point.pids, point.pids + point.count);
  points.push_back(std::move(rec));
}

void ScheduleChooser::on_access(Pid pid, bool write, const std::string& key, const Value& v,
                                Tick tick) {
  accesses.push_back(FileAccess{pid, write, key, to_display(v), tick});
}

std::string ScheduleChooser::stale() const {
  if (!stale_.empty()) return stale_;
  if (!tolerant_ && next_ < s_.deviations.size())
    return "the run met " + std::to_string(points.size()) + " choice points, but deviation " +
           std::to_string(next_) + " is at step " + std::to_string(s_.deviations[next_].step);
  return "";
}

Schedule ScheduleChooser::taken() const {
  Schedule s;
  s.jitter = jitter;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const ChoiceRecord& p = points[i];
    if (p.chosen == 0) continue;
    Pid pid = names_pid(p.kind) ? p.pids[static_cast<std::size_t>(p.chosen)] : p.pid;
    s.deviations.push_back(Deviation{static_cast<std::int64_t>(i), p.tick, p.kind, p.chosen, pid});
  }
  return s;
}

RunResult replay(const Scenario& s, ScheduleChooser& chooser, RunOptions opts, std::string& error) {
  opts.chooser = &chooser;
  RunResult r = simulate(s, opts);
  error = chooser.stale();
  return r;
}

std::vector<Expectation> checks_for(const Scenario& s, const std::vector<Expectation>& extra) {
  std::vector<Expectation> all = s.expects;
  all.insert(all.end(), extra.begin(), extra.end());
  if (all.empty()) all.push_back(Expectation{"no_deadlock", Expr::parse("no_deadlock"), ""});
  return all;
}

Verdict judge(const std::vector<Expectation>& checks, const RunResult& r) {
  Verdict v;
  v.expects = check_expects(checks, r);
  v.violated = violated(v.expects, r);
  return v;
}

}  // namespace mpsim
