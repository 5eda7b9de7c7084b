#pragma once
/// Basic vocabulary shared by the whole simulator.
#include <cstdint>

namespace mpsim {

using Tick = std::int64_t;  ///< simulated time; tick t is the interval [t, t+1)
using Pid = std::int32_t;   ///< 1 is init, scenario processes start at 2
using CoreId = std::int32_t;

inline constexpr Pid kInitPid = 1;
inline constexpr Pid kNoPid = 0;
inline constexpr Tick kNever = INT64_MAX;

/// Process states of semantics.md §4.
enum class ProcState : std::uint8_t { New, Ready, Running, Blocked, Zombie, Reaped };

/// Why a blocked process waits: each is a separate metric.
enum class BlockReason : std::uint8_t {
  None, Io, Sleep, Join, Lock,  // Lock: a lock or rlock
  Semaphore, Event, Barrier, Condition, Queue,
};

const char* to_string(ProcState s);
const char* to_string(BlockReason r);

}  // namespace mpsim
