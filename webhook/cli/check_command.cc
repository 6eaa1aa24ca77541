// `pullguard check`: the webhook's checks over manifest files, for CI.
#include <iostream>

#include <chrono>
#include <memory>

#include "admission/response.h"
#include "admission/workload.h"
#include "checker/checker.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/manifest_reader.h"
#include "cli/secrets_loader.h"
#include "kube/kube_sources.h"
#include "policy/default_policy.h"
#include "policy/policy_yaml.h"
#include "registry/curl_transport.h"
#include "registry/registry_client.h"

namespace pullguard::cli {
namespace {

using nlohmann::json;

constexpr const char* kCheckHelp = R"(Usage: pullguard check -f PATH... [--policy FILE] [--offline] [-o text|json]
                       [--namespace NS] [--kubeconfig FILE]

Checks the images of every Pod and workload (Deployment, ReplicaSet, StatefulSet, DaemonSet,
Job, CronJob, ReplicationController, PodTemplate) in the manifests, with the same engine,
findings and words as the webhook.

  -f, --filename PATH   a file, a directory (*.yaml, *.yml, *.json, recursively) or - for stdin;
                        repeat for more. Multi-document YAML and List objects are read.
  --policy FILE         the policy file (default: policies/default.yaml, built in)
  --offline             check syntax and policy rules only, never contact a registry
                        (otherwise registries are asked, with the pull secrets and
                        ServiceAccounts found among the manifests)
  -n, --namespace NS    the namespace of objects that name none (default "default", as
                        kubectl with a context that sets none)
  --kubeconfig FILE     also read Secrets, ServiceAccounts and nodes from that cluster, as the
                        webhook does (the manifests' own objects come first)
  -o, --output FORMAT   text (default) or json

Exit status: 0 nothing denied, 1 something denied, 2 usage or input error.
)";

struct ObjectFindings {
  const ManifestObject* source;
  std::string object;  // Kind/name
  policy::Verdict verdict;
};

std::string GroupOf(const json& obj) {
  auto it = obj.find("apiVersion");
  if (it == obj.end() || !it->is_string()) return "";
  const std::string& v = it->get_ref<const std::string&>();
  size_t slash = v.find('/');
  return slash == std::string::npos ? "" : v.substr(0, slash);
}

json FindingJson(const ObjectFindings& o, const Finding& f) {
  return {{"file", o.source->file}, {"object", o.object}, {"path", f.path},   {"image", f.image},
          {"reason", ReasonName(f.reason)}, {"action", ActionName(f.action)}, {"message", FormatFinding(f)}};
}

}  // namespace

int RunCheck(const std::vector<std::string>& argv) {
  auto parsed = ParseArgs(argv, {{"filename", "f"}, {"policy", ""}, {"offline", "", false}, {"output", "o"},
                                 {"namespace", "n"}, {"kubeconfig", ""}, {"help", "h", false}});
  if (!parsed.ok()) {
    std::cerr << "pullguard check: " << parsed.status().message() << "\n";
    return kExitUsage;
  }
  const Args& args = parsed.value();
  if (args.Has("help")) {
    std::cout << kCheckHelp;
    return kExitOk;
  }
  std::vector<std::string> paths;
  if (auto it = args.values.find("filename"); it != args.values.end()) paths = it->second;
  paths.insert(paths.end(), args.positional.begin(), args.positional.end());
  if (paths.empty()) {
    std::cerr << "pullguard check: name the manifests with -f PATH (see --help)\n";
    return kExitUsage;
  }
  std::string format = args.Get("output", "text");
  if (format != "text" && format != "json") {
    std::cerr << "pullguard check: -o must be text or json\n";
    return kExitUsage;
  }
  policy::Policy policy = policy::DefaultPolicy();
  if (args.Has("policy")) {
    auto loaded = policy::LoadPolicyFile(args.Get("policy"));
    if (!loaded.ok()) {
      std::cerr << "pullguard check: " << loaded.status().message() << "\n";
      return kExitUsage;
    }
    policy = std::move(loaded).value();
  }
  auto manifests = ReadManifests(paths);
  if (!manifests.ok()) {
    std::cerr << "pullguard check: " << manifests.status().message() << "\n";
    return kExitUsage;
  }

  std::string default_ns = args.Get("namespace", "default");
  bool offline = args.Has("offline");
  std::unique_ptr<kube::ApiClient> api;
  std::unique_ptr<kube::KubeSecretSource> api_secrets;
  std::unique_ptr<kube::KubeServiceAccountSource> api_accounts;
  std::unique_ptr<kube::KubeNodeSource> api_nodes;
  if (args.Has("kubeconfig")) {
    auto config = kube::LoadKubeconfig(args.Get("kubeconfig"));
    if (!config.ok()) {
      std::cerr << "pullguard check: " << config.status().message() << "\n";
      return kExitUsage;
    }
    api = std::make_unique<kube::ApiClient>(config.value());
    api_secrets = std::make_unique<kube::KubeSecretSource>(*api);
    api_accounts = std::make_unique<kube::KubeServiceAccountSource>(*api);
    api_nodes = std::make_unique<kube::KubeNodeSource>(*api);
  }
  auth::StaticSecretSource manifest_secrets;
  auth::StaticServiceAccountSource manifest_accounts(/*implicit_default=*/api == nullptr);
  CredentialObjects loaded = AddCredentialObjects(manifests.value(), default_ns, manifest_secrets, manifest_accounts);
  for (const auto& problem : loaded.problems) std::cerr << "pullguard check: " << problem << "\n";
  std::vector<auth::SecretSource*> secret_layers{&manifest_secrets};
  std::vector<auth::ServiceAccountSource*> account_layers{&manifest_accounts};
  if (api != nullptr) {
    secret_layers.push_back(api_secrets.get());
    account_layers.push_back(api_accounts.get());
  }
  auth::LayeredSecretSource secrets(secret_layers);
  auth::LayeredServiceAccountSource accounts(account_layers);
  checker::ClusterSources sources{&secrets, &accounts, api_nodes.get()};
  registry::CurlTransport transport;
  registry::RegistryClient client(transport);
  std::unique_ptr<checker::Checker> checker =
      offline ? std::make_unique<checker::Checker>(sources) : std::make_unique<checker::Checker>(client, sources);
  std::vector<ObjectFindings> results;
  size_t images_checked = 0, objects_checked = 0;
  for (const auto& m : manifests.value()) {
    std::string kind = StringField(m.object, "kind");
    std::string name = MetadataField(m.object, "name");
    std::string ns = NamespaceOf(m.object, default_ns);
    if (policy.IsNamespaceExempt(ns)) continue;
    auto pod = admission::PodOfObject(GroupOf(m.object), kind, m.object);
    if (!pod.ok()) {
      std::cerr << "pullguard check: " << m.file << " (document " << m.document << "): " << pod.status().message()
                << "\n";
      return kExitUsage;
    }
    if (!pod->has_value()) continue;
    checker::PodToCheck& target = *pod.value();
    target.ns = ns;
    target.tenant = m.file;
    target.deadline = std::chrono::steady_clock::now() + policy.timeouts.check;
    checker::PodReport report = checker->CheckPod(target, policy);
    if (report.images == 0) continue;
    ++objects_checked;
    images_checked += report.images;
    results.push_back({&m, kind + "/" + name, policy::Decide(std::move(report.findings), policy)});
  }

  size_t denied = 0, warned = 0;
  for (const auto& r : results) {
    denied += r.verdict.denials.size();
    warned += r.verdict.warnings.size();
  }
  if (format == "json") {
    json findings = json::array();
    for (const auto& r : results) {
      for (const auto& f : r.verdict.denials) findings.push_back(FindingJson(r, f));
      for (const auto& f : r.verdict.warnings) findings.push_back(FindingJson(r, f));
    }
    json out = {{"findings", findings},
                {"summary",
                 {{"objects", objects_checked}, {"images", images_checked}, {"denied", denied}, {"warned", warned},
                  {"offline", offline}}}};
    std::cout << out.dump(2) << "\n";
  } else {
    for (const auto& r : results) {
      for (const auto& f : r.verdict.denials) std::cout << r.source->file << ": " << r.object << ": deny: " << FormatFinding(f) << "\n";
      for (const auto& f : r.verdict.warnings) std::cout << r.source->file << ": " << r.object << ": warn: " << FormatFinding(f) << "\n";
    }
    std::cout << objects_checked << " objects, " << images_checked << " images: " << denied << " denied, " << warned
              << " warned\n";
  }
  return denied > 0 ? kExitDenied : kExitOk;
}

}  // namespace pullguard::cli
