#include "checker/result_cache.h"

#include <algorithm>

namespace pullguard::checker {

registry::ProbeResult ResultCache::WithTags(const std::string& key, registry::ProbeResult answer) {
  if (answer.outcome == registry::Outcome::kNotFound) {
    if (auto tags = tag_lists_.Get(key)) answer.tags = std::move(*tags);
  }
  return answer;
}

std::optional<registry::ProbeResult> ResultCache::Fresh(const std::string& key, const policy::CacheSettings& settings) {
  const Clock::time_point now = cache_.now();
  auto fresh = cache_.GetIf(key, [&](const BoundedCache<registry::ProbeResult>::Entry& e) {
    auto ttl = e.value.ok() ? settings.positive_ttl : settings.negative_ttl;
    return now - e.stored < ttl;
  });
  if (!fresh) return std::nullopt;
  return WithTags(key, std::move(*fresh));
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
  if (!answer.tags.empty()) {
    registry::ProbeResult slim = answer;
    tag_lists_.Put(key, std::move(slim.tags), keep);
    slim.tags.clear();
    slim.tags.shrink_to_fit();
    cache_.Put(key, std::move(slim), keep);
    return;
  }
  cache_.Put(key, answer, keep);
}

}  // namespace pullguard::checker
