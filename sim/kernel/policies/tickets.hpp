#pragma once
// Tickets of a process under lottery and stride, with ticket transfer: a
// process blocked in `join` lends its tickets to the child it waits for
// (OSTEP 9.3's client lending to a server), and a chain of joins passes them
// all down. Computed from the current waits at each use, so nothing has to be
// given back when a join ends, times out or its process is killed.
#include <cstdint>
#include <functional>

#include "mpsim/kernel/process.hpp"

namespace mpsim::policies {

using ProcessLookup = std::function<const Process*(Pid)>;

inline std::int64_t effective_tickets(const Process& p, const ProcessLookup& lookup,
                                      bool transfer) {
  std::int64_t t = p.tickets;
  if (!transfer || !lookup) return t;
  // Parents have lower pids than their children: the walk up ends.
  for (const Process* q = &p;;) {
    const Process* parent = lookup(q->parent);
    if (!parent || parent->state != ProcState::Blocked || parent->block != BlockReason::Join ||
        parent->join_target != q->pid)
      return t;
    t += parent->tickets;
    q = parent;
  }
}

}  // namespace mpsim::policies
