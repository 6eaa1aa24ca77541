#include "checker/proxy_cache.h"

#include "common/glob.h"

namespace pullguard::checker {

std::optional<Upstream> ProxyUpstreamOf(const std::string& registry, const std::string& repository,
                                        const policy::Policy& policy) {
  for (const auto& cache : policy.proxy_caches) {
    size_t slash = cache.prefix.find('/');
    if (slash == std::string::npos) continue;  // refused when the policy loads
    auto host_matches = GlobMatch(cache.prefix.substr(0, slash), registry, GlobMode::kPath);
    if (!host_matches.ok() || !host_matches.value()) continue;
    std::string path = cache.prefix.substr(slash + 1);
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (repository.size() <= path.size() + 1 || repository.compare(0, path.size(), path) != 0 ||
        repository[path.size()] != '/') {
      continue;
    }
    Upstream up{cache.upstream, repository.substr(path.size() + 1)};
    // Docker Hub's official images live under library/, as the caches map them.
    if ((up.registry == "docker.io" || up.registry == "registry-1.docker.io") && up.repository.find('/') == std::string::npos) {
      up.repository = "library/" + up.repository;
    }
    return up;
  }
  return std::nullopt;
}

}  // namespace pullguard::checker
