#pragma once
// The two outputs of mpsim-bench: a table for people, JSON for scripts.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "host.hpp"
#include "runner.hpp"

namespace mpsim::bench {

struct RunInfo {
  Host host;
  int reps = 0;
  std::uint64_t seed = 0;
  bool quick = false;
};

/// The header line of the table, printed before any case runs.
void print_header(std::ostream& out, const RunInfo& info);
/// One row of the table, printed as soon as its case is done.
void print_row(std::ostream& out, const CaseResult& r);
/// What each workload is and the caveats, after the table.
void print_footer(std::ostream& out, const std::vector<CaseResult>& results);
/// Everything as one JSON document.
std::string to_json(const RunInfo& info, const std::vector<CaseResult>& results);

}  // namespace mpsim::bench
