#pragma once
/// End-of-run checks: the scenario's `expect` expressions evaluated over a
/// finished run, and the failed `assert`s it recorded (docs/semantics.md §11).
#include <string>
#include <vector>

#include "mpsim/model/result.hpp"
#include "mpsim/model/scenario.hpp"

namespace mpsim {

struct ExpectOutcome {
  std::string source;  ///< the expression as written
  bool ok = false;
  std::string value;  ///< what it evaluated to ("false", or the error that stopped it)
};

/// Evaluates every expectation over `r`. An expression that fails to evaluate
/// (a missing key, a type error) counts as failed, with the reason in `value`.
std::vector<ExpectOutcome> check_expects(const std::vector<Expectation>& expects,
                                         const RunResult& r);

/// The number of failed `assert`s in `r`.
std::size_t failed_asserts(const RunResult& r);

/// Did the run break anything it was asked to check: a failed expect or assert?
bool violated(const std::vector<ExpectOutcome>& outcomes, const RunResult& r);

/// "expect" section of the text report: one line per expectation, then the failed asserts.
std::string format_expects(const std::vector<ExpectOutcome>& outcomes, const RunResult& r);

}  // namespace mpsim
