#pragma once
/// Data races on shared file keys: conflicting accesses (same key, different
/// processes, at least one write) that happens-before does not order.
#include <string>
#include <vector>

#include "mpsim/model/result.hpp"

namespace mpsim {

struct Access {
  Pid pid;
  Tick tick;
  bool write;
};

struct Race {
  std::string key;  ///< "data.ticket"
  Access first;     ///< the earlier access in the run
  Access second;
};

struct RaceReport {
  std::vector<Race> races;  ///< in the order the second access happened; at most the limit asked
  std::size_t total = 0;    ///< all races found, also those not listed (pairs that read the
                            ///< same in a report, e.g. two reads at one tick, count once)
  std::size_t write_write = 0;  ///< of `total`, pairs of two writes (an update may be lost);
                                ///< the others pair a read with a write (a read may be stale)
};

/// Replays the event log with vector clocks. Happens-before: program order,
/// spawn -> child, child exit -> the join that reaps it, lock/semaphore
/// release -> later acquire, put -> the get of that message, event set ->
/// wake, barrier arrivals -> passes, notify -> notified. Costs nothing when
/// the run has no file accesses.
RaceReport find_races(const RunResult& r, std::size_t limit = 200);

/// "data race on data.ticket: buyer-2 read at tick 3, buyer-5 wrote at tick 1004; nothing orders them"
std::string explain(const Race& race, const RunResult& r);

}  // namespace mpsim
