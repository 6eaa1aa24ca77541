#include "checker/deadline.h"

#include <algorithm>

namespace pullguard::checker {

std::chrono::steady_clock::time_point AnswerDeadline(const ReviewTiming& timing, const policy::Policy& policy) {
  std::chrono::milliseconds budget = timing.api_timeout.value_or(kApiServerDefaultTimeout) - policy.timeouts.margin;
  budget = std::min(budget, policy.timeouts.wait);
  return timing.arrived + std::max(budget, kMinimumWait);
}

}  // namespace pullguard::checker
