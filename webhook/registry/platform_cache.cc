#include "registry/platform_cache.h"

namespace pullguard::registry {

void PlatformCache::Put(const std::string& digest, std::vector<Platform> platforms) {
  if (digest.empty()) return;
  // A digest names the same content for good: kept until evicted.
  cache_.Put(digest, std::move(platforms), std::chrono::hours(24 * 365));
}

}  // namespace pullguard::registry
