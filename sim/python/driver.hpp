#pragma once
// Private to sim/python: the ExternalDriver that turns the messages of real
// Python processes into the kernel's operations (docs/python.md, "Protocol").
#include <deque>
#include <functional>
#include <map>
#include <string>

#include "mpsim/kernel/external.hpp"
#include "mpsim/python/py_run.hpp"
#include "python/channel.hpp"
#include "python/pool_metrics.hpp"

namespace mpsim::python::detail {

class Driver final : public ExternalDriver {
 public:
  /// `accept_child` waits for the next Python process to connect and returns
  /// its channel (its hello already read).
  Driver(std::function<Channel()> accept_child, Clock::time_point deadline, std::int64_t tick_us)
      : accept_child_(std::move(accept_child)), deadline_(deadline), tick_us_(tick_us) {}

  /// The main process's channel, before the run.
  void adopt(Pid pid, Channel c);
  void next(ExternalHost& host, Process& p) override;
  /// The pools the program's processes reported (pool_report messages).
  [[nodiscard]] const PoolMetrics& pools() const { return pools_; }

 private:
  /// What the process waits to be told once its operations have run.
  enum class Await : std::uint8_t { Nothing, Ack, Hello, Result, Spawn, Get, PutOk };
  struct Peer {
    Channel channel;
    Await await = Await::Nothing;
    nlohmann::json pending;  ///< a message whose preceding compute runs first
  };

  /// Handles one message (its compute already charged): true when it gave
  /// the process operations to run, false when it was answered at once.
  bool handle(ExternalHost& host, Process& p, Peer& peer, const nlohmann::json& m);
  void answer(ExternalHost& host, Peer& peer, nlohmann::json r);
  void run(Process& p, std::vector<Instr> code);
  std::int32_t declare(ExternalHost& host, const nlohmann::json& m);

  std::function<Channel()> accept_child_;
  Clock::time_point deadline_;
  std::int64_t tick_us_;
  std::map<Pid, Peer> peers_;
  Channel spawned_;               ///< the child whose spawn is in progress
  std::deque<Program> programs_;  ///< every program handed out (the kernel keeps pointers)
  std::map<std::string, int> object_names_;
  std::map<std::int32_t, std::string> object_by_id_;
  /// multiprocessing.Value: name (its race-detector key) and current value.
  std::vector<std::pair<std::string, nlohmann::json>> values_;
  PoolMetrics pools_;
};

}  // namespace mpsim::python::detail
