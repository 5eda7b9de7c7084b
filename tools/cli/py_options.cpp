#include "py_options.hpp"

#include <signal.h>

#include <cstdlib>

#ifndef MPSIM_PYTHON_DIR
#define MPSIM_PYTHON_DIR ""
#endif

namespace mpsim::cli {

void PyCliOptions::add_to(CLI::App& cmd) {
  cmd.add_option("--lines-per-tick", py.lines_per_tick,
                 "Python programs: executed lines that make one tick of CPU time")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000000000}));
  cmd.add_option("--chunk", py.chunk_ticks,
                 "Python programs: a computing process reports its work at least every N ticks")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000000}));
  cmd.add_option("--wall-limit", wall_limit_s,
                 "Python programs: stop a run after this many real seconds (default 60)")
      ->check(CLI::Range(0.1, 86400.0));
  cmd.add_option("--python", py.python,
                 "Python programs: the interpreter (default Debian's /usr/bin/python3)");
  cmd.add_option("--cwd", py.cwd,
                 "Python programs: their working directory (default: the current one)")
      ->check(CLI::ExistingDirectory);
}

python::PyOptions PyCliOptions::resolved(const std::string& script) const {
  python::PyOptions o = py;
  o.script = script;
  o.wall_limit_ms = static_cast<std::int64_t>(wall_limit_s * 1000);
  const char* rt = std::getenv("MPSIM_PY_RUNTIME");
  o.runtime_dir = rt && *rt ? rt : MPSIM_PYTHON_DIR;
  return o;
}

bool is_python_script(const std::string& file) {
  return file.size() > 3 && file.compare(file.size() - 3, 3, ".py") == 0;
}

namespace {
void on_signal(int signo) {
  python::interrupt_python_run(signo);
}
}  // namespace

void catch_python_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a waiting poll returns at once
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaction(s, &sa, nullptr);
}

}  // namespace mpsim::cli
