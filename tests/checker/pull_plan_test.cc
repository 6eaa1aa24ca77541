// The first stage of a check, PlanPulls: parse once, rules, and who pulls what.
#include <catch2/catch.hpp>

#include "checker/pull_plan.h"
#include "policy/policy_yaml.h"

namespace pullguard::checker {
namespace {

PodToCheck PodWithPolicies(const std::vector<std::pair<std::string, std::string>>& images) {  // image, pull policy
  PodToCheck pod;
  pod.kind = "Pod";
  pod.ns = "ns";
  pod.prefix = "spec";
  for (size_t i = 0; i < images.size(); ++i) {
    pod.spec.images.push_back({"spec.containers[" + std::to_string(i) + "].image", images[i].first, images[i].second});
  }
  return pod;
}

TEST_CASE("each image lands in one place: probed, never pulled, unchecked or a finding") {
  auto policy = policy::ParsePolicy(R"(rules:
  allowedRegistries: {registries: [docker.io, ghcr.io], action: deny}
  latestTag: {action: ignore}
exemptions:
  images: ["ghcr.io/acme/sandbox/**"]
)", "p.yaml");
  REQUIRE(policy.ok());
  struct Case {
    const char* image;
    const char* pull_policy;
    size_t probed, never, findings, images;
    bool unchecked;
  };
  const Case cases[] = {
      {"nginx:1.25", "", 1, 0, 0, 1, false},
      {"nginx:1.25", "Never", 0, 1, 0, 1, false},
      {"ghcr.io/acme/sandbox/tool:1", "", 0, 0, 0, 0, true},  // exempt: pulled all the same
      {"quay.io/x/y:1", "", 0, 0, 1, 1, true},                 // registry not allowed: a rule finding
      {"Bad:Image", "", 0, 0, 1, 1, false},                     // does not parse
  };
  for (const auto& c : cases) {
    INFO(c.image << " " << c.pull_policy);
    PullPlan plan = PlanPulls(PodWithPolicies({{c.image, c.pull_policy}}), policy.value(), true);
    CHECK(plan.to_probe.size() == c.probed);
    CHECK(plan.never_pulled.size() == c.never);
    CHECK(plan.findings.size() == c.findings);
    CHECK(plan.images == c.images);
    CHECK(plan.unchecked_pulls == c.unchecked);
  }
}

TEST_CASE("an image named by many containers is parsed once and known images are left out") {
  PodToCheck pod = PodWithPolicies({{"nginx:1", ""}, {"nginx:1", ""}, {"redis:7", ""}});
  pod.known_images = {"redis:7"};
  PullPlan plan = PlanPulls(pod, policy::Policy{}, true);
  CHECK(plan.parsed.size() == 1);
  REQUIRE(plan.to_probe.size() == 2);
  CHECK(plan.to_probe[0].parsed == plan.to_probe[1].parsed);
  CHECK(plan.images == 2);
}

TEST_CASE("offline, a capitalised single-label host is a warned guess, not a probe") {
  PullPlan offline = PlanPulls(PodWithPolicies({{"Team/worker:1.0", ""}}), policy::Policy{}, false);
  CHECK(offline.to_probe.empty());
  REQUIRE(offline.findings.size() == 1);
  CHECK(offline.findings[0].reason == Reason::kRegistryUnresolvable);
  CHECK(offline.findings[0].action == Action::kWarn);
  PullPlan online = PlanPulls(PodWithPolicies({{"Team/worker:1.0", ""}}), policy::Policy{}, true);
  CHECK(online.to_probe.size() == 1);
  CHECK(online.findings.empty());
}

}  // namespace
}  // namespace pullguard::checker
