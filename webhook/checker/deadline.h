// When a caller stops waiting for its registry answers: the API server's ?timeout= (10 s when
// absent, as the API server's own default) counted from the request's arrival, less the
// policy's margin, never more than the policy's wait budget, never less than a floor that
// still lets cached answers through. One policy snapshot gives every number.
// Thread-safety: pure function.
#pragma once

#include <chrono>
#include <optional>

#include "policy/policy.h"

namespace pullguard::checker {

struct ReviewTiming {
  std::chrono::steady_clock::time_point arrived;        // when the request's first byte came
  std::optional<std::chrono::milliseconds> api_timeout;  // ?timeout=, when the caller gave one
};

inline constexpr std::chrono::milliseconds kApiServerDefaultTimeout{10000};
inline constexpr std::chrono::milliseconds kMinimumWait{100};

std::chrono::steady_clock::time_point AnswerDeadline(const ReviewTiming& timing, const policy::Policy& policy);

}  // namespace pullguard::checker
