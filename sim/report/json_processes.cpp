#include "report/json_processes.hpp"

#include <charconv>
#include <cstring>

#include <nlohmann/json.hpp>

namespace mpsim::detail {

namespace {

// The text goes straight into a buffer sized for the worst case: appending
// field by field to a std::string (a capacity check, a strlen and a
// std::to_string temporary per field) cost about 13 k instructions a process.
// Keys, indentation and separators are literals, copied by fixed-size memcpy.

template <std::size_t N>
char* put(char* at, const char (&literal)[N]) {
  std::memcpy(at, literal, N - 1);
  return at + N - 1;
}

char* put_int(char* at, std::int64_t v) {
  if (static_cast<std::uint64_t>(v) < 10) {  // most blocked-time counters are 0
    *at = static_cast<char>('0' + v);
    return at + 1;
  }
  return std::to_chars(at, at + 20, v).ptr;
}

char* put_opt(char* at, std::int64_t v, bool present) {
  return present ? put_int(at, v) : put(at, "null");
}

char* put_bool(char* at, bool v) {
  return v ? put(at, "true") : put(at, "false");
}

// Bytes a string may take: nlohmann writes at most 6 per byte (\u00XX), plus quotes.
std::size_t string_bound(std::size_t bytes) {
  return 6 * bytes + 2;
}

// Printable ASCII other than '"' and '\\' is written as it is by nlohmann's
// dump (no ensure_ascii): copy it. Anything else goes through nlohmann, so
// that escaping, and its refusal of invalid UTF-8, stay exactly the library's.
bool plain(std::string_view s) {
  bool ok = true;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    ok &= c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  }
  return ok;
}

char* put_str(char* at, std::string_view s) {
  if (!plain(s)) {
    std::string dumped = nlohmann::ordered_json(std::string(s)).dump();
    std::memcpy(at, dumped.data(), dumped.size());
    return at + dumped.size();
  }
  *at++ = '"';
  std::memcpy(at, s.data(), s.size());
  at += s.size();
  *at++ = '"';
  return at;
}

// One element of the array, from its leading separator to its closing brace,
// keys in the order of docs/json-output.md.
char* put_process(char* at, const ProcessResult& p, bool first, bool migrations) {
  bool done = p.finish >= 0;
  at = first ? put(at, "\n    {") : put(at, ",\n    {");
  at = put_int(put(at, "\n      \"pid\": "), p.pid);
  at = put_str(put(at, ",\n      \"name\": "), p.name);
  at = put_str(put(at, ",\n      \"program\": "), p.program);
  at = put_int(put(at, ",\n      \"parent\": "), p.parent);
  at = put_int(put(at, ",\n      \"original_parent\": "), p.original_parent);
  at = put_bool(put(at, ",\n      \"daemon\": "), p.daemon);
  at = put_bool(put(at, ",\n      \"started\": "), p.started);
  at = put_str(put(at, ",\n      \"state\": "), to_string(p.state));
  at = put_opt(put(at, ",\n      \"exit_code\": "), p.exit_code, done);
  at = put(at, ",\n      \"error\": ");
  at = p.error.empty() ? put(at, "null") : put_str(at, p.error);
  at = put_opt(put(at, ",\n      \"arrival\": "), p.arrival, p.arrival >= 0);
  at = put_opt(put(at, ",\n      \"first_run\": "), p.first_run, p.first_run >= 0);
  at = put_opt(put(at, ",\n      \"finish\": "), p.finish, p.finish >= 0);
  at = put_opt(put(at, ",\n      \"turnaround\": "), p.turnaround(), done);
  at = put_opt(put(at, ",\n      \"response\": "), p.response(), p.response() >= 0);
  at = put_int(put(at, ",\n      \"wait\": "), p.wait);
  at = put_int(put(at, ",\n      \"cpu\": "), p.cpu);
  at = put_int(put(at, ",\n      \"blocked\": {\n        \"io\": "), p.blocked_io);
  at = put_int(put(at, ",\n        \"sleep\": "), p.blocked_sleep);
  at = put_int(put(at, ",\n        \"join\": "), p.blocked_join);
  at = put_int(put(at, ",\n        \"lock\": "), p.blocked_lock);
  at = put_int(put(at, ",\n        \"semaphore\": "), p.blocked_semaphore);
  at = put_int(put(at, ",\n        \"event\": "), p.blocked_event);
  at = put_int(put(at, ",\n        \"barrier\": "), p.blocked_barrier);
  at = put_int(put(at, ",\n        \"condition\": "), p.blocked_condition);
  at = put_int(put(at, ",\n        \"queue\": "), p.blocked_queue);
  at = put_int(put(at, "\n      },\n      \"voluntary_switches\": "), p.voluntary_switches);
  at = put_int(put(at, ",\n      \"involuntary_switches\": "), p.involuntary_switches);
  at = put_opt(put(at, ",\n      \"reaped_at\": "), p.reaped_at, p.reaped_at >= 0);
  at = put_opt(put(at, ",\n      \"reaped_by\": "), p.reaped_by, p.reaped_by != kNoPid);
  at = put_opt(put(at, ",\n      \"orphaned_at\": "), p.orphaned_at, p.orphaned_at >= 0);
  if (migrations)
    at = put_int(put(at, ",\n      \"migrations\": "), p.migrations);  // per-core queues only
  return put(at, "\n    }");
}

// Above what put_process writes besides its strings: 30-odd keys with their
// indentation (under 900 bytes) and numbers of at most 20 characters.
constexpr std::size_t kFixedBound = 2048;

std::size_t process_bound(const ProcessResult& p) {
  return kFixedBound + string_bound(p.name.size()) + string_bound(p.program.size()) +
         string_bound(p.error.size()) + string_bound(std::strlen(to_string(p.state)));
}

}  // namespace

void check_processes_json(const std::vector<ProcessResult>& processes) {
  for (const ProcessResult& p : processes)
    for (const std::string* s : {&p.name, &p.program, &p.error})
      if (!plain(*s)) (void)nlohmann::ordered_json(*s).dump();  // throws where put_str would
}

void write_processes_json(const std::vector<ProcessResult>& processes, bool migrations,
                          const std::function<void(std::string_view)>& sink) {
  if (processes.empty()) {
    sink("[]");
    return;
  }
  // Processes are written into one chunk, handed on whenever the next one
  // might not fit: a fixed buffer however many processes there are. Writing
  // straight into a std::string would need a resize, which fills the whole
  // worst case with zeros first.
  constexpr std::size_t kClosing = 4;  // "\n  ]"
  std::string chunk(kChunkBytes, '\0');
  char* at = put(chunk.data(), "[");
  auto room = [&] { return chunk.size() - static_cast<std::size_t>(at - chunk.data()); };
  auto flush = [&] {
    sink(std::string_view(chunk.data(), static_cast<std::size_t>(at - chunk.data())));
    at = chunk.data();
  };
  for (std::size_t i = 0; i < processes.size(); ++i) {
    const ProcessResult& p = processes[i];
    std::size_t bound = process_bound(p) + kClosing;
    if (room() < bound) flush();
    if (chunk.size() < bound) {  // strings longer than a chunk: one process alone
      chunk.resize(bound);
      at = chunk.data();
    }
    at = put_process(at, p, i == 0, migrations);
  }
  at = put(at, "\n  ]");
  flush();
}

void append_processes_json(std::string& out, const std::vector<ProcessResult>& processes,
                           bool migrations) {
  write_processes_json(processes, migrations, [&out](std::string_view s) { out.append(s); });
}

std::size_t processes_json_bound(const std::vector<ProcessResult>& processes) {
  std::size_t bound = 1 + 4;  // "[" and "\n  ]"
  for (const ProcessResult& p : processes) bound += process_bound(p);
  return bound;
}

}  // namespace mpsim::detail
