// The node's own credentials in a verdict: when only a node's credential provider plugin could
// prove a pull (pullguard ran none, its plugin failed, or the registry refused what it gave),
// a refusal is NodeCredentialsUnverified (warn), never a denial; an expired ECR token in a pull
// secret says when it expired; and which credential source each verdict rests on.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "auth/node_credentials.h"
#include "common/finding.h"
#include "policy/policy.h"
#include "registry/probe.h"

namespace pullguard::checker {

// The policy's node-credential settings, as auth/ takes them.
auth::NodeCredentialSettings NodeSettings(const policy::Policy& policy);

// A node plugin matches the image and the answer is one the node's own credentials could
// change: a 401 or 403, or a 404 given to an anonymous request, unless that request could read
// the repository's tags list (a public repository: the tag or digest is missing for anyone).
bool NeedsNodeCredentials(const registry::ProbeResult& result, const auth::NodeCredentialAnswer& node);

// `refused` (AuthRequired, AuthFailed, AccessDenied, a 404) as the warning it becomes.
Finding NodeCredentialsUnverifiedFinding(const Finding& refused, const auth::NodeCredentialAnswer& node);

// For AuthFailed: each refused credential that is an ECR token says when it expired.
void AddExpiredTokens(Finding& finding, const registry::ProbeTarget& target, const registry::ProbeResult& result);

// The label of pullguard_image_verdicts_by_credential_source_total for this verdict.
std::string_view CredentialSourceOf(const registry::ProbeResult& result, const Finding* finding,
                                    const std::vector<std::string>& service_account_sources);

}  // namespace pullguard::checker
