// Failed exchanges as findings: transport errors and unexpected HTTP answers become a reason
// code, one line of detail and what to do.
// Thread-safety: pure functions.
#pragma once

#include <functional>
#include <string>

#include "registry/probe.h"

namespace pullguard::registry {

// Asks the resolver about a host again after a DNS failure; returns getaddrinfo's code.
using Resolver = std::function<int(const std::string& host)>;

// REQUIRES: response.error != kNone. A DNS failure is told apart with `resolve` (see DnsFailure).
ProbeAnswer TransportFailure(const HttpResponse& response, const std::string& host, const ProbeTarget& target,
                             const Resolver& resolve);

// A DNS failure, told apart by what the resolver says (`gai_error`, from getaddrinfo): a name
// that does not exist (EAI_NONAME, EAI_NODATA) is RegistryUnresolvable and will fail every pull;
// a resolver that did not answer (EAI_AGAIN, EAI_FAIL, ...) is transient: RegistryUnreachable.
ProbeAnswer DnsFailure(const std::string& host, int gai_error);

// Asks the resolver again for `host` (host[:port]) and returns getaddrinfo's code (0: resolves).
int ResolveAgain(const std::string& host);

// An HTTP status the flow does not handle itself (429, 5xx, odd codes). `who` names the
// server in words ("the registry", "the token service auth.example.com"); `what` the request.
ProbeAnswer UnexpectedStatus(const HttpResponse& response, const std::string& who, const std::string& what);

}  // namespace pullguard::registry
