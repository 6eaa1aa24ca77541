// Where a registry is asked: Docker Hub's API lives at registry-1.docker.io, a mirror may
// answer instead, and plain HTTP only for registries marked insecure.
// Thread-safety: value types and pure functions.
#pragma once

#include <string>

namespace pullguard::registry {

// Per-registry settings (from the policy's `registries` list).
struct EndpointSettings {
  std::string ca_file;         // PEM bundle trusted for this registry, in addition to none other
  bool insecure = false;       // plain HTTP (a registry on a private network without TLS)
  std::string mirror;          // host[:port] asked instead of the registry itself
  bool allow_private = false;  // may resolve to loopback, private or link-local addresses
};

struct Endpoint {
  std::string registry;  // as the image names it: docker.io, ghcr.io, localhost:5000
  std::string host;      // what is contacted: registry-1.docker.io, the mirror, ...
  std::string base_url;  // https://host
  EndpointSettings settings;
};

// The server in words for messages: "the registry", or "mirror HOST" / "HOST" when another
// host than the image's registry answers.
std::string Who(const Endpoint& endpoint);

Endpoint ResolveEndpoint(const std::string& registry, const EndpointSettings& settings);

}  // namespace pullguard::registry
