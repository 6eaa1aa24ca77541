// TokenCache: bearer tokens per (realm, service, scope, credential identity) until their
// expires_in runs out (renewed a little early). The identity keeps one namespace's token from
// serving another's. Identical fetches in flight are joined; failed fetches are not kept.
// Stored in the one bounded cache (common/bounded_cache.h).
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "common/bounded_cache.h"

namespace pullguard::registry {

class TokenCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = std::function<Clock::time_point()>;
  struct Fetched {
    std::string token;
    std::chrono::seconds lifetime;
  };

  explicit TokenCache(size_t max_entries = 4096, Now now = Clock::now) : cache_("tokens", max_entries, std::move(now)) {}

  static std::string Key(const std::string& realm, const std::string& service, const std::string& scope,
                         const std::string& identity);
  std::optional<std::string> Get(const std::string& key) {
    auto got = cache_.Get(key);
    return got ? *got : std::nullopt;
  }
  void Put(const std::string& key, std::string token, std::chrono::seconds lifetime);
  void Forget(const std::string& key) { cache_.Erase(key); }
  // The cached token, or the one `fetch` gets (run once for every caller waiting on the same
  // key; nullopt from it is a failure, returned to them all and not kept).
  std::optional<std::string> GetOrFetch(const std::string& key, const std::function<std::optional<Fetched>()>& fetch);
  size_t size() const { return cache_.size(); }

 private:
  // Renew a little early so a token never expires between the cache and the registry.
  static std::chrono::seconds Keep(std::chrono::seconds lifetime);

  // nullopt values are failures: joined by the callers waiting, never kept (zero lifetime).
  BoundedCache<std::optional<std::string>> cache_;
};

}  // namespace pullguard::registry
