// The mpsim::os Process and Lock API (include/mpsim/os/process.hpp).
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>

#include "mpsim/os/process.hpp"
#include "os/pidfd_wait.hpp"

namespace mpsim::os {

namespace {

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

timespec realtime_in(std::chrono::nanoseconds d) {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  std::int64_t ns = static_cast<std::int64_t>(ts.tv_nsec) + d.count();
  ts.tv_sec += static_cast<time_t>(ns / 1000000000);
  ts.tv_nsec = static_cast<long>(ns % 1000000000);
  return ts;
}

}  // namespace

// --- Lock ---

struct Lock::State {
  pthread_mutex_t mutex;
  pid_t holder;  // real pid of the holder, 0 when free
};

Lock::Lock() {
  void* mem = mmap(nullptr, sizeof(State), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap for a Lock");
  s_ = new (mem) State{};
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);  // non-robust, like Python's Lock
  pthread_mutex_init(&s_->mutex, &attr);
  pthread_mutexattr_destroy(&attr);
}

Lock::~Lock() { munmap(s_, sizeof(State)); }

void Lock::acquire() {
  pthread_mutex_lock(&s_->mutex);
  s_->holder = getpid();
}

bool Lock::acquire(std::chrono::nanoseconds timeout) {
  int r = 0;
  if (timeout.count() <= 0) {
    r = pthread_mutex_trylock(&s_->mutex);
  } else {
    // pthread_mutex_timedlock takes a CLOCK_REALTIME deadline.
    timespec at = realtime_in(timeout);
    while ((r = pthread_mutex_timedlock(&s_->mutex, &at)) == EINTR) {
    }
  }
  if (r != 0) return false;
  s_->holder = getpid();
  return true;
}

void Lock::release() {
  if (s_->holder != getpid()) throw std::logic_error("release of a Lock this process does not hold");
  s_->holder = 0;
  pthread_mutex_unlock(&s_->mutex);
}

// Only its holder writes `holder`, so this process reads its own pid there
// exactly when it holds the lock.
bool Lock::held_here() const {
  return s_->holder == getpid();
}

// --- Queue ---

namespace detail {

struct SharedRing::Header {
  pthread_mutex_t mutex;  // the ring's indices
  sem_t items;            // messages in the ring
  sem_t room;             // free cells
  std::size_t size, capacity, first, count;
};

SharedRing::SharedRing(std::size_t size, std::size_t capacity) {
  if (capacity == 0) throw std::invalid_argument("a Queue needs a capacity of at least 1");
  bytes_ = sizeof(Header) + size * capacity;
  void* mem = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap for a Queue");
  h_ = new (mem) Header{};
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);  // held for a memcpy: a death there must not wedge others
  pthread_mutex_init(&h_->mutex, &attr);
  pthread_mutexattr_destroy(&attr);
  sem_init(&h_->items, 1, 0);
  sem_init(&h_->room, 1, static_cast<unsigned>(capacity));
  h_->size = size;
  h_->capacity = capacity;
}

SharedRing::~SharedRing() { munmap(h_, bytes_); }

namespace {

// Waits for a unit of `s`: for ever, not at all (timeout 0) or until the deadline.
bool take(sem_t* s, std::optional<std::chrono::nanoseconds> timeout) {
  int r;
  if (!timeout) {
    while ((r = sem_wait(s)) != 0 && errno == EINTR) {
    }
    return r == 0;
  }
  if (timeout->count() <= 0) return sem_trywait(s) == 0;
  std::int64_t at = monotonic_ns() + timeout->count();
  timespec ts{static_cast<time_t>(at / 1000000000), static_cast<long>(at % 1000000000)};
  while ((r = sem_clockwait(s, CLOCK_MONOTONIC, &ts)) != 0 && errno == EINTR) {
  }
  return r == 0;
}

void lock_robust(pthread_mutex_t* m) {
  if (pthread_mutex_lock(m) == EOWNERDEAD) pthread_mutex_consistent(m);
}

}  // namespace

bool SharedRing::put(const void* item, std::optional<std::chrono::nanoseconds> timeout) {
  if (!take(&h_->room, timeout)) return false;
  lock_robust(&h_->mutex);
  auto* cells = reinterpret_cast<char*>(h_ + 1);
  std::memcpy(cells + ((h_->first + h_->count) % h_->capacity) * h_->size, item, h_->size);
  ++h_->count;
  pthread_mutex_unlock(&h_->mutex);
  sem_post(&h_->items);
  return true;
}

bool SharedRing::get(void* item, std::optional<std::chrono::nanoseconds> timeout) {
  if (!take(&h_->items, timeout)) return false;
  lock_robust(&h_->mutex);
  auto* cells = reinterpret_cast<char*>(h_ + 1);
  std::memcpy(item, cells + h_->first * h_->size, h_->size);
  h_->first = (h_->first + 1) % h_->capacity;
  --h_->count;
  pthread_mutex_unlock(&h_->mutex);
  sem_post(&h_->room);
  return true;
}

std::size_t SharedRing::size() const {
  lock_robust(&h_->mutex);
  std::size_t n = h_->count;
  pthread_mutex_unlock(&h_->mutex);
  return n;
}

}  // namespace detail

// --- Process ---

Process::Process(std::string name) : name_(std::move(name)) {}

Process::Process(std::function<void()> target, std::string name) : target_(std::move(target)), name_(std::move(name)) {}

Process::Process(Process&& o) noexcept
    : target_(std::move(o.target_)),
      name_(std::move(o.name_)),
      daemon_(o.daemon_),
      started_(o.started_),
      reaped_(o.reaped_),
      pid_(o.pid_),
      exitcode_(o.exitcode_) {
  o.started_ = false;  // the moved-from object no longer owns the child
  o.pid_ = 0;
}

Process::~Process() {
  if (!started_ || reaped_ || pid_ <= 0) return;
  try {
    if (daemon_ && is_alive()) terminate();
    join();
  } catch (...) {
  }
}

void Process::run() {
  if (target_) target_();
}

void Process::start() {
  if (started_) throw std::logic_error("cannot start a process twice");
  if (name_.empty()) name_ = "Process";
  pid_t parent = getpid();
  std::fflush(nullptr);  // buffered output must not be written twice
  pid_t r = fork();
  if (r < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (r == 0) {
    // A daemon dies with its parent (Python terminates daemonic children at exit).
    if (daemon_) {
      prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
      if (getppid() != parent) _exit(1);
    }
    int code = 0;
    try {
      run();
    } catch (...) {
      code = 1;
    }
    exit_process(code);
  }
  pid_ = r;
  started_ = true;
}

void Process::exit_process(int code) {
  std::fflush(nullptr);
  _exit(code);
}

void Process::poll_exit(bool block) {
  if (reaped_) return;
  int status = 0;
  pid_t r;
  while ((r = waitpid(pid_, &status, block ? 0 : WNOHANG)) < 0 && errno == EINTR) {
  }
  if (r != pid_) return;
  reaped_ = true;
  exitcode_ = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? -WTERMSIG(status) : 1;
}

void Process::join(std::optional<std::chrono::nanoseconds> timeout) {
  if (!started_) throw std::logic_error("can only join a started process");
  if (reaped_) return;
  if (!timeout) {
    poll_exit(true);
    return;
  }
  std::int64_t deadline = monotonic_ns() + timeout->count();
  int fd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  for (;;) {
    poll_exit(false);
    std::int64_t left = deadline - monotonic_ns();
    if (reaped_ || left <= 0) break;
    detail::sleep_on_pidfd(fd, left);
  }
  if (fd >= 0) close(fd);
}

bool Process::is_alive() {
  if (!started_ || reaped_) return false;
  siginfo_t si{};
  if (waitid(P_PID, static_cast<id_t>(pid_), &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid != 0) return false;
  return true;
}

void Process::terminate() {
  if (started_ && !reaped_) ::kill(pid_, SIGTERM);
}

void Process::kill() {
  if (started_ && !reaped_) ::kill(pid_, SIGKILL);
}

void Process::set_daemon(bool d) {
  if (started_) throw std::logic_error("cannot set daemon status of an active process");
  daemon_ = d;
}

std::optional<int> Process::exitcode() {
  if (started_ && !reaped_ && !is_alive()) poll_exit(true);  // exited: reap it to read the code
  return exitcode_;
}

}  // namespace mpsim::os
