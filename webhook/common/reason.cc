#include "common/reason.h"

#include <utility>

namespace pullguard {
namespace {

struct ReasonInfo {
  std::string_view name;
  Action default_action;
};

// One case per enumerator and no default: a reason added to the enum without its name and
// action here does not compile (-Wswitch, an error in every build that matters).
// Transient causes warn by default: blocking a deploy because a registry hiccuped would make
// pullguard the outage. Everything that will fail for certain denies.
constexpr ReasonInfo Info(Reason reason) {
  switch (reason) {
    case Reason::kInvalidReference: return {"InvalidReference", Action::kDeny};
    case Reason::kRegistryUnresolvable: return {"RegistryUnresolvable", Action::kDeny};
    case Reason::kRegistryUnreachable: return {"RegistryUnreachable", Action::kWarn};
    case Reason::kRegistryTLSError: return {"RegistryTLSError", Action::kDeny};
    case Reason::kRepositoryNotFound: return {"RepositoryNotFound", Action::kDeny};
    case Reason::kTagNotFound: return {"TagNotFound", Action::kDeny};
    case Reason::kDigestNotFound: return {"DigestNotFound", Action::kDeny};
    case Reason::kAuthRequired: return {"AuthRequired", Action::kDeny};
    case Reason::kAuthFailed: return {"AuthFailed", Action::kDeny};
    case Reason::kAccessDenied: return {"AccessDenied", Action::kDeny};
    case Reason::kPullSecretMissing: return {"PullSecretMissing", Action::kDeny};
    case Reason::kPullSecretInvalid: return {"PullSecretInvalid", Action::kWarn};
    case Reason::kServiceAccountMissing: return {"ServiceAccountMissing", Action::kWarn};
    case Reason::kPlatformMismatch: return {"PlatformMismatch", Action::kDeny};
    case Reason::kRateLimited: return {"RateLimited", Action::kWarn};
    case Reason::kRegistryError: return {"RegistryError", Action::kWarn};
    case Reason::kCheckTimedOut: return {"CheckTimedOut", Action::kWarn};
    // pullguard chose not to ask: it knows nothing, so it must not deny.
    case Reason::kRegistryAddressBlocked: return {"RegistryAddressBlocked", Action::kWarn};
    // imagePullPolicy Never and no node lists the image; nodes list at most 50 images each,
    // so absence is not proof.
    case Reason::kImageNotOnNodes: return {"ImageNotOnNodes", Action::kWarn};
    // Only the node's own credentials (a kubelet credential provider) can prove the pull.
    case Reason::kNodeCredentialsUnverified: return {"NodeCredentialsUnverified", Action::kWarn};
    // The kubelet skips a credential provider with tokenAttributes for a ServiceAccount without
    // its required annotations, and still pulls with the pod's secrets or anonymously.
    case Reason::kServiceAccountAnnotationMissing: return {"ServiceAccountAnnotationMissing", Action::kWarn};
    case Reason::kPolicyViolation: return {"PolicyViolation", Action::kDeny};
  }
  return {"", Action::kDeny};  // not reached: the switch names every enumerator
}

// Every enumerator has a name (checked at compile time).
constexpr bool EveryReasonNamed() {
  for (int i = 0; i <= static_cast<int>(Reason::kPolicyViolation); ++i) {
    if (Info(static_cast<Reason>(i)).name.empty()) return false;
  }
  return true;
}
static_assert(EveryReasonNamed());

}  // namespace

std::string_view ReasonName(Reason reason) { return Info(reason).name; }

std::optional<Reason> ParseReason(std::string_view name) {
  for (Reason r : AllReasons()) {
    if (Info(r).name == name) return r;
  }
  return std::nullopt;
}

const std::vector<Reason>& AllReasons() {
  static const std::vector<Reason> all = [] {
    std::vector<Reason> v;
    for (int i = 0; i <= static_cast<int>(Reason::kPolicyViolation); ++i) v.push_back(static_cast<Reason>(i));
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
