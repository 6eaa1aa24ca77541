// The Kubernetes API client against the fake API server: kubeconfig, in-cluster config, token
// rotation, 403 and 404, and the TTL cache joining lookups.
#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "kube/kube_sources.h"
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

}  // namespace
}  // namespace pullguard::kube
