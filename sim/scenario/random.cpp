// The draws behind scenario randomness. Built with -ffp-contract=off
// (sim/CMakeLists.txt): a fused multiply-add would round once where the
// documented formula rounds twice, and change bits on machines that have one.
#include "mpsim/scenario/random.hpp"

#include <cmath>
#include <stdexcept>

namespace mpsim::rng {

std::uint64_t SplitMix64::next() {
  state_ += 0x9E3779B97F4A7C15ULL;
  std::uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t h) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

SplitMix64 stream(std::uint64_t seed, std::string_view path) {
  return SplitMix64(seed ^ fnv1a64(path));
}

std::int64_t uniform_int(SplitMix64& g, std::int64_t lo, std::int64_t hi) {
  if (lo > hi) throw std::invalid_argument("uniform_int: lo > hi");
  std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  if (span == UINT64_MAX) return static_cast<std::int64_t>(g.next());
  std::uint64_t n = span + 1;
  std::uint64_t reject_below = (0 - n) % n;  // 2^64 mod n: the uneven remainder
  for (;;) {
    std::uint64_t x = g.next();
    if (x >= reject_below) return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + x % n);
  }
}

double unit(SplitMix64& g) {
  return static_cast<double>(g.next() >> 11) * 0x1p-53;
}

double portable_log(double x) {
  if (!(x > 0) || std::isinf(x))
    throw std::invalid_argument("portable_log: x must be positive and finite");
  int e = 0;
  double m = std::frexp(x, &e);  // exact: x = m * 2^e, m in [0.5, 1)
  if (m < 0.70710678118654752440) {
    m *= 2;  // exact; now m in [sqrt(1/2), sqrt(2))
    --e;
  }
  // log m = 2 atanh(t), t = (m-1)/(m+1), |t| < 0.172: the series to t^31
  // leaves an error below 2^-60, far under the last bit.
  double t = (m - 1) / (m + 1);
  double t2 = t * t;
  double p = 1.0 / 31;
  for (int k = 29; k >= 1; k -= 2) p = p * t2 + 1.0 / k;
  constexpr double kLn2 = 0.69314718055994530942;
  return static_cast<double>(e) * kLn2 + 2 * t * p;
}

double exponential(SplitMix64& g, double mean) {
  return -mean * portable_log(1 - unit(g));
}

double standard_normal(SplitMix64& g) {
  for (;;) {
    double u = 2 * unit(g) - 1;
    double v = 2 * unit(g) - 1;
    double s = u * u + v * v;
    if (s >= 1 || s == 0) continue;
    return u * std::sqrt(-2 * portable_log(s) / s);
  }
}

std::int64_t round_half_away(double x) {
  double t = std::trunc(x);
  double frac = x - t;  // exact
  if (frac >= 0.5) t += 1;
  if (frac <= -0.5) t -= 1;
  return static_cast<std::int64_t>(t);
}

std::size_t weighted_index(SplitMix64& g, const std::vector<std::uint64_t>& weights) {
  std::uint64_t sum = 0;
  for (auto w : weights) sum += w;
  if (sum == 0) throw std::invalid_argument("weighted_index: weights sum to 0");
  auto x = static_cast<std::uint64_t>(uniform_int(g, 0, static_cast<std::int64_t>(sum - 1)));
  std::uint64_t run = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    run += weights[i];
    if (x < run) return i;
  }
  return weights.size() - 1;  // unreachable: x < sum
}

}  // namespace mpsim::rng
