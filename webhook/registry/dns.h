// DNS as pullguard sees it: asking again after a failed lookup, and what getaddrinfo's answer
// says. A name that does not exist (NXDOMAIN, or no address for it: an authoritative answer)
// fails every pull, so it may deny; a resolver that did not answer (EAI_AGAIN: no server
// reachable, a timeout; EAI_FAIL: SERVFAIL; EAI_SYSTEM) says nothing about the image, only
// about the machine or pod pullguard runs on, so it never denies.
// Thread-safety: pure functions.
#pragma once

#include <functional>
#include <string>

namespace pullguard::registry {

// getaddrinfo's code for a host ("host", "host:port" or "[v6]:port"); 0 when it resolves.
using Resolver = std::function<int(const std::string& host)>;
int ResolveAgain(const std::string& host);

enum class DnsAnswer {
  kResolves,        // 0: it resolved when asked again (the first failure was transient)
  kNoSuchName,      // EAI_NONAME, EAI_NODATA (EAI_ADDRFAMILY): the name has no address
  kResolverFailed,  // any other code: the resolver did not answer
};

// What getaddrinfo's `code` for `host` says. A public registry's name that "does not exist"
// (CertainlyExists) is the resolver's failure too: a resolver that denies gcr.io is broken or
// filtered, whatever code it gives.
DnsAnswer ClassifyLookup(int code, const std::string& host);

// The API hosts of the big public registries (docker.io's registry-1.docker.io, gcr.io,
// registry.k8s.io, ghcr.io, quay.io, ...): names that exist wherever DNS works. `host` may
// carry a port.
bool CertainlyExists(const std::string& host);

}  // namespace pullguard::registry
