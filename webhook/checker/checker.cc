#include "checker/checker.h"

#include <set>
#include <unordered_map>
#include <unordered_set>

#include "checker/image_rules.h"
#include "checker/registry_findings.h"
#include "common/log.h"
#include "common/metrics.h"
#include "reference/image.h"

namespace pullguard::checker {
namespace {

struct Parsed {
  const ImageUse* use;
  reference::Image image;
  std::string normalized;
};

// Where the registry of an image is asked, from the policy: its mirror first, then itself.
std::vector<registry::RegistryHost> HostsFromPolicy(const std::string& registry, const policy::Policy& policy) {
  policy::RegistrySettings s = policy.SettingsFor(registry);
  std::vector<registry::RegistryHost> hosts;
  auto with_settings = [&s](registry::RegistryHost h) {
    h.ca_file = s.ca_file;
    h.allow_private = s.allow_private_address;
    return h;
  };
  if (!s.mirror.empty()) {
    registry::RegistryHost mirror;
    mirror.host = s.mirror;
    mirror.scheme = s.insecure ? "http" : "https";
    mirror.is_mirror = true;
    hosts.push_back(with_settings(mirror));
  }
  hosts.push_back(with_settings(registry::UpstreamHost(registry, s.insecure)));
  return hosts;
}

// Offline, a registry host such as "Team" is not looked up; say what the kubelet would do.
Finding UnlookedHostFinding(const Parsed& p, const std::string& meant) {
  Finding f;
  f.path = p.use->path;
  f.image = p.use->image;
  f.normalized = p.normalized;
  f.reason = Reason::kRegistryUnresolvable;
  // The essentials first: a warning longer than 120 characters loses its fix.
  f.detail = "did you mean \"" + meant + "\"? \"" + p.image.registry() + "\" is a host";
  f.fix = "the kubelet would pull from a registry named " + p.image.registry() +
          " (not looked up: offline); Docker Hub names are lowercase";
  f.action = Action::kWarn;  // a guess without asking DNS never denies
  f.action_fixed = true;
  return f;
}

// imagePullPolicy Never and no node the pod may land on lists the image.
Finding NotOnNodesFinding(const Parsed& p, const NodeHolding& holding) {
  Finding f;
  f.path = p.use->path;
  f.image = p.use->image;
  f.normalized = p.normalized;
  f.reason = Reason::kImageNotOnNodes;
  f.detail = "imagePullPolicy is Never and none of the " + std::to_string(holding.eligible) + " node" +
             (holding.eligible == 1 ? "" : "s") +
             " the pod may land on lists it (nodes list at most 50 images, so it may be there unlisted)";
  f.fix = "pre-pull it on every node (a DaemonSet), set imagePullPolicy: IfNotPresent, or list it under prepulled";
  return f;
}

// The image is on nodes the pod may land on and the kubelet will not pull it there: what the
// registry said cannot stop those pods, so it warns, and says where the pod still starts.
void SoftenForHolders(Finding& f, const NodeHolding& holding) {
  f.at_most_warn = true;
  f.detail += "; imagePullPolicy IfNotPresent and the image is " + holding.Describe() +
              (holding.OnEveryNode() ? ", so the pod starts" : ", so it starts there and fails elsewhere");
}

// The kubelet pulls without a pull secret it cannot read or use ("Unable to retrieve some
// image pull secrets ...; attempting to pull the image may not succeed"): when every image of
// the pod was found with the credentials it has, the pod starts, and the secret only warns.
void SoftenForWorkingPulls(Finding& f) {
  if (f.reason != Reason::kPullSecretMissing && f.reason != Reason::kPullSecretInvalid) return;
  f.at_most_warn = true;
  f.detail += "; the pod's images pull without it";
}

}  // namespace

Checker::Checker(ClusterSources sources) : sources_(sources), credentials_(sources.secrets, sources.accounts) {}

Checker::Checker(registry::Prober& prober, ClusterSources sources, size_t workers)
    : sources_(sources),
      credentials_(sources.secrets, sources.accounts),
      registry_checks_(std::make_unique<RegistryChecks>(prober, workers)) {}

std::vector<registry::RegistryHost> Checker::HostsFor(const std::string& registry, const policy::Policy& policy) const {
  std::vector<registry::RegistryHost> from_policy = HostsFromPolicy(registry, policy);
  if (policy.hosts_dir.empty()) return from_policy;
  auto from_nodes = hosts_dir_.HostsFor(policy.hosts_dir, registry, from_policy.back());
  return from_nodes ? std::move(*from_nodes) : from_policy;
}

std::optional<Checker::NodeImages> Checker::ReadNodeImages() const {
  if (sources_.nodes == nullptr) return std::nullopt;
  auto nodes = sources_.nodes->Nodes();
  if (!nodes.ok() || nodes.value() == nullptr) return std::nullopt;  // the source logs why
  std::lock_guard<std::mutex> lock(node_index_mutex_);
  if (indexed_nodes_ != nodes.value()) {
    node_index_ = std::make_shared<const NodeImageIndex>(*nodes.value());
    indexed_nodes_ = nodes.value();
  }
  return NodeImages{indexed_nodes_, node_index_};
}

NodeHolding Checker::HoldingOf(const std::string& written, const std::string& normalized,
                               const Placement& placement, const policy::Policy& policy) const {
  NodeHolding holding;
  holding.prepulled = policy.IsPrepulled(written, normalized);
  auto view = ReadNodeImages();
  if (!view) return holding;
  holding.known = true;
  const auto& listed = view->index->Holders(normalized);
  std::unordered_set<const NodeInfo*> holders(listed.begin(), listed.end());
  for (const NodeInfo* node : EligibleNodes(*view->nodes, placement)) {
    ++holding.eligible;
    if (holders.count(node) > 0) holding.holders.push_back(node->name);
  }
  return holding;
}

std::vector<Platform> Checker::PlatformsFor(const Placement& placement, const policy::Policy& policy) const {
  if (policy.platforms_from_nodes && sources_.nodes != nullptr) {
    auto nodes = sources_.nodes->Nodes();
    // When the list cannot be read (the source logs why) or says nothing, the policy's list
    // stands in.
    if (nodes.ok() && nodes.value() != nullptr) {
      std::vector<Platform> platforms = PlatformsOfNodes(EligibleNodes(*nodes.value(), placement));
      if (!platforms.empty()) return platforms;
    }
  }
  return RequiredPlatforms(policy.platforms, placement);
}

PodReport Checker::CheckPod(const PodToCheck& pod, const policy::Policy& policy) const {
  PodReport report;
  // A DaemonSet's pods also carry the tolerations its controller adds; other pods are placed
  // by their spec as it is (no copy on the warm path).
  Placement daemon_placement;
  if (pod.kind == "DaemonSet") {
    daemon_placement = pod.spec.placement;
    auto added = DaemonSetTolerations();
    daemon_placement.tolerations.insert(daemon_placement.tolerations.end(), added.begin(), added.end());
  }
  const Placement& placement = pod.kind == "DaemonSet" ? daemon_placement : pod.spec.placement;
  std::vector<Finding>& findings = report.findings;
  bool probe = registry_checks_ != nullptr && policy.check_registries;
  std::set<std::string> known(pod.known_images.begin(), pod.known_images.end());
  // Each distinct image is parsed once and checked once, however many containers name it
  // (a review of 50,000 containers of one image is one check, not 50,000).
  std::unordered_map<std::string, size_t> parsed_index;  // image as written -> parsed
  std::vector<Parsed> parsed;
  std::vector<std::pair<const ImageUse*, size_t>> to_probe;  // use, parsed index
  std::vector<std::pair<const ImageUse*, size_t>> never_pulled;  // use, parsed index
  bool unchecked_pulls = false;  // an image the kubelet pulls that no registry check covers
  for (const auto& use : pod.spec.images) {
    if (known.count(use.image) > 0) continue;
    auto [slot, fresh] = parsed_index.try_emplace(use.image, parsed.size());
    if (fresh) {
      auto image = reference::ParseImage(use.image);
      if (!image.ok()) {
        if (!policy.IsImageExempt(use.image, "")) {
          ++report.images;
          findings.push_back(InvalidReferenceFinding(use, image.error()));
        }
        parsed_index.erase(slot);  // an invalid image is reported per use
        continue;
      }
      std::string normalized = image->Normalized();
      parsed.push_back({&use, std::move(image).value(), normalized});
    }
    const Parsed& p = parsed[slot->second];
    if (policy.IsImageExempt(use.image, p.normalized)) {
      unchecked_pulls = true;  // the kubelet pulls it all the same
      continue;
    }
    ++report.images;
    auto rule_findings = RuleFindings(use, p.image, policy);
    findings.insert(findings.end(), rule_findings.begin(), rule_findings.end());
    // Registries outside the allowed list are never contacted (a rule finding says why).
    if (!policy.IsRegistryAllowed(p.image.registry())) {
      unchecked_pulls = true;
      continue;
    }
    // The kubelet never pulls it: only the nodes matter.
    if (PullPolicyOf(use.pull_policy, p.image) == PullPolicy::kNever) {
      never_pulled.emplace_back(&use, slot->second);
      continue;
    }
    if (!probe) {
      std::string meant = LowercaseHostSuggestion(use.image, p.image.registry());
      if (!meant.empty()) findings.push_back(UnlookedHostFinding({&use, p.image, p.normalized}, meant));
      continue;
    }
    to_probe.emplace_back(&use, slot->second);
  }
  for (const auto& [use, index] : never_pulled) {
    const Parsed& p = parsed[index];
    NodeHolding holding = HoldingOf(use->image, p.normalized, placement, policy);
    // Unknown nodes, or none it may land on (it stays Pending): nothing to say.
    if (holding.known && holding.eligible > 0 && !holding.OnSomeNode()) {
      findings.push_back(NotOnNodesFinding({use, p.image, p.normalized}, holding));
    }
  }
  // Credentials matter only for what is pulled.
  if (!probe || report.images == 0 || to_probe.empty()) return report;

  auth::PodCredentialQuery query;
  query.ns = pod.ns;
  for (const auto& ref : pod.spec.pull_secrets) query.pull_secrets.push_back({ref.path, ref.name});
  if (pod.kind != "Pod") {
    std::string name = pod.spec.service_account.empty() ? "default" : pod.spec.service_account;
    std::string field = pod.spec.service_account_field.empty() ? pod.prefix + ".serviceAccountName" : pod.spec.service_account_field;
    query.service_account = auth::ServiceAccountRef{name, field};
  }
  std::set<std::string> names;
  for (const auto& [use, index] : to_probe) {
    if (names.insert(parsed[index].image.ref.Name()).second) query.image_names.push_back(parsed[index].image.ref.Name());
  }
  auth::PodCredentials creds = credentials_.Resolve(query, node_keyring_.Get(policy.node_docker_config));
  findings.insert(findings.begin(), creds.findings.begin(), creds.findings.end());
  const size_t credential_findings = creds.findings.size();
  // Whether every image the kubelet would pull was found with the credentials the pod has (or
  // will not be pulled: IfNotPresent, on every node it may land on).
  bool every_pull_works = !unchecked_pulls;

  // One target per distinct normalized image, up to the policy's limit; the images beyond it
  // are not checked at all, and say so.
  std::vector<Platform> platforms = PlatformsFor(placement, policy);
  std::unordered_map<std::string, size_t> target_of;  // normalized -> target
  std::vector<registry::ProbeTarget> targets;
  struct Checked {
    const ImageUse* use;
    size_t parsed;
    size_t target;
  };
  std::vector<Checked> checked;
  for (const auto& [use, index] : to_probe) {
    const Parsed& p = parsed[index];
    auto found = target_of.find(p.normalized);
    if (found == target_of.end()) {
      if (targets.size() >= policy.max_checks_per_object) {
        every_pull_works = false;
        findings.push_back(TimedOutFinding(*use, p.normalized, p.image.registry(),
                                           "not checked: the object names more than " +
                                               std::to_string(policy.max_checks_per_object) +
                                               " distinct images (limits.maxChecksPerObject)"));
        continue;
      }
      registry::ProbeTarget t;
      t.registry = p.image.registry();
      t.repository = p.image.repository();
      t.by_digest = p.image.HasDigest();
      t.reference = p.image.PullReference();
      // The kubelet looks credentials up by the image's name without tag or digest.
      t.credentials = creds.credentials.Lookup(p.image.ref.Name());
      t.platforms = platforms;
      t.hosts = HostsFor(t.registry, policy);
      t.metrics_label = RegistryMetricLabel(t.registry, policy.SettingsFor(t.registry).host);
      found = target_of.emplace(p.normalized, targets.size()).first;
      targets.push_back(std::move(t));
    }
    checked.push_back({use, index, found->second});
  }
  std::vector<CheckAnswer> answers = registry_checks_->Run(targets, policy, pod.deadline, pod.tenant, nullptr, pod.ns);
  for (const auto& c : checked) {
    const Parsed& p = parsed[c.parsed];
    std::optional<Finding> f;
    if (!answers[c.target].result) {
      f = TimedOutFinding(*c.use, p.normalized, targets[c.target].registry, answers[c.target].why);
    } else {
      f = RegistryFinding(*c.use, p.normalized, targets[c.target], *answers[c.target].result);
    }
    if (!f) continue;
    bool pulled = true;
    if (PullPolicyOf(c.use->pull_policy, p.image) == PullPolicy::kIfNotPresent) {
      NodeHolding holding = HoldingOf(c.use->image, p.normalized, placement, policy);
      if (holding.OnSomeNode()) SoftenForHolders(*f, holding);
      pulled = !holding.OnEveryNode();
    }
    every_pull_works = every_pull_works && !pulled;
    findings.push_back(std::move(*f));
  }
  if (every_pull_works) {
    for (size_t i = 0; i < credential_findings; ++i) SoftenForWorkingPulls(findings[i]);
  }
  return report;
}

}  // namespace pullguard::checker
