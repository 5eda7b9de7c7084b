#pragma once
// The subcommands of `mpsim sweep`: merge (shards into one folder) and plot.
#include "commands.hpp"

namespace mpsim::cli {

Command add_sweep_merge(CLI::App& sweep);
Command add_sweep_plot(CLI::App& sweep);

}  // namespace mpsim::cli
