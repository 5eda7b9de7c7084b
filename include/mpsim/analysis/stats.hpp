#pragma once
/// Means and 95 % confidence intervals over repetitions (docs/sweeps.md).
#include <vector>

namespace mpsim {

/// t(0.975, df) from a fixed table: df 1..30 exactly, then the entry of the
/// largest tabulated df not above it (40: 2.021, 60: 2.000, 120: 1.980).
/// Rounding df down makes the interval wider, never narrower.
double t975(int df);

struct MeanCi {
  double mean = 0;
  double half = 0;  ///< half-width: t975(n-1) * s / sqrt(n); 0 when n < 2
  std::size_t n = 0;
};

/// Mean and 95 % half-width of `v`, summed in the given order (s is the
/// sample standard deviation, with n - 1). Empty `v` gives n = 0.
MeanCi mean_ci(const std::vector<double>& v);

}  // namespace mpsim
