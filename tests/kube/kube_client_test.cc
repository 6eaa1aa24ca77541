// The Kubernetes API client against the fake API server: kubeconfig, in-cluster config, token
// rotation, 403 and 404, the TTL cache joining lookups, and ServiceAccount tokens (TokenRequest).
#include <catch2/catch.hpp>
#include <atomic>
#include <filesystem>
#include <thread>

#include "common/rfc3339.h"
#include "kube/kube_sources.h"
#include "kube/service_account_tokens.h"
#include "support/fake_api_server.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace pullguard::kube {
namespace {

using testing::FakeApiServer;
using testing::TempDir;

std::string Certs(const TempDir& dir) {
  std::string out = dir.File("api");
  REQUIRE(testing::Run({std::string(PULLGUARD_SOURCE_DIR) + "/certs/gen-dev-certs.sh", out}).exit_code == 0);
  return out;
}

TEST_CASE("a kubeconfig's current context: server, CA, token file, client certificate data") {
  TempDir dir;
  std::string path = dir.Write("config", R"(apiVersion: v1
kind: Config
current-context: b
clusters:
- {name: one, cluster: {server: "https://10.0.0.1:6443", certificate-authority: ca.pem}}
- {name: two, cluster: {server: "https://10.0.0.2:6443", certificate-authority-data: "LS0tLS1CRUdJTg=="}}
users:
- {name: u, user: {tokenFile: token.txt, client-certificate-data: "Y2VydA==", client-key-data: "a2V5"}}
contexts:
- {name: a, context: {cluster: one, user: u}}
- {name: b, context: {cluster: two, user: u}}
)");
  auto b = LoadKubeconfig(path);
  REQUIRE(b.ok());
  CHECK(b->server == "https://10.0.0.2:6443");
  CHECK(b->ca_data == "-----BEGIN");
  CHECK(b->token_file == dir.File("token.txt"));  // relative to the kubeconfig
  CHECK(b->client_cert_data == "cert");
  CHECK(b->client_key_data == "key");
  auto a = LoadKubeconfig(path, "a");
  REQUIRE(a.ok());
  CHECK(a->ca_file == dir.File("ca.pem"));
  auto missing = LoadKubeconfig(path, "zzz");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.status().message(), Catch::Contains("context \"zzz\" not found"));
  std::string plain = dir.Write("plain", "current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\nclusters: [{name: c, cluster: {server: \"http://x\"}}]\n");
  CHECK_THAT(LoadKubeconfig(plain).status().message(), Catch::Contains("must be https://"));
}

TEST_CASE("in-cluster configuration from the environment and the mounted ServiceAccount") {
  TempDir dir;
  dir.Write("token", "abc");
  auto env = [](const char* name) -> const char* {
    std::string n = name;
    if (n == "KUBERNETES_SERVICE_HOST") return "fd00::1";
    if (n == "KUBERNETES_SERVICE_PORT") return "443";
    return nullptr;
  };
  auto config = InClusterConfig(env, dir.path());
  REQUIRE(config.ok());
  CHECK(config->server == "https://[fd00::1]:443");
  CHECK(config->token_file == dir.File("token"));
  CHECK(config->ca_file == dir.File("ca.crt"));
  auto outside = InClusterConfig([](const char*) -> const char* { return nullptr; }, dir.path());
  CHECK_FALSE(outside.ok());
}

TEST_CASE("a rotated token file is picked up, and 403 and 404 have clear words") {
  TempDir dir;
  std::string certs = Certs(dir);
  FakeApiServer api(certs + "/tls.crt", certs + "/tls.key", "token-one");
  api.AddServiceAccount("demo", "app-sa", {"regcred"});
  api.Forbid("locked");
  std::string token = dir.Write("token", "token-one\n");
  KubeConfig config;
  config.server = "https://127.0.0.1:" + std::to_string(api.port());
  config.ca_file = certs + "/ca.crt";
  config.token_file = token;
  ApiClient client(config, std::chrono::milliseconds(0));
  CHECK(client.Get("/api/v1/namespaces/demo/serviceaccounts/app-sa").status == 200);

  // The kubelet rotates the bound token: the API takes only the new one, the file has it.
  api.SetToken("token-two");
  CHECK(client.Get("/api/v1/namespaces/demo/serviceaccounts/app-sa").status == 401);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a new mtime for the new file
  dir.Write("token", "token-two\n");
  CHECK(client.Get("/api/v1/namespaces/demo/serviceaccounts/app-sa").status == 200);

  KubeServiceAccountSource accounts(client, std::chrono::milliseconds(0));
  auto sa = accounts.PullSecretsOf("demo", "app-sa");
  REQUIRE(sa.ok());
  REQUIRE(sa.value().has_value());
  CHECK(*sa.value() == std::vector<std::string>{"regcred"});
  auto gone = accounts.PullSecretsOf("demo", "nope");
  REQUIRE(gone.ok());
  CHECK_FALSE(gone.value().has_value());
  auto forbidden = accounts.PullSecretsOf("locked", "app-sa");
  REQUIRE_FALSE(forbidden.ok());
  CHECK_THAT(forbidden.status().message(),
             Catch::Contains("forbids pullguard to get serviceaccounts in namespace locked (403); grant it with manifests/base/rbac.yaml"));

  KubeSecretSource secrets(client, std::chrono::milliseconds(0));
  auto none = secrets.Get("demo", "regcred");
  REQUIRE(none.ok());
  CHECK_FALSE(none.value().has_value());
}

TEST_CASE("regression: the node list is read page by page, not cut at the first MiB") {
  TempDir dir;
  std::string certs = Certs(dir);
  FakeApiServer api(certs + "/tls.crt", certs + "/tls.key", "t");
  for (int i = 0; i < 7; ++i) {
    api.AddNode("n" + std::to_string(i), "linux", i % 2 ? "arm64" : "amd64", {{"ghcr.io/org/app:1.0", "ghcr.io/org/app@sha256:" + std::string(64, 'a')}});
  }
  KubeConfig config;
  config.server = "https://127.0.0.1:" + std::to_string(api.port());
  config.ca_file = certs + "/ca.crt";
  config.token = "t";
  ApiClient client(config);
  KubeNodeSource nodes(client, std::chrono::seconds(60), /*page_size=*/3);
  auto list = nodes.Nodes();
  REQUIRE(list.ok());
  REQUIRE(list.value()->size() == 7);
  CHECK(api.node_pages() == 3);
  CHECK(list.value()->at(6).name == "n6");
  CHECK(list.value()->at(1).labels.at("kubernetes.io/arch") == "arm64");
  CHECK(list.value()->at(1).images.size() == 2);
  auto platforms = PlatformsOfNodes(*list.value());
  REQUIRE(platforms.size() == 2);
  CHECK(platforms[0].ToString() == "linux/amd64");
  config.token = "wrong";
  ApiClient refused(config);
  KubeNodeSource unauthorized(refused);
  CHECK_THAT(unauthorized.Nodes().status().message(), Catch::Contains("rejected pullguard's token (401)"));
}

TEST_CASE("a burst of identical lookups is one API call") {
  TempDir dir;
  std::string certs = Certs(dir);
  FakeApiServer api(certs + "/tls.crt", certs + "/tls.key", "t");
  api.AddSecret("demo", "regcred", "kubernetes.io/dockerconfigjson", {{".dockerconfigjson", R"({"auths":{}})"}});
  KubeConfig config;
  config.server = "https://127.0.0.1:" + std::to_string(api.port());
  config.ca_file = certs + "/ca.crt";
  config.token = "t";
  ApiClient client(config);
  KubeSecretSource secrets(client, std::chrono::seconds(30));
  std::vector<std::thread> threads;
  std::atomic<int> found{0};
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      auto s = secrets.Get("demo", "regcred");
      if (s.ok() && s.value()) ++found;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(found == 16);
  CHECK(api.requests() == 1);
}

TEST_CASE("KEP-4412: the TokenRequest pullguard sends, and every answer in words that never hold the token") {
  // Unbound (no pod exists at admission), the shortest life the API accepts.
  auto body = nlohmann::json::parse(TokenRequestBody("sts.amazonaws.com"));
  CHECK(body == nlohmann::json::parse(R"({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                                          "spec": {"audiences": ["sts.amazonaws.com"], "expirationSeconds": 600}})"));
  auto answer = [](int status, const std::string& body) {
    ApiResponse r;
    r.status = status;
    r.body = body;
    return ParseTokenRequestAnswer(r, "shop", "api", "sts.amazonaws.com");
  };
  auto issued = answer(201, R"({"kind": "TokenRequest", "status": {"token": "eyJ.secret-token.sig",
                                "expirationTimestamp": "2030-01-02T03:04:05Z"}})");
  REQUIRE(issued.ok());
  CHECK(issued->token == "eyJ.secret-token.sig");
  CHECK(FormatRfc3339(issued->expires) == "2030-01-02T03:04:05Z");
  auto status = [](const std::string& message) {
    return nlohmann::json{{"kind", "Status"}, {"code", 403}, {"message", message}}.dump();
  };
  struct Case {
    int code;
    std::string body, says;
  };
  const Case cases[] = {
      {403, status("serviceaccounts \"api\" is forbidden: User \"system:serviceaccount:pullguard-system:pullguard\" cannot "
                   "create resource \"serviceaccounts/token\" in API group \"\" in the namespace \"shop\""),
       "pullguard may not request ServiceAccount tokens in namespace shop (403): install the component "
       "manifests/components/serviceaccount-tokens"},
      {403, status("serviceaccounts \"api\" is forbidden: ValidatingAdmissionPolicy 'pullguard-serviceaccount-tokens' with "
                   "binding 'pullguard-serviceaccount-tokens' denied request: no"),
       "a ValidatingAdmissionPolicy refused pullguard a token for audience sts.amazonaws.com (403): list the audience in "
       "the ConfigMap pullguard-token-audiences"},
      {403, status("admission webhook \"x.example.com\" denied the request: no"),
       "an admission webhook refused pullguard's TokenRequest for ServiceAccount shop/api (403)"},
      {404, status("serviceaccounts \"api\" not found"), "ServiceAccount shop/api does not exist (TokenRequest: 404)"},
      {401, "", "rejected pullguard's own token (401)"},
      {500, "{}", "answered 500 to the TokenRequest for ServiceAccount shop/api"},
      {201, R"({"status": {"expirationTimestamp": "2030-01-02T03:04:05Z"}})", "without status.token"},
      {201, R"({"status": {"token": "eyJ.secret-token.sig", "expirationTimestamp": "soon"}})",
       "without a valid status.expirationTimestamp"},
      {201, "eyJ.secret-token.sig", "not JSON"},
  };
  for (const auto& c : cases) {
    INFO(c.code << " " << c.body);
    auto got = answer(c.code, c.body);
    REQUIRE_FALSE(got.ok());
    CHECK_THAT(got.status().message(), Catch::Contains(c.says));
    CHECK_THAT(got.status().message(), !Catch::Contains("secret-token"));
  }
  ApiResponse silent;
  silent.error = "Timeout was reached";
  CHECK_THAT(ParseTokenRequestAnswer(silent, "shop", "api", "a").status().message(),
             Catch::Contains("did not answer the TokenRequest (Timeout was reached)"));
}

TEST_CASE("KEP-4412: a token per namespace, ServiceAccount and audience, until 80% of its life, refusals kept briefly") {
  TempDir dir;
  std::string certs = Certs(dir);
  FakeApiServer api(certs + "/tls.crt", certs + "/tls.key", "t");
  api.AddServiceAccount("shop", "api", {});
  api.AddServiceAccount("shop", "web", {});
  KubeConfig config;
  config.server = "https://127.0.0.1:" + std::to_string(api.port());
  config.ca_file = certs + "/ca.crt";
  config.token = "t";
  ApiClient client(config);
  std::atomic<int64_t> offset_s{0};
  const auto base = std::chrono::steady_clock::now();
  KubeServiceAccountTokenSource tokens(client, [&] { return base + std::chrono::seconds(offset_s.load()); });
  auto deadline = [] { return std::chrono::steady_clock::now() + std::chrono::seconds(5); };

  auto first = tokens.Token("shop", "api", "sts.amazonaws.com", deadline());
  REQUIRE(first.ok());
  CHECK(first.value() == api.IssuedTokens().at(0));
  auto sent = api.TokenRequests();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0]["path"] == "/api/v1/namespaces/shop/serviceaccounts/api/token");
  CHECK(sent[0]["spec"] == nlohmann::json::parse(R"({"audiences": ["sts.amazonaws.com"], "expirationSeconds": 600})"));
  // The same key while the token is fresh: no new request, from many threads at once too.
  std::vector<std::thread> threads;
  std::atomic<int> same{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto again = tokens.Token("shop", "api", "sts.amazonaws.com", deadline());
      if (again.ok() && again.value() == first.value()) ++same;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(same == 8);
  CHECK(tokens.requests() == 1);
  // Another audience, another ServiceAccount: a token each.
  CHECK(tokens.Token("shop", "api", "other.example.com", deadline()).ok());
  CHECK(tokens.Token("shop", "web", "sts.amazonaws.com", deadline()).ok());
  CHECK(tokens.requests() == 3);
  // 600 s tokens are renewed once 480 s have passed (the kubelet's token manager: 20% left).
  offset_s = 470;
  auto fresh = tokens.Token("shop", "api", "sts.amazonaws.com", deadline());
  REQUIRE(fresh.ok());
  CHECK(fresh.value() == first.value());
  CHECK(tokens.requests() == 3);
  offset_s = 490;
  auto renewed = tokens.Token("shop", "api", "sts.amazonaws.com", deadline());
  REQUIRE(renewed.ok());
  CHECK(tokens.requests() == 4);
  CHECK(renewed.value() != first.value());
  // A renewal refused keeps the token it would replace while that is still valid, as the
  // token manager does.
  api.ForbidTokenRequests();
  offset_s = 490 + 490;
  auto kept = tokens.Token("shop", "api", "sts.amazonaws.com", deadline());
  REQUIRE(kept.ok());
  CHECK(kept.value() == renewed.value());
  CHECK(tokens.requests() == 5);
  // A refusal with no token to keep: its words, kept 10 s (one request), then asked again.
  auto refused = tokens.Token("shop", "nobody", "sts.amazonaws.com", deadline());
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.status().message(), Catch::Contains("pullguard may not request ServiceAccount tokens in namespace shop (403)"));
  CHECK_FALSE(tokens.Token("shop", "nobody", "sts.amazonaws.com", deadline()).ok());
  CHECK(tokens.requests() == 6);
  offset_s += 11;
  CHECK_FALSE(tokens.Token("shop", "nobody", "sts.amazonaws.com", deadline()).ok());
  CHECK(tokens.requests() == 7);
  // No time left: no request at all.
  auto late = tokens.Token("shop", "late", "sts.amazonaws.com", std::chrono::steady_clock::now());
  REQUIRE_FALSE(late.ok());
  CHECK(tokens.requests() == 7);
}

}  // namespace
}  // namespace pullguard::kube
