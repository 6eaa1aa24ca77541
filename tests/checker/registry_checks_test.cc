// RegistryChecks around a scripted prober: cache, coalescing, the caller's deadline versus
// the probe's own budget, stale-if-error, credential identities.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <thread>

#include "checker/probe_results.h"
#include "checker/registry_checks.h"
#include "support/wait.h"

namespace pullguard::checker {
namespace {

using registry::Outcome;
using registry::ProbeResult;
using registry::ProbeTarget;
using testing::Found;
using testing::WaitFor;


// Answers what `answer` says, after `gate` opens (at most 5 s); counts calls.
class ScriptedProber : public registry::Prober {
 public:
  std::function<ProbeResult(const ProbeTarget&)> answer = [](const ProbeTarget&) { return Found(); };
  std::atomic<int> calls{0};
  std::atomic<bool> gated{false};
  std::mutex mutex;
  std::condition_variable cv;
  bool open = false;
  ProbeTarget last;

  ProbeResult Probe(const ProbeTarget& t) override {
    ++calls;
    {
      std::lock_guard<std::mutex> lock(mutex);
      last = t;
    }
    if (gated) {
      std::unique_lock<std::mutex> lock(mutex);
      cv.wait_for(lock, std::chrono::seconds(5), [&] { return open; });
    }
    return answer(t);
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mutex);
    open = true;
    cv.notify_all();
  }
};

ProbeTarget Target(const std::string& tag, std::vector<auth::Credential> creds = {}) {
  ProbeTarget t;
  t.registry = "r.example";
  t.repository = "app";
  t.reference = tag;
  t.credentials = std::move(creds);
  t.hosts = {registry::UpstreamHost("r.example", false)};
  return t;
}

auto Deadline(int ms) { return std::chrono::steady_clock::now() + std::chrono::milliseconds(ms); }


TEST_CASE("identical checks in flight are coalesced into one probe, then cached") {
  ScriptedProber prober;
  prober.gated = true;
  RegistryChecks checks(prober, 8);
  policy::Policy policy;
  std::vector<ProbeTarget> targets(20, Target("1.0"));
  RegistryCheckStats stats;
  std::thread opener([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    prober.Open();
  });
  auto answers = checks.Run(targets, policy, Deadline(5000), "review-1", &stats);
  opener.join();
  CHECK(prober.calls == 1);
  CHECK(stats.probes == 1);
  CHECK(stats.coalesced == 19);
  for (const auto& a : answers) CHECK((a.result && a.result->ok()));
  checks.Run({Target("1.0")}, policy, Deadline(1000), "review-2", &stats);
  CHECK(stats.cache_hits == 1);
  CHECK(prober.calls == 1);
}

TEST_CASE("the credential identity is part of the cache key, never the credential") {
  ScriptedProber prober;
  prober.answer = [](const ProbeTarget& t) {
    ProbeResult r;
    r.outcome = t.credentials.empty() ? Outcome::kUnauthorized : Outcome::kFound;
    return r;
  };
  RegistryChecks checks(prober, 4);
  policy::Policy policy;
  auth::Credential a{"user", "pass-a", "", "secret ns-a/regcred"};
  CHECK(checks.Run({Target("1.0", {a})}, policy, Deadline(2000))[0].result->ok());
  CHECK(checks.Run({Target("1.0")}, policy, Deadline(2000))[0].result->outcome == Outcome::kUnauthorized);
  CHECK(RegistryChecks::CacheKey(Target("1.0", {a})) != RegistryChecks::CacheKey(Target("1.0")));
  CHECK(RegistryChecks::CacheKey(Target("1.0", {a})).find("pass-a") == std::string::npos);
  ProbeTarget mirrored = Target("1.0");
  mirrored.hosts.front().ca_file = "/other/ca.pem";
  CHECK(RegistryChecks::CacheKey(mirrored) != RegistryChecks::CacheKey(Target("1.0")));
}

TEST_CASE("regression: the probe has its own budget, a late answer fills the cache") {
  // The probe used to take its first caller's deadline: a registry slower than one review's
  // budget timed out on every review and was never cached.
  ScriptedProber prober;
  prober.gated = true;
  RegistryChecks checks(prober, 4);
  policy::Policy policy;
  policy.timeouts.probe = std::chrono::milliseconds(4000);
  auto start = std::chrono::steady_clock::now();
  CheckAnswer first = checks.Run({Target("slow")}, policy, Deadline(100), "review-1")[0];
  CHECK_FALSE(first.result);
  CHECK(first.why == "no answer from r.example before the admission deadline");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  {
    std::lock_guard<std::mutex> lock(prober.mutex);
    CHECK(prober.last.deadline - start >= std::chrono::milliseconds(3900));  // not the caller's 100 ms
  }
  prober.Open();
  REQUIRE(WaitFor([&] { return checks.cached() == 1; }));
  CheckAnswer second = checks.Run({Target("slow")}, policy, Deadline(100), "review-2")[0];
  REQUIRE(second.result);
  CHECK(second.result->ok());
  CHECK(prober.calls == 1);
}

TEST_CASE("regression: a review joining a check in flight waits only until its own deadline") {
  ScriptedProber prober;
  prober.gated = true;
  RegistryChecks checks(prober, 4);
  policy::Policy policy;
  std::thread patient([&] { checks.Run({Target("x")}, policy, Deadline(3000), "patient"); });
  REQUIRE(WaitFor([&] { return prober.calls.load() == 1; }));
  auto start = std::chrono::steady_clock::now();
  CheckAnswer hurried = checks.Run({Target("x")}, policy, Deadline(150), "hurried")[0];
  auto waited = std::chrono::steady_clock::now() - start;
  CHECK_FALSE(hurried.result);
  CHECK(waited < std::chrono::milliseconds(1500));
  prober.Open();
  patient.join();
  CHECK(prober.calls == 1);
}

TEST_CASE("stale-if-error: an old 'exists' stands in for a transient failure, not for a real one") {
  ScriptedProber prober;
  RegistryChecks checks(prober, 4);
  policy::Policy policy;
  policy.cache.positive_ttl = std::chrono::seconds(0);  // every check asks again
  CHECK(checks.Run({Target("1.0")}, policy, Deadline(2000))[0].result->ok());
  prober.answer = [](const ProbeTarget&) {
    ProbeResult r;
    r.failure.transport = registry::TransportError::kConnect;
    return r;
  };
  CHECK(checks.Run({Target("1.0")}, policy, Deadline(2000))[0].result->ok());  // the stale positive
  prober.answer = [](const ProbeTarget&) {
    ProbeResult r;
    r.outcome = Outcome::kNotFound;
    return r;
  };
  CHECK(checks.Run({Target("1.0")}, policy, Deadline(2000))[0].result->outcome == Outcome::kNotFound);
  CHECK(prober.calls == 3);
}

TEST_CASE("negative answers are cached for the negative TTL only, transient ones not at all") {
  ScriptedProber prober;
  prober.answer = [](const ProbeTarget&) {
    ProbeResult r;
    r.outcome = Outcome::kNotFound;
    return r;
  };
  RegistryChecks checks(prober, 4);
  policy::Policy policy;
  checks.Run({Target("x")}, policy, Deadline(2000));
  checks.Run({Target("x")}, policy, Deadline(2000));
  CHECK(prober.calls == 1);
  policy.cache.negative_ttl = std::chrono::seconds(0);
  checks.Run({Target("x")}, policy, Deadline(2000));
  CHECK(prober.calls == 2);
  prober.answer = [](const ProbeTarget&) {
    ProbeResult r;
    r.failure.status = 503;
    return r;
  };
  checks.Run({Target("y")}, policy, Deadline(2000));
  checks.Run({Target("y")}, policy, Deadline(2000));
  CHECK(prober.calls == 4);
  CHECK(checks.in_flight() == 0);
}

TEST_CASE("a prober that throws answers its callers with a failure instead of leaving them waiting") {
  ScriptedProber prober;
  prober.answer = [](const ProbeTarget&) -> ProbeResult { throw std::runtime_error("bug"); };
  RegistryChecks checks(prober, 2);
  auto start = std::chrono::steady_clock::now();
  CheckAnswer a = checks.Run({Target("x")}, policy::Policy{}, Deadline(3000))[0];
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  REQUIRE(a.result);
  CHECK(a.result->outcome == Outcome::kFailed);
  CHECK_THAT(a.result->failure.transport_detail, Catch::Contains("internal error: bug"));
}

}  // namespace
}  // namespace pullguard::checker
