// Asking DNS again after a failed lookup, to tell a name that does not exist (NXDOMAIN: every
// pull fails) from a resolver that did not answer (an outage: the pull may work later).
// Thread-safety: pure functions.
#pragma once

#include <functional>
#include <string>

namespace pullguard::registry {

// getaddrinfo's code for a host ("host", "host:port" or "[v6]:port"); 0 when it resolves.
using Resolver = std::function<int(const std::string& host)>;
int ResolveAgain(const std::string& host);

}  // namespace pullguard::registry
