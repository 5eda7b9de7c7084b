// Output files are written whole or not at all: the text goes to a temporary
// file beside the target, which then takes the target's name in one step.
// A full disk, a crash or ^C in the middle leaves the user's old file as it
// was, never a half-written one. Without --force the last step is link(),
// which fails if the name exists by then (even as a dangling symlink, which
// a plain open would follow and create the file it points to).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <vector>

#include "commands.hpp"

namespace mpsim::cli {

namespace {

bool write_all(int fd, std::string_view text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// The temporary file is removed however the writing ends, an exception from
// the producer included (after a rename it no longer exists: harmless).
class RemoveOnExit {
 public:
  explicit RemoveOnExit(std::string path) : path_(std::move(path)) {}
  ~RemoveOnExit() { ::unlink(path_.c_str()); }
  RemoveOnExit(const RemoveOnExit&) = delete;
  RemoveOnExit& operator=(const RemoveOnExit&) = delete;

 private:
  std::string path_;
};

// Blocks the signals that end a run from the terminal while a file is being
// put in place, so that no temporary file is left; they are taken after.
class HoldSignals {
 public:
  HoldSignals() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&set, s);
    sigprocmask(SIG_BLOCK, &set, &saved_);
  }
  ~HoldSignals() { sigprocmask(SIG_SETMASK, &saved_, nullptr); }
  HoldSignals(const HoldSignals&) = delete;
  HoldSignals& operator=(const HoldSignals&) = delete;

 private:
  sigset_t saved_{};
};

}  // namespace

std::string write_file_atomically(const std::string& path, const std::string& text, bool replace) {
  return write_file_atomically(
      path, [&text](const TextSink& sink) { sink(text); }, replace);
}

std::string write_file_atomically(const std::string& path, const TextProducer& produce,
                                  bool replace) {
  HoldSignals hold;
  std::filesystem::path target(path);
  std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
  std::string templ = dir + "/." + target.filename().string() + ".mpsim-XXXXXX";
  std::vector<char> name(templ.begin(), templ.end());
  name.push_back('\0');
  int fd = mkstemp(name.data());
  if (fd < 0) return std::strerror(errno);
  std::string tmp = name.data();
  RemoveOnExit remove(tmp);
  mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);  // what a plain open would have given
  // After a failed write the rest of the pieces are not written: the first
  // errno is the one reported.
  bool ok = true;
  int err = 0;
  try {
    produce([&](std::string_view piece) {
      if (ok && !write_all(fd, piece)) {
        ok = false;
        err = errno;
      }
    });
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (ok && fsync(fd) != 0) {
    ok = false;
    err = errno;
  }
  if (::close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (ok) {
    if (replace) {
      ok = ::rename(tmp.c_str(), path.c_str()) == 0;
    } else {
      ok = ::link(tmp.c_str(), path.c_str()) == 0;
    }
    err = errno;
  }
  if (!ok)
    return err == EEXIST ? "it already exists; pass --force to replace it" : std::strerror(err);
  return "";
}

}  // namespace mpsim::cli
