// One JSON line at a time over a Unix stream socket (channel.hpp).
#include "python/channel.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "mpsim/python/py_run.hpp"

namespace mpsim::python {

namespace {
std::atomic<int> g_interrupt{0};
}

void interrupt_python_run(int signo) {
  g_interrupt.store(signo);
}

namespace detail {

int interrupted_signal() {
  return g_interrupt.load();
}

void wait_readable(int fd, Clock::time_point deadline, const char* waiting_for) {
  for (;;) {
    if (int sig = g_interrupt.load())
      throw PyError("interrupted by signal " + std::to_string(sig), 128 + sig);
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0)
      throw PyError(
          std::string("wall-clock limit reached while waiting for ") + waiting_for +
              " (raise it with --wall-limit; a loop that never reaches an operation is counted in "
              "lines, so it ends only by this limit)",
          4);
    pollfd p{fd, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 200)));
    if (n > 0) return;
    if (n < 0 && errno != EINTR)
      throw PyError(std::string("poll failed: ") + std::strerror(errno), 1);
  }
}

Channel& Channel::operator=(Channel&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = o.fd_;
    buf_ = std::move(o.buf_);
    o.fd_ = -1;
  }
  return *this;
}

Channel::~Channel() {
  close();
}

void Channel::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::optional<nlohmann::json> Channel::read(Clock::time_point deadline) {
  for (;;) {
    if (auto nl = buf_.find('\n'); nl != std::string::npos) {
      std::string line = buf_.substr(0, nl);
      buf_.erase(0, nl + 1);
      try {
        return nlohmann::json::parse(line);
      } catch (const nlohmann::json::exception& e) {
        throw PyError("the Python runtime sent a malformed message: " + line.substr(0, 200), 1);
      }
    }
    if (fd_ < 0) return std::nullopt;
    wait_readable(fd_, deadline, "a Python process");
    char chunk[65536];
    ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close();
      return std::nullopt;
    }
    buf_.append(chunk, static_cast<std::size_t>(n));
  }
}

void Channel::send(const nlohmann::json& m) {
  if (fd_ < 0) return;
  std::string line = m.dump() + "\n";
  std::size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::send(fd_, line.data() + off, line.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the process is gone; its next read reports it
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace detail
}  // namespace mpsim::python
