// libFuzzer entry point: check_load (checks.hpp) on each input; a finding aborts with
// what was wrong, and libFuzzer saves the input as a reproducer.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bad =
      mpsim::fuzz::check_load(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!bad.empty()) {
    std::fprintf(stderr, "mpsim fuzz finding: %s\n", bad.c_str());
    std::abort();
  }
  return 0;
}
