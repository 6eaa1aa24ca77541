// Judging as the node would, end to end: the real webhook with --kubeconfig against the fake
// API, whose nodes list images in status.images, and real registries on 127.0.0.1 (a TLS
// docker-registry, and a fault server whose hang/* never answers). imagePullPolicy Never is
// decided by the nodes alone; IfNotPresent with the image already on nodes is never denied
// for what the registry says (or does not say), and the warning names the nodes.
#include <catch2/catch.hpp>

#include "integration/registry_env.h"
#include "support/fake_api_server.h"
#include "support/fault_server.h"
#include "support/image_fixtures.h"
#include "support/registry_server.h"

namespace pullguard::testing {
namespace {

using nlohmann::json;

// A pod review whose containers have `pull_policy` ("" leaves it to the API server's default).
json PolicyReview(const std::string& ns, const std::string& image, const std::string& pull_policy,
                  const std::map<std::string, std::string>& node_selector = {}) {
  json review = PodReview(ns, {image}, {}, node_selector);
  if (!pull_policy.empty()) review["request"]["object"]["spec"]["containers"][0]["imagePullPolicy"] = pull_policy;
  return review;
}

// Two pools of nodes: web-1 (pool=web) and batch-1 (pool=batch), holding what each test says.
struct Cluster {
  TempDir dir;
  std::string certs = MakeCerts(dir, "registry-certs");
  RegistryServer registry{certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", RegistryOptions{}};
  FaultServer faults;
  std::string api_certs = MakeCerts(dir, "api-certs");
  FakeApiServer api{api_certs + "/tls.crt", api_certs + "/tls.key", "tok"};
  std::string hanging = faults.host() + "/hang/app:1.0";
  std::string deleted = registry.host() + "/team/app:0.9";  // on a node, gone from the registry
  std::string kubeconfig;

  Cluster() {
    PushSingle(registry, "team/app", "1.0", "linux/amd64");
    // As the kubelet reports them: full names, a tag form and a digest form.
    api.AddNode("web-1", "linux", "amd64", {{hanging, faults.host() + "/hang/app@sha256:" + std::string(64, 'e')}, {deleted}},
                {{"pool", "web"}});
    api.AddNode("batch-1", "linux", "amd64", {{"registry.k8s.io/pause:3.9"}}, {{"pool", "batch"}});
    api.AddServiceAccount("shop", "default", {});
    kubeconfig = dir.Write("kubeconfig", api.Kubeconfig(api_certs + "/ca.crt", dir.Write("token", "tok")));
  }
  std::string Policy(const std::string& extra = "") const {
    return "registries:\n  - host: \"" + faults.host() + "\"\n    insecure: true\n    allowPrivateAddress: true\n" +
           "  - host: \"127.0.0.1:*\"\n    caFile: " + certs + "/ca.crt\n    allowPrivateAddress: true\n" +
           "platforms: [linux/amd64]\nplatformsFromNodes: false\n" + extra;
  }
};

TEST_CASE("IfNotPresent while the registry hangs: the image on every node the pod may land on admits it, nodes named",
          "[integration][nodes]") {
  Cluster c;
  WebhookProcess webhook(c.Policy(), {"--kubeconfig", c.kubeconfig});
  // nodeSelector pool=web: web-1 is the only node it may land on, and it holds the image.
  Decision all = Ask(webhook, PolicyReview("shop", c.hanging, "", {{"pool", "web"}}), "3s");
  CHECK(all.allowed);
  REQUIRE(all.warnings.size() == 1);
  CHECK_THAT(all.warnings[0], Catch::Contains("CheckTimedOut"));
  CHECK_THAT(all.All(), Catch::Contains("imagePullPolicy IfNotPresent and the image is on all 1 node the pod may land on (web-1), so the pod starts"));

  // Anywhere: web-1 holds it, batch-1 does not.
  Decision some = Ask(webhook, PolicyReview("shop", c.hanging, "IfNotPresent"), "3s");
  CHECK(some.allowed);
  CHECK_THAT(some.All(), Catch::Contains("on 1 of 2 nodes the pod may land on (web-1), so it starts there and fails elsewhere"));

  // Always pulls: the nodes do not matter, the warning says nothing of them.
  Decision always = Ask(webhook, PolicyReview("shop", c.hanging, "Always", {{"pool", "web"}}), "3s");
  CHECK(always.allowed);
  CHECK_THAT(always.All(), Catch::Contains("CheckTimedOut"));
  CHECK(always.All().find("web-1") == std::string::npos);
}

TEST_CASE("IfNotPresent: a tag gone from the registry denies only when no node the pod may land on holds it",
          "[integration][nodes]") {
  Cluster c;
  WebhookProcess webhook(c.Policy(), {"--kubeconfig", c.kubeconfig});
  Decision held = Ask(webhook, PolicyReview("shop", c.deleted, "", {{"pool", "web"}}));
  CHECK(held.allowed);
  CHECK_THAT(held.All(), Catch::Contains("TagNotFound: tag 0.9 does not exist"));
  CHECK_THAT(held.All(), Catch::Contains("(web-1), so the pod starts"));
  Decision elsewhere = Ask(webhook, PolicyReview("shop", c.deleted, "", {{"pool", "batch"}}));
  CHECK_FALSE(elsewhere.allowed);  // batch-1 does not hold it: the pull fails for certain
  CHECK_THAT(elsewhere.message, Catch::Contains("TagNotFound"));
  Decision always = Ask(webhook, PolicyReview("shop", c.deleted, "Always", {{"pool", "web"}}));
  CHECK_FALSE(always.allowed);
  // A tag that was never anywhere: denied as before.
  CHECK_FALSE(Ask(webhook, PolicyReview("shop", c.registry.host() + "/team/app:7.7", "")).allowed);
  CHECK(Ask(webhook, PolicyReview("shop", c.registry.host() + "/team/app:1.0", "")).allowed);
}

TEST_CASE("imagePullPolicy Never: the nodes decide, the registry is never asked", "[integration][nodes]") {
  Cluster c;
  WebhookProcess webhook(c.Policy(), {"--kubeconfig", c.kubeconfig});
  // On web-1: admitted without a word, though its registry hangs (asking it would time out).
  Decision held = Ask(webhook, PolicyReview("shop", c.hanging, "Never"), "3s");
  CHECK(held.allowed);
  CHECK(held.warnings.empty());
  // On no node: the kubelet would fail with ErrImageNeverPull; warned by default.
  Decision missing = Ask(webhook, PolicyReview("shop", c.faults.host() + "/hang/other:1.0", "Never"), "3s");
  CHECK(missing.allowed);
  REQUIRE(missing.warnings.size() == 1);
  CHECK_THAT(missing.warnings[0], Catch::Contains("ImageNotOnNodes"));
  CHECK(missing.All().find("CheckTimedOut") == std::string::npos);
  // A nodeSelector that leaves web-1 out.
  Decision narrowed = Ask(webhook, PolicyReview("shop", c.hanging, "Never", {{"pool", "batch"}}), "3s");
  CHECK_THAT(narrowed.All(), Catch::Contains("ImageNotOnNodes"));

  // The policy may deny it, and may know better than the 50 images a node reports.
  WebhookProcess strict(c.Policy("actions:\n  ImageNotOnNodes: deny\nprepulled: [\"" + c.faults.host() + "/hang/tools:*\"]\n"),
                        {"--kubeconfig", c.kubeconfig});
  Decision denied = Ask(strict, PolicyReview("shop", c.faults.host() + "/hang/other:1.0", "Never"), "3s");
  CHECK_FALSE(denied.allowed);
  CHECK_THAT(denied.message, Catch::Contains("ImageNotOnNodes: imagePullPolicy is Never and none of the 2 nodes"));
  Decision listed = Ask(strict, PolicyReview("shop", c.faults.host() + "/hang/tools:2.1", "Never"), "3s");
  CHECK(listed.allowed);
  CHECK(listed.warnings.empty());
}

}  // namespace
}  // namespace pullguard::testing
