#pragma once
/// multiprocessing.Value, Array and Pipe for the mpsim::os API
/// (docs/semantics.md §14 has the scenario language's version).
///
/// Value and Array keep their data in an anonymous MAP_SHARED mapping and
/// come with an RLock (lock = true, as in Python), so, like Lock, they must
/// be created before start() of the processes that use them. Each single
/// load or store is atomic (T is an arithmetic type, accessed with
/// std::atomic_ref), but `v.store(v.load() + 1)` is a read and then a write:
/// hold get_lock() around both, or updates are lost.
///
/// Pipe() makes a connected pair of Connections (a Unix socket pair, so a
/// write to a closed peer reports an error instead of raising SIGPIPE).
/// Messages are byte strings, delivered whole and in order. Unlike the
/// simulator, every process holds its own copy of both ends after fork:
/// recv() reports end of file (throws EOFError) only when every copy of the
/// other end is closed, so a child closes the end it does not use.
///
///     mpsim::os::Value<int> counter(0);
///     auto [parent_end, child_end] = mpsim::os::Pipe();
///     mpsim::os::Process p([&] {
///       parent_end.close();  // the child's copy: else recv() never sees EOF
///       { std::lock_guard g(counter.get_lock()); counter.store(counter.load() + 1); }
///       child_end.send("done");
///     });
#include <atomic>
#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "mpsim/os/sync.hpp"

namespace mpsim::os {

namespace detail {
/// `bytes` of zeroed memory shared with every child forked later; throws
/// std::system_error when mmap fails.
void* map_shared_bytes(std::size_t bytes);
void unmap_shared_bytes(void* p, std::size_t bytes) noexcept;
}  // namespace detail

/// multiprocessing.Array: `size()` elements of arithmetic type T in shared
/// memory. get()/set() out of range throw std::out_of_range (IndexError);
/// get_lock() without a lock throws std::logic_error.
template <class T>
class Array {
  static_assert(std::is_arithmetic_v<T>, "a shared Array holds numbers (Python's typecodes)");

 public:
  explicit Array(std::size_t n, bool lock = true) : n_(n) {
    if (n == 0) throw std::invalid_argument("an Array needs at least one element");
    data_ = static_cast<T*>(detail::map_shared_bytes(n * sizeof(T)));
    if (lock) lock_ = std::make_unique<RLock>();
  }
  Array(std::initializer_list<T> init, bool lock = true) : Array(init.size(), lock) {
    std::size_t i = 0;
    for (T v : init) set(i++, v);
  }
  ~Array() { detail::unmap_shared_bytes(data_, n_ * sizeof(T)); }
  Array(const Array&) = delete;
  Array& operator=(const Array&) = delete;

  [[nodiscard]] std::size_t size() const { return n_; }
  [[nodiscard]] T get(std::size_t i) const {
    return std::atomic_ref<T>(data_[check(i)]).load(std::memory_order_relaxed);
  }
  void set(std::size_t i, T v) {
    std::atomic_ref<T>(data_[check(i)]).store(v, std::memory_order_relaxed);
  }
  RLock& get_lock() {
    if (!lock_)
      throw std::logic_error("this shared object was made with lock = false: it has no lock");
    return *lock_;
  }

 private:
  std::size_t check(std::size_t i) const {
    if (i >= n_)
      throw std::out_of_range("index " + std::to_string(i) + " out of range for an Array of " +
                              std::to_string(n_));
    return i;
  }
  std::size_t n_;
  T* data_ = nullptr;
  std::unique_ptr<RLock> lock_;
};

/// multiprocessing.Value: one shared number, with load() and store().
template <class T>
class Value {
 public:
  explicit Value(T initial = T{}, bool lock = true) : a_({initial}, lock) {}
  [[nodiscard]] T load() const { return a_.get(0); }
  void store(T v) { a_.set(0, v); }
  RLock& get_lock() { return a_.get_lock(); }

 private:
  Array<T> a_;
};

/// recv() at end of file: the other end is closed (every copy of it) and
/// no message is left. Python raises EOFError.
class EOFError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One end of a Pipe. send() on an end that only receives, or any use of a
/// closed end, throws std::logic_error (Python: OSError, handle is closed);
/// send() when the other end is gone throws std::system_error (EPIPE,
/// Python's BrokenPipeError). Closing twice does nothing.
class Connection {
 public:
  Connection(int fd, bool readable, bool writable)
      : fd_(fd), readable_(readable), writable_(writable) {}
  ~Connection();
  Connection(Connection&& o) noexcept
      : fd_(std::exchange(o.fd_, -1)), readable_(o.readable_), writable_(o.writable_) {}
  Connection& operator=(Connection&&) = delete;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Blocks while the pipe is full; messages up to 64 MiB.
  void send(std::string_view message);
  /// Blocks until a whole message arrives; throws EOFError at end of file.
  std::string recv();
  /// True when recv() would not block (a message, or end of file); waits up
  /// to `timeout` (0: a look).
  bool poll(std::chrono::nanoseconds timeout = std::chrono::nanoseconds(0));
  void close();
  [[nodiscard]] bool closed() const { return fd_ < 0; }

 private:
  int live_fd(const char* what) const;
  int fd_;
  bool readable_, writable_;
};

/// multiprocessing.Pipe(duplex): both ends send and receive; with duplex
/// false the first end only receives and the second only sends, as in Python.
std::pair<Connection, Connection> Pipe(bool duplex = true);

}  // namespace mpsim::os
