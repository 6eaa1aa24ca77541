// One registry check per distinct image and credentials per cycle, whatever the registry
// answers (audit/cycle_prober.h).
#include <catch2/catch.hpp>

#include "audit/cycle_prober.h"

namespace pullguard::audit {
namespace {

class FakeProber : public registry::Prober {
 public:
  registry::ProbeResult Probe(const registry::ProbeTarget& target) override {
    ++calls;
    registry::ProbeResult r;
    if (target.reference == "limited") {
      r.outcome = registry::Outcome::kFailed;
      r.failure.status = 429;  // toomanyrequests: transient
    } else {
      r.outcome = registry::Outcome::kFound;
    }
    return r;
  }
  int calls = 0;
};

registry::ProbeTarget Target(const std::string& reference, const std::string& host = "registry.example.com") {
  registry::ProbeTarget t;
  t.registry = host;
  t.repository = "team/app";
  t.reference = reference;
  registry::RegistryHost h;
  h.host = host;
  t.hosts.push_back(h);
  return t;
}

TEST_CASE("audit: a rate-limited check is asked once per cycle, not once per workload") {
  FakeProber inner;
  CycleProber prober(inner);
  for (int i = 0; i < 5; ++i) {
    registry::ProbeResult r = prober.Probe(Target("limited"));
    CHECK(r.Transient());
  }
  CHECK(inner.calls == 1);
  CHECK(prober.probes() == 1);
  // Another image is another check.
  prober.Probe(Target("1.0"));
  CHECK(prober.probes() == 2);
  // An answer the checker's cache keeps is not kept here (the cache answers the next one).
  prober.Probe(Target("1.0"));
  CHECK(inner.calls == 3);
  CHECK(prober.probes() == 3);
  // The same reference at another registry is another check.
  prober.Probe(Target("limited", "other.example.com"));
  CHECK(inner.calls == 4);
}

}  // namespace
}  // namespace pullguard::audit
