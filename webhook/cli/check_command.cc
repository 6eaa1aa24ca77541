// `pullguard check`: the webhook's engine over manifest files, for CI.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "checker/checker.h"
#include "checker/object_check.h"
#include "cli/args.h"
#include "cli/check_report.h"
#include "cli/commands.h"
#include "cli/credential_flags.h"
#include "cli/manifest_reader.h"
#include "cli/secrets_loader.h"
#include "cli/version.h"
#include "kube/kube_sources.h"
#include "policy/default_policy.h"
#include "policy/policy_yaml.h"
#include "registry/curl_transport.h"
#include "registry/registry_client.h"
#include "workload/kinds.h"

namespace pullguard::cli {
namespace {

using nlohmann::json;

constexpr const char* kCheckHelp = R"(Usage: pullguard check -f PATH... [flags]

Checks the images of every Pod and workload (Deployment, ReplicaSet, StatefulSet, DaemonSet,
Job, CronJob, ReplicationController, PodTemplate) in the manifests, with the same engine,
findings and words as the webhook.

  -f, --filename PATH   a file, a directory (*.yaml, *.yml, *.json, recursively) or - for stdin;
                        repeat for more. Multi-document YAML and List objects are read.
  --exclude GLOB        leave out files whose path matches ("**" crosses '/'; a pattern
                        without '/' matches a file name anywhere, e.g. Chart.yaml); repeatable
  --policy FILE         the policy file (default: policies/default.yaml, built in)
  --offline             check syntax and policy rules only, never contact a registry
  -n, --namespace NS    the namespace of objects that name none (default "default", as
                        kubectl with a context that sets none)
  --kubeconfig FILE     also read Secrets, ServiceAccounts and nodes from that cluster, as the
                        webhook does (the manifests' own Secrets and ServiceAccounts come first)
  --image-credential-provider-config FILE, --image-credential-provider-bin-dir DIR
                        the kubelet's credential provider plugins (its flags, same names):
                        images they match are pulled with what they return, as nodes do
  --docker-config FILE  credentials for the registries, used after the pods' own pull secrets
                        (default: $DOCKER_CONFIG/config.json, else ~/.docker/config.json, if
                        there); "none" for no such file
  -o, --output FORMAT   text (default), json, sarif, github or junit
  --fail-on LEVEL       deny (default): exit 1 when something is denied; warn: also when
                        something warns or a manifest could not be read
  --verbose             list the objects that were not checked, and why

Pull secrets and ServiceAccounts come from the manifests (Secret and ServiceAccount
objects); a Deployment's ServiceAccount adds its imagePullSecrets, as the kubelet does.
Files that are not Kubernetes objects (a kustomization.yaml, a Chart.yaml) are skipped and
counted; a file or document that cannot be read is a problem in the report, and the run goes
on. Helm templates: check their output (helm template ... | pullguard check -f -).

Exit status: 0 nothing denied (with --fail-on warn: nothing warned and no problem),
1 something denied (or warned), 2 a usage error or an input that cannot be read at all
(a path that does not exist, stdin over its size limit).
)";

std::string GroupOf(const json& obj) {
  std::string v = StringField(obj, "apiVersion");
  size_t slash = v.find('/');
  return slash == std::string::npos ? "" : v.substr(0, slash);
}

// The docker config `check` reads credentials from, or "".
std::string DockerConfigPath(const Args& args) {
  if (args.Has("docker-config")) {
    std::string path = args.Get("docker-config");
    return path == "none" ? "" : path;
  }
  std::vector<std::string> candidates;
  if (const char* dir = std::getenv("DOCKER_CONFIG"); dir && *dir) candidates.push_back(std::string(dir) + "/config.json");
  if (const char* home = std::getenv("HOME"); home && *home) candidates.push_back(std::string(home) + "/.docker/config.json");
  for (const auto& c : candidates) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(c, ec)) return c;
  }
  return "";
}

// Why an object with a pod spec in another API group is not checked (old groups the API
// server no longer serves), or "" when it is checked.
std::string OldGroupReason(const json& obj) {
  std::string version = StringField(obj, "apiVersion");
  std::string kind = StringField(obj, "kind");
  static const std::vector<std::string> kWorkloads{"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob"};
  if (std::find(kWorkloads.begin(), kWorkloads.end(), kind) == kWorkloads.end()) return "";
  if (version == "apps/v1" || version == "batch/v1") return "";
  return version + " is no longer served by the API server (use apps/v1 or batch/v1)";
}

Format ParseFormat(const std::string& name, bool* ok) {
  *ok = true;
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  if (name == "sarif") return Format::kSarif;
  if (name == "github") return Format::kGithub;
  if (name == "junit") return Format::kJunit;
  *ok = false;
  return Format::kText;
}

}  // namespace

int RunCheck(const std::vector<std::string>& argv) {
  auto parsed = ParseArgs(argv, {{"filename", "f"}, {"policy", ""}, {"offline", "", false}, {"output", "o"},
                                 {"namespace", "n"}, {"kubeconfig", ""}, {"docker-config", ""}, {"exclude", ""},
                                 {"fail-on", ""}, {"verbose", "v", false}, {"help", "h", false},
                                 {"image-credential-provider-config", ""}, {"image-credential-provider-bin-dir", ""}});
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
  bool format_ok = true;
  Format format = ParseFormat(args.Get("output", "text"), &format_ok);
  if (!format_ok) {
    std::cerr << "pullguard check: -o must be text, json, sarif, github or junit\n";
    return kExitUsage;
  }
  std::string fail_on = args.Get("fail-on", "deny");
  if (fail_on != "deny" && fail_on != "warn") {
    std::cerr << "pullguard check: --fail-on must be deny or warn\n";
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
  if (policy.node_docker_config.empty()) policy.node_docker_config = DockerConfigPath(args);

  ReadOptions read_options;
  if (auto it = args.values.find("exclude"); it != args.values.end()) read_options.exclude = it->second;
  ManifestSet manifests = ReadManifests(paths, read_options);
  for (const auto& p : manifests.problems) {
    if (p.unreadable) {
      std::cerr << "pullguard check: " << p.file << ": " << p.message << "\n";
      return kExitUsage;
    }
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
  CredentialObjects loaded = AddCredentialObjects(manifests.objects, default_ns, manifest_secrets, manifest_accounts);
  CheckReport report;
  report.problems = manifests.problems;
  for (auto& p : loaded.problems) report.problems.push_back({p.first, p.second.first, p.second.second});
  report.files = manifests.files;
  report.not_kubernetes = manifests.not_kubernetes;
  report.excluded = manifests.excluded;
  report.offline = offline;

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

  if (Status flags = ApplyCredentialProviderFlags(args, *checker); !flags.ok()) {
    std::cerr << "pullguard check: " << flags.message() << "\n";
    return kExitUsage;
  }

  // Which objects to check, in input order: those with a pod spec (the rest are counted as
  // skipped here, with the words a manifest reader needs).
  struct Job {
    const ManifestObject* source;
    checker::ObjectToCheck object;
    std::string name;
  };
  std::vector<Job> jobs;
  for (const auto& m : manifests.objects) {
    std::string kind = StringField(m.object, "kind");
    std::string name = MetadataField(m.object, "name");
    std::string label = kind + "/" + name;
    if (std::string why = OldGroupReason(m.object); !why.empty()) {
      report.skipped.push_back({m.file, m.line, label, why});
      continue;
    }
    if (!workload::LocatePodSpec(GroupOf(m.object), kind)) {
      if (kind != "Secret" && kind != "ServiceAccount") report.skipped.push_back({m.file, m.line, label, "no pod spec in a " + kind});
      continue;
    }
    checker::ObjectToCheck object;
    object.group = GroupOf(m.object);
    object.kind = kind;
    object.ns = NamespaceOf(m.object, default_ns);
    object.object = &m.object;
    object.tenant = m.file;
    jobs.push_back({&m, std::move(object), name});
  }

  // Every object at once, a few at a time: the engine joins identical images and caches them.
  // Each goes the webhook's own way (checker::CheckObject), its clock starting when it starts.
  std::vector<std::optional<CheckedObject>> results(jobs.size());
  std::vector<std::optional<ManifestProblem>> unreadable(jobs.size());
  std::vector<std::optional<SkippedObject>> exempt(jobs.size());
  std::atomic<size_t> next{0}, done{0};
  bool progress = ::isatty(STDERR_FILENO) && jobs.size() > 20 && !offline;
  auto work = [&] {
    for (size_t i = next++; i < jobs.size(); i = next++) {
      const Job& j = jobs[i];
      const ManifestObject& m = *j.source;
      checker::ObjectVerdict v = checker::CheckObject(*checker, j.object, policy, {std::chrono::steady_clock::now(), std::nullopt});
      std::string label = j.object.kind + "/" + j.name;
      switch (v.outcome) {
        case checker::ObjectVerdict::Outcome::kChecked:
          results[i] = CheckedObject{j.source, j.object.kind, j.name, j.object.ns, v.images, std::move(v.verdict)};
          break;
        case checker::ObjectVerdict::Outcome::kSkipped:
          exempt[i] = SkippedObject{m.file, m.line, label, v.why};
          break;
        case checker::ObjectVerdict::Outcome::kUnreadable:
          unreadable[i] = ManifestProblem{m.file, m.line, "document " + std::to_string(m.document) + ": " + label + ": " + v.why};
          break;
      }
      size_t finished = ++done;
      if (progress) std::cerr << "\rchecking: " << finished << "/" << jobs.size() << " objects" << std::flush;
    }
  };
  std::vector<std::thread> threads;
  size_t n_threads = std::min<size_t>(jobs.size(), offline ? 1 : 16);
  for (size_t t = 1; t < n_threads; ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  if (progress) std::cerr << "\r\033[K" << std::flush;
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (results[i] && results[i]->images > 0) report.objects.push_back(std::move(*results[i]));
    if (exempt[i]) report.skipped.push_back(std::move(*exempt[i]));
    if (unreadable[i]) report.problems.push_back(std::move(*unreadable[i]));
  }

  RenderOptions render;
  render.colour = format == Format::kText && ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
  render.verbose = args.Has("verbose");
  render.version = kVersion;
  switch (format) {
    case Format::kText: RenderText(report, render, std::cout); break;
    case Format::kJson: RenderJson(report, render, std::cout); break;
    case Format::kSarif: RenderSarif(report, render, std::cout); break;
    case Format::kGithub: RenderGithub(report, render, std::cout); break;
    case Format::kJunit: RenderJunit(report, render, std::cout); break;
  }
  if (format != Format::kText) {
    for (const auto& p : report.problems) std::cerr << "pullguard check: " << p.file << (p.line ? ":" + std::to_string(p.line) : "") << ": " << p.message << "\n";
  }
  bool failed = report.Denied() > 0 || (fail_on == "warn" && (report.Warned() > 0 || !report.problems.empty()));
  return failed ? kExitDenied : kExitOk;
}

}  // namespace pullguard::cli
