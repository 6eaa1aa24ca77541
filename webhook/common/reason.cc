#include "common/reason.h"

#include <array>
#include <utility>

namespace pullguard {
namespace {

struct ReasonInfo {
  Reason reason;
  std::string_view name;
  Action default_action;
};

// Transient causes warn by default: blocking a deploy because a registry hiccuped would make
// pullguard the outage. Everything that will fail for certain denies.
constexpr std::array<ReasonInfo, 20> kReasons{{
    {Reason::kInvalidReference, "InvalidReference", Action::kDeny},
    {Reason::kRegistryUnresolvable, "RegistryUnresolvable", Action::kDeny},
    {Reason::kRegistryUnreachable, "RegistryUnreachable", Action::kWarn},
    {Reason::kRegistryTLSError, "RegistryTLSError", Action::kDeny},
    {Reason::kRepositoryNotFound, "RepositoryNotFound", Action::kDeny},
    {Reason::kTagNotFound, "TagNotFound", Action::kDeny},
    {Reason::kDigestNotFound, "DigestNotFound", Action::kDeny},
    {Reason::kAuthRequired, "AuthRequired", Action::kDeny},
    {Reason::kAuthFailed, "AuthFailed", Action::kDeny},
    {Reason::kAccessDenied, "AccessDenied", Action::kDeny},
    {Reason::kPullSecretMissing, "PullSecretMissing", Action::kDeny},
    {Reason::kPullSecretInvalid, "PullSecretInvalid", Action::kWarn},
    {Reason::kServiceAccountMissing, "ServiceAccountMissing", Action::kWarn},
    {Reason::kPlatformMismatch, "PlatformMismatch", Action::kDeny},
    {Reason::kRateLimited, "RateLimited", Action::kWarn},
    {Reason::kRegistryError, "RegistryError", Action::kWarn},
    {Reason::kCheckTimedOut, "CheckTimedOut", Action::kWarn},
    // pullguard chose not to ask: it knows nothing, so it must not deny.
    {Reason::kRegistryAddressBlocked, "RegistryAddressBlocked", Action::kWarn},
    // imagePullPolicy Never and no node lists the image; nodes list at most 50 images each,
    // so absence is not proof.
    {Reason::kImageNotOnNodes, "ImageNotOnNodes", Action::kWarn},
    {Reason::kPolicyViolation, "PolicyViolation", Action::kDeny},
}};

const ReasonInfo& Info(Reason reason) {
  for (const auto& info : kReasons) {
    if (info.reason == reason) return info;
  }
  return kReasons[0];  // unreachable: every enumerator is in the table (tested)
}

}  // namespace

std::string_view ReasonName(Reason reason) { return Info(reason).name; }

std::optional<Reason> ParseReason(std::string_view name) {
  for (const auto& info : kReasons) {
    if (info.name == name) return info.reason;
  }
  return std::nullopt;
}

const std::vector<Reason>& AllReasons() {
  static const std::vector<Reason> all = [] {
    std::vector<Reason> v;
    for (const auto& info : kReasons) v.push_back(info.reason);
    return v;
  }();
  return all;
}

Action DefaultAction(Reason reason) { return Info(reason).default_action; }

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kDeny:
      return "deny";
    case Action::kWarn:
      return "warn";
    case Action::kIgnore:
      return "ignore";
  }
  return "deny";
}

std::optional<Action> ParseAction(std::string_view name) {
  if (name == "deny") return Action::kDeny;
  if (name == "warn") return Action::kWarn;
  if (name == "ignore") return Action::kIgnore;
  return std::nullopt;
}

}  // namespace pullguard
