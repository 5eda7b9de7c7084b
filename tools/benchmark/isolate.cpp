// fork + pipe. The child resets its peak-RSS counter first: right after fork
// it is the parent's, and the parent may have been bigger at some point.
#include "isolate.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

namespace mpsim::bench {

namespace {

// A field of /proc/self/status in kB ("VmHWM", "VmRSS"), or -1.
std::int64_t status_kb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) != 0) continue;
    return std::stoll(line.substr(field.size() + 1));
  }
  return -1;
}

// Linux >= 4.0: writing 5 to clear_refs resets VmHWM to the current RSS.
void reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
}

void write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

std::string read_all(int fd) {
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return data;
    data.append(buf, static_cast<std::size_t>(n));
  }
}

// The child: header line "ok|error <peak kB> <start kB>", then the body's output.
[[noreturn]] void child_main(int fd, const std::function<std::string()>& body, int timeout_s) {
  if (timeout_s > 0) alarm(static_cast<unsigned>(timeout_s));  // SIGALRM ends a runaway case
  reset_peak_rss();
  std::int64_t start = status_kb("VmRSS");
  std::string status = "ok", output;
  try {
    output = body();
  } catch (const std::exception& e) {
    status = "error";
    output = e.what();
  }
  std::ostringstream header;
  header << status << " " << peak_rss_kb() << " " << start << "\n";
  write_all(fd, header.str() + output);
  close(fd);
  _exit(0);  // no atexit handlers or stdio flushes of the parent's state
}

std::string describe_status(int status, int timeout_s) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGALRM) return "timed out after " + std::to_string(timeout_s) + " s";
    return std::string("killed by signal ") + strsignal(sig);
  }
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

std::int64_t peak_rss_kb() {
  std::int64_t hwm = status_kb("VmHWM");
  if (hwm >= 0) return hwm;
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;  // kB on Linux; not reset, so it may include the parent's peak
}

Isolated run_isolated(const std::function<std::string()>& body, int timeout_s) {
  Isolated r;
  int fds[2];
  if (pipe(fds) != 0) {
    r.failure = std::string("pipe: ") + std::strerror(errno);
    return r;
  }
  std::cout.flush();
  std::cerr.flush();
  pid_t pid = fork();
  if (pid < 0) {
    r.failure = std::string("fork: ") + std::strerror(errno);
    close(fds[0]);
    close(fds[1]);
    return r;
  }
  if (pid == 0) {
    close(fds[0]);
    child_main(fds[1], body, timeout_s);
  }
  close(fds[1]);
  std::string data = read_all(fds[0]);
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::size_t eol = data.find('\n');
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || eol == std::string::npos) {
    r.failure = describe_status(status, timeout_s);
    return r;
  }
  std::istringstream header(data.substr(0, eol));
  std::string word;
  header >> word >> r.peak_rss_kb >> r.start_rss_kb;
  r.output = data.substr(eol + 1);
  r.ok = word == "ok";
  if (!r.ok) r.failure = r.output;
  return r;
}

Isolated run_here(const std::function<std::string()>& body) {
  Isolated r;
  r.start_rss_kb = status_kb("VmRSS");
  try {
    r.output = body();
    r.ok = true;
  } catch (const std::exception& e) {
    r.failure = e.what();
  }
  r.peak_rss_kb = peak_rss_kb();
  return r;
}

}  // namespace mpsim::bench
