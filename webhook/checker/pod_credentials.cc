#include "checker/pod_credentials.h"

#include <mutex>
#include <unordered_map>

namespace pullguard::checker {
namespace {

Finding SecretFinding(const PullSecretRef& ref, Reason reason, std::string detail, std::string fix) {
  Finding f;
  f.path = ref.path;
  f.image = ref.name;
  f.reason = reason;
  f.detail = std::move(detail);
  f.fix = std::move(fix);
  return f;
}

// Parsed docker configs by the secret's bytes: a burst of pods names the same few secrets,
// and parsing their JSON on every request was a quarter of a warm request's cost.
class ConfigMemo {
 public:
  Result<auth::DockerConfig> Get(const auth::PullSecret& secret) {
    std::string key = secret.type + '\n';
    for (const auto& [k, v] : secret.data) key += k + '\n' + v + '\n';
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    }
    Result<auth::DockerConfig> parsed = auth::SecretDockerConfig(secret);
    std::lock_guard<std::mutex> lock(mutex_);
    if (memo_.size() >= 1024) memo_.clear();
    memo_.emplace(key, parsed);
    return parsed;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, Result<auth::DockerConfig>> memo_;
};

ConfigMemo& Memo() {
  static ConfigMemo memo;
  return memo;
}

}  // namespace

PodCredentials ResolvePodCredentials(const std::string& ns, const std::vector<PullSecretRef>& refs,
                                     const std::vector<std::string>& registries, auth::SecretSource* secrets,
                                     const auth::Keyring& node) {
  PodCredentials out;
  out.credentials.node = node;
  for (const auto& ref : refs) {
    std::string where = ns.empty() ? ref.name : ns + "/" + ref.name;
    if (secrets == nullptr) continue;  // no way to look secrets up (offline CLI): say nothing
    auto got = secrets->Get(ns, ref.name);
    if (!got.ok()) {
      out.findings.push_back(SecretFinding(ref, Reason::kPullSecretInvalid,
                                           "secret " + where + " could not be read: " + got.status().message(),
                                           "check pullguard's access to secrets in " + ns));
      continue;
    }
    if (!got.value()) {
      out.findings.push_back(SecretFinding(ref, Reason::kPullSecretMissing, "secret " + where + " does not exist",
                                           "create it (kubectl create secret docker-registry " + ref.name +
                                               " -n " + ns + " ...) or fix the name"));
      continue;
    }
    const auth::PullSecret& secret = **got;
    // The kubelet skips secrets of other types or without their key; one that does not parse
    // fails the pull. Either way it gives no credentials, and the user should know.
    std::optional<std::string> problem;
    auth::DockerConfig config;
    if (secret.type != auth::kDockerConfigJsonType && secret.type != auth::kDockercfgType) {
      problem = auth::SecretProblem(secret);
    } else {
      auto parsed = Memo().Get(secret);
      if (!parsed.ok()) {
        problem = auth::SecretProblem(secret);
      } else {
        config = std::move(parsed).value();
      }
    }
    if (problem) {
      out.findings.push_back(SecretFinding(ref, Reason::kPullSecretInvalid, "secret " + where + ": " + *problem,
                                           "recreate it with kubectl create secret docker-registry"));
      continue;
    }
    auth::Keyring one;
    one.Add(config, secret.Source());
    bool covers_any = false;
    for (const auto& registry : registries) covers_any |= !one.Lookup(registry + "/x").empty();
    if (!covers_any && !registries.empty()) {
      std::string used;
      for (const auto& r : registries) used += (used.empty() ? "" : ", ") + r;
      out.findings.push_back(SecretFinding(ref, Reason::kPullSecretInvalid,
                                           "secret " + where + " has no entry for any registry this pod uses (" + used + ")",
                                           "add an entry for the registry, or drop the secret from the pod"));
    }
    out.credentials.secrets.Add(config, secret.Source());
  }
  return out;
}

}  // namespace pullguard::checker
