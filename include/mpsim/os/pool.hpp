#pragma once
/// multiprocessing.Pool for the mpsim::os API: `processes` real forked
/// workers fed through a task Queue in shared memory, results coming back
/// through a second Queue, with the metrics of docs/semantics.md §13 measured
/// on CLOCK_MONOTONIC (submitted, started, finished, worker pid; utilisation).
///
///     mpsim::os::Pool<int, long> pool(2, [](const int& x) { return long{x} * x; });
///     long nine = pool.apply(3);                   // synchronous: waits
///     auto h = pool.apply_async(4, [](long r) { /* runs in this process */ });
///     long sixteen = pool.get(h);                  // asynchronous: collect later
///     pool.close();
///     pool.join();                                 // no worker left behind
///
/// Arguments and results are copied byte by byte (trivially copyable types).
/// Like Process, a Pool must be used from a single-threaded program. The
/// function runs in the workers (fork copies it); an exception there fails
/// only the task: get() of it throws std::runtime_error and the worker goes
/// on. Callbacks run in the creating process when its results are collected
/// (in get, wait, ready, map or join), not in a background thread. Left out:
/// maxtasksperchild, initializer, imap and chunksize.
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "mpsim/os/process.hpp"

namespace mpsim::os {

/// One task as measured: times in nanoseconds since the pool was created.
struct PoolTaskRecord {
  std::int64_t id = 0;
  pid_t worker = 0;
  std::int64_t submitted_ns = 0, started_ns = 0, finished_ns = 0;
  bool ok = false;
};

template <class Arg, class Result>
class Pool {
  static_assert(std::is_trivially_copyable_v<Arg> && std::is_trivially_copyable_v<Result>,
                "pool arguments and results are copied byte by byte across processes");

 public:
  using Function = std::function<Result(const Arg&)>;
  using Callback = std::function<void(const Result&)>;
  /// The handle apply_async gives (AsyncResult).
  struct Handle {
    std::int64_t id = 0;
  };

  /// Forks the workers at once (daemonic, as in Python).
  Pool(std::size_t processes, Function f, std::size_t capacity = 1024)
      : tasks_(capacity), done_(capacity), f_(std::move(f)), epoch_(now_ns()) {
    if (processes == 0) throw std::invalid_argument("a Pool needs at least one process");
    for (std::size_t i = 0; i < processes; ++i) {
      auto w = std::make_unique<Process>([this] { work(); }, "PoolWorker-" + std::to_string(i + 1));
      w->set_daemon(true);
      w->start();
      workers_.push_back(std::move(w));
    }
  }
  /// Not joined: the workers are terminated, so no process is left behind.
  ~Pool() {
    if (!joined_) terminate();
  }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// Submits one task; returns at once.
  Handle apply_async(const Arg& a, Callback callback = {}) {
    if (state_ != Running) throw std::logic_error("Pool not running");
    Task t{next_id_++, a};
    records_[t.id] = PoolTaskRecord{t.id, 0, now_ns() - epoch_, -1, -1, false};
    if (callback) callbacks_[t.id] = std::move(callback);
    // A full task queue while workers wait to hand back results would stall
    // both sides: collect results while waiting for room.
    while (!tasks_.put(t, std::chrono::milliseconds(1))) collect(std::chrono::nanoseconds(0));
    return Handle{t.id};
  }
  /// Synchronous: submits and waits for the result.
  Result apply(const Arg& a) { return get(apply_async(a)); }
  /// Every item, results in item order.
  std::vector<Result> map(const std::vector<Arg>& items) {
    std::vector<Handle> hs;
    for (const Arg& a : items) hs.push_back(apply_async(a));
    std::vector<Result> out;
    for (Handle h : hs) out.push_back(get(h));
    return out;
  }
  /// Waits for the result (AsyncResult.get); throws std::runtime_error when
  /// the task failed, or when `timeout` ran out (Python's TimeoutError).
  Result get(Handle h, std::optional<std::chrono::nanoseconds> timeout = std::nullopt) {
    if (!wait(h, timeout)) throw std::runtime_error("task " + std::to_string(h.id) + ": timed out");
    const Finished& f = finished_.at(h.id);
    if (!f.ok)
      throw std::runtime_error("task " + std::to_string(h.id) + " failed in worker " +
                               std::to_string(f.worker));
    return f.result;
  }
  /// True once the result is there (it waited at most `timeout`).
  bool wait(Handle h, std::optional<std::chrono::nanoseconds> timeout = std::nullopt) {
    known(h);
    std::int64_t deadline = timeout ? now_ns() + timeout->count() : 0;
    while (!finished_.count(h.id)) {
      if (!timeout) {
        collect(std::nullopt);
        continue;
      }
      std::int64_t left = deadline - now_ns();
      if (left <= 0 || !collect(std::chrono::nanoseconds(left))) return finished_.count(h.id) > 0;
    }
    return true;
  }
  bool ready(Handle h) { return wait(h, std::chrono::nanoseconds(0)); }

  /// No more tasks; the workers exit once the queue is empty.
  void close() {
    if (state_ != Running) return;
    state_ = Closed;
    for (std::size_t i = 0; i < workers_.size(); ++i) tasks_.put(Task{-1, Arg{}});
  }
  /// Waits for every worker to exit (after close or terminate) and collects
  /// the results still queued.
  void join() {
    if (state_ == Running)
      throw std::logic_error("join() of a Pool that is still running: close() it first");
    while (pending() > 0 && state_ == Closed) collect(std::nullopt);
    for (auto& w : workers_) w->join();
    joined_ = true;
    end_ns_ = now_ns() - epoch_;
  }
  /// SIGTERM to every worker; their tasks are lost.
  void terminate() {
    state_ = Terminated;
    for (auto& w : workers_)
      if (w->is_alive()) w->terminate();
    for (auto& w : workers_) w->join();
    joined_ = true;
    end_ns_ = now_ns() - epoch_;
  }

  /// The worker pids, in creation order.
  [[nodiscard]] std::vector<pid_t> worker_pids() const {
    std::vector<pid_t> v;
    for (const auto& w : workers_) v.push_back(w->pid());
    return v;
  }
  /// Every task submitted so far, by id (started/finished -1 until collected).
  [[nodiscard]] std::vector<PoolTaskRecord> records() const {
    std::vector<PoolTaskRecord> v;
    for (const auto& [id, r] : records_) v.push_back(r);
    return v;
  }
  /// Busy worker-time / (processes x lifetime), the lifetime ending at join
  /// (or now): the pool utilisation of docs/semantics.md §13.
  [[nodiscard]] double utilisation() const {
    std::int64_t busy = 0;
    for (const auto& [id, r] : records_)
      if (r.finished_ns >= 0) busy += r.finished_ns - r.started_ns;
    std::int64_t life = joined_ ? end_ns_ : now_ns() - epoch_;
    return life <= 0 ? 0.0
                     : static_cast<double>(busy) / (static_cast<double>(workers_.size()) * life);
  }

 private:
  enum State { Running, Closed, Terminated };
  struct Task {
    std::int64_t id;  ///< -1: exit
    Arg arg;
  };
  struct Done {
    std::int64_t id;
    pid_t worker;
    std::int64_t started, finished;  ///< CLOCK_MONOTONIC ns
    bool ok;
    Result result;
  };
  struct Finished {
    bool ok;
    pid_t worker;
    Result result;
  };

  static std::int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
  }

  // In a worker: take tasks until told to exit.
  void work() {
    for (;;) {
      Task t = tasks_.get();
      if (t.id < 0) return;
      Done d{t.id, ::getpid(), now_ns(), 0, false, Result{}};
      try {
        d.result = f_(t.arg);
        d.ok = true;
      } catch (...) {  // the task fails, the worker goes on (as in Python)
      }
      d.finished = now_ns();
      done_.put(d);
    }
  }

  // In the creator: takes one result (waiting at most `timeout`; nullopt: no
  // limit), records it and runs its callback. False when none came.
  bool collect(std::optional<std::chrono::nanoseconds> timeout) {
    std::optional<Done> d;
    if (timeout)
      d = done_.get(*timeout);
    else
      d = done_.get();
    if (!d) return false;
    PoolTaskRecord& r = records_.at(d->id);
    r.worker = d->worker;
    r.started_ns = d->started - epoch_;
    r.finished_ns = d->finished - epoch_;
    r.ok = d->ok;
    finished_[d->id] = Finished{d->ok, d->worker, d->result};
    if (auto it = callbacks_.find(d->id); it != callbacks_.end()) {
      Callback cb = std::move(it->second);
      callbacks_.erase(it);
      if (d->ok) cb(d->result);
    }
    return true;
  }

  void known(Handle h) const {
    if (!records_.count(h.id))
      throw std::invalid_argument("no task has handle " + std::to_string(h.id));
  }
  [[nodiscard]] std::size_t pending() const { return records_.size() - finished_.size(); }

  Queue<Task> tasks_;
  Queue<Done> done_;
  Function f_;
  std::int64_t epoch_;
  std::int64_t end_ns_ = 0;
  std::vector<std::unique_ptr<Process>> workers_;
  State state_ = Running;
  bool joined_ = false;
  std::int64_t next_id_ = 1;
  std::map<std::int64_t, PoolTaskRecord> records_;
  std::map<std::int64_t, Finished> finished_;
  std::map<std::int64_t, Callback> callbacks_;
};

}  // namespace mpsim::os
