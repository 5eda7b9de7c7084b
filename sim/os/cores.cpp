// Real mode on several cores (docs/real-os.md): where each process ran, as
// the processes saw it themselves (core_tracking.cpp, RealRuntime::track), and the
// mapping of lottery and stride tickets to CFS weights.
#include <cmath>
#include <iomanip>
#include <sstream>

#include "mpsim/os/real_run.hpp"

namespace mpsim::os {

namespace {

// Linux's sched_prio_to_weight for nice 0..19 (kernel/sched/core.c).
constexpr std::int64_t kWeight[20] = {1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
                                      110,  87,  70,  56,  45,  36,  29,  23,  18,  15};

}  // namespace

int ticket_nice(std::int64_t tickets, std::int64_t max_tickets) {
  if (tickets <= 0 || max_tickets <= tickets) return 0;
  double want = std::log(static_cast<double>(max_tickets) / static_cast<double>(tickets));
  int best = 0;
  double best_gap = want;
  for (int n = 1; n < 20; ++n) {
    double gap = std::abs(
        std::log(static_cast<double>(kWeight[0]) / static_cast<double>(kWeight[n])) - want);
    if (gap < best_gap) {
      best = n;
      best_gap = gap;
    }
  }
  return best;
}

std::string format_real_cores(const RealInfo& i, const RunResult& r) {
  if (r.cores.size() < 2) return "";
  std::ostringstream out;
  out << "cores     where each process ran (it looks at its CPU at every operation, wake-up and "
         "turn of its compute loop)\n";
  out << "          migrations " << i.migrations.size();
  std::size_t shown = 0;
  for (const auto& m : i.migrations) {
    if (shown++ == 20) {
      out << "; ... (" << i.migrations.size() - 20 << " more in the JSON)";
      break;
    }
    out << (shown == 1 ? ": " : "; ") << "tick " << m.tick << " " << r.name_of(m.pid) << " core "
        << m.from << " -> " << m.to;
  }
  out << "\n          busy      ";
  for (std::size_t k = 0; k < i.core_busy_us.size(); ++k)
    out << (k ? "  " : "") << "core" << k << " " << std::fixed << std::setprecision(3)
        << static_cast<double>(i.core_busy_us[k]) / 1000.0 << " ms";
  out << " (the scenario's processes' CPU time on each core)\n";
  return out.str();
}

}  // namespace mpsim::os
