#include "checker/probe_scheduler.h"

#include "common/metrics.h"

namespace pullguard::checker {

ProbeScheduler::ProbeScheduler(size_t workers, size_t max_queued) : max_queued_(max_queued) {
  for (size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(); });
}

ProbeScheduler::~ProbeScheduler() {
  std::vector<Job> left;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    for (auto& [registry, q] : queues_) {
      for (auto& [group, g] : q.groups) {
        for (auto& [tenant, jobs] : g.waiting) {
          for (auto& job : jobs) left.push_back(std::move(job));
        }
      }
      q.groups.clear();
      q.turns.clear();
    }
    AddChecksQueued(-static_cast<int>(queued_));
    queued_ = 0;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  for (auto& job : left) {
    if (job.expire) job.expire();
  }
}

bool ProbeScheduler::Submit(Job job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || queued_ >= max_queued_) return false;
    RegistryQueue& q = queues_[job.registry];
    GroupQueue& g = q.groups[job.group];
    if (g.waiting.empty()) q.turns.push_back(job.group);
    auto& jobs = g.waiting[job.tenant];
    if (jobs.empty()) g.turns.push_back(job.tenant);
    jobs.push_back(std::move(job));
    ++queued_;
    AddChecksQueued(1);
  }
  cv_.notify_one();
  return true;
}

size_t ProbeScheduler::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queued_;
}

size_t ProbeScheduler::running() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return running_;
}

std::optional<ProbeScheduler::Job> ProbeScheduler::Next(bool* expired) {
  if (queues_.empty()) return std::nullopt;
  auto now = Clock::now();
  // Start after the registry served last, wrapping around once.
  auto it = queues_.upper_bound(last_registry_);
  for (size_t i = 0; i < queues_.size(); ++i, ++it) {
    if (it == queues_.end()) it = queues_.begin();
    RegistryQueue& q = it->second;
    if (q.turns.empty()) continue;
    GroupQueue& g = q.groups[q.turns.front()];
    std::deque<Job>& jobs = g.waiting[g.turns.front()];
    *expired = jobs.front().deadline <= now;
    if (!*expired && q.running >= jobs.front().limit) continue;  // full: its turn stays
    Job job = std::move(jobs.front());
    jobs.pop_front();
    // The tenant goes to the back of its group's turns, the group to the back of the
    // registry's, each only while it still has jobs waiting.
    std::string tenant = g.turns.front(), group = q.turns.front();
    g.turns.pop_front();
    if (jobs.empty()) {
      g.waiting.erase(tenant);
    } else {
      g.turns.push_back(tenant);
    }
    q.turns.pop_front();
    if (g.waiting.empty()) {
      q.groups.erase(group);
    } else {
      q.turns.push_back(group);
    }
    --queued_;
    AddChecksQueued(-1);
    last_registry_ = it->first;
    if (!*expired) {
      ++q.running;
      ++running_;
      AddChecksInFlight(1);
    } else if (q.running == 0 && q.turns.empty()) {
      queues_.erase(it);
    }
    return job;
  }
  return std::nullopt;
}

void ProbeScheduler::Work() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    bool expired = false;
    std::optional<Job> job;
    cv_.wait(lock, [&] { return stopping_ || (job = Next(&expired)).has_value(); });
    if (!job) return;  // stopping
    lock.unlock();
    if (expired) {
      if (job->expire) job->expire();
    } else {
      job->run();
    }
    lock.lock();
    if (!expired) {
      auto it = queues_.find(job->registry);
      --it->second.running;
      --running_;
      AddChecksInFlight(-1);
      if (it->second.running == 0 && it->second.turns.empty()) queues_.erase(it);
      cv_.notify_all();  // a slot of this registry is free
    }
  }
}

}  // namespace pullguard::checker
