#pragma once
// Private to sim/analysis: the pieces of `explore` (explore_*.cpp).
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "mpsim/analysis/explore.hpp"

namespace mpsim::detail {

/// The (step, option) alternatives that reverse a race of run `r`, at steps
/// after `after` (explore_por.cpp).
std::set<std::pair<std::int64_t, std::int32_t>> races_to_reverse(
    const RunResult& r, const std::vector<ChoiceRecord>& points, std::int64_t after,
    bool prints_matter);

/// Why the reduction cannot be used on `s`, or "".
std::string por_unsupported(const Scenario& s);

}  // namespace mpsim::detail
