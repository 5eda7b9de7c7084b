#pragma once
// What a loaded sweep spec holds (SweepPlan::Impl), shared by the spec parser
// and the runner.
#include <map>

#include "mpsim/analysis/sweep.hpp"
#include "scenario/json_check.hpp"

namespace mpsim {

struct SweepPlan::Impl {
  std::string source;  ///< the spec's path, for messages
  std::string hash;
  std::string hash_input;  ///< the bytes hashed: spec text, then the scenario file
  std::vector<std::string> names;
  std::vector<SweepRun> runs;
  bool has_seeds = false;
  // The scenario: a file's parsed JSON, or a gen family and its parameters.
  std::string scenario_source;
  detail::json base_doc;
  std::string family;
  std::map<std::string, std::int64_t> gen_params;
};

}  // namespace mpsim
