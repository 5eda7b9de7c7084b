// The run's shared event ring and text store (shared.hpp): how every
// scenario process, and the runner, records an event, stores a text (a
// print, an error) and logs an exit once. Free functions on the shared
// region, used by all of sim/os/, hence their own file.
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include "os/shared.hpp"

namespace mpsim::os::detail {

std::int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void record(Shared& sh, std::int32_t pid, EventKind kind, int a, std::int32_t b,
            std::int16_t object, std::int64_t at_ns) {
  std::int64_t ns = at_ns > 0 ? at_ns : mono_ns();
  sh.last_activity_ns.store(ns);
  std::uint32_t i = sh.ring_head.fetch_add(1);
  if (i >= kRingSize) return;  // full: counted by the runner as dropped
  RawEvent& e = sh.ring[i];
  e.ns = ns;
  e.pid = pid;
  e.object = object;
  e.kind = static_cast<std::uint8_t>(kind);
  e.a = static_cast<std::uint8_t>(a);
  e.b = b;
  e.valid.store(1, std::memory_order_release);
}

std::int32_t store_text(Shared& sh, std::int32_t pid, bool error, const std::string& text) {
  std::uint32_t i = sh.text_count.fetch_add(1);
  if (i >= kMaxTexts) return -1;
  std::uint32_t len = static_cast<std::uint32_t>(std::min<std::size_t>(text.size(), 4096));
  std::uint32_t off = sh.text_bytes.fetch_add(len);
  if (off + len > kTextBytes) len = 0;
  if (len) std::memcpy(sh.text_data + off, text.data(), len);
  sh.texts[i] = Text{pid, error ? 1 : 0, mono_ns(), off, len};
  return static_cast<std::int32_t>(i);
}

void note_exit(Shared& sh, std::int32_t pid, std::int64_t ns, std::int64_t code) {
  Slot& s = sh.slots[pid];
  std::int32_t expected = 0;
  if (!s.exit_logged.compare_exchange_strong(expected, 1)) return;
  s.finish_ns = ns;
  if (!s.self_exit.load()) s.exit_code = code;
  record(sh, pid, EventKind::State, static_cast<int>(ProcState::Zombie), 0);
}

}  // namespace mpsim::os::detail
