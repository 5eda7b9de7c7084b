#pragma once
/// Scheduling policies: a small table of hooks in the spirit of Linux's
/// sched_class. A policy owns the ready queue; the machine owns everything else.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mpsim/kernel/process.hpp"
#include "mpsim/kernel/ring.hpp"
#include "mpsim/model/scenario.hpp"

namespace mpsim {

class Policy {
 public:
  virtual ~Policy() = default;
  /// `p` became ready. `front` asks to queue it ahead of everyone (io_completion preempt).
  virtual void enqueue(Process& p, Tick now, bool front) = 0;
  /// `p` leaves the ready queue without being picked (terminated, killed).
  virtual void dequeue(Process& p) = 0;
  /// Removes and returns the next process for `core`, or nullptr.
  [[nodiscard]] virtual Process* pick_next(CoreId core, Tick now) = 0;
  /// `p`, taken from another instance's queue (per-core stealing), now runs
  /// on `core`: policies that track their running processes take it on as if
  /// they had picked it.
  virtual void adopt(Process& p, CoreId core, Tick now) { (void)p, (void)core, (void)now; }
  /// Is there a ready process that could run on `core`?
  [[nodiscard]] virtual bool has_ready_for(CoreId core) const = 0;
  /// Visits ready processes in the order pick_next would take them, until `visit` says stop.
  virtual void for_each_ready(const std::function<bool(Process&)>& visit) = 0;
  /// Strictly prefers running `a` over `b` (for preemption and victim choice).
  [[nodiscard]] virtual bool prefers(const Process& a, const Process& b, Tick now) const = 0;
  /// True when prefers() is false for every pair (FIFO policies), so the
  /// machine need not visit the ready queue to ask it.
  [[nodiscard]] virtual bool ranks_all_equal() const { return false; }
  /// Does the policy take cores from running processes for better ready ones?
  [[nodiscard]] virtual bool preemptive() const = 0;
  /// Ticks the running process `p` may still run before its slice ends (kNever: no slicing).
  [[nodiscard]] virtual Tick slice_left(const Process& p) const = 0;
  /// The slice every process gets, when slice_left(p) is always that minus
  /// p.quantum_used (rr); 0 otherwise. The machine then computes it itself
  /// instead of asking at every boundary.
  [[nodiscard]] virtual Tick fixed_quantum() const { return 0; }
  /// False when on_ran, on_slice_end, next_event and on_boundary are the
  /// defaults below, which do nothing: the machine then skips the calls.
  [[nodiscard]] virtual bool keeps_time() const { return true; }
  /// `p` ran `ticks` ticks of compute.
  virtual void on_ran(Process& p, Tick ticks) { (void)p, (void)ticks; }
  /// The slice of running `p` ended (before the machine requeues or renews it).
  virtual void on_slice_end(Process& p) { (void)p; }
  /// True when on_slice_end does nothing, so renewing a slice in place is not
  /// an event the machine must stop at.
  [[nodiscard]] virtual bool silent_slice_end() const { return false; }
  /// Earliest tick after `now` at which the policy changes its mind by itself (aging, boost).
  [[nodiscard]] virtual Tick next_event(Tick now) const { (void)now; return kNever; }
  /// Called at each boundary before preemption checks (for boosts and aging).
  virtual void on_boundary(Tick now) { (void)now; }
  /// True when, over a fixed set of ready and running processes that only
  /// compute, the policy decides from differences alone (of slice use,
  /// virtual runtime, queue order), never from absolute ticks: the machine
  /// may then replay whole periods at once (round skipping). Such a policy
  /// implements ready_count and rekey_ready.
  [[nodiscard]] virtual bool periodic_rounds() const { return false; }
  /// Number of ready processes (policies with periodic_rounds).
  [[nodiscard]] virtual std::size_t ready_count() const { return 0; }
  /// The machine has added the same amount to policy_used, and another to
  /// ready_seq, of every ready process: bring the queue's keys up to date.
  virtual void rekey_ready() {}
  /// A policy whose ready queue is a plain FIFO that a used-up slice joins
  /// at the tail (rr) returns it: slice batching (semantics.md §5) then
  /// rotates it directly. nullptr for every other policy.
  virtual Ring<Process*>* rotation_queue() { return nullptr; }
  /// Gives the policy a way to find any process by pid (nullptr for init or
  /// none), called once before the run; for rules that look beyond the ready
  /// queue (lottery and stride ticket transfer to a joined child).
  virtual void attach(std::function<const Process*(Pid)> lookup) { (void)lookup; }
  /// One-line description with parameters, e.g. "rr (quantum 4)".
  [[nodiscard]] virtual std::string describe() const = 0;
};

enum class ParamKind { Int, Bool, IntList, Choice };

/// A parameter a policy accepts in `machine.scheduler`.
struct ParamSpec {
  std::string key;
  ParamKind kind;
  std::int64_t min;
  ParamValue default_value;
  std::string help;
  std::vector<std::string> choices = {};  ///< ParamKind::Choice: the words allowed
};

/// A registered policy: its name, parameters and factory.
struct PolicyInfo {
  std::string name;
  std::string summary;
  std::vector<ParamSpec> params;
  std::function<std::unique_ptr<Policy>(const MachineConfig&)> make;
  /// Cross-parameter checks: (parameter, message) pairs; may be empty.
  std::function<std::vector<std::pair<std::string, std::string>>(const SchedulerConfig&)> check;
};

/// Every policy, in a fixed order.
const std::vector<PolicyInfo>& policy_registry();
/// The policy called `name`, or nullptr.
const PolicyInfo* find_policy(const std::string& name);
/// Reads parameter `key` (defaults are filled in by the loader).
std::int64_t param_int(const SchedulerConfig& c, const std::string& key);
bool param_bool(const SchedulerConfig& c, const std::string& key);
std::vector<std::int64_t> param_list(const SchedulerConfig& c, const std::string& key);
std::string param_choice(const SchedulerConfig& c, const std::string& key);

}  // namespace mpsim
