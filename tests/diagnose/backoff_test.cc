// The kubelet's image pull back-off (diagnose/backoff.h): 10 s doubling to 300 s, starting over
// after 600 s without a failure, as pkg/kubelet/kubelet.go and client-go's flowcontrol.Backoff.
#include <catch2/catch.hpp>
#include <climits>
#include <vector>

#include "diagnose/backoff.h"

namespace pullguard::diagnose {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::system_clock;

const Clock::time_point kT0{seconds(1714564800)};  // 2024-05-01T12:00:00Z

Clock::time_point At(long long s) { return kT0 + seconds(s); }

TEST_CASE("the wait after N failures doubles from 10 s to 300 s") {
  struct Case {
    int failures;
    long long wait;
  };
  const Case cases[] = {{INT_MIN, 0}, {-1, 0}, {0, 0},     {1, 10},    {2, 20},    {3, 40},
                        {4, 80},      {5, 160}, {6, 300}, {7, 300}, {100, 300}, {INT_MAX, 300}};
  for (const Case& c : cases) {
    INFO(c.failures << " failures");
    CHECK(BackOffAfter(c.failures) == seconds(c.wait));
  }
}

TEST_CASE("the next pull comes one back-off after the last failure") {
  struct Case {
    const char* name;
    std::vector<long long> failures;  // seconds after kT0
    long long next;                   // seconds after kT0
  };
  const Case cases[] = {
      {"one failure", {0}, 10},
      {"each try as early as the kubelet may", {0, 10, 30, 70}, 70 + 80},
      {"each try at the pod worker's slowest re-sync", {0, 15, 40, 85}, 85 + 80},
      {"any order", {70, 0, 30, 10}, 70 + 80},
      // The `Failed to pull image` event and its `Error: ErrImagePull` twin are one failure.
      {"a failure reported twice", {0, 1}, 10},
      {"every failure reported twice", {0, 1, 12, 13, 35, 36}, 35 + 40},
      {"capped at 300 s", {0, 10, 30, 70, 150, 310, 610, 910}, 910 + 300},
      // More than 600 s after the previous failure the kubelet starts over at 10 s.
      {"a pause longer than 600 s starts over", {0, 10, 611}, 611 + 10},
      {"a pause of exactly 600 s does not", {0, 10, 610}, 610 + 40},
      {"the count after a restart of the sequence", {0, 10, 700, 710, 730}, 730 + 40},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    std::vector<Clock::time_point> times;
    for (long long s : c.failures) times.push_back(At(s));
    auto next = NextPullAttempt(times);
    REQUIRE(next.has_value());
    CHECK(*next == At(c.next));
  }
}

TEST_CASE("no failure, no estimate") { CHECK_FALSE(NextPullAttempt({}).has_value()); }

TEST_CASE("an aggregated event gives the count and the last time") {
  CHECK(NextPullAttemptAfter(1, At(0)) == At(10));
  CHECK(NextPullAttemptAfter(5, At(100)) == At(260));
  CHECK(NextPullAttemptAfter(40, At(100)) == At(400));
  CHECK(NextPullAttemptAfter(0, At(100)) == At(100));
}

}  // namespace
}  // namespace pullguard::diagnose
