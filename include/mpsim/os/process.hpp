#pragma once
/// A small C++ API modelled on Python's multiprocessing (issue 4, part 3),
/// usable on its own: real fork()ed processes and objects shared across fork.
/// This header has Process, Lock and Queue, and includes os_sync.hpp for
/// RLock, Semaphore, BoundedSemaphore, Event, Barrier and Condition. They
/// must be used from a single-threaded program (fork copies only the calling
/// thread).
///
///     mpsim::os::Lock lock;                      // before start(): shared by the children
///     mpsim::os::Process p([&] { std::lock_guard g(lock); buy(); }, "buyer");
///     p.start();
///     p.join();
///     int code = *p.exitcode();                  // 0, the code given to exit_process, or -signal
#include <semaphore.h>
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <type_traits>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "mpsim/os/lockable.hpp"
#include "mpsim/os/sync.hpp"

namespace mpsim::os {

/// multiprocessing.Lock: a process-shared, non-recursive, non-robust mutex in
/// an anonymous shared mapping. Create it before starting the processes that
/// use it. Re-acquiring it in its holder waits for ever, and a holder that
/// dies keeps it, as in Python. Satisfies Lockable (std::lock_guard works).
class Lock : public detail::Lockable<Lock> {
 public:
  Lock();
  ~Lock();
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

  void acquire();
  /// Gives up after `timeout` (0: a try); true when the lock was taken.
  bool acquire(std::chrono::nanoseconds timeout);
  /// Releasing a lock this process does not hold throws std::logic_error
  /// (Python raises ValueError).
  void release();


 private:
  friend class Condition;  // wait and notify need to know who holds it
  [[nodiscard]] bool held_here() const;

  struct State;
  State* s_;
};

namespace detail {

/// The untyped part of Queue: a ring of `capacity` cells of `size` bytes in an
/// anonymous shared mapping, a robust mutex for the ring and two counting
/// semaphores (messages, free cells), as in the textbook bounded buffer. A
/// process killed while waiting on a semaphore blocks nobody.
class SharedRing {
 public:
  SharedRing(std::size_t size, std::size_t capacity);
  ~SharedRing();
  SharedRing(const SharedRing&) = delete;
  SharedRing& operator=(const SharedRing&) = delete;
  /// Copies `size` bytes in (put) or out (get); false when the timeout ran out.
  bool put(const void* item, std::optional<std::chrono::nanoseconds> timeout);
  bool get(void* item, std::optional<std::chrono::nanoseconds> timeout);
  [[nodiscard]] std::size_t size() const;

 private:
  struct Header;
  Header* h_;
  std::size_t bytes_;
};

}  // namespace detail

/// multiprocessing.Queue for values that can be copied byte by byte (ints,
/// plain structs, fixed char arrays): FIFO, at most `capacity` messages
/// (Python's maxsize; there is no unbounded form). Create it before starting
/// the processes that use it.
template <class T>
class Queue {
  static_assert(std::is_trivially_copyable_v<T>, "a Queue message is copied byte by byte across processes");

 public:
  explicit Queue(std::size_t capacity = 1024) : ring_(sizeof(T), capacity) {}
  /// Blocks while the queue is full.
  void put(const T& v) { ring_.put(&v, std::nullopt); }
  /// Gives up after `timeout` (0: a try): false, like Python's queue.Full.
  bool put(const T& v, std::chrono::nanoseconds timeout) { return ring_.put(&v, timeout); }
  /// Blocks while the queue is empty.
  T get() {
    T v;
    ring_.get(&v, std::nullopt);
    return v;
  }
  /// nullopt when the timeout ran out (Python's queue.Empty).
  std::optional<T> get(std::chrono::nanoseconds timeout) {
    T v;
    if (!ring_.get(&v, timeout)) return std::nullopt;
    return v;
  }
  /// Messages in the queue now (Python's qsize: approximate once others act).
  [[nodiscard]] std::size_t qsize() const { return ring_.size(); }

 private:
  detail::SharedRing ring_;
};

/// multiprocessing.Process: created from a callable (bind arguments with a
/// lambda, or use with_args), or by subclassing and overriding run().
class Process {
 public:
  /// For subclasses that override run().
  explicit Process(std::string name = {});
  explicit Process(std::function<void()> target, std::string name = {});
  template <class F, class... Args>
  static Process with_args(std::string name, F f, Args... args) {
    return Process([f = std::move(f), ... a = std::move(args)]() mutable { f(a...); }, std::move(name));
  }
  /// A started child that was not joined: a daemon is terminated, any other
  /// joined, so no zombie is left behind.
  virtual ~Process();
  Process(Process&& other) noexcept;
  Process& operator=(Process&&) = delete;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  /// Forks; the child runs run() and exits with 0 (1 when it threw). Starting
  /// twice throws std::logic_error.
  void start();
  /// Waits for the child to exit and reaps it; with a timeout, gives up after
  /// it (then the child is still alive). Joining a child never started throws.
  void join(std::optional<std::chrono::nanoseconds> timeout = std::nullopt);
  [[nodiscard]] bool is_alive();
  void terminate();  ///< SIGTERM
  void kill();       ///< SIGKILL

  /// The real pid once started (0 before).
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] bool daemon() const { return daemon_; }
  /// Only before start(), as Python says: afterwards it throws std::logic_error.
  void set_daemon(bool d);
  /// The exit code once the child has exited: 0, the code it exited with, or
  /// -N when it was killed by signal N. nullopt while it runs.
  [[nodiscard]] std::optional<int> exitcode();

  /// In a child: ends this process now with `code` (Python's sys.exit).
  [[noreturn]] static void exit_process(int code);

 protected:
  /// What the child runs: the target by default.
  virtual void run();

 private:
  void poll_exit(bool block);

  std::function<void()> target_;
  std::string name_;
  bool daemon_ = false;
  bool started_ = false;
  bool reaped_ = false;
  pid_t pid_ = 0;
  std::optional<int> exitcode_;
};

}  // namespace mpsim::os
