#pragma once
// Process pools in the scenario language (semantics.md §13): the top-level
// `pools` declaration, the pool operations of a program, and the checks that
// need every program compiled (callbacks run in zero time).
#include <string>
#include <vector>

#include "mpsim/model/scenario.hpp"
#include "scenario/json_check.hpp"

namespace mpsim::detail {

struct CompileEnv;

/// Reads `pools` (an object: name -> {processes, maxtasksperchild, initializer})
/// into `out`; `programs` are the declared program names, for the initializer.
void load_pools(const json& doc, Checker& chk, const std::vector<std::string>& programs,
                std::vector<PoolDecl>& out);

/// Fills `in` (a pool operation, is_pool_op(in.op)) from `op`.
void compile_pool_op(Instr& in, const std::string& name, const json& op, const std::string& path,
                     const CompileEnv& env, Checker& chk);

/// Once every program is compiled: a callback may only hold zero-time
/// operations that cannot block.
void check_pool_callbacks(const Scenario& s, Checker& chk);

}  // namespace mpsim::detail
