// What the registry client is asked (one image, the credentials the kubelet would pull it
// with, the platforms it must run on) and what it answers, as facts.
// Thread-safety: value types.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "auth/keyring.h"
#include "common/platform.h"
#include "common/proxy.h"
#include "registry/failure.h"
#include "registry/hosts.h"

namespace pullguard::registry {

struct ProbeTarget {
  std::string registry;    // as the image names it: docker.io, ghcr.io, localhost:5000
  std::string repository;  // library/nginx
  std::string reference;   // a tag, or a digest
  bool by_digest = false;
  // Credentials that match this registry, in the kubelet's order; each is a pull attempt of
  // its own. Empty: one anonymous attempt. Once one matches, anonymous is never tried (the
  // kubelet does not either).
  std::vector<auth::Credential> credentials;
  std::vector<Platform> platforms;  // the nodes' platforms; empty skips the platform check
  std::vector<RegistryHost> hosts;  // mirrors first, then the registry; never empty
  Clock::time_point deadline;       // the probe's own budget
  std::chrono::milliseconds connect_timeout{3000};
  std::string metrics_label = "other";  // the registry, as metrics name it (a bounded set)
  // How requests reach the hosts (the policy's `proxy`, else the environment's HTTPS_PROXY,
  // HTTP_PROXY and NO_PROXY); null: directly.
  std::shared_ptr<const ProxyRules> proxy;

  std::string Image() const { return registry + "/" + repository + (by_digest ? "@" : ":") + reference; }
};

enum class Outcome {
  kFound,            // the manifest is there, these credentials pull it, and it runs on the platforms
  kNotFound,         // every host answered 404 for the manifest
  kUnauthorized,     // 401 that the pull does not get past: no credential, or every one refused
  kForbidden,        // 403, or a token that does not cover the repository (insufficient_scope)
  kPlatformMissing,  // the manifest is there, not for every platform (`missing`)
  kFailed,           // the exchange failed: `failure` says how
};

// What the repository's tags list (GET /v2/NAME/tags/list, with the credential of the attempt
// that got the 404, through the same token flow) said: kExists, a 200 (for an anonymous attempt:
// anyone may read the repository); kMissing, a 404 NAME_UNKNOWN (or a 404 without codes);
// kUnknown, anything else (401, 403, another 404, a failure, the budget spent).
enum class RepositoryState { kUnknown, kExists, kMissing };

struct ProbeResult {
  Outcome outcome = Outcome::kFailed;
  Failure failure;  // the evidence, for every outcome but kFound
  RepositoryState repository = RepositoryState::kUnknown;  // for kNotFound
  std::vector<std::string> tags;      // kNotFound by tag: the repository's tags (capped), for suggestions
  bool anonymous = true;              // no credential matched: the pull is anonymous
  std::string answered_with;          // the source of the credential this answer came with ("" anonymous)
  std::vector<std::string> refused;   // credential sources refused with a 401
  std::vector<std::string> no_access; // credential sources accepted but not allowed (403, scope)
  std::string host;                   // who answered for the manifest (a mirror or the registry)
  bool from_mirror = false;
  // kFound and kPlatformMissing:
  std::string digest;
  std::string media_type;
  bool single_platform = false;       // a manifest, not an index: its config names the platform
  std::vector<Platform> offered;      // when platforms were checked
  std::vector<Platform> missing;      // kPlatformMissing

  bool ok() const { return outcome == Outcome::kFound; }
  // A failure that may pass on a retry: a cached "exists" may stand in for it.
  bool Transient() const { return outcome == Outcome::kFailed && failure.Temporary(); }
};

// What the checker calls; RegistryClient in production, fakes in unit tests.
class Prober {
 public:
  virtual ~Prober() = default;
  virtual ProbeResult Probe(const ProbeTarget& target) = 0;
};

}  // namespace pullguard::registry
