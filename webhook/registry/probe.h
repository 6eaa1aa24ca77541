// What the registry client is asked and what it answers: one image, one verdict.
// Thread-safety: value types.
#pragma once

#include <string>
#include <vector>

#include "auth/keyring.h"
#include "common/reason.h"
#include "registry/endpoint.h"
#include "registry/http.h"
#include "registry/manifest.h"

namespace pullguard::registry {

struct ProbeTarget {
  std::string registry;    // docker.io, ghcr.io, localhost:5000
  std::string repository;  // library/nginx
  std::string reference;   // a tag, or a digest
  bool by_digest = false;
  // Credentials that match this registry, in the kubelet's order. Empty: anonymous. Once one
  // matches, anonymous is never tried (the kubelet does not either).
  std::vector<auth::Credential> credentials;
  std::vector<Platform> platforms;  // required; empty skips the platform check
  EndpointSettings settings;
  Clock::time_point deadline;

  std::string Image() const { return registry + "/" + repository + (by_digest ? "@" : ":") + reference; }
};

struct ProbeAnswer {
  bool ok = false;
  // When !ok: the finding.
  Reason reason = Reason::kRegistryError;
  std::string detail;
  std::string fix;
  bool transient = false;  // unreachable, timeout, 5xx, 429: a cached "exists" may stand in
  // When ok: what was found.
  std::string digest;
  std::string media_type;
  std::vector<std::string> platforms;  // offered platforms, when they were looked at
};

// A failed answer: the finding's reason, detail and fix; `transient` when a cached "exists"
// may stand in for it.
inline ProbeAnswer Failure(Reason reason, std::string detail, std::string fix, bool transient = false) {
  ProbeAnswer a;
  a.reason = reason;
  a.detail = std::move(detail);
  a.fix = std::move(fix);
  a.transient = transient;
  return a;
}

// What the checker calls; RegistryClient in production, fakes in unit tests.
class Prober {
 public:
  virtual ~Prober() = default;
  virtual ProbeAnswer Probe(const ProbeTarget& target) = 0;
};

}  // namespace pullguard::registry
