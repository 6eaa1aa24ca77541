// Proxies as the nodes' containerd uses them: Go's http.ProxyFromEnvironment, read from
// HTTPS_PROXY, HTTP_PROXY and NO_PROXY (each also in lower case), or from the policy's `proxy`
// setting. Which proxy a request goes through, if any, is decided here, once per URL, with
// Go's rules; the transport tells libcurl the answer, and libcurl never reads the environment
// on its own.
//
// Go's rules (golang.org/x/net/http/httpproxy):
//   - https:// URLs go through HTTPS_PROXY, http:// URLs through HTTP_PROXY (no fallback from
//     one to the other); a proxy written without a scheme is http://;
//   - never through a proxy: "localhost" and loopback addresses (127.0.0.0/8, ::1);
//   - NO_PROXY, comma-separated: "*" (nothing goes through the proxy), an address or CIDR
//     ("10.0.0.0/8", "::1"), an address with a port ("10.1.2.3:5000"), a domain and its
//     subdomains ("example.com"), only the subdomains (".example.com", "*.example.com"), each
//     optionally with a port ("registry.internal:5000").
// Thread-safety: value types; ProxyRules is immutable once built.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"

namespace pullguard {

struct ProxySettings {
  std::string https_proxy;  // for https:// URLs; "" none
  std::string http_proxy;   // for http:// URLs; "" none
  std::string no_proxy;     // exceptions, comma-separated

  bool operator==(const ProxySettings&) const = default;
  bool empty() const { return https_proxy.empty() && http_proxy.empty(); }
};

// The settings as Go reads them from an environment: HTTPS_PROXY, else https_proxy (the first
// that is not empty), and so for HTTP_PROXY and NO_PROXY. `getenv` is the process's by default.
ProxySettings ProxySettingsFromEnvironment(const std::function<const char*(const char*)>& getenv = {});

// A proxy URL as Go reads it, normalized for libcurl: with its scheme (http:// when it has
// none), its port (80 for http, 443 for https, 1080 for SOCKS5, as Go's defaults are; libcurl's
// own default is 1080 for all), and socks5 as socks5h (Go lets a SOCKS5 proxy resolve the
// registry's name). An error for a scheme Go does not speak to a proxy (http, https, socks5,
// socks5h), no host, or a path.
Result<std::string> NormalizeProxyUrl(const std::string& value);

// The proxy URL for messages: without a user name and password.
std::string RedactProxyUrl(const std::string& url);

// Every problem of a setting, each naming its field ("proxy.httpsProxy", or for the
// environment "HTTPS_PROXY"): a proxy URL that does not normalize, a NO_PROXY entry with a
// scheme or a path that is not a CIDR.
std::vector<std::string> ProxySettingsProblems(const ProxySettings& settings, const std::string& https_field,
                                               const std::string& http_field, const std::string& no_proxy_field);

class ProxyRules {
 public:
  explicit ProxyRules(ProxySettings settings);

  // The proxy for a request to `url` (http:// or https://), normalized as NormalizeProxyUrl
  // writes it, or "" to connect directly. A proxy that does not normalize is returned as
  // written, so that the request fails and says so instead of bypassing the proxy.
  std::string ProxyFor(const std::string& url) const;

  const ProxySettings& settings() const { return settings_; }
  bool empty() const { return settings_.empty(); }

 private:
  using Address = std::array<uint8_t, 16>;  // IPv4 as ::ffff:a.b.c.d
  struct IpMatch {
    Address address{};
    int prefix = -1;   // a CIDR's prefix length (of the 128 bits); -1: one address
    std::string port;  // "" any (CIDRs have none)
  };
  struct DomainMatch {
    std::string suffix;  // ".example.com"
    bool also_itself = false;  // "example.com" matches example.com too, ".example.com" only below it
    std::string port;
  };

  bool UseProxy(const std::string& host, const std::string& port) const;

  ProxySettings settings_;
  std::string https_;  // normalized, or as written when it does not normalize
  std::string http_;
  bool no_proxy_all_ = false;
  std::vector<IpMatch> ip_matches_;
  std::vector<DomainMatch> domain_matches_;
};

}  // namespace pullguard
