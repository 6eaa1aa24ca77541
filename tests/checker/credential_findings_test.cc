// Credential facts in words, and the softening when every pull works without the secret.
#include <catch2/catch.hpp>

#include "checker/credential_findings.h"

namespace pullguard::checker {
namespace {

using auth::CredentialFact;
using auth::CredentialProblem;

TEST_CASE("each credential fact has its reason and words, naming the field and never the content") {
  struct Case {
    CredentialFact fact;
    const char* line;
  };
  const Case cases[] = {
      {{CredentialProblem::kServiceAccountMissing, "spec.template.spec.serviceAccountName", "robot", "shop", ""},
       "spec.template.spec.serviceAccountName \"robot\": ServiceAccountMissing: ServiceAccount shop/robot does not "
       "exist, so no pod will be created; create it (kubectl create serviceaccount robot -n shop) or fix "
       "serviceAccountName"},
      {{CredentialProblem::kServiceAccountUnreadable, "spec.serviceAccountName", "robot", "shop", "403 Forbidden"},
       "spec.serviceAccountName \"robot\": ServiceAccountMissing: ServiceAccount shop/robot could not be read: 403 "
       "Forbidden; check pullguard's RBAC (get serviceaccounts)"},
      {{CredentialProblem::kSecretMissing, "p[0]", "ghost", "shop", ""},
       "p[0] \"ghost\": PullSecretMissing: secret shop/ghost does not exist; create it (kubectl create secret "
       "docker-registry ghost -n shop ...) or fix the name"},
      {{CredentialProblem::kSecretUnreadable, "p[0]", "s", "shop", "timed out"},
       "p[0] \"s\": PullSecretInvalid: secret shop/s could not be read: timed out; check pullguard's access to "
       "secrets in shop"},
      {{CredentialProblem::kSecretUnused, "p[1]", "other", "shop", "ghcr.io, quay.io"},
       "p[1] \"other\": PullSecretInvalid: secret shop/other has no entry for any registry this pod uses (ghcr.io, "
       "quay.io); add an entry for the registry, or drop the secret from the pod"},
      {{CredentialProblem::kSecretInvalid, "p[2]", "opaque", "shop", "type Opaque is not kubernetes.io/dockerconfigjson"},
       "p[2] \"opaque\": PullSecretInvalid: secret shop/opaque: type Opaque is not kubernetes.io/dockerconfigjson; "
       "recreate it with kubectl create secret docker-registry"},
  };
  for (const auto& c : cases) {
    INFO(c.line);
    CHECK(FormatFinding(CredentialFinding(c.fact)) == c.line);
  }
}

TEST_CASE("only a missing or invalid secret is softened when every pull works without it") {
  Finding missing = CredentialFinding({CredentialProblem::kSecretMissing, "p[0]", "ghost", "shop", ""});
  Finding soft = SoftenedForWorkingPulls(missing);
  CHECK(soft.at_most_warn);
  CHECK(soft.detail == "secret shop/ghost does not exist; the pod's images pull without it");
  Finding account = CredentialFinding({CredentialProblem::kServiceAccountMissing, "f", "robot", "shop", ""});
  Finding same = SoftenedForWorkingPulls(account);
  CHECK_FALSE(same.at_most_warn);
  CHECK(same.detail == account.detail);  // no pod is created at all: nothing pulls
}

}  // namespace
}  // namespace pullguard::checker
