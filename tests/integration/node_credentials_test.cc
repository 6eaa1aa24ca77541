// Credentials as the node gets them: the kubelet's credential provider plugins, run by the real
// pullguard binary (serve and check) with a plugin written for the tests that speaks the real
// exec protocol, against our token registry. The registry answers under an ECR-looking name,
// mapped to 127.0.0.1 by the nodes' hosts.toml, so the presets are exercised with no network.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "auth/docker_config.h"
#include "integration/ecr_like_registry.h"
#include "integration/registry_env.h"
#include "support/containerd.h"
#include "support/image_fixtures.h"
#include "support/registry_front.h"
#include "support/registry_server.h"
#include "support/token_server.h"

namespace pullguard::testing {
namespace {

std::map<std::string, std::string> Reader(const std::string& mode = "ok") {
  return {{"FAKE_PROVIDER_MODE", mode}, {"FAKE_PROVIDER_USER", "reader"}, {"FAKE_PROVIDER_PASSWORD", "read-pass"},
          {"FAKE_PROVIDER_CACHE_KEY_TYPE", "Registry"}};
}

std::vector<std::string> Flags(const EcrLikeRegistry& r, const std::string& config) {
  return {"--image-credential-provider-config", config, "--image-credential-provider-bin-dir", r.bin_dir};
}

TEST_CASE("regression: an ECR image with no pull secret was denied AuthRequired, with no plugin it warns",
          "[integration][node-credentials]") {
  // On EKS the node pulls it with ecr-credential-provider: a false denial on every managed cluster.
  EcrLikeRegistry r;
  WebhookProcess webhook(r.Policy());
  Decision d = Ask(webhook, PodReview("shop", {r.Image("private/app:1.0")}));
  CHECK(d.allowed);
  REQUIRE(d.warnings.size() == 1);
  CHECK_THAT(d.warnings[0], Catch::Contains("NodeCredentialsUnverified"));
  CHECK_THAT(d.warnings[0], Catch::Contains("ecr-credential-provider"));
  // regression: the warning was too long for its fix, which kubectl then never showed.
  CHECK_THAT(d.warnings[0], Catch::Contains("docs/node-credentials.md"));
  // With the presets turned off it is the registry's answer again.
  WebhookProcess strict(r.Policy() + "nodeCredentials:\n  presets: false\n");
  Decision denied = Ask(strict, PodReview("shop", {r.Image("private/app:1.0")}));
  CHECK_FALSE(denied.allowed);
  CHECK_THAT(denied.message, Catch::Contains("AuthRequired"));
}

TEST_CASE("regression: a mistyped tag of a public image under a preset host is denied, not warned",
          "[integration][node-credentials]") {
  // With the presets on and no plugin, every anonymous 404 under ECR, GCR, Artifact Registry or
  // ACR names warned NodeCredentialsUnverified (a private repository may hide behind a 404 to
  // strangers), so a typo in a public image's tag was admitted. The repository's tags list,
  // asked with the same anonymous token, answers 200: it is public, and the 404 denies.
  EcrLikeRegistry r;
  PushSingle(r.registry, "public/app", "1.0", "linux/amd64");
  WebhookProcess webhook(r.Policy());
  Decision found = Ask(webhook, PodReview("shop", {r.Image("public/app:1.0")}));
  CHECK(found.allowed);
  CHECK(found.warnings.empty());
  Decision typo = Ask(webhook, PodReview("shop", {r.Image("public/app:1.O")}));
  CHECK_FALSE(typo.allowed);
  CHECK_THAT(typo.message, Catch::Contains("TagNotFound: tag 1.O does not exist"));  // not "nor, perhaps, the repository"
  CHECK(typo.warnings.empty());
  Decision digest = Ask(webhook, PodReview("shop", {r.Image("public/app@sha256:" + std::string(64, '0'))}));
  CHECK_FALSE(digest.allowed);
  CHECK_THAT(digest.message, Catch::Contains("DigestNotFound"));
  // A private repository still says 401 to strangers, and still only warns.
  Decision refused = Ask(webhook, PodReview("shop", {r.Image("private/app:1.O")}));
  CHECK(refused.allowed);
  REQUIRE(refused.warnings.size() == 1);
  CHECK_THAT(refused.warnings[0], Catch::Contains("NodeCredentialsUnverified"));
}

TEST_CASE("a 404 to a stranger who may not read the repository's tags list either still only warns",
          "[integration][node-credentials]") {
  // A registry that hides what a stranger may not pull behind a 404 (the front answers 404 to a
  // manifest request whose anonymous token the registry refuses), under an Artifact Registry
  // name the presets match. private/ is not anonymous's: its tags list answers 401, so the 404
  // proves nothing (only the node's credentials could tell). public/ is anyone's: a real 404.
  EcrLikeRegistry r;
  PushSingle(r.registry, "public/app", "1.0", "linux/amd64");
  RegistryFront hiding{r.certs + "/tls.crt", r.certs + "/tls.key", r.registry.host(), r.certs + "/ca.crt",
                       /*hide_refused_manifests=*/true};
  const std::string pkg_dev = "europe-west1-docker.pkg.dev";
  r.MapName(pkg_dev, hiding.host());
  WebhookProcess webhook(r.Policy());
  for (const char* tag : {"1.0", "1.O"}) {
    INFO(tag);
    Decision hidden = Ask(webhook, PodReview("shop", {pkg_dev + "/private/app:" + tag}));
    CHECK(hidden.allowed);
    REQUIRE(hidden.warnings.size() == 1);
    CHECK_THAT(hidden.warnings[0], Catch::Contains("NodeCredentialsUnverified"));
    CHECK_THAT(hidden.warnings[0], Catch::Contains("(auth-provider-gcp)"));
    CHECK_THAT(hidden.warnings[0], Catch::Contains("(registry: TagNotFound)"));
  }
  Decision public_typo = Ask(webhook, PodReview("shop", {pkg_dev + "/public/app:1.O"}));
  CHECK_FALSE(public_typo.allowed);
  CHECK_THAT(public_typo.message, Catch::Contains("TagNotFound: tag 1.O does not exist"));
  Decision public_found = Ask(webhook, PodReview("shop", {pkg_dev + "/public/app:1.0"}));
  CHECK(public_found.allowed);
  CHECK(public_found.warnings.empty());
  CHECK(hiding.manifest_requests() > 0);  // it was asked through the front
}

TEST_CASE("the plugin's credentials verify the pull, and a missing tag with them is denied", "[integration][node-credentials]") {
  EcrLikeRegistry r;
  WebhookProcess webhook(r.Policy(), Flags(r, r.ProviderConfig({{"fake-ecr", Reader()}})));
  Decision ok = Ask(webhook, PodReview("shop", {r.Image("private/app:1.0")}));
  CHECK(ok.allowed);
  CHECK(ok.warnings.empty());
  Decision missing = Ask(webhook, PodReview("shop", {r.Image("private/app:9.9")}));
  CHECK_FALSE(missing.allowed);
  CHECK_THAT(missing.message, Catch::Contains("TagNotFound"));
  // cacheKeyType Registry: one run of the plugin served both images of that registry.
  CHECK(r.PluginRuns() == 1);
  CHECK(webhook.process().Stderr().find("read-pass") == std::string::npos);
}

TEST_CASE("a plugin that fails, hangs, prints garbage or another apiVersion is warned with its reason, in time",
          "[integration][node-credentials]") {
  EcrLikeRegistry r;
  struct Case {
    std::string mode, says;
  };
  const Case cases[] = {
      {"fail", "fake-ecr exited with status"},
      {"hang", "fake-ecr timed out"},
      {"garbage", "fake-ecr"},
      {"wrong-api-version", "apiVersion"},
  };
  for (const auto& c : cases) {
    INFO(c.mode);
    WebhookProcess webhook(r.Policy(), Flags(r, r.ProviderConfig({{"fake-ecr", Reader(c.mode)}})));
    auto start = std::chrono::steady_clock::now();
    Decision d = Ask(webhook, PodReview("shop", {r.Image("private/app:1.0")}), "4s");
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(4));
    CHECK(d.allowed);
    REQUIRE(d.warnings.size() == 1);
    CHECK_THAT(d.warnings[0], Catch::Contains("NodeCredentialsUnverified"));
    CHECK_THAT(d.All(), Catch::Contains(c.says));
    CHECK(d.All().find("read-pass") == std::string::npos);
    CHECK(webhook.process().Stderr().find("read-pass") == std::string::npos);
  }
}

TEST_CASE("two providers matching one image are both tried, and the pod's secret comes first",
          "[integration][node-credentials]") {
  EcrLikeRegistry r;
  auto wrong = Reader();
  wrong["FAKE_PROVIDER_PASSWORD"] = "wrong-pass";
  std::string config = r.ProviderConfig({{"fake-other", wrong}, {"fake-ecr", Reader()}});
  WebhookProcess webhook(r.Policy(), Flags(r, config));
  Decision d = Ask(webhook, PodReview("shop", {r.Image("private/app:1.0")}));
  CHECK(d.allowed);
  CHECK(d.warnings.empty());
  CHECK(r.PluginRuns() == 2);

}

TEST_CASE("the pod's pull secret is tried before the node's plugin, each as its own pull attempt",
          "[integration][node-credentials]") {
  EcrLikeRegistry r;
  auto wrong = Reader();
  wrong["FAKE_PROVIDER_PASSWORD"] = "wrong-pass";
  r.dir.Write("secrets/good.yaml", PullSecretYaml("shop", "regcred", kEcr, "reader", "read-pass"));
  r.dir.Write("secrets/bad.yaml", PullSecretYaml("other", "regcred", kEcr, "reader", "nope"));
  WebhookProcess webhook(r.Policy(), [&] {
    auto flags = Flags(r, r.ProviderConfig({{"fake-ecr", wrong}}));
    flags.insert(flags.end(), {"--secrets-dir", r.dir.File("secrets")});
    return flags;
  }());
  // The secret works, the plugin's credentials do not: allowed, answered with the pod secret.
  Decision secret_first = Ask(webhook, PodReview("shop", {r.Image("private/app:1.0")}, {"regcred"}));
  CHECK(secret_first.allowed);
  CHECK(secret_first.warnings.empty());
  HttpAnswer metrics = webhook.Get("/metrics");
  CHECK_THAT(metrics.body, Catch::Contains("pullguard_image_verdicts_by_credential_source_total{source=\"pod_secret\"} 1"));
  // Neither works: refused with every credential. The node's plugin matched, so it only warns.
  Decision neither = Ask(webhook, PodReview("other", {r.Image("private/app:1.0")}, {"regcred"}));
  CHECK(neither.allowed);
  REQUIRE(neither.warnings.size() == 1);
  CHECK_THAT(neither.warnings[0], Catch::Contains("NodeCredentialsUnverified"));
}

TEST_CASE("containerd, given the plugin's credential as the kubelet gives it, agrees with pullguard",
          "[integration][node-credentials][containerd]") {
  EcrLikeRegistry r;
  std::string config = r.ProviderConfig({{"fake-ecr", Reader()}});
  WebhookProcess webhook(r.Policy(), Flags(r, config));
  // The credential the kubelet would pass to the runtime: the plugin's answer to the same
  // request, run as the kubelet runs it.
  std::vector<std::string> argv{"env"};
  for (const auto& [k, v] : Reader()) argv.push_back(k + "=" + v);
  argv.push_back(PULLGUARD_TEST_PLUGIN);
  RunResult plugin = Run(argv, R"({"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest",)"
                               R"("image":")" + r.Image("private/app:1.0") + "\"}");
  REQUIRE(plugin.exit_code == 0);
  nlohmann::json auth = nlohmann::json::parse(plugin.out)["auth"];
  REQUIRE(auth.size() == 1);
  std::string user = auth.begin().value()["username"].get<std::string>() + ":" +
                     auth.begin().value()["password"].get<std::string>();

  Containerd containerd;
  // With a host table: containerd 1.6 (Debian's) ignores a hosts.toml without one.
  std::string server = "https://" + r.registry.host();
  std::string ca = "ca = \"" + r.certs + "/ca.crt\"\n";
  containerd.SetHostsToml(kEcr, "server = \"" + server + "\"\n" + ca + "\n[host.\"" + server +
                                    "\"]\n  capabilities = [\"pull\", \"resolve\"]\n  " + ca);
  struct Case {
    std::string tag;
    bool allowed;
  };
  for (const Case& c : {Case{"1.0", true}, Case{"9.9", false}}) {
    INFO(c.tag);
    Decision d = Ask(webhook, PodReview("shop", {r.Image("private/app:" + c.tag)}));
    CHECK(d.allowed == c.allowed);
    CHECK(d.warnings.empty());  // verified with the node's credential, not guessed
    PullOutcome pulled = containerd.Pull(r.Image("private/app:" + c.tag), "linux/amd64", user);
    INFO(pulled.output);
    CHECK(pulled.pulled == c.allowed);
  }
}

TEST_CASE("check gives the same verdicts as serve with the plugins", "[integration][node-credentials]") {
  EcrLikeRegistry r;
  std::string policy = r.dir.Write("policy.yaml", r.Policy());
  auto manifest = [&](const std::string& tag) {
    return r.dir.Write("deploy-" + tag + ".yaml",
                       "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  selector: {matchLabels: {a: b}}\n"
                       "  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers: [{name: a, image: \"" +
                           r.Image("private/app:" + tag) + "\"}]\n");
  };
  std::string ok_config = r.ProviderConfig({{"fake-ecr", Reader()}});
  std::string failing = r.ProviderConfig({{"fake-ecr", Reader("fail")}});
  auto check = [&](const std::string& tag, const std::string& config) {
    return Run({PULLGUARD_BINARY, "check", "-f", manifest(tag), "--policy", policy, "--docker-config", "none",
                "--image-credential-provider-config", config, "--image-credential-provider-bin-dir", r.bin_dir});
  };
  RunResult found = check("1.0", ok_config);
  CHECK(found.exit_code == 0);
  CHECK_THAT(found.out, Catch::Contains("0 denied, 0 warned"));
  RunResult missing = check("9.9", ok_config);
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.out, Catch::Contains("TagNotFound"));
  RunResult unverified = check("1.0", failing);
  CHECK(unverified.exit_code == 0);
  CHECK_THAT(unverified.out, Catch::Contains("NodeCredentialsUnverified"));
  // A config that does not load is a usage error at once, not a warning per image.
  RunResult broken = Run({PULLGUARD_BINARY, "check", "-f", manifest("1.0"), "--policy", policy,
                          "--image-credential-provider-config", r.dir.Write("bad.yaml", "kind: Nope\n"),
                          "--image-credential-provider-bin-dir", r.bin_dir});
  CHECK(broken.exit_code == 2);
}

TEST_CASE("KEP-4412: a ServiceAccount without the provider's required annotation is said from the manifest, and no token is asked",
          "[integration][node-credentials]") {
  // The kubelet skips such a provider for the pod (and still pulls with what else it has): a warning.
  EcrLikeRegistry r;
  std::string config = r.ProviderConfig({{"fake-ecr", Reader()}});
  std::ofstream(config, std::ios::app) << "    tokenAttributes:\n      serviceAccountTokenAudience: sts.amazonaws.com\n"
                                          "      cacheType: ServiceAccount\n      requireServiceAccount: true\n"
                                          "      requiredServiceAccountAnnotationKeys: [example.com/role]\n";
  std::string policy = r.dir.Write("policy.yaml", r.Policy());
  auto check = [&](const std::string& name, const std::string& annotations) {
    std::string file = r.dir.Write(name + ".yaml",
                                   "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, namespace: shop" + annotations +
                                       "}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\n"
                                       "spec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n"
                                       "    spec:\n      serviceAccountName: api\n      containers: [{name: a, image: \"" +
                                       r.Image("private/app:1.0") + "\"}]\n");
    return Run({PULLGUARD_BINARY, "check", "-f", file, "--policy", policy, "--docker-config", "none",
                "--image-credential-provider-config", config, "--image-credential-provider-bin-dir", r.bin_dir});
  };
  RunResult bare = check("bare", "");
  INFO(bare.out);
  CHECK(bare.exit_code == 0);
  CHECK_THAT(bare.out, Catch::Contains("ServiceAccountAnnotationMissing: credential provider fake-ecr needs annotation "
                                       "example.com/role on ServiceAccount shop/api"));
  CHECK_THAT(bare.out, Catch::Contains("annotate ServiceAccount shop/api with example.com/role"));
  CHECK_THAT(bare.out, Catch::Contains("fake-ecr is skipped by the kubelet"));
  RunResult annotated = check("annotated", ", annotations: {example.com/role: \"arn:aws:iam::123456789012:role/puller\"}");
  INFO(annotated.out);
  CHECK(annotated.exit_code == 0);
  CHECK_THAT(annotated.out, !Catch::Contains("ServiceAccountAnnotationMissing"));
  CHECK_THAT(annotated.out, Catch::Contains("fake-ecr pulls with the pod's ServiceAccount token, which pullguard does not ask for"));
  CHECK(annotated.out.find("role/puller") == std::string::npos);  // annotation values are never shown
  CHECK(r.PluginRuns() == 0);
}

}  // namespace
}  // namespace pullguard::testing
