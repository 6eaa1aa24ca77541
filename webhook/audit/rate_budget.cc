#include "audit/rate_budget.h"

#include <algorithm>
#include <cmath>

namespace pullguard::audit {

RateBudget::RateBudget(double per_second, double burst, Clock::time_point now)
    : rate_(per_second > 0 ? per_second : 1), burst_(burst >= 1 ? burst : 1), balance_(burst_), last_(now) {}

void RateBudget::RefillLocked(Clock::time_point now) {
  if (now <= last_) return;
  double seconds = std::chrono::duration<double>(now - last_).count();
  balance_ = std::min(burst_, balance_ + seconds * rate_);
  last_ = now;
}

void RateBudget::Sync(uint64_t total, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  RefillLocked(now);
  if (total > seen_) {
    balance_ -= static_cast<double>(total - seen_);
    seen_ = total;
  }
}

RateBudget::Clock::duration RateBudget::WaitFor(Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  RefillLocked(now);
  if (balance_ >= 0) return Clock::duration::zero();
  double seconds = -balance_ / rate_;
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)) + std::chrono::microseconds(1);
}

}  // namespace pullguard::audit
