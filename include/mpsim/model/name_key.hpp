#pragma once
/// A variable name packed into one word, so that finding a variable compares
/// one integer per candidate instead of a string (kernel/process.hpp).
#include <cstdint>
#include <string_view>

namespace mpsim {

/// The name's length (capped at 255) in the low byte and its first 7 bytes
/// above it. Two names of at most 7 bytes are equal exactly when their keys
/// are; longer names with equal keys still need the rest compared
/// (name_tail_equal).
inline std::uint64_t name_key(std::string_view name) {
  std::uint64_t key = name.size() < 255 ? name.size() : 255;
  std::size_t head = name.size() < 7 ? name.size() : 7;
  for (std::size_t i = 0; i < head; ++i)
    key |= std::uint64_t{static_cast<unsigned char>(name[i])} << (8 * (i + 1));
  return key;
}

/// For two names with the same name_key: whether they are the same name.
inline bool name_tail_equal(std::string_view a, std::string_view b) {
  return a.size() <= 7 || a == b;  // equal keys: same length and first 7 bytes
}

}  // namespace mpsim
