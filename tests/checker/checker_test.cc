// The checker's syntax and policy-rule findings, with their fixes.
#include <catch2/catch.hpp>

#include "checker/checker.h"
#include "policy/policy_yaml.h"

namespace pullguard::checker {
namespace {

std::vector<Finding> CheckOne(const std::string& image, const policy::Policy& policy = {}) {
  Checker checker;
  CheckRequest request;
  request.ns = "ns";
  request.images = {{"spec.containers[0].image", image}};
  return checker.Check(request, policy);
}

TEST_CASE("invalid references become InvalidReference with a concrete fix") {
  struct Case {
    const char* image;
    const char* line;
  };
  const Case cases[] = {
      {"Team/app:1",
       "spec.containers[0].image \"Team/app:1\": InvalidReference: repository name must be lowercase (\"Team\" has no "
       "'.' or ':', so it is no registry host); write \"team/app:1\""},
      {"ghcr.io/Org/App:V1", "spec.containers[0].image \"ghcr.io/Org/App:V1\": InvalidReference: repository name must "
                             "be lowercase; write \"ghcr.io/org/app:V1\""},
      {"", "spec.containers[0].image \"\": InvalidReference: the image is empty; set the image, e.g. \"nginx:1.25\""},
      {"nginx@sha256:abc",
       "spec.containers[0].image \"nginx@sha256:abc\": InvalidReference: invalid digest format \"sha256:abc\": "
       "expected ALGORITHM:HEX such as sha256:<64 hex>; use [registry[:port]/]repository[:tag][@sha256:digest]"},
      {"nginx@sha256:0123456789abcdef0123456789abcdef0123",
       "spec.containers[0].image \"nginx@sha256:0123456789abcdef0123456789abcdef0123\": InvalidReference: invalid "
       "checksum digest length: sha256 has 64 hex characters, not 36; copy the digest from the registry (crane digest "
       "/ docker buildx imagetools inspect)"},
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

TEST_CASE("valid images without rules give no findings") {
  for (const char* image : {"nginx", "nginx:1.25", "ghcr.io/a/b:1",
                            "[::1]:5000/app:1", "localhost/app"}) {
    INFO(image);
    CHECK(CheckOne(image).empty());
  }
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
  // Exempt images are not even parsed for findings.
  CHECK(CheckOne("ghcr.io/acme/legacy/Bad", policy.value()).empty());
}

}  // namespace
}  // namespace pullguard::checker
