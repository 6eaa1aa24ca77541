#include "checker/checker.h"

#include <set>
#include <unordered_map>
#include <unordered_set>

#include "checker/credential_findings.h"
#include "checker/finding_at.h"
#include "checker/node_credential_findings.h"
#include "checker/proxy_cache.h"
#include "checker/registry_findings.h"
#include "checker/service_account_findings.h"
#include "common/log.h"
#include "common/metrics.h"

namespace pullguard::checker {
namespace {

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

// imagePullPolicy Never and no node the pod may land on lists the image.
Finding NotOnNodesFinding(const ImageUse& use, const ParsedImage& p, const NodeHolding& holding) {
  return FindingAt(use, p.normalized, Reason::kImageNotOnNodes,
                   "imagePullPolicy is Never and none of the " + std::to_string(holding.eligible) + " node" +
                       (holding.eligible == 1 ? "" : "s") +
                       " the pod may land on lists it (nodes list at most 50 images, so it may be there unlisted)",
                   "pre-pull it on every node (a DaemonSet), set imagePullPolicy: IfNotPresent, or list it under prepulled");
}

// The image is on nodes the pod may land on and the kubelet will not pull it there: what the
// registry said cannot stop those pods, so it warns, and says where the pod still starts.
void SoftenForHolders(Finding& f, const NodeHolding& holding) {
  f.at_most_warn = true;
  f.detail += "; imagePullPolicy IfNotPresent and the image is " + holding.Describe() +
              (holding.OnEveryNode() ? ", so the pod starts" : ", so it starts there and fails elsewhere");
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

std::shared_ptr<const ProxyRules> Checker::ProxyRulesFor(const policy::Policy& policy) const {
  const ProxySettings& wanted = policy.proxy ? *policy.proxy : environment_proxy_;
  std::lock_guard<std::mutex> lock(proxy_mutex_);
  if (proxy_rules_ == nullptr || proxy_rules_->settings() != wanted) proxy_rules_ = std::make_shared<const ProxyRules>(wanted);
  return proxy_rules_;
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

const Placement& Checker::PlacementOf(const PodToCheck& pod, Placement* daemon_set) {
  // A DaemonSet's pods also carry the tolerations its controller adds; other pods' placement is
  // the spec's own, not copied.
  if (pod.kind != "DaemonSet") return pod.spec.placement;
  *daemon_set = pod.spec.placement;
  auto added = DaemonSetTolerations();
  daemon_set->tolerations.insert(daemon_set->tolerations.end(), added.begin(), added.end());
  return *daemon_set;
}

void Checker::AddNeverPulledFindings(const PullPlan& plan, const Placement& placement, const policy::Policy& policy,
                                     std::vector<Finding>& findings) const {
  for (const auto& planned : plan.never_pulled) {
    const ParsedImage& p = plan.parsed[planned.parsed];
    NodeHolding holding = HoldingOf(planned.use->image, p.normalized, placement, policy);
    // Unknown nodes, or none it may land on (it stays Pending): nothing to say.
    if (holding.known && holding.eligible > 0 && !holding.OnSomeNode()) {
      findings.push_back(NotOnNodesFinding(*planned.use, p, holding));
    }
  }
}

auth::PodCredentials Checker::ResolveCredentials(const PodToCheck& pod, const PullPlan& plan,
                                                 const policy::Policy& policy) const {
  auth::PodCredentialQuery query;
  query.ns = pod.ns;
  for (const auto& ref : pod.spec.pull_secrets) query.pull_secrets.push_back({ref.path, ref.name});
  if (pod.kind != "Pod") {
    std::string name = pod.spec.service_account.empty() ? "default" : pod.spec.service_account;
    std::string field = pod.spec.service_account_field.empty() ? pod.prefix + ".serviceAccountName" : pod.spec.service_account_field;
    query.service_account = auth::ServiceAccountRef{name, field};
  }
  std::set<std::string> names;
  for (const auto& planned : plan.to_probe) {
    const std::string name = plan.parsed[planned.parsed].image.ref.Name();
    if (names.insert(name).second) query.image_names.push_back(name);
  }
  return credentials_.Resolve(query, node_keyring_.Get(policy.node_docker_config));
}

auth::NodeCredentialSettings Checker::NodeSettingsFor(const policy::Policy& policy) const {
  auth::NodeCredentialSettings settings = NodeSettings(policy);
  if (!provider_config_flag_.empty()) {
    settings.provider_config = provider_config_flag_;
    settings.provider_bin_dir = provider_bin_dir_flag_;
  }
  return settings;
}

auth::PodServiceAccount Checker::ServiceAccountOf(const PodToCheck& pod, const PullPlan& plan,
                                                  const policy::Policy& policy,
                                                  const auth::NodeCredentialSettings& settings) const {
  auth::PodServiceAccount account;
  account.ns = pod.ns;
  // The API server's ServiceAccount admission names "default" in a pod that names none (only a
  // static pod's mirror has none, and pullguard is not asked about the static pod itself).
  account.name = pod.spec.service_account.empty() ? "default" : pod.spec.service_account;
  // KEP-4412: the pod's token for a provider's audience, as the kubelet asks for it, only when
  // the policy allows it (else account.token stays null and such images stay unverified).
  if (policy.node_credentials.service_account_tokens) {
    account.token = [tokens = sources_.tokens, ns = account.ns, name = account.name](
                        const std::string& audience, std::chrono::steady_clock::time_point deadline) -> Result<std::string> {
      if (tokens == nullptr) {
        return Status::Unavailable("pullguard asks for ServiceAccount tokens only as the webhook (serve), with the Kubernetes API");
      }
      return tokens->Token(ns, name, audience, deadline);
    };
  }
  bool wanted = false;
  for (const auto& planned : plan.to_probe) {
    const reference::Image& image = plan.parsed[planned.parsed].image;
    std::vector<std::string> names{image.registry() + "/" + image.repository()};
    if (auto upstream = ProxyUpstreamOf(image.registry(), image.repository(), policy)) {
      names.push_back(upstream->registry + "/" + upstream->repository);
    }
    for (const auto& name : names) {
      for (const auto& spec : node_credentials_.Matching(name, settings)) wanted = wanted || auth::UsesServiceAccountToken(spec);
    }
    if (wanted) break;
  }
  if (!wanted) {
    account.unreadable = "not read: no provider with tokenAttributes matches the pod's images";
  } else if (sources_.accounts == nullptr) {
    account.unreadable = "pullguard reads no ServiceAccounts here";
  } else if (auto got = sources_.accounts->Get(account.ns, account.name); !got.ok()) {
    account.unreadable = got.status().message();
  } else {
    account.account = std::move(got).value();
  }
  return account;
}

registry::ProbeTarget Checker::TargetFor(const std::string& registry, const std::string& repository,
                                        const std::string& reference, bool by_digest, const auth::PodCredentials& creds,
                                        const std::vector<Platform>& platforms, const policy::Policy& policy,
                                        const auth::NodeCredentialSettings& settings,
                                        std::chrono::steady_clock::time_point deadline,
                                        const auth::PodServiceAccount& service_account,
                                        auth::NodeCredentialAnswer* node) const {
  registry::ProbeTarget t;
  t.registry = registry;
  t.repository = repository;
  t.by_digest = by_digest;
  t.reference = reference;
  // The kubelet looks credentials up by the image's name without tag or digest, in its order:
  // the pod's secrets, the ServiceAccount's, then the node's (its plugins, its docker config).
  const std::string name = registry + "/" + repository;
  t.credentials = creds.credentials.secrets.Lookup(name);
  // A plugin gets half of what is left: a hanging one must leave the registry time to answer.
  auto now = std::chrono::steady_clock::now();
  auto plugin_deadline = deadline > now ? now + (deadline - now) / 2 : deadline;
  *node = node_credentials_.For(name, settings, plugin_deadline, &service_account);
  t.credentials.insert(t.credentials.end(), node->credentials.begin(), node->credentials.end());
  std::vector<auth::Credential> from_config = creds.credentials.node.Lookup(name);
  t.credentials.insert(t.credentials.end(), from_config.begin(), from_config.end());
  t.platforms = platforms;
  t.hosts = HostsFor(t.registry, policy);
  t.proxy = ProxyRulesFor(policy);
  t.metrics_label = RegistryMetricLabel(t.registry, policy.SettingsFor(t.registry).host);
  return t;
}

Checker::ProbeBatch Checker::BuildTargets(const PullPlan& plan, const auth::PodCredentials& creds,
                                          const Placement& placement, const policy::Policy& policy,
                                          const auth::NodeCredentialSettings& settings,
                                          std::chrono::steady_clock::time_point deadline,
                                          auth::PodServiceAccount service_account) const {
  // One target per distinct normalized image, up to the policy's limit; the images beyond it
  // are not checked at all, and say so.
  ProbeBatch batch;
  batch.service_account = std::move(service_account);
  std::vector<Platform> platforms = PlatformsFor(placement, policy);
  std::unordered_map<std::string, size_t> target_of;  // normalized -> target
  auto add = [&](registry::ProbeTarget t, auth::NodeCredentialAnswer node) {
    std::vector<auth::CredentialProviderSpec> token_providers;
    for (auto& spec : node_credentials_.Matching(t.registry + "/" + t.repository, settings)) {
      if (auth::UsesServiceAccountToken(spec)) token_providers.push_back(std::move(spec));
    }
    batch.targets.push_back(std::move(t));
    batch.node.push_back(std::move(node));
    batch.upstream.emplace_back();
    batch.token_providers.push_back(std::move(token_providers));
    return batch.targets.size() - 1;
  };
  for (const auto& planned : plan.to_probe) {
    const ParsedImage& p = plan.parsed[planned.parsed];
    auto found = target_of.find(p.normalized);
    if (found == target_of.end()) {
      if (target_of.size() >= policy.max_checks_per_object) {
        batch.over_limit = true;
        batch.findings.push_back(TimedOutFinding(*planned.use, p.normalized, p.image.registry(),
                                                 "not checked: the object names more than " +
                                                     std::to_string(policy.max_checks_per_object) +
                                                     " distinct images (limits.maxChecksPerObject)"));
        continue;
      }
      auth::NodeCredentialAnswer node;
      registry::ProbeTarget t = TargetFor(p.image.registry(), p.image.repository(), p.image.PullReference(),
                                          p.image.HasDigest(), creds, platforms, policy, settings, deadline,
                                          batch.service_account, &node);
      size_t index = add(std::move(t), std::move(node));
      // A proxy cache that fills on first pull: its upstream is asked too, for when it 404s.
      if (auto upstream = ProxyUpstreamOf(p.image.registry(), p.image.repository(), policy)) {
        auth::NodeCredentialAnswer upstream_node;
        registry::ProbeTarget u = TargetFor(upstream->registry, upstream->repository, p.image.PullReference(),
                                            p.image.HasDigest(), creds, platforms, policy, settings, deadline,
                                            batch.service_account, &upstream_node);
        size_t u_index = add(std::move(u), std::move(upstream_node));
        batch.upstream[index] = u_index;
      }
      found = target_of.emplace(p.normalized, index).first;
    }
    batch.uses.push_back({planned, found->second});
  }
  return batch;
}

Checker::Judged Checker::Judge(const PullPlan& plan, const ProbeBatch& batch, const std::vector<CheckAnswer>& answers,
                               const Placement& placement, const policy::Policy& policy,
                               const std::vector<std::string>& service_account_sources) const {
  Judged judged;
  for (const auto& [planned, index] : batch.uses) {
    const ParsedImage& p = plan.parsed[planned.parsed];
    const ImageUse& use = *planned.use;
    size_t target = index;
    std::string via_cache;
    // Missing from a proxy cache that fills on first pull: the upstream's answer is the verdict.
    if (batch.upstream[index] && answers[index].result && answers[index].result->outcome == registry::Outcome::kNotFound) {
      target = *batch.upstream[index];
      via_cache = "not in the proxy cache " + batch.targets[index].registry + " yet (it fills from " +
                  batch.targets[target].registry + " on first pull); ";
    }
    const CheckAnswer& answer = answers[target];
    const auth::NodeCredentialAnswer& node = batch.node[target];
    std::optional<Finding> f =
        answer.result ? RegistryFinding(use, p.normalized, batch.targets[target], *answer.result)
                      : TimedOutFinding(use, p.normalized, batch.targets[target].registry, answer.why);
    if (answer.result) {
      // An expired ECR token in a pull secret is said first, so that it stays in the words when
      // the node's credentials make the refusal a warning.
      if (f && f->reason == Reason::kAuthFailed) AddExpiredTokens(*f, batch.targets[target], *answer.result);
      if (f && NeedsNodeCredentials(*answer.result, node)) f = NodeCredentialsUnverifiedFinding(*f, node);
      CountCredentialSource(CredentialSourceOf(*answer.result, f ? &*f : nullptr, service_account_sources));
    }
    if (!f) continue;
    if (!via_cache.empty()) f->detail = via_cache + f->detail;
    bool pulled = true;
    if (PullPolicyOf(use.pull_policy, p.image) == PullPolicy::kIfNotPresent) {
      NodeHolding holding = HoldingOf(use.image, p.normalized, placement, policy);
      if (holding.OnSomeNode()) SoftenForHolders(*f, holding);
      pulled = !holding.OnEveryNode();
    }
    judged.every_pull_works = judged.every_pull_works && !pulled;
    const bool at_most_warn = f->at_most_warn;
    judged.findings.push_back(std::move(*f));
    // KEP-4412: a provider the kubelet skips for this pod's ServiceAccount, said when the pull
    // is not verified otherwise (one that works with the pod's secrets or anonymously works on
    // the node too). For the image as the pod names it, not a proxy cache's upstream.
    for (const auto& provider : batch.token_providers[index]) {
      std::optional<Finding> skipped = TokenProviderFinding(use, p.normalized, provider, batch.service_account);
      if (!skipped) continue;
      if (skipped->reason == Reason::kServiceAccountMissing && batch.service_account_reported) continue;
      skipped->at_most_warn = skipped->at_most_warn || at_most_warn;
      judged.findings.push_back(std::move(*skipped));
    }
  }
  return judged;
}

PodReport Checker::CheckPod(const PodToCheck& pod, const policy::Policy& policy) const {
  Placement daemon_set;
  const Placement& placement = PlacementOf(pod, &daemon_set);
  const bool probing = registry_checks_ != nullptr && policy.check_registries;
  // 1. What the pod pulls, and what its syntax and the policy's rules say (no I/O).
  PullPlan plan = PlanPulls(pod, policy, probing);
  PodReport report;
  report.images = plan.images;
  report.findings = std::move(plan.findings);
  // 2. Images never pulled: only the nodes matter.
  AddNeverPulledFindings(plan, placement, policy, report.findings);
  // Credentials matter only for what is pulled.
  if (!probing || plan.to_probe.empty()) return report;
  // 3. The credentials the kubelet would pull with, and what keeps secrets from giving any.
  auth::PodCredentials creds = ResolveCredentials(pod, plan, policy);
  // 4. One probe per distinct image, all at once, under the caller's deadline, with the node's
  // credentials for this pod's ServiceAccount.
  // The node-credential settings once per pod, not once per image.
  const auth::NodeCredentialSettings node_settings = NodeSettingsFor(policy);
  ProbeBatch batch = BuildTargets(plan, creds, placement, policy, node_settings, pod.deadline,
                                  ServiceAccountOf(pod, plan, policy, node_settings));
  for (const auto& fact : creds.facts) {
    batch.service_account_reported = batch.service_account_reported ||
                                     fact.problem == auth::CredentialProblem::kServiceAccountMissing ||
                                     fact.problem == auth::CredentialProblem::kServiceAccountUnreadable;
  }
  std::vector<CheckAnswer> answers = registry_checks_->Run(batch.targets, policy, pod.deadline, pod.tenant, nullptr, pod.ns);
  // 5. The answers in words, as the node would meet them (images it holds are not pulled).
  Judged judged = Judge(plan, batch, answers, placement, policy, creds.service_account_sources);
  // 6. A missing or unusable secret only warns when every pull works without it.
  const bool every_pull_works = !plan.unchecked_pulls && !batch.over_limit && judged.every_pull_works;
  std::vector<Finding> findings;
  for (const auto& fact : creds.facts) {
    Finding f = CredentialFinding(fact);
    findings.push_back(every_pull_works ? SoftenedForWorkingPulls(std::move(f)) : std::move(f));
  }
  findings.insert(findings.end(), std::make_move_iterator(report.findings.begin()),
                  std::make_move_iterator(report.findings.end()));
  findings.insert(findings.end(), std::make_move_iterator(batch.findings.begin()),
                  std::make_move_iterator(batch.findings.end()));
  findings.insert(findings.end(), std::make_move_iterator(judged.findings.begin()),
                  std::make_move_iterator(judged.findings.end()));
  report.findings = std::move(findings);
  return report;
}

}  // namespace pullguard::checker
