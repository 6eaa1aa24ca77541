// CheckPod without registries: syntax and policy-rule findings, with their fixes.
#include <catch2/catch.hpp>

#include "checker/checker.h"
#include "policy/default_policy.h"
#include "policy/policy_yaml.h"

namespace pullguard::checker {
namespace {

PodToCheck Pod(const std::vector<std::string>& images) {
  PodToCheck pod;
  pod.kind = "Pod";
  pod.ns = "ns";
  pod.prefix = "spec";
  for (size_t i = 0; i < images.size(); ++i) {
    pod.spec.images.push_back({"spec.containers[" + std::to_string(i) + "].image", images[i], ""});
  }
  return pod;
}

std::vector<Finding> CheckOne(const std::string& image, const policy::Policy& policy = {}) {
  Checker checker;
  return checker.CheckPod(Pod({image}), policy).findings;
}

TEST_CASE("invalid references become InvalidReference with a concrete fix") {
  struct Case {
    const char* image;
    const char* line;
  };
  const Case cases[] = {
      {"ghcr.io/Org/App:V1", "spec.containers[0].image \"ghcr.io/Org/App:V1\": InvalidReference: repository name must "
                             "be lowercase; write \"ghcr.io/org/app:V1\""},
      {"", "spec.containers[0].image \"\": InvalidReference: the image is empty; set the image, e.g. \"nginx:1.25\""},
      {"nginx@sha256:abc",
       "spec.containers[0].image \"nginx@sha256:abc\": InvalidReference: invalid digest format \"sha256:abc\": "
       "expected ALGORITHM:HEX such as sha256:<64 hex>; use [registry[:port]/]repository[:tag][@sha256:digest]"},
      {"nginx@sha256:0123456789abcdef0123456789abcdef0123",
       "spec.containers[0].image \"nginx@sha256:0123456789abcdef0123456789abcdef0123\": InvalidReference: invalid "
       "checksum digest length: sha256 has 64 hex characters, not 36; copy the digest from the registry (skopeo "
       "inspect docker://IMAGE:TAG shows it)"},
      {"http://localhost:5000/app", "spec.containers[0].image \"http://localhost:5000/app\": InvalidReference: remove "
                                    "\"http://\": an image reference has no URL scheme; write \"localhost:5000/app\""},
  };
  for (const auto& c : cases) {
    INFO(c.image);
    auto findings = CheckOne(c.image);
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].reason == Reason::kInvalidReference);
    CHECK(FormatFinding(findings[0]) == c.line);
  }
}

TEST_CASE("regression: Team/worker names a registry host, as the grammar says, offline it is a warned guess") {
  // The old rule called it InvalidReference ("no registry host"), against distribution's
  // grammar: the kubelet passes it on, and the runtime fails on DNS for host "Team".
  auto findings = CheckOne("Team/worker:1.0");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].reason == Reason::kRegistryUnresolvable);
  CHECK(findings[0].action == Action::kWarn);
  CHECK(findings[0].action_fixed);
  CHECK(FormatFinding(findings[0]) ==
        "spec.containers[0].image \"Team/worker:1.0\": RegistryUnresolvable: did you mean \"team/worker:1.0\"? \"Team\" "
        "is a host; the kubelet would pull from a registry named Team (not looked up: offline); Docker Hub names are "
        "lowercase");
  policy::Verdict verdict = policy::Decide(findings, policy::Policy{});
  CHECK(verdict.allowed());
  // A real host keeps its case; uppercase in the path is still the grammar's error.
  CHECK(CheckOne("Registry.Example.com/team/app:1").empty());
  CHECK(CheckOne("sha384-app@sha384:" + std::string(96, 'a')).empty());  // go-digest registers sha384
}

TEST_CASE("valid images without rules give no findings") {
  policy::Policy no_rules;
  no_rules.rules.latest_tag = Action::kIgnore;  // the built-in policy warns on :latest
  for (const char* image : {"nginx", "nginx:1.25", "ghcr.io/a/b:1", "[::1]:5000/app:1", "localhost/app"}) {
    INFO(image);
    CHECK(CheckOne(image, no_rules).empty());
  }
  CHECK(CheckOne("nginx").size() == 1);  // the built-in policy's latestTag warning
}

TEST_CASE("policy rules give PolicyViolation findings with their own actions") {
  auto policy = policy::ParsePolicy(R"(rules:
  allowedRegistries: {registries: [ghcr.io, "*.example.com"], action: deny}
  latestTag: {action: warn}
  requireDigest: {action: warn}
exemptions:
  images: ["ghcr.io/acme/legacy/**"]
)", "p.yaml");
  REQUIRE(policy.ok());
  auto findings = CheckOne("quay.io/org/app", policy.value());
  REQUIRE(findings.size() == 3);
  CHECK(findings[0].detail == "registry quay.io is not allowed");
  CHECK(findings[0].fix == "use one of: ghcr.io, *.example.com");
  CHECK(findings[0].action == Action::kDeny);
  CHECK(findings[0].normalized == "quay.io/org/app:latest");
  CHECK(findings[1].detail == "no tag, so it pulls :latest");
  CHECK(findings[1].action == Action::kWarn);
  CHECK(findings[2].detail == "a digest is required");
  CHECK(CheckOne("registry.example.com/app:1@sha256:" + std::string(64, 'a'), policy.value()).empty());
  CHECK(CheckOne("ghcr.io/acme/legacy/tool", policy.value()).empty());  // exempt
  CHECK(CheckOne("ghcr.io/acme/legacy/Bad", policy.value()).empty());   // exempt before parsing
}

TEST_CASE("images the old object ran are not checked again, and count as not checked") {
  Checker checker;
  PodToCheck pod = Pod({"nginx@sha256:abc", "Bad:Image"});
  pod.known_images = {"nginx@sha256:abc"};
  PodReport report = checker.CheckPod(pod, {});
  CHECK(report.images == 1);
  REQUIRE(report.findings.size() == 1);
  CHECK(report.findings[0].image == "Bad:Image");
}

}  // namespace
}  // namespace pullguard::checker
