// Checker: the engine behind the webhook, `kubectl apply --dry-run=server` and `pullguard
// check`. CheckPod takes one pod spec (with its field-path prefix, namespace and
// ServiceAccount) and returns its findings: each image parsed once; syntax, policy rules,
// the pod's credentials (auth::CredentialResolver), then the registry (one probe per distinct
// image, all at once, on the shared scheduler), under the caller's deadline. As the node
// would: an image with imagePullPolicy Never is never asked for, only looked for on the nodes;
// one with IfNotPresent that nodes already hold is never denied for what its registry says.
// Thread-safety: CheckPod() may be called concurrently.
#pragma once

#include <memory>
#include <mutex>
#include <optional>

#include "auth/credential_resolver.h"
#include "auth/node_credentials.h"
#include "auth/node_keyring.h"
#include "checker/node_images.h"
#include "checker/pod.h"
#include "checker/pull_plan.h"
#include "checker/registry_checks.h"
#include "common/nodes.h"
#include "common/proxy.h"
#include "policy/policy.h"
#include "registry/hosts_dir.h"

namespace pullguard::checker {

// What the cluster tells: pull secrets, ServiceAccounts, nodes, and (for `serve`) ServiceAccount
// tokens, asked for only when the policy's nodeCredentials.serviceAccountTokens is on. A null
// source is not consulted.
struct ClusterSources {
  auth::SecretSource* secrets = nullptr;
  auth::ServiceAccountSource* accounts = nullptr;
  NodeSource* nodes = nullptr;
  auth::ServiceAccountTokenSource* tokens = nullptr;
};

class Checker {
 public:
  // Syntax and policy rules only (offline).
  explicit Checker(ClusterSources sources = {});
  // With registry checks through `prober` (not owned; must outlive the checker).
  Checker(registry::Prober& prober, ClusterSources sources, size_t workers = 64);

  PodReport CheckPod(const PodToCheck& pod, const policy::Policy& policy) const;

  // The kubelet's --image-credential-provider-config and --image-credential-provider-bin-dir,
  // given to serve or check: they stand before the policy's nodeCredentials settings.
  // REQUIRES: called before the first CheckPod.
  void SetCredentialProviderFlags(std::string config, std::string bin_dir) {
    provider_config_flag_ = std::move(config);
    provider_bin_dir_flag_ = std::move(bin_dir);
  }

  // The proxy settings of the process's environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, as
  // ProxySettingsFromEnvironment reads them), used for every policy without a `proxy` setting.
  // Without a call: the environment's, read when the checker is made (the commands call it
  // with the settings they validated). REQUIRES: called before the first CheckPod.
  void SetEnvironmentProxy(ProxySettings settings) { environment_proxy_ = std::move(settings); }

  bool checks_registries() const { return registry_checks_ != nullptr; }

 private:
  // The platforms the pod's images must run on: those of the nodes it may land on when the
  // policy takes them from the nodes, else the policy's list narrowed by the placement.
  std::vector<Platform> PlatformsFor(const Placement& placement, const policy::Policy& policy) const;
  // Where the registry is asked: the nodes' hosts.toml when the policy's hostsDir has a folder
  // for it, else the policy's registries entry (its mirror, then the registry itself).
  std::vector<registry::RegistryHost> HostsFor(const std::string& registry, const policy::Policy& policy) const;
  // How registries are reached: the policy's `proxy` when it has one, else the environment's
  // (parsed once per setting).
  std::shared_ptr<const ProxyRules> ProxyRulesFor(const policy::Policy& policy) const;

  // The node list with its image index (built once per list); nullopt when there are no nodes
  // to ask or the list cannot be read.
  struct NodeImages {
    NodeList nodes;
    std::shared_ptr<const NodeImageIndex> index;
  };
  std::optional<NodeImages> ReadNodeImages() const;
  // Which of the nodes the pod may land on hold `normalized` (written as `written`).
  NodeHolding HoldingOf(const std::string& written, const std::string& normalized,
                        const Placement& placement, const policy::Policy& policy) const;

  // The stages of CheckPod, in order (PlanPulls, in pull_plan.h, is the first).
  static const Placement& PlacementOf(const PodToCheck& pod, Placement* daemon_set);
  void AddNeverPulledFindings(const PullPlan& plan, const Placement& placement, const policy::Policy& policy,
                              std::vector<Finding>& findings) const;
  auth::PodCredentials ResolveCredentials(const PodToCheck& pod, const PullPlan& plan, const policy::Policy& policy) const;
  // The policy's node-credential settings, with the kubelet's flags given to serve or check.
  auth::NodeCredentialSettings NodeSettingsFor(const policy::Policy& policy) const;
  // The pod's ServiceAccount ("default" when it names none, as the API server sets), read only
  // when a provider with tokenAttributes (KEP-4412) matches one of the images it pulls.
  auth::PodServiceAccount ServiceAccountOf(const PodToCheck& pod, const PullPlan& plan, const policy::Policy& policy,
                                           const auth::NodeCredentialSettings& settings) const;
  struct ProbeBatch {
    std::vector<registry::ProbeTarget> targets;
    std::vector<auth::NodeCredentialAnswer> node;     // per target: the node's own credentials
    // Per target: the configured providers with tokenAttributes that match it (KEP-4412).
    std::vector<std::vector<auth::CredentialProviderSpec>> token_providers;
    auth::PodServiceAccount service_account;
    bool service_account_reported = false;  // a credential fact already says it is missing or unreadable
    std::vector<std::optional<size_t>> upstream;      // per target: its proxy cache's upstream target
    std::vector<std::pair<PlannedUse, size_t>> uses;  // each use and its target
    std::vector<Finding> findings;                     // images past limits.maxChecksPerObject
    bool over_limit = false;
  };
  ProbeBatch BuildTargets(const PullPlan& plan, const auth::PodCredentials& creds, const Placement& placement,
                          const policy::Policy& policy, const auth::NodeCredentialSettings& settings,
                          std::chrono::steady_clock::time_point deadline, auth::PodServiceAccount service_account) const;
  // A target for `registry`/`repository` at `reference`, with the credentials the kubelet
  // would use for it (the pod's, then the node's, for the pod's ServiceAccount).
  registry::ProbeTarget TargetFor(const std::string& registry, const std::string& repository, const std::string& reference,
                                  bool by_digest, const auth::PodCredentials& creds, const std::vector<Platform>& platforms,
                                  const policy::Policy& policy, const auth::NodeCredentialSettings& settings,
                                  std::chrono::steady_clock::time_point deadline,
                                  const auth::PodServiceAccount& service_account, auth::NodeCredentialAnswer* node) const;
  struct Judged {
    std::vector<Finding> findings;
    bool every_pull_works = true;  // every probed image was found, or is not pulled where it lands
  };
  Judged Judge(const PullPlan& plan, const ProbeBatch& batch, const std::vector<CheckAnswer>& answers,
               const Placement& placement, const policy::Policy& policy,
               const std::vector<std::string>& service_account_sources) const;

  ClusterSources sources_;
  auth::CredentialResolver credentials_;
  mutable auth::NodeKeyring node_keyring_;
  mutable auth::NodeCredentials node_credentials_;
  std::string provider_config_flag_, provider_bin_dir_flag_;
  ProxySettings environment_proxy_ = ProxySettingsFromEnvironment();
  mutable std::mutex proxy_mutex_;
  mutable std::shared_ptr<const ProxyRules> proxy_rules_;  // for the last settings asked
  std::unique_ptr<RegistryChecks> registry_checks_;
  mutable registry::HostsDirectory hosts_dir_;
  mutable std::mutex node_index_mutex_;
  mutable NodeList indexed_nodes_;  // the list node_index_ was built from
  mutable std::shared_ptr<const NodeImageIndex> node_index_;
};

}  // namespace pullguard::checker
