// ProbeScheduler: runs registry probes on a fixed set of workers, fairly.
//   - Jobs wait in one queue per registry; a worker takes a job only from a registry that is
//     under its concurrency limit, so a slow registry holds at most `limit` workers and never
//     parks a worker that another registry's check needs.
//   - Within a registry, groups (namespaces) take turns, and within a group its tenants
//     (reviews): one review with thousands of images, or one namespace with many reviews, does
//     not delay another's one image.
//   - A job whose deadline passes while it waits is not run: its `expire` runs instead.
// Thread-safety: Submit() may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace pullguard::checker {

class ProbeScheduler {
 public:
  using Clock = std::chrono::steady_clock;
  struct Job {
    std::string registry;
    size_t limit = 16;   // jobs of this registry running at once, at most
    std::string group;   // whose (a namespace): groups take turns
    std::string tenant;  // who asked (a review): tenants of a group take turns
    Clock::time_point deadline;
    std::function<void()> run;
    std::function<void()> expire;  // instead of run, when the deadline passed first
  };

  ProbeScheduler(size_t workers, size_t max_queued);
  ~ProbeScheduler();  // expires what still waits, finishes what runs, then joins
  ProbeScheduler(const ProbeScheduler&) = delete;
  ProbeScheduler& operator=(const ProbeScheduler&) = delete;

  // False when the queue is full (the job is neither run nor expired).
  bool Submit(Job job);
  size_t queued() const;
  size_t running() const;

 private:
  struct GroupQueue {
    std::deque<std::string> turns;  // tenants with waiting jobs, next first
    std::map<std::string, std::deque<Job>> waiting;
  };
  struct RegistryQueue {
    size_t running = 0;
    std::deque<std::string> turns;  // groups with waiting jobs, next first
    std::map<std::string, GroupQueue> groups;
  };
  // Takes the next job to run or to expire; nullopt when none may run now. REQUIRES: mutex_.
  std::optional<Job> Next(bool* expired);
  void Work();

  size_t max_queued_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::string, RegistryQueue> queues_;
  std::string last_registry_;  // round robin across registries
  size_t queued_ = 0;
  size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace pullguard::checker
