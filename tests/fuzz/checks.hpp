#pragma once
// The checks behind the fuzz targets (docs/reliability-fuzzing.md). Each takes
// one input as bytes and returns "" when mpsim behaved, or what went wrong.
// The libFuzzer entry points (fuzz_*.cpp) abort on a non-empty answer; the
// unit test fuzz_regressions_test.cpp runs the same checks on every stored
// reproducer, so a fixed finding stays fixed in the normal g++ suite.
#include <string>
#include <string_view>

namespace mpsim::fuzz {

/// Loader + checker on arbitrary bytes: a Scenario or diagnostics (never
/// both, never neither), each naming the file; no exception escapes.
std::string check_load(std::string_view bytes);

/// Expression parser and evaluator: `bytes` is the expression text, then
/// (after the first NUL byte, if any) bytes that give the variables' values.
std::string check_expr(std::string_view bytes);

/// Structure-aware: `bytes` drive a generator of scenarios (scenario_gen.hpp);
/// one that loads is simulated with and without event skipping and the
/// kernel's invariants are checked on the result (invariants.hpp).
std::string check_scenario(std::string_view bytes);

}  // namespace mpsim::fuzz
