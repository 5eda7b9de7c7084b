#pragma once
/// The other synchronisation objects of Python's multiprocessing for the
/// mpsim::os API (os_process.hpp includes this header): RLock, Semaphore,
/// BoundedSemaphore, Event and Barrier.
///
/// Each one keeps its state in an anonymous MAP_SHARED mapping, so, like
/// Lock, it must be created before start() of the processes that use it:
/// fork then gives every child the same mapping. They are meant for
/// single-threaded programs that fork (ownership is per process: the real
/// pid). Inside, a process-shared robust mutex guards the state for a few
/// instructions and a process-shared condition variable on CLOCK_MONOTONIC
/// carries the waits, so timeouts ignore changes of the wall clock. A timeout
/// of 0 (or less) is a try. Misuse that Python reports with RuntimeError,
/// AssertionError or ValueError throws std::logic_error here.
///
/// Left out: Barrier has no timeout, abort() or reset(), so it never breaks
/// (Python's BrokenBarrierError cannot happen); a process that dies while
/// waiting at a barrier still counts as arrived.
///
///     mpsim::os::Semaphore seats(2);  // before start(): at most 2 inside
///     mpsim::os::Process p([&] { std::lock_guard g(seats); sit(); });
#include <chrono>
#include <optional>

namespace mpsim::os {

/// multiprocessing.RLock: a lock its owner (a process) may take again; it is
/// free once released as often as acquired. Releasing it in a process that
/// does not own it throws std::logic_error. An owner that dies keeps it, as
/// in Python. Satisfies Lockable (std::lock_guard works).
class RLock {
 public:
  RLock();
  ~RLock();
  RLock(const RLock&) = delete;
  RLock& operator=(const RLock&) = delete;

  void acquire();
  /// Gives up after `timeout` (0: a try); true when the lock was taken.
  bool acquire(std::chrono::nanoseconds timeout);
  void release();

  void lock() { acquire(); }
  bool try_lock() { return acquire(std::chrono::nanoseconds{0}); }
  void unlock() { release(); }

 private:
  struct State;
  /// Takes the lock `depth` times at once; nullopt: no timeout.
  bool take(std::optional<std::chrono::nanoseconds> timeout, int depth);
  State* s_;
};

/// multiprocessing.Semaphore: a counter that acquire() decrements, waiting
/// while it is 0, and release() increments. A negative initial value throws
/// std::invalid_argument (Python's ValueError).
class Semaphore {
 public:
  explicit Semaphore(int value = 1);
  virtual ~Semaphore();
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  void acquire();
  /// Gives up after `timeout` (0: a try); true when a unit was taken.
  bool acquire(std::chrono::nanoseconds timeout);
  /// Any process may release; a BoundedSemaphore throws std::logic_error
  /// instead of going above its initial value (Python's ValueError).
  void release();
  /// The counter now (approximate once others act).
  [[nodiscard]] int get_value() const;

  void lock() { acquire(); }
  bool try_lock() { return acquire(std::chrono::nanoseconds{0}); }
  void unlock() { release(); }

 protected:
  Semaphore(int value, bool bounded);

 private:
  struct State;
  bool take(std::optional<std::chrono::nanoseconds> timeout);
  State* s_;
};

/// multiprocessing.BoundedSemaphore: a Semaphore whose release() above the
/// initial value throws std::logic_error, which catches an extra release.
class BoundedSemaphore : public Semaphore {
 public:
  explicit BoundedSemaphore(int value = 1) : Semaphore(value, true) {}
};

/// multiprocessing.Event: a flag that processes wait for. A set() wakes every
/// process waiting at that moment, even when clear() follows at once.
class Event {
 public:
  Event();
  ~Event();
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  void set();
  void clear();
  [[nodiscard]] bool is_set() const;
  void wait();
  /// False when the timeout ran out before a set() (Python returns the flag).
  bool wait(std::chrono::nanoseconds timeout);

 private:
  struct State;
  bool wait_set(std::optional<std::chrono::nanoseconds> timeout);
  State* s_;
};

/// multiprocessing.Barrier without timeout, abort() or reset() (see the top
/// of this file): wait() blocks until `parties` processes have called it,
/// then lets them all go and returns each one's arrival index, 0 for the
/// first to arrive up to parties - 1 for the last, as Python does. It is
/// reusable: the next `parties` calls form the next generation. A `parties`
/// below 1 throws std::invalid_argument.
class Barrier {
 public:
  explicit Barrier(int parties);
  ~Barrier();
  Barrier(const Barrier&) = delete;
  Barrier& operator=(const Barrier&) = delete;

  int wait();
  [[nodiscard]] int parties() const;
  /// Processes waiting in the current generation now.
  [[nodiscard]] int n_waiting() const;

 private:
  struct State;
  State* s_;
};

}  // namespace mpsim::os
