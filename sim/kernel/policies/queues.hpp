#pragma once
// Ready-queue building blocks shared by the policies.
#include <algorithm>
#include <deque>
#include <functional>
#include <vector>

#include "mpsim/kernel/process.hpp"
#include "mpsim/kernel/ring.hpp"

namespace mpsim::policies {

/// FIFO queue with affinity: pick_next takes the first process allowed on the
/// core, so with no affinity every operation is O(1).
class FifoQueue {
 public:
  void push(Process& p, bool front) { front ? q_.push_front(&p) : q_.push_back(&p); }
  void remove(Process& p) {
    if (!q_.empty() && q_.front() == &p) return q_.pop_front();
    if (!q_.empty() && q_.back() == &p) return q_.pop_back();
    auto it = std::find(q_.begin(), q_.end(), &p);
    if (it != q_.end()) q_.erase(it);
  }
  Process* pop_for(CoreId core) {
    if (q_.empty()) return nullptr;
    if (Process* head = q_.front(); head->can_run_on(core)) {  // the usual case: no affinity
      q_.pop_front();
      // The ninth in line is dispatched soon: start its cache misses now, so
      // that they overlap with the work of the next eight dispatches. In a
      // run of 10^5 processes each dispatch would otherwise wait for memory
      // (bursts 10^5x10: 520 ms without, 310 ms with; 8 ahead measured
      // better than 2 or 4 at 5x10^5). Fewer ready processes than
      // kPrefetchFrom stay in a 2 MB L2, and prefetching them only costs.
      if (q_.size() > kPrefetchFrom) q_[8]->prefetch();
      return head;
    }
    for (auto it = q_.begin() + 1; it != q_.end(); ++it) {
      if ((*it)->can_run_on(core)) {
        Process* p = *it;
        q_.erase(it);
        return p;
      }
    }
    return nullptr;
  }
  [[nodiscard]] bool has_for(CoreId core) const {
    if (q_.empty()) return false;
    if (q_.front()->can_run_on(core)) return true;
    return std::any_of(q_.begin(), q_.end(), [&](const Process* p) { return p->can_run_on(core); });
  }
  bool visit(const std::function<bool(Process&)>& f) {
    for (Process* p : q_)
      if (!f(*p)) return false;
    return true;
  }
  [[nodiscard]] bool empty() const { return q_.empty(); }
  [[nodiscard]] std::size_t size() const { return q_.size(); }
  Ring<Process*>& items() { return q_; }

 private:
  static constexpr std::size_t kPrefetchFrom = 2048;  // about 2 MB of processes
  Ring<Process*> q_;
};

/// An unordered ready set searched for the best process by a policy's ordering;
/// for policies whose order changes with time (aging) or per process (SJF).
/// A process pushed to the `front` (io_completion "preempt") is urgent at the
/// boundary it woke at (while `woke_from_io`): it comes before every other,
/// whatever the ordering says, the latest pushed first as in a FIFO's front.
class ScanQueue {
 public:
  using Better = std::function<bool(const Process&, const Process&)>;
  void push(Process& p, bool front) {
    v_.push_back(&p);
    if (front) urgent_.insert(urgent_.begin(), &p);
  }
  void remove(Process& p) {
    erase(v_, &p);
    erase(urgent_, &p);
  }
  Process* pop_for(CoreId core, const Better& better) {
    for (Process* p : urgent_) {
      if (!p->woke_from_io || !p->can_run_on(core)) continue;
      remove(*p);
      return p;
    }
    auto best = v_.end();
    for (auto it = v_.begin(); it != v_.end(); ++it)
      if ((*it)->can_run_on(core) && (best == v_.end() || better(**it, **best))) best = it;
    if (best == v_.end()) return nullptr;
    Process* p = *best;
    remove(*p);  // from urgent_ too: a stale entry would hand it out twice
    return p;
  }
  [[nodiscard]] bool has_for(CoreId core) const {
    return std::any_of(v_.begin(), v_.end(), [&](const Process* p) { return p->can_run_on(core); });
  }
  bool visit_sorted(const Better& better, const std::function<bool(Process&)>& f) {
    std::vector<Process*> sorted;
    for (Process* p : urgent_)
      if (p->woke_from_io) sorted.push_back(p);
    auto first = static_cast<std::ptrdiff_t>(sorted.size());
    for (Process* p : v_)
      if (std::find(sorted.begin(), sorted.end(), p) == sorted.end()) sorted.push_back(p);
    std::stable_sort(sorted.begin() + first, sorted.end(),
                     [&](const Process* a, const Process* b) { return better(*a, *b); });
    for (Process* p : sorted)
      if (!f(*p)) return false;
    return true;
  }
  /// Every ready process (urgent ones included), in no particular order.
  [[nodiscard]] const std::vector<Process*>& items() const { return v_; }

 private:
  static void erase(std::vector<Process*>& v, Process* p) {
    auto it = std::find(v.begin(), v.end(), p);
    if (it != v.end()) v.erase(it);
  }
  std::vector<Process*> v_;
  std::vector<Process*> urgent_;  ///< pushed to the front, latest first (urgent while woke_from_io)
};

/// FIFO order of entry into the ready queue: the tie-breaker of every policy.
inline bool earlier_in_queue(const Process& a, const Process& b) { return a.ready_seq < b.ready_seq; }

/// The predicted length of `p`'s next CPU burst (SJF/SRTF): what is left of the
/// compute it is in, else the next compute found by following its program from
/// its current position without running anything (see docs/semantics.md).
Tick predicted_burst(const Process& p);

}  // namespace mpsim::policies
