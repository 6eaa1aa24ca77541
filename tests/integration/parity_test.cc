// One engine, three callers, the same answer: the same manifests give the same findings
// through `pullguard check`, through /validate with the API server's request shape (secrets
// from --secrets-dir), and through /validate with the cluster's objects in a Kubernetes API
// (the end-to-end harness's fake API). And with the node's credentials (a kubelet credential
// provider plugin that works, fails, or is not configured), check and serve agree too.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <set>

#include "auth/docker_config.h"
#include "cli/manifest_reader.h"
#include "integration/ecr_like_registry.h"
#include "integration/registry_env.h"
#include "support/fake_api_server.h"
#include "support/image_fixtures.h"
#include "support/process.h"
#include "support/registry_server.h"

namespace pullguard::testing {
namespace {

using nlohmann::json;

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
  return text;
}

// One finding as the three callers can all show it: the object, and its line. Warnings are
// cut to 120 characters by the webhook (the fix goes first), so they are compared without it.
using Findings = std::set<std::string>;

std::string KeyOf(const std::string& object, const std::string& action, const std::string& line) {
  return object + " " + action + ": " + line;
}

json ApiServerReview(const json& object, int n) {
  std::string kind = object["kind"];
  std::string api_version = object["apiVersion"];
  std::string group = api_version.find('/') == std::string::npos ? "" : api_version.substr(0, api_version.find('/'));
  json with_ns = object;
  with_ns["metadata"]["namespace"] = "default";  // the API server fills in the request's namespace
  return {{"apiVersion", "admission.k8s.io/v1"},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", "parity00-0000-4000-8000-" + std::to_string(100000000000 + n)},
            {"kind", {{"group", group}, {"version", "v1"}, {"kind", kind}}},
            {"name", object["metadata"]["name"]},
            {"namespace", "default"},
            {"operation", "CREATE"},
            {"userInfo", {{"username", "kubernetes-admin"}}},
            {"object", with_ns},
            {"oldObject", nullptr},
            {"dryRun", true}}}};
}

Findings ThroughWebhook(const WebhookProcess& webhook, const std::vector<cli::ManifestObject>& workloads,
                        const std::map<std::string, std::string>& warning_lines) {
  Findings out;
  int n = 0;
  for (const auto& m : workloads) {
    std::string object = m.object["kind"].get<std::string>() + "/" + m.object["metadata"]["name"].get<std::string>();
    Decision d = Ask(webhook, ApiServerReview(m.object, ++n));
    if (!d.message.empty()) {
      size_t start = 0;
      while (start <= d.message.size()) {
        size_t nl = d.message.find('\n', start);
        out.insert(KeyOf(object, "deny", d.message.substr(start, nl == std::string::npos ? std::string::npos : nl - start)));
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
    }
    for (const auto& w : d.warnings) {
      // The full line the warning was cut from, when it was cut.
      auto full = warning_lines.find(w);
      out.insert(KeyOf(object, "warn", full == warning_lines.end() ? w : full->second));
    }
  }
  return out;
}

// `pullguard check -o json`'s findings; `warning_lines` gets each warning's line, under the words
// the webhook cuts it to as well (without its fix, past 120 characters).
Findings FindingsOfCheck(const RunResult& check, std::map<std::string, std::string>& warning_lines) {
  json report = json::parse(check.out);
  Findings out;
  for (const auto& f : report["findings"]) {
    std::string line = f["message"];
    out.insert(KeyOf(f["object"], f["action"], line));
    if (f["action"] != "warn") continue;
    warning_lines[line] = line;
    size_t fix = line.rfind("; ");
    if (line.size() > 120 && fix != std::string::npos) warning_lines[line.substr(0, fix)] = line;
  }
  return out;
}

TEST_CASE("the same manifests give the same findings through check, /validate and a cluster's API",
          "[integration][parity]") {
  TempDir dir;
  std::string certs = MakeCerts(dir, "certs");
  RegistryOptions options;
  options.auth = RegistryAuth::kBasic;
  RegistryServer registry(certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", options);
  PushSingle(registry, "team/app", "1.0", "linux/amd64");
  PushSingle(registry, "team/app", "latest", "linux/amd64");
  std::string config = R"({"auths":{")" + registry.host() + R"(":{"auth":")" +
                       auth::EncodeAuthField(options.user, options.password) + R"("}}})";
  std::filesystem::create_directory(dir.File("manifests"));
  std::string credentials = Replace(TestData("parity/credentials.yaml"), "DOCKERCONFIG", auth::EncodeBase64(config));
  dir.Write("manifests/credentials.yaml", credentials);
  dir.Write("manifests/workloads.yaml", Replace(TestData("parity/workloads.yaml"), "REGISTRY", registry.host()));
  // The shipped default policy, with the test registry's CA.
  std::string policy = dir.Write("policy.yaml", Replace(ReadAll(std::string(PULLGUARD_SOURCE_DIR) + "/policies/default.yaml"),
                                                        "\nregistries: []", "\nregistries:\n  - host: \"127.0.0.1:*\"\n    caFile: " +
                                                        certs + "/ca.crt\n    allowPrivateAddress: true\n"));
  cli::ManifestSet read = cli::ReadManifests({dir.File("manifests/workloads.yaml")});
  REQUIRE(read.problems.empty());

  // 1. pullguard check, as CI runs it.
  RunResult check = Run({PULLGUARD_BINARY, "check", "-f", dir.File("manifests"), "--policy", policy, "-o", "json"});
  INFO(check.err);
  REQUIRE((check.exit_code == 0 || check.exit_code == 1));
  json report = json::parse(check.out);
  Findings from_check;
  std::map<std::string, std::string> cut;  // the webhook's 120-character warning -> the full line
  for (const auto& f : report["findings"]) {
    std::string line = f["message"];
    from_check.insert(KeyOf(f["object"], f["action"], line));
    if (f["action"] == "warn") cut[line] = line;
  }

  // 2. The webhook, secrets and ServiceAccounts from the same manifests.
  WebhookProcess from_files(ReadAll(policy), {"--secrets-dir", dir.File("manifests")});
  // 3. The webhook, secrets and ServiceAccounts from a Kubernetes API.
  std::string api_certs = MakeCerts(dir, "api-certs");
  FakeApiServer api(api_certs + "/tls.crt", api_certs + "/tls.key", "tok");
  api.AddSecret("default", "regcred", "kubernetes.io/dockerconfigjson", {{".dockerconfigjson", config}});
  api.AddServiceAccount("default", "builder", {"regcred"});
  api.AddServiceAccount("default", "default", {});
  std::string kubeconfig = dir.Write("kubeconfig", api.Kubeconfig(api_certs + "/ca.crt", dir.Write("token", "tok")));
  WebhookProcess from_api(ReadAll(policy), {"--kubeconfig", kubeconfig});

  // A warning the webhook shortened matches the line `check` printed in full.
  std::map<std::string, std::string> warning_lines;
  for (const auto& [line, full] : cut) {
    size_t fix = line.rfind("; ");
    warning_lines[line] = full;
    if (line.size() > 120 && fix != std::string::npos) warning_lines[line.substr(0, fix)] = full;
  }
  Findings via_files = ThroughWebhook(from_files, read.objects, warning_lines);
  Findings via_api = ThroughWebhook(from_api, read.objects, warning_lines);

  // 4. pullguard check with the workloads only, the Secret and ServiceAccounts in the cluster.
  RunResult check_api = Run({PULLGUARD_BINARY, "check", "-f", dir.File("manifests/workloads.yaml"), "--policy", policy,
                             "-o", "json", "--kubeconfig", kubeconfig});
  INFO("check --kubeconfig: exit " << check_api.exit_code << ": " << check_api.out.substr(0, 3000) << check_api.err);
  Findings via_check_api;
  json check_api_report = json::parse(check_api.out);
  for (const auto& f : check_api_report["findings"]) via_check_api.insert(KeyOf(f["object"], f["action"], f["message"]));

  std::string all;
  for (const auto& f : from_check) all += "\n  " + f;
  INFO("pullguard check found:" << all);
  CHECK(from_check == via_files);
  CHECK(from_check == via_api);
  CHECK(from_check == via_check_api);

  // And what they agree on is right: the ServiceAccount's secret counts for the template,
  // objects without a namespace are in "default", a missing secret names its namespace.
  auto has = [&](const std::string& needle) {
    for (const auto& f : from_check) {
      if (f.find(needle) != std::string::npos) return true;
    }
    return false;
  };
  CHECK_FALSE(has("Deployment/with-sa"));
  CHECK(has("Deployment/without-sa deny: spec.template.spec.containers[0].image \"" + registry.host() +
            "/team/app:1.0\": AuthRequired"));
  CHECK(has("Deployment/unknown-sa warn: spec.template.spec.serviceAccountName \"ghost-sa\": ServiceAccountMissing: "
            "ServiceAccount default/ghost-sa does not exist"));
  CHECK(has("Pod/with-secret deny: spec.containers[1].image \"" + registry.host() + "/team/app:1.1\": TagNotFound"));
  CHECK(has("Pod/missing-secret deny: spec.imagePullSecrets[0] \"ghost\": PullSecretMissing: secret default/ghost does "
            "not exist; create it (kubectl create secret docker-registry ghost -n default ...)"));
  CHECK(has("Pod/missing-secret warn: spec.initContainers[0].image \"" + registry.host() +
            "/team/app:latest\": PolicyViolation: tag :latest"));
  CHECK(from_check.size() >= 6);
}

TEST_CASE("node credentials: check and serve give the same verdicts with the plugin working, failing, or none",
          "[integration][parity][node-credentials]") {
  // A token registry (anonymous callers may pull public/ only) under an ECR name the presets
  // match, mapped to 127.0.0.1 by the nodes' hosts.toml; the test plugin, which speaks the
  // kubelet's exec protocol, gives the "reader" credential or fails.
  EcrLikeRegistry r;
  const std::string ecr = kEcr;
  PushSingle(r.registry, "public/app", "1.0", "linux/amd64");
  auto provider_config = [&](const std::string& mode) {
    return r.ProviderConfig({{"fake-ecr", {{"FAKE_PROVIDER_MODE", mode}, {"FAKE_PROVIDER_USER", "reader"},
                                           {"FAKE_PROVIDER_PASSWORD", "read-pass"}}}});
  };
  // The shipped default policy, with the nodes' certs.d and the test registry's CA.
  std::string shipped = ReadAll(std::string(PULLGUARD_SOURCE_DIR) + "/policies/default.yaml");
  std::string policy_text = Replace(Replace(shipped, "\nhostsDir: \"\"", "\nhostsDir: " + r.hosts_dir), "\nregistries: []",
                                    "\nregistries:\n  - host: \"" + ecr + "\"\n    caFile: " + r.certs +
                                        "/ca.crt\n    allowPrivateAddress: true\n  - host: \"127.0.0.1:*\"\n    caFile: " +
                                        r.certs + "/ca.crt\n    allowPrivateAddress: true\n");
  REQUIRE(policy_text.find("\nhostsDir: " + r.hosts_dir) != std::string::npos);
  REQUIRE(policy_text.find("\n  - host: \"" + ecr + "\"") != std::string::npos);
  std::string policy = r.dir.Write("policy.yaml", policy_text);
  auto pod = [&](const std::string& name, const std::string& image) {
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\nspec:\n  containers:\n    - {name: app, image: \"" +
           ecr + "/" + image + "\"}\n";
  };
  std::string workloads = r.dir.Write("node-workloads.yaml", pod("node-found", "private/app:1.0") + "---\n" +
                                                               pod("node-typo", "private/app:1.O") + "---\n" +
                                                               pod("public-typo", "public/app:1.O"));
  cli::ManifestSet read = cli::ReadManifests({workloads});
  REQUIRE(read.problems.empty());
  REQUIRE(read.objects.size() == 3);

  auto line = [&](const std::string& object, const std::string& action, const std::string& image, const std::string& rest) {
    return KeyOf(object, action, "spec.containers[0].image \"" + ecr + "/" + image + "\": " + rest);
  };
  struct NodeCase {
    std::string name;
    std::string mode;                  // the plugin's FAKE_PROVIDER_MODE; "": no CredentialProviderConfig given
    std::vector<std::string> has;      // the start of findings both must give
    std::vector<std::string> lacks;    // in no finding
  };
  const NodeCase cases[] = {
      {"the plugin's credentials work: allowed; a missing tag with them denies",
       "ok",
       {line("Pod/node-typo", "deny", "private/app:1.O", "TagNotFound: tag 1.O does not exist"),
        line("Pod/public-typo", "deny", "public/app:1.O", "TagNotFound: tag 1.O does not exist")},
       {"Pod/node-found", "NodeCredentialsUnverified"}},
      {"the plugin fails: unverified, a warning naming the failure",
       "fail",
       {line("Pod/node-found", "warn", "private/app:1.0",
             "NodeCredentialsUnverified: pulled with the node's credentials (fake-ecr); pullguard could not verify "
             "(docs/node-credentials.md): fake-ecr exited with status 1"),
        line("Pod/node-typo", "warn", "private/app:1.O", "NodeCredentialsUnverified: "),
        // A public repository's missing tag is certain without the plugin.
        line("Pod/public-typo", "deny", "public/app:1.O", "TagNotFound: tag 1.O does not exist")},
       {"Pod/node-typo deny"}},
      {"no plugin configured, under a preset host: unverified, a warning",
       "",
       {line("Pod/node-found", "warn", "private/app:1.0",
             "NodeCredentialsUnverified: pulled with the node's credentials (ecr-credential-provider); pullguard could "
             "not verify (docs/node-credentials.md): no credential provider plugin configured"),
        line("Pod/node-typo", "warn", "private/app:1.O", "NodeCredentialsUnverified: "),
        line("Pod/public-typo", "deny", "public/app:1.O", "TagNotFound: tag 1.O does not exist")},
       {"Pod/node-typo deny"}},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    std::vector<std::string> flags;
    if (!c.mode.empty()) {
      flags = {"--image-credential-provider-config", provider_config(c.mode), "--image-credential-provider-bin-dir",
               r.bin_dir};
    }
    std::vector<std::string> argv{PULLGUARD_BINARY, "check", "-f", workloads, "--policy", policy,
                                  "-o", "json", "--docker-config", "none"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    RunResult check = Run(argv);
    INFO("check: exit " << check.exit_code << ": " << check.out.substr(0, 3000) << check.err);
    REQUIRE((check.exit_code == 0 || check.exit_code == 1));
    std::map<std::string, std::string> warning_lines;
    Findings from_check = FindingsOfCheck(check, warning_lines);
    WebhookProcess serve(ReadAll(policy), flags);
    Findings from_serve = ThroughWebhook(serve, read.objects, warning_lines);

    std::string all;
    for (const auto& f : from_check) all += "\n  " + f;
    INFO("pullguard check found:" << all);
    CHECK(from_check == from_serve);
    for (const auto& wanted : c.has) {
      INFO("wanted: " << wanted);
      CHECK(std::any_of(from_check.begin(), from_check.end(), [&](const std::string& f) { return f.rfind(wanted, 0) == 0; }));
    }
    for (const auto& unwanted : c.lacks) {
      INFO("unwanted: " << unwanted);
      CHECK(all.find(unwanted) == std::string::npos);
    }
    CHECK(serve.process().Stderr().find("read-pass") == std::string::npos);
  }
}

}  // namespace
}  // namespace pullguard::testing
