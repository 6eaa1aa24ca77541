#include "integration/registry_env.h"

#include <atomic>

#include <stdexcept>

#include "auth/docker_config.h"
#include "support/process.h"

namespace pullguard::testing {

using nlohmann::json;

json PodReview(const std::string& ns, const std::vector<std::string>& images, const std::vector<std::string>& pull_secrets,
               const std::map<std::string, std::string>& node_selector) {
  // Reviews are built from several test threads at once (a data race ThreadSanitizer found).
  static std::atomic<int> counter{0};
  json containers = json::array();
  for (size_t i = 0; i < images.size(); ++i) containers.push_back({{"name", "c" + std::to_string(i)}, {"image", images[i]}});
  json spec = {{"containers", containers}};
  if (!pull_secrets.empty()) {
    json refs = json::array();
    for (const auto& s : pull_secrets) refs.push_back({{"name", s}});
    spec["imagePullSecrets"] = refs;
  }
  if (!node_selector.empty()) spec["nodeSelector"] = node_selector;
  std::string uid = "00000000-0000-4000-8000-" + std::to_string(100000000000 + ++counter);
  return {{"apiVersion", "admission.k8s.io/v1"},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", uid},
            {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
            {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
            {"name", "p"},
            {"namespace", ns},
            {"operation", "CREATE"},
            {"object", {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "p"}, {"namespace", ns}}}, {"spec", spec}}},
            {"oldObject", nullptr},
            {"dryRun", false}}}};
}

std::string PullSecretYaml(const std::string& ns, const std::string& name, const std::string& registry,
                           const std::string& user, const std::string& password) {
  json config = {{"auths", {{registry, {{"auth", auth::EncodeAuthField(user, password)}}}}}};
  std::string text = config.dump();
  // stringData, which the loader accepts as the API server does.
  return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '" + text + "'\n";
}

std::string Decision::All() const {
  std::string all = message;
  for (const auto& w : warnings) all += "\n" + w;
  return all;
}

Decision Ask(const WebhookProcess& webhook, const json& review, const std::string& timeout) {
  HttpAnswer answer = webhook.Post("/validate?timeout=" + timeout, review.dump());
  if (answer.status != 200) throw std::runtime_error("webhook answered " + std::to_string(answer.status) + ": " + answer.body);
  json doc = answer.Json();
  const json& r = doc["response"];
  Decision d;
  d.allowed = r["allowed"].get<bool>();
  if (r.contains("status")) d.message = r["status"]["message"].get<std::string>();
  if (r.contains("warnings")) d.warnings = r["warnings"].get<std::vector<std::string>>();
  return d;
}

std::string MakeCerts(const TempDir& dir, const std::string& name) {
  std::string out = dir.File(name);
  RunResult r = Run({std::string(PULLGUARD_SOURCE_DIR) + "/certs/gen-dev-certs.sh", out});
  if (r.exit_code != 0) throw std::runtime_error("gen-dev-certs.sh failed: " + r.err);
  return out;
}

void MakeClientCerts(const TempDir& dir) {
  auto run = [](const std::vector<std::string>& argv) {
    RunResult r = Run(argv);
    if (r.exit_code != 0) throw std::runtime_error(argv[0] + " " + argv[1] + " failed: " + r.err);
  };
  run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
       "-subj", "/CN=test client CA", "-keyout", dir.File("client-ca.key"), "-out", dir.File("client-ca.crt")});
  run({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj",
       "/CN=test client", "-keyout", dir.File("client.key"), "-out", dir.File("client.csr")});
  dir.Write("client.ext", "extendedKeyUsage = clientAuth\n");
  run({"openssl", "x509", "-req", "-in", dir.File("client.csr"), "-CA", dir.File("client-ca.crt"), "-CAkey",
       dir.File("client-ca.key"), "-CAcreateserial", "-days", "2", "-extfile", dir.File("client.ext"), "-out",
       dir.File("client.crt")});
}

}  // namespace pullguard::testing
