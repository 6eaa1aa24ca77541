// BoundedCache, the one cache: LRU bound, per-entry expiry, single flight, exceptions, metrics.
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "common/bounded_cache.h"
#include "common/metrics.h"

namespace pullguard {
namespace {

using Clock = std::chrono::steady_clock;

struct FakeClock {
  Clock::time_point now = Clock::time_point{} + std::chrono::hours(1);
};

TEST_CASE("entries expire at their own time, and the least recently used go first") {
  FakeClock clock;
  BoundedCache<int> cache("test_lru", 2, [&] { return clock.now; });
  cache.Put("a", 1, std::chrono::seconds(10));
  cache.Put("b", 2, std::chrono::seconds(100));
  CHECK(cache.Get("a") == 1);  // a is now the most recently used
  cache.Put("c", 3, std::chrono::seconds(100));
  CHECK(cache.size() == 2);
  CHECK_FALSE(cache.Get("b").has_value());  // evicted: least recently used
  CHECK(cache.Get("a") == 1);
  clock.now += std::chrono::seconds(11);
  CHECK_FALSE(cache.Get("a").has_value());  // expired
  CHECK(cache.Peek("a").has_value());        // but still there for stale-if-error
  CHECK(cache.Get("c") == 3);
  cache.Put("z", 9, std::chrono::seconds(0));  // expires at once: not stored
  CHECK_FALSE(cache.Peek("z").has_value());
}

TEST_CASE("identical computations in flight run once, and an exception reaches every caller") {
  BoundedCache<int> cache("test_flight", 16);
  std::atomic<int> runs{0};
  std::atomic<bool> release{false};
  auto slow = [&]() -> std::pair<int, Clock::duration> {
    ++runs;
    for (int i = 0; i < 2000 && !release.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return {42, std::chrono::seconds(60)};
  };
  std::vector<std::thread> threads;
  std::atomic<int> answers{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (cache.GetOrCompute("k", slow) == 42) ++answers;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  release = true;
  for (auto& t : threads) t.join();
  CHECK(runs == 1);
  CHECK(answers == 8);

  // A waiter's own deadline: it stops waiting, the computation goes on.
  std::atomic<bool> open{false};
  std::thread owner([&] {
    (void)cache.GetOrCompute("late", [&]() -> std::pair<int, Clock::duration> {
      for (int i = 0; i < 2000 && !open.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return {7, std::chrono::seconds(60)};
    });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto waited = cache.GetOrCompute("late", slow, Clock::now() + std::chrono::milliseconds(20));
  CHECK_FALSE(waited.has_value());
  open = true;
  owner.join();
  CHECK(cache.Get("late") == 7);

  // A throwing computation leaves nothing behind: the next caller computes again.
  CHECK_THROWS_AS(cache.GetOrCompute("bad", []() -> std::pair<int, Clock::duration> { throw std::runtime_error("x"); }),
                  std::runtime_error);
  CHECK(cache.GetOrCompute("bad", [] { return std::pair<int, Clock::duration>{5, std::chrono::seconds(1)}; }) == 5);
}

TEST_CASE("hits, misses and size are exported under the cache's name") {
  BoundedCache<int> cache("test_metrics", 4);
  cache.Put("a", 1, std::chrono::seconds(60));
  (void)cache.Get("a");
  (void)cache.Get("b");
  std::string text = RenderMetrics();
  CHECK_THAT(text, Catch::Contains("pullguard_cache_requests_total{cache=\"test_metrics\",result=\"hit\"} 1"));
  CHECK_THAT(text, Catch::Contains("pullguard_cache_requests_total{cache=\"test_metrics\",result=\"miss\"} 1"));
  CHECK_THAT(text, Catch::Contains("pullguard_cache_entries{cache=\"test_metrics\"} 1"));
}

}  // namespace
}  // namespace pullguard
