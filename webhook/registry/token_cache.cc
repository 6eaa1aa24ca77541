#include "registry/token_cache.h"

#include <algorithm>

namespace pullguard::registry {

std::string TokenCache::Key(const std::string& realm, const std::string& service, const std::string& scope,
                            const std::string& identity) {
  return realm + '\n' + service + '\n' + scope + '\n' + identity;
}

std::chrono::seconds TokenCache::Keep(std::chrono::seconds lifetime) {
  return lifetime - std::min<std::chrono::seconds>(lifetime / 10, std::chrono::seconds(30));
}

void TokenCache::Put(const std::string& key, std::string token, std::chrono::seconds lifetime) {
  cache_.Put(key, std::move(token), Keep(lifetime));
}

std::optional<std::string> TokenCache::GetOrFetch(const std::string& key,
                                                  const std::function<std::optional<Fetched>()>& fetch) {
  // The fetch is bounded by its request's deadline, so joining callers wait no longer.
  auto got = cache_.GetOrCompute(key, [&]() -> std::pair<std::optional<std::string>, Clock::duration> {
    std::optional<Fetched> fetched;
    try {
      fetched = fetch();
    } catch (...) {
      fetched.reset();  // a throwing fetch is a failed one
    }
    if (!fetched) return {std::nullopt, Clock::duration::zero()};
    return {fetched->token, Keep(fetched->lifetime)};
  });
  return got ? *got : std::nullopt;
}

}  // namespace pullguard::registry
