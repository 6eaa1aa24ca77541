#include "server/body_gate.h"

namespace pullguard::server {

bool BodyGate::Enter(size_t bytes, std::chrono::steady_clock::time_point deadline) {
  if (bytes < large_bytes_) return true;
  std::unique_lock<std::mutex> lock(mutex_);
  if (!cv_.wait_until(lock, deadline, [this] { return large_ < max_large_; })) return false;
  ++large_;
  return true;
}

void BodyGate::Leave(size_t bytes) {
  if (bytes < large_bytes_) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    --large_;
  }
  cv_.notify_one();
}

size_t BodyGate::large_in_flight() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return large_;
}

}  // namespace pullguard::server
