// RegistryClient: does this image exist, can these credentials pull it, does it run on these
// platforms? It asks as containerd's resolver does, and answers with facts (ProbeResult):
//   for each credential (the kubelet tries them in order; none: one anonymous pull),
//     for each host (mirrors, then the registry): HEAD the manifest, authorized by what the
//     host's 401s asked for (authorizer.h); found -> done; 404 -> next host; a failure -> kept,
//     next host. Every host 404: not found (the first other failure wins over a 404).
// A 404 is told apart (missing repository or missing tag) with the tags list, which no
// registry counts as a pull; its tags become suggestions. Platforms cost one GET of an index (or, for a single-platform
// image, of its manifest and config), cached for good by digest.
// Thread-safety: Probe() may be called from many threads at once.
#pragma once

#include <optional>

#include "registry/authorizer.h"
#include "registry/dns.h"
#include "registry/platform_cache.h"
#include "registry/probe.h"
#include "registry/sender.h"

namespace pullguard::registry {

class RegistryClient : public Prober {
 public:
  // `resolve` asks DNS again after a failed lookup; tests pass a fake so no query leaves the
  // machine.
  explicit RegistryClient(HttpTransport& transport, Resolver resolve = ResolveAgain)
      : sender_(transport), resolve_(std::move(resolve)), authorizer_(sender_) {}
  ProbeResult Probe(const ProbeTarget& target) override;

  const PlatformCache& platform_cache() const { return platforms_; }

 private:
  struct Exchange {
    HttpRequest request;
    HttpResponse response;
    std::optional<Failure> failure;  // no usable HTTP answer (transport, token service)
  };
  Exchange Send(const RegistryHost& host, const ProbeTarget& target, const auth::Credential* credential,
                const std::string& method, const std::string& path);
  ProbeResult WithCredential(const ProbeTarget& target, const auth::Credential* credential);
  ProbeResult OnHost(const RegistryHost& host, const ProbeTarget& target, const auth::Credential* credential);
  // Whether the repository exists, from its tags list; by tag, the tags too (a few pages at
  // most, and only while the probe's budget lasts).
  RepositoryState RepositoryOn(const RegistryHost& host, const ProbeTarget& target, const auth::Credential* credential,
                               std::vector<std::string>* tags);
  ProbeResult CheckPlatforms(const RegistryHost& host, const ProbeTarget& target, const auth::Credential* credential,
                             ProbeResult found);
  std::optional<Failure> ReadPlatforms(const RegistryHost& host, const ProbeTarget& target,
                                       const auth::Credential* credential, ProbeResult& found);

  Sender sender_;
  Resolver resolve_;
  Authorizer authorizer_;
  PlatformCache platforms_;
};

}  // namespace pullguard::registry
