// `pullguard diagnose` (also `kubectl pullguard diagnose`): why a pod is stuck in ErrImagePull
// or ImagePullBackOff. What the kubelet said (the pod's status and events, read through the
// runtime message catalogue) beside what the registry answers now (checker::CheckObject on the
// Pod itself, with its pull secrets, for its node's platform), when the kubelet tries again,
// and which object a person must change. A workload's pods are diagnosed each and grouped by
// cause, platform and zone.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <exception>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "checker/checker.h"
#include "common/json_fields.h"
#include "common/parallel_for.h"
#include "checker/object_check.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/credential_flags.h"
#include "cli/diagnose_kubelet.h"
#include "cli/diagnose_report.h"
#include "cli/version.h"
#include "common/log.h"
#include "common/platform.h"
#include "diagnose/backoff.h"
#include "diagnose/group.h"
#include "diagnose/pod_status.h"
#include "diagnose/runtime_messages.h"
#include "kube/kube_sources.h"
#include "kube/pod_reader.h"
#include "policy/default_policy.h"
#include "policy/policy_yaml.h"
#include "registry/curl_transport.h"
#include "registry/registry_client.h"

namespace pullguard::cli {
namespace {

using nlohmann::json;

constexpr const char* kDiagnoseHelp = R"(Usage: pullguard diagnose [-n NS] TYPE/NAME [flags]
       kubectl pullguard diagnose [-n NS] TYPE/NAME [flags]

Tells why a pod is stuck in ErrImagePull or ImagePullBackOff (or fails to start with "exec
format error"): what the kubelet said, from the pod's status and events, beside what the
registry answers now, asked as the pod's node would pull (its platform, the pod's pull
secrets), when the kubelet tries again, and which object to change. For a workload, each of
its pods, grouped by cause, node platform and zone.

  TYPE/NAME             pod/NAME, deploy/NAME, sts/NAME, ds/NAME, rs/NAME, job/NAME or
                        cronjob/NAME (also "TYPE NAME"; a bare NAME is a pod)
  -n, --namespace NS    the namespace (default: the kubeconfig context's, else "default")
  --kubeconfig FILE     the cluster (default: $KUBECONFIG, else ~/.kube/config, else in-cluster)
  --context NAME        a kubeconfig context other than the current one
  --policy FILE         the policy: registries, mirrors, CAs, hostsDir, node credentials
                        (default: policies/default.yaml, built in); its exemptions do not
                        apply here: every pod asked for is diagnosed
  --docker-config FILE  the nodes' docker config (the kubelet's config.json), when they have one
  --image-credential-provider-config FILE, --image-credential-provider-bin-dir DIR
                        the kubelet's credential provider plugins, as the nodes run them
  -o, --output FORMAT   text (default) or json

The kubeconfig's user needs get on pods, nodes, replicasets, jobs and the workload, list on
pods and events, and get on the pods' pull secrets. Secrets are used, never printed.

Exit status: 0 nothing wrong (or already fixed, waiting on the kubelet's next try), 1 a cause
that needs a change, 2 a usage error or the API cannot be read, 3 transient causes only (a
rate limit, a registry down, a timeout).
)";

constexpr size_t kMaxPods = 200;     // pods of one workload diagnosed
constexpr size_t kWorkers = 8;       // pods diagnosed at once
constexpr int kMaxOwnerDepth = 4;    // Pod <- ReplicaSet <- Deployment is 2

std::string MetaString(const json& obj, const char* key) {
  const json* meta = ObjectAt(obj, "metadata");
  return meta == nullptr ? "" : StringAt(*meta, key);
}

// The controller among the object's owner references, else the first; nullptr for none.
const json* ControllerRef(const json& obj) {
  const json* meta = ObjectAt(obj, "metadata");
  const json* refs = meta == nullptr ? nullptr : ArrayAt(*meta, "ownerReferences");
  if (refs == nullptr) return nullptr;
  const json* first = nullptr;
  for (const json& r : *refs) {
    if (!r.is_object()) continue;
    if (first == nullptr) first = &r;
    auto c = r.find("controller");
    if (c != r.end() && c->is_boolean() && c->get<bool>()) return &r;
  }
  return first;
}

// Does an owner reference of `obj` name `uid`? True when `uid` is unknown.
bool OwnedBy(const json& obj, const std::string& uid) {
  if (uid.empty()) return true;
  const json* meta = ObjectAt(obj, "metadata");
  const json* refs = meta == nullptr ? nullptr : ArrayAt(*meta, "ownerReferences");
  if (refs == nullptr) return false;
  return std::any_of(refs->begin(), refs->end(), [&](const json& r) { return StringAt(r, "uid") == uid; });
}

// --- The command line. ---

struct Target {
  std::string kind;
  std::string name;
};

std::optional<std::string> KindOf(std::string type) {
  type = type.substr(0, type.find('.'));  // deployment.apps, deployments.v1.apps
  for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::map<std::string, std::string> kKinds{
      {"pod", "Pod"},           {"pods", "Pod"},           {"po", "Pod"},
      {"deploy", "Deployment"}, {"deployment", "Deployment"}, {"deployments", "Deployment"},
      {"rs", "ReplicaSet"},     {"replicaset", "ReplicaSet"}, {"replicasets", "ReplicaSet"},
      {"sts", "StatefulSet"},   {"statefulset", "StatefulSet"}, {"statefulsets", "StatefulSet"},
      {"ds", "DaemonSet"},      {"daemonset", "DaemonSet"},   {"daemonsets", "DaemonSet"},
      {"job", "Job"},           {"jobs", "Job"},
      {"cj", "CronJob"},        {"cronjob", "CronJob"},       {"cronjobs", "CronJob"},
  };
  auto it = kKinds.find(type);
  if (it == kKinds.end()) return std::nullopt;
  return it->second;
}

Result<Target> ParseTarget(const std::vector<std::string>& positional) {
  std::string type, name;
  if (positional.size() == 1) {
    const std::string& p = positional[0];
    size_t slash = p.find('/');
    if (slash == std::string::npos) return Target{"Pod", p};
    type = p.substr(0, slash);
    name = p.substr(slash + 1);
  } else if (positional.size() == 2) {
    type = positional[0];
    name = positional[1];
  } else {
    return Status::InvalidArgument("name one object: TYPE/NAME, e.g. pod/web-7d9f-x2x4k or deploy/web (see --help)");
  }
  auto kind = KindOf(type);
  if (!kind) return Status::InvalidArgument("unknown type \"" + type + "\": use pod, deploy, sts, ds, rs, job or cronjob");
  if (name.empty() || name.find('/') != std::string::npos) return Status::InvalidArgument("name the object: TYPE/NAME");
  return Target{*kind, name};
}

// --- Reads, each once per run. ---

class Memo {
 public:
  Result<json> Get(const std::string& key, const std::function<Result<json>()>& fetch) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = values_.find(key);
      if (it != values_.end()) return it->second;
    }
    Result<json> fetched = fetch();  // unlocked: two threads may both read; the first kept wins
    std::lock_guard<std::mutex> lock(mutex_);
    return values_.emplace(key, std::move(fetched)).first->second;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, Result<json>> values_;
};

struct Session {
  kube::PodReader& reader;
  const checker::Checker& engine;
  const policy::Policy& base_policy;
  TimePoint now;
  Memo nodes;
  Memo workloads;

  Result<json> Node(const std::string& name) {
    return nodes.Get(name, [&] { return reader.GetNode(name); });
  }
  Result<json> Workload(const std::string& kind, const std::string& ns, const std::string& name) {
    return workloads.Get(kind + "/" + ns + "/" + name, [&] { return reader.GetWorkload(kind, ns, name); });
  }
};

// --- A workload's pods. ---

struct PodSet {
  std::vector<json> pods;
  std::vector<std::string> selectors;
  std::vector<std::string> notes;
};

Status AddPodsOf(Session& s, const std::string& kind, const std::string& ns, const json& obj, PodSet& set) {
  const std::string name = MetaString(obj, "name");
  if (kind == "CronJob") {
    // A CronJob's pods are those of the Jobs it runs now (status.active).
    const json* status = ObjectAt(obj, "status");
    const json* active = status == nullptr ? nullptr : ArrayAt(*status, "active");
    std::vector<std::string> jobs;
    if (active != nullptr) {
      for (const json& ref : *active) {
        if (std::string job = StringAt(ref, "name"); !job.empty()) jobs.push_back(job);
      }
    }
    if (jobs.empty()) {
      set.notes.push_back("CronJob " + name + " runs no Job now: diagnose a finished one with job/NAME (kubectl get jobs -n " +
                          ns + ")");
    }
    for (const std::string& job : jobs) {
      auto got = s.Workload("Job", ns, job);
      if (!got.ok()) {
        if (got.status().code() != StatusCode::kNotFound) return got.status();
        set.notes.push_back("Job " + job + " of CronJob " + name + " is gone");
        continue;
      }
      RETURN_IF_ERROR(AddPodsOf(s, "Job", ns, got.value(), set));
    }
    return Status::Ok();
  }
  json selector_object;
  if (const json* spec = ObjectAt(obj, "spec")) {
    if (auto it = spec->find("selector"); it != spec->end()) selector_object = *it;
  }
  auto selector = kube::LabelSelectorQuery(selector_object);
  if (!selector.ok()) return Status::InvalidArgument(kind + " " + name + ": " + selector.status().message());
  if (selector->empty()) return Status::InvalidArgument(kind + " " + name + " has no spec.selector to find its pods by");
  set.selectors.push_back(selector.value());
  auto list = s.reader.ListPods(ns, selector.value());
  if (!list.ok()) return list.status();
  if (list->truncated) set.notes.push_back("the pods of " + kind + " " + name + " were listed up to the first " +
                                           std::to_string(list->items.size()));
  const std::string uid = MetaString(obj, "uid");
  std::set<std::string> unreadable;
  for (const json& pod : list->items) {
    if (kind != "Deployment") {
      if (OwnedBy(pod, uid)) set.pods.push_back(pod);
      continue;
    }
    // A Deployment's pods are those of its ReplicaSets.
    const json* ref = ControllerRef(pod);
    if (ref == nullptr || StringAt(*ref, "kind") != "ReplicaSet") continue;
    std::string rs_name = StringAt(*ref, "name");
    auto rs = s.Workload("ReplicaSet", ns, rs_name);
    if (rs.ok()) {
      if (OwnedBy(rs.value(), uid)) set.pods.push_back(pod);
    } else {
      set.pods.push_back(pod);  // cannot tell: the labels match
      if (unreadable.insert(rs_name).second) {
        set.notes.push_back("ReplicaSet " + rs_name + " could not be read (" + rs.status().message() +
                            "): its pods are taken by their labels");
      }
    }
  }
  return Status::Ok();
}

// --- One pod. ---

// The policy as the pod's node pulls: for its platform; every pod asked for is diagnosed, so
// the exemptions (which say what admission lets through unchecked) do not apply.
policy::Policy PolicyForNode(const policy::Policy& base, const PodDiagnosis& d, std::string* checked_for) {
  policy::Policy p = base;
  p.exempt_namespaces.clear();
  p.exempt_images.clear();
  p.platforms_from_nodes = false;
  std::optional<Platform> platform;
  if (d.node) platform = Platform::Parse(d.node->Platform());
  if (platform) {
    p.platforms = {*platform};
    *checked_for = platform->ToString() + ", as node " + d.node_name + " pulls";
    return p;
  }
  std::string list;
  for (const Platform& pl : p.platforms) list += (list.empty() ? "" : ", ") + pl.ToString();
  if (list.empty()) list = "no platform";
  std::string why = d.node_name.empty() ? "the pod is not scheduled"
                    : d.node ? "node " + d.node_name + " names no os/arch"
                             : "node " + d.node_name + " could not be read";
  *checked_for = list + " (the policy's platforms: " + why + ")";
  return p;
}

PodDiagnosis DiagnosePod(Session& s, const json& pod) {
  PodDiagnosis d;
  d.name = MetaString(pod, "name");
  d.ns = MetaString(pod, "namespace");
  auto read = diagnose::ReadPodStatus(pod);
  if (!read.ok()) {
    d.error = "the pod does not decode: " + read.status().message();
    return d;
  }
  const diagnose::PodStatusView& view = read.value();
  d.uid = view.uid;
  d.phase = view.phase;
  d.node_name = view.node_name;

  if (!d.node_name.empty()) {
    auto node = s.Node(d.node_name);
    if (node.ok()) {
      d.node = kube::ReadNodeDetails(node.value());
    } else {
      d.node_error = node.status().message();
    }
  }

  // The owner chain up to the object a person changes: ReplicaSet -> Deployment, Job -> CronJob.
  json holder = pod;
  const json* ref = ControllerRef(holder);
  for (int depth = 0; ref != nullptr && depth < kMaxOwnerDepth; ++depth) {
    std::string kind = StringAt(*ref, "kind"), name = StringAt(*ref, "name"), api_version = StringAt(*ref, "apiVersion");
    if (kind.empty() || name.empty()) break;
    d.owners.push_back(kind + "/" + name);
    bool made_by_another = (kind == "ReplicaSet" && api_version.starts_with("apps/")) ||
                           (kind == "Job" && api_version.starts_with("batch/"));
    if (!made_by_another) break;
    auto owner = s.Workload(kind, d.ns, name);
    if (!owner.ok()) {
      d.owner_note = "the owner chain stops at " + kind + "/" + name + ": " + owner.status().message();
      break;
    }
    holder = owner.value();
    ref = ControllerRef(holder);
  }

  // The events of this pod (not of an earlier pod of the same name), from both APIs.
  kube::PodEventLists lists = s.reader.PodEvents(d.ns, d.name);
  d.events_read = lists.any_read;
  if (!lists.any_read) d.event_notes = lists.unreadable;
  if (lists.truncated) d.event_notes.push_back("the event list was cut short");
  std::vector<diagnose::EventView> events;
  for (const json& item : lists.items) {
    for (diagnose::EventView& e : diagnose::ReadEvents(item)) {
      if (!e.object_kind.empty() && e.object_kind != "Pod") continue;
      if (!e.object_uid.empty() && !d.uid.empty() && e.object_uid != d.uid) continue;
      events.push_back(std::move(e));
    }
  }
  d.events = events.size();

  // What the registry answers now, as the node would pull.
  policy::Policy policy = PolicyForNode(s.base_policy, d, &d.checked_for);
  checker::ObjectToCheck request;
  request.kind = "Pod";
  request.ns = d.ns;
  request.operation = "CREATE";
  request.object = &pod;
  request.tenant = "diagnose";
  checker::ObjectVerdict verdict =
      checker::CheckObject(s.engine, request, policy, {std::chrono::steady_clock::now(), std::nullopt});
  if (verdict.outcome == checker::ObjectVerdict::Outcome::kSkipped) d.check_note = verdict.why;
  if (verdict.outcome == checker::ObjectVerdict::Outcome::kUnreadable) d.check_note = "the pod spec does not decode: " + verdict.why;

  std::map<std::string, ImagePlace> places = ImagePlaces(pod);
  std::vector<std::string> volume_images;
  for (const diagnose::ContainerView& c : view.containers) {
    if (c.kind == diagnose::ContainerKind::kImageVolume) volume_images.push_back(c.image);
  }
  std::set<std::string> image_paths;
  for (const diagnose::ContainerView& c : view.containers) {
    ContainerDiagnosis cd;
    cd.view = c;
    if (auto it = places.find(PlaceKey(c.kind, c.name)); it != places.end()) {
      cd.image_path = it->second.path;
      cd.pull_policy = it->second.pull_policy;
    }
    ReadKubelet(cd, EventsAbout(events, c, volume_images));
    if (!d.check_note.empty()) {
      cd.not_checked = d.check_note;
    } else if (!policy.check_registries) {
      cd.not_checked = "the policy turns registry checks off (checkRegistries: false)";
    } else if (cd.pull_policy == "Never") {
      cd.not_checked = "imagePullPolicy Never: the kubelet never pulls it, so the registry is not asked";
    } else if (c.image.empty()) {
      cd.not_checked = "no image";
    } else {
      cd.checked = true;
    }
    if (!cd.image_path.empty()) {
      image_paths.insert(cd.image_path);
      for (const Finding& f : verdict.verdict.denials) {
        if (f.path == cd.image_path) cd.denials.push_back(f);
      }
      for (const Finding& f : verdict.verdict.warnings) {
        if (f.path == cd.image_path) cd.warnings.push_back(f);
      }
    }
    JudgeContainer(cd, s.now);
    d.containers.push_back(std::move(cd));
  }
  for (const Finding& f : verdict.verdict.denials) {
    if (!image_paths.count(f.path)) d.pod_denials.push_back(f);
  }
  for (const Finding& f : verdict.verdict.warnings) {
    if (!image_paths.count(f.path)) d.pod_warnings.push_back(f);
  }
  JudgePod(d);
  return d;
}

PodDiagnosis DiagnosePodSafely(Session& s, const json& pod) {
  try {
    return DiagnosePod(s, pod);
  } catch (const std::exception& e) {
    PodDiagnosis d;
    d.name = MetaString(pod, "name");
    d.ns = MetaString(pod, "namespace");
    d.error = std::string("diagnosing it failed: ") + e.what();
    return d;
  }
}


}  // namespace

int RunDiagnose(const std::vector<std::string>& argv) {
  auto parsed = ParseArgs(argv, {{"namespace", "n"}, {"kubeconfig", ""}, {"context", ""}, {"output", "o"}, {"policy", ""},
                                 {"docker-config", ""}, {"image-credential-provider-config", ""},
                                 {"image-credential-provider-bin-dir", ""}, {"help", "h", false}});
  if (!parsed.ok()) return Fail("diagnose", parsed.status().message());
  const Args& args = parsed.value();
  if (args.Has("help")) {
    std::cout << kDiagnoseHelp;
    return kExitOk;
  }
  auto target = ParseTarget(args.positional);
  if (!target.ok()) return Fail("diagnose", target.status().message());
  std::string format = args.Get("output", "text");
  if (format != "text" && format != "json") return Fail("diagnose", "-o must be text or json");

  policy::Policy policy = policy::DefaultPolicy();
  if (args.Has("policy")) {
    auto loaded = policy::LoadPolicyFile(args.Get("policy"));
    if (!loaded.ok()) return Fail("diagnose", loaded.status().message());
    policy = std::move(loaded).value();
  }
  // The nodes' own docker config only: the person's ~/.docker/config.json is not on the nodes.
  if (args.Has("docker-config") && args.Get("docker-config") != "none") policy.node_docker_config = args.Get("docker-config");

  std::string context_ns;
  auto config = kube::FindKubeConfig(args.Get("kubeconfig"), args.Get("context"), &context_ns);
  if (!config.ok()) return Fail("diagnose", config.status().message());
  const std::string ns = args.Get("namespace", context_ns.empty() ? "default" : context_ns);

  kube::ApiClient api(config.value());
  kube::PodReader reader(api);
  kube::KubeSecretSource secrets(api);
  kube::KubeServiceAccountSource accounts(api);
  // No node source: a node that holds an image would soften what the registry says ("the pod
  // starts"), and a pod stuck in its pull is by then known not to start.
  checker::ClusterSources sources{&secrets, &accounts, nullptr};
  registry::CurlTransport transport;
  registry::RegistryClient client(transport);
  checker::Checker checker(client, sources);
  if (Status flags = ApplyCredentialProviderFlags(args, checker); !flags.ok()) return Fail("diagnose", flags.message());
  // Registries through the environment's proxy, as the nodes' containerd reaches them.
  ProxySettings environment_proxy = ProxySettingsFromEnvironment();
  auto problems = ProxySettingsProblems(environment_proxy, "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY");
  if (!policy.proxy && !problems.empty()) return Fail("diagnose", problems[0]);
  checker.SetEnvironmentProxy(environment_proxy);

  Session session{reader, checker, policy, std::chrono::system_clock::now(), {}, {}};
  DiagnoseReport report;
  report.kind = target->kind;
  report.name = target->name;
  report.ns = ns;
  report.now = session.now;

  std::vector<json> pods;
  if (target->kind == "Pod") {
    auto pod = reader.GetPod(ns, target->name);
    if (!pod.ok()) return Fail("diagnose", pod.status().message());
    pods.push_back(std::move(pod).value());
    report.pods_found = 1;
  } else {
    auto obj = session.Workload(target->kind, ns, target->name);
    if (!obj.ok()) return Fail("diagnose", obj.status().message());
    PodSet set;
    if (Status added = AddPodsOf(session, target->kind, ns, obj.value(), set); !added.ok()) return Fail("diagnose", added.message());
    for (const auto& sel : set.selectors) report.selector += (report.selector.empty() ? "" : "; ") + sel;
    report.notes = std::move(set.notes);
    pods = std::move(set.pods);
    std::stable_sort(pods.begin(), pods.end(),
                     [](const json& a, const json& b) { return MetaString(a, "name") < MetaString(b, "name"); });
    report.pods_found = pods.size();
    if (pods.size() > kMaxPods) {
      pods.resize(kMaxPods);
      report.notes.push_back("only the first " + std::to_string(kMaxPods) + " pods (by name) were diagnosed");
    }
    if (pods.empty()) report.notes.push_back("no pods found for " + target->kind + " " + target->name);
  }

  std::vector<PodDiagnosis> results(pods.size());
  ParallelFor(pods.size(), kWorkers, [&](size_t i) { results[i] = DiagnosePodSafely(session, pods[i]); });
  report.pods = std::move(results);

  if (target->kind != "Pod") {
    std::vector<diagnose::PodOutcome> outcomes;
    for (const PodDiagnosis& p : report.pods) {
      if (!p.error.empty()) continue;
      outcomes.push_back({p.name, p.node_name, p.node ? p.node->Platform() : "", p.node ? p.node->zone : "", p.cause});
    }
    report.groups = diagnose::GroupPods(outcomes);
    report.summary = diagnose::SummarizeGroups(report.groups);
  }

  if (format == "json") {
    RenderDiagnoseJson(report, kVersion, std::cout);
  } else {
    RenderDiagnoseText(report, std::cout);
  }
  std::cout << std::flush;
  FlushLog();
  bool none_read = !report.pods.empty() && std::all_of(report.pods.begin(), report.pods.end(),
                                                       [](const PodDiagnosis& p) { return !p.error.empty(); });
  return none_read ? kExitUsage : report.ExitCode();
}

}  // namespace pullguard::cli
