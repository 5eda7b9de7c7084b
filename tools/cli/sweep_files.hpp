#pragma once
// The files of a sweep folder (docs/sweeps.md): runs.journal, where each
// finished run is appended as it ends (so an interrupted sweep resumes), and
// runs.csv, runs.jsonl and summary.csv, written in run order once every run
// of the sweep is in the journal.
#include <cstddef>
#include <map>
#include <optional>
#include <string>

namespace mpsim::cli {

inline constexpr const char* kJournal = "runs.journal";

struct JournalHeader {
  std::string hash;  ///< SweepPlan::hash(): the spec and scenario bytes
  int shard = 1;
  int shards = 1;
  std::size_t total = 0;  ///< runs of the whole sweep, all shards
  std::string csv_header;
};

struct JournalEntry {
  std::string csv;   ///< the CSV row, without line break
  std::string json;  ///< the JSON Lines row
};
using JournalEntries = std::map<std::size_t, JournalEntry>;

std::string journal_header_text(const JournalHeader& h);
std::string journal_line(std::size_t index, const JournalEntry& e);

/// Reads DIR/runs.journal (nullopt when there is none). A last line without
/// its line break (a write cut by the interruption) is cut off the file, when
/// `repair`. Throws std::runtime_error saying what is wrong with a damaged file.
std::optional<std::pair<JournalHeader, JournalEntries>> read_journal(const std::string& dir,
                                                                     bool repair);

/// Indices of `h`'s shard: k with k mod shards == shard - 1.
bool in_shard(const JournalHeader& h, std::size_t k);
std::size_t shard_size(const JournalHeader& h);

/// Rewrites the journal in run order; when the journal holds every run of
/// the sweep (one shard of one), also runs.csv, runs.jsonl and summary.csv.
/// Each file is written beside and renamed into place.
void write_sweep_outputs(const std::string& dir, const JournalHeader& h,
                         const JournalEntries& entries);

}  // namespace mpsim::cli
