// The node's own credentials in a verdict (checker/node_credential_findings.h): which registry
// answers a node plugin's credential could change (a warning, NodeCredentialsUnverified) and
// which it could not (judged as on any registry), and that decision through CheckPod.
#include <catch2/catch.hpp>

#include <chrono>

#include "checker/checker.h"
#include "checker/node_credential_findings.h"
#include "policy/policy.h"

namespace pullguard::checker {
namespace {

using registry::Outcome;
using registry::RepositoryState;

// Answers every probe with `answer`, anonymous when the target carries no credential.
class FixedAnswerProber : public registry::Prober {
 public:
  explicit FixedAnswerProber(registry::ProbeResult answer) : answer_(std::move(answer)) {}
  registry::ProbeResult Probe(const registry::ProbeTarget& target) override {
    registry::ProbeResult r = answer_;
    r.anonymous = target.credentials.empty();
    return r;
  }

 private:
  const registry::ProbeResult answer_;
};

registry::ProbeResult NotFoundWithTagsList(RepositoryState repository) {
  registry::ProbeResult r;
  r.outcome = Outcome::kNotFound;
  r.repository = repository;
  r.failure.status = 404;
  return r;
}

TEST_CASE("an anonymous 404 under a node plugin's registry is unverified unless anyone may read the repository") {
  struct Case {
    const char* what;
    Outcome outcome;
    bool anonymous;
    RepositoryState repository;
    const char* provider;
    bool unverified;
  };
  const Case cases[] = {
      {"401: the node's credential may pass", Outcome::kUnauthorized, true, RepositoryState::kUnknown, "auth-provider-gcp", true},
      {"403: likewise", Outcome::kForbidden, true, RepositoryState::kUnknown, "auth-provider-gcp", true},
      {"anonymous 404, tags list refused or failed", Outcome::kNotFound, true, RepositoryState::kUnknown,
       "auth-provider-gcp", true},
      {"anonymous 404, tags list 404: a private repository hides so too", Outcome::kNotFound, true,
       RepositoryState::kMissing, "auth-provider-gcp", true},
      // regression: a mistyped tag of a public image under a preset host only warned.
      {"anonymous 404, tags list 200: a public repository, the tag is missing for anyone", Outcome::kNotFound, true,
       RepositoryState::kExists, "auth-provider-gcp", false},
      {"404 to a credential: the registry's answer", Outcome::kNotFound, false, RepositoryState::kUnknown, "fake-ecr", false},
      {"no node plugin matches: the registry's answer", Outcome::kNotFound, true, RepositoryState::kUnknown, "", false},
      {"found", Outcome::kFound, true, RepositoryState::kUnknown, "auth-provider-gcp", false},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    registry::ProbeResult r;
    r.outcome = c.outcome;
    r.anonymous = c.anonymous;
    r.repository = c.repository;
    auth::NodeCredentialAnswer node;
    node.provider = c.provider;
    node.unverified_because = "no credential provider plugin configured";
    CHECK(NeedsNodeCredentials(r, node) == c.unverified);
  }
}

TEST_CASE("regression: a mistyped tag of a public image under a preset host is denied, not warned") {
  // The presets (ECR, GCR and Artifact Registry, ACR) made every anonymous 404 there a
  // NodeCredentialsUnverified warning; a tags list the anonymous caller may read proves the
  // repository public, so the 404 denies as on any public registry.
  const std::string zeros = "sha256:" + std::string(64, '0');
  struct Case {
    std::string image;
    RepositoryState repository;
    bool presets;
    Reason reason;
    bool allowed;
  };
  const Case cases[] = {
      {"gcr.io/acme/app:1.O", RepositoryState::kExists, true, Reason::kTagNotFound, false},
      {"europe-west1-docker.pkg.dev/acme/shop/app:1.O", RepositoryState::kExists, true, Reason::kTagNotFound, false},
      {"public.ecr.aws/acme/app:1.O", RepositoryState::kExists, true, Reason::kTagNotFound, false},
      {"gcr.io/acme/app@" + zeros, RepositoryState::kExists, true, Reason::kDigestNotFound, false},
      // The repository may be private: the node's credentials could find it. Still a warning.
      {"gcr.io/acme/app:1.O", RepositoryState::kUnknown, true, Reason::kNodeCredentialsUnverified, true},
      {"gcr.io/acme/app:1.O", RepositoryState::kMissing, true, Reason::kNodeCredentialsUnverified, true},
      {"gcr.io/acme/app@" + zeros, RepositoryState::kUnknown, true, Reason::kNodeCredentialsUnverified, true},
      // Without the presets, no node plugin: the registry's answer, as before.
      {"gcr.io/acme/app:1.O", RepositoryState::kUnknown, false, Reason::kTagNotFound, false},
  };
  for (const auto& c : cases) {
    INFO(c.image << " tags list " << static_cast<int>(c.repository) << " presets " << c.presets);
    FixedAnswerProber prober(NotFoundWithTagsList(c.repository));
    Checker checker(prober, {}, 2);
    policy::Policy with_presets;
    with_presets.node_credentials.presets = c.presets;
    PodToCheck pod;
    pod.kind = "Pod";
    pod.ns = "ns";
    pod.prefix = "spec";
    pod.spec.images.push_back({"spec.containers[0].image", c.image, ""});
    pod.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::vector<Finding> findings = checker.CheckPod(pod, with_presets).findings;
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].reason == c.reason);
    if (c.reason == Reason::kNodeCredentialsUnverified) {
      CHECK_THAT(findings[0].detail, Catch::Contains("(auth-provider-gcp)"));
    }
    CHECK(policy::Decide(findings, with_presets).allowed() == c.allowed);
  }
}

}  // namespace
}  // namespace pullguard::checker
