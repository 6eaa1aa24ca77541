#include "checker/pod_credentials.h"

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

}  // namespace

PodCredentials ResolvePodCredentials(const std::string& ns, const std::vector<PullSecretRef>& refs,
                                     const std::vector<std::string>& registries, auth::SecretSource* secrets,
                                     const auth::Keyring& node) {
  PodCredentials out;
  out.credentials.node = node;
  std::vector<auth::PullSecret> usable;
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
    if (auto problem = auth::SecretProblem(secret)) {
      out.findings.push_back(SecretFinding(ref, Reason::kPullSecretInvalid, "secret " + where + ": " + *problem,
                                           "recreate it with kubectl create secret docker-registry"));
      continue;
    }
    auth::Keyring one;
    one.Add(auth::SecretDockerConfig(secret).value(), secret.Source());
    bool covers_any = false;
    for (const auto& registry : registries) covers_any |= !one.Lookup(registry + "/x").empty();
    if (!covers_any && !registries.empty()) {
      std::string used;
      for (const auto& r : registries) used += (used.empty() ? "" : ", ") + r;
      out.findings.push_back(SecretFinding(ref, Reason::kPullSecretInvalid,
                                           "secret " + where + " has no entry for any registry this pod uses (" + used + ")",
                                           "add an entry for the registry, or drop the secret from the pod"));
    }
    usable.push_back(secret);
  }
  auto keyring = auth::KeyringFromPullSecrets(usable);
  if (keyring.ok()) out.credentials.secrets = std::move(keyring).value();
  return out;
}

}  // namespace pullguard::checker
