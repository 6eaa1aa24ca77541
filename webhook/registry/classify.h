// Failed exchanges as findings: transport errors and unexpected HTTP answers become a reason
// code, one line of detail and what to do.
// Thread-safety: pure functions.
#pragma once

#include "registry/probe.h"

namespace pullguard::registry {

// REQUIRES: response.error != kNone. `what` names the exchange ("the registry", "the token
// service auth.example.com").
ProbeAnswer TransportFailure(const HttpResponse& response, const std::string& host, const ProbeTarget& target);

// An HTTP status the flow does not handle itself (429, 5xx, odd codes). `who` names the
// server in words ("the registry", "the token service auth.example.com"); `what` the request.
ProbeAnswer UnexpectedStatus(const HttpResponse& response, const std::string& who, const std::string& what);

}  // namespace pullguard::registry
