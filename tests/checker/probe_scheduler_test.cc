// ProbeScheduler: per-registry limits without parked workers, tenants taking turns, expiry.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "checker/probe_scheduler.h"
#include "support/wait.h"

namespace pullguard::checker {
namespace {

using Clock = ProbeScheduler::Clock;
using testing::WaitFor;

// A gate jobs wait on, opened by the test (bounded: jobs give up after 5 s).
struct Gate {
  std::mutex mutex;
  std::condition_variable cv;
  bool open = false;
  void Wait() {
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait_for(lock, std::chrono::seconds(5), [&] { return open; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mutex);
    open = true;
    cv.notify_all();
  }
};


ProbeScheduler::Job Job(const std::string& registry, size_t limit, const std::string& tenant, std::function<void()> run,
                        std::function<void()> expire = [] {}) {
  ProbeScheduler::Job j;
  j.registry = registry;
  j.limit = limit;
  j.tenant = tenant;
  j.deadline = Clock::now() + std::chrono::seconds(10);
  j.run = std::move(run);
  j.expire = std::move(expire);
  return j;
}

TEST_CASE("regression: a slow registry holds only its limit of workers, another registry's job runs at once") {
  // The old limiter parked every worker of the pool on one slow registry's slot.
  Gate slow_gate;
  std::atomic<int> slow_running{0};
  std::atomic<bool> fast_done{false};
  {
    ProbeScheduler scheduler(4, 1000);
    for (int i = 0; i < 100; ++i) {
      scheduler.Submit(Job("slow.example", 2, "big-review", [&] {
        ++slow_running;
        slow_gate.Wait();
        --slow_running;
      }));
    }
    REQUIRE(WaitFor([&] { return slow_running.load() == 2; }));
    scheduler.Submit(Job("fast.example", 2, "small-review", [&] { fast_done = true; }));
    CHECK(WaitFor([&] { return fast_done.load(); }));
    CHECK(slow_running.load() == 2);  // never more than the limit
    CHECK(scheduler.running() == 2);
    slow_gate.Open();
  }
}

TEST_CASE("regression: within a registry, tenants take turns, a big review does not starve a small one") {
  Gate gate;
  std::mutex order_mutex;
  std::vector<std::string> order;
  ProbeScheduler scheduler(1, 1000);
  // Occupy the only worker so that everything below queues.
  scheduler.Submit(Job("r", 1, "blocker", [&] { gate.Wait(); }));
  REQUIRE(WaitFor([&] { return scheduler.running() == 1; }));
  for (int i = 0; i < 50; ++i) {
    scheduler.Submit(Job("r", 1, "big", [&] {
      std::lock_guard<std::mutex> lock(order_mutex);
      order.push_back("big");
    }));
  }
  scheduler.Submit(Job("r", 1, "small", [&] {
    std::lock_guard<std::mutex> lock(order_mutex);
    order.push_back("small");
  }));
  gate.Open();
  REQUIRE(WaitFor([&] {
    std::lock_guard<std::mutex> lock(order_mutex);
    return order.size() == 51;
  }));
  auto at = std::find(order.begin(), order.end(), "small") - order.begin();
  CHECK(at <= 1);  // its turn comes after at most one of the big review's jobs
}

TEST_CASE("regression: a job whose deadline passed while it waited is not run") {
  Gate gate;
  std::atomic<int> ran{0}, expired{0};
  ProbeScheduler scheduler(1, 1000);
  scheduler.Submit(Job("r", 1, "a", [&] { gate.Wait(); }));
  REQUIRE(WaitFor([&] { return scheduler.running() == 1; }));
  for (int i = 0; i < 5; ++i) {
    auto j = Job("r", 1, "b", [&] { ++ran; }, [&] { ++expired; });
    j.deadline = Clock::now() + std::chrono::milliseconds(20);
    scheduler.Submit(std::move(j));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  gate.Open();
  CHECK(WaitFor([&] { return expired.load() == 5; }));
  CHECK(ran.load() == 0);
}

TEST_CASE("the queue is bounded, and what waits at shutdown is expired, not lost") {
  Gate gate;
  std::atomic<int> expired{0};
  std::thread opener;
  {
    ProbeScheduler scheduler(1, 3);
    scheduler.Submit(Job("r", 1, "a", [&] { gate.Wait(); }));
    REQUIRE(WaitFor([&] { return scheduler.running() == 1; }));
    CHECK(scheduler.Submit(Job("r", 1, "a", [] {}, [&] { ++expired; })));
    CHECK(scheduler.Submit(Job("r", 1, "a", [] {}, [&] { ++expired; })));
    CHECK(scheduler.Submit(Job("r", 1, "a", [] {}, [&] { ++expired; })));
    CHECK_FALSE(scheduler.Submit(Job("r", 1, "a", [] {})));
    // The running job ends only after the scheduler's destructor has taken what waits.
    opener = std::thread([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      gate.Open();
    });
  }
  opener.join();
  CHECK(expired.load() == 3);
}

}  // namespace
}  // namespace pullguard::checker
