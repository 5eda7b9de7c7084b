#pragma once
// Compiling a program's JSON operations into the flat instruction list.
#include <map>
#include <memory>
#include <set>
#include <string>

#include "scenario/json_check.hpp"
#include "mpsim/model/program.hpp"
#include "mpsim/model/scenario.hpp"

namespace mpsim::detail {

/// What a program may refer to, for static checks with suggestions.
struct CompileEnv {
  std::vector<std::string> programs;
  std::vector<SyncObject> objects;
  std::vector<std::string> files;
  std::vector<std::string> pools;  ///< declared pools, in file order (index = Instr::obj)
  const std::map<std::string, SharedMemory>* shared = nullptr;  ///< `values` and `arrays`
  const std::vector<PipeSpec>* pipes = nullptr;
};

/// Load/Store (`load`, `store`) and pipe operations (`send`, `recv`, `poll`,
/// `close`): fills `in` from operation `op` (ipc_compile.cpp).
void compile_ipc_op(Instr& in, const std::string& name, const json& op, const std::string& path,
                    const CompileEnv& env, Checker& chk);

std::shared_ptr<Program> compile_program(const std::string& name, const json& ops, const std::string& path,
                                         const CompileEnv& env, Checker& chk);

/// The operation names, for documentation and suggestions.
const std::vector<std::string>& operation_names();

}  // namespace mpsim::detail
