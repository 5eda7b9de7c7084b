// mpsim sweep SPEC -o DIR [--shard i/N] [--threads N] [--limit K] [--force]:
// every run of a sweep spec, appended to DIR/runs.journal as it finishes, so
// a second call resumes where the first stopped (docs/sweeps.md).
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "mpsim/report/sweep.hpp"
#include "sweep_commands.hpp"
#include "sweep_files.hpp"

namespace mpsim::cli {

namespace {

struct SweepArgs {
  std::string spec;
  std::string dir;
  std::string shard = "1/1";
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::size_t limit = 0;
  bool force = false;
  bool quiet = false;
  LimitOptions limits;
};

bool parse_shard(const std::string& text, int& i, int& n) {
  auto slash = text.find('/');
  if (slash == std::string::npos) return false;
  try {
    std::size_t a = 0, b = 0;
    i = std::stoi(text.substr(0, slash), &a);
    n = std::stoi(text.substr(slash + 1), &b);
    return a == slash && b == text.size() - slash - 1 && n >= 1 && n <= 100000 && i >= 1 && i <= n;
  } catch (const std::exception&) {
    return false;
  }
}

// "runs done/total, rate, ETA" on one line, redrawn at most 5 times a second.
class Progress {
 public:
  Progress(std::size_t done, std::size_t total) : done_(done), start_done_(done), total_(total) {}
  void step() {
    ++done_;
    auto now = std::chrono::steady_clock::now();
    if (done_ != total_ && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    double rate = secs > 0 ? static_cast<double>(done_ - start_done_) / secs : 0;
    double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0;
    char buf[160];
    std::snprintf(buf, sizeof buf, "\rsweep: %zu/%zu runs, %.1f runs/s, ETA %.0f s\033[K", done_,
                  total_, rate, eta);
    std::cerr << buf << std::flush;
  }
  void finish() const { std::cerr << "\r\033[K" << std::flush; }

 private:
  std::size_t done_, start_done_, total_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_{};
};

// An exclusive lock on the folder itself (flock on its descriptor), held
// until the sweep ends: no lock file is left in the folder.
class DirLock {
 public:
  DirLock() = default;
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool take(const std::string& dir) {
    fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) == 0;
  }

 private:
  int fd_ = -1;
};

void print_errors(const SweepError& e) {
  for (const auto& d : e.diagnostics) std::cerr << "error: " << d.format() << "\n";
}

// Our files only: --force never removes anything else from the folder.
void remove_outputs(const std::filesystem::path& dir) {
  for (const char* f : {kJournal, "runs.csv", "runs.jsonl", "summary.csv"})
    std::filesystem::remove(dir / f);
}

int run(const SweepArgs& a) {
  int shard = 1, shards = 1;
  if (!parse_shard(a.shard, shard, shards)) {
    std::cerr << "error: --shard " << a.shard << ": expected i/N with 1 <= i <= N, as 2/8\n";
    return kExitBadInput;
  }
  std::optional<SweepPlan> plan;
  try {
    plan = SweepPlan::load(a.spec);
  } catch (const SweepError& e) {
    print_errors(e);
    return kExitBadInput;
  }
  a.limits.apply_memory_limit();  // the other limits apply to each run
  JournalHeader h{plan->hash(), shard, shards, plan->runs().size(), sweep_csv_header(*plan)};
  std::filesystem::path dir(a.dir);
  JournalEntries entries;
  DirLock lock;
  try {
    std::filesystem::create_directories(dir);
    // Two sweeps appending to one journal would interleave their lines.
    if (!lock.take(a.dir)) {
      std::cerr << "error: another mpsim sweep is writing to " << a.dir << "\n";
      return kExitBadInput;
    }
    if (a.force) remove_outputs(dir);
    if (auto j = read_journal(a.dir, true)) {
      if (j->first.hash != h.hash) {
        std::cerr << "error: " << a.dir
                  << " holds results of another version of the spec or scenario (hash "
                  << j->first.hash << ", now " << h.hash
                  << "); use another folder, or --force to discard them\n";
        return kExitBadInput;
      }
      if (j->first.shard != shard || j->first.shards != shards) {
        std::cerr << "error: " << a.dir << " holds shard " << j->first.shard << "/"
                  << j->first.shards << ", not " << shard << "/" << shards
                  << "; use another folder, or --force to discard it\n";
        return kExitBadInput;
      }
      entries = std::move(j->second);
    } else if (!std::filesystem::is_empty(dir)) {
      std::cerr << "error: " << a.dir
                << " is not empty and holds no sweep journal; use an empty or new folder\n";
      return kExitBadInput;
    }
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitBadInput;
  }
  std::vector<std::size_t> todo;
  for (std::size_t k = 0; k < h.total; ++k)
    if (in_shard(h, k) && !entries.count(k) && (a.limit == 0 || todo.size() < a.limit))
      todo.push_back(k);

  const auto journal = (dir / kJournal).string();
  int fd = ::open(journal.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::cerr << "error: cannot write " << journal << "\n";
    return kExitBadInput;
  }
  std::mutex mutex;
  std::atomic<bool> write_failed{false};
  auto append = [&](const std::string& text) {
    // One write per line: an interruption cuts at most the last line, which
    // read_journal drops on the next call.
    if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
      write_failed = true;
  };
  if (::lseek(fd, 0, SEEK_END) == 0) append(journal_header_text(h));
  bool tty = isatty(STDERR_FILENO) != 0;
  Progress progress(entries.size(), shard_size(h));
  try {
    run_sweep(
        *plan, todo, a.threads,
        [&](const SweepRun& r, const CompareRow& row) {
          JournalEntry e{sweep_csv_row(*plan, r, row), sweep_json_line(r, row)};
          std::string line = journal_line(r.index, e);
          std::lock_guard<std::mutex> lock(mutex);
          append(line);
          entries.emplace(r.index, std::move(e));
          if (tty) progress.step();
        },
        [&] { return write_failed.load(); }, a.limits.run);
  } catch (const SweepError& e) {
    if (tty) progress.finish();
    ::close(fd);
    print_errors(e);
    return kExitBadInput;
  }
  ::close(fd);
  if (tty) progress.finish();
  if (write_failed) {
    std::cerr << "error: cannot write " << journal << "\n";
    return kExitInternal;
  }
  try {
    write_sweep_outputs(a.dir, h, entries);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitInternal;
  }
  if (entries.size() < shard_size(h)) {
    std::cerr << "sweep: " << entries.size() << " of " << shard_size(h)
              << " runs done; run the same command again to continue\n";
    return kExitOk;
  }
  if (shards > 1) {
    std::cerr << "sweep: shard " << shard << "/" << shards << " done (" << entries.size()
              << " runs in " << journal << "); join the shards with mpsim sweep merge\n";
    return kExitOk;
  }
  if (!a.quiet) {
    std::vector<std::string> lines;
    for (const auto& [k, e] : entries) lines.push_back(e.json);
    std::cout << sweep_summary_text(lines);
  }
  return kExitOk;
}

}  // namespace

Command add_sweep(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "sweep", "run a scenario over a grid of parameters and seeds (docs/sweeps.md)");
  cmd->require_subcommand(0, 1);
  auto a = std::make_shared<SweepArgs>();
  cmd->add_option("SPEC", a->spec, "sweep spec (JSON)");
  cmd->add_option("-o,--output", a->dir,
                  "folder for the journal and the results (resumed if it holds them)");
  cmd->add_option("--shard", a->shard,
                  "run only share i of N, as 2/8 (join them with sweep merge)");
  cmd->add_option("--threads", a->threads, "runs at once (results do not depend on it)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--limit", a->limit, "run at most this many runs now (the next call continues)");
  cmd->add_flag("--force", a->force, "discard the results already in the folder and start over");
  cmd->add_flag("--quiet", a->quiet, "do not print the summary table");
  a->limits.add_to(*cmd);
  Command merge = add_sweep_merge(*cmd);
  Command plot = add_sweep_plot(*cmd);
  return [a, cmd, merge, plot] {
    if (cmd->got_subcommand("merge")) return merge();
    if (cmd->got_subcommand("plot")) return plot();
    if (a->spec.empty() || a->dir.empty()) {
      std::cerr << "error: sweep needs a SPEC and -o DIR (or: sweep merge, sweep plot)\n";
      return kExitBadInput;
    }
    return run(*a);
  };
}

}  // namespace mpsim::cli
