// Registry checks end to end: real docker-registry instances on 127.0.0.1 (TLS with a test
// CA, htpasswd Basic auth, Bearer tokens from our token server, plain HTTP) and a fault
// server, each reason code asked through the real webhook's /validate.
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <thread>
#include <filesystem>

#include "integration/bearer_registry.h"
#include "integration/registry_env.h"
#include "auth/docker_config.h"
#include "support/fault_server.h"
#include "support/free_port.h"
#include "support/image_fixtures.h"
#include "support/registry_server.h"
#include "support/token_server.h"

namespace pullguard::testing {
namespace {

std::string RegistryPolicy(const std::string& ca, bool allow_private = true, const std::string& extra = "") {
  return "apiVersion: pullguard.io/v1\nkind: Policy\nregistries:\n  - host: \"127.0.0.1:*\"\n" +
         (ca.empty() ? std::string() : "    caFile: " + ca + "\n") +
         "    allowPrivateAddress: " + (allow_private ? "true" : "false") + "\nplatforms: [linux/amd64]\n" + extra;
}

struct OpenRegistry {
  TempDir dir;
  std::string certs = MakeCerts(dir, "registry-certs");
  RegistryServer registry{certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", RegistryOptions{}};
  std::string multi_digest;
  OpenRegistry() {
    PushSingle(registry, "team/app", "1.0", "linux/amd64", ManifestKind::kDocker);
    PushSingle(registry, "team/oci-app", "1.0", "linux/amd64", ManifestKind::kOci);
    PushSingle(registry, "team/arm-only", "1.0", "linux/arm64", ManifestKind::kOci);
    multi_digest = PushIndex(registry, "team/multi", "1.0", {"linux/amd64", "linux/arm64"});
    PushIndex(registry, "team/multi-amd", "1.0", {"linux/amd64", "linux/s390x"});
  }
  std::string Image(const std::string& rest) const { return registry.host() + "/" + rest; }
};

// A registry with htpasswd Basic auth, over TLS with its own CA, holding team/app:1.0.
struct BasicRegistry {
  TempDir dir;
  std::string certs = MakeCerts(dir, "registry-certs");
  RegistryOptions options = [] {
    RegistryOptions o;
    o.auth = RegistryAuth::kBasic;
    return o;
  }();
  RegistryServer registry{certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", options};
  BasicRegistry() { PushSingle(registry, "team/app", "1.0", "linux/amd64"); }
};

// A registry with Bearer tokens from our token server (anonymous pulls for public/ only), over
// TLS with its own CA, holding public/tool:1.0 and private/app:1.0; "reader" may pull.
struct TokenRegistry : BearerRegistry {
  TokenRegistry() {
    PushSingle(registry, "public/tool", "1.0", "linux/amd64");
    PushSingle(registry, "private/app", "1.0", "linux/amd64");
    std::filesystem::create_directory(dir.File("secrets"));
  }
};

TEST_CASE("an open TLS registry: tags, digests, missing repositories and platforms", "[integration][registry]") {
  OpenRegistry r;
  WebhookProcess webhook(RegistryPolicy(r.certs + "/ca.crt"));
  const std::string zero_digest = "sha256:" + std::string(64, '0');
  struct Case {
    std::vector<std::string> images;
    std::map<std::string, std::string> node_selector;
    bool allowed;
    std::string contains;
  };
  const std::vector<Case> cases{
      {{r.Image("team/app:1.0")}, {}, true, ""},
      {{r.Image("team/oci-app:1.0")}, {}, true, ""},
      {{r.Image("team/multi:1.0")}, {}, true, ""},
      {{r.Image("team/multi@" + r.multi_digest)}, {}, true, ""},
      {{r.Image("team/app:1.1")}, {}, false,
       "spec.containers[0].image \"" + r.Image("team/app:1.1") + "\": TagNotFound: tag 1.1 does not exist; nearest: 1.0"},
      {{r.Image("team/nothere:1.0")}, {}, false,
       "RepositoryNotFound: repository " + r.Image("team/nothere") + " does not exist"},
      {{r.Image("team/app@" + zero_digest)}, {}, false, "DigestNotFound: digest sha256:000000000000... does not exist"},
      // containerd pulls a single-platform image of any architecture; it fails to start.
      {{r.Image("team/arm-only:1.0")}, {}, false,
       "PlatformMismatch: the image is built for linux/arm64 only: it pulls, then fails to start on linux/amd64 nodes "
       "(exec format error); build and push linux/amd64"},
      // A pod pinned to arm64 nodes needs only arm64.
      {{r.Image("team/arm-only:1.0")}, {{"kubernetes.io/arch", "arm64"}}, true, ""},
      {{r.Image("team/app:1.0")}, {{"kubernetes.io/arch", "arm64"}}, false,
       "PlatformMismatch: the image is built for linux/amd64 only: it pulls, then fails to start on linux/arm64 nodes"},
      {{r.Image("team/multi-amd:1.0")}, {{"kubernetes.io/arch", "arm64"}}, false,
       "PlatformMismatch: no linux/arm64 image (it has linux/amd64, linux/s390x)"},
      {{r.Image("team/multi:1.0")}, {{"kubernetes.io/arch", "arm64"}}, true, ""},
  };
  for (const auto& c : cases) {
    INFO(c.images[0] << " " << (c.node_selector.empty() ? "" : "arm64"));
    Decision d = Ask(webhook, PodReview("shop", c.images, {}, c.node_selector));
    CHECK(d.allowed == c.allowed);
    if (!c.contains.empty()) CHECK_THAT(d.message, Catch::Contains(c.contains));
    if (c.allowed) CHECK(d.warnings.empty());
  }
}

TEST_CASE("a missing tag is answered with the nearest tags the registry really has", "[integration][registry]") {
  TempDir dir;
  std::string certs = MakeCerts(dir, "registry-certs");
  RegistryServer registry(certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", RegistryOptions{});
  for (const char* tag : {"1.24.0", "1.25.4", "1.25.5", "1.26.0", "1.25.3-alpine", "latest"}) {
    PushSingle(registry, "nginx", tag, "linux/amd64");
  }
  WebhookProcess webhook(RegistryPolicy(certs + "/ca.crt", true, "rules:\n  latestTag: {action: ignore}\n"));
  std::string name = registry.host() + "/nginx";
  Decision d = Ask(webhook, PodReview("shop", {name + ":1.25.99"}));
  CHECK_FALSE(d.allowed);
  CHECK_THAT(d.message, Catch::EndsWith("TagNotFound: tag 1.25.99 does not exist; nearest: 1.25.5, 1.25.4"));
  Decision flavour = Ask(webhook, PodReview("shop", {name + ":1.25-alpine"}));
  CHECK_THAT(flavour.message, Catch::Contains("nearest: 1.25.3-alpine"));
  // As a warning (an audit policy), the suggestion stays within kubectl's 120 characters.
  WebhookProcess audit(RegistryPolicy(certs + "/ca.crt", true, "actions:\n  TagNotFound: warn\n"));
  Decision warned = Ask(audit, PodReview("shop", {name + ":1.25.99"}));
  REQUIRE(warned.warnings.size() == 1);
  CHECK(warned.warnings[0].size() <= 120);
  CHECK_THAT(warned.warnings[0], Catch::Contains("nearest: 1.25.5"));
}

TEST_CASE("regression: a 5,000-image review on a hanging registry does not turn another's TagNotFound into CheckTimedOut",
          "[integration][registry]") {
  // It did, in 7 ms: the big review's checks held every worker.
  OpenRegistry r;
  FaultServer faults;
  std::string policy = "registries:\n  - host: \"" + faults.host() + "\"\n    insecure: true\n    allowPrivateAddress: true\n" +
                       "  - host: \"127.0.0.1:*\"\n    caFile: " + r.certs + "/ca.crt\n    allowPrivateAddress: true\n" +
                       "platforms: []\n";
  WebhookProcess webhook(policy);
  std::vector<std::string> hanging;
  for (int i = 0; i < 5000; ++i) hanging.push_back(faults.host() + "/hang/app" + std::to_string(i) + ":1");
  auto big = std::async(std::launch::async, [&] { return Ask(webhook, PodReview("big", hanging), "4s"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Decision small = Ask(webhook, PodReview("small", {r.Image("team/app:9.9")}), "4s");
  CHECK_FALSE(small.allowed);
  CHECK_THAT(small.message, Catch::Contains("TagNotFound"));
  Decision b = big.get();
  CHECK(b.allowed);  // nothing certain about a registry that does not answer
  REQUIRE_FALSE(b.warnings.empty());
  CHECK_THAT(b.All(), Catch::Contains("not checked: the object names more than 100 distinct images"));
  CHECK_THAT(b.All(), Catch::Contains("more warnings"));
}

TEST_CASE("regression: a flood of large reviews does not turn a small review's TagNotFound into CheckTimedOut",
          "[integration][registry]") {
  // Large reviews waited for their slot inside a worker: 70 senders of 288 KB reviews pinned all
  // the workers, and a missing tag sent with ?timeout=5s came back allowed (CheckTimedOut) late.
  OpenRegistry r;
  FaultServer faults;
  std::string policy = "registries:\n  - host: \"" + faults.host() + "\"\n    insecure: true\n    allowPrivateAddress: true\n" +
                       "  - host: \"127.0.0.1:*\"\n    caFile: " + r.certs + "/ca.crt\n    allowPrivateAddress: true\n" +
                       "platforms: []\n";
  WebhookProcess webhook(policy, {"--threads", "4"});
  nlohmann::json large = PodReview("big", {faults.host() + "/hang/app:1"});
  large["request"]["object"]["metadata"]["annotations"]["padding"] = std::string(288 * 1024, 'x');
  using Clock = std::chrono::steady_clock;
  std::vector<std::future<Clock::duration>> flood;
  for (int i = 0; i < 12; ++i) {
    flood.push_back(std::async(std::launch::async, [&] {
      auto start = Clock::now();
      try {
        (void)Ask(webhook, large, "4s");
      } catch (const std::exception&) {  // a 503 "could not start this review before its deadline"
      }
      return Clock::now() - start;
    }));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  Decision small = Ask(webhook, PodReview("small", {r.Image("team/app:9.9")}), "4s");
  CHECK_FALSE(small.allowed);
  CHECK_THAT(small.message, Catch::Contains("TagNotFound"));
  // regression: a review still queued at its ?timeout= got its 503 at that very moment, so it
  // reached the API server after the API server had stopped waiting (the attack bench saw 10.2 s
  // answers to ?timeout=10s). The policy's margin (500 ms) is kept for the way back.
  // Under a sanitizer every step of the server is several times slower, and the margin does not
  // cover that: there the bound is looser, so the test still catches an answer held to the end.
#if defined(PULLGUARD_SANITIZED)
  constexpr auto kBound = std::chrono::seconds(5);
#else
  constexpr auto kBound = std::chrono::seconds(4);
#endif
  for (auto& f : flood) CHECK(f.get() < kBound);
}

TEST_CASE("check reads registry credentials from --docker-config, as crane and trivy do", "[integration][registry]") {
  BasicRegistry r;
  std::string image = r.registry.host() + "/team/app:1.0";
  std::string manifest = r.dir.Write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: \"" +
                                                     image + "\"}]\n");
  std::string policy = r.dir.Write("policy.yaml", RegistryPolicy(r.certs + "/ca.crt"));
  std::string config = r.dir.Write("config.json", R"({"auths":{")" + r.registry.host() + R"(":{"auth":")" +
                                                       auth::EncodeAuthField(r.options.user, r.options.password) + R"("}}})");
  RunResult without = Run({PULLGUARD_BINARY, "check", "-f", manifest, "--policy", policy, "--docker-config", "none"});
  CHECK(without.exit_code == 1);
  CHECK_THAT(without.out, Catch::Contains("AuthRequired"));
  RunResult with = Run({PULLGUARD_BINARY, "check", "-f", manifest, "--policy", policy, "--docker-config", config});
  CHECK(with.exit_code == 0);
  CHECK_THAT(with.out, Catch::Contains("1 object, 1 image: 0 denied, 0 warned"));
  // $DOCKER_CONFIG/config.json is the default.
  RunResult from_env = Run({"env", "DOCKER_CONFIG=" + r.dir.path(), PULLGUARD_BINARY, "check", "-f", manifest, "--policy", policy});
  CHECK(from_env.exit_code == 0);
  CHECK(with.out.find(r.options.password) == std::string::npos);
}

TEST_CASE("regression: a mirror that lacks a tag falls back to the registry, as containerd does",
          "[integration][registry]") {
  // Asking only the mirror gave a false TagNotFound when a pull-through mirror lacked the tag.
  BasicRegistry upstream;  // has team/app:1.0 and, below, 2.0; Basic auth
  PushSingle(upstream.registry, "team/app", "2.0", "linux/amd64");
  TempDir dir;
  std::string certs = MakeCerts(dir, "mirror-certs");
  RegistryServer mirror(certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", RegistryOptions{});
  PushSingle(mirror, "team/app", "1.0", "linux/amd64");  // the mirror has only 1.0
  // Both CAs are trusted for the registry's hosts.
  std::string bundle = dir.Write("bundle.pem", ReadAll(upstream.certs + "/ca.crt") + ReadAll(certs + "/ca.crt"));
  // The kubelet's config.json on the node, with an entry for the registry the images name.
  std::string node_config = dir.Write(
      "node-config.json", R"({"auths":{")" + upstream.registry.host() + R"(":{"auth":")" +
                              auth::EncodeAuthField(upstream.options.user, upstream.options.password) + R"("}}})");
  std::string policy = "registries:\n  - host: \"" + upstream.registry.host() + "\"\n    mirror: " + mirror.host() +
                       "\n    caFile: " + bundle + "\n    allowPrivateAddress: true\nplatforms: [linux/amd64]\n" +
                       "nodeDockerConfig: " + node_config + "\n";
  WebhookProcess webhook(policy);
  std::string name = upstream.registry.host() + "/team/app";
  CHECK(Ask(webhook, PodReview("shop", {name + ":1.0"})).allowed);  // from the mirror
  Decision fallback = Ask(webhook, PodReview("shop", {name + ":2.0"}));
  CHECK(fallback.allowed);  // the mirror lacks it, the registry has it
  CHECK(fallback.warnings.empty());
  Decision missing = Ask(webhook, PodReview("shop", {name + ":3.0"}));
  CHECK_FALSE(missing.allowed);
  CHECK_THAT(missing.message, Catch::Contains("TagNotFound: tag 3.0 does not exist"));

  // Without the node's credentials the registry refuses what the mirror does not have.
  std::string without_node = policy.substr(0, policy.find("nodeDockerConfig"));
  WebhookProcess anonymous(without_node);
  CHECK(Ask(anonymous, PodReview("shop", {name + ":1.0"})).allowed);
  Decision refused = Ask(anonymous, PodReview("shop", {name + ":2.0"}));
  CHECK_FALSE(refused.allowed);
  CHECK_THAT(refused.message, Catch::Contains("AuthRequired: " + upstream.registry.host() + " asks for credentials"));
}

TEST_CASE("a CA from one registry's hosts.toml is trusted for that registry only, in either order",
          "[integration][registry]") {
  // libcurl (7.87 and later) may share one system trust store between connections; a
  // hosts.toml CA added to that shared store would be trusted for every registry after it.
  TempDir dir;
  std::string certs = MakeCerts(dir, "certs");
  RegistryServer with_ca(certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", RegistryOptions{});
  RegistryServer without_ca(certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", RegistryOptions{});
  PushSingle(with_ca, "team/app", "1.0", "linux/amd64");
  PushSingle(without_ca, "team/app", "1.0", "linux/amd64");
  std::string hosts = dir.File("certs.d");
  std::filesystem::create_directories(hosts + "/" + with_ca.host());
  dir.Write("certs.d/" + with_ca.host() + "/hosts.toml", "[host.\"https://" + with_ca.host() + "\"]\n  ca = \"ca.crt\"\n");
  std::filesystem::copy_file(certs + "/ca.crt", hosts + "/" + with_ca.host() + "/ca.crt");
  WebhookProcess webhook("hostsDir: " + hosts + "\nregistries:\n  - host: \"127.0.0.1:*\"\n    allowPrivateAddress: true\n"
                         "platforms: [linux/amd64]\n");
  // Asked in both orders: the store is cached by whichever connection comes first.
  for (int round = 0; round < 2; ++round) {
    INFO("round " << round);
    Decision untrusted = Ask(webhook, PodReview("shop", {without_ca.host() + "/team/app:" + std::to_string(round)}));
    CHECK_FALSE(untrusted.allowed);
    CHECK_THAT(untrusted.message, Catch::Contains("RegistryTLSError"));
    CHECK(Ask(webhook, PodReview("shop", {with_ca.host() + "/team/app:1.0"})).allowed);
  }
  Decision untrusted = Ask(webhook, PodReview("shop", {without_ca.host() + "/team/app:2"}));
  CHECK_FALSE(untrusted.allowed);
  CHECK_THAT(untrusted.message, Catch::Contains("RegistryTLSError"));
}

TEST_CASE("an untrusted registry certificate is RegistryTLSError", "[integration][registry]") {
  OpenRegistry r;
  WebhookProcess webhook(RegistryPolicy(""));  // the registry's CA is not trusted
  Decision d = Ask(webhook, PodReview("shop", {r.Image("team/app:1.0")}));
  CHECK_FALSE(d.allowed);
  CHECK_THAT(d.message, Catch::Contains("RegistryTLSError: TLS with " + r.registry.host() + " failed"));
  CHECK_THAT(d.message, Catch::Contains("registries[].caFile"));
}

TEST_CASE("loopback and private addresses are not contacted unless the policy allows the registry", "[integration][registry]") {
  OpenRegistry r;
  WebhookProcess webhook(RegistryPolicy(r.certs + "/ca.crt", /*allow_private=*/false));
  Decision d = Ask(webhook, PodReview("shop", {r.Image("team/app:1.1")}));  // a missing tag, but never asked
  CHECK(d.allowed);
  REQUIRE(d.warnings.size() == 1);
  CHECK_THAT(d.warnings[0], Catch::Contains("RegistryAddressBlocked: " + r.registry.host() +
                                            " resolves to 127.0.0.1 (loopback), an address pullguard does not contact"));
}

TEST_CASE("Basic auth: the kubelet's credential rules, and a cached answer never crosses namespaces",
          "[integration][registry]") {
  BasicRegistry r;
  const TempDir& dir = r.dir;
  const std::string& certs = r.certs;
  const RegistryOptions& options = r.options;
  RegistryServer& registry = r.registry;
  std::string image = registry.host() + "/team/app:1.0";

  std::filesystem::create_directory(dir.File("secrets"));
  dir.Write("secrets/a.yaml", PullSecretYaml("team-a", "regcred", registry.host(), options.user, options.password));
  dir.Write("secrets/b.yaml", PullSecretYaml("team-b", "regcred", registry.host(), options.user, "wrong-password"));
  dir.Write("secrets/c.yaml", PullSecretYaml("team-c", "othercred", "ghcr.io", "someone", "x"));
  dir.Write("secrets/d.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: opaque, namespace: team-c}\ntype: Opaque\nstringData: {a: b}\n");
  WebhookProcess webhook(RegistryPolicy(certs + "/ca.crt"), {"--secrets-dir", dir.File("secrets")});

  Decision with_secret = Ask(webhook, PodReview("team-a", {image}, {"regcred"}));
  CHECK(with_secret.allowed);
  CHECK(with_secret.warnings.empty());

  // Invariant 1: team-a's answer is cached, yet team-c's pod without the credential is denied.
  Decision without = Ask(webhook, PodReview("team-c", {image}));
  CHECK_FALSE(without.allowed);
  CHECK_THAT(without.message, Catch::Contains("AuthRequired: " + registry.host() +
                                              " asks for credentials and no pull secret matches it (a 401 may also "
                                              "mean the repository does not exist)"));

  Decision wrong = Ask(webhook, PodReview("team-b", {image}, {"regcred"}));
  CHECK_FALSE(wrong.allowed);
  CHECK_THAT(wrong.message, Catch::Contains("AuthFailed: " + registry.host() +
                                            " rejected every matching credential (secret team-b/regcred)"));
  CHECK(wrong.All().find("wrong-password") == std::string::npos);

  Decision missing = Ask(webhook, PodReview("team-c", {image}, {"ghost"}));
  CHECK_FALSE(missing.allowed);
  CHECK_THAT(missing.message, Catch::Contains("spec.imagePullSecrets[0] \"ghost\": PullSecretMissing: secret team-c/ghost does not exist"));

  Decision unrelated = Ask(webhook, PodReview("team-c", {image}, {"othercred", "opaque"}));
  CHECK_FALSE(unrelated.allowed);  // still no credential for the registry
  CHECK_THAT(unrelated.All(), Catch::Contains("PullSecretInvalid: secret team-c/othercred has no entry for any registry this pod uses"));
  CHECK_THAT(unrelated.All(), Catch::Contains("PullSecretInvalid: secret team-c/opaque: type Opaque is not kubernetes.io/dockerconfigjson"));

  // Secrets never reach the log.
  CHECK(webhook.process().Stderr().find(options.password) == std::string::npos);
}

TEST_CASE("Bearer tokens: anonymous pulls for the public prefix only, credentials for the rest",
          "[integration][registry]") {
  TokenRegistry r;
  const TempDir& dir = r.dir;
  const std::string& certs = r.certs;
  RegistryServer& registry = r.registry;
  dir.Write("secrets/a.yaml", PullSecretYaml("team-a", "regcred", registry.host(), "reader", "read-pass"));
  dir.Write("secrets/b.yaml", PullSecretYaml("team-b", "regcred", registry.host(), "reader", "nope"));
  WebhookProcess webhook(RegistryPolicy(certs + "/ca.crt"), {"--secrets-dir", dir.File("secrets")});

  CHECK(Ask(webhook, PodReview("team-z", {registry.host() + "/public/tool:1.0"})).allowed);
  Decision missing_tag = Ask(webhook, PodReview("team-z", {registry.host() + "/public/tool:2.0"}));
  CHECK_THAT(missing_tag.message, Catch::Contains("TagNotFound: tag 2.0 does not exist"));

  Decision anonymous = Ask(webhook, PodReview("team-z", {registry.host() + "/private/app:1.0"}));
  CHECK_FALSE(anonymous.allowed);
  CHECK_THAT(anonymous.message, Catch::Contains("AuthRequired"));

  CHECK(Ask(webhook, PodReview("team-a", {registry.host() + "/private/app:1.0"}, {"regcred"})).allowed);
  Decision wrong = Ask(webhook, PodReview("team-b", {registry.host() + "/private/app:1.0"}, {"regcred"}));
  CHECK_FALSE(wrong.allowed);
  CHECK_THAT(wrong.message, Catch::Contains("AuthFailed"));
  CHECK_THAT(wrong.message, Catch::Contains("secret team-b/regcred"));
}

TEST_CASE("regression: a missing pull secret denied pods whose images pull without it", "[integration][registry]") {
  // The kubelet pulls without a secret it cannot find ("attempting to pull the image may not
  // succeed"): a pod whose images all pull with what it has starts, so that is a warning.
  TokenRegistry r;
  const TempDir& dir = r.dir;
  const std::string& certs = r.certs;
  RegistryServer& registry = r.registry;
  PushSingle(registry, "private/tool", "1.0", "linux/amd64");
  dir.Write("secrets/a.yaml", PullSecretYaml("team-a", "regcred", registry.host(), "reader", "read-pass"));
  WebhookProcess webhook(RegistryPolicy(certs + "/ca.crt", true, "exemptions:\n  images: [\"**/private/tool:*\"]\n"),
                         {"--secrets-dir", dir.File("secrets")});
  const std::string public_image = registry.host() + "/public/tool:1.0";
  const std::string private_image = registry.host() + "/private/app:1.0";

  Decision anonymous = Ask(webhook, PodReview("team-a", {public_image}, {"ghost"}));
  CHECK(anonymous.allowed);
  CHECK_THAT(anonymous.All(), Catch::Contains("spec.imagePullSecrets[0] \"ghost\": PullSecretMissing: secret team-a/ghost does "
                                              "not exist; the pod's images pull without it"));
  Decision other_secret = Ask(webhook, PodReview("team-a", {private_image, public_image}, {"ghost", "regcred"}));
  CHECK(other_secret.allowed);
  CHECK_THAT(other_secret.All(), Catch::Contains("PullSecretMissing: secret team-a/ghost does not exist; the pod's images pull"));

  // It still denies when an image needs what is missing, or when a pull is not known to work.
  Decision needed = Ask(webhook, PodReview("team-a", {private_image}, {"ghost"}));
  CHECK_FALSE(needed.allowed);
  CHECK_THAT(needed.message, Catch::Contains("PullSecretMissing: secret team-a/ghost does not exist; create it"));
  CHECK_THAT(needed.message, Catch::Contains("AuthRequired"));
  Decision missing_tag = Ask(webhook, PodReview("team-a", {registry.host() + "/public/tool:2.0"}, {"ghost"}));
  CHECK_FALSE(missing_tag.allowed);
  CHECK_THAT(missing_tag.message, Catch::Contains("PullSecretMissing: secret team-a/ghost does not exist; create it"));
  // An exempt image is never checked, yet the kubelet pulls it: not known to pull without it.
  Decision exempt = Ask(webhook, PodReview("team-a", {public_image, registry.host() + "/private/tool:1.0"}, {"ghost"}));
  CHECK_FALSE(exempt.allowed);
  CHECK_THAT(exempt.message, Catch::Contains("PullSecretMissing: secret team-a/ghost does not exist; create it"));
}

TEST_CASE("a plain-HTTP registry is checked when the policy marks it insecure", "[integration][registry]") {
  TempDir dir;
  std::string certs = MakeCerts(dir, "registry-certs");
  RegistryOptions options;
  options.tls = false;
  RegistryServer registry(certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", options);
  PushSingle(registry, "team/app", "1.0", "linux/amd64");
  std::string policy = "registries:\n  - host: \"127.0.0.1:*\"\n    insecure: true\n    allowPrivateAddress: true\n";
  WebhookProcess webhook(policy);
  CHECK(Ask(webhook, PodReview("shop", {registry.host() + "/team/app:1.0"})).allowed);
  Decision missing = Ask(webhook, PodReview("shop", {registry.host() + "/team/app:9"}));
  CHECK_THAT(missing.message, Catch::Contains("TagNotFound"));

  WebhookProcess strict(RegistryPolicy(""));  // not marked insecure: https to an http server
  Decision d = Ask(strict, PodReview("shop", {registry.host() + "/team/app:1.0"}));
  CHECK_FALSE(d.allowed);
  CHECK_THAT(d.message, Catch::Contains("RegistryTLSError"));
}

TEST_CASE("faults: 429, 500, resets, garbage, refusals and hangs each get their reason, within the deadline",
          "[integration][registry]") {
  FaultServer faults;
  int closed_port = FreePort();
  std::string policy = "registries:\n  - host: \"127.0.0.1:*\"\n    insecure: true\n    allowPrivateAddress: true\n";
  WebhookProcess webhook(policy);
  struct Case {
    std::string image;
    std::string contains;
  };
  const std::vector<Case> cases{
      {faults.host() + "/ratelimited/app:1", "RateLimited: 429 from the registry, ratelimit-remaining 0;w=21600"},
      // A HEAD answer has no body, so the registry's error code is not known here.
      {faults.host() + "/broken/app:1", "RegistryError: 500 from the registry"},
      {faults.host() + "/reset/app:1", "RegistryUnreachable: connection to " + faults.host() + " broke"},
      {faults.host() + "/garbage/app:1", "RegistryError: no usable HTTP answer from " + faults.host()},
      // Regression: a huge response header was reported as "Out of memory".
      {faults.host() + "/bigheader/app:1", "RegistryError: no usable HTTP answer from " + faults.host() + " (an answer header larger than 100 KB was rejected)"},
      {"127.0.0.1:" + std::to_string(closed_port) + "/team/app:1", "RegistryUnreachable: cannot connect to 127.0.0.1:" + std::to_string(closed_port)},
  };
  for (const auto& c : cases) {
    INFO(c.image);
    Decision d = Ask(webhook, PodReview("shop", {c.image}));
    CHECK(d.allowed);  // these warn by default: the registry may be fine a minute later
    REQUIRE(d.warnings.size() == 1);
    CHECK_THAT(d.warnings[0], Catch::Contains(c.contains));
  }
  // A registry that never answers: the webhook still answers before the API server's timeout.
  auto start = std::chrono::steady_clock::now();
  Decision hang = Ask(webhook, PodReview("shop", {faults.host() + "/hang/app:1", faults.host() + "/hang/other:2"}), "2s");
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(hang.allowed);
  REQUIRE(hang.warnings.size() == 2);
  CHECK_THAT(hang.warnings[0], Catch::Contains("CheckTimedOut"));
  CHECK(elapsed < std::chrono::seconds(2));
}

TEST_CASE("regression: a reset or close during the TLS handshake is RegistryUnreachable, not RegistryTLSError",
          "[integration][registry]") {
  // A peer that goes away mid-handshake is an outage (warn); only a certificate that does not
  // verify, a wrong name or a peer that speaks no TLS is a TLS error (deny).
  FaultServer reset(FaultMode::kResetTlsHandshake);
  FaultServer closed(FaultMode::kCloseTlsHandshake);
  WebhookProcess webhook(RegistryPolicy(""));
  for (const FaultServer* server : {&reset, &closed}) {
    INFO(server->host());
    Decision d = Ask(webhook, PodReview("shop", {server->host() + "/team/app:1"}));
    CHECK(d.allowed);
    REQUIRE(d.warnings.size() == 1);
    CHECK_THAT(d.warnings[0], Catch::Contains("RegistryUnreachable: connection to " + server->host() + " broke"));
  }
}

}  // namespace
}  // namespace pullguard::testing
