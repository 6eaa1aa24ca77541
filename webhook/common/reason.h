// Reason codes: one per cause of ErrImagePull / ImagePullBackOff that pullguard predicts
// (the table in DESIGN.md). The names are a stable interface: policies and tests use them.
// Thread-safety: pure functions over constants.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace pullguard {

enum class Reason {
  kInvalidReference,
  kRegistryUnresolvable,
  kRegistryUnreachable,
  kRegistryTLSError,
  kRepositoryNotFound,
  kTagNotFound,
  kDigestNotFound,
  kAuthRequired,
  kAuthFailed,
  kAccessDenied,
  kPullSecretMissing,
  kPullSecretInvalid,
  kServiceAccountMissing,
  kPlatformMismatch,
  kRateLimited,
  kRegistryError,
  kCheckTimedOut,
  kRegistryAddressBlocked,
  kImageNotOnNodes,
  kNodeCredentialsUnverified,
  kServiceAccountAnnotationMissing,
  kPolicyViolation,  // last: AllReasons() counts up to it
};

// What pullguard does with a finding.
enum class Action { kDeny, kWarn, kIgnore };

std::string_view ReasonName(Reason reason);
std::optional<Reason> ParseReason(std::string_view name);
const std::vector<Reason>& AllReasons();

// The action DESIGN.md gives each reason when no policy overrides it.
Action DefaultAction(Reason reason);

std::string_view ActionName(Action action);
std::optional<Action> ParseAction(std::string_view name);

}  // namespace pullguard
