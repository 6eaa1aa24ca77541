#include "checker/credential_findings.h"

namespace pullguard::checker {
namespace {

using auth::CredentialProblem;

Finding Named(const auth::CredentialFact& fact, Reason reason, std::string detail, std::string fix) {
  Finding f;
  f.path = fact.path;
  f.image = fact.name;
  f.reason = reason;
  f.detail = std::move(detail);
  f.fix = std::move(fix);
  return f;
}

// "serviceAccountName" of "spec.template.spec.serviceAccountName".
std::string LastField(const std::string& path) { return path.substr(path.rfind('.') + 1); }

}  // namespace

Finding CredentialFinding(const auth::CredentialFact& fact) {
  const std::string where = fact.ns + "/" + fact.name;
  switch (fact.problem) {
    case CredentialProblem::kSecretMissing:
      return Named(fact, Reason::kPullSecretMissing, "secret " + where + " does not exist",
                   "create it (kubectl create secret docker-registry " + fact.name + " -n " + fact.ns +
                       " ...) or fix the name");
    case CredentialProblem::kSecretUnreadable:
      return Named(fact, Reason::kPullSecretInvalid, "secret " + where + " could not be read: " + fact.detail,
                   "check pullguard's access to secrets in " + fact.ns);
    case CredentialProblem::kSecretInvalid:
      return Named(fact, Reason::kPullSecretInvalid, "secret " + where + ": " + fact.detail,
                   "recreate it with kubectl create secret docker-registry");
    case CredentialProblem::kSecretUnused:
      return Named(fact, Reason::kPullSecretInvalid,
                   "secret " + where + " has no entry for any registry this pod uses (" + fact.detail + ")",
                   "add an entry for the registry, or drop the secret from the pod");
    case CredentialProblem::kServiceAccountMissing:
      return Named(fact, Reason::kServiceAccountMissing,
                   "ServiceAccount " + where + " does not exist, so no pod will be created",
                   "create it (kubectl create serviceaccount " + fact.name + " -n " + fact.ns + ") or fix " +
                       LastField(fact.path));
    case CredentialProblem::kServiceAccountUnreadable:
      return Named(fact, Reason::kServiceAccountMissing,
                   "ServiceAccount " + where + " could not be read: " + fact.detail,
                   "check pullguard's RBAC (get serviceaccounts)");
  }
  return Named(fact, Reason::kPullSecretInvalid, fact.detail, "");  // not reached: every problem is named
}

Finding SoftenedForWorkingPulls(Finding f) {
  if (f.reason != Reason::kPullSecretMissing && f.reason != Reason::kPullSecretInvalid) return f;
  f.at_most_warn = true;
  f.detail += "; the pod's images pull without it";
  return f;
}

}  // namespace pullguard::checker
