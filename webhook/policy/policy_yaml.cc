#include "policy/policy_yaml.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "checker/suggestions.h"  // DidYouMean: inline, header only (no link to the checker)
#include "common/file_watch.h"
#include "common/glob.h"

namespace pullguard::policy {
namespace {

constexpr std::string_view kApiVersion = "pullguard.io/v1";

// Collects errors with positions as the document is walked.
class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  void Error(const YAML::Node& at, const std::string& field, const std::string& message) {
    const YAML::Mark mark = at.Mark();
    std::string where = source_;
    if (mark.line >= 0) where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    errors_.push_back(where + ": " + field + ": " + message);
  }

  // REQUIRES: node is a map. Reports keys given twice: YAML parsers keep one of them
  // silently (a second `registries:` would erase the first, a second `TagNotFound:` under
  // actions would change its action).
  void CheckDuplicates(const YAML::Node& node, const std::string& field) {
    std::set<std::string> seen;
    for (const auto& entry : node) {
      std::string key = entry.first.Scalar();
      if (!seen.insert(key).second) Error(entry.first, Join(field, key), "given twice; keep one");
    }
  }

  // REQUIRES: node is a map. Reports keys outside `known` (with the known field a key is most
  // likely a typo of), and keys given twice.
  void CheckKeys(const YAML::Node& node, const std::string& field, const std::set<std::string>& known) {
    CheckDuplicates(node, field);
    for (const auto& entry : node) {
      std::string key = entry.first.Scalar();
      if (known.count(key) == 0) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        std::string meant = checker::DidYouMean(key, std::vector<std::string>(known.begin(), known.end()));
        Error(entry.first, Join(field, key),
              "unknown field (known: " + list + ")" + (meant.empty() ? "" : "; did you mean " + meant + "?"));
      }
    }
  }

  bool ExpectMap(const YAML::Node& node, const std::string& field) {
    if (node.IsMap()) return true;
    Error(node, field, "must be a mapping");
    return false;
  }

  std::optional<Action> ReadAction(const YAML::Node& node, const std::string& field) {
    if (!node.IsScalar()) {
      Error(node, field, "must be deny, warn or ignore");
      return std::nullopt;
    }
    auto action = ParseAction(node.Scalar());
    if (!action) Error(node, field, "unknown action \"" + node.Scalar() + "\" (use deny, warn or ignore)");
    return action;
  }

  std::vector<std::string> ReadGlobs(const YAML::Node& node, const std::string& field) {
    std::vector<std::string> out;
    if (!node.IsSequence()) {
      Error(node, field, "must be a list of patterns");
      return out;
    }
    for (size_t i = 0; i < node.size(); ++i) {
      const YAML::Node item = node[i];
      std::string item_field = field + "[" + std::to_string(i) + "]";
      if (!item.IsScalar() || item.Scalar().empty()) {
        Error(item, item_field, "must be a non-empty string");
        continue;
      }
      Status valid = ValidateGlob(item.Scalar());
      if (!valid.ok()) {
        Error(item, item_field, valid.message());
        continue;
      }
      out.push_back(item.Scalar());
    }
    return out;
  }

  static std::string Join(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : parent + "." + key;
  }

  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::string source_;
  std::vector<std::string> errors_;
};

// A registry glob (rules.allowedRegistries.registries, registries[].host) or host
// (registries[].mirror) is matched against the registry as images name it: a host and an
// optional port. A scheme or a path never matches ("https://ghcr.io" would deny every ghcr.io
// image): the error, with what to write, or "".
std::string RegistryHostProblem(const std::string& value) {
  std::string host = value;
  std::string what;
  if (size_t scheme = host.find("://"); scheme != std::string::npos) {
    host = host.substr(scheme + 3);
    what = "has a URL scheme";
  }
  if (size_t slash = host.find('/'); slash != std::string::npos) {
    host = host.substr(0, slash);
    what += std::string(what.empty() ? "has" : " and") + " a path";
  }
  if (what.empty()) return "";
  return "\"" + value + "\" " + what + ", but it is matched against the registry host (and :port) only; " +
         (host.empty() ? std::string("write the host, e.g. ghcr.io") : "write " + host);
}

void CheckRegistryHost(Reader& r, const YAML::Node& node, const std::string& field) {
  if (!node.IsScalar()) return;  // reported by the reader of the field
  if (std::string problem = RegistryHostProblem(node.Scalar()); !problem.empty()) r.Error(node, field, problem);
}

// Every reason code's name but PolicyViolation's (set per rule), for "did you mean".
std::vector<std::string> ActionReasonNames() {
  std::vector<std::string> names;
  for (Reason reason : AllReasons()) {
    if (reason != Reason::kPolicyViolation) names.emplace_back(ReasonName(reason));
  }
  return names;
}

void ReadActions(Reader& r, const YAML::Node& node, Policy& policy) {
  if (!r.ExpectMap(node, "actions")) return;
  r.CheckDuplicates(node, "actions");
  for (const auto& entry : node) {
    std::string name = entry.first.Scalar();
    auto reason = ParseReason(name);
    if (!reason) {
      std::string meant = checker::DidYouMean(name, ActionReasonNames());
      r.Error(entry.first, "actions." + name,
              "unknown reason code (see docs/reasons.md)" + (meant.empty() ? "" : "; did you mean " + meant + "?"));
      continue;
    }
    if (*reason == Reason::kPolicyViolation) {
      r.Error(entry.first, "actions." + name, "set per rule instead (rules.allowedRegistries.action, "
                                              "rules.latestTag.action, rules.requireDigest.action)");
      continue;
    }
    if (auto action = r.ReadAction(entry.second, "actions." + name)) policy.actions[*reason] = *action;
  }
}

void ReadExemptions(Reader& r, const YAML::Node& node, Policy& policy) {
  if (!r.ExpectMap(node, "exemptions")) return;
  r.CheckKeys(node, "exemptions", {"namespaces", "images"});
  if (node["namespaces"]) policy.exempt_namespaces = r.ReadGlobs(node["namespaces"], "exemptions.namespaces");
  if (node["images"]) policy.exempt_images = r.ReadGlobs(node["images"], "exemptions.images");
}

void ReadRules(Reader& r, const YAML::Node& node, Policy& policy) {
  if (!r.ExpectMap(node, "rules")) return;
  r.CheckKeys(node, "rules", {"allowedRegistries", "latestTag", "requireDigest"});
  if (const YAML::Node allowed = node["allowedRegistries"]) {
    if (r.ExpectMap(allowed, "rules.allowedRegistries")) {
      r.CheckKeys(allowed, "rules.allowedRegistries", {"registries", "action"});
      if (const YAML::Node registries = allowed["registries"]) {
        policy.rules.allowed_registries = r.ReadGlobs(registries, "rules.allowedRegistries.registries");
        for (size_t i = 0; registries.IsSequence() && i < registries.size(); ++i) {
          CheckRegistryHost(r, registries[i], "rules.allowedRegistries.registries[" + std::to_string(i) + "]");
        }
      }
      if (allowed["action"]) {
        if (auto a = r.ReadAction(allowed["action"], "rules.allowedRegistries.action")) {
          policy.rules.registry_not_allowed = *a;
        }
      }
    }
  }
  for (const auto& [key, target] : {std::pair<const char*, Action*>{"latestTag", &policy.rules.latest_tag},
                                    std::pair<const char*, Action*>{"requireDigest", &policy.rules.missing_digest}}) {
    const YAML::Node rule = node[key];
    if (!rule) continue;
    std::string field = std::string("rules.") + key;
    if (!r.ExpectMap(rule, field)) continue;
    r.CheckKeys(rule, field, {"action"});
    if (rule["action"]) {
      if (auto a = r.ReadAction(rule["action"], field + ".action")) *target = *a;
    }
  }
}

std::optional<bool> ReadBool(Reader& r, const YAML::Node& node, const std::string& field) {
  if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false")) return node.Scalar() == "true";
  r.Error(node, field, "must be true or false");
  return std::nullopt;
}

std::optional<long long> ReadCount(Reader& r, const YAML::Node& node, const std::string& field, long long min,
                                   long long max) {
  if (node.IsScalar()) {
    try {
      size_t used = 0;
      long long v = std::stoll(node.Scalar(), &used);
      if (used == node.Scalar().size() && v >= min && v <= max) return v;
    } catch (const std::exception&) {
    }
  }
  r.Error(node, field, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  return std::nullopt;
}

std::string ReadString(Reader& r, const YAML::Node& node, const std::string& field) {
  if (node.IsScalar()) return node.Scalar();
  r.Error(node, field, "must be a string");
  return "";
}

void ReadRegistries(Reader& r, const YAML::Node& node, Policy& policy) {
  if (!node.IsSequence()) {
    r.Error(node, "registries", "must be a list");
    return;
  }
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    std::string field = "registries[" + std::to_string(i) + "]";
    if (!r.ExpectMap(item, field)) continue;
    r.CheckKeys(item, field, {"host", "caFile", "insecure", "mirror", "allowPrivateAddress"});
    RegistrySettings s;
    if (!item["host"]) {
      r.Error(item, field + ".host", "is required");
      continue;
    }
    s.host = ReadString(r, item["host"], field + ".host");
    if (Status valid = ValidateGlob(s.host); !valid.ok()) r.Error(item["host"], field + ".host", valid.message());
    CheckRegistryHost(r, item["host"], field + ".host");
    if (item["caFile"]) s.ca_file = ReadString(r, item["caFile"], field + ".caFile");
    if (item["mirror"]) {
      s.mirror = ReadString(r, item["mirror"], field + ".mirror");
      CheckRegistryHost(r, item["mirror"], field + ".mirror");
    }
    if (item["insecure"]) s.insecure = ReadBool(r, item["insecure"], field + ".insecure").value_or(false);
    if (item["allowPrivateAddress"]) {
      s.allow_private_address = ReadBool(r, item["allowPrivateAddress"], field + ".allowPrivateAddress").value_or(false);
    }
    policy.registries.push_back(s);
  }
}

void ReadNodeCredentials(Reader& r, const YAML::Node& node, Policy& policy) {
  if (!r.ExpectMap(node, "nodeCredentials")) return;
  r.CheckKeys(node, "nodeCredentials", {"providerConfig", "providerBinDir", "presets", "providers", "serviceAccountTokens"});
  NodeCredentialSettings& s = policy.node_credentials;
  auto absolute_path = [&](const char* key) {
    std::string value = ReadString(r, node[key], std::string("nodeCredentials.") + key);
    if (!value.empty() && value[0] != '/') r.Error(node[key], std::string("nodeCredentials.") + key, "must be an absolute path");
    return value;
  };
  if (node["providerConfig"]) s.provider_config = absolute_path("providerConfig");
  if (node["providerBinDir"]) s.provider_bin_dir = absolute_path("providerBinDir");
  if (!s.provider_config.empty() && s.provider_bin_dir.empty()) {
    r.Error(node, "nodeCredentials.providerBinDir", "is required with providerConfig (the plugins' folder)");
  }
  if (node["presets"]) s.presets = ReadBool(r, node["presets"], "nodeCredentials.presets").value_or(true);
  if (node["serviceAccountTokens"]) {
    s.service_account_tokens =
        ReadBool(r, node["serviceAccountTokens"], "nodeCredentials.serviceAccountTokens").value_or(s.service_account_tokens);
  }
  if (const YAML::Node list = node["providers"]) {
    if (!list.IsSequence()) {
      r.Error(list, "nodeCredentials.providers", "must be a list of {name, matchImages}");
      return;
    }
    for (size_t i = 0; i < list.size(); ++i) {
      std::string field = "nodeCredentials.providers[" + std::to_string(i) + "]";
      if (!r.ExpectMap(list[i], field)) continue;
      r.CheckKeys(list[i], field, {"name", "matchImages"});
      NodeProvider p;
      if (list[i]["name"]) p.name = ReadString(r, list[i]["name"], field + ".name");
      if (p.name.empty()) r.Error(list[i], field + ".name", "is required (the plugin nodes run)");
      if (list[i]["matchImages"]) p.match_images = r.ReadGlobs(list[i]["matchImages"], field + ".matchImages");
      if (p.match_images.empty()) r.Error(list[i], field + ".matchImages", "is required, e.g. [\"*.registry.example.com\"]");
      s.providers.push_back(std::move(p));
    }
  }
}

void ReadProxyCaches(Reader& r, const YAML::Node& node, Policy& policy) {
  if (!node.IsSequence()) {
    r.Error(node, "proxyCaches", "must be a list of {prefix, upstream}");
    return;
  }
  for (size_t i = 0; i < node.size(); ++i) {
    std::string field = "proxyCaches[" + std::to_string(i) + "]";
    if (!r.ExpectMap(node[i], field)) continue;
    r.CheckKeys(node[i], field, {"prefix", "upstream"});
    ProxyCache c;
    if (node[i]["prefix"]) c.prefix = ReadString(r, node[i]["prefix"], field + ".prefix");
    if (node[i]["upstream"]) c.upstream = ReadString(r, node[i]["upstream"], field + ".upstream");
    if (c.prefix.empty() || c.prefix.find('/') == std::string::npos) {
      r.Error(node[i], field + ".prefix", "must be a registry host and a path, e.g. \"*.dkr.ecr.*.amazonaws.com/docker-hub\"");
    }
    if (c.upstream.empty() || c.upstream.find("://") != std::string::npos || c.upstream.find('/') != std::string::npos) {
      r.Error(node[i], field + ".upstream", "must be a registry host such as docker.io (no scheme, no path)");
    }
    policy.proxy_caches.push_back(std::move(c));
  }
}

// `proxy: {httpsProxy, httpProxy, noProxy}`: what HTTPS_PROXY, HTTP_PROXY and NO_PROXY would
// say, for the webhook's Deployment. noProxy is Go's comma-separated list, or a YAML list.
void ReadProxy(Reader& r, const YAML::Node& node, Policy& policy) {
  if (!r.ExpectMap(node, "proxy")) return;
  r.CheckKeys(node, "proxy", {"httpsProxy", "httpProxy", "noProxy"});
  ProxySettings s;
  if (node["httpsProxy"]) s.https_proxy = ReadString(r, node["httpsProxy"], "proxy.httpsProxy");
  if (node["httpProxy"]) s.http_proxy = ReadString(r, node["httpProxy"], "proxy.httpProxy");
  if (const YAML::Node no_proxy = node["noProxy"]) {
    if (no_proxy.IsSequence()) {
      for (size_t i = 0; i < no_proxy.size(); ++i) {
        std::string entry = ReadString(r, no_proxy[i], "proxy.noProxy[" + std::to_string(i) + "]");
        if (entry.find(',') != std::string::npos) {
          r.Error(no_proxy[i], "proxy.noProxy[" + std::to_string(i) + "]", "one entry per list item (no commas)");
        }
        s.no_proxy += (s.no_proxy.empty() ? "" : ",") + entry;
      }
    } else {
      s.no_proxy = ReadString(r, no_proxy, "proxy.noProxy");
    }
  }
  for (const auto& problem : ProxySettingsProblems(s, "proxy.httpsProxy", "proxy.httpProxy", "proxy.noProxy")) {
    std::string field = problem.substr(0, problem.find(':'));
    std::string key = field.substr(field.find('.') + 1);
    r.Error(node[key] ? node[key] : node, field, problem.substr(problem.find(':') + 2));
  }
  policy.proxy = s;
}

void ReadRegistrySettings(Reader& r, const YAML::Node& root, Policy& policy) {
  if (root["proxy"]) ReadProxy(r, root["proxy"], policy);
  if (root["nodeCredentials"]) ReadNodeCredentials(r, root["nodeCredentials"], policy);
  if (root["proxyCaches"]) ReadProxyCaches(r, root["proxyCaches"], policy);
  if (root["checkRegistries"]) policy.check_registries = ReadBool(r, root["checkRegistries"], "checkRegistries").value_or(true);
  if (root["registries"]) ReadRegistries(r, root["registries"], policy);
  if (root["hostsDir"]) {
    policy.hosts_dir = ReadString(r, root["hostsDir"], "hostsDir");
    if (!policy.hosts_dir.empty() && policy.hosts_dir[0] != '/') {
      r.Error(root["hostsDir"], "hostsDir", "must be an absolute path (the folder mounted from the nodes' certs.d)");
    }
  }
  if (root["prepulled"]) policy.prepulled = r.ReadGlobs(root["prepulled"], "prepulled");
  if (root["platformsFromNodes"]) {
    policy.platforms_from_nodes = ReadBool(r, root["platformsFromNodes"], "platformsFromNodes").value_or(false);
  }
  if (root["nodeDockerConfig"]) policy.node_docker_config = ReadString(r, root["nodeDockerConfig"], "nodeDockerConfig");
  if (const YAML::Node platforms = root["platforms"]) {
    policy.platforms.clear();
    if (!platforms.IsSequence()) r.Error(platforms, "platforms", "must be a list such as [linux/amd64, linux/arm64]");
    for (size_t i = 0; platforms.IsSequence() && i < platforms.size(); ++i) {
      const YAML::Node p = platforms[i];
      std::string text = p.IsScalar() ? p.Scalar() : "";
      auto parsed = Platform::Parse(text);
      if (!parsed) {
        r.Error(p, "platforms[" + std::to_string(i) + "]", "must be os/arch or os/arch/variant, e.g. linux/arm64");
        continue;
      }
      policy.platforms.push_back(*parsed);
    }
  }
  if (const YAML::Node cache = root["cache"]) {
    if (r.ExpectMap(cache, "cache")) {
      r.CheckKeys(cache, "cache", {"positiveTTLSeconds", "negativeTTLSeconds", "staleIfErrorSeconds", "maxEntries"});
      if (cache["positiveTTLSeconds"]) {
        if (auto v = ReadCount(r, cache["positiveTTLSeconds"], "cache.positiveTTLSeconds", 0, 86400)) policy.cache.positive_ttl = std::chrono::seconds(*v);
      }
      if (cache["negativeTTLSeconds"]) {
        if (auto v = ReadCount(r, cache["negativeTTLSeconds"], "cache.negativeTTLSeconds", 0, 86400)) policy.cache.negative_ttl = std::chrono::seconds(*v);
      }
      if (cache["staleIfErrorSeconds"]) {
        if (auto v = ReadCount(r, cache["staleIfErrorSeconds"], "cache.staleIfErrorSeconds", 0, 7 * 86400)) policy.cache.stale_if_error = std::chrono::seconds(*v);
      }
      if (cache["maxEntries"]) {
        // Each answer takes about a kilobyte: 200,000 is ~200 MB, near the Deployment's limit.
        if (auto v = ReadCount(r, cache["maxEntries"], "cache.maxEntries", 1, 200000)) policy.cache.max_entries = static_cast<size_t>(*v);
      }
    }
  }
  if (const YAML::Node t = root["timeouts"]) {
    if (r.ExpectMap(t, "timeouts")) {
      r.CheckKeys(t, "timeouts", {"connectMillis", "checkMillis", "probeMillis", "marginMillis"});
      if (t["connectMillis"]) {
        if (auto v = ReadCount(r, t["connectMillis"], "timeouts.connectMillis", 1, 60000)) policy.timeouts.connect = std::chrono::milliseconds(*v);
      }
      if (t["checkMillis"]) {
        if (auto v = ReadCount(r, t["checkMillis"], "timeouts.checkMillis", 1, 30000)) policy.timeouts.wait = std::chrono::milliseconds(*v);
      }
      if (t["probeMillis"]) {
        if (auto v = ReadCount(r, t["probeMillis"], "timeouts.probeMillis", 1, 120000)) policy.timeouts.probe = std::chrono::milliseconds(*v);
      }
      if (t["marginMillis"]) {
        if (auto v = ReadCount(r, t["marginMillis"], "timeouts.marginMillis", 0, 10000)) policy.timeouts.margin = std::chrono::milliseconds(*v);
      }
    }
  }
  if (const YAML::Node l = root["limits"]) {
    if (r.ExpectMap(l, "limits")) {
      r.CheckKeys(l, "limits", {"maxChecksPerObject"});
      if (l["maxChecksPerObject"]) {
        if (auto v = ReadCount(r, l["maxChecksPerObject"], "limits.maxChecksPerObject", 1, 10000)) {
          policy.max_checks_per_object = static_cast<size_t>(*v);
        }
      }
    }
  }
  if (const YAML::Node a = root["audit"]) {
    if (r.ExpectMap(a, "audit")) {
      r.CheckKeys(a, "audit", {"intervalSeconds", "checksPerSecond", "maxSeries", "cronLeadSeconds"});
      if (a["intervalSeconds"]) {
        if (auto v = ReadCount(r, a["intervalSeconds"], "audit.intervalSeconds", 1, 7 * 86400)) {
          policy.audit.interval = std::chrono::seconds(*v);
        }
      }
      if (a["checksPerSecond"]) {
        if (auto v = ReadCount(r, a["checksPerSecond"], "audit.checksPerSecond", 1, 10000)) {
          policy.audit.checks_per_second = static_cast<size_t>(*v);
        }
      }
      if (a["maxSeries"]) {
        // A series is a few hundred bytes in pullguard and in Prometheus.
        if (auto v = ReadCount(r, a["maxSeries"], "audit.maxSeries", 1, 100000)) {
          policy.audit.max_series = static_cast<size_t>(*v);
        }
      }
      if (a["cronLeadSeconds"]) {
        if (auto v = ReadCount(r, a["cronLeadSeconds"], "audit.cronLeadSeconds", 0, 3600)) {
          policy.audit.cron_lead = std::chrono::seconds(*v);
        }
      }
    }
  }
  if (const YAML::Node c = root["concurrency"]) {
    if (r.ExpectMap(c, "concurrency")) {
      r.CheckKeys(c, "concurrency", {"perRegistry"});
      if (c["perRegistry"]) {
        if (auto v = ReadCount(r, c["perRegistry"], "concurrency.perRegistry", 1, 1024)) policy.per_registry_concurrency = static_cast<size_t>(*v);
      }
    }
  }
}

}  // namespace

Result<Policy> ParsePolicy(std::string_view yaml_text, std::string_view source) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    std::string where(source);
    if (e.mark.line >= 0) where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return Status::InvalidArgument(where + ": not valid YAML: " + e.msg);
  }
  Reader r(source);
  Policy policy;
  if (root.IsNull()) {
    // An empty file (or only comments) is the default policy; anything else that yaml-cpp
    // reads as nothing (",a": a ',' outside [ ] or { }) is not valid YAML.
    size_t start = 0;
    int line = 0;
    while (start < yaml_text.size()) {
      size_t end = std::min(yaml_text.find('\n', start), yaml_text.size());
      std::string_view l = yaml_text.substr(start, end - start);
      ++line;
      size_t first = l.find_first_not_of(" \t\r");
      if (first != std::string_view::npos && l[first] != '#' && l.substr(first) != "---" && l.substr(first) != "...") {
        return Status::InvalidArgument(std::string(source) + ":" + std::to_string(line) + ":" + std::to_string(first + 1) +
                                       ": not valid YAML: no policy mapping here (a ',' outside [ ] or { }?)");
      }
      start = end + 1;
    }
    return policy;
  }
  if (!root.IsMap()) return Status::InvalidArgument(std::string(source) + ": the policy must be a YAML mapping");
  try {
    r.CheckKeys(root, "", {"apiVersion", "kind", "actions", "exemptions", "rules", "checkRegistries", "registries",
                           "platforms", "platformsFromNodes", "cache", "timeouts", "concurrency", "nodeDockerConfig",
                           "nodeCredentials", "proxyCaches", "proxy",
                           "limits", "hostsDir", "prepulled", "audit"});
    if (root["apiVersion"] && root["apiVersion"].Scalar() != kApiVersion) {
      r.Error(root["apiVersion"], "apiVersion", "must be " + std::string(kApiVersion));
    }
    if (root["kind"] && root["kind"].Scalar() != "Policy") r.Error(root["kind"], "kind", "must be Policy");
    if (root["actions"]) ReadActions(r, root["actions"], policy);
    if (root["exemptions"]) ReadExemptions(r, root["exemptions"], policy);
    if (root["rules"]) ReadRules(r, root["rules"], policy);
    ReadRegistrySettings(r, root, policy);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string(source) + ": " + e.msg);
  }
  if (!r.errors().empty()) {
    std::string all;
    for (const auto& e : r.errors()) all += (all.empty() ? "" : "\n") + e;
    return Status::InvalidArgument(all);
  }
  return policy;
}

Result<Policy> LoadPolicyFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path, 1 << 20));
  return ParsePolicy(text, path);
}

}  // namespace pullguard::policy
