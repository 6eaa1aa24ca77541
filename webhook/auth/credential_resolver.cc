#include "auth/credential_resolver.h"

namespace pullguard::auth {
Result<std::shared_ptr<const Keyring>> CredentialResolver::SecretKeyring(const PullSecret& secret) const {
  // The key is the secret's name and bytes: a changed secret is a new entry, never a stale one.
  std::string key = secret.Source() + '\n' + secret.type + '\n';
  for (const auto& [k, v] : secret.data) key += k + '\n' + v + '\n';
  if (auto known = memo_.Get(key)) return *known;
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
  memo_.Put(key, keyring, std::chrono::hours(1));
  return keyring;
}

void CredentialResolver::AddServiceAccountSecrets(const PodCredentialQuery& query, std::vector<SecretRef>& refs,
                                                  std::vector<CredentialFact>& facts) const {
  if (accounts_ == nullptr || !query.service_account) return;
  const ServiceAccountRef& sa = *query.service_account;
  auto got = accounts_->PullSecretsOf(query.ns, sa.name);
  if (!got.ok()) {
    facts.push_back({CredentialProblem::kServiceAccountUnreadable, sa.field, sa.name, query.ns, got.status().message()});
    return;
  }
  if (!got.value()) {
    facts.push_back({CredentialProblem::kServiceAccountMissing, sa.field, sa.name, query.ns, ""});
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
  AddServiceAccountSecrets(query, refs, out.facts);
  if (secrets_ == nullptr) return out;
  for (const auto& ref : refs) {
    auto fact = [&](CredentialProblem problem, std::string detail) {
      out.facts.push_back({problem, ref.path, ref.name, query.ns, std::move(detail)});
    };
    auto got = secrets_->Get(query.ns, ref.name);
    if (!got.ok()) {
      fact(CredentialProblem::kSecretUnreadable, got.status().message());
      continue;
    }
    if (!got.value()) {
      fact(CredentialProblem::kSecretMissing, "");
      continue;
    }
    // The kubelet skips secrets of other types or without their key; one that does not parse
    // fails the pull. Either way it gives no credentials, and the user should know.
    auto keyring = SecretKeyring(**got);
    if (!keyring.ok()) {
      fact(CredentialProblem::kSecretInvalid, keyring.status().message());
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
      fact(CredentialProblem::kSecretUnused, used);
    }
    out.credentials.secrets.Add(one);
    if (ref.path.rfind("serviceaccounts/", 0) == 0) out.service_account_sources.push_back((**got).Source());
  }
  return out;
}

}  // namespace pullguard::auth
