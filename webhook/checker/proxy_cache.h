// Proxy caches that fill on first pull (ECR pull-through cache, Harbor proxy projects,
// Artifactory remotes, Artifact Registry remote repositories): a repository under such a
// prefix answers 404 until the first pull imports it, so its upstream is asked, as the cache
// would ask it, and that answer is the verdict.
// Thread-safety: pure function.
#pragma once

#include <optional>
#include <string>

#include "policy/policy.h"

namespace pullguard::checker {

struct Upstream {
  std::string registry;    // docker.io
  std::string repository;  // library/nginx
};

// The upstream of `registry`/`repository` when the policy names a proxy cache whose prefix
// (a host glob, then a path) holds it; nullopt otherwise.
std::optional<Upstream> ProxyUpstreamOf(const std::string& registry, const std::string& repository,
                                        const policy::Policy& policy);

}  // namespace pullguard::checker
