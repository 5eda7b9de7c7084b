// The mpsim::os synchronisation objects beyond Lock (include/mpsim/os/sync.hpp).
// Each keeps its state and a monitor (a process-shared guard mutex and a
// futex word) in its own anonymous shared mapping. Like Lock, only the
// mapping is shared: a destructor unmaps it and never destroys the mutex,
// which other processes may still be using.
#include <linux/futex.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>

#include "mpsim/os/process.hpp"
#include "mpsim/os/sync.hpp"

namespace mpsim::os {

namespace {

// The guard mutex is robust: it is held for a few instructions, and a process
// killed there must not wedge the others. Waiters sleep on `changes`, a
// futex word bumped by every change they may wait for, rather than on a
// pthread condition variable: glibc's keeps a count of the waiters inside it,
// and one killed there (terminate() of a process blocked on a semaphore)
// makes later signals go to it or wait for it for ever. A killed futex
// waiter leaves nothing behind.
struct Monitor {
  pthread_mutex_t mutex;
  std::atomic<std::uint32_t> changes;
};
static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
                  std::atomic<std::uint32_t>::is_always_lock_free,
              "the futex syscall reads `changes` as a plain 32-bit word");

void init_monitor(Monitor& m) {
  pthread_mutexattr_t ma;
  pthread_mutexattr_init(&ma);
  pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&m.mutex, &ma);
  pthread_mutexattr_destroy(&ma);
}

// A fresh State (a struct with a Monitor `mon`) in its own shared mapping.
template <class S>
S* map_state(const char* what) {
  void* mem = mmap(nullptr, sizeof(S), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) throw std::system_error(errno, std::generic_category(), what);
  S* s = new (mem) S{};
  init_monitor(s->mon);
  return s;
}

template <class S>
void unmap_state(S* s) {
  munmap(s, sizeof(S));
}

// An absolute CLOCK_MONOTONIC deadline, fixed when a call starts so that
// spurious wake-ups do not extend it; nullopt: wait for ever.
using Deadline = std::optional<timespec>;

Deadline deadline_for(std::optional<std::chrono::nanoseconds> timeout) {
  if (!timeout) return std::nullopt;
  std::int64_t d = std::max<std::int64_t>(timeout->count(), 0);  // <= 0: a try
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  ts.tv_sec += static_cast<time_t>(d / 1000000000);
  ts.tv_nsec += static_cast<long>(d % 1000000000);
  if (ts.tv_nsec >= 1000000000) {
    ts.tv_sec += 1;
    ts.tv_nsec -= 1000000000;
  }
  return ts;
}

// Holds a monitor's mutex for its lifetime (also when a misuse throws).
class Held {
 public:
  explicit Held(Monitor& m) : m_(m) { lock(); }
  ~Held() { pthread_mutex_unlock(&m_.mutex); }
  Held(const Held&) = delete;
  Held& operator=(const Held&) = delete;

  // Sleeps until `ready()` holds; false when the deadline passed first. The
  // last check after a timeout keeps a wake-up that raced with it.
  template <class Ready>
  bool wait_until(Ready ready, const Deadline& at) {
    while (!ready())
      if (!sleep(at)) return ready();
    return true;
  }
  // Every waiter checks again; only some may find what it waits for.
  void wake_all() {
    m_.changes.fetch_add(1);
    syscall(SYS_futex, word(), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
  }

 private:
  void lock() {
    if (pthread_mutex_lock(&m_.mutex) == EOWNERDEAD) pthread_mutex_consistent(&m_.mutex);
  }
  std::uint32_t* word() { return reinterpret_cast<std::uint32_t*>(&m_.changes); }

  // Sleeps until the next change, reading the word before the guard is let
  // go: a change made in between makes the futex return at once. False when
  // the deadline passed (FUTEX_WAIT_BITSET: absolute, on CLOCK_MONOTONIC).
  bool sleep(const Deadline& at) {
    std::uint32_t seen = m_.changes.load();
    pthread_mutex_unlock(&m_.mutex);
    long r = syscall(SYS_futex, word(), FUTEX_WAIT_BITSET, seen, at ? &*at : nullptr, nullptr,
                     FUTEX_BITSET_MATCH_ANY);
    bool timed_out = r != 0 && errno == ETIMEDOUT;
    lock();
    return !timed_out;
  }

  Monitor& m_;
};

}  // namespace

// --- RLock ---

struct RLock::State {
  Monitor mon;
  pid_t owner;  // real pid of the owner, 0 when free
  int depth;    // acquisitions not yet released
};

RLock::RLock() : s_(map_state<State>("mmap for an RLock")) {}

RLock::~RLock() {
  unmap_state(s_);
}

void RLock::acquire() {
  take(std::nullopt, 1);
}

bool RLock::acquire(std::chrono::nanoseconds timeout) {
  return take(timeout, 1);
}

bool RLock::take(std::optional<std::chrono::nanoseconds> timeout, int depth) {
  Deadline at = deadline_for(timeout);
  pid_t me = getpid();
  Held h(s_->mon);
  if (!h.wait_until([&] { return s_->owner == 0 || s_->owner == me; }, at)) return false;
  s_->owner = me;
  s_->depth += depth;
  return true;
}

void RLock::release() {
  Held h(s_->mon);
  if (s_->owner != getpid())
    throw std::logic_error("release of an RLock this process does not own");
  if (--s_->depth > 0) return;
  s_->owner = 0;
  h.wake_all();
}

int RLock::release_all() {
  Held h(s_->mon);
  int depth = s_->depth;
  s_->depth = 0;
  s_->owner = 0;
  h.wake_all();
  return depth;
}

void RLock::restore(int depth) {
  take(std::nullopt, depth);
}

bool RLock::owned() const {
  Held h(s_->mon);
  return s_->owner == getpid();
}

// --- Semaphore ---

struct Semaphore::State {
  Monitor mon;
  int value;
  int bound;  // a bounded semaphore's initial value; -1: unbounded
};

Semaphore::Semaphore(int value) : Semaphore(value, false) {}

Semaphore::Semaphore(int value, bool bounded) {
  if (value < 0) throw std::invalid_argument("a semaphore's initial value must be >= 0");
  s_ = map_state<State>("mmap for a Semaphore");
  s_->value = value;
  s_->bound = bounded ? value : -1;
}

Semaphore::~Semaphore() {
  unmap_state(s_);
}

void Semaphore::acquire() {
  take(std::nullopt);
}

bool Semaphore::acquire(std::chrono::nanoseconds timeout) {
  return take(timeout);
}

bool Semaphore::take(std::optional<std::chrono::nanoseconds> timeout) {
  Deadline at = deadline_for(timeout);
  Held h(s_->mon);
  if (!h.wait_until([&] { return s_->value > 0; }, at)) return false;
  --s_->value;
  return true;
}

void Semaphore::release() {
  Held h(s_->mon);
  if (s_->bound >= 0 && s_->value >= s_->bound)
    throw std::logic_error("BoundedSemaphore released too many times");
  if (s_->value == INT_MAX) throw std::overflow_error("Semaphore value would overflow");
  ++s_->value;
  h.wake_all();
}

int Semaphore::get_value() const {
  Held h(s_->mon);
  return s_->value;
}

// --- Event ---

struct Event::State {
  Monitor mon;
  bool flag;
  std::uint64_t sets;  // times the flag went up: a waiter that saw it change was woken by a set()
};

Event::Event() : s_(map_state<State>("mmap for an Event")) {}

Event::~Event() {
  unmap_state(s_);
}

void Event::set() {
  Held h(s_->mon);
  if (s_->flag) return;
  s_->flag = true;
  ++s_->sets;
  h.wake_all();
}

void Event::clear() {
  Held h(s_->mon);
  s_->flag = false;
}

bool Event::is_set() const {
  Held h(s_->mon);
  return s_->flag;
}

void Event::wait() {
  wait_set(std::nullopt);
}

bool Event::wait(std::chrono::nanoseconds timeout) {
  return wait_set(timeout);
}

bool Event::wait_set(std::optional<std::chrono::nanoseconds> timeout) {
  Deadline at = deadline_for(timeout);
  Held h(s_->mon);
  std::uint64_t seen = s_->sets;
  return h.wait_until([&] { return s_->flag || s_->sets != seen; }, at);
}

// --- Barrier ---

struct Barrier::State {
  Monitor mon;
  int parties;
  int arrived;               // in the current generation
  std::uint64_t generation;  // bumped when the last party arrives
};

Barrier::Barrier(int parties) {
  if (parties < 1) throw std::invalid_argument("a Barrier needs at least 1 party");
  s_ = map_state<State>("mmap for a Barrier");
  s_->parties = parties;
}

Barrier::~Barrier() {
  unmap_state(s_);
}

int Barrier::wait() {
  Held h(s_->mon);
  int index = s_->arrived++;
  std::uint64_t generation = s_->generation;
  if (s_->arrived == s_->parties) {
    s_->arrived = 0;
    ++s_->generation;
    h.wake_all();
    return index;
  }
  h.wait_until([&] { return s_->generation != generation; }, std::nullopt);
  return index;
}

int Barrier::parties() const {
  return s_->parties;
}

int Barrier::n_waiting() const {
  Held h(s_->mon);
  return s_->arrived;
}

// --- Condition ---

// notify(n) must wake at most n of the processes waiting at that moment, and
// none that starts waiting later. A notify that finds waiters moves them into
// the past (a new generation) and leaves wake-ups that only waiters of an
// older generation may take. So `wakeups` never exceeds the waiters of older
// generations, and `unsignalled` + `wakeups` is the number of waiters. A
// waiter that times out takes a wake-up if one is there for it (it was
// notified), and otherwise withdraws from `unsignalled`.
struct Condition::State {
  Monitor mon;
  std::uint64_t generation;
  std::uint64_t unsignalled;  // waiters no wake-up was given for
  std::uint64_t wakeups;      // given by notify, not yet taken
};

Condition::Condition()
    : own_(std::make_unique<RLock>()),
      rlock_(own_.get()),
      s_(map_state<State>("mmap for a Condition")) {}

Condition::Condition(Lock& lock) : lock_(&lock), s_(map_state<State>("mmap for a Condition")) {}

Condition::Condition(RLock& lock) : rlock_(&lock), s_(map_state<State>("mmap for a Condition")) {}

Condition::~Condition() {
  unmap_state(s_);
}

void Condition::acquire() {
  rlock_ ? rlock_->acquire() : lock_->acquire();
}

bool Condition::acquire(std::chrono::nanoseconds timeout) {
  return rlock_ ? rlock_->acquire(timeout) : lock_->acquire(timeout);
}

void Condition::release() {
  rlock_ ? rlock_->release() : lock_->release();
}

bool Condition::held() const {
  return rlock_ ? rlock_->owned() : lock_->held_here();
}

void Condition::check_held(const char* what) const {
  if (!held()) throw std::logic_error(std::string("cannot ") + what + " on an un-acquired lock");
}

int Condition::release_for_wait() {
  if (rlock_) return rlock_->release_all();
  lock_->release();
  return 1;
}

void Condition::take_after_wait(int depth) {
  rlock_ ? rlock_->restore(depth) : lock_->acquire();
}

void Condition::wait() {
  wait_notified(std::nullopt);
}

bool Condition::wait(std::chrono::nanoseconds timeout) {
  return wait_notified(timeout);
}

// Registers while the lock is still held, so a notify (which needs the lock)
// either comes later and counts this waiter, or came before and does not.
bool Condition::wait_notified(std::optional<std::chrono::nanoseconds> timeout) {
  check_held("wait");
  Deadline at = deadline_for(timeout);
  std::uint64_t generation;
  {
    Held h(s_->mon);
    generation = s_->generation;
    ++s_->unsignalled;
  }
  int depth = release_for_wait();
  bool notified;
  {
    Held h(s_->mon);
    notified = h.wait_until([&] { return s_->generation != generation && s_->wakeups > 0; }, at);
    --(notified ? s_->wakeups : s_->unsignalled);
  }
  take_after_wait(depth);  // without a timeout, as in Python
  return notified;
}

void Condition::notify(int n) {
  check_held("notify");
  Held h(s_->mon);
  std::uint64_t k =
      std::min<std::uint64_t>(static_cast<std::uint64_t>(std::max(n, 0)), s_->unsignalled);
  if (k == 0) return;
  s_->unsignalled -= k;
  s_->wakeups += k;
  ++s_->generation;
  h.wake_all();  // only the older generations' waiters may take the wake-ups
}

void Condition::notify_all() {
  notify(INT_MAX);
}

}  // namespace mpsim::os
