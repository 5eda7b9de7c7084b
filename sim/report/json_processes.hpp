#pragma once
// Private to report/: the "processes" array of the JSON result written as
// text directly, byte for byte as nlohmann's dump(2) writes it at that
// depth. Building one ordered_json object per process and dumping it cost
// about 120 k instructions a process, half of a 1000-process `mpsim run
// --format json` (callgrind); this costs a few thousand.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "mpsim/model/result.hpp"

namespace mpsim::detail {

/// Appends the array as it stands after `"processes": ` in the top-level
/// object ("[]" when empty; elements indented by 4, their keys by 6); with
/// `migrations` (per-core queues) each process also gets its migration
/// count, last.
void append_processes_json(std::string& out, const std::vector<ProcessResult>& processes,
                           bool migrations);
/// The same text handed to `sink` in pieces of at most kChunkBytes (more
/// only for a process whose strings alone are longer).
void write_processes_json(const std::vector<ProcessResult>& processes, bool migrations,
                          const std::function<void(std::string_view)>& sink);
inline constexpr std::size_t kChunkBytes = 64 * 1024;
/// Throws what writing these processes would throw (nlohmann::json::type_error
/// for a string that is not UTF-8), having written nothing: a stream can then
/// be all or nothing.
void check_processes_json(const std::vector<ProcessResult>& processes);
/// At least the bytes append_processes_json writes (for a reserve).
std::size_t processes_json_bound(const std::vector<ProcessResult>& processes);

}  // namespace mpsim::detail
