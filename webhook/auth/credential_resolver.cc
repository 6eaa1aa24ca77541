#include "auth/credential_resolver.h"

namespace pullguard::auth {
namespace {

constexpr size_t kMaxMemo = 1024;

Finding Named(const std::string& path, const std::string& name, Reason reason, std::string detail, std::string fix) {
  Finding f;
  f.path = path;
  f.image = name;
  f.reason = reason;
  f.detail = std::move(detail);
  f.fix = std::move(fix);
  return f;
}

}  // namespace

Result<std::shared_ptr<const Keyring>> CredentialResolver::SecretKeyring(const PullSecret& secret) const {
  std::string key = secret.Source() + '\n' + secret.type + '\n';
  for (const auto& [k, v] : secret.data) key += k + '\n' + v + '\n';
  {
    std::lock_guard<std::mutex> lock(memo_mutex_);
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
  }
  Result<std::shared_ptr<const Keyring>> keyring = Status::Internal("unset");
  if (secret.type != kDockerConfigJsonType && secret.type != kDockercfgType) {
    keyring = Status::InvalidArgument(SecretProblem(secret).value_or("not a docker config secret"));
  } else if (auto config = SecretDockerConfig(secret); !config.ok()) {
    keyring = config.status();
  } else {
    auto one = std::make_shared<Keyring>();
    one->Add(config.value(), secret.Source());
    keyring = std::shared_ptr<const Keyring>(std::move(one));
  }
  std::lock_guard<std::mutex> lock(memo_mutex_);
  if (memo_.size() >= kMaxMemo) memo_.clear();
  memo_.emplace(key, keyring);
  return keyring;
}

void CredentialResolver::AddServiceAccountSecrets(const PodCredentialQuery& query, std::vector<SecretRef>& refs,
                                                  std::vector<Finding>& findings) const {
  if (accounts_ == nullptr || !query.service_account) return;
  const ServiceAccountRef& sa = *query.service_account;
  std::string where = query.ns + "/" + sa.name;
  auto got = accounts_->PullSecretsOf(query.ns, sa.name);
  if (!got.ok()) {
    findings.push_back(Named(sa.field, sa.name, Reason::kServiceAccountMissing,
                             "ServiceAccount " + where + " could not be read: " + got.status().message(),
                             "check pullguard's RBAC (get serviceaccounts)"));
    return;
  }
  if (!got.value()) {
    findings.push_back(Named(sa.field, sa.name, Reason::kServiceAccountMissing,
                             "ServiceAccount " + where + " does not exist, so no pod will be created",
                             "create it (kubectl create serviceaccount " + sa.name + " -n " + query.ns + ") or fix " +
                                 sa.field.substr(sa.field.rfind('.') + 1)));
    return;
  }
  const auto& names = *got.value();
  for (size_t i = 0; i < names.size(); ++i) {
    refs.push_back({"serviceaccounts/" + sa.name + ".imagePullSecrets[" + std::to_string(i) + "]", names[i]});
  }
}

PodCredentials CredentialResolver::Resolve(const PodCredentialQuery& query, std::shared_ptr<const Keyring> node) const {
  PodCredentials out;
  if (node) out.credentials.node = *node;
  std::vector<SecretRef> refs = query.pull_secrets;
  AddServiceAccountSecrets(query, refs, out.findings);
  if (secrets_ == nullptr) return out;
  for (const auto& ref : refs) {
    std::string where = query.ns + "/" + ref.name;
    auto got = secrets_->Get(query.ns, ref.name);
    if (!got.ok()) {
      out.findings.push_back(Named(ref.path, ref.name, Reason::kPullSecretInvalid,
                                   "secret " + where + " could not be read: " + got.status().message(),
                                   "check pullguard's access to secrets in " + query.ns));
      continue;
    }
    if (!got.value()) {
      out.findings.push_back(Named(ref.path, ref.name, Reason::kPullSecretMissing, "secret " + where + " does not exist",
                                   "create it (kubectl create secret docker-registry " + ref.name + " -n " + query.ns +
                                       " ...) or fix the name"));
      continue;
    }
    const PullSecret& secret = **got;
    // The kubelet skips secrets of other types or without their key; one that does not parse
    // fails the pull. Either way it gives no credentials, and the user should know.
    auto keyring = SecretKeyring(secret);
    if (!keyring.ok()) {
      out.findings.push_back(Named(ref.path, ref.name, Reason::kPullSecretInvalid,
                                   "secret " + where + ": " + keyring.status().message(),
                                   "recreate it with kubectl create secret docker-registry"));
      continue;
    }
    const Keyring& one = *keyring.value();
    bool covers_any = false;
    for (const auto& name : query.image_names) covers_any = covers_any || !one.Lookup(name).empty();
    if (!covers_any && !query.image_names.empty()) {
      std::string used;
      for (const auto& name : query.image_names) {
        std::string registry = name.substr(0, name.find('/'));
        if (used.find(registry) == std::string::npos) used += (used.empty() ? "" : ", ") + registry;
      }
      out.findings.push_back(Named(ref.path, ref.name, Reason::kPullSecretInvalid,
                                   "secret " + where + " has no entry for any registry this pod uses (" + used + ")",
                                   "add an entry for the registry, or drop the secret from the pod"));
    }
    out.credentials.secrets.Add(one);
  }
  return out;
}

}  // namespace pullguard::auth
