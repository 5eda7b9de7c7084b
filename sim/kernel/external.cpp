// The kernel's side of externally driven programs (mpsim/kernel/external.hpp):
// objects declared while the run goes on, and shared-state accesses the
// driver reports for the race detector.
#include "kernel/kernel.hpp"

namespace mpsim::detail {

std::int32_t Kernel::add_object(const SyncObject& o) {
  if (o.kind == SyncKind::Condition &&
      (o.lock < 0 || o.lock >= static_cast<std::int32_t>(sync_.size())))
    throw std::invalid_argument("condition `" + o.name + "` names no lock");
  const SyncObject& spec = added_objects_.emplace_back(o);
  SyncState st;
  st.spec = &spec;
  if (o.kind == SyncKind::Semaphore) st.count = o.value;
  sync_.push_back(std::move(st));
  result_.objects.push_back(std::string(to_string(o.kind)) + " " + o.name);
  return static_cast<std::int32_t>(sync_.size() - 1);
}

void Kernel::shared_access(const Process& p, const std::string& key, bool write) {
  log_sync(p, write ? SyncOp::Write : SyncOp::Read, key_id(key));
}

}  // namespace mpsim::detail
