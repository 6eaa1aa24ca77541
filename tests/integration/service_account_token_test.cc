// KEP-4412 credential providers (tokenAttributes) with the policy's
// nodeCredentials.serviceAccountTokens: the real `pullguard serve`, the fake Kubernetes API (which
// answers TokenRequests as the API server does) and the test plugin, told to answer only for a
// token of its audience, against our token registry under an ECR-looking name (hosts.toml maps
// it to 127.0.0.1). The plugin gets the pod's token and the annotations its provider lists, and
// its credentials decide the pull; without the opt-in, or when the TokenRequest is refused, the
// image stays NodeCredentialsUnverified, with the reason; a token is asked once per (namespace,
// ServiceAccount, audience) while it lives.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "integration/ecr_like_registry.h"
#include "integration/registry_env.h"
#include "support/fake_api_server.h"
#include "support/image_fixtures.h"
#include "support/registry_server.h"
#include "support/token_server.h"

namespace pullguard::testing {
namespace {

using nlohmann::json;

constexpr const char* kAudience = "sts.amazonaws.com";
constexpr const char* kRole = "eks.amazonaws.com/role-arn";
constexpr const char* kRegional = "eks.amazonaws.com/sts-regional-endpoints";
constexpr const char* kRoleValue = "arn:aws:iam::123456789012:role/puller";

// The ECR-named registry (only "reader" may pull private/), a fake API server with annotated
// ServiceAccounts, and the test plugin under two names.
struct TokenWorld : EcrLikeRegistry {
  std::string api_certs = MakeCerts(dir, "api-certs");
  FakeApiServer api{api_certs + "/tls.crt", api_certs + "/tls.key", "tok"};
  std::string kubeconfig = dir.Write("kubeconfig", api.Kubeconfig(api_certs + "/ca.crt", dir.Write("api-token", "tok")));

  TokenWorld() {
    for (const char* ns : {"shop", "billing"}) {
      api.AddServiceAccount(ns, "default", {}, {{kRole, kRoleValue}, {kRegional, "true"}, {"example.com/unlisted", "x"}});
    }
  }

  // The nodes' certs.d, private addresses allowed for what it maps to; `tokens`: the opt-in.
  std::string Policy(bool tokens) const {
    return EcrLikeRegistry::Policy() + (tokens ? "nodeCredentials:\n  serviceAccountTokens: true\n" : "");
  }

  // A CredentialProviderConfig of KEP-4412 providers (name, audience): each runs the test plugin,
  // which answers reader's credentials only for a token of its audience.
  std::string ProviderConfig(const std::vector<std::pair<std::string, std::string>>& providers) const {
    std::vector<Provider> specs;
    for (const auto& [name, audience] : providers) {
      specs.push_back({name,
                       {{"FAKE_PROVIDER_USER", "reader"},
                        {"FAKE_PROVIDER_PASSWORD", "read-pass"},
                        {"FAKE_PROVIDER_CACHE_KEY_TYPE", "Registry"},
                        {"FAKE_PROVIDER_REQUIRE_AUDIENCE", audience}},
                       "    tokenAttributes:\n      serviceAccountTokenAudience: " + audience +
                           "\n      cacheType: ServiceAccount\n      requireServiceAccount: true\n"
                           "      requiredServiceAccountAnnotationKeys: [" + kRole + "]\n"
                           "      optionalServiceAccountAnnotationKeys: [" + kRegional + "]\n"});
    }
    return EcrLikeRegistry::ProviderConfig(specs);
  }

  std::vector<std::string> Flags(const std::string& config) const {
    return {"--kubeconfig", kubeconfig, "--image-credential-provider-config", config, "--image-credential-provider-bin-dir",
            bin_dir};
  }

  // The plugin's runs, as it logged them.
  std::vector<json> Runs() const {
    std::vector<json> out;
    std::ifstream in(exec_log);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.push_back(json::parse(line));
    }
    return out;
  }
};

TEST_CASE("KEP-4412 opt-in: the provider gets the pod's token for its audience and the listed annotations, and its "
          "credentials decide the pull",
          "[integration][node-credentials]") {
  TokenWorld w;
  WebhookProcess webhook(w.Policy(true), w.Flags(w.ProviderConfig({{"fake-ecr", kAudience}})));
  Decision ok = Ask(webhook, PodReview("shop", {w.Image("private/app:1.0")}));
  INFO(ok.All());
  CHECK(ok.allowed);
  CHECK(ok.warnings.empty());  // verified with the credentials the pod's identity gives

  // As the kubelet sends it: the token, and only the annotations the provider lists.
  auto runs = w.Runs();
  REQUIRE(runs.size() == 1);
  CHECK(runs[0]["token"] == true);
  CHECK(runs[0]["audience"] == kAudience);
  CHECK(runs[0]["subject"] == "system:serviceaccount:shop:default");
  CHECK(runs[0]["annotations"] == json({{kRole, kRoleValue}, {kRegional, "true"}}));

  // The TokenRequest: the pod's ServiceAccount, the provider's audience, unbound (no pod exists
  // at admission), the shortest life the API accepts.
  auto requests = w.api.TokenRequests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0]["path"] == "/api/v1/namespaces/shop/serviceaccounts/default/token");
  CHECK(requests[0]["status"] == 201);
  CHECK(requests[0]["spec"]["audiences"] == json::array({kAudience}));
  CHECK(requests[0]["spec"]["expirationSeconds"] == 600);
  CHECK_FALSE(requests[0]["spec"].contains("boundObjectRef"));

  // With the plugin's credentials a missing tag is the registry's answer: denied.
  Decision missing = Ask(webhook, PodReview("shop", {w.Image("private/app:9.9")}));
  CHECK_FALSE(missing.allowed);
  CHECK_THAT(missing.message, Catch::Contains("TagNotFound"));

  // The token is a credential: never logged nor answered, and neither is an annotation's value.
  const std::string log = webhook.process().Stderr();
  for (const auto& token : w.api.IssuedTokens()) {
    const std::string payload = token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1);
    CHECK(log.find(payload) == std::string::npos);
    CHECK(ok.All().find(payload) == std::string::npos);
    CHECK(missing.All().find(payload) == std::string::npos);
  }
  CHECK(log.find(kRoleValue) == std::string::npos);
  CHECK(log.find("read-pass") == std::string::npos);
}

TEST_CASE("KEP-4412 without the opt-in: no token is asked, and the image stays NodeCredentialsUnverified",
          "[integration][node-credentials]") {
  TokenWorld w;
  const std::string config = w.ProviderConfig({{"fake-ecr", kAudience}});
  WebhookProcess webhook(w.Policy(false), w.Flags(config));
  Decision d = Ask(webhook, PodReview("shop", {w.Image("private/app:1.0")}));
  CHECK(d.allowed);
  REQUIRE(d.warnings.size() == 1);
  CHECK_THAT(d.warnings[0], Catch::Contains("NodeCredentialsUnverified"));
  CHECK_THAT(d.warnings[0], Catch::Contains("fake-ecr pulls with the pod's ServiceAccount token, which pullguard does not "
                                            "ask for (nodeCredentials.serviceAccountTokens is off)"));
  CHECK(w.api.TokenRequests().empty());
  CHECK(w.Runs().empty());

  // `check` never asks for tokens, even with the opt-in and a cluster: it says so.
  std::string policy = w.dir.Write("policy-on.yaml", w.Policy(true));
  std::string manifest = w.dir.Write(
      "deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n"
                     "  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n"
                     "      containers: [{name: a, image: \"" + w.Image("private/app:1.0") + "\"}]\n");
  RunResult check = Run({PULLGUARD_BINARY, "check", "-f", manifest, "--policy", policy, "--docker-config", "none",
                         "--kubeconfig", w.kubeconfig, "--image-credential-provider-config", config,
                         "--image-credential-provider-bin-dir", w.bin_dir});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK_THAT(check.out, Catch::Contains("NodeCredentialsUnverified"));
  CHECK_THAT(check.out, Catch::Contains("pullguard asks for ServiceAccount tokens only as the webhook (serve)"));
  CHECK(w.api.TokenRequests().empty());
}

TEST_CASE("KEP-4412 opt-in: a refused TokenRequest keeps NodeCredentialsUnverified and says what to install or allow",
          "[integration][node-credentials]") {
  TokenWorld w;
  std::string says;
  SECTION("RBAC: pullguard may not create serviceaccounts/token (the component is not installed)") {
    w.api.ForbidTokenRequests();
    says = "fake-ecr pulls with the pod's ServiceAccount token, and pullguard may not request ServiceAccount tokens in "
           "namespace shop (403): install the component manifests/components/serviceaccount-tokens";
  }
  SECTION("the component's ValidatingAdmissionPolicy: an audience it does not list") {
    w.api.LimitTokenAudiences({"api://AzureADTokenExchange"});
    says = "fake-ecr pulls with the pod's ServiceAccount token, and a ValidatingAdmissionPolicy refused pullguard a token "
           "for audience sts.amazonaws.com (403): list the audience in the ConfigMap pullguard-token-audiences";
  }
  WebhookProcess webhook(w.Policy(true), w.Flags(w.ProviderConfig({{"fake-ecr", kAudience}})));
  Decision d = Ask(webhook, PodReview("shop", {w.Image("private/app:1.0")}));
  CHECK(d.allowed);
  REQUIRE(d.warnings.size() == 1);
  CHECK_THAT(d.warnings[0], Catch::Contains("NodeCredentialsUnverified"));
  CHECK_THAT(d.warnings[0], Catch::Contains(says));
  CHECK(w.Runs().empty());  // the kubelet does not run the plugin without its token either
  // A refusal is kept a little, not asked again on the next review.
  Ask(webhook, PodReview("shop", {w.Image("private/app:1.0")}));
  CHECK(w.api.TokenRequests().size() == 1);
  CHECK(w.api.tokens_issued() == 0);
}

TEST_CASE("KEP-4412 opt-in: a token is asked once per namespace, ServiceAccount and audience while it lives",
          "[integration][node-credentials]") {
  TokenWorld w;
  const std::string other = "other.example.com";
  WebhookProcess webhook(w.Policy(true), w.Flags(w.ProviderConfig({{"fake-ecr", kAudience}, {"fake-other", other}})));
  for (int i = 0; i < 3; ++i) {
    Decision d = Ask(webhook, PodReview("shop", {w.Image("private/app:1.0")}));
    INFO(d.All());
    CHECK(d.allowed);
    CHECK(d.warnings.empty());
  }
  Decision billing = Ask(webhook, PodReview("billing", {w.Image("private/app:1.0")}));
  CHECK(billing.allowed);
  CHECK(billing.warnings.empty());

  std::map<std::pair<std::string, std::string>, int> asked;  // (path, audience) -> requests
  for (const auto& r : w.api.TokenRequests()) {
    CHECK(r["status"] == 201);
    ++asked[{r["path"].get<std::string>(), r["spec"]["audiences"][0].get<std::string>()}];
  }
  const std::string shop = "/api/v1/namespaces/shop/serviceaccounts/default/token";
  const std::string billing_sa = "/api/v1/namespaces/billing/serviceaccounts/default/token";
  CHECK(asked == std::map<std::pair<std::string, std::string>, int>{
                     {{shop, kAudience}, 1}, {{shop, other}, 1}, {{billing_sa, kAudience}, 1}, {{billing_sa, other}, 1}});
  // Each plugin ran with its own audience's token, once per ServiceAccount (its answers are
  // cached per ServiceAccount, as the kubelet keys them).
  auto runs = w.Runs();
  CHECK(runs.size() == 4);
  for (const auto& run : runs) CHECK((run["audience"] == kAudience || run["audience"] == other));
}

}  // namespace
}  // namespace pullguard::testing
