#pragma once
/// Programs whose operations come from outside the simulator, one step at a
/// time (`mpsim py`: a real Python process decides what it does next). The
/// kernel stays the one scheduler: it asks the driver for a process's next
/// operations only when that process holds a core and has run out of them.
#include <cstdint>
#include <string>

#include "mpsim/kernel/process.hpp"
#include "mpsim/model/scenario.hpp"

namespace mpsim {

/// What the kernel offers a driver while it is being asked (zero time, at now()).
class ExternalHost {
 public:
  virtual ~ExternalHost() = default;
  [[nodiscard]] virtual Tick now() const = 0;
  /// The process with this pid, or nullptr.
  virtual const Process* process(std::int64_t pid) = 0;
  /// Declares a synchronisation object now; returns its index (Instr::obj).
  virtual std::int32_t add_object(const SyncObject& o) = 0;
  /// Records a read or write of shared state `key` by `p` for the race detector.
  virtual void shared_access(const Process& p, const std::string& key, bool write) = 0;
  /// Ends `p` now with `code`, skipping any exit sequence (Python's os._exit).
  virtual void exit_now(Process& p, std::int64_t code) = 0;
};

class ExternalDriver {
 public:
  virtual ~ExternalDriver() = default;
  /// `p` runs a program with Program::external set and has reached its End
  /// (before any exit sequence): set `p.program` (kept alive by the driver
  /// for the whole run) and `p.pc` to the operations it performs next. They
  /// may end with End again (ask once more) or with Exit; or end `p` with
  /// ExternalHost::exit_now. Throwing
  /// RuntimeError fails the process; any other exception ends the run.
  virtual void next(ExternalHost& host, Process& p) = 0;
};

}  // namespace mpsim
