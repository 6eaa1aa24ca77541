// ResolverWatch: a Prober that passes every probe on, and keeps what the run's DNS lookups
// say about the machine itself. `pullguard check` asks it at the end: when the machine cannot
// resolve registry names (its resolver did not answer, rather than a name that does not
// exist), that is one problem of the run, not a finding for each image.
// Thread-safety: Probe() may be called from many threads at once.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "registry/probe.h"

namespace pullguard::registry {

class ResolverWatch : public Prober {
 public:
  explicit ResolverWatch(Prober& inner) : inner_(inner) {}
  ProbeResult Probe(const ProbeTarget& target) override;

  // Notes one probe's answer (Probe does; public for tests).
  void Note(const ProbeTarget& target, const ProbeResult& result);

  // A registry name's lookup failed because the resolver did not answer, and no registry name
  // was resolved by this machine in the whole run (addresses, localhost and names a proxy
  // resolved do not count either way).
  bool MachineCannotResolve() const;
  // The names whose lookups failed so, with what the resolver said: "gcr.io, ghcr.io:
  // Temporary failure in name resolution" (three names at most).
  std::string Failures() const;

 private:
  Prober& inner_;
  mutable std::mutex mutex_;
  std::map<std::string, int> failed_;  // host -> getaddrinfo's code
  std::set<std::string> resolved_;
};

// Whether reaching `host` ("name", "name:port", "[v6]:port") takes a DNS lookup: not for an
// address, nor for localhost.
bool NeedsLookup(const std::string& host);

}  // namespace pullguard::registry
