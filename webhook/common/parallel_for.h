// ParallelFor: fn(0) .. fn(n-1) on up to `threads` threads (the caller's among them), each
// taking the next index; returns when all are done. For work that waits on the network (a
// cluster's objects, a workload's pods), not for CPU-bound loops.
// Thread-safety: fn is called concurrently; it must guard what it shares.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace pullguard {

template <typename F>
void ParallelFor(size_t n, size_t threads, F&& fn) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < std::min(n, threads); ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

}  // namespace pullguard
