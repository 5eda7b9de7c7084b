#pragma once
/// `mpsim gen`: workload families written as scenarios from a few integer
/// parameters (docs/sweeps.md lists them). Random families write draw objects
/// and a `seed`, so the file itself stays reproducible and sweepable.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mpsim {

struct GenParam {
  std::string name;
  std::int64_t default_value;
  std::int64_t min;
  std::int64_t max;
  std::string help;
};

struct GenFamily {
  std::string name;
  std::string help;
  std::vector<GenParam> params;
};

/// Every family, in the order `mpsim gen --list` shows them.
const std::vector<GenFamily>& gen_families();

/// The scenario (JSON text, 2-space indent, final newline) of `family` with
/// `params` (missing ones take their default). Throws std::invalid_argument
/// naming the family or parameter for an unknown name or a value out of range.
std::string generate(const std::string& family, const std::map<std::string, std::int64_t>& params);

}  // namespace mpsim
