// Vector-clock race detection over the event log. A process's clock ticks at
// each of its accesses and synchronisation operations; an access b by q is
// ordered after an earlier access a by p exactly when q's clock has seen p's
// clock value at a (clock_q[p] >= epoch of a).
#include "mpsim/analysis/races.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace mpsim {

namespace {

using Clock = std::vector<std::uint32_t>;

void join(Clock& into, const Clock& other) {
  if (into.size() < other.size()) into.resize(other.size(), 0);
  for (std::size_t i = 0; i < other.size(); ++i) into[i] = std::max(into[i], other[i]);
}

struct Stamp {
  Access access;
  std::uint32_t epoch;  // the accessing process's own clock entry at the access
};

class RaceFinder {
 public:
  RaceFinder(const RunResult& r, std::size_t limit) : r_(r), limit_(limit) {
    Pid max_pid = 1;
    for (const auto& p : r.processes) max_pid = std::max(max_pid, p.pid);
    clocks_.assign(static_cast<std::size_t>(max_pid) + 1, Clock(static_cast<std::size_t>(max_pid) + 1, 0));
  }

  RaceReport run() {
    for (const Event& e : r_.events) {
      if (e.kind == EventKind::Spawn) spawn(e.pid, e.b);
      else if (e.kind == EventKind::State && static_cast<ProcState>(e.a) == ProcState::Zombie) exits_[e.pid] = clock(e.pid);
      else if (e.kind == EventKind::Reap && e.b != kInitPid && exits_.count(e.pid)) join(clock(e.b), exits_[e.pid]);
      else if (e.kind == EventKind::Sync) sync(e);
    }
    return std::move(report_);
  }

 private:
  Clock& clock(Pid p) { return clocks_[static_cast<std::size_t>(p)]; }
  std::uint32_t tick(Pid p) { return ++clock(p)[static_cast<std::size_t>(p)]; }

  void spawn(Pid child, Pid parent) {
    if (parent != kInitPid) {
      tick(parent);
      clock(child) = clock(parent);
    }
    tick(child);
  }

  void sync(const Event& e) {
    auto op = static_cast<SyncOp>(e.a);
    auto obj = static_cast<std::size_t>(e.core);
    switch (op) {
      case SyncOp::Read:
      case SyncOp::Write: access(e.pid, obj, e.tick, op == SyncOp::Write); return;
      case SyncOp::Release:
      case SyncOp::Set:
      case SyncOp::Notify:
        tick(e.pid);
        join(objects_[obj], clock(e.pid));  // everything before, up to now, is published
        return;
      case SyncOp::Acquire:
      case SyncOp::Wake:
      case SyncOp::Notified: join(clock(e.pid), objects_[obj]); tick(e.pid); return;
      case SyncOp::Put: tick(e.pid); messages_[{obj, e.b}] = clock(e.pid); return;
      case SyncOp::Get: join(clock(e.pid), messages_[{obj, e.b}]); tick(e.pid); return;
      case SyncOp::Arrive: tick(e.pid); join(barriers_[{obj, e.b}], clock(e.pid)); return;
      case SyncOp::Pass: join(clock(e.pid), barriers_[{obj, e.b}]); tick(e.pid); return;
    }
  }

  void access(Pid p, std::size_t key, Tick t, bool write) {
    std::uint32_t epoch = tick(p);
    Access now{p, t, write};
    const Clock& mine = clock(p);
    for (const Stamp& before : history_[key]) {
      if (before.access.pid == p || (!before.access.write && !write)) continue;
      auto seen = static_cast<std::size_t>(before.access.pid) < mine.size() ? mine[static_cast<std::size_t>(before.access.pid)] : 0;
      if (seen >= before.epoch) continue;  // ordered by happens-before
      // Two reads by one process at one tick look the same in a report: count the pair once.
      auto id = std::make_tuple(before.access.pid, before.access.tick, before.access.write, p, t, write, key);
      if (!seen_pairs_.insert(id).second) continue;
      ++report_.total;
      if (write && before.access.write) ++report_.write_write;
      if (report_.races.size() < limit_) report_.races.push_back(Race{r_.keys.at(key), before.access, now});
    }
    history_[key].push_back(Stamp{now, epoch});
  }

  const RunResult& r_;
  std::size_t limit_;
  std::vector<Clock> clocks_;
  std::map<Pid, Clock> exits_;
  std::map<std::size_t, Clock> objects_;
  std::map<std::pair<std::size_t, std::int32_t>, Clock> messages_, barriers_;
  std::map<std::size_t, std::vector<Stamp>> history_;
  std::set<std::tuple<Pid, Tick, bool, Pid, Tick, bool, std::size_t>> seen_pairs_;
  RaceReport report_;
};


}  // namespace

RaceReport find_races(const RunResult& r, std::size_t limit) {
  if (r.keys.empty()) return {};  // no shared files: nothing to replay
  return RaceFinder(r, limit).run();
}

std::string explain(const Race& race, const RunResult& r) {
  auto verb = [](const Access& a) { return a.write ? "wrote" : "read"; };
  return "data race on " + race.key + ": " + r.name_of(race.first.pid) + " " + verb(race.first) + " at tick " +
         std::to_string(race.first.tick) + ", " + r.name_of(race.second.pid) + " " + verb(race.second) +
         " at tick " + std::to_string(race.second.tick) + "; nothing orders them (no lock, join or message between)";
}

}  // namespace mpsim
