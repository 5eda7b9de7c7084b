// The reduction of the exhaustive search (docs/explore.md, "Reduction"): a
// dynamic partial-order reduction in the style of Flanagan and Godefroid.
// After a run, happens-before is rebuilt from the event log with vector
// clocks in which every two operations on one object are ordered when they
// conflict (two writes, a read and a write of a file key; any two
// operations on a lock, semaphore, event, barrier, condition or queue; two
// prints when a check reads the output). A conflicting pair whose first
// operation the second process had not yet seen is a race: the search then
// tries, at the last choice point before the first operation, letting the
// second process go first -- and only there. Other alternatives of dispatch,
// continue and grant points are left out: they only reorder operations that
// do not conflict.
#include <algorithm>
#include <map>
#include <set>

#include "analysis/explore_internal.hpp"

namespace mpsim::detail {

namespace {

using Clock = std::vector<std::uint32_t>;

void join_into(Clock& into, const Clock& other) {
  if (into.size() < other.size()) into.resize(other.size(), 0);
  for (std::size_t i = 0; i < other.size(); ++i) into[i] = std::max(into[i], other[i]);
}

struct Stamp {
  Pid pid;
  std::uint32_t epoch;
  std::size_t pos;  // index in the event log
};

struct ObjectState {
  Clock written;  // clocks of the writes
  Clock all;      // clocks of every access
  std::optional<Stamp> last_write;
  std::vector<Stamp> reads;  // since the last write
};

bool names_pid(ChoiceKind k) {
  return k == ChoiceKind::Dispatch || k == ChoiceKind::Continue || k == ChoiceKind::Grant;
}

class RaceReversal {
 public:
  RaceReversal(const RunResult& r, const std::vector<ChoiceRecord>& points, std::int64_t after,
               bool prints_matter)
      : r_(r), points_(points), after_(after), prints_matter_(prints_matter) {
    // Sized once: clock() never grows the table while a reference into it is held.
    Pid max_pid = kInitPid;
    for (const auto& p : r.processes) max_pid = std::max(max_pid, p.pid);
    clocks_.resize(static_cast<std::size_t>(max_pid) + 1);
  }

  std::set<std::pair<std::int64_t, std::int32_t>> run() {
    std::size_t pos = 0;
    for (const Event& e : r_.events) {
      step(e, pos);
      ++pos;
    }
    return backtrack_;
  }

 private:
  Clock& clock(Pid p) {
    auto i = static_cast<std::size_t>(p);
    if (clocks_.size() <= i) clocks_.resize(i + 1);
    return clocks_[i];
  }
  std::uint32_t tick(Pid p) {
    Clock& c = clock(p);
    auto i = static_cast<std::size_t>(p);
    if (c.size() <= i) c.resize(i + 1, 0);
    return ++c[i];
  }

  void step(const Event& e, std::size_t pos) {
    switch (e.kind) {
      case EventKind::Spawn:
        if (e.b != kInitPid) {
          tick(e.b);
          clock(e.pid) = clock(e.b);
        }
        tick(e.pid);
        return;
      case EventKind::State:
        if (static_cast<ProcState>(e.a) == ProcState::Zombie) exits_[e.pid] = clock(e.pid);
        return;
      case EventKind::Reap:
        if (e.b != kInitPid && exits_.count(e.pid)) join_into(clock(e.b), exits_[e.pid]);
        return;
      case EventKind::Print:
        if (prints_matter_) access(e.pid, "out", true, pos);
        return;
      case EventKind::Sync: {
        auto op = static_cast<SyncOp>(e.a);
        if (op == SyncOp::Read || op == SyncOp::Write)
          access(e.pid, "k" + std::to_string(e.core), op == SyncOp::Write, pos);
        else
          access(e.pid, "o" + std::to_string(e.core), true, pos);
        return;
      }
      default:
        return;
    }
  }

  void access(Pid q, const std::string& object, bool write, std::size_t pos) {
    ObjectState& o = objects_[object];
    Clock& mine = clock(q);
    auto seen = [&](const Stamp& s) {
      auto i = static_cast<std::size_t>(s.pid);
      return i < mine.size() && mine[i] >= s.epoch;
    };
    if (o.last_write && o.last_write->pid != q && !seen(*o.last_write))
      reverse(o.last_write->pos, q);
    if (write)
      for (const Stamp& s : o.reads)
        if (s.pid != q && !seen(s)) reverse(s.pos, q);
    join_into(mine, write ? o.all : o.written);
    std::uint32_t epoch = tick(q);
    Stamp me{q, epoch, pos};
    join_into(o.all, clock(q));
    if (write) {
      join_into(o.written, clock(q));
      o.last_write = me;
      o.reads.clear();
    } else {
      o.reads.push_back(me);
    }
  }

  // Let `q` go before the operation at event `pos`: at the last choice point
  // before it (after the schedule's own deviations) that offers `q` without
  // taking it; when none does, every alternative of the last point before it.
  void reverse(std::size_t pos, Pid q) {
    std::int64_t fallback = -1;
    for (auto i = static_cast<std::int64_t>(points_.size()) - 1; i > after_; --i) {
      const ChoiceRecord& c = points_[static_cast<std::size_t>(i)];
      if (c.event_index > pos || !names_pid(c.kind)) continue;
      if (fallback < 0) fallback = i;
      // A point that took q already ran it first: look further back.
      for (std::size_t k = 0; k < c.pids.size(); ++k) {
        if (c.pids[k] != q || static_cast<std::int32_t>(k) == c.chosen) continue;
        backtrack_.insert({i, static_cast<std::int32_t>(k)});
        return;
      }
    }
    if (fallback < 0) return;
    const ChoiceRecord& c = points_[static_cast<std::size_t>(fallback)];
    for (std::int32_t k = 0; k < c.count; ++k)
      if (k != c.chosen) backtrack_.insert({fallback, k});
  }

  const RunResult& r_;
  const std::vector<ChoiceRecord>& points_;
  std::int64_t after_;
  bool prints_matter_;
  std::vector<Clock> clocks_;
  std::map<Pid, Clock> exits_;
  std::map<std::string, ObjectState> objects_;
  std::set<std::pair<std::int64_t, std::int32_t>> backtrack_;
};

}  // namespace

std::set<std::pair<std::int64_t, std::int32_t>> races_to_reverse(
    const RunResult& r, const std::vector<ChoiceRecord>& points, std::int64_t after,
    bool prints_matter) {
  return RaceReversal(r, points, after, prints_matter).run();
}

std::string por_unsupported(const Scenario& s) {
  for (const auto& [name, prog] : s.programs)
    for (const Instr& in : prog->code)
      if (in.op == OpCode::Terminate || in.op == OpCode::Kill || in.op == OpCode::IsAlive)
        return "program `" + name + "` uses " + to_string(in.op) +
               ", which the reduction does not model: plain enumeration instead";
  return "";
}

}  // namespace mpsim::detail
