// The audit's total rate of registry checks (audit/rate_budget.h), on a fake clock.
#include <catch2/catch.hpp>

#include "audit/rate_budget.h"

namespace pullguard::audit {
namespace {

using std::chrono::milliseconds;
using Clock = RateBudget::Clock;

const Clock::time_point kT0{std::chrono::seconds(100)};

TEST_CASE("audit rate: a burst, then the rate") {
  RateBudget budget(10, 10, kT0);
  CHECK(budget.WaitFor(kT0) == Clock::duration::zero());
  budget.Sync(10, kT0);  // the burst spent
  CHECK(budget.WaitFor(kT0) == Clock::duration::zero());  // not in debt yet
  budget.Sync(15, kT0);  // 5 more: 0.5 s of debt
  Clock::duration wait = budget.WaitFor(kT0);
  CHECK(wait > milliseconds(499));
  CHECK(wait < milliseconds(501));
  CHECK(budget.WaitFor(kT0 + milliseconds(250)) > milliseconds(249));
  CHECK(budget.WaitFor(kT0 + milliseconds(501)) == Clock::duration::zero());
}

TEST_CASE("audit rate: checks answered from the cache cost nothing") {
  RateBudget budget(2, 2, kT0);
  budget.Sync(2, kT0);
  budget.Sync(2, kT0 + milliseconds(10));  // the same count: nothing new reached a registry
  CHECK(budget.WaitFor(kT0 + milliseconds(10)) == Clock::duration::zero());
  budget.Sync(1, kT0 + milliseconds(20));  // a counter never goes back
  CHECK(budget.WaitFor(kT0 + milliseconds(20)) == Clock::duration::zero());
}

TEST_CASE("audit rate: over a long run, no more than the rate") {
  RateBudget budget(5, 5, kT0);
  Clock::time_point now = kT0;
  uint64_t total = 0;
  // A workload of 3 uncached images whenever the budget allows.
  for (int i = 0; i < 100; ++i) {
    now += budget.WaitFor(now);
    total += 3;
    budget.Sync(total, now);
  }
  double seconds = std::chrono::duration<double>(now - kT0).count();
  CHECK(static_cast<double>(total) <= 5 * seconds + 5 + 3);
  CHECK(static_cast<double>(total) >= 5 * seconds);
}

TEST_CASE("audit rate: an idle budget fills to its burst, no further") {
  RateBudget budget(1, 3, kT0);
  budget.Sync(3, kT0);
  CHECK(budget.WaitFor(kT0 + std::chrono::hours(1)) == Clock::duration::zero());
  budget.Sync(7, kT0 + std::chrono::hours(1));  // 4 more than the 3 refilled: 1 s of debt
  Clock::duration wait = budget.WaitFor(kT0 + std::chrono::hours(1));
  CHECK(wait > milliseconds(999));
  CHECK(wait < milliseconds(1001));
}

}  // namespace
}  // namespace pullguard::audit
