#include "checker/result_cache.h"

#include <algorithm>

namespace pullguard::checker {

std::optional<registry::ProbeResult> ResultCache::Fresh(const std::string& key, const policy::CacheSettings& settings) {
  const Clock::time_point now = cache_.now();
  return cache_.GetIf(key, [&](const BoundedCache<registry::ProbeResult>::Entry& e) {
    auto ttl = e.value.ok() ? settings.positive_ttl : settings.negative_ttl;
    return now - e.stored < ttl;
  });
}

std::optional<registry::ProbeResult> ResultCache::Stale(const std::string& key, const policy::CacheSettings& settings) const {
  auto entry = cache_.Peek(key);
  if (!entry || !entry->value.ok()) return std::nullopt;
  if (cache_.now() - entry->stored >= settings.stale_if_error) return std::nullopt;
  return entry->value;
}

void ResultCache::Put(const std::string& key, const registry::ProbeResult& answer, const policy::CacheSettings& settings) {
  if (answer.Transient()) return;  // a blip is not knowledge; keep any older "exists"
  cache_.SetCapacity(settings.max_entries);
  // Kept as long as any use of it lasts: fresh for its TTL, then as a stand-in for failures.
  auto keep = answer.ok() ? std::max(settings.positive_ttl, settings.stale_if_error) : settings.negative_ttl;
  if (keep <= std::chrono::seconds::zero()) {
    cache_.Erase(key);  // a newer answer that is not kept must not leave an older one serving
    return;
  }
  cache_.Put(key, answer, keep);
}

}  // namespace pullguard::checker
