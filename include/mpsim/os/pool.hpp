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
/// (in get, wait, ready, map, next or join), not in a background thread.
///
/// PoolOptions adds CPython's `initializer` (run first in every worker,
/// replacements included) and `maxtasksperchild` (a worker that has finished
/// M tasks, failed ones included, exits with code 0 and the pool forks a
/// replacement when it collects the worker's last result). A worker whose
/// initializer throws exits with code 1 and is not replaced (docs/semantics.md
/// §13; CPython would replace it forever); once no worker is left, every
/// unfinished task fails. imap / imap_unordered give a PoolIterator:
///
///     mpsim::os::Pool<int, long> pool(2, f, {.initializer = setup, .maxtasksperchild = 10});
///     for (long r : pool.imap({1, 2, 3})) use(r);          // item order
///     auto it = pool.imap_unordered({50, 10});             // finishing order
///     while (auto r = it.next(std::chrono::seconds(1))) use(*r);
///
/// Left out: chunksize (one item is one task, as in §13), map_async.
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "mpsim/os/process.hpp"

namespace mpsim::os {

/// The optional arguments of CPython's Pool(...).
struct PoolOptions {
  std::function<void()> initializer;  ///< runs once in each worker, before its first task
  std::size_t maxtasksperchild = 0;   ///< 0: a worker lives as long as the pool
  std::size_t capacity = 1024;        ///< slots of the task and result queues
};

template <class Arg, class Result>
class Pool;

/// What imap and imap_unordered return: next() gives the next result (item
/// order for imap, finishing order for imap_unordered), std::nullopt after
/// the last one (Python's StopIteration); it throws std::runtime_error when
/// that task failed or `timeout` ran out (Python's TimeoutError). Also an
/// input range (`for (auto r : it)`). It must not outlive its pool.
template <class Arg, class Result>
class PoolIterator {
 public:
  std::optional<Result> next(std::optional<std::chrono::nanoseconds> timeout = std::nullopt) {
    return pool_->next_of(*this, timeout);
  }
  struct iterator {
    PoolIterator* it;
    std::optional<Result> cur;
    const Result& operator*() const { return *cur; }
    iterator& operator++() {
      cur = it->next();
      return *this;
    }
    bool operator==(std::default_sentinel_t) const { return !cur.has_value(); }
  };
  iterator begin() { return iterator{this, next()}; }
  std::default_sentinel_t end() const { return {}; }

 private:
  friend class Pool<Arg, Result>;
  PoolIterator(Pool<Arg, Result>* p, std::vector<std::int64_t> ids, bool ordered)
      : pool_(p), ids_(std::move(ids)), ordered_(ordered) {}
  Pool<Arg, Result>* pool_;
  std::vector<std::int64_t> ids_;  ///< not yet given, in item order
  bool ordered_;
};

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

  using Iterator = PoolIterator<Arg, Result>;

  /// Forks the workers at once (daemonic, as in Python).
  Pool(std::size_t processes, Function f, std::size_t capacity = 1024)
      : Pool(processes, std::move(f), PoolOptions{{}, 0, capacity}) {}
  Pool(std::size_t processes, Function f, PoolOptions opts)
      : tasks_(opts.capacity),
        done_(opts.capacity),
        f_(std::move(f)),
        opts_(std::move(opts)),
        epoch_(now_ns()) {
    if (processes == 0) throw std::invalid_argument("a Pool needs at least one process");
    for (std::size_t i = 0; i < processes; ++i) fork_worker();
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
    if (workers_.empty()) {  // every initializer failed: nobody would run it
      finished_[t.id] = Finished{false, 0, Result{}, next_seq_++};
      return Handle{t.id};
    }
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
  /// Every item, results as an iterator in item order: each is available as
  /// soon as it and all before it have finished.
  Iterator imap(const std::vector<Arg>& items) { return Iterator(this, submit_all(items), true); }
  /// Every item, results as an iterator in the order the tasks finished.
  Iterator imap_unordered(const std::vector<Arg>& items) {
    return Iterator(this, submit_all(items), false);
  }
  /// Waits for the result (AsyncResult.get); throws std::runtime_error when
  /// the task failed, or when `timeout` ran out (Python's TimeoutError).
  Result get(Handle h, std::optional<std::chrono::nanoseconds> timeout = std::nullopt) {
    if (!wait(h, timeout)) throw std::runtime_error("task " + std::to_string(h.id) + ": timed out");
    const Finished& f = finished_.at(h.id);
    if (!f.ok && f.worker == 0)
      throw std::runtime_error("task " + std::to_string(h.id) +
                               " failed: no worker left (every initializer failed)");
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
    // A worker that retires after this does not take its exit task: its
    // replacement does (fork_worker while Closed).
  }
  /// Waits for every worker to exit (after close or terminate) and collects
  /// the results still queued.
  void join() {
    if (state_ == Running)
      throw std::logic_error("join() of a Pool that is still running: close() it first");
    while (pending() > 0 && state_ == Closed) collect(std::nullopt);
    for (auto& w : workers_) w->join();
    for (auto& w : gone_) w->join();
    joined_ = true;
    end_ns_ = now_ns() - epoch_;
  }
  /// SIGTERM to every worker; their tasks are lost.
  void terminate() {
    state_ = Terminated;
    for (auto& w : workers_)
      if (w->is_alive()) w->terminate();
    for (auto& w : workers_) w->join();
    for (auto& w : gone_) w->join();
    joined_ = true;
    end_ns_ = now_ns() - epoch_;
  }

  /// The pids of the live workers, in creation order (replacements last).
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
  friend class PoolIterator<Arg, Result>;
  /// Messages a worker sends besides results, in Done::id.
  static constexpr std::int64_t kRetired = -1, kInitFailed = -2;
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
    std::int64_t seq;  ///< order of collection (= finishing order)
  };

  static std::int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
  }

  void fork_worker() {
    auto w =
        std::make_unique<Process>([this] { work(); }, "PoolWorker-" + std::to_string(++forked_));
    w->set_daemon(true);
    w->start();
    workers_.push_back(std::move(w));
  }

  // In a worker: run the initializer, then take tasks until told to exit or
  // maxtasksperchild is reached; it tells the creator why it leaves.
  void work() {
    if (opts_.initializer) {
      try {
        opts_.initializer();
      } catch (...) {
        done_.put(Done{kInitFailed, ::getpid(), 0, 0, false, Result{}});
        Process::exit_process(1);
      }
    }
    for (std::size_t served = 0;; ++served) {
      if (opts_.maxtasksperchild > 0 && served == opts_.maxtasksperchild) {
        done_.put(Done{kRetired, ::getpid(), 0, 0, true, Result{}});
        return;
      }
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
    if (d->id < 0) {
      worker_left(d->worker, d->id == kRetired);
      return true;
    }
    PoolTaskRecord& r = records_.at(d->id);
    r.worker = d->worker;
    r.started_ns = d->started - epoch_;
    r.finished_ns = d->finished - epoch_;
    r.ok = d->ok;
    finished_[d->id] = Finished{d->ok, d->worker, d->result, next_seq_++};
    if (auto it = callbacks_.find(d->id); it != callbacks_.end()) {
      Callback cb = std::move(it->second);
      callbacks_.erase(it);
      if (d->ok) cb(d->result);
    }
    return true;
  }

  // A worker said it exits: reap it; replace it unless its initializer
  // failed or the pool was terminated. Without workers, unfinished tasks fail.
  void worker_left(pid_t pid, bool replace) {
    for (auto it = workers_.begin(); it != workers_.end(); ++it)
      if ((*it)->pid() == pid) {
        (*it)->join();
        gone_.push_back(std::move(*it));
        workers_.erase(it);
        break;
      }
    if (replace && state_ != Terminated) fork_worker();
    if (!workers_.empty()) return;
    for (const auto& [id, r] : records_)
      if (!finished_.count(id)) finished_[id] = Finished{false, 0, Result{}, next_seq_++};
    callbacks_.clear();
  }

  std::vector<std::int64_t> submit_all(const std::vector<Arg>& items) {
    std::vector<std::int64_t> ids;
    for (const Arg& a : items) ids.push_back(apply_async(a).id);
    return ids;
  }

  // PoolIterator::next: the first of its ids (imap) or the first to have
  // finished (imap_unordered), collecting results until it is there.
  std::optional<Result> next_of(Iterator& it, std::optional<std::chrono::nanoseconds> timeout) {
    if (it.ids_.empty()) return std::nullopt;
    std::int64_t deadline = timeout ? now_ns() + timeout->count() : 0;
    for (;;) {
      auto pick = it.ids_.end();
      for (auto i = it.ids_.begin(); i != it.ids_.end(); ++i) {
        auto f = finished_.find(*i);
        if (it.ordered_) {
          if (f != finished_.end()) pick = i;
          break;
        }
        if (f != finished_.end() && (pick == it.ids_.end() || f->second.seq < finished_[*pick].seq))
          pick = i;
      }
      if (pick != it.ids_.end()) {
        Handle h{*pick};
        it.ids_.erase(pick);
        return get(h);
      }
      if (!timeout) {
        collect(std::nullopt);
        continue;
      }
      std::int64_t left = deadline - now_ns();
      if (left <= 0) throw std::runtime_error("next(): timed out");
      collect(std::chrono::nanoseconds(left));
    }
  }

  void known(Handle h) const {
    if (!records_.count(h.id))
      throw std::invalid_argument("no task has handle " + std::to_string(h.id));
  }
  [[nodiscard]] std::size_t pending() const { return records_.size() - finished_.size(); }

  Queue<Task> tasks_;
  Queue<Done> done_;
  Function f_;
  PoolOptions opts_;
  std::int64_t epoch_;
  std::int64_t end_ns_ = 0;
  std::vector<std::unique_ptr<Process>> workers_;
  std::vector<std::unique_ptr<Process>> gone_;  ///< retired or failed workers, reaped
  std::size_t forked_ = 0;
  std::int64_t next_seq_ = 0;
  State state_ = Running;
  bool joined_ = false;
  std::int64_t next_id_ = 1;
  std::map<std::int64_t, PoolTaskRecord> records_;
  std::map<std::int64_t, Finished> finished_;
  std::map<std::int64_t, Callback> callbacks_;
};

}  // namespace mpsim::os
