#pragma once
/// Choice points: where the contract (semantics.md §5, §7) breaks a tie by a
/// fixed rule that a real machine leaves to chance. Without a Chooser
/// (RunOptions::chooser == nullptr) the machine applies the rule; with one it
/// asks, at every such point that has more than one option. Option 0 is
/// always what the rule would do, so a chooser answering 0 everywhere gives
/// the ordinary run. Used by `mpsim explore` and `mpsim run --schedule`
/// (docs/explore.md).
#include <cstdint>
#include <string>

#include "mpsim/model/types.hpp"
#include "mpsim/model/value.hpp"

namespace mpsim {

enum class ChoiceKind : std::uint8_t {
  Dispatch,  ///< which ready process free core `core` takes (options: pids, policy's pick first)
  Continue,  ///< which core's process runs its zero-time operations next at this boundary
             ///< (phase 2; options: the pids on those cores, core order first)
  Grant,     ///< which same-tick waiter gets lock/semaphore `object` (options: pids, FIFO first)
  Preempt,   ///< `pid`'s slice ended and another process wants the core: 0 requeue it, 1 let it go
             ///< on
  Delay,     ///< `pid` starts io/sleep: option k adds k ticks (k = 0 .. jitter)
};

const char* to_string(ChoiceKind k);

struct ChoicePoint {
  ChoiceKind kind = ChoiceKind::Dispatch;
  Tick tick = 0;
  std::int32_t count = 0;       ///< options (>= 2)
  const Pid* pids = nullptr;    ///< Dispatch, Continue, Grant: the option pids; else nullptr
  Pid pid = kNoPid;             ///< Preempt, Delay: the process concerned
  std::int32_t core = -1;       ///< Dispatch: the free core
  std::int32_t object = -1;     ///< Grant: index into RunResult::objects
  std::size_t event_index = 0;  ///< events logged before this point (RunResult::events)
};

class Chooser {
 public:
  virtual ~Chooser() = default;
  /// The option to take, in [0, point.count).
  virtual std::int32_t choose(const ChoicePoint& point) = 0;
  /// A shared file key was read or written (for explanations); `v` is the value.
  virtual void on_access(Pid pid, bool write, const std::string& key, const Value& v, Tick tick) {
    (void)pid, (void)write, (void)key, (void)v, (void)tick;
  }
  /// Extra ticks io and sleep may take (Delay choices); 0: none offered.
  Tick jitter = 0;
};

}  // namespace mpsim
