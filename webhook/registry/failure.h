// Failure: what went wrong in one exchange with a registry, a mirror or a token service, as
// facts (status, the registry's error codes, the challenge's error, the transport's failure
// kind, a redacted URL), the way go-containerregistry's transport.Error keeps them. No user
// words here: checker/ turns a failure into a finding.
// Thread-safety: value type.
#pragma once

#include <string>
#include <vector>

#include "registry/error_body.h"
#include "registry/http.h"

namespace pullguard::registry {

enum class Server { kRegistry, kTokenService };

// An answer that arrived but cannot be used.
enum class Problem {
  kNone,
  kNoToken,            // the token service answered 2xx without a token
  kInsecureRealm,      // the token realm is not https (credentials would travel in the clear)
  kUnsupportedScheme,  // the 401 names no scheme pullguard speaks (Basic, Bearer)
  kDigestMismatch,     // Docker-Content-Digest is not the digest asked for
  kUnreadableManifest, // an index, manifest or config that does not parse or is too large
  kNoHost,             // no configured host may answer for this reference (capabilities)
};

struct Failure {
  Server server = Server::kRegistry;
  std::string host;    // host[:port] asked
  std::string method;  // HEAD, GET, POST
  std::string url;     // without its query (it may carry tokens)
  TransportError transport = TransportError::kNone;
  std::string transport_detail;
  int resolver_code = 0;  // for kDns: getaddrinfo's answer when asked again (0: resolves now)
  std::string proxy;      // the proxy the exchange went through (without credentials); "" directly
  int status = 0;         // the HTTP status, when an answer came
  std::vector<ErrorEntry> errors;     // the registry's diagnostics, from a body (HEAD has none)
  std::string challenge_error;        // WWW-Authenticate's error=, e.g. insufficient_scope
  std::string ratelimit_remaining;
  Problem problem = Problem::kNone;
  std::string problem_detail;  // data for the problem: a digest, a parse error, the realm

  // May a retry later succeed? Outages, timeouts, resets, 408, 429 and 5xx: yes. A name that
  // does not exist, a certificate that does not verify, a 4xx: no.
  bool Temporary() const;
  // A lookup of the host's name that failed because the resolver did not answer (not because
  // the name does not exist): a fact about the machine pullguard runs on, not the image.
  bool ResolverFailed() const;
};

// A failure from an HTTP exchange: its transport error, or its status and the codes in its body.
Failure FailureOf(const HttpRequest& request, const HttpResponse& response, Server server);

}  // namespace pullguard::registry
