#pragma once
// Loading the top-level `expect` list: end-of-run checks over the final files,
// the printed lines and the outcome (docs/semantics.md §11).
#include <string>
#include <vector>

#include "mpsim/model/scenario.hpp"
#include "scenario/json_check.hpp"

namespace mpsim::detail {

/// Names an `expect` expression may use, and the functions it may call
/// besides the built-ins.
const std::vector<std::string>& expect_variables();
const std::vector<std::string>& expect_functions();

/// Checks one expect expression `src` (also used for `mpsim explore --expect`).
std::optional<Expectation> expectation(const std::string& src, const std::string& path,
                                       Checker& chk);

/// Reads `doc["expect"]`, when present, into `out`.
void load_expects(const json& doc, Checker& chk, std::vector<Expectation>& out);

}  // namespace mpsim::detail
