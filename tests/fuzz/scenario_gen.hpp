#pragma once
// A byte-driven generator of scenarios for the structure-aware fuzz target.
// Every choice (cores, policy and its quanta, process counts, operations,
// repeat counts, timeouts, ...) reads the next input bytes, so libFuzzer's
// mutations of the bytes become mutations of the scenario's structure and
// numbers. Sizes are bounded so that a run, even tick by tick, stays short;
// the choices still reach zero, edge and invalid values now and then (which
// the loader must reject cleanly).
#include <cstdint>
#include <string>
#include <string_view>

namespace mpsim::fuzz {

/// Reads choices from bytes; once they run out every choice is its lowest
/// and every chance false: empty input gives the smallest valid scenario.
class Bytes {
 public:
  explicit Bytes(std::string_view data) : data_(data) {}
  /// lo..hi inclusive.
  int pick(int lo, int hi);
  /// True with `percent` % of the byte values; false once the bytes run out.
  bool chance(int percent) { return pick(1, 100) > 100 - percent; }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

/// The JSON text of one scenario chosen by `bytes`.
std::string generate_scenario(std::string_view bytes);

}  // namespace mpsim::fuzz
