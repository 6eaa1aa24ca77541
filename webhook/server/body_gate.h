// BodyGate: large reviews are decoded a few at a time. A review of a few megabytes costs tens
// of megabytes to decode and check; many at once would pass the Deployment's memory limit and
// get the replica killed. Small reviews (nearly all) pass without waiting.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace pullguard::server {

class BodyGate {
 public:
  BodyGate(size_t large_bytes = 256 * 1024, size_t max_large = 2) : large_bytes_(large_bytes), max_large_(max_large) {}

  // Waits for room for a body of `bytes` until `deadline`; false when none came in time.
  bool Enter(size_t bytes, std::chrono::steady_clock::time_point deadline);
  // REQUIRES: a successful Enter(bytes).
  void Leave(size_t bytes);

  size_t large_in_flight() const;

 private:
  size_t large_bytes_;
  size_t max_large_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  size_t large_ = 0;
};

}  // namespace pullguard::server
