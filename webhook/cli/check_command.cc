// `pullguard check`: the webhook's engine over manifest files, for CI.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

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
#include "registry/resolver_watch.h"
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
  --offline             check syntax and policy rules only, never contact a registry (for a
                        runner without DNS or network)
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
  --fail-on LEVEL       what makes the run exit 1:
                          deny (default)  something denied, or a problem
                          warn            also something warned
                          deny-only       something denied; problems are listed, do not fail
                          none            nothing (a report only)
  --allow-empty         pass when the input holds no Kubernetes object at all (by default
                        that exits 2: an empty stdin is most often a step before the pipe
                        that failed, such as kubectl kustomize or helm template)
  --verbose             list the objects that were not checked, and why

Pull secrets and ServiceAccounts come from the manifests (Secret and ServiceAccount
objects); a Deployment's ServiceAccount adds its imagePullSecrets, as the kubelet does.
Files that are not Kubernetes objects (a kustomization.yaml, a Chart.yaml) are skipped and
counted, and so are objects pullguard does not check (kinds without a pod, custom
resources, removed API versions, exempt namespaces). Kustomize patches are not objects:
they are set aside, with one hint to check what kustomize renders instead. A problem is a
file or document that cannot be read or does not parse, or an object the API server would
refuse (a container without an image); it is listed, and the run goes on. Helm templates:
check their output (helm template ... | pullguard check -f -). Findings and problems are
listed in file and line order. On a terminal, a progress line on stderr counts the files
read and the objects checked.

Registries are reached as the nodes' containerd reaches them: through HTTPS_PROXY (https)
or HTTP_PROXY (http) unless NO_PROXY names the registry, or through the policy's `proxy`.

Exit status: 0 nothing that --fail-on names (by default: nothing denied, no problem);
1 something it names; 2 a usage error, an input that cannot be read at all (a path that
does not exist, stdin over its size limit), no Kubernetes object in the whole input
(without --allow-empty), or a machine that cannot resolve registry names (its resolver
does not answer: use --offline, or run where the registries are reachable).
)";

// What makes the run fail (exit 1), from --fail-on.
enum class FailOn { kWarn, kDeny, kDenyOnly, kNone };

std::optional<FailOn> ParseFailOn(const std::string& name) {
  if (name == "warn") return FailOn::kWarn;
  if (name == "deny") return FailOn::kDeny;
  if (name == "deny-only") return FailOn::kDenyOnly;
  if (name == "none") return FailOn::kNone;
  return std::nullopt;
}

// A progress line on stderr, when stderr is a terminal (never in a CI log or a pipe): files
// read, then objects checked. At most ten updates a second; Clear() leaves no trace.
class Progress {
 public:
  explicit Progress(bool on) : on_(on) {}

  void Say(const std::string& line) {
    if (!on_) return;
    std::lock_guard<std::mutex> lock(mu_);
    auto now = std::chrono::steady_clock::now();
    if (shown_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    shown_ = true;
    std::cerr << "\r\033[K" << line << std::flush;
  }

  void Clear() {
    std::lock_guard<std::mutex> lock(mu_);
    if (shown_) std::cerr << "\r\033[K" << std::flush;
    shown_ = false;
  }

 private:
  const bool on_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_{};
  bool shown_ = false;
};

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

// Why an object of an API version the API server no longer serves is not checked, or "":
// the workload versions Kubernetes removed (1.16: extensions/v1beta1, apps/v1beta1 and
// apps/v1beta2 workloads; 1.22: the rest of extensions/v1beta1; 1.25: batch/v1beta1).
std::string RemovedApiReason(const json& obj) {
  static const std::set<std::string> kRemoved{"extensions/v1beta1", "apps/v1beta1", "apps/v1beta2", "batch/v1beta1",
                                              "batch/v2alpha1"};
  std::string version = StringField(obj, "apiVersion");
  if (kRemoved.count(version) == 0) return "";
  std::string kind = StringField(obj, "kind");
  std::string use;
  if (kind == "Deployment" || kind == "ReplicaSet" || kind == "StatefulSet" || kind == "DaemonSet") use = " (use apps/v1)";
  if (kind == "Job" || kind == "CronJob") use = " (use batch/v1)";
  return version + " is no longer served by the API server" + use;
}

// The API groups Kubernetes itself serves; any other group is a custom resource's (a CRD's,
// such as OpenKruise's apps.kruise.io, or Gateway API's gateway.networking.k8s.io).
bool IsBuiltInGroup(const std::string& group) {
  static const std::set<std::string> kGroups{
      "", "apps", "batch", "autoscaling", "policy", "extensions", "networking.k8s.io", "rbac.authorization.k8s.io",
      "storage.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io",
      "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io", "certificates.k8s.io",
      "events.k8s.io", "flowcontrol.apiserver.k8s.io", "authentication.k8s.io", "authorization.k8s.io",
      "resource.k8s.io", "storagemigration.k8s.io", "internal.apiserver.k8s.io"};
  return kGroups.count(group) > 0;
}

// The containers of a pod-spec object without an image, and a pod without a container: the
// API server refuses such an object ("spec.containers[0].image: Required value"), so no pod
// is ever made of it. (line, field) each; nothing when the pod spec is not where it belongs,
// which CheckObject reports.
std::vector<std::pair<int, std::string>> RequiredFieldsMissing(const ManifestObject& m, const std::string& group,
                                                               const std::string& kind) {
  std::vector<std::pair<int, std::string>> out;
  std::string prefix;
  auto found = workload::FindPodSpec(group, kind, m.object, &prefix);
  if (!found.ok() || found.value() == nullptr || !found.value()->is_object()) return out;
  const json& spec = *found.value();
  auto containers = spec.find("containers");
  if (containers == spec.end() || containers->is_null() || (containers->is_array() && containers->empty())) {
    out.emplace_back(m.LineOf(prefix + ".containers"),
                     prefix + ".containers is required (the API server refuses a pod without a container)");
  }
  for (const char* field : {"initContainers", "containers", "ephemeralContainers"}) {
    auto list = spec.find(field);
    if (list == spec.end() || !list->is_array()) continue;
    for (size_t i = 0; i < list->size(); ++i) {
      const json& container = (*list)[i];
      if (!container.is_object()) continue;  // CheckObject says what is wrong with it
      auto image = container.find("image");
      if (image != container.end() && !image->is_null()) continue;  // "" is an InvalidReference finding
      std::string path = prefix + "." + field + "[" + std::to_string(i) + "]";
      out.emplace_back(m.LineOf(path), path + ".image is required (the API server refuses the object: Required value)");
    }
  }
  return out;
}

// The one hint for kustomize patches among the inputs.
std::string PatchHint(const ManifestSet& manifests) {
  std::vector<std::string> files;
  for (const auto& p : manifests.patches) {
    if (std::find(files.begin(), files.end(), p.file) == files.end()) files.push_back(p.file);
  }
  std::string list;
  for (size_t i = 0; i < files.size() && i < 3; ++i) list += (i == 0 ? "" : ", ") + files[i];
  if (files.size() > 3) list += ", ...";
  // The folder to render: a patch's kustomization, one that kubectl kustomize can render alone
  // (a kind: Component cannot) when there is one.
  std::string dir = "DIR";
  for (bool components_too : {false, true}) {
    for (const auto& p : manifests.patches) {
      if (p.kustomization.empty()) continue;
      std::string parent = std::filesystem::path(p.kustomization).parent_path().string();
      if (parent.empty()) parent = ".";
      bool component = std::find(manifests.components.begin(), manifests.components.end(), parent) != manifests.components.end();
      if (component && !components_too) continue;
      dir = parent;
      break;
    }
    if (dir != "DIR") break;
  }
  if (dir == "DIR" && !manifests.kustomizations.empty()) dir = manifests.kustomizations[0];
  size_t n = manifests.patches.size();
  return Count(n, "document", "documents") + (n == 1 ? " is a kustomize patch" : " are kustomize patches") + " (" + list +
         "), not checked: a patch is not what the cluster gets. Check what kustomize renders instead: kubectl "
         "kustomize " + dir + " | pullguard check -f -";
}

// What the input held, in words, for the "no Kubernetes object" error.
std::string InputWords(const ManifestSet& manifests) {
  std::string words = Count(manifests.files, "file", "files") + " read";
  if (manifests.not_kubernetes > 0) {
    words += ", " + Count(manifests.not_kubernetes, "document that is no Kubernetes object",
                          "documents that are no Kubernetes object");
  }
  if (!manifests.patches.empty()) words += ", " + Count(manifests.patches.size(), "kustomize patch", "kustomize patches");
  if (manifests.excluded > 0) words += ", " + Count(manifests.excluded, "file excluded", "files excluded");
  if (!manifests.problems.empty()) words += ", " + Count(manifests.problems.size(), "problem", "problems");
  return words;
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
                                 {"fail-on", ""}, {"allow-empty", "", false}, {"verbose", "v", false}, {"help", "h", false},
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
  std::optional<FailOn> fail_on = ParseFailOn(args.Get("fail-on", "deny"));
  if (!fail_on) {
    std::cerr << "pullguard check: --fail-on must be deny, warn, deny-only or none\n";
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
  // The process's proxy settings, as Go reads them: a policy `proxy` stands instead of them.
  ProxySettings environment_proxy = ProxySettingsFromEnvironment();
  if (!policy.proxy && !args.Has("offline")) {
    auto problems = ProxySettingsProblems(environment_proxy, "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY");
    if (!problems.empty()) {
      for (const auto& p : problems) std::cerr << "pullguard check: " << p << "\n";
      return kExitUsage;
    }
  }

  Progress progress(::isatty(STDERR_FILENO) == 1);
  ReadOptions read_options;
  if (auto it = args.values.find("exclude"); it != args.values.end()) read_options.exclude = it->second;
  read_options.progress = [&progress](size_t files, size_t objects) {
    progress.Say("pullguard check: reading: " + Count(files, "file", "files") + ", " + Count(objects, "object", "objects"));
  };
  ManifestSet manifests = ReadManifests(paths, read_options);
  progress.Clear();
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
  // What the run's DNS lookups say about this machine (one problem of the run, below).
  registry::ResolverWatch resolver_watch(client);
  std::unique_ptr<checker::Checker> checker =
      offline ? std::make_unique<checker::Checker>(sources) : std::make_unique<checker::Checker>(resolver_watch, sources);
  checker->SetEnvironmentProxy(environment_proxy);

  if (Status flags = ApplyCredentialProviderFlags(args, *checker); !flags.ok()) {
    std::cerr << "pullguard check: " << flags.message() << "\n";
    return kExitUsage;
  }

  // Which objects to check: those with a pod spec. The rest are counted as skipped here, by
  // why (SkipCategory), with the words a manifest reader needs.
  struct Job {
    const ManifestObject* source;
    checker::ObjectToCheck object;
    std::string name;
    size_t images_written = 0;  // images the object names (exempt ones too)
  };
  std::vector<Job> jobs;
  for (const auto& p : manifests.patches) {
    std::string label = StringField(p.object, "kind") + "/" + MetadataField(p.object, "name");
    report.skipped.push_back({p.file, p.line, label, p.patch, SkipCategory::kPatch});
  }
  if (!manifests.patches.empty()) report.hints.push_back(PatchHint(manifests));
  for (const auto& m : manifests.objects) {
    std::string kind = StringField(m.object, "kind");
    std::string name = MetadataField(m.object, "name");
    std::string label = kind + "/" + name;
    std::string group = GroupOf(m.object);
    if (std::string why = RemovedApiReason(m.object); !why.empty()) {
      report.skipped.push_back({m.file, m.line, label, why, SkipCategory::kRemovedApi});
      continue;
    }
    if (!IsBuiltInGroup(group)) {
      report.skipped.push_back({m.file, m.line, label, "custom resource: not checked (pullguard reads built-in kinds)",
                                SkipCategory::kCustomResource});
      continue;
    }
    if (!workload::LocatePodSpec(group, kind)) {
      if (kind != "Secret" && kind != "ServiceAccount") {
        report.skipped.push_back({m.file, m.line, label, "no pod spec in a " + kind, SkipCategory::kNoPodSpec});
      }
      continue;
    }
    checker::ObjectToCheck object;
    object.group = group;
    object.kind = kind;
    object.ns = NamespaceOf(m.object, default_ns);
    object.object = &m.object;
    object.tenant = m.file;
    if (policy.IsNamespaceExempt(object.ns)) {
      report.skipped.push_back({m.file, m.line, label, "namespace " + object.ns + " is exempt (exemptions.namespaces)",
                                SkipCategory::kExempt});
      continue;
    }
    for (auto& [line, field] : RequiredFieldsMissing(m, group, kind)) {
      report.problems.push_back({m.file, line, "document " + std::to_string(m.document) + ": " + label + ": " + field});
    }
    auto written = workload::ImagesOfObject(group, kind, m.object);
    jobs.push_back({&m, std::move(object), name, written.ok() ? written->size() : 0});
  }

  // Every object at once, a few at a time: the engine joins identical images and caches them.
  // Each goes the webhook's own way (checker::CheckObject), its clock starting when it starts.
  std::vector<std::optional<CheckedObject>> results(jobs.size());
  std::vector<std::optional<ManifestProblem>> unreadable(jobs.size());
  std::vector<std::optional<SkippedObject>> exempt(jobs.size());
  std::atomic<size_t> next{0}, done{0};
  const std::string files_read = Count(manifests.files, "file", "files") + " read";
  auto work = [&] {
    for (size_t i = next++; i < jobs.size(); i = next++) {
      const Job& j = jobs[i];
      const ManifestObject& m = *j.source;
      checker::ObjectVerdict v = checker::CheckObject(*checker, j.object, policy, {std::chrono::steady_clock::now(), std::nullopt});
      std::string label = j.object.kind + "/" + j.name;
      switch (v.outcome) {
        case checker::ObjectVerdict::Outcome::kChecked:
          if (v.images == 0 && j.images_written > 0) {  // every image matched exemptions.images
            exempt[i] = SkippedObject{m.file, m.line, label, "every image is exempt (exemptions.images)", SkipCategory::kExempt};
          } else {
            results[i] = CheckedObject{j.source, j.object.kind, j.name, j.object.ns, v.images, std::move(v.verdict)};
          }
          break;
        case checker::ObjectVerdict::Outcome::kSkipped:
          exempt[i] = SkippedObject{m.file, m.line, label, v.why,
                                    policy.IsNamespaceExempt(j.object.ns) ? SkipCategory::kExempt : SkipCategory::kNoPodSpec};
          break;
        case checker::ObjectVerdict::Outcome::kUnreadable:
          unreadable[i] = ManifestProblem{m.file, m.line, "document " + std::to_string(m.document) + ": " + label + ": " + v.why};
          break;
      }
      size_t finished = ++done;
      progress.Say("pullguard check: " + files_read + ", checked " + std::to_string(finished) + "/" +
                   Count(jobs.size(), "object", "objects"));
    }
  };
  std::vector<std::thread> threads;
  size_t n_threads = std::min<size_t>(jobs.size(), offline ? 1 : 16);
  for (size_t t = 1; t < n_threads; ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  progress.Clear();
  // A machine whose resolver does not answer (a CI runner without DNS or network) would make
  // every image a RegistryUnreachable warning, each blaming nothing of the manifests': that is
  // one problem of the run, and the run cannot say what the registries hold.
  if (!offline && resolver_watch.MachineCannotResolve()) {
    std::cerr << "pullguard check: this machine cannot resolve registry names; use --offline or run where the "
                 "registries are reachable (" << resolver_watch.Failures() << ")\n";
    return kExitUsage;
  }
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (results[i] && results[i]->images > 0) report.objects.push_back(std::move(*results[i]));
    if (exempt[i]) report.skipped.push_back(std::move(*exempt[i]));
    if (unreadable[i]) report.problems.push_back(std::move(*unreadable[i]));
  }
  // Every output lists findings, problems and skipped objects in file and line order.
  report.Sort();

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
    for (const auto& p : report.problems) std::cerr << "pullguard check: " << p.Where() << ": " << p.message << "\n";
    for (const auto& hint : report.hints) std::cerr << "pullguard check: hint: " << hint << "\n";
  }
  if (manifests.objects.empty() && !args.Has("allow-empty")) {
    std::cerr << "pullguard check: no Kubernetes object in the input (" << InputWords(manifests)
              << "). An empty input is most often a step before the pipe that failed (kubectl kustomize, helm "
                 "template) or a path without manifests; --allow-empty lets it pass\n";
    return kExitUsage;
  }
  const bool denied = report.Denied() > 0, warned = report.Warned() > 0, problems = !report.problems.empty();
  bool failed = false;
  switch (*fail_on) {
    case FailOn::kWarn: failed = denied || warned || problems; break;
    case FailOn::kDeny: failed = denied || problems; break;
    case FailOn::kDenyOnly: failed = denied; break;
    case FailOn::kNone: failed = false; break;
  }
  return failed ? kExitDenied : kExitOk;
}

}  // namespace pullguard::cli
