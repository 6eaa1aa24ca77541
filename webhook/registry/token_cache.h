// TokenCache: bearer tokens per (realm, service, scope, credential identity) until their
// expires_in runs out (renewed a little early). The identity keeps one namespace's token from
// serving another's. Identical fetches in flight are joined; failed fetches are not kept.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace pullguard::registry {

class TokenCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = std::function<Clock::time_point()>;
  struct Fetched {
    std::string token;
    std::chrono::seconds lifetime;
  };

  explicit TokenCache(size_t max_entries = 4096, Now now = Clock::now) : max_entries_(max_entries), now_(std::move(now)) {}

  static std::string Key(const std::string& realm, const std::string& service, const std::string& scope,
                         const std::string& identity);
  std::optional<std::string> Get(const std::string& key);
  void Put(const std::string& key, std::string token, std::chrono::seconds lifetime);
  void Forget(const std::string& key);
  // The cached token, or the one `fetch` gets (run once for every caller waiting on the same
  // key; nullopt from it is a failure, returned to them all and not kept).
  std::optional<std::string> GetOrFetch(const std::string& key, const std::function<std::optional<Fetched>()>& fetch);
  size_t size() const;

 private:
  struct Entry {
    std::string token;
    Clock::time_point expires;
  };
  size_t max_entries_;
  Now now_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  std::map<std::string, std::shared_future<std::optional<std::string>>> in_flight_;
};

}  // namespace pullguard::registry
