// mpsim sweep merge -o DIR SHARD_DIR...: the journals of every shard of one
// sweep joined into the folder the unsharded sweep would have written, byte
// for byte (tests/sweep/parallel.sh checks it).
#include <filesystem>
#include <iostream>
#include <set>

#include "sweep_commands.hpp"
#include "sweep_files.hpp"

namespace mpsim::cli {

namespace {

struct MergeArgs {
  std::string out;
  std::vector<std::string> dirs;
  bool force = false;
};

int merge(const MergeArgs& a) {
  std::optional<JournalHeader> first;
  JournalEntries all;
  std::set<int> seen;
  for (const auto& dir : a.dirs) {
    std::optional<std::pair<JournalHeader, JournalEntries>> j;
    try {
      j = read_journal(dir, false);
    } catch (const std::exception& e) {
      std::cerr << "error: " << e.what() << "\n";
      return kExitBadInput;
    }
    if (!j) {
      std::cerr << "error: " << dir << " holds no " << kJournal << "\n";
      return kExitBadInput;
    }
    const JournalHeader& h = j->first;
    if (!first) first = h;
    if (h.hash != first->hash || h.total != first->total || h.csv_header != first->csv_header) {
      std::cerr << "error: " << dir << " is a shard of another sweep (hash " << h.hash << ", "
                << a.dirs.front() << " has " << first->hash << ")\n";
      return kExitBadInput;
    }
    if (h.shards != first->shards || !seen.insert(h.shard).second) {
      std::cerr << "error: " << dir << " is shard " << h.shard << "/" << h.shards
                << ", which does not fit the shards before it (each of 1/N .. N/N once)\n";
      return kExitBadInput;
    }
    if (j->second.size() != shard_size(h)) {
      std::cerr << "error: " << dir << " (shard " << h.shard << "/" << h.shards << ") has "
                << j->second.size() << " of its " << shard_size(h)
                << " runs; finish it first (run its sweep command again)\n";
      return kExitBadInput;
    }
    all.insert(j->second.begin(), j->second.end());
  }
  if (!first || static_cast<int>(seen.size()) != first->shards) {
    std::string missing;
    for (int i = 1; first && i <= first->shards; ++i)
      if (!seen.count(i)) missing += " " + std::to_string(i);
    std::cerr << "error: shards missing:" << missing << " (of " << (first ? first->shards : 0)
              << ")\n";
    return kExitBadInput;
  }
  JournalHeader out = *first;
  out.shard = out.shards = 1;
  std::filesystem::path dir(a.out);
  try {
    std::filesystem::create_directories(dir);
    if (!std::filesystem::is_empty(dir) && !a.force) {
      std::cerr << "error: " << a.out
                << " is not empty; pass --force to replace the sweep files in it\n";
      return kExitBadInput;
    }
    write_sweep_outputs(a.out, out, all);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitBadInput;
  }
  std::cerr << "sweep merge: " << all.size() << " runs from " << a.dirs.size() << " shards in "
            << a.out << "\n";
  return kExitOk;
}

}  // namespace

Command add_sweep_merge(CLI::App& sweep) {
  auto* cmd = sweep.add_subcommand(
      "merge", "join the folders of every shard into one, as the unsharded sweep");
  auto a = std::make_shared<MergeArgs>();
  cmd->add_option("SHARD_DIRS", a->dirs, "the folders of shards 1/N .. N/N, in any order")
      ->required();
  cmd->add_option("-o,--output", a->out, "folder for the joined results")->required();
  cmd->add_flag("--force", a->force, "write into a folder that is not empty");
  return [a] { return merge(*a); };
}

}  // namespace mpsim::cli
