#pragma once
/// Explaining a deadlock: the wait-for graph (Boost.Graph) of the processes
/// and objects a stuck run left behind, its cycles, and one sentence per
/// blocked process.
#include <string>
#include <vector>

#include "mpsim/model/result.hpp"

namespace mpsim {

struct DeadlockReport {
  std::vector<std::string> explanations;         ///< one per stuck process, in pid order
  std::vector<std::vector<std::string>> cycles;  ///< each as vertex names, "buyer-1" or "lock mutex"
  std::string dot;                               ///< the wait-for graph in Graphviz
};

/// Empty report when `r` did not end in a deadlock.
DeadlockReport analyse_deadlock(const RunResult& r);

/// The process tree in Graphviz: parent -> child creation edges, dashed
/// adoption edges from init for orphans, nodes labelled with pid, name, exit
/// code and fate.
std::string process_tree_dot(const RunResult& r);

}  // namespace mpsim
