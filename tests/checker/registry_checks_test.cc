// The engine around the prober: cache, coalescing, deadline, stale-if-error, identities.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <thread>

#include "checker/registry_checks.h"

namespace pullguard::checker {
namespace {

using registry::ProbeAnswer;
using registry::ProbeTarget;

// Answers what `answer` says, after `gate` opens; counts calls.
class ScriptedProber : public registry::Prober {
 public:
  std::function<ProbeAnswer(const ProbeTarget&)> answer = [](const ProbeTarget&) {
    ProbeAnswer a;
    a.ok = true;
    return a;
  };
  std::atomic<int> calls{0};
  bool gated = false;
  std::mutex mutex;
  std::condition_variable cv;
  bool open = false;

  ProbeAnswer Probe(const ProbeTarget& t) override {
    ++calls;
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
  t.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  return t;
}

auto Deadline(int ms) { return std::chrono::steady_clock::now() + std::chrono::milliseconds(ms); }

TEST_CASE("identical checks in flight are coalesced into one probe") {
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
  auto answers = checks.Run(targets, policy, Deadline(5000), &stats);
  opener.join();
  CHECK(prober.calls == 1);
  CHECK(stats.probes == 1);
  CHECK(stats.coalesced == 19);
  for (const auto& a : answers) CHECK(a.ok);
  // And now it is cached.
  checks.Run({Target("1.0")}, policy, Deadline(1000), &stats);
  CHECK(stats.cache_hits == 1);
  CHECK(prober.calls == 1);
}

TEST_CASE("the credential identity is part of the cache key") {
  ScriptedProber prober;
  prober.answer = [](const ProbeTarget& t) {
    ProbeAnswer a;
    a.ok = !t.credentials.empty();
    if (!a.ok) a.reason = Reason::kAuthRequired;
    return a;
  };
  RegistryChecks checks(prober, 4);
  policy::Policy policy;
  auth::Credential a{"user", "pass-a", "", "secret ns-a/regcred"};
  CHECK(checks.Run({Target("1.0", {a})}, policy, Deadline(2000))[0].ok);
  ProbeAnswer anonymous = checks.Run({Target("1.0")}, policy, Deadline(2000))[0];
  CHECK_FALSE(anonymous.ok);
  CHECK(anonymous.reason == Reason::kAuthRequired);
  CHECK(RegistryChecks::CacheKey(Target("1.0", {a})) != RegistryChecks::CacheKey(Target("1.0")));
  CHECK(RegistryChecks::CacheKey(Target("1.0", {a})).find("pass-a") == std::string::npos);
}

TEST_CASE("an unanswered check becomes CheckTimedOut at the deadline, and fills the cache later") {
  ScriptedProber prober;
  prober.gated = true;
  RegistryChecks checks(prober, 4);
  policy::Policy policy;
  auto start = std::chrono::steady_clock::now();
  ProbeAnswer a = checks.Run({Target("slow")}, policy, Deadline(100))[0];
  CHECK(a.reason == Reason::kCheckTimedOut);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
  prober.Open();
  for (int i = 0; i < 100 && checks.cached() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(checks.Run({Target("slow")}, policy, Deadline(100))[0].ok);
  CHECK(prober.calls == 1);
}

TEST_CASE("stale-if-error: an old 'exists' stands in for a transient failure, not for a real one") {
  ScriptedProber prober;
  RegistryChecks checks(prober, 4);
  policy::Policy policy;
  policy.cache.positive_ttl = std::chrono::seconds(0);  // every check asks again
  CHECK(checks.Run({Target("1.0")}, policy, Deadline(2000))[0].ok);
  prober.answer = [](const ProbeTarget&) {
    ProbeAnswer a;
    a.reason = Reason::kRegistryUnreachable;
    a.transient = true;
    return a;
  };
  CHECK(checks.Run({Target("1.0")}, policy, Deadline(2000))[0].ok);  // the stale positive
  prober.answer = [](const ProbeTarget&) {
    ProbeAnswer a;
    a.reason = Reason::kTagNotFound;
    return a;
  };
  ProbeAnswer gone = checks.Run({Target("1.0")}, policy, Deadline(2000))[0];
  CHECK(gone.reason == Reason::kTagNotFound);  // a definite answer replaces the old one
  CHECK(prober.calls == 3);
}

TEST_CASE("negative answers are cached for the negative TTL only") {
  ScriptedProber prober;
  prober.answer = [](const ProbeTarget&) {
    ProbeAnswer a;
    a.reason = Reason::kTagNotFound;
    return a;
  };
  RegistryChecks checks(prober, 4);
  policy::Policy policy;
  checks.Run({Target("x")}, policy, Deadline(2000));
  checks.Run({Target("x")}, policy, Deadline(2000));
  CHECK(prober.calls == 1);
  policy.cache.negative_ttl = std::chrono::seconds(0);
  checks.Run({Target("x")}, policy, Deadline(2000));
  CHECK(prober.calls == 2);
}

}  // namespace
}  // namespace pullguard::checker
