#pragma once
// The per-process burst lengths of the `bursts` workload, shared by mpsim-bench
// (which writes them as a scenario expression of `index`, evaluated by mpsim)
// and the SimGrid program (which computes them here), so that both simulate
// exactly the same numbers. Header-only and dependency-free on purpose: the
// SimGrid program does not link mpsim.
#include <cstdint>
#include <string>

namespace mpsim::bench {

// splitmix64: a tiny, well-mixed generator, enough to turn a seed into offsets.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// The prime modulus of the jitter hash: index * index + offset stays below
// 2^41 for every allowed count (10^6), and the product below 2^37.
constexpr std::uint64_t kJitterPrime = 1000003;

/// A value in [lo, hi] per process: a quadratic hash of its index modulo a
/// prime, scrambled by `multiplier` (< 2^17) and shifted by `offset` (the
/// seed's part). A linear hash of index would repeat with a short period; this
/// one looks random (no correlation between neighbours).
struct Jitter {
  std::int64_t lo, hi;
  std::uint64_t multiplier, offset;

  /// The value for process `index`, as mpsim evaluates expression() (left to
  /// right: * and % have one precedence level).
  [[nodiscard]] std::int64_t at(std::int64_t index) const {
    auto i = static_cast<std::uint64_t>(index);
    std::uint64_t h = (i * i + offset) % kJitterPrime * multiplier % kJitterPrime %
                      static_cast<std::uint64_t>(hi - lo + 1);
    return lo + static_cast<std::int64_t>(h);
  }
  /// The same as a scenario expression of the variable `index`.
  [[nodiscard]] std::string expression() const {
    std::string p = std::to_string(kJitterPrime);
    return std::to_string(lo) + " + (index * index + " + std::to_string(offset) + ") % " + p +
           " * " + std::to_string(multiplier) + " % " + p + " % " + std::to_string(hi - lo + 1);
  }
};

/// The bursts workload's two jitters: compute 1..16 and io 1..64 ticks
/// (long-bursts: 100..200 and 100..200, the same offsets).
struct BurstJitter {
  Jitter cpu, wait;
};

/// Lengths of compute and io bursts, inclusive ranges.
struct BurstRanges {
  std::int64_t cpu_lo = 1, cpu_hi = 16, wait_lo = 1, wait_hi = 64;
};

inline BurstJitter burst_jitter(std::uint64_t seed, const BurstRanges& r = {}) {
  std::uint64_t state = seed;
  std::uint64_t cpu_offset = splitmix64(state) % kJitterPrime;
  std::uint64_t io_offset = splitmix64(state) % kJitterPrime;
  return {Jitter{r.cpu_lo, r.cpu_hi, 7919, cpu_offset},
          Jitter{r.wait_lo, r.wait_hi, 104729, io_offset}};
}

/// The long-bursts workload's ranges (issue 18: what a class on time slicing runs).
constexpr BurstRanges kLongBursts{100, 200, 100, 200};

}  // namespace mpsim::bench
