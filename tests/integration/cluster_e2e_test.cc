// The API server's part, played faithfully without a cluster: render the self-managed overlay
// with `kubectl kustomize`, take the ValidatingWebhookConfiguration, the TLS Secret, the policy
// ConfigMap and the Deployment's arguments from it, run pullguard as that Deployment would
// (with a fake Kubernetes API serving Secrets and ServiceAccounts in their real JSON shapes),
// verify its certificate against the caBundle for the Service's DNS name, and send
// AdmissionReviews to clientConfig.service.path with ?timeout=10s. Real registries provide
// the images.
#include <catch2/catch.hpp>
#include <filesystem>
#include <iostream>
#include <regex>

#include "auth/docker_config.h"
#include "cli/manifest_reader.h"
#include "integration/registry_env.h"
#include "support/fake_api_server.h"
#include "support/image_fixtures.h"
#include "support/process.h"
#include "support/registry_server.h"
#include "support/tls_probe.h"

namespace pullguard::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// kustomize v4 or newer: the manifests use `labels` and `patches`, which older ones lack
// (Debian's kubernetes-client carries kustomize 2.0.3).
bool KustomizeIsCurrent() {
  RunResult v = Run({"kubectl", "version", "--client"});
  std::smatch m;
  return std::regex_search(v.out, m, std::regex("Kustomize Version: v(\\d+)")) && std::stoi(m[1]) >= 4;
}

std::vector<json> Render(const std::string& overlay, const TempDir& dir, const std::string& name) {
  RunResult r = Run({"kubectl", "kustomize", overlay}, "", std::chrono::seconds(60));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // A current kustomize renders them without a deprecation warning.
  CHECK(r.err.find("Warning") == std::string::npos);
  std::string file = dir.Write(name, r.out);
  cli::ManifestSet manifests = cli::ReadManifests({file});
  REQUIRE(manifests.problems.empty());
  std::vector<json> objects;
  for (const auto& m : manifests.objects) objects.push_back(m.object);
  return objects;
}

// A copy of the shipped manifests with an overlay of ours, overlays/mine: its kustomization and
// the files it names (name -> content), rendered.
std::vector<json> RenderMine(const TempDir& dir, const std::string& kustomization,
                             const std::map<std::string, std::string>& files) {
  fs::copy(std::string(PULLGUARD_SOURCE_DIR) + "/manifests", dir.File("manifests"), fs::copy_options::recursive);
  fs::create_directories(dir.File("manifests/overlays/mine"));
  dir.Write("manifests/overlays/mine/kustomization.yaml", kustomization);
  for (const auto& [name, content] : files) dir.Write("manifests/overlays/mine/" + name, content);
  return Render(dir.File("manifests/overlays/mine"), dir, "mine.yaml");
}

const json& Find(const std::vector<json>& objects, const std::string& kind, const std::string& name = "") {
  for (const auto& o : objects) {
    if (o["kind"] == kind && (name.empty() || o["metadata"]["name"] == name)) return o;
  }
  FAIL("no " + kind + " " + name + " in the rendered manifests");
  static json none;
  return none;
}

std::string DecodeData(const json& secret_or_webhook_field) {
  auto decoded = auth::DecodeBase64(secret_or_webhook_field.get<std::string>());
  REQUIRE(decoded.ok());
  return decoded.value();
}

json Deployment(const std::string& ns, const std::string& image, const std::string& service_account,
                const std::vector<std::string>& pull_secrets = {}) {
  json spec = {{"containers", {{{"name", "web"}, {"image", image}}}}};
  if (!service_account.empty()) spec["serviceAccountName"] = service_account;
  if (!pull_secrets.empty()) {
    spec["imagePullSecrets"] = json::array();
    for (const auto& s : pull_secrets) spec["imagePullSecrets"].push_back({{"name", s}});
  }
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", "web"}, {"namespace", ns}}},
          {"spec", {{"replicas", 2}, {"selector", {{"matchLabels", {{"app", "web"}}}}},
                    {"template", {{"metadata", {{"labels", {{"app", "web"}}}}}, {"spec", spec}}}}}};
}

json Review(const json& object, const std::string& operation = "CREATE", const json& old = nullptr, bool dry_run = false) {
  static int n = 0;
  std::string ns = object["metadata"]["namespace"];
  return {{"apiVersion", "admission.k8s.io/v1"},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", "e2e00000-0000-4000-8000-" + std::to_string(100000000000 + ++n)},
            {"kind", {{"group", "apps"}, {"version", "v1"}, {"kind", "Deployment"}}},
            {"resource", {{"group", "apps"}, {"version", "v1"}, {"resource", "deployments"}}},
            {"requestKind", {{"group", "apps"}, {"version", "v1"}, {"kind", "Deployment"}}},
            {"requestResource", {{"group", "apps"}, {"version", "v1"}, {"resource", "deployments"}}},
            {"name", "web"}, {"namespace", ns}, {"operation", operation},
            {"userInfo", {{"username", "e2e-admin"}, {"groups", {"system:masters", "system:authenticated"}}}},
            {"object", object}, {"oldObject", old}, {"dryRun", dry_run},
            {"options", {{"kind", operation == "CREATE" ? "CreateOptions" : "UpdateOptions"}, {"apiVersion", "meta.k8s.io/v1"}}}}}};
}

// What kubectl prints for an answer, as the API server relays it.
std::string KubectlOutput(const json& response, const std::string& webhook_name, bool dry_run) {
  std::string out;
  if (response.contains("warnings")) {
    for (const auto& w : response["warnings"]) out += "Warning: " + w.get<std::string>() + "\n";
  }
  if (response["allowed"].get<bool>()) {
    out += std::string("deployment.apps/web created") + (dry_run ? " (server dry run)" : "") + "\n";
  } else {
    out += "Error from server (Forbidden): error when creating \"web.yaml\": admission webhook \"" + webhook_name +
           "\" denied the request: " + response["status"]["message"].get<std::string>() + "\n";
  }
  return out;
}

TEST_CASE("kubectl kustomize renders every overlay, kubectl apply --dry-run=client takes it, its images pass check",
          "[integration][manifests]") {
  if (!KustomizeIsCurrent()) {
    WARN("kubectl's kustomize is older than v4 and cannot render these manifests: install a current kubectl");
  }
  REQUIRE(KustomizeIsCurrent());
  TempDir dir;
  fs::copy(std::string(PULLGUARD_SOURCE_DIR) + "/manifests", dir.File("manifests"), fs::copy_options::recursive);
  REQUIRE(Run({std::string(PULLGUARD_SOURCE_DIR) + "/certs/self-managed.sh", dir.File("manifests/overlays/self-managed")}).exit_code == 0);
  // An API server's discovery, so that kubectl can map every kind (nothing exists in it yet).
  std::string api_certs = MakeCerts(dir, "api-certs");
  FakeApiServer api(api_certs + "/tls.crt", api_certs + "/tls.key", "tok");
  std::string kubeconfig = dir.Write("kubeconfig", api.Kubeconfig(api_certs + "/ca.crt", dir.Write("token", "tok")));
  for (const std::string overlay : {"cert-manager", "self-managed"}) {
    INFO(overlay);
    auto objects = Render(dir.File("manifests/overlays/" + overlay), dir, overlay + ".yaml");
    RunResult dry = Run({"kubectl", "--kubeconfig", kubeconfig, "apply", "--dry-run=client", "--validate=false", "-k",
                         dir.File("manifests/overlays/" + overlay)},
                        "", std::chrono::seconds(60));
    INFO(dry.out << dry.err);
    CHECK(dry.exit_code == 0);
    CHECK_THAT(dry.out, Catch::Contains("deployment.apps/pullguard created (dry run)"));
    CHECK_THAT(dry.out, Catch::Contains("validatingwebhookconfiguration.admissionregistration.k8s.io/pullguard created (dry run)"));
    CHECK_THAT(dry.out, Catch::Contains("horizontalpodautoscaler.autoscaling/pullguard created (dry run)"));
    // Every image reference in them passes pullguard's own offline check.
    RunResult check = Run({PULLGUARD_BINARY, "check", "--offline", "-f", dir.File(overlay + ".yaml")});
    INFO(check.out << check.err);
    CHECK(check.exit_code == 0);
    CHECK_THAT(check.out, Catch::Contains("1 object, 1 image: 0 denied, 0 warned"));
    const json& webhook = Find(objects, "ValidatingWebhookConfiguration", "pullguard");
    const json& w = webhook["webhooks"][0];
    CHECK(w["sideEffects"] == "None");
    CHECK(w["admissionReviewVersions"] == json::array({"v1"}));
    CHECK(w["clientConfig"]["service"]["path"] == "/validate");
    std::string resources;
    for (const auto& rule : w["rules"]) {
      for (const auto& r : rule["resources"]) resources += r.get<std::string>() + ",";
    }
    for (const char* r : {"pods", "pods/ephemeralcontainers", "deployments", "replicasets", "statefulsets", "daemonsets",
                          "jobs", "cronjobs", "replicationcontrollers", "podtemplates"}) {
      CHECK_THAT(resources, Catch::Contains(std::string(r) + ","));
    }
    CHECK(w["namespaceSelector"]["matchExpressions"][0]["values"] == json::array({"pullguard-system", "kube-system"}));
    const json& deployment = Find(objects, "Deployment", "pullguard");
    CHECK_FALSE(deployment["spec"].contains("replicas"));  // the HorizontalPodAutoscaler owns it
    const json& hpa = Find(objects, "HorizontalPodAutoscaler", "pullguard");
    CHECK(hpa["spec"]["minReplicas"] == 2);
    CHECK(hpa["spec"]["scaleTargetRef"]["name"] == "pullguard");
    CHECK(deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] == true);
    const json& role = Find(objects, "ClusterRole", "pullguard");
    CHECK(role["rules"][0]["verbs"] == json::array({"get"}));  // no list/watch on secrets
    Find(objects, "PodDisruptionBudget", "pullguard");
    auto policy = Find(objects, "ConfigMap", "pullguard-policy")["data"]["policy.yaml"].get<std::string>();
    CHECK(Run({PULLGUARD_BINARY, "policy", "validate", dir.Write("policy-" + overlay + ".yaml", policy)}).exit_code == 0);
    const json& args = deployment["spec"]["template"]["spec"]["containers"][0]["args"];
    CHECK(std::find(args.begin(), args.end(), "--client-ca=/etc/pullguard/client-ca/ca.crt") == args.end());
    if (overlay == "cert-manager") {
      CHECK(webhook["metadata"]["annotations"]["cert-manager.io/inject-ca-from"] == "pullguard-system/pullguard-serving-cert");
      Find(objects, "Certificate", "pullguard-serving-cert");
    } else {
      CHECK_THAT(DecodeData(w["clientConfig"]["caBundle"]), Catch::StartsWith("-----BEGIN CERTIFICATE-----"));
      CHECK(Find(objects, "Secret", "pullguard-tls")["type"] == "kubernetes.io/tls");
    }
  }
}

TEST_CASE("the client-auth component makes pullguard ask for the API server's certificate", "[integration][manifests]") {
  REQUIRE(KustomizeIsCurrent());
  TempDir dir;
  auto objects = RenderMine(dir,
                            "resources:\n  - ../cert-manager\ncomponents:\n  - ../../components/client-auth\nconfigMapGenerator:\n"
                            "  - name: pullguard-client-ca\n    namespace: pullguard-system\n    files: [ca.crt]\n"
                            "generatorOptions:\n  disableNameSuffixHash: true\n",
                            {{"ca.crt", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"}});
  const json& pod = Find(objects, "Deployment", "pullguard")["spec"]["template"]["spec"];
  const json& args = pod["containers"][0]["args"];
  CHECK(std::find(args.begin(), args.end(), "--client-ca=/etc/pullguard/client-ca/ca.crt") != args.end());
  bool mounted = false;
  for (const auto& v : pod["volumes"]) mounted |= v["name"] == "client-ca" && v["configMap"]["name"] == "pullguard-client-ca";
  CHECK(mounted);
  Find(objects, "ConfigMap", "pullguard-client-ca");
}

TEST_CASE("the nodes-certs-d component mounts the nodes' hosts.toml where the shipped policy reads it",
          "[integration][manifests]") {
  REQUIRE(KustomizeIsCurrent());
  TempDir dir;
  auto objects = RenderMine(dir,
                            "resources:\n  - ../cert-manager\ncomponents:\n  - ../../components/nodes-certs-d\nconfigMapGenerator:\n"
                            "  - name: pullguard-certs-d\n    namespace: pullguard-system\n    files:\n"
                            "      - docker.io.hosts.toml=hosts.toml\n",
                            {{"hosts.toml", "server = \"https://registry-1.docker.io\"\n[host.\"https://mirror.local\"]\n"}});
  const json& pod = Find(objects, "Deployment", "pullguard")["spec"]["template"]["spec"];
  std::string mount_path, config_map, item_path;
  for (const auto& m : pod["containers"][0]["volumeMounts"]) {
    if (m["name"] == "certs-d") mount_path = m["mountPath"];
  }
  for (const auto& v : pod["volumes"]) {
    if (v["name"] != "certs-d") continue;
    config_map = v["configMap"]["name"];
    item_path = v["configMap"]["items"][0]["path"];
  }
  CHECK(item_path == "docker.io/hosts.toml");
  // kustomize gives the generated ConfigMap a hash suffix and the volume the same name.
  CHECK(config_map.rfind("pullguard-certs-d", 0) == 0);
  Find(objects, "ConfigMap", config_map);
  // The shipped policy's hostsDir is that mount.
  std::string policy = Find(objects, "ConfigMap", "pullguard-policy")["data"]["policy.yaml"];
  CHECK_THAT(policy, Catch::Contains("hostsDir: " + mount_path));
  CHECK(mount_path == "/etc/containerd/certs.d");
}

TEST_CASE("the serviceaccount-tokens component grants TokenRequests to pullguard alone, limits their audiences, and turns "
          "the policy on",
          "[integration][manifests]") {
  REQUIRE(KustomizeIsCurrent());
  TempDir dir;
  const std::string mine = "resources:\n  - ../cert-manager\ncomponents:\n  - ../../components/serviceaccount-tokens\n"
                           "configMapGenerator:\n  - name: pullguard-token-audiences\n    namespace: pullguard-system\n"
                           "    literals:\n      - audiences=sts.amazonaws.com\n    options:\n      disableNameSuffixHash: true\n";
  auto objects = RenderMine(dir, mine, {});
  const json& deployment = Find(objects, "Deployment", "pullguard");
  const std::string sa = deployment["spec"]["template"]["spec"]["serviceAccountName"];
  const std::string ns = deployment["metadata"]["namespace"];
  // RBAC: create on serviceaccounts/token, nothing else, for pullguard's ServiceAccount.
  const json& role = Find(objects, "ClusterRole", "pullguard-serviceaccount-tokens");
  CHECK(role["rules"] == json::parse(R"([{"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]}])"));
  const json& binding = Find(objects, "ClusterRoleBinding", "pullguard-serviceaccount-tokens");
  CHECK(binding["roleRef"]["name"] == "pullguard-serviceaccount-tokens");
  CHECK(binding["subjects"] == json::array({{{"kind", "ServiceAccount"}, {"name", sa}, {"namespace", ns}}}));
  // The admission policy: pullguard's own TokenRequests, the overlay's audiences, or none.
  const json& policy_object = Find(objects, "ValidatingAdmissionPolicy", "pullguard-serviceaccount-tokens");
  CHECK(policy_object["apiVersion"] == "admissionregistration.k8s.io/v1");
  CHECK(policy_object["spec"]["matchConditions"][0]["expression"] ==
        "request.userInfo.username == 'system:serviceaccount:" + ns + ":" + sa + "'");
  CHECK(policy_object["spec"]["matchConstraints"]["resourceRules"][0]["resources"] == json::array({"serviceaccounts/token"}));
  CHECK(policy_object["spec"]["matchConstraints"]["resourceRules"][0]["operations"] == json::array({"CREATE"}));
  CHECK(policy_object["spec"]["paramKind"]["kind"] == "ConfigMap");
  const json& policy_binding = Find(objects, "ValidatingAdmissionPolicyBinding", "pullguard-serviceaccount-tokens");
  CHECK(policy_binding["spec"]["policyName"] == "pullguard-serviceaccount-tokens");
  CHECK(policy_binding["spec"]["validationActions"] == json::array({"Deny"}));
  CHECK(policy_binding["spec"]["paramRef"]["name"] == "pullguard-token-audiences");
  CHECK(policy_binding["spec"]["paramRef"]["namespace"] == ns);
  CHECK(policy_binding["spec"]["paramRef"]["parameterNotFoundAction"] == "Deny");
  CHECK(Find(objects, "ConfigMap", "pullguard-token-audiences")["data"]["audiences"] == "sts.amazonaws.com");
  // The policy: the base's, with nodeCredentials.serviceAccountTokens on, and valid.
  std::string policy = Find(objects, "ConfigMap", "pullguard-policy")["data"]["policy.yaml"];
  CHECK(policy.rfind(ReadAll(std::string(PULLGUARD_SOURCE_DIR) + "/manifests/base/policy.yaml"), 0) == 0);
  CHECK_THAT(policy, Catch::EndsWith("nodeCredentials:\n  serviceAccountTokens: true\n"));
  CHECK(Run({PULLGUARD_BINARY, "policy", "validate", dir.Write("policy.yaml", policy)}).exit_code == 0);
  // kubectl maps every kind of it.
  std::string api_certs = MakeCerts(dir, "api-certs");
  FakeApiServer api(api_certs + "/tls.crt", api_certs + "/tls.key", "tok");
  std::string kubeconfig = dir.Write("kubeconfig", api.Kubeconfig(api_certs + "/ca.crt", dir.Write("token", "tok")));
  RunResult dry = Run({"kubectl", "--kubeconfig", kubeconfig, "apply", "--dry-run=client", "--validate=false", "-k",
                       dir.File("manifests/overlays/mine")},
                      "", std::chrono::seconds(60));
  INFO(dry.out << dry.err);
  CHECK(dry.exit_code == 0);
  CHECK_THAT(dry.out, Catch::Contains("validatingadmissionpolicy.admissionregistration.k8s.io/pullguard-serviceaccount-tokens "
                                      "created (dry run)"));
  CHECK_THAT(dry.out, Catch::Contains("validatingadmissionpolicybinding.admissionregistration.k8s.io/"
                                      "pullguard-serviceaccount-tokens created (dry run)"));
}

TEST_CASE("end to end as the API server calls it: ServiceAccount secrets, missing secrets, RBAC refusals, dry runs",
          "[integration][manifests]") {
  TempDir dir;
  fs::copy(std::string(PULLGUARD_SOURCE_DIR) + "/manifests", dir.File("manifests"), fs::copy_options::recursive);
  REQUIRE(Run({std::string(PULLGUARD_SOURCE_DIR) + "/certs/self-managed.sh", dir.File("manifests/overlays/self-managed")}).exit_code == 0);
  auto objects = Render(dir.File("manifests/overlays/self-managed"), dir, "rendered.yaml");
  const json& webhook = Find(objects, "ValidatingWebhookConfiguration", "pullguard")["webhooks"][0];
  const json& service = webhook["clientConfig"]["service"];
  const std::string service_dns = service["name"].get<std::string>() + "." + service["namespace"].get<std::string>() + ".svc";
  const std::string ca_bundle = dir.Write("ca-bundle.pem", DecodeData(webhook["clientConfig"]["caBundle"]));
  const json& tls = Find(objects, "Secret", "pullguard-tls");
  fs::create_directories(dir.File("etc/tls"));
  fs::create_directories(dir.File("etc/policy"));
  dir.Write("etc/tls/tls.crt", DecodeData(tls["data"]["tls.crt"]));
  dir.Write("etc/tls/tls.key", DecodeData(tls["data"]["tls.key"]));

  // A registry with Basic auth holds the image; the policy from the ConfigMap learns to reach it.
  std::string registry_certs = MakeCerts(dir, "registry-certs");
  RegistryOptions options;
  options.auth = RegistryAuth::kBasic;
  RegistryServer registry(registry_certs + "/tls.crt", registry_certs + "/tls.key", registry_certs + "/ca.crt", options);
  PushSingle(registry, "team/web", "1.0", "linux/amd64");
  PushSingle(registry, "team/web", "latest", "linux/amd64");
  const std::string image = registry.host() + "/team/web:1.0";
  std::string policy = Find(objects, "ConfigMap", "pullguard-policy")["data"]["policy.yaml"];
  dir.Write("etc/policy/policy.yaml", policy + "registries:\n  - host: \"127.0.0.1:*\"\n    caFile: " + registry_certs +
                                          "/ca.crt\n    allowPrivateAddress: true\n");

  // The Kubernetes API: ServiceAccount app-sa carries the only pull secret for the registry.
  std::string api_certs = MakeCerts(dir, "api-certs");
  FakeApiServer api(api_certs + "/tls.crt", api_certs + "/tls.key", "token-one");
  std::string docker_config = json{{"auths", {{registry.host(), {{"auth", auth::EncodeAuthField(options.user, options.password)}}}}}}.dump();
  api.AddSecret("demo", "regcred", "kubernetes.io/dockerconfigjson", {{".dockerconfigjson", docker_config}});
  api.AddServiceAccount("demo", "app-sa", {"regcred"});
  api.AddServiceAccount("demo", "default", {});
  api.Forbid("locked");
  std::string token_file = dir.Write("token", "token-one\n");
  std::string kubeconfig = dir.Write("kubeconfig", api.Kubeconfig(api_certs + "/ca.crt", token_file));

  // pullguard as the Deployment runs it: its own args, with the mount paths moved here.
  std::vector<std::string> argv{PULLGUARD_BINARY};
  for (const auto& arg : Find(objects, "Deployment", "pullguard")["spec"]["template"]["spec"]["containers"][0]["args"]) {
    std::string a = std::regex_replace(arg.get<std::string>(), std::regex("/etc/pullguard/"), dir.File("etc/"));
    if (a.rfind("--listen=", 0) == 0) a = "--listen=127.0.0.1:0";
    if (a.rfind("--shutdown-delay-ms=", 0) == 0) continue;
    argv.push_back(a);
  }
  argv.push_back("--kubeconfig=" + kubeconfig);
  Process pullguard(argv, dir.path());
  REQUIRE(pullguard.WaitForStderr("\"msg\":\"listening\""));
  std::smatch m;
  std::string log = pullguard.Stderr();
  REQUIRE(std::regex_search(log, m, std::regex("\"port\":(\\d+)")));
  int port = std::stoi(m[1]);

  // The API server verifies the webhook's certificate against caBundle, for the Service's name.
  TlsResult handshake = Handshake(port, ca_bundle, service_dns);
  INFO(handshake.error);
  REQUIRE(handshake.handshake_ok);
  CHECK_FALSE(Handshake(port, ca_bundle, "pullguard.other-namespace.svc").handshake_ok);

  const std::string url = service["path"].get<std::string>() + "?timeout=" + std::to_string(webhook["timeoutSeconds"].get<int>()) + "s";
  auto ask = [&](const json& review) {
    TlsAnswer a = TlsPost(port, ca_bundle, service_dns, url, review.dump());
    INFO(a.error << " " << a.body);
    REQUIRE(a.status == 200);
    json doc = json::parse(a.body);
    CHECK(doc["response"]["uid"] == review["request"]["uid"]);
    return doc["response"];
  };
  auto text = [](const json& response) {
    std::string all = response.contains("status") ? response["status"]["message"].get<std::string>() : "";
    if (response.contains("warnings")) {
      for (const auto& w : response["warnings"]) all += "\n" + w.get<std::string>();
    }
    return all;
  };

  json admitted = ask(Review(Deployment("demo", image, "app-sa")));
  CHECK(admitted["allowed"] == true);
  CHECK_FALSE(admitted.contains("warnings"));

  json without = ask(Review(Deployment("demo", image, "")));  // runs as "default": no secret
  CHECK(without["allowed"] == false);
  CHECK_THAT(text(without), Catch::Contains("spec.template.spec.containers[0].image \"" + image + "\": AuthRequired: " +
                                            registry.host() + " asks for credentials and no pull secret matches it"));

  // The image pulls with the ServiceAccount's secret; the kubelet pulls without the missing
  // one, so that only warns (it was denied).
  json ghost = ask(Review(Deployment("demo", image, "app-sa", {"ghost"})));
  CHECK(ghost["allowed"] == true);
  CHECK_THAT(text(ghost), Catch::Contains("spec.template.spec.imagePullSecrets[0] \"ghost\": PullSecretMissing: secret demo/ghost does "
                                          "not exist; the pod's images pull without it"));
  json ghost_only = ask(Review(Deployment("demo", image, "", {"ghost"})));
  CHECK(ghost_only["allowed"] == false);
  CHECK_THAT(text(ghost_only), Catch::Contains("PullSecretMissing: secret demo/ghost does not exist; create it"));

  json no_account = ask(Review(Deployment("demo", image, "nope")));
  CHECK_THAT(text(no_account), Catch::Contains("spec.template.spec.serviceAccountName \"nope\": ServiceAccountMissing: "
                                               "ServiceAccount demo/nope does not exist, so no pod will be created"));

  json locked = ask(Review(Deployment("locked", image, "app-sa")));
  CHECK_THAT(text(locked), Catch::Contains("ServiceAccount locked/app-sa could not be read: the Kubernetes API forbids "
                                           "pullguard to get serviceaccounts in namespace locked (403)"));

  // An UPDATE that changes no image (kubectl label) asks neither the API nor the registry.
  int api_requests = api.requests();
  json unchanged = ask(Review(Deployment("demo", image, ""), "UPDATE", Deployment("demo", image, "")));
  CHECK(unchanged["allowed"] == true);
  CHECK(api.requests() == api_requests);

  // kubectl apply --dry-run=server: the same answer as the real request.
  json dry = ask(Review(Deployment("demo", image, ""), "CREATE", nullptr, true));
  CHECK(dry["allowed"] == without["allowed"]);
  CHECK(text(dry) == text(without));
  // The policy warns on :latest: admitted, with kubectl printing the warning.
  json dry_warned = ask(Review(Deployment("demo", registry.host() + "/team/web:latest", "app-sa"), "CREATE", nullptr, true));
  CHECK(dry_warned["allowed"] == true);
  REQUIRE(dry_warned.contains("warnings"));
  CHECK_THAT(dry_warned["warnings"][0].get<std::string>(), Catch::Contains("PolicyViolation: tag :latest can change between pulls"));
  std::cout << "--- kubectl apply --dry-run=server, denied:\n" << KubectlOutput(dry, webhook["name"], true)
            << "--- kubectl apply --dry-run=server, with a warning:\n" << KubectlOutput(dry_warned, webhook["name"], true);
  CHECK(pullguard.Stderr().find(options.password) == std::string::npos);
}

TEST_CASE("the shipped policy takes the platforms from the nodes: an arm64 cluster admits arm64 images only",
          "[integration][manifests]") {
  TempDir dir;
  std::string registry_certs = MakeCerts(dir, "registry-certs");
  RegistryServer registry(registry_certs + "/tls.crt", registry_certs + "/tls.key", registry_certs + "/ca.crt", RegistryOptions{});
  PushSingle(registry, "team/amd-only", "1.0", "linux/amd64");
  PushSingle(registry, "team/arm-only", "1.0", "linux/arm64");
  PushIndex(registry, "team/multi", "1.0", {"linux/amd64", "linux/arm64"});
  std::string api_certs = MakeCerts(dir, "api-certs");
  FakeApiServer api(api_certs + "/tls.crt", api_certs + "/tls.key", "tok");
  api.AddNode("arm-1", "linux", "arm64");  // an arm64-only cluster
  api.AddNode("arm-2", "linux", "arm64");
  api.AddServiceAccount("demo", "default", {});
  std::string kubeconfig = dir.Write("kubeconfig", api.Kubeconfig(api_certs + "/ca.crt", dir.Write("token", "tok")));
  // Regression: the shipped in-cluster policy pinned linux/amd64, denying good images on an
  // arm64 cluster. It takes the platforms from the nodes; only the registry's CA is added here.
  std::string policy = ReadAll(std::string(PULLGUARD_SOURCE_DIR) + "/manifests/base/policy.yaml") +
                       "registries:\n  - host: \"127.0.0.1:*\"\n    caFile: " + registry_certs +
                       "/ca.crt\n    allowPrivateAddress: true\n";
  WebhookProcess webhook(policy, {"--kubeconfig", kubeconfig});
  auto decide = [&](const std::string& image) {
    HttpAnswer a = webhook.Post("/validate?timeout=10s", Review(Deployment("demo", registry.host() + "/" + image, "")).dump());
    REQUIRE(a.status == 200);
    return a.Json()["response"];
  };
  json amd = decide("team/amd-only:1.0");
  CHECK(amd["allowed"] == false);
  CHECK(decide("team/arm-only:1.0")["allowed"] == true);
  CHECK_THAT(amd["status"]["message"].get<std::string>(), Catch::Contains("PlatformMismatch: the image is built for linux/amd64 only: it pulls, then fails to start on linux/arm64 nodes"));
  CHECK(decide("team/multi:1.0")["allowed"] == true);
}

TEST_CASE("regression: a tainted amd64 control plane made arm64-only images a PlatformMismatch for pods that never land there",
          "[integration][manifests]") {
  TempDir dir;
  std::string registry_certs = MakeCerts(dir, "registry-certs");
  RegistryServer registry(registry_certs + "/tls.crt", registry_certs + "/tls.key", registry_certs + "/ca.crt", RegistryOptions{});
  PushSingle(registry, "team/amd-only", "1.0", "linux/amd64");
  PushSingle(registry, "team/arm-only", "1.0", "linux/arm64");
  std::string api_certs = MakeCerts(dir, "api-certs");
  FakeApiServer api(api_certs + "/tls.crt", api_certs + "/tls.key", "tok");
  api.AddNode("cp-1", "linux", "amd64", {}, {{"node-role.kubernetes.io/control-plane", ""}},
              json::array({{{"key", "node-role.kubernetes.io/control-plane"}, {"effect", "NoSchedule"}}}));
  api.AddNode("arm-1", "linux", "arm64", {}, {{"pool", "web"}});
  api.AddNode("arm-2", "linux", "arm64", {}, {{"pool", "batch"}},
              json::array({{{"key", "dedicated"}, {"value", "batch"}, {"effect", "NoExecute"}}}));
  api.AddServiceAccount("demo", "default", {});
  std::string kubeconfig = dir.Write("kubeconfig", api.Kubeconfig(api_certs + "/ca.crt", dir.Write("token", "tok")));
  std::string policy = ReadAll(std::string(PULLGUARD_SOURCE_DIR) + "/manifests/base/policy.yaml") +
                       "registries:\n  - host: \"127.0.0.1:*\"\n    caFile: " + registry_certs +
                       "/ca.crt\n    allowPrivateAddress: true\n";
  WebhookProcess webhook(policy, {"--kubeconfig", kubeconfig});
  auto decide = [&](const std::string& image, const json& placement = json::object()) {
    json deployment = Deployment("demo", registry.host() + "/" + image, "");
    deployment["spec"]["template"]["spec"].update(placement);
    HttpAnswer a = webhook.Post("/validate?timeout=10s", Review(deployment).dump());
    REQUIRE(a.status == 200);
    return a.Json()["response"];
  };
  const json tolerate_control_plane = {
      {"tolerations", {{{"key", "node-role.kubernetes.io/control-plane"}, {"operator", "Exists"}, {"effect", "NoSchedule"}}}}};
  // The scheduler never puts an ordinary pod on cp-1: its images need arm64 only (they were
  // denied for lacking amd64).
  CHECK(decide("team/arm-only:1.0")["allowed"] == true);
  CHECK(decide("team/amd-only:1.0")["allowed"] == false);
  // Tolerating the taint, it may land there too: then amd64 is needed.
  json anywhere = decide("team/arm-only:1.0", tolerate_control_plane);
  CHECK(anywhere["allowed"] == false);
  CHECK_THAT(anywhere["status"]["message"].get<std::string>(), Catch::Contains("PlatformMismatch: the image is built for linux/arm64 only"));
  // Required node affinity narrows as a nodeSelector does: pinned to amd64 (and tolerating the
  // taint), an amd64-only image is right.
  json amd64_affinity = tolerate_control_plane;
  amd64_affinity["affinity"] = {{"nodeAffinity",
                                 {{"requiredDuringSchedulingIgnoredDuringExecution",
                                   {{"nodeSelectorTerms",
                                     {{{"matchExpressions", {{{"key", "kubernetes.io/arch"}, {"operator", "In"}, {"values", {"amd64"}}}}}}}}}}}}};
  CHECK(decide("team/amd-only:1.0", amd64_affinity)["allowed"] == true);
  CHECK(decide("team/arm-only:1.0", amd64_affinity)["allowed"] == false);
}

}  // namespace
}  // namespace pullguard::testing
