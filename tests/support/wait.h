// Waits for a condition another thread makes true: bounded in time, never a spin without end.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace pullguard::testing {

// True as soon as `done()` is; false if it is still not after `limit` (checked every 5 ms).
inline bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::milliseconds(2500)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace pullguard::testing
