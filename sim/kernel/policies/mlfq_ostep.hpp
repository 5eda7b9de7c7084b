#pragma once
// mlfq's "ostep" variant (mlfq_ostep.cpp): the rules of OSTEP's mlfq.py.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mpsim/kernel/policy.hpp"

namespace mpsim::policies {

struct OstepConfig {
  std::vector<Tick> quanta;                ///< per level, level 0 the top
  std::vector<std::int64_t> allot_quanta;  ///< per level, in whole quanta (mlfq.py -A)
  Tick boost = 0;                          ///< 0: never (mlfq.py -B)
  bool io_resets = false;                  ///< mlfq.py -S
  bool io_to_front = false;                ///< mlfq.py -I
};

std::unique_ptr<Policy> make_mlfq_ostep(OstepConfig c);
/// The loader's extra checks under the variant: allotments in whole quanta.
std::vector<std::pair<std::string, std::string>> check_mlfq_ostep(const SchedulerConfig& c);

}  // namespace mpsim::policies
