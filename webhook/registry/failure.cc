#include "registry/failure.h"

#include "registry/challenge.h"
#include "registry/dns.h"
#include "registry/url.h"

namespace pullguard::registry {

bool Failure::Temporary() const {
  switch (problem) {
    case Problem::kNoToken:
    case Problem::kUnreadableManifest:
      return true;
    case Problem::kInsecureRealm:
    case Problem::kUnsupportedScheme:
    case Problem::kDigestMismatch:
    case Problem::kNoHost:
      return false;
    case Problem::kNone:
      break;
  }
  switch (transport) {
    case TransportError::kNone:
      break;
    case TransportError::kDns:
      // NXDOMAIN is an answer; a resolver that did not answer is an outage.
      return ClassifyLookup(resolver_code, host) != DnsAnswer::kNoSuchName;
    case TransportError::kTls:
    case TransportError::kBlockedAddress:
      return false;
    case TransportError::kConnect:
    case TransportError::kTimeout:
    case TransportError::kReset:
    case TransportError::kProtocol:
    case TransportError::kOther:
      return true;
  }
  return status == 408 || status == 429 || status >= 500;
}

bool Failure::ResolverFailed() const {
  return problem == Problem::kNone && transport == TransportError::kDns &&
         ClassifyLookup(resolver_code, host) == DnsAnswer::kResolverFailed;
}

Failure FailureOf(const HttpRequest& request, const HttpResponse& response, Server server) {
  Failure f;
  f.server = server;
  f.host = UrlHost(request.url);
  f.method = request.method;
  f.url = RedactUrl(request.url);
  f.transport = response.error;
  f.transport_detail = response.error_detail;
  f.proxy = response.proxy;
  if (response.error != TransportError::kNone) return f;
  f.status = response.status;
  f.errors = ParseErrorBody(response.body);
  f.ratelimit_remaining = response.Header("ratelimit-remaining").substr(0, 40);
  for (const auto& c : ParseChallenges(response.Headers("www-authenticate"))) {
    if (auto it = c.params.find("error"); it != c.params.end()) f.challenge_error = it->second.substr(0, 64);
  }
  return f;
}

}  // namespace pullguard::registry
