#pragma once
// For the mpsim::os API tests: memory the children share with the test
// (fork copies everything else).
#include <sys/mman.h>

#include <new>

namespace mpsim::test {

/// A value-initialised T in an anonymous shared mapping; give it back with unshare.
template <class T>
T* shared_value() {
  void* m = mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  return new (m) T{};
}

template <class T>
void unshare(T* p) {
  munmap(p, sizeof(T));
}

}  // namespace mpsim::test
