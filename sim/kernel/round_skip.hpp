#pragma once
// Private to kernel/: what round skipping (round_skip.cpp) remembers of the
// boundary a candidate round started at, to recognise the same configuration
// one period later and replay the period's effects many times at once.
#include <cstdint>
#include <vector>

#include "mpsim/kernel/process.hpp"
#include "mpsim/model/result.hpp"

namespace mpsim::detail {

/// One ready or running process at the start of a candidate round. Times
/// that stand for "when" (since, ready_since) are kept relative to that
/// boundary; counters absolute, so that their growth over a round is known.
struct RoundProc {
  Process* p = nullptr;
  ProcState state = ProcState::New;
  CoreId core = -1;
  std::int32_t pc = 0;
  Tick remaining = 0, quantum_used = 0, since = 0, ready_since = 0;
  std::uint64_t seq = 0;
  std::int64_t vruntime = 0, level = 0, epoch = 0;
  Tick wait = 0, cpu = 0, first_run = 0;
  std::int64_t involuntary = 0, voluntary = 0;
};

/// One core at that boundary (times relative to it).
struct RoundCore {
  CoreStatus status = CoreStatus::Idle;
  Pid pid = kNoPid, last = kNoPid;
  Tick switch_left = 0, since = 0, switched_in = 0, quantum_used = 0;
  CoreResult acc;
};

/// A candidate round being simulated slice by slice (`active`), and the
/// boundary from which the next one may start (Kernel::next_round_try_).
struct RoundRecord {
  bool active = false;
  Tick start = 0;                ///< boundary the round began at (after its phase 5)
  Tick timer = kNever;           ///< earliest timer then: the round must end before it
  Tick give_up_at = 0;           ///< no period found by then: not periodic (yet)
  std::vector<RoundProc> procs;  ///< running ones first (core order), then the ready queue in order
  std::vector<Pid> order;        ///< the ready queue, in the policy's order
  std::vector<RoundCore> cores;
  std::int64_t switches = 0, events = 0, concurrency = 0;
  Tick overhead = 0;
  std::uint64_t seq = 0;      ///< Kernel::ready_seq_
  std::size_t logged = 0;     ///< event log length
  std::vector<Pid> scratch;   ///< the ready queue at a later boundary
  std::vector<Event> period;  ///< the period's events, to replay into the log
};

}  // namespace mpsim::detail
