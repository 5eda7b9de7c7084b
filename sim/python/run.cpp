// mpsim py: starts the program's main Python process, connects every Python
// process to the kernel through the driver, runs the simulation, and leaves
// no Python process behind, however the run ends.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mpsim/python/py_run.hpp"
#include "python/cleanup.hpp"
#include "python/exec_args.hpp"
#include "python/driver.hpp"

namespace mpsim::python {

namespace fs = std::filesystem;
using detail::Channel;
using detail::Clock;

namespace {

std::string script_name(const std::string& script) {
  std::string stem = fs::path(script).stem().string();
  return stem.empty() ? "python" : stem;
}

/// The run folder (socket, the interpreter's own stderr), the listening
/// socket and the main Python process; the destructor kills every Python
/// process (they share one process group) and reaps them all.
class Session {
 public:
  Session() {
    char tmpl[] = "/tmp/mpsim-py-XXXXXX";
    if (!::mkdtemp(tmpl))
      throw PyError(std::string("cannot create a run folder: ") + std::strerror(errno), 1);
    dir_ = tmpl;
    socket_path_ = dir_ + "/kernel.sock";
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket_path_.c_str(), sizeof addr.sun_path - 1);
    if (listen_fd_ < 0 ||
        ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 64) != 0) {
      int err = errno;
      if (listen_fd_ >= 0) ::close(listen_fd_);
      std::error_code ec;
      fs::remove_all(dir_, ec);  // no destructor runs for a constructor that throws
      errno = err;
      throw PyError(std::string("cannot listen on ") + socket_path_ + ": " + std::strerror(errno),
                    1);
    }
    // Python children whose parent ended are reparented to us, so we reap them.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  ~Session() {
    if (listen_fd_ >= 0) ::close(listen_fd_);
    detail::kill_group_and_reap(main_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void launch(const PyOptions& o, std::int64_t tick_us, std::int32_t cores) {
    std::vector<std::string> argv = {
        o.python, "-s", "-m", "mpsim_rt", fs::absolute(o.script).string(), o.script};
    argv.insert(argv.end(), o.args.begin(), o.args.end());
    std::vector<std::string> env = {"PYTHONPATH=" + o.runtime_dir,
                                    "PYTHONHASHSEED=0",
                                    "PYTHONDONTWRITEBYTECODE=1",
                                    "PYTHONUNBUFFERED=1",
                                    "PYTHONIOENCODING=utf-8",
                                    "MPSIM_PY_SOCKET=" + socket_path_,
                                    "MPSIM_PY_LINES_PER_TICK=" + std::to_string(o.lines_per_tick),
                                    "MPSIM_PY_CHUNK_TICKS=" + std::to_string(o.chunk_ticks),
                                    "MPSIM_PY_TICK_US=" + std::to_string(tick_us),
                                    "MPSIM_PY_CORES=" + std::to_string(cores)};
    detail::ExecArgs exec(std::move(argv), std::move(env));
    std::string log = dir_ + "/python.log";
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) throw PyError(std::string("fork failed: ") + std::strerror(errno), 1);
    if (pid == 0) {
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int in = ::open("/dev/null", O_RDONLY);
      if (out < 0 || in < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0)
        ::_exit(127);
      if (!o.cwd.empty() && ::chdir(o.cwd.c_str()) != 0) ::_exit(126);
      ::execve(exec.path(), exec.argv(), exec.envp());
      ::_exit(127);
    }
    ::setpgid(pid, pid);  // also here: no window in which the group does not exist yet
    main_ = pid;
  }

  /// The next Python process to connect, with its hello read.
  Channel accept(Clock::time_point deadline) {
    detail::wait_readable(listen_fd_, deadline, "a new Python process to connect");
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) throw PyError(std::string("accept failed: ") + std::strerror(errno), 1);
    Channel c(fd);
    auto hello = c.read(deadline);
    if (!hello || hello->value("op", std::string()) != "hello")
      throw PyError("a Python process connected without its hello" + python_log(), 1);
    return c;
  }

  /// What the main interpreter wrote on its own stderr (before the runtime
  /// took over, or when it failed), for error messages.
  std::string python_log() const {
    std::ifstream in(dir_ + "/python.log");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    return s.empty() ? "" : "; the interpreter said:\n" + s;
  }

  /// The main process if it has ended (before connecting): its status text.
  std::string main_status() {
    int status = 0;
    if (::waitpid(main_, &status, WNOHANG) != main_) return "";
    main_ = -1;  // reaped: its group is gone
    std::string how = WIFEXITED(status)
                          ? "exited with " + std::to_string(WEXITSTATUS(status))
                          : "was killed by signal " + std::to_string(WTERMSIG(status));
    return "the Python interpreter " + how + " before connecting" + python_log();
  }

  int listen_fd() const { return listen_fd_; }

 private:
  std::string dir_;
  std::string socket_path_;
  int listen_fd_ = -1;
  pid_t main_ = -1;
};

}  // namespace

std::vector<Diagnostic> python_scenario(const PyOptions& o, const MachineOverrides& m,
                                        Scenario& out) {
  nlohmann::json j = {
      {"name", script_name(o.script)},
      {"description", "Python program " + o.script + " (mpsim py)"},
      {"machine", {{"cores", 1}, {"exit_semantics", "python"}}},
      {"programs", {{"py", nlohmann::json::array({{{"compute", 0}}})}}},
      {"processes", nlohmann::json::array({{{"name", "MainProcess"}, {"program", "py"}}})}};
  LoadResult r = load_scenario_text(j.dump(), "mpsim py");
  if (!r.scenario) return r.errors;
  out = std::move(*r.scenario);
  auto errors = apply_overrides(out, m);
  // The program is the Python process itself: the driver supplies its operations.
  auto prog = std::make_shared<Program>();
  prog->name = "py";
  prog->code.resize(1);  // End
  prog->external = true;
  out.programs["py"] = prog;
  return errors;
}

PyRun run_python(const PyOptions& o, const MachineOverrides& m, RunOptions run) {
  PyRun out;
  if (auto errors = python_scenario(o, m, out.scenario); !errors.empty())
    throw PyError(errors.front().message, 2);
  if (::access(o.python.c_str(), X_OK) != 0)
    throw PyError("cannot run " + o.python + " (install Debian's python3: tools/setup.sh)", 2);
  if (!fs::exists(fs::path(o.runtime_dir) / "mpsim_rt" / "__main__.py"))
    throw PyError("the Python runtime is missing: no mpsim_rt in " + o.runtime_dir +
                      " (set MPSIM_PY_RUNTIME)",
                  2);
  auto deadline = Clock::now() + std::chrono::milliseconds(o.wall_limit_ms);
  Session session;
  session.launch(o, out.scenario.machine.tick_us, out.scenario.machine.cores);
  detail::Driver driver([&] { return session.accept(deadline); }, deadline,
                        out.scenario.machine.tick_us);
  Channel main_channel;
  try {
    main_channel = session.accept(deadline);
  } catch (const PyError& e) {
    std::string why = session.main_status();
    throw PyError(why.empty() ? e.what() : why, e.exit_code);
  }
  driver.adopt(2, std::move(main_channel));  // the scenario's one process: pid 2
  run.external = &driver;
  out.result = simulate(out.scenario, run);
  driver.pools().finish(out.result);
  return out;
}

}  // namespace mpsim::python
