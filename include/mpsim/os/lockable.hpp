#pragma once
// Part of the mpsim::os API (include/mpsim/os/process.hpp).
#include <chrono>

namespace mpsim::os::detail {

/// The Lockable names (lock, try_lock, unlock) for a class with Python's
/// acquire/release, so that std::lock_guard and std::unique_lock work.
template <class Derived>
class Lockable {
 public:
  void lock() { self().acquire(); }
  bool try_lock() { return self().acquire(std::chrono::nanoseconds{0}); }
  void unlock() { self().release(); }

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
};

}  // namespace mpsim::os::detail
