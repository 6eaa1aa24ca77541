// RateBudget: the audit's total rate of registry checks (policy audit.checksPerSecond), as a
// token bucket that may go into debt. Checks are counted after they start (a workload's check
// makes as many as it has images not yet in the cycle's cache, which is not known before),
// and the next workload waits until the debt is paid at `rate` per second. Over any stretch
// of time at most rate * seconds + burst checks start, plus what the workloads being checked
// at that moment start.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace pullguard::audit {

class RateBudget {
 public:
  using Clock = std::chrono::steady_clock;

  // REQUIRES: per_second > 0, burst >= 1.
  RateBudget(double per_second, double burst, Clock::time_point now);

  // `total` checks were made since the budget began (a counter: CycleProber::probes()).
  void Sync(uint64_t total, Clock::time_point now);
  // How long from `now` until the balance is no longer negative (zero: go now).
  Clock::duration WaitFor(Clock::time_point now);

 private:
  void RefillLocked(Clock::time_point now);

  std::mutex mutex_;
  const double rate_;
  const double burst_;
  double balance_;
  uint64_t seen_ = 0;
  Clock::time_point last_;
};

}  // namespace pullguard::audit
