#pragma once
/// The other synchronisation objects of Python's multiprocessing for the
/// mpsim::os API (os_process.hpp includes this header): RLock, Semaphore,
/// BoundedSemaphore, Event, Barrier and Condition.
///
/// Each one keeps its state in an anonymous MAP_SHARED mapping, so, like
/// Lock, it must be created before start() of the processes that use it:
/// fork then gives every child the same mapping. They are meant for
/// single-threaded programs that fork (ownership is per process: the real
/// pid). Inside, a process-shared robust mutex guards the state for a few
/// instructions and waiters sleep on a futex word with deadlines on
/// CLOCK_MONOTONIC, so timeouts ignore changes of the wall clock, and a
/// process killed while waiting blocks nobody. A timeout of 0 (or less) is a
/// try. Misuse that Python reports with RuntimeError, AssertionError or
/// ValueError throws std::logic_error here.
///
/// Left out: Barrier has no timeout, abort() or reset(), so it never breaks
/// (Python's BrokenBarrierError cannot happen); a process that dies while
/// waiting at a barrier still counts as arrived.
///
///     mpsim::os::Condition cond;  // before start(); owns an RLock, as in Python
///     mpsim::os::Process p([&] {
///       std::lock_guard g(cond);
///       cond.wait_for([&] { return ready(); });
///     });
#include <chrono>
#include <memory>
#include <optional>

#include "mpsim/os/lockable.hpp"

namespace mpsim::os {

class Lock;
class Condition;

/// multiprocessing.RLock: a lock its owner (a process) may take again; it is
/// free once released as often as acquired. Releasing it in a process that
/// does not own it throws std::logic_error. An owner that dies keeps it, as
/// in Python. Satisfies Lockable (std::lock_guard works).
class RLock : public detail::Lockable<RLock> {
 public:
  RLock();
  ~RLock();
  RLock(const RLock&) = delete;
  RLock& operator=(const RLock&) = delete;

  void acquire();
  /// Gives up after `timeout` (0: a try); true when the lock was taken.
  bool acquire(std::chrono::nanoseconds timeout);
  void release();


 private:
  friend class Condition;
  struct State;
  /// Takes the lock `depth` times at once; nullopt: no timeout.
  bool take(std::optional<std::chrono::nanoseconds> timeout, int depth);
  /// For Condition::wait: frees the lock whatever the depth and returns the
  /// depth, which restore() gives back once the lock is taken again.
  int release_all();
  void restore(int depth);
  [[nodiscard]] bool owned() const;

  State* s_;
};

/// multiprocessing.Semaphore: a counter that acquire() decrements, waiting
/// while it is 0, and release() increments. A negative initial value throws
/// std::invalid_argument (Python's ValueError).
class Semaphore : public detail::Lockable<Semaphore> {
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

/// multiprocessing.Condition over a Lock or an RLock given to it (it must
/// outlive the Condition), or, by default, over an RLock of its own, as in
/// Python. Its acquire/release (and lock/unlock, for std::lock_guard) act on
/// that lock. wait() releases the lock completely (an RLock at any depth),
/// sleeps until notified, then takes the lock again at the same depth.
/// wait, notify and notify_all in a process that does not hold the lock
/// throw std::logic_error (Python's RuntimeError). A notify(n) wakes at most
/// n of the processes waiting at that moment, never a later one. A waiter
/// killed while waiting may still be counted by a notify; that wake-up then
/// goes, at a later notify, to one more waiter than asked (a spurious
/// wake-up, which the loop of wait_for absorbs).
class Condition : public detail::Lockable<Condition> {
 public:
  Condition();
  explicit Condition(Lock& lock);
  explicit Condition(RLock& lock);
  ~Condition();
  Condition(const Condition&) = delete;
  Condition& operator=(const Condition&) = delete;

  void acquire();
  bool acquire(std::chrono::nanoseconds timeout);
  void release();

  void wait();
  /// False when the timeout ran out before a notify; the lock is held again
  /// in both cases.
  bool wait(std::chrono::nanoseconds timeout);
  /// Waits until `ready()` is true (checked first, then after each wake-up).
  template <class Pred>
  void wait_for(Pred ready) {
    while (!ready()) wait();
  }
  /// As above, for at most `timeout` in all; returns the last `ready()`.
  template <class Pred>
  bool wait_for(Pred ready, std::chrono::nanoseconds timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;  // CLOCK_MONOTONIC
    bool r = ready();
    while (!r) {
      auto left = end - std::chrono::steady_clock::now();
      if (left <= left.zero()) break;
      wait(std::chrono::duration_cast<std::chrono::nanoseconds>(left));
      r = ready();
    }
    return r;
  }
  void notify(int n = 1);
  void notify_all();

 private:
  struct State;
  bool wait_notified(std::optional<std::chrono::nanoseconds> timeout);
  bool held() const;
  void check_held(const char* what) const;
  int release_for_wait();
  void take_after_wait(int depth);

  // The default lock, on the heap because an RLock cannot move; a child's
  // copy of it points at the same shared state.
  std::unique_ptr<RLock> own_;
  Lock* lock_ = nullptr;
  RLock* rlock_ = nullptr;
  State* s_;
};

}  // namespace mpsim::os
