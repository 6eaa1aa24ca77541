// Probe results the checker tests script their fake probers with.
#pragma once

#include "registry/probe.h"

namespace pullguard::testing {

inline registry::ProbeResult Found() {
  registry::ProbeResult r;
  r.outcome = registry::Outcome::kFound;
  return r;
}

inline registry::ProbeResult NotFound() {
  registry::ProbeResult r;
  r.outcome = registry::Outcome::kNotFound;
  return r;
}

// A connection that failed: an outage, which may pass later.
inline registry::ProbeResult Outage() {
  registry::ProbeResult r;
  r.failure.transport = registry::TransportError::kConnect;
  return r;
}

}  // namespace pullguard::testing
