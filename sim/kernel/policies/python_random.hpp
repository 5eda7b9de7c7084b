#pragma once
// A seeded Mersenne Twister (MT19937) that gives the same numbers as Python's
// `random` module after random.seed(seed) with an integer seed: lottery's
// draws can then be checked against OSTEP's lottery.py, which uses it. Written
// from the published algorithm (Matsumoto and Nishimura 1998, init_by_array of
// 2002) and the documented behaviour of Python's seed, random() and
// getrandbits(); no std::*_distribution, whose output differs between
// standard libraries.
#include <array>
#include <cstdint>
#include <vector>

namespace mpsim::policies {

class PythonRandom {
 public:
  /// random.seed(seed): the seed's 32-bit words, least significant first
  /// (one word 0 for seed 0), fed to init_by_array.
  explicit PythonRandom(std::uint64_t seed) {
    std::vector<std::uint32_t> key;
    do {
      key.push_back(static_cast<std::uint32_t>(seed));
      seed >>= 32;
    } while (seed != 0);
    init_by_array(key);
  }

  /// The next 32-bit output of the generator.
  std::uint32_t next32() {
    if (index_ >= kN) twist();
    std::uint32_t y = mt_[index_++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680U;
    y ^= (y << 15) & 0xefc60000U;
    y ^= y >> 18;
    return y;
  }

  /// random.random(): 53 random bits from two outputs, in [0, 1).
  double random() {
    std::uint32_t a = next32() >> 5, b = next32() >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
  }

  /// random.getrandbits(k) for 0 < k <= 64: 32-bit words, least significant
  /// first, the last one cut to the bits still wanted.
  std::uint64_t getrandbits(int k) {
    std::uint64_t r = 0;
    for (int shift = 0; k > 0; shift += 32, k -= 32) {
      std::uint64_t w = next32();
      if (k < 32) w >>= 32 - k;
      r |= w << shift;
    }
    return r;
  }

  /// random.randrange(n) for n >= 1: getrandbits(bit length of n) until below n.
  std::uint64_t below(std::uint64_t n) {
    int k = 64 - __builtin_clzll(n);
    for (;;)
      if (std::uint64_t r = getrandbits(k); r < n) return r;
  }

 private:
  static constexpr int kN = 624, kM = 397;

  void init_genrand(std::uint32_t s) {
    mt_[0] = s;
    for (int i = 1; i < kN; ++i)
      mt_[i] = 1812433253U * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + static_cast<std::uint32_t>(i);
    index_ = kN;
  }

  void init_by_array(const std::vector<std::uint32_t>& key) {
    init_genrand(19650218U);
    int i = 1;
    std::size_t j = 0;
    for (std::size_t k = std::max<std::size_t>(kN, key.size()); k > 0; --k) {
      mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1664525U)) + key[j] +
               static_cast<std::uint32_t>(j);
      ++i, ++j;
      if (i >= kN) mt_[0] = mt_[kN - 1], i = 1;
      if (j >= key.size()) j = 0;
    }
    for (int k = kN - 1; k > 0; --k) {
      mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1566083941U)) -
               static_cast<std::uint32_t>(i);
      if (++i >= kN) mt_[0] = mt_[kN - 1], i = 1;
    }
    mt_[0] = 0x80000000U;
  }

  void twist() {
    for (int i = 0; i < kN; ++i) {
      std::uint32_t y = (mt_[i] & 0x80000000U) | (mt_[(i + 1) % kN] & 0x7fffffffU);
      mt_[i] = mt_[(i + kM) % kN] ^ (y >> 1) ^ ((y & 1U) ? 0x9908b0dfU : 0U);
    }
    index_ = 0;
  }

  std::array<std::uint32_t, kN> mt_{};
  int index_ = kN;
};

}  // namespace mpsim::policies
