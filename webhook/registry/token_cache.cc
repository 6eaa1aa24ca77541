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
  if (now_() >= it->second.expires) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.token;
}

void TokenCache::Put(const std::string& key, std::string token, std::chrono::seconds lifetime) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto now = now_();
  if (entries_.size() >= max_entries_ && entries_.count(key) == 0) {
    // Drop the expired, then (if still full) everything: tokens are cheap to fetch again.
    for (auto it = entries_.begin(); it != entries_.end();) it = it->second.expires <= now ? entries_.erase(it) : ++it;
    if (entries_.size() >= max_entries_) entries_.clear();
  }
  // Renew a little early so a token never expires between the cache and the registry.
  auto margin = std::min<std::chrono::seconds>(lifetime / 10, std::chrono::seconds(30));
  entries_[key] = {std::move(token), now + lifetime - margin};
}

void TokenCache::Forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.erase(key);
}

size_t TokenCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

std::optional<std::string> TokenCache::GetOrFetch(const std::string& key,
                                                  const std::function<std::optional<Fetched>()>& fetch) {
  std::promise<std::optional<std::string>> promise;
  std::shared_future<std::optional<std::string>> joined;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end() && now_() < it->second.expires) return it->second.token;
    if (auto f = in_flight_.find(key); f != in_flight_.end()) {
      joined = f->second;
    } else {
      in_flight_[key] = promise.get_future().share();
    }
  }
  if (joined.valid()) return joined.get();  // the fetch is bounded by its request's deadline
  std::optional<Fetched> got;
  try {
    got = fetch();
  } catch (...) {
    got.reset();  // a throwing fetch must not leave the key in flight for good
  }
  std::optional<std::string> token;
  if (got) {
    token = got->token;
    Put(key, got->token, got->lifetime);
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    in_flight_.erase(key);
  }
  promise.set_value(token);
  return token;
}

}  // namespace pullguard::registry
