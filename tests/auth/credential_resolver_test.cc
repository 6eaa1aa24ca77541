// The one credential resolver: pod secrets, then the ServiceAccount's, then the node's, with
// facts for what gives no credentials (checker/credential_findings words them).
#include <catch2/catch.hpp>

#include "auth/credential_resolver.h"
#include "auth/docker_config.h"

namespace pullguard::auth {
namespace {

PullSecret DockerSecret(const std::string& ns, const std::string& name, const std::string& registry) {
  PullSecret s;
  s.ns = ns;
  s.name = name;
  s.type = kDockerConfigJsonType;
  s.data[".dockerconfigjson"] =
      R"({"auths":{")" + registry + R"(":{"auth":")" + EncodeAuthField("user-" + name, "pass-" + name) + R"("}}})";
  return s;
}

// Counts lookups, to show what is asked and what is not.
class CountingSecrets : public StaticSecretSource {
 public:
  int gets = 0;
  Result<std::optional<PullSecret>> Get(const std::string& ns, const std::string& name) override {
    ++gets;
    return StaticSecretSource::Get(ns, name);
  }
};

TEST_CASE("pod secrets first, then the ServiceAccount's, then the node's: the kubelet's order") {
  CountingSecrets secrets;
  secrets.Add(DockerSecret("shop", "pod-secret", "ghcr.io"));
  secrets.Add(DockerSecret("shop", "sa-secret", "ghcr.io"));
  StaticServiceAccountSource accounts;
  accounts.Add("shop", "builder", {"sa-secret"});
  auto node = std::make_shared<Keyring>();
  auto node_config = ParseDockerConfigJson(R"({"auths":{"ghcr.io":{"auth":")" + EncodeAuthField("node", "n") + R"("}}})");
  REQUIRE(node_config.ok());
  node->Add(node_config.value(), "node config /etc/kubelet/config.json");

  CredentialResolver resolver(&secrets, &accounts);
  PodCredentialQuery q;
  q.ns = "shop";
  q.pull_secrets = {{"spec.template.spec.imagePullSecrets[0]", "pod-secret"}};
  q.service_account = ServiceAccountRef{"builder", "spec.template.spec.serviceAccountName"};
  q.image_names = {"ghcr.io/org/app"};
  PodCredentials got = resolver.Resolve(q, node);
  CHECK(got.facts.empty());
  auto creds = got.credentials.Lookup("ghcr.io/org/app");
  REQUIRE(creds.size() == 3);
  CHECK(creds[0].source == "secret shop/pod-secret");
  CHECK(creds[1].source == "secret shop/sa-secret");
  CHECK(creds[2].source == "node config /etc/kubelet/config.json");

  // A Pod: the API server merged the ServiceAccount's secrets already; not asked again.
  q.service_account.reset();
  CHECK(resolver.Resolve(q, nullptr).credentials.Lookup("ghcr.io/org/app").size() == 1);
}

TEST_CASE("missing, broken and unrelated secrets, and a missing ServiceAccount, become facts") {
  StaticSecretSource secrets;
  secrets.Add(DockerSecret("shop", "other-registry", "quay.io"));
  PullSecret opaque;
  opaque.ns = "shop";
  opaque.name = "opaque";
  opaque.type = "Opaque";
  secrets.Add(opaque);
  PullSecret broken = DockerSecret("shop", "broken", "ghcr.io");
  broken.data[".dockerconfigjson"] = "{not json";
  secrets.Add(broken);
  StaticServiceAccountSource accounts;
  CredentialResolver resolver(&secrets, &accounts);
  PodCredentialQuery q;
  q.ns = "shop";
  q.pull_secrets = {{"p[0]", "ghost"}, {"p[1]", "other-registry"}, {"p[2]", "opaque"}, {"p[3]", "broken"}};
  q.service_account = ServiceAccountRef{"robot", "spec.template.spec.serviceAccountName"};
  q.image_names = {"ghcr.io/org/app"};
  PodCredentials got = resolver.Resolve(q, nullptr);
  REQUIRE(got.facts.size() == 5);
  struct Expected {
    CredentialProblem problem;
    const char* path;
    const char* name;
  };
  const Expected expected[] = {
      {CredentialProblem::kServiceAccountMissing, "spec.template.spec.serviceAccountName", "robot"},
      {CredentialProblem::kSecretMissing, "p[0]", "ghost"},
      {CredentialProblem::kSecretUnused, "p[1]", "other-registry"},
      {CredentialProblem::kSecretInvalid, "p[2]", "opaque"},
      {CredentialProblem::kSecretInvalid, "p[3]", "broken"},
  };
  for (size_t i = 0; i < 5; ++i) {
    INFO(i);
    CHECK(got.facts[i].problem == expected[i].problem);
    CHECK(got.facts[i].path == expected[i].path);
    CHECK(got.facts[i].name == expected[i].name);
    CHECK(got.facts[i].ns == "shop");
  }
  CHECK(got.facts[2].detail == "ghcr.io");
  CHECK(got.facts[3].detail == "type Opaque is not kubernetes.io/dockerconfigjson");
  CHECK_THAT(got.facts[4].detail, Catch::StartsWith(".dockerconfigjson does not decode"));
  CHECK(got.credentials.Lookup("ghcr.io/org/app").empty());
  // "default" exists in every namespace, with no pull secrets.
  q.pull_secrets.clear();
  q.service_account = ServiceAccountRef{"default", "spec.template.spec.serviceAccountName"};
  CHECK(resolver.Resolve(q, nullptr).facts.empty());
}

TEST_CASE("a secret covers a pod by the images' own names, path prefixes included") {
  StaticSecretSource secrets;
  secrets.Add(DockerSecret("shop", "team-only", "registry.example.com/team"));
  CredentialResolver resolver(&secrets, nullptr);
  PodCredentialQuery q;
  q.ns = "shop";
  q.pull_secrets = {{"p[0]", "team-only"}};
  q.image_names = {"registry.example.com/other/app"};
  REQUIRE(resolver.Resolve(q, nullptr).facts.size() == 1);  // no entry for this image
  q.image_names = {"registry.example.com/team/app"};
  CHECK(resolver.Resolve(q, nullptr).facts.empty());
}

TEST_CASE("regression: a Secret with fields of the wrong type is an error, never an exception") {
  for (const char* text : {R"({"kind":"Secret","metadata":{"name":123}})", R"({"kind":"Secret","metadata":5})",
                           R"({"kind":"Secret","metadata":{"name":"x"},"type":7})"}) {
    INFO(text);
    auto secret = PullSecretFromObject(nlohmann::json::parse(text));
    CHECK_FALSE(secret.ok());
  }
  // Other secrets' data is none of pullguard's business, nulls and odd keys included.
  auto opaque = PullSecretFromObject(nlohmann::json::parse(R"({"kind":"Secret","metadata":{"name":"x"},"data":{"a":null,"b":5,"c":"%%"}})"));
  CHECK(opaque.ok());
  auto broken = PullSecretFromObject(nlohmann::json::parse(
      R"({"kind":"Secret","metadata":{"name":"x"},"type":"kubernetes.io/dockerconfigjson","data":{".dockerconfigjson":"%%"}})"));
  REQUIRE(broken.ok());
  CHECK(SecretProblem(broken.value()) == "data..dockerconfigjson is not base64");
}

TEST_CASE("a ServiceAccount's pull secrets, annotations and uid, fields of the wrong type skipped") {
  ServiceAccountInfo sa = ServiceAccountFromObject(nlohmann::json::parse(R"({"kind":"ServiceAccount",
      "metadata":{"name":"api","uid":"5f1c","annotations":{"eks.amazonaws.com/role-arn":"arn:x","n":5,"empty":""}},
      "imagePullSecrets":[{"name":"regcred"},{"name":""},{"name":7},"x",{"name":"other"}]})"));
  CHECK(sa.pull_secrets == std::vector<std::string>{"regcred", "other"});
  CHECK(sa.annotations == std::map<std::string, std::string>{{"eks.amazonaws.com/role-arn", "arn:x"}, {"empty", ""}});
  CHECK(sa.uid == "5f1c");
  CHECK_FALSE(sa.assumed);
  for (const char* text : {R"(5)", R"({"metadata":5,"imagePullSecrets":{}})", R"({"metadata":{"annotations":[1]}})"}) {
    INFO(text);
    ServiceAccountInfo odd = ServiceAccountFromObject(nlohmann::json::parse(text));
    CHECK(odd.pull_secrets.empty());
    CHECK(odd.annotations.empty());
  }

  StaticServiceAccountSource accounts;
  accounts.Add("shop", "api", sa);
  auto got = accounts.Get("shop", "api");
  REQUIRE(got.ok());
  REQUIRE(got.value().has_value());
  CHECK(got.value()->annotations.at("eks.amazonaws.com/role-arn") == "arn:x");
  auto names = accounts.PullSecretsOf("shop", "api");
  REQUIRE(names.ok());
  CHECK(*names.value() == std::vector<std::string>{"regcred", "other"});
  // The "default" every namespace has: no pull secrets, and annotations not known.
  auto implicit = accounts.Get("shop", "default");
  REQUIRE(implicit.ok());
  REQUIRE(implicit.value().has_value());
  CHECK(implicit.value()->assumed);
  CHECK_FALSE(StaticServiceAccountSource(/*implicit_default=*/false).Get("shop", "default").value().has_value());
}

}  // namespace
}  // namespace pullguard::auth
