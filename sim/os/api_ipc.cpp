// Shared memory for Value/Array and Pipe's connections (include/mpsim/os/ipc.hpp).
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <system_error>

#include "mpsim/os/ipc.hpp"

namespace mpsim::os {

namespace {

constexpr std::uint32_t kMaxMessage = 64u << 20;

[[noreturn]] void fail(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// Every byte, across short writes and signals; MSG_NOSIGNAL: EPIPE, not SIGPIPE.
void send_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) fail("send on a Pipe connection");
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

// false when the peer closed before the first byte; a message cut short is an error too.
bool recv_all(int fd, char* p, std::size_t n, bool first) {
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::recv(fd, p + got, n - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) fail("recv on a Pipe connection");
    if (r == 0) {
      if (first && got == 0) return false;
      throw EOFError("the other end of the pipe closed in the middle of a message");
    }
    got += static_cast<std::size_t>(r);
  }
  return true;
}

}  // namespace

namespace detail {

void* map_shared_bytes(std::size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) fail("mmap for a shared Value or Array");
  return p;
}

void unmap_shared_bytes(void* p, std::size_t bytes) noexcept {
  if (p) ::munmap(p, bytes);
}

}  // namespace detail

Connection::~Connection() {
  close();
}

int Connection::live_fd(const char* what) const {
  if (fd_ < 0)
    throw std::logic_error(std::string(what) +
                           " on a closed Connection (Python: OSError, handle is closed)");
  return fd_;
}

void Connection::send(std::string_view message) {
  int fd = live_fd("send");
  if (!writable_) throw std::logic_error("send on the receiving end of a one-way Pipe");
  if (message.size() > kMaxMessage) throw std::length_error("a Pipe message is at most 64 MiB");
  auto len = static_cast<std::uint32_t>(message.size());
  char header[sizeof len];
  std::memcpy(header, &len, sizeof len);
  send_all(fd, header, sizeof header);
  send_all(fd, message.data(), message.size());
}

std::string Connection::recv() {
  int fd = live_fd("recv");
  if (!readable_) throw std::logic_error("recv on the sending end of a one-way Pipe");
  char header[sizeof(std::uint32_t)];
  if (!recv_all(fd, header, sizeof header, true))
    throw EOFError("recv: the other end of the pipe is closed");
  std::uint32_t len = 0;
  std::memcpy(&len, header, sizeof len);
  if (len > kMaxMessage) throw std::length_error("a Pipe message longer than 64 MiB arrived");
  std::string out(len, '\0');
  recv_all(fd, out.data(), len, false);
  return out;
}

bool Connection::poll(std::chrono::nanoseconds timeout) {
  int fd = live_fd("poll");
  if (!readable_) throw std::logic_error("poll on the sending end of a one-way Pipe");
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, left.count())));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("poll on a Pipe connection");
    return n > 0;  // POLLIN, or POLLHUP at end of file
  }
}

void Connection::close() {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

std::pair<Connection, Connection> Pipe(bool duplex) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) fail("socketpair for a Pipe");
  if (!duplex) {  // fds[0] receives, fds[1] sends, as Python's Pipe(duplex=False)
    ::shutdown(fds[0], SHUT_WR);
    ::shutdown(fds[1], SHUT_RD);
  }
  return {Connection(fds[0], true, duplex), Connection(fds[1], duplex, true)};
}

}  // namespace mpsim::os
