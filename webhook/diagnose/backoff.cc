#include "diagnose/backoff.h"

#include <algorithm>

namespace pullguard::diagnose {

std::chrono::seconds BackOffAfter(int failures) {
  if (failures <= 0) return std::chrono::seconds(0);
  std::chrono::seconds wait = kInitialPullBackOff;
  for (int i = 1; i < failures && wait < kMaxPullBackOff; ++i) wait *= 2;
  return std::min(wait, kMaxPullBackOff);
}

std::optional<std::chrono::system_clock::time_point> NextPullAttempt(
    const std::vector<std::chrono::system_clock::time_point>& failure_times) {
  if (failure_times.empty()) return std::nullopt;
  std::vector<std::chrono::system_clock::time_point> times = failure_times;
  std::sort(times.begin(), times.end());
  // Count the failures since the back-off last started over. Two pulls of one image by one pod
  // are at least the initial back-off apart, so closer times are one failure reported twice.
  int run = 1;
  auto last = times.front();
  for (size_t i = 1; i < times.size(); ++i) {
    auto gap = times[i] - last;
    if (gap < kInitialPullBackOff) continue;
    run = gap > kPullBackOffReset ? 1 : run + 1;
    last = times[i];
  }
  // A duplicate report of the last failure may be up to 10 s later than the first: the kubelet
  // records the back-off when the pull fails, so keep the earliest time of that failure.
  return NextPullAttemptAfter(run, last);
}

std::chrono::system_clock::time_point NextPullAttemptAfter(int consecutive_failures,
                                                           std::chrono::system_clock::time_point last_failure) {
  return last_failure + BackOffAfter(consecutive_failures);
}

}  // namespace pullguard::diagnose
