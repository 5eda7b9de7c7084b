// Journal and output files of a sweep folder. The journal is plain text,
// one run per line, so an interrupted write damages at most its last line.
#include "sweep_files.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "mpsim/report/sweep.hpp"

namespace mpsim::cli {

namespace {

using json = nlohmann::json;
constexpr const char* kMagic = "mpsim-sweep-journal 1";

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  for (;;) {
    auto t = line.find('\t', pos);
    out.push_back(line.substr(pos, t == std::string::npos ? std::string::npos : t - pos));
    if (t == std::string::npos) return out;
    pos = t + 1;
  }
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f) throw std::runtime_error("cannot write " + tmp.string());
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace

std::string journal_header_text(const JournalHeader& h) {
  return std::string(kMagic) + "\thash\t" + h.hash + "\tshard\t" + std::to_string(h.shard) + "/" +
         std::to_string(h.shards) + "\truns\t" + std::to_string(h.total) + "\ncsv\t" +
         json(h.csv_header).dump() + "\n";
}

std::string journal_line(std::size_t index, const JournalEntry& e) {
  return std::to_string(index) + "\t" + json(e.csv).dump() + "\t" + e.json + "\n";
}

bool in_shard(const JournalHeader& h, std::size_t k) {
  return k % static_cast<std::size_t>(h.shards) == static_cast<std::size_t>(h.shard - 1);
}

std::size_t shard_size(const JournalHeader& h) {
  auto n = static_cast<std::size_t>(h.shards), i = static_cast<std::size_t>(h.shard - 1);
  return h.total > i ? (h.total - i + n - 1) / n : 0;
}

std::optional<std::pair<JournalHeader, JournalEntries>> read_journal(const std::string& dir,
                                                                     bool repair) {
  auto path = std::filesystem::path(dir) / kJournal;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  in.close();
  const std::string where = path.string();
  auto last_break = text.rfind('\n');
  std::size_t complete = last_break == std::string::npos ? 0 : last_break + 1;
  if (complete != text.size()) {
    if (repair) std::filesystem::resize_file(path, complete);
    text.resize(complete);
  }
  std::istringstream lines(text);
  std::string line;
  JournalHeader h;
  if (!std::getline(lines, line))
    throw std::runtime_error(where + ": empty journal; remove it or pass --force");
  auto f = split_tabs(line);
  char slash = 0;
  if (f.size() != 7 || f[0] != kMagic || f[1] != "hash" || f[3] != "shard" || f[5] != "runs" ||
      !(std::istringstream(f[4]) >> h.shard >> slash >> h.shards) || slash != '/')
    throw std::runtime_error(where + ": not an mpsim sweep journal (line 1)");
  h.hash = f[2];
  h.total = std::stoull(f[6]);
  if (!std::getline(lines, line) || line.rfind("csv\t", 0) != 0)
    throw std::runtime_error(where + ": not an mpsim sweep journal (line 2)");
  h.csv_header = json::parse(line.substr(4)).get<std::string>();
  JournalEntries entries;
  for (std::size_t n = 3; std::getline(lines, line); ++n) {
    auto g = split_tabs(line);
    try {
      if (g.size() != 3) throw std::runtime_error("expected 3 fields");
      std::size_t k = std::stoull(g[0]);
      if (k >= h.total || !in_shard(h, k))
        throw std::runtime_error("run " + g[0] + " is not in this shard");
      entries[k] = JournalEntry{json::parse(g[1]).get<std::string>(), g[2]};
    } catch (const std::exception& e) {
      throw std::runtime_error(where + ": line " + std::to_string(n) + " is damaged (" + e.what() +
                               "); remove the line to redo that run");
    }
  }
  return std::make_pair(h, entries);
}

void write_sweep_outputs(const std::string& dir, const JournalHeader& h,
                         const JournalEntries& entries) {
  std::filesystem::path d(dir);
  std::string journal = journal_header_text(h);
  for (const auto& [k, e] : entries) journal += journal_line(k, e);
  write_file(d / kJournal, journal);
  if (h.shards != 1 || entries.size() != h.total) return;
  std::string csv = h.csv_header + "\n", jsonl;
  std::vector<std::string> lines;
  for (const auto& [k, e] : entries) {
    csv += e.csv + "\n";
    jsonl += e.json + "\n";
    lines.push_back(e.json);
  }
  write_file(d / "runs.csv", csv);
  write_file(d / "runs.jsonl", jsonl);
  write_file(d / "summary.csv", sweep_summary_csv(lines));
}

}  // namespace mpsim::cli
