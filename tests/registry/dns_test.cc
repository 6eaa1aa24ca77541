// DNS answers told apart: a name that does not exist (it may deny) from a resolver that did not
// answer (pullguard's own trouble: never a denial), and what a whole run's lookups say about
// the machine `pullguard check` runs on.
#include <catch2/catch.hpp>

#include <netdb.h>

#include "registry/dns.h"
#include "registry/resolver_watch.h"

namespace pullguard::registry {
namespace {

TEST_CASE("getaddrinfo's answers: no such name, or a resolver that did not answer") {
  struct Case {
    int code;
    const char* host;
    DnsAnswer answer;
  };
  const Case cases[] = {
      {0, "registry.example.com", DnsAnswer::kResolves},
      {EAI_NONAME, "registry.example.com", DnsAnswer::kNoSuchName},  // NXDOMAIN: authoritative
      {EAI_NODATA, "registry.example.com", DnsAnswer::kNoSuchName},  // the name has no address
      {EAI_AGAIN, "registry.example.com", DnsAnswer::kResolverFailed},  // no server answered (no network)
      {EAI_FAIL, "registry.example.com", DnsAnswer::kResolverFailed},   // SERVFAIL
      {EAI_SYSTEM, "registry.example.com", DnsAnswer::kResolverFailed},
      {EAI_MEMORY, "registry.example.com", DnsAnswer::kResolverFailed},
      // A resolver that says gcr.io does not exist is broken or filtered.
      {EAI_NONAME, "gcr.io", DnsAnswer::kResolverFailed},
      {EAI_NONAME, "registry-1.docker.io:443", DnsAnswer::kResolverFailed},
      {EAI_NONAME, "GHCR.IO", DnsAnswer::kResolverFailed},
      {EAI_NONAME, "gcr.io.example.com", DnsAnswer::kNoSuchName},
  };
  for (const auto& c : cases) {
    INFO(c.code << " " << c.host);
    CHECK(ClassifyLookup(c.code, c.host) == c.answer);
  }
}

TEST_CASE("a failure's DNS facts: only a resolver that did not answer is ResolverFailed, and both may pass later but NXDOMAIN") {
  Failure f;
  f.host = "registry.example.com";
  f.transport = TransportError::kDns;
  f.resolver_code = EAI_NONAME;
  CHECK_FALSE(f.Temporary());
  CHECK_FALSE(f.ResolverFailed());
  f.resolver_code = EAI_AGAIN;
  CHECK(f.Temporary());
  CHECK(f.ResolverFailed());
  f.resolver_code = 0;  // resolved when asked again
  CHECK(f.Temporary());
  CHECK_FALSE(f.ResolverFailed());
  f.host = "quay.io";
  f.resolver_code = EAI_NONAME;
  CHECK(f.Temporary());
  CHECK(f.ResolverFailed());
  f.transport = TransportError::kConnect;
  CHECK_FALSE(f.ResolverFailed());
}

class NoProber : public Prober {
 public:
  ProbeResult Probe(const ProbeTarget&) override { return {}; }
};

ProbeTarget TargetOn(const std::string& host) {
  ProbeTarget t;
  t.registry = host;
  t.repository = "team/app";
  t.reference = "1.0";
  t.hosts = {UpstreamHost(host, false)};
  return t;
}

ProbeResult DnsFailure(const std::string& host, int code) {
  ProbeResult r;
  r.outcome = Outcome::kFailed;
  r.host = host;
  r.failure.host = host;
  r.failure.transport = TransportError::kDns;
  r.failure.resolver_code = code;
  return r;
}

ProbeResult Answered(const std::string& host, Outcome outcome) {
  ProbeResult r;
  r.outcome = outcome;
  r.host = host;
  r.failure.host = host;
  return r;
}

TEST_CASE("a run whose every registry name failed for want of a resolver: the machine cannot resolve") {
  NoProber none;
  ResolverWatch watch(none);
  CHECK_FALSE(watch.MachineCannotResolve());
  watch.Note(TargetOn("gcr.io"), DnsFailure("gcr.io", EAI_AGAIN));
  watch.Note(TargetOn("docker.io"), DnsFailure("registry-1.docker.io", EAI_AGAIN));
  // Addresses and localhost need no resolver: they neither prove nor disprove it.
  watch.Note(TargetOn("127.0.0.1:5000"), Answered("127.0.0.1:5000", Outcome::kFound));
  watch.Note(TargetOn("localhost:5000"), Answered("localhost:5000", Outcome::kNotFound));
  CHECK(watch.MachineCannotResolve());
  CHECK(watch.Failures() == "gcr.io, registry-1.docker.io: " + std::string(gai_strerror(EAI_AGAIN)));
}

TEST_CASE("names that do not exist, or one name resolved, are findings of their images, not the machine's") {
  NoProber none;
  ResolverWatch nxdomain(none);
  nxdomain.Note(TargetOn("registry.example.com"), DnsFailure("registry.example.com", EAI_NONAME));
  CHECK_FALSE(nxdomain.MachineCannotResolve());

  ResolverWatch one_resolved(none);
  one_resolved.Note(TargetOn("registry.internal"), DnsFailure("registry.internal", EAI_AGAIN));
  one_resolved.Note(TargetOn("ghcr.io"), Answered("ghcr.io", Outcome::kUnauthorized));
  CHECK_FALSE(one_resolved.MachineCannotResolve());

  // A refused connection needed the name resolved first.
  ResolverWatch refused(none);
  refused.Note(TargetOn("registry.internal"), DnsFailure("registry.internal", EAI_AGAIN));
  ProbeResult r = Answered("quay.io", Outcome::kFailed);
  r.failure.transport = TransportError::kConnect;
  refused.Note(TargetOn("quay.io"), r);
  CHECK_FALSE(refused.MachineCannotResolve());
}

TEST_CASE("a name a proxy resolved proves nothing about this machine's resolver") {
  NoProber none;
  ResolverWatch watch(none);
  watch.Note(TargetOn("registry.internal"), DnsFailure("registry.internal", EAI_AGAIN));
  ProbeTarget through = TargetOn("ghcr.io");
  through.proxy = std::make_shared<const ProxyRules>(ProxySettings{"http://proxy.corp:3128", "", "registry.internal"});
  watch.Note(through, Answered("ghcr.io", Outcome::kFound));
  CHECK(watch.MachineCannotResolve());
  CHECK(NeedsLookup("ghcr.io"));
  CHECK(NeedsLookup("registry.internal:5000"));
  CHECK_FALSE(NeedsLookup("10.1.2.3:5000"));
  CHECK_FALSE(NeedsLookup("[fd00::1]:5000"));
  CHECK_FALSE(NeedsLookup("localhost:5000"));
}

}  // namespace
}  // namespace pullguard::registry
