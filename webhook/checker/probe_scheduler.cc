#include "checker/probe_scheduler.h"

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
      for (auto& [tenant, jobs] : q.waiting) {
        for (auto& job : jobs) left.push_back(std::move(job));
      }
      q.waiting.clear();
      q.turns.clear();
    }
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
    auto& jobs = q.waiting[job.tenant];
    if (jobs.empty()) q.turns.push_back(job.tenant);
    jobs.push_back(std::move(job));
    ++queued_;
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
  auto start = queues_.upper_bound(last_registry_);
  for (size_t i = 0; i < queues_.size(); ++i, ++start) {
    if (start == queues_.end()) start = queues_.begin();
    RegistryQueue& q = start->second;
    if (q.turns.empty()) continue;
    std::string tenant = q.turns.front();
    q.turns.pop_front();
    auto& jobs = q.waiting[tenant];
    Job job = std::move(jobs.front());
    *expired = job.deadline <= now;
    if (!*expired && q.running >= job.limit) {  // full: put it back where it was
      jobs.front() = std::move(job);
      q.turns.push_front(tenant);
      continue;
    }
    jobs.pop_front();
    if (jobs.empty()) {
      q.waiting.erase(tenant);
    } else {
      q.turns.push_back(tenant);
    }
    --queued_;
    last_registry_ = start->first;
    if (!*expired) {
      ++q.running;
      ++running_;
    } else if (q.running == 0 && q.turns.empty()) {
      queues_.erase(start);
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
      if (it->second.running == 0 && it->second.turns.empty()) queues_.erase(it);
      cv_.notify_all();  // a slot of this registry is free
    }
  }
}

}  // namespace pullguard::checker
