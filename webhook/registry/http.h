// The HTTP seam of the registry client: requests and answers as plain values, and the
// interface a transport implements (libcurl in production, fakes in unit tests).
// Thread-safety: Send() may be called from many threads at once.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/proxy.h"

namespace pullguard::registry {

using Clock = std::chrono::steady_clock;

// Registry answers are small; anything longer is cut off and flagged.
inline constexpr size_t kMaxBodyBytes = 64 * 1024;

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, or POST (token requests)
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // POST only
  Clock::time_point deadline = Clock::now() + std::chrono::seconds(10);
  std::chrono::milliseconds connect_timeout{3000};
  std::string ca_file;         // trust for this registry instead of the system roots; "" = system roots
  std::shared_ptr<const std::string> extra_ca_pem;  // PEM certificates trusted besides the system roots
  bool skip_verify = false;    // do not verify the certificate (containerd's skip_verify)
  std::string client_cert;     // PEM client certificate file; "" for none
  std::string client_key;      // its key's file; "" when the key is in client_cert
  bool allow_private = false;  // may connect to loopback, link-local and private addresses
  std::string metrics_label = "other";  // the registry, as metrics name it (bounded)
  // Which proxy the URL goes through (ProxyRules::ProxyFor); null: none, it connects directly.
  // The address guard judges what pullguard connects to: the registry's own addresses
  // directly, and through a proxy only an address written in the URL (the proxy, which the
  // operator configured, resolves the registry's name).
  std::shared_ptr<const ProxyRules> proxy;
};

enum class TransportError {
  kNone,
  kDns,             // the host name does not resolve
  kConnect,         // refused or unroutable
  kTimeout,         // no answer before the deadline
  kTls,             // the certificate does not verify, names another host, or the peer speaks no TLS
  kReset,           // the connection was reset or closed mid-exchange (TLS handshake included)
  kBlockedAddress,  // resolved to a private/loopback/link-local address that is not allowed
  kProtocol,        // not HTTP, or malformed
  kOther,
};

struct HttpResponse {
  TransportError error = TransportError::kNone;
  std::string error_detail;  // the library's words, for the finding
  int status = 0;
  std::multimap<std::string, std::string> headers;  // names lowercased
  std::string body;                                  // at most kMaxBodyBytes
  bool body_truncated = false;
  std::string proxy;       // the proxy it went through (without credentials); "" directly
  bool lookup_timed_out = false;  // kDns: the resolver did not answer within the connect timeout

  // The first value of a header (name in lowercase), or "".
  std::string Header(const std::string& name) const;
  std::vector<std::string> Headers(const std::string& name) const;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual HttpResponse Send(const HttpRequest& request) = 0;
};

std::string_view TransportErrorName(TransportError error);

}  // namespace pullguard::registry
