// The nodes' side of a pull: the pull policy the API server defaults, the nodes a pod may land
// on, which of them list an image; and CheckPod with imagePullPolicy Never (the registry is
// never asked, the nodes decide) through a node source that counts its calls.
#include <catch2/catch.hpp>

#include <atomic>

#include "checker/checker.h"
#include "checker/node_images.h"
#include "policy/policy_yaml.h"

namespace pullguard::checker {
namespace {

reference::Image Img(const std::string& s) {
  auto image = reference::ParseImage(s);
  REQUIRE(image.ok());
  return image.value();
}

TEST_CASE("imagePullPolicy as the API server defaults it") {
  const std::string digest = "@sha256:" + std::string(64, 'a');
  CHECK(PullPolicyOf("", Img("nginx")) == PullPolicy::kAlways);
  CHECK(PullPolicyOf("", Img("nginx:latest")) == PullPolicy::kAlways);
  CHECK(PullPolicyOf("", Img("nginx:latest" + digest)) == PullPolicy::kAlways);
  CHECK(PullPolicyOf("", Img("nginx:1.25")) == PullPolicy::kIfNotPresent);
  CHECK(PullPolicyOf("", Img("nginx" + digest)) == PullPolicy::kIfNotPresent);
  CHECK(PullPolicyOf("Never", Img("nginx")) == PullPolicy::kNever);
  CHECK(PullPolicyOf("IfNotPresent", Img("nginx:latest")) == PullPolicy::kIfNotPresent);
  CHECK(PullPolicyOf("Always", Img("nginx:1.25")) == PullPolicy::kAlways);
  CHECK(PullPolicyOf("sometimes", Img("nginx:1.25")) == PullPolicy::kAlways);
}

std::vector<NodeInfo> Nodes() {
  const std::string digest = "sha256:" + std::string(64, 'b');
  return {
      {"a1", {{"kubernetes.io/arch", "amd64"}, {"pool", "web"}},
       {"docker.io/library/nginx:1.25", "docker.io/library/nginx@" + digest, "<none>@<none>"}},
      {"a2", {{"kubernetes.io/arch", "amd64"}, {"pool", "batch"}}, {"registry.k8s.io/pause:3.9"}},
      {"r1", {{"kubernetes.io/arch", "arm64"}, {"pool", "web"}}, {"nginx:1.25"}},  // short names normalize too
  };
}

Placement Selector(std::map<std::string, std::string> selector) {
  Placement p;
  p.node_selector = std::move(selector);
  return p;
}

TEST_CASE("the nodes a pod may land on, and which of them list an image by tag or by digest") {
  auto nodes = Nodes();
  CHECK(EligibleNodes(nodes, Placement{}).size() == 3);
  auto web = EligibleNodes(nodes, Selector({{"pool", "web"}}));
  REQUIRE(web.size() == 2);
  CHECK(web[0]->name == "a1");
  CHECK(web[1]->name == "r1");
  CHECK(EligibleNodes(nodes, Selector({{"pool", "web"}, {"kubernetes.io/arch", "arm64"}})).size() == 1);
  CHECK(EligibleNodes(nodes, Selector({{"pool", "gpu"}})).empty());

  NodeImageIndex index(nodes);
  CHECK(index.Holders(Img("nginx:1.25").Normalized()).size() == 2);
  CHECK(index.Holders(Img("nginx:1.26").Normalized()).empty());
  CHECK(index.Holders(Img("nginx@sha256:" + std::string(64, 'b')).Normalized()).size() == 1);
  CHECK(index.Holders(Img("nginx:1.25@sha256:" + std::string(64, 'c')).Normalized()).empty());  // the digest decides
}

TEST_CASE("a holding says which nodes hold the image, and how many of those the pod may land on") {
  NodeHolding all{true, 2, {"a1", "r1"}, false};
  CHECK(all.OnEveryNode());
  CHECK(all.Describe() == "on all 2 nodes the pod may land on (a1, r1)");
  NodeHolding some{true, 5, {"n1", "n2", "n3", "n4"}, false};
  CHECK_FALSE(some.OnEveryNode());
  CHECK(some.OnSomeNode());
  CHECK(some.Describe() == "on 4 of 5 nodes the pod may land on (n1, n2, n3 and 1 more)");
  NodeHolding listed{false, 0, {}, true};
  CHECK(listed.OnEveryNode());
  CHECK_THAT(listed.Describe(), Catch::Contains("pre-pulled"));
  NodeHolding none{true, 0, {}, false};
  CHECK_FALSE(none.OnEveryNode());  // no node to land on is not "every node"
  CHECK_FALSE(none.OnSomeNode());
}

class CountingNodes : public NodeSource {
 public:
  explicit CountingNodes(std::vector<NodeInfo> nodes) : nodes_(std::make_shared<std::vector<NodeInfo>>(std::move(nodes))) {}
  Result<NodeList> Nodes() override {
    ++calls;
    if (fail) return Status::Unavailable("the API is down");
    return NodeList(nodes_);
  }
  std::atomic<int> calls{0};
  bool fail = false;

 private:
  std::shared_ptr<std::vector<NodeInfo>> nodes_;
};

PodToCheck NeverPod(const std::string& image, std::map<std::string, std::string> selector = {}) {
  PodToCheck pod;
  pod.kind = "Pod";
  pod.ns = "ns";
  pod.prefix = "spec";
  pod.spec.images.push_back({"spec.containers[0].image", image, "Never"});
  pod.spec.placement.node_selector = std::move(selector);
  return pod;
}

TEST_CASE("imagePullPolicy Never: no finding when a node the pod may land on lists the image") {
  CountingNodes nodes(Nodes());
  Checker checker({nullptr, nullptr, &nodes});
  CHECK(checker.CheckPod(NeverPod("nginx:1.25"), {}).findings.empty());
  CHECK(checker.CheckPod(NeverPod("nginx:1.25", {{"pool", "web"}}), {}).findings.empty());
  CHECK(nodes.calls == 2);
}

TEST_CASE("imagePullPolicy Never: ImageNotOnNodes when no node it may land on lists it, absence said to be no proof") {
  CountingNodes nodes(Nodes());
  Checker checker({nullptr, nullptr, &nodes});
  auto missing = checker.CheckPod(NeverPod("nginx:1.26"), {}).findings;
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].reason == Reason::kImageNotOnNodes);
  CHECK(missing[0].path == "spec.containers[0].image");
  CHECK_THAT(missing[0].detail, Catch::Contains("none of the 3 nodes the pod may land on lists it"));
  CHECK_THAT(missing[0].detail, Catch::Contains("at most 50 images"));
  // The pause image is on a2 only; a nodeSelector for the web pool leaves it out.
  CHECK(checker.CheckPod(NeverPod("registry.k8s.io/pause:3.9"), {}).findings.empty());
  auto narrowed = checker.CheckPod(NeverPod("registry.k8s.io/pause:3.9", {{"pool", "web"}}), {}).findings;
  REQUIRE(narrowed.size() == 1);
  CHECK_THAT(narrowed[0].detail, Catch::Contains("none of the 2 nodes"));
  // Default action: warn (absence is not proof).
  CHECK(policy::Decide(narrowed, {}).allowed());
}

TEST_CASE("imagePullPolicy Never: the policy's prepulled list stands for the nodes, unknown nodes say nothing") {
  CountingNodes nodes(Nodes());
  Checker checker({nullptr, nullptr, &nodes});
  auto policy = policy::ParsePolicy("prepulled: [\"docker.io/library/nginx:*\"]\n", "test");
  REQUIRE(policy.ok());
  CHECK(checker.CheckPod(NeverPod("nginx:1.26"), policy.value()).findings.empty());
  nodes.fail = true;
  CHECK(checker.CheckPod(NeverPod("nginx:9"), {}).findings.empty());
  Checker offline;
  CHECK(offline.CheckPod(NeverPod("nginx:9"), {}).findings.empty());
  // Syntax still counts: the kubelet refuses an invalid name whatever the policy.
  auto invalid = offline.CheckPod(NeverPod("Bad:Image"), {}).findings;
  REQUIRE(invalid.size() == 1);
  CHECK(invalid[0].reason == Reason::kInvalidReference);
}

TEST_CASE("a finding marked at_most_warn is never a denial, whatever the policy says") {
  Finding f;
  f.reason = Reason::kTagNotFound;
  f.at_most_warn = true;
  policy::Verdict v = policy::Decide({f}, {});
  CHECK(v.denials.empty());
  REQUIRE(v.warnings.size() == 1);
  auto ignoring = policy::ParsePolicy("actions:\n  TagNotFound: ignore\n", "test");
  REQUIRE(ignoring.ok());
  CHECK(policy::Decide({f}, ignoring.value()).warnings.empty());  // never raised either
}

}  // namespace
}  // namespace pullguard::checker
