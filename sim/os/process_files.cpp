// A scenario's shared JSON files in real mode (docs/real-os.md): the
// RealRuntime members that read and write one key of a file in the run
// folder, with the same lost-update window as Python's json.load/json.dump,
// and put a new version in place at once. Its own file: file access is one
// concept, separate from the process's life (process.cpp).
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "os/real_runtime.hpp"

namespace mpsim::os::detail {

namespace {

Value from_json(const nlohmann::json& j) {
  if (j.is_boolean()) return Value{j.get<bool>()};
  if (j.is_number_integer()) return Value{j.get<std::int64_t>()};
  if (j.is_string()) return Value{j.get<std::string>()};
  throw RuntimeError("unexpected JSON value " + j.dump());
}

nlohmann::json to_json(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  return std::get<std::string>(v);
}

}  // namespace

std::optional<Value> RealRuntime::read_key(Process& p, const std::string& object) {
  auto [file, key] = split(object);
  nlohmann::json doc = load(file);
  record(sh_, p.pid, EventKind::Sync, static_cast<int>(SyncOp::Read), 0, key_index(object));
  if (!doc.is_object() || !doc.contains(key)) return std::nullopt;
  return from_json(doc[key]);
}

void RealRuntime::write_key(Process& p, const std::string& object, Value v) {
  auto [file, key] = split(object);
  // A shared value or array (semantics.md §14) is separate memory per
  // element in Python: stores to different elements never undo each other.
  // Its file is rewritten whole, so the rewrite is done under the run's
  // guard mutex; a plain file keeps json.load/json.dump's window.
  std::optional<RunGuard> element_store;
  if (setup_.scenario->shared.contains(file)) element_store.emplace(sh_);
  // Read the whole file, change one key, write it whole: the same window
  // for lost updates as the seed's Python (json.load, then json.dump).
  nlohmann::json doc = load(file);
  doc[key] = to_json(v);
  std::string path = setup_.folder + "/" + file + ".json";
  std::string tmp = setup_.folder + "/." + file + "." + std::to_string(getpid()) + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << doc.dump();
    out.close();  // a full disk shows only when the buffer is flushed
    if (!out) {
      std::string why = std::strerror(errno);
      ::unlink(tmp.c_str());  // the old file stays whole: never half-written
      throw RuntimeError("write of " + object + ": cannot write " + tmp + " (" + why + ")");
    }
  }
  replace_file(tmp, path, object);
  record(sh_, p.pid, EventKind::Sync, static_cast<int>(SyncOp::Write), 0, key_index(object));
}

std::pair<std::string, std::string> RealRuntime::split(const std::string& object) {
  auto dot = object.find('.');
  return {object.substr(0, dot), object.substr(dot + 1)};
}

// Puts the freshly written `tmp` in place of `path` at once: a reader sees
// the old or the new content, never half. Not rename() over the old file:
// on ext4 that starts writeback of the new file at once (auto_da_alloc),
// and the next write's rename then frees that inode, which has to wait for
// the writeback to complete and for the freed blocks' discard. The kernel
// work that completes them can be queued on the CPU of a SCHED_FIFO process
// in a compute burst and wait until the burst ends (docs/real-os.md, "Not
// done yet"). Swapping the two names and unlinking the old content under
// the temporary name starts no writeback: the file stays in the page
// cache, and freeing it needs no IO.
void RealRuntime::replace_file(const std::string& tmp, const std::string& path,
                               const std::string& object) {
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) == 0) {
    ::unlink(tmp.c_str());
    return;
  }
  // A file system without RENAME_EXCHANGE: rename, atomic as well.
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    throw RuntimeError("write of " + object + ": " + std::strerror(errno));
}

nlohmann::json RealRuntime::load(const std::string& file) {
  std::ifstream in(setup_.folder + "/" + file + ".json");
  if (!in) throw RuntimeError("cannot open file " + file);
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded()) throw RuntimeError("file " + file + " does not hold valid JSON");
  return doc;
}

std::int16_t RealRuntime::key_index(const std::string& object) {
  auto it = std::find(setup_.keys.begin(), setup_.keys.end(), object);
  return static_cast<std::int16_t>(it - setup_.keys.begin());
}

}  // namespace mpsim::os::detail
