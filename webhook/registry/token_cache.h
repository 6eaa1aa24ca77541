// TokenCache: bearer tokens per (realm, service, scope, credential identity) until their
// expires_in runs out. The identity keeps one namespace's token from serving another's.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace pullguard::registry {

class TokenCache {
 public:
  using Clock = std::chrono::steady_clock;
  explicit TokenCache(size_t max_entries = 4096) : max_entries_(max_entries) {}

  static std::string Key(const std::string& realm, const std::string& service, const std::string& scope,
                         const std::string& identity);
  std::optional<std::string> Get(const std::string& key);
  void Put(const std::string& key, std::string token, std::chrono::seconds lifetime);
  void Forget(const std::string& key);

 private:
  struct Entry {
    std::string token;
    Clock::time_point expires;
  };
  size_t max_entries_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace pullguard::registry
