#pragma once
// Private to sim/python: one JSON line at a time over a Unix stream socket,
// with the run's wall-clock deadline and interruption by a signal.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace mpsim::python::detail {

using Clock = std::chrono::steady_clock;

/// The signal that asked the run to stop (interrupt_python_run), or 0.
int interrupted_signal();

/// Waits until `fd` is readable; throws PyError when the deadline passes or
/// the run is interrupted.
void wait_readable(int fd, Clock::time_point deadline, const char* waiting_for);

/// The socket of one Python process.
class Channel {
 public:
  Channel() = default;
  explicit Channel(int fd) : fd_(fd) {}
  Channel(Channel&& o) noexcept : fd_(o.fd_), buf_(std::move(o.buf_)) { o.fd_ = -1; }
  Channel& operator=(Channel&& o) noexcept;
  ~Channel();

  /// The next message, or nullopt when the process closed its end.
  std::optional<nlohmann::json> read(Clock::time_point deadline);
  void send(const nlohmann::json& m);
  void close();
  [[nodiscard]] bool open() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
  std::string buf_;
};

}  // namespace mpsim::python::detail
