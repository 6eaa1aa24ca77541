#include "registry/platform_cache.h"

namespace pullguard::registry {

std::optional<std::vector<Platform>> PlatformCache::Get(const std::string& digest) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(digest);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void PlatformCache::Put(const std::string& digest, std::vector<Platform> platforms) {
  if (digest.empty()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (entries_.count(digest) == 0) {
    while (entries_.size() >= max_entries_ && !order_.empty()) {
      entries_.erase(order_.front());
      order_.pop_front();
    }
    order_.push_back(digest);
  }
  entries_[digest] = std::move(platforms);
}

size_t PlatformCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

}  // namespace pullguard::registry
