#include "registry/token_cache.h"

namespace pullguard::registry {

std::string TokenCache::Key(const std::string& realm, const std::string& service, const std::string& scope,
                            const std::string& identity) {
  return realm + '\n' + service + '\n' + scope + '\n' + identity;
}

std::optional<std::string> TokenCache::Get(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (Clock::now() >= it->second.expires) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.token;
}

void TokenCache::Put(const std::string& key, std::string token, std::chrono::seconds lifetime) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (entries_.size() >= max_entries_) {
    // Drop the expired, then (if still full) everything: tokens are cheap to fetch again.
    auto now = Clock::now();
    for (auto it = entries_.begin(); it != entries_.end();) it = it->second.expires <= now ? entries_.erase(it) : ++it;
    if (entries_.size() >= max_entries_) entries_.clear();
  }
  // Renew a little early so a token never expires between the cache and the registry.
  auto margin = std::min<std::chrono::seconds>(lifetime / 10, std::chrono::seconds(30));
  entries_[key] = {std::move(token), Clock::now() + lifetime - margin};
}

void TokenCache::Forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.erase(key);
}

}  // namespace pullguard::registry
