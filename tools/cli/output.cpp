#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.hpp"

namespace mpsim::cli {

void MachineOptions::add_to(CLI::App& cmd) {
  cmd.add_option("--cores", cores, "number of cores (overrides machine.cores)");
  cmd.add_option("--policy", policy, "scheduling policy (overrides machine.scheduler.policy)");
  cmd.add_option("--quantum", quantum, "quantum in ticks for rr and mlfq");
  cmd.add_option("--context-switch", context_switch, "ticks a core spends switching processes");
  cmd.add_option("--queues", queues, "global or per_core run queues (overrides machine.queues)");
}

void RealCliOptions::add_to(CLI::App& cmd) {
  cmd.add_option("--max-procs", opt.max_processes, "real mode: most processes a run may create")->capture_default_str();
  cmd.add_option("--max-wall-ms", opt.max_wall_ms, "real mode: absolute wall-time limit in ms")->capture_default_str();
  cmd.add_option("--wall-ms", opt.wall_ms, "real mode: wall-time limit in ms (default: 10 x the predicted makespan + 1 s)");
  cmd.add_option("--hang-ms", opt.hang_ms, "real mode: all processes stuck on locks/joins this long = deadlock")->capture_default_str();
  cmd.add_option("--tick-us", opt.tick_us, "real mode: real time per tick in us (default: machine.tick_us)");
  cmd.add_flag("--keep", opt.keep, "real mode: keep the run folder with the final JSON files");
  cmd.add_flag("--oversubscribe", opt.oversubscribe,
               "real mode: allow more cores than CPUs (core i on CPU i mod CPUs)");
}

std::optional<os::RealRun> run_real_or_report(const Scenario& s, const os::RealOptions& o) {
  try {
    return os::run_real(s, o);
  } catch (const os::Refused& e) {
    std::cerr << "error: " << s.source << ": " << e.what() << "\n";
    return std::nullopt;
  }
}

std::optional<Scenario> load_or_report(const std::string& path, const MachineOverrides& o) {
  LoadResult r = load_scenario_file(path);
  if (r.errors.empty()) r.errors = apply_overrides(*r.scenario, o);
  for (const auto& d : r.errors) std::cerr << "error: " << d.format() << "\n";
  if (!r.errors.empty()) return std::nullopt;
  return std::move(r.scenario);
}

bool write_output(const std::string& out, const std::string& text, bool force) {
  return write_output(
      out, [&text](const TextSink& sink) { sink(text); }, force);
}

TextProducer json_output(const RunResult& r, bool events) {
  return [json = json_writer(r, events)](const TextSink& sink) {
    json(sink);
    sink("\n");
  };
}

bool write_output(const std::string& out, const TextProducer& produce, bool force) {
  if (out.empty() || out == "-") {
    produce([](std::string_view piece) {
      std::cout.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    });
    return true;
  }
  std::error_code ec;
  if (!force &&
      std::filesystem::symlink_status(out, ec).type() != std::filesystem::file_type::not_found) {
    std::cerr << "error: " << out << " already exists; pass --force to replace it\n";
    return false;
  }
  if (std::string why = write_file_atomically(out, produce, force); !why.empty()) {
    std::cerr << "error: cannot write " << out << ": " << why << "\n";
    return false;
  }
  return true;
}

}  // namespace mpsim::cli
