// Credential facts in words: the one place where what the resolver found about a pod's pull
// secrets and ServiceAccount (auth::CredentialFact) becomes a finding, beside the registry's
// (registry_findings.h). A finding about a Secret or ServiceAccount carries its name where an
// image finding carries the image: the value the field at `path` holds.
// Thread-safety: pure functions.
#pragma once

#include "auth/credential_resolver.h"
#include "common/finding.h"

namespace pullguard::checker {

Finding CredentialFinding(const auth::CredentialFact& fact);

// The kubelet pulls without a pull secret it cannot read or use ("Unable to retrieve some
// image pull secrets ...; attempting to pull the image may not succeed"): when every image
// the pod pulls was found with the credentials it has, the pod starts, and a missing or
// invalid secret only warns. Other findings are returned as they are.
Finding SoftenedForWorkingPulls(Finding finding);

}  // namespace pullguard::checker
