#include "checker/result_cache.h"

namespace pullguard::checker {

std::optional<registry::ProbeResult> ResultCache::Fresh(const std::string& key, const policy::CacheSettings& settings) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  auto ttl = it->second.answer.ok() ? settings.positive_ttl : settings.negative_ttl;
  if (now_() - it->second.learned >= ttl) return std::nullopt;
  return it->second.answer;
}

std::optional<registry::ProbeResult> ResultCache::Stale(const std::string& key, const policy::CacheSettings& settings) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || !it->second.answer.ok()) return std::nullopt;
  if (now_() - it->second.learned >= settings.stale_if_error) return std::nullopt;
  return it->second.answer;
}

void ResultCache::Put(const std::string& key, const registry::ProbeResult& answer, const policy::CacheSettings& settings) {
  if (answer.Transient()) return;  // a blip is not knowledge; keep any older "exists"
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    order_.erase(it->second.order);
    entries_.erase(it);
  }
  while (!entries_.empty() && entries_.size() >= settings.max_entries) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
  order_.push_back(key);
  entries_[key] = {answer, now_(), std::prev(order_.end())};
}

size_t ResultCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

}  // namespace pullguard::checker
