// Confidence intervals with a fixed t table, so the summary of a sweep has
// the same bytes on every machine (no library quantile function).
#include "mpsim/analysis/stats.hpp"

#include <cmath>

namespace mpsim {

double t975(int df) {
  static const double kTable[30] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                                    2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                                    2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                                    2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  if (df < 1) return 0;
  if (df <= 30) return kTable[df - 1];
  if (df < 40) return 2.042;
  if (df < 60) return 2.021;
  if (df < 120) return 2.000;
  return 1.980;
}

MeanCi mean_ci(const std::vector<double>& v) {
  MeanCi r;
  r.n = v.size();
  if (v.empty()) return r;
  double sum = 0;
  for (double x : v) sum += x;
  r.mean = sum / static_cast<double>(r.n);
  if (r.n < 2) return r;
  double sq = 0;
  for (double x : v) sq += (x - r.mean) * (x - r.mean);
  double s = std::sqrt(sq / static_cast<double>(r.n - 1));
  r.half = t975(static_cast<int>(r.n - 1)) * s / std::sqrt(static_cast<double>(r.n));
  return r;
}

}  // namespace mpsim
