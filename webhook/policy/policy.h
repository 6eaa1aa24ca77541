// Policy: what pullguard checks and what it does with each finding. Loaded from YAML
// (policy_yaml.h); every field has its documented default here.
// Thread-safety: immutable once built; share as std::shared_ptr<const Policy>.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/finding.h"
#include "common/platform.h"
#include "common/proxy.h"
#include "common/reason.h"

namespace pullguard::policy {

// A rule on images that may be pulled fine but that the cluster's owners do not want.
struct ImageRules {
  // Registry hosts allowed (globs over the normalized host, e.g. "*.example.com",
  // "docker.io"). Empty: every registry is allowed.
  std::vector<std::string> allowed_registries;
  Action registry_not_allowed = Action::kDeny;
  // Images that pull ":latest", explicitly or by having no tag: a warning (the tag moves).
  Action latest_tag = Action::kWarn;
  // Images without a digest. Default: allowed.
  Action missing_digest = Action::kIgnore;

  bool operator==(const ImageRules&) const = default;
};

// How to reach one registry (or every registry matching `host`).
struct RegistrySettings {
  std::string host;             // glob over the registry as images name it: "ghcr.io", "127.0.0.1:*"
  std::string ca_file;          // PEM bundle to trust for it instead of the system roots
  bool insecure = false;        // plain HTTP
  std::string mirror;           // host[:port] to ask instead
  bool allow_private_address = false;  // may resolve to loopback/private/link-local addresses

  bool operator==(const RegistrySettings&) const = default;
};

// The node's own credentials: the kubelet's credential provider plugins (KEP-2133).
struct NodeProvider {
  std::string name;                       // the plugin, as nodes run it
  std::vector<std::string> match_images;  // the kubelet's matchImages globs

  bool operator==(const NodeProvider&) const = default;
};

struct NodeCredentialSettings {
  // The kubelet's CredentialProviderConfig (its --image-credential-provider-config) and the
  // folder of its plugins (--image-credential-provider-bin-dir): pullguard runs them as the
  // kubelet does, to pull with the node's credentials. "" : none.
  std::string provider_config;
  std::string provider_bin_dir;
  // The clouds' standard matchImages (ECR, GCR and Artifact Registry, ACR) count as pulled
  // with node credentials: without a working plugin, a refusal there warns
  // (NodeCredentialsUnverified) instead of denying.
  bool presets = true;
  std::vector<NodeProvider> providers;  // plugins nodes run that pullguard does not know
  // KEP-4412: run a provider with tokenAttributes as the kubelet does, with a token of the pod's
  // ServiceAccount for its audience, which `serve` asks the TokenRequest API for (RBAC: the
  // component manifests/components/serviceaccount-tokens). Off: such images stay
  // NodeCredentialsUnverified.
  bool service_account_tokens = false;

  bool operator==(const NodeCredentialSettings&) const = default;
};

// A proxy cache that fills on first pull (ECR pull-through, Harbor proxy projects, Artifactory
// remotes): an image under `prefix` missing there is asked of `upstream`, as the cache would.
struct ProxyCache {
  std::string prefix;    // registry host glob and path: "*.dkr.ecr.*.amazonaws.com/docker-hub"
  std::string upstream;  // the registry it fills from: "docker.io"

  bool operator==(const ProxyCache&) const = default;
};

struct CacheSettings {
  std::chrono::seconds positive_ttl{300};    // "exists" answers
  std::chrono::seconds negative_ttl{30};     // "does not exist", "denied", ...
  std::chrono::seconds stale_if_error{3600}; // an old "exists" stands in when the registry fails
  size_t max_entries = 10000;

  bool operator==(const CacheSettings&) const = default;
};

struct Timeouts {
  std::chrono::milliseconds connect{3000};
  // How long a review (or a `check` of one object) waits for its registry answers, whatever
  // the API server's ?timeout= allows (timeouts.checkMillis).
  std::chrono::milliseconds wait{9000};
  // How long one registry probe may run, from when it starts (timeouts.probeMillis). It may
  // outlive the review that started it: its late answer fills the cache for the next one.
  std::chrono::milliseconds probe{15000};
  // Answer this much before the API server's deadline.
  std::chrono::milliseconds margin{500};

  bool operator==(const Timeouts&) const = default;
};

// `pullguard audit` (its own Deployment): how often it re-checks what runs, how fast it may
// ask registries, how many per-workload series it exports, and how long before a CronJob's run
// it re-checks it between cycles (policy `audit:`).
struct AuditSettings {
  std::chrono::seconds interval{600};  // from one cycle's end to the next one's start
  // Registry checks (one image with one set of credentials: a manifest HEAD, plus a token or
  // index GET when needed) started per second, over every registry together.
  size_t checks_per_second = 10;
  // pullguard_audit_image_available series at most; the rest are dropped and counted.
  size_t max_series = 10000;
  // A CronJob whose next run comes before the next cycle is re-checked this long before it, in
  // a pass over such CronJobs only (audit/cron_pass.h); 0: CronJobs are checked in cycles only.
  std::chrono::seconds cron_lead{60};

  bool operator==(const AuditSettings&) const = default;
};

// Every field's default is written here, once: a Policy{} is the built-in policy, an empty
// policy file parses to it, and policies/default.yaml spells it out (a test holds them equal).
struct Policy {
  // Action per reason code: every reason's DefaultAction() (the reasons table), which a
  // policy file's `actions` overrides.
  std::map<Reason, Action> actions = DefaultActions();
  // Namespaces whose workloads are not checked at all (globs, e.g. "kube-*").
  std::vector<std::string> exempt_namespaces{"kube-system"};
  // Images not checked (globs over the image as written and its normalized form; "**" crosses
  // '/', e.g. "registry.example.com/sandbox/**").
  std::vector<std::string> exempt_images;
  ImageRules rules;

  // Registry checks (existence, credentials, platforms). Off: syntax and rules only.
  bool check_registries = true;
  std::vector<RegistrySettings> registries;
  // containerd's registry host folder as the nodes have it (their config_path, e.g.
  // /etc/containerd/certs.d, mounted from a ConfigMap): a registry with a folder there is
  // reached through its hosts.toml (mirrors in order, then the registry), not `registries`.
  std::string hosts_dir;
  // Images the cluster's owners keep on every node (globs like exempt_images): with
  // imagePullPolicy IfNotPresent or Never, the kubelet does not pull them.
  std::vector<std::string> prepulled;
  // Platforms every image must offer (os/arch[/variant]). A pod's nodeSelector on
  // kubernetes.io/os and kubernetes.io/arch narrows them. Empty: no platform check.
  std::vector<Platform> platforms{{"linux", "amd64", ""}};
  // Take the required platforms from the cluster's nodes (their kubernetes.io/os and
  // kubernetes.io/arch labels) when the Kubernetes API is reachable; `platforms` otherwise.
  bool platforms_from_nodes = true;
  CacheSettings cache;
  Timeouts timeouts;
  size_t per_registry_concurrency = 16;
  // Distinct images of one object checked at registries; the rest get a finding that says
  // so. No pod has this many; a review that does is trying to crowd out the others.
  size_t max_checks_per_object = 100;
  // A node-level docker config (the kubelet's config.json), used after the pod's secrets.
  std::string node_docker_config;
  NodeCredentialSettings node_credentials;
  std::vector<ProxyCache> proxy_caches;
  // How pullguard reaches registries (`proxy:`): set, it stands instead of the process's
  // HTTPS_PROXY, HTTP_PROXY and NO_PROXY (an empty `proxy: {}` means no proxy whatever the
  // environment says); unset, the environment's are used, as the nodes' containerd uses its own.
  std::optional<ProxySettings> proxy;
  AuditSettings audit;

  bool operator==(const Policy&) const = default;

  // The actions of the reasons table.
  static std::map<Reason, Action> DefaultActions();

  // The settings for a registry: the first entry whose host glob matches, or defaults.
  RegistrySettings SettingsFor(const std::string& registry) const;

  Action ActionFor(Reason reason) const;
  bool IsNamespaceExempt(const std::string& ns) const;
  bool IsImageExempt(const std::string& written, const std::string& normalized) const;
  bool IsPrepulled(const std::string& written, const std::string& normalized) const;
  bool IsRegistryAllowed(const std::string& registry) const;
};

// The decision for one object: what denies it and what only warns.
struct Verdict {
  std::vector<Finding> denials;
  std::vector<Finding> warnings;
  bool allowed() const { return denials.empty(); }
};

// Sets each finding's action from the policy, unless the rule that made it fixed one
// (Finding::action_fixed), never denies a finding marked at_most_warn, and sorts them into a
// Verdict. Ignored findings are dropped.
Verdict Decide(std::vector<Finding> findings, const Policy& policy);

}  // namespace pullguard::policy
