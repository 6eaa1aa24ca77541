// PlatformCache: the platforms of a manifest or index, by its digest. Content-addressed, so
// true for good: an index's platform list costs Docker Hub's pull quota once per digest, not
// once per cache period and credential. Bounded (common/bounded_cache.h): the least recently
// used digests go first.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/bounded_cache.h"
#include "common/platform.h"

namespace pullguard::registry {

class PlatformCache {
 public:
  explicit PlatformCache(size_t max_entries = 10000) : cache_("platforms", max_entries) {}
  std::optional<std::vector<Platform>> Get(const std::string& digest) { return cache_.Get(digest); }
  void Put(const std::string& digest, std::vector<Platform> platforms);
  size_t size() const { return cache_.size(); }

 private:
  BoundedCache<std::vector<Platform>> cache_;
};

}  // namespace pullguard::registry
