// CycleProber: the registry prober of one audit cycle. Each distinct check (one image with one
// set of credentials, platforms and hosts: the checker's cache key) reaches the registry once
// per cycle, whatever it answers: the cycle's cache keeps "exists" and "does not exist" for
// the cycle, and this keeps the answers the cache does not (a 429, a 5xx, a timeout), so a
// registry that rate-limits or fails is not asked again by every workload sharing the image.
// It counts the checks that reached a registry; the cycle paces itself by that count
// (RateBudget) and reports it.
// Thread-safety: Probe() may be called from any thread, as the prober it wraps.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "checker/registry_checks.h"
#include "registry/probe.h"

namespace pullguard::audit {

class CycleProber : public registry::Prober {
 public:
  explicit CycleProber(registry::Prober& inner) : inner_(inner) {}

  registry::ProbeResult Probe(const registry::ProbeTarget& target) override {
    const std::string key = checker::RegistryChecks::CacheKey(target);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (auto it = answers_.find(key); it != answers_.end()) return it->second;
    }
    probes_.fetch_add(1, std::memory_order_relaxed);
    registry::ProbeResult answer = inner_.Probe(target);
    if (answer.Transient()) {
      std::lock_guard<std::mutex> lock(mutex_);
      answers_.emplace(key, answer);
    }
    return answer;
  }

  // Checks that reached a registry.
  uint64_t probes() const { return probes_.load(std::memory_order_relaxed); }

 private:
  registry::Prober& inner_;
  std::atomic<uint64_t> probes_{0};
  std::mutex mutex_;
  std::unordered_map<std::string, registry::ProbeResult> answers_;  // transient ones
};

}  // namespace pullguard::audit
