#pragma once
/// Reproducible random draws for scenario values (docs/semantics.md §10).
/// Everything here is defined bit for bit: SplitMix64 for the bits, integer
/// arithmetic for uniform and weighted picks, and only IEEE-754 + - * / and
/// sqrt (correctly rounded everywhere) for the exponential and normal
/// distributions, so the same seed gives the same values on every platform
/// and standard library. No std::*_distribution is used: their outputs
/// differ between implementations.
#include <cstdint>
#include <string_view>
#include <vector>

namespace mpsim::rng {

/// SplitMix64 (Steele, Lea, Flood 2014): a 64-bit counter stepped by the
/// golden-ratio constant, each step mixed into one output.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t state) : state_(state) {}
  std::uint64_t next();

 private:
  std::uint64_t state_;
};

/// FNV-1a, 64 bits, of `bytes`: names a stream and hashes sweep specs.
std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t h = 0xcbf29ce484222325ULL);

/// The generator of the draw at JSON pointer `path` under scenario `seed`:
/// state seed XOR fnv1a64(path). Each draw has a stream of its own, so adding
/// or changing one draw leaves every other draw as it was.
SplitMix64 stream(std::uint64_t seed, std::string_view path);

/// An integer from lo to hi inclusive, each equally likely: 64-bit draws
/// below 2^64 mod (hi-lo+1) are rejected, the rest taken modulo hi-lo+1.
std::int64_t uniform_int(SplitMix64& g, std::int64_t lo, std::int64_t hi);
/// (next() >> 11) * 2^-53: a multiple of 2^-53 in [0, 1).
double unit(SplitMix64& g);
/// Natural logarithm of x > 0 from + - * / only (frexp and a fixed atanh
/// series): the same bits everywhere, within 2 ulp of the true value.
double portable_log(double x);
/// -mean * log(1 - unit()): an exponential deviate (not rounded).
double exponential(SplitMix64& g, double mean);
/// A standard normal deviate by Marsaglia's polar method (the second value
/// of each pair is discarded, so every call starts from fresh bits).
double standard_normal(SplitMix64& g);
/// Round half away from zero (2.5 -> 3, -2.5 -> -3).
std::int64_t round_half_away(double x);
/// Index i with probability weights[i] / sum: one uniform_int(0, sum-1) and
/// the first i whose running sum exceeds it. Weights are >= 0, sum > 0.
std::size_t weighted_index(SplitMix64& g, const std::vector<std::uint64_t>& weights);

}  // namespace mpsim::rng
