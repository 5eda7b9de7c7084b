#pragma once
// The simulator's processes, by pid. A large run visits its processes in an
// order nobody can predict (io completions, a long ready queue), so what a
// visit costs is mostly the cache and TLB misses of reaching the process: the
// table keeps each process in one 64-byte-aligned block (its hot fields in the
// first four cache lines, see Process) inside big chunks, and asks the kernel
// to back the big chunks with 2 MB pages. 10^5 processes then span about 45
// huge pages instead of about 22 000 small ones.
//
// Chunks never move, so references stay valid while the table grows (a
// parent's reference is held while it creates children). Every chunk holds
// 16384 processes, so that finding one is a shift, a mask and a load: the
// machine looks processes up by pid at nearly every event.
#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#include "mpsim/kernel/process.hpp"

namespace mpsim::detail {

class ProcessTable {
 public:
  ProcessTable() = default;
  ProcessTable(const ProcessTable&) = delete;
  ProcessTable& operator=(const ProcessTable&) = delete;
  ~ProcessTable() {
    for (std::size_t k = 0; k < chunks_.size(); ++k) free_chunk(k);
  }

  [[nodiscard]] std::size_t size() const { return size_; }
  Process& operator[](std::size_t pid) { return chunks_[pid >> kShift][pid & (kChunk - 1)]; }
  const Process& operator[](std::size_t pid) const { return const_cast<ProcessTable&>(*this)[pid]; }

  /// The run starts with about n processes. Enough of them to fill a
  /// quarter of a huge page make the first chunk ask for huge pages from its
  /// start: one fault and a 2 MB page to zero (about 0.1 ms) instead of a
  /// fault per 4 KB page touched (about 3.4 us each on this project's
  /// machines: 0.8 ms for 1000 processes).
  void expect(std::size_t n) { huge_from_start_ = n * sizeof(Process) >= kHugePage / 4; }

  /// A new default process at pid size().
  Process& emplace_back() {
    if (size_ % kChunk == 0) chunks_.push_back(allocate(chunks_.size()));
    Process* p = new (&(*this)[size_]) Process();
    ++size_;
    return *p;
  }

  /// Hands every process from pid `from` on to `take`, in pid order, and
  /// destroys every process; a chunk is given back as soon as its processes
  /// are done, so that what `take` writes can reuse the memory. The table is
  /// empty afterwards.
  template <typename F>
  void drain(std::size_t from, F&& take) {
    for (std::size_t k = 0; k < chunks_.size(); ++k) {
      for (std::size_t i = 0; i < live_in(k); ++i)
        if (k * kChunk + i >= from) take(chunks_[k][i]);
      free_chunk(k);
    }
    chunks_.clear();
    size_ = 0;
  }

 private:
  // 16384 processes of 896 bytes fill exactly 7 huge pages. Should Process
  // change size, the chunk is rounded up to whole huge pages: a chunk only
  // partly covered by them would keep its tail on normal pages.
  static constexpr std::size_t kShift = 14;
  static constexpr std::size_t kChunk = std::size_t{1} << kShift;  // processes per chunk
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;
  static constexpr std::size_t kBytes =
      (kChunk * sizeof(Process) + kHugePage - 1) / kHugePage * kHugePage;

  // Each chunk is its own anonymous mapping rather than a heap block: the
  // kernel backs a page only when it is first touched, so a run pays for the
  // processes it makes and the table's memory starts small and grows with
  // them, at no cost to the lookup. Under AddressSanitizer this matters most:
  // its allocator writes the shadow of a whole heap block when it hands it
  // out and again when it is freed (about 2 MB of shadow for a 14 MB chunk,
  // each write a page fault), which made every small run under ASan (each
  // fuzz_scenario case runs two) spend a third of its time there.
  Process* allocate(std::size_t k) const {
    // Map a huge page more than needed, then keep the 2 MB-aligned part.
    std::size_t span = kBytes + kHugePage;
    void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    auto base = reinterpret_cast<std::uintptr_t>(raw);
    std::uintptr_t aligned = (base + kHugePage - 1) & ~(std::uintptr_t{kHugePage} - 1);
    if (aligned > base) munmap(raw, aligned - base);
    if (std::size_t tail = base + span - (aligned + kBytes); tail > 0)
      munmap(reinterpret_cast<void*>(aligned + kBytes), tail);
    void* mem = reinterpret_cast<void*>(aligned);
    // Only a hint: without transparent huge pages the chunk works the same.
    // The first 2 MB (2180 processes) keep normal pages unless expect() was
    // told of many: a classroom run pays for a few kilobytes,
    // not for zeroing a 2 MB page. It still pays about 15 us for mapping and
    // unmapping the chunk (a 128-process heap block in front removed that
    // but cost 6-9 % on bursts 1000x100, with a branch or a table per block).
    std::size_t skip = k == 0 && !huge_from_start_ ? kHugePage : 0;
    (void)madvise(static_cast<char*>(mem) + skip, kBytes - skip, MADV_HUGEPAGE);
    return static_cast<Process*>(mem);
  }
  std::size_t live_in(std::size_t k) const { return std::min(kChunk, size_ - k * kChunk); }
  /// Destroys chunk k's processes and gives its memory back.
  void free_chunk(std::size_t k) {
    for (std::size_t i = 0; i < live_in(k); ++i) chunks_[k][i].~Process();
    munmap(chunks_[k], kBytes);
  }

  std::vector<Process*> chunks_;
  std::size_t size_ = 0;
  bool huge_from_start_ = false;  ///< expect(): many processes from the start
};

}  // namespace mpsim::detail
