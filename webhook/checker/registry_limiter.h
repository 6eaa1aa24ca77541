// RegistryLimiter: at most N checks at once against one registry, so a burst of pods does
// not become a burst against one registry's rate limit.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

namespace pullguard::checker {

class RegistryLimiter {
 public:
  // Waits for a slot until `deadline`; false when none came in time.
  bool Acquire(const std::string& registry, size_t limit, std::chrono::steady_clock::time_point deadline);
  void Release(const std::string& registry);

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::string, size_t> in_use_;
};

}  // namespace pullguard::checker
