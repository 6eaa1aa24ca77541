#include "checker/registry_limiter.h"

namespace pullguard::checker {

bool RegistryLimiter::Acquire(const std::string& registry, size_t limit, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!cv_.wait_until(lock, deadline, [&] { return in_use_[registry] < limit; })) return false;
  ++in_use_[registry];
  return true;
}

void RegistryLimiter::Release(const std::string& registry) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--in_use_[registry] == 0) in_use_.erase(registry);
  }
  cv_.notify_all();
}

}  // namespace pullguard::checker
