#include "registry/classify.h"

#include <netdb.h>
#include <sys/socket.h>

#include "registry/error_body.h"

namespace pullguard::registry {
namespace {


}  // namespace

ProbeAnswer TransportFailure(const HttpResponse& r, const std::string& host, const ProbeTarget& target,
                             const Resolver& resolve) {
  switch (r.error) {
    case TransportError::kDns:
      return DnsFailure(host, resolve(host));
    case TransportError::kConnect:
      return Failure(Reason::kRegistryUnreachable, "cannot connect to " + host + " (" + r.error_detail + ")",
                  "check that the registry is up and reachable from the cluster", true);
    case TransportError::kReset:
      return Failure(Reason::kRegistryUnreachable, "connection to " + host + " broke (" + r.error_detail + ")",
                  "retry; check the registry and any proxy in between", true);
    case TransportError::kTimeout:
      if (Clock::now() + std::chrono::milliseconds(20) >= target.deadline) {
        return Failure(Reason::kCheckTimedOut, "no answer from " + host + " before the admission deadline",
                    "retry; if it persists, check the registry", true);
      }
      return Failure(Reason::kRegistryUnreachable, "connecting to " + host + " timed out",
                  "check that the registry is reachable from the cluster", true);
    case TransportError::kTls:
      return Failure(Reason::kRegistryTLSError, "TLS with " + host + " failed: " + r.error_detail,
                  "trust the registry's CA (policy registries[].caFile) or fix its certificate", false);
    case TransportError::kBlockedAddress:
      return Failure(Reason::kPolicyViolation, host + " resolves to " + r.error_detail + ", which pullguard does not contact",
                  "allow it in the policy (registries[].allowPrivateAddress) if it is your registry", false);
    case TransportError::kProtocol:
    case TransportError::kOther:
    case TransportError::kNone:
      break;
  }
  return Failure(Reason::kRegistryError, "no usable HTTP answer from " + host + " (" + r.error_detail + ")",
              "retry; check that " + host + " is a container registry", true);
}

ProbeAnswer DnsFailure(const std::string& host, int gai_error) {
  if (gai_error == EAI_NONAME
#ifdef EAI_NODATA
      || gai_error == EAI_NODATA
#endif
  ) {
    return Failure(Reason::kRegistryUnresolvable, "registry host " + host + " does not resolve",
                   "check the registry name in the image", false);
  }
  std::string why = gai_error == 0 ? "resolved only on a second try" : gai_strerror(gai_error);
  return Failure(Reason::kRegistryUnreachable, "DNS lookup of " + host + " failed (" + why + ")",
                 "retry; check the cluster's DNS", true);
}

int ResolveAgain(const std::string& host) {
  std::string name = host;
  if (!name.empty() && name.front() == '[') {
    name = name.substr(1, name.find(']') - 1);
  } else if (size_t colon = name.rfind(':'); colon != std::string::npos && name.find(':') == colon) {
    name = name.substr(0, colon);
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  int code = getaddrinfo(name.c_str(), nullptr, &hints, &result);
  if (result != nullptr) freeaddrinfo(result);
  return code;
}

ProbeAnswer UnexpectedStatus(const HttpResponse& r, const std::string& who, const std::string& what) {
  // The essentials first: warnings are cut at 120 characters.
  auto errors = ParseErrorBody(r.body);
  std::string registry_says;
  if (!errors.empty()) registry_says = " (" + errors[0].code + (errors[0].message.empty() ? "" : ": " + errors[0].message) + ")";
  std::string status = std::to_string(r.status);
  if (r.status == 429) {
    std::string remaining = r.Header("ratelimit-remaining");
    std::string detail = "429 from " + who;
    if (!remaining.empty()) detail += ", ratelimit-remaining " + remaining.substr(0, 40);
    return Failure(Reason::kRateLimited, detail + registry_says, "retry later, authenticate the pulls, or use a mirror", true);
  }
  if (r.status >= 500) {
    return Failure(Reason::kRegistryError, status + " from " + who + registry_says, "retry later; the registry is failing", true);
  }
  return Failure(Reason::kRegistryError, "unexpected " + status + " from " + who + " to " + what + registry_says,
              "check that it is a container registry", true);
}

}  // namespace pullguard::registry
