// RegistryClient: does this image exist, can these credentials pull it, does it run on these
// platforms? One HEAD on the manifest answers most of it, the way the kubelet's pull begins.
// A 404 is told apart (missing repository or missing tag) with the tags list, which no
// registry counts as a pull; platforms cost one GET of an index (or, for a single-platform
// image, of its manifest and config, cached for good by digest).
// Thread-safety: Probe() may be called from many threads at once.
#pragma once

#include <map>
#include <mutex>

#include "registry/authorizer.h"
#include "registry/classify.h"
#include "registry/probe.h"
#include "registry/sender.h"

namespace pullguard::registry {

class RegistryClient : public Prober {
 public:
  // `resolve` asks DNS again after a failed lookup (to tell NXDOMAIN from an outage); tests
  // pass a fake so no query leaves the machine.
  explicit RegistryClient(HttpTransport& transport, Resolver resolve = ResolveAgain)
      : sender_(transport), resolve_(std::move(resolve)), authorizer_(sender_, resolve_) {}
  ProbeAnswer Probe(const ProbeTarget& target) override;

 private:
  HttpRequest Request(const Endpoint& endpoint, const ProbeTarget& target, const std::string& method,
                      const std::string& path, const std::string& authorization) const;
  ProbeAnswer Interpret(const Endpoint& endpoint, const ProbeTarget& target, const std::string& authorization,
                        const HttpResponse& head);
  ProbeAnswer MissingRepositoryOrReference(const Endpoint& endpoint, const ProbeTarget& target,
                                           const std::string& authorization);
  ProbeAnswer CheckPlatforms(const Endpoint& endpoint, const ProbeTarget& target, const std::string& authorization,
                             ProbeAnswer found);
  Result<std::vector<Platform>> OfferedPlatforms(const Endpoint& endpoint, const ProbeTarget& target,
                                                 const std::string& authorization, const ProbeAnswer& found);

  Sender sender_;
  Resolver resolve_;
  Authorizer authorizer_;
  std::mutex mutex_;
  std::map<std::string, Platform> single_platforms_;  // manifest digest -> its config's platform
};

}  // namespace pullguard::registry
