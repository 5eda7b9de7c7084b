// Where each scenario process ran, measured by the process itself
// (docs/real-os.md, "Where each process ran"): the RealRuntime members that
// burn CPU time for a compute step and count it on the core it ran on,
// noting every migration. Its own file: the per-core accounting is one
// concept, separate from the process's life (process.cpp); cores.cpp holds
// the runner's side (CPU choice, tickets as nice).
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <cstdint>

#include "os/real_runtime.hpp"

namespace mpsim::os::detail {

namespace {

std::int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

// Burns CPU time; every turn of the loop also looks at the core it is on,
// so a migration inside a burst is seen within a turn (about a microsecond).
void RealRuntime::burn(Tick ticks) {
  std::int64_t target = thread_cpu_ns() + ticks * sh_.tick_ns;
  for (;;) {
    std::int64_t used = thread_cpu_ns();
    track(used);
    if (used >= target) break;
    for (int i = 0; i < 200; ++i) __asm__ __volatile__("" ::: "memory");
  }
}

// Where this process runs (docs/real-os.md, "Where each process ran"):
// called at every operation boundary, on every return from a wait and at
// every turn of the compute loop. The CPU time used since the last change
// of core is counted on the core it was seen on, so the split between
// cores is exact up to the CPU time between two looks. `used` < 0: read
// the clock here, only when the core changed (the common case costs one
// sched_getcpu, which glibc answers from rseq without a system call).
void RealRuntime::track(std::int64_t used) {
  int cpu = sched_getcpu();
  if (cpu == track_cpu_ && used < 0) return;
  if (used < 0) used = thread_cpu_ns();
  Slot& s = slot(self_.pid);
  int core = core_of(cpu);
  if (track_cpu_ < 0) {
    // The first look (after the start gate): what ran before counts here.
    s.cur_core = core;
  } else if (cpu != track_cpu_) {
    if (s.cur_core >= 0) s.core_ns[s.cur_core] += used - counted_ns_;
    counted_ns_ = used;
    if (core != s.cur_core) {
      ++s.migrations;
      record(sh_, self_.pid, static_cast<EventKind>(kMigrationKind), 0, core,
             static_cast<std::int16_t>(s.cur_core));
    }
    s.cur_core = core;
  }
  track_cpu_ = cpu;
}

// The scenario core of a real CPU; with --oversubscribe several cores share
// a CPU and it is the first of them.
int RealRuntime::core_of(int cpu) const {
  auto it = std::find(setup_.cpus.begin(), setup_.cpus.end(), cpu);
  return it == setup_.cpus.end() ? -1 : static_cast<int>(it - setup_.cpus.begin());
}

// At the exit: the CPU time since the last change of core counts on the last.
void RealRuntime::track_last() {
  Slot& s = slot(self_.pid);
  std::int64_t used = thread_cpu_ns();
  if (s.cur_core >= 0) s.core_ns[s.cur_core] += used - counted_ns_;
  counted_ns_ = used;
}

}  // namespace mpsim::os::detail
