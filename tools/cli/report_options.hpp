#pragma once
// The report options of the commands that run one machine (`mpsim run`,
// `mpsim py`): format, timeline, events, output file and the extra files.
#include <CLI/CLI.hpp>
#include <string>

#include "mpsim/model/result.hpp"

namespace mpsim::cli {

struct ReportOptions {
  std::string format = "text";
  bool timeline = false;
  bool events = false;
  std::string out;
  std::string trace;
  std::string gantt;
  std::string dot;
  std::string tree;
  bool force = false;
  /// --format, --timeline, --events, -o, --trace, --gantt, --dot, --tree, --force.
  void add_to(CLI::App& cmd);
  /// Writes the --trace, --gantt (titled `name`), --tree and (after a
  /// deadlock) --dot files asked for; false, after printing why, if one fails.
  [[nodiscard]] bool write_files(const RunResult& r, const std::string& name) const;
};

}  // namespace mpsim::cli
