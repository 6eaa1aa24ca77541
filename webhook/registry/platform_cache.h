// PlatformCache: the platforms of a manifest or index, by its digest. Content-addressed, so
// true for good: an index's platform list costs Docker Hub's pull quota once per digest, not
// once per cache period and credential. Bounded: the oldest digests go first.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/platform.h"

namespace pullguard::registry {

class PlatformCache {
 public:
  explicit PlatformCache(size_t max_entries = 10000) : max_entries_(max_entries) {}
  std::optional<std::vector<Platform>> Get(const std::string& digest) const;
  void Put(const std::string& digest, std::vector<Platform> platforms);
  size_t size() const;

 private:
  size_t max_entries_;
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<Platform>> entries_;
  std::list<std::string> order_;  // oldest first
};

}  // namespace pullguard::registry
