#pragma once
// The simulator's processes, by pid. A large run visits its processes in an
// order nobody can predict (io completions, a long ready queue), so what a
// visit costs is mostly the cache and TLB misses of reaching the process: the
// table keeps each process in one 64-byte-aligned block (its hot fields in the
// first four cache lines, see Process) inside big chunks, and asks the kernel
// to back the big chunks with 2 MB pages. 10^5 processes then span about
// 30 pages instead of 16000.
//
// Chunks never move, so references stay valid while the table grows (a
// parent's reference is held while it creates children). Chunk k holds
// 64 * 2^k processes: a classroom run allocates 40 KB, not megabytes.
#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <new>
#include <vector>

#include "mpsim/process.hpp"

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
  Process& operator[](std::size_t pid) {
    std::size_t k = chunk_of(pid);
    return chunks_[k][pid - first_of(k)];
  }
  const Process& operator[](std::size_t pid) const { return const_cast<ProcessTable&>(*this)[pid]; }

  /// A new default process at pid size().
  Process& emplace_back() {
    std::size_t k = chunk_of(size_);
    if (k == chunks_.size()) chunks_.push_back(allocate(k));
    Process* p = new (&chunks_[k][size_ - first_of(k)]) Process();
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
      for (std::size_t pid = first_of(k); pid < first_of(k) + live_in(k); ++pid)
        if (pid >= from) take(chunks_[k][pid - first_of(k)]);
      free_chunk(k);
    }
    chunks_.clear();
    size_ = 0;
  }

 private:
  static constexpr std::size_t kFirst = 64;                 // processes in chunk 0
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;

  static std::size_t chunk_of(std::size_t pid) { return std::bit_width(pid / kFirst + 1) - 1; }
  static std::size_t first_of(std::size_t k) { return kFirst * ((std::size_t{1} << k) - 1); }
  static std::size_t capacity_of(std::size_t k) { return kFirst << k; }
  static std::size_t bytes_of(std::size_t k) {
    std::size_t b = capacity_of(k) * sizeof(Process);
    return b < kHugePage ? b : (b + kHugePage - 1) / kHugePage * kHugePage;
  }
  static std::size_t align_of(std::size_t k) { return bytes_of(k) < kHugePage ? alignof(Process) : kHugePage; }

  static Process* allocate(std::size_t k) {
    void* mem = ::operator new(bytes_of(k), std::align_val_t{align_of(k)});
    // Only a hint: without transparent huge pages the chunk works the same.
    if (align_of(k) == kHugePage) (void)madvise(mem, bytes_of(k), MADV_HUGEPAGE);
    return static_cast<Process*>(mem);
  }
  std::size_t live_in(std::size_t k) const { return std::min(capacity_of(k), size_ - first_of(k)); }
  /// Destroys chunk k's processes and gives its memory back.
  void free_chunk(std::size_t k) {
    for (std::size_t i = 0; i < live_in(k); ++i) chunks_[k][i].~Process();
    ::operator delete(chunks_[k], std::align_val_t{align_of(k)});
  }

  std::vector<Process*> chunks_;
  std::size_t size_ = 0;
};

}  // namespace mpsim::detail
