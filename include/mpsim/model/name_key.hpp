#pragma once
/// A variable name packed into one word, so that finding a variable compares
/// one integer per candidate instead of a string (kernel/process.hpp).
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace mpsim {

/// Bytes at..at+N-1 (N = 1, 4 or 8) as an integer, byte i at bits 8i on any
/// machine: one load.
template <std::size_t N>
inline std::uint64_t load_name_bytes(const char* at) {
  if constexpr (N == 1) {
    return static_cast<unsigned char>(*at);
  } else {
    std::conditional_t<N == 8, std::uint64_t, std::uint32_t> v;
    std::memcpy(&v, at, N);
    if constexpr (std::endian::native == std::endian::big) {
      if constexpr (N == 8)
        v = __builtin_bswap64(v);
      else
        v = __builtin_bswap32(v);
    }
    return v;
  }
}

/// The name's length (capped at 255) in the low byte and its first 7 bytes
/// above it. Two names of at most 7 bytes are equal exactly when their keys
/// are; longer names with equal keys still need the rest compared
/// (name_tail_equal). Computed without a loop (it runs at every `set` and
/// every lookup by name): short names are read as two overlapping words.
inline std::uint64_t name_key(std::string_view name) {
  const char* s = name.data();
  std::size_t n = name.size();
  std::uint64_t head = 0;
  if (n >= 8) {
    head = load_name_bytes<8>(s) & 0x00FFFFFFFFFFFFFFu;
  } else if (n >= 4) {  // bytes 0-3 and n-4..n-1, each at its own position
    head = load_name_bytes<4>(s) | load_name_bytes<4>(s + n - 4) << (8 * (n - 4));
  } else if (n > 0) {
    head = load_name_bytes<1>(s) | load_name_bytes<1>(s + n / 2) << (8 * (n / 2)) |
           load_name_bytes<1>(s + n - 1) << (8 * (n - 1));
  }
  return head << 8 | (n < 255 ? n : 255);
}

/// For two names with the same name_key: whether they are the same name.
inline bool name_tail_equal(std::string_view a, std::string_view b) {
  return a.size() <= 7 || a == b;  // equal keys: same length and first 7 bytes
}

}  // namespace mpsim
