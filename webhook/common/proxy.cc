#include "common/proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace pullguard {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Trim(const std::string& s) {
  size_t begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  size_t end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

bool ValidPort(const std::string& port) {
  if (!AllDigits(port) || port.size() > 5) return false;
  long n = std::strtol(port.c_str(), nullptr, 10);
  return n >= 1 && n <= 65535;
}

// An address as 16 bytes, IPv4 as ::ffff:a.b.c.d (so that 10.1.2.3 and ::ffff:10.1.2.3 are
// one address, as Go's net.IP.Equal has it).
bool ParseIp(const std::string& text, std::array<uint8_t, 16>* out) {
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    out->fill(0);
    (*out)[10] = 0xff;
    (*out)[11] = 0xff;
    std::memcpy(out->data() + 12, &v4, 4);
    return true;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    std::memcpy(out->data(), &v6, 16);
    return true;
  }
  return false;
}

bool IsMappedV4(const std::array<uint8_t, 16>& a) {
  static const uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(a.data(), kPrefix, 12) == 0;
}

bool IsLoopback(const std::array<uint8_t, 16>& a) {
  if (IsMappedV4(a)) return a[12] == 127;
  static const uint8_t kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return std::memcmp(a.data(), kLoopback, 16) == 0;
}

bool SamePrefix(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int bits) {
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((a[i] & mask) != (b[i] & mask)) return false;
  }
  return true;
}

// "10.0.0.0/8", "fd00::/8": the network and its prefix length over 128 bits, or false.
bool ParseCidr(const std::string& text, std::array<uint8_t, 16>* network, int* prefix) {
  size_t slash = text.find('/');
  if (slash == std::string::npos) return false;
  std::string address = text.substr(0, slash), length = text.substr(slash + 1);
  if (!AllDigits(length) || length.size() > 3 || !ParseIp(address, network)) return false;
  int bits = std::atoi(length.c_str());
  bool v4 = address.find(':') == std::string::npos;
  if (bits > (v4 ? 32 : 128)) return false;
  *prefix = v4 ? 96 + bits : bits;
  return true;
}

// Go's net.SplitHostPort: "host:port" or "[v6]:port" (brackets removed); false without a
// port, or for an IPv6 address without brackets.
bool SplitHostPort(const std::string& text, std::string* host, std::string* port) {
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') return false;
    *host = text.substr(1, close - 1);
    *port = text.substr(close + 2);
    return port->find(':') == std::string::npos;
  }
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || text.find(':') != colon) return false;
  *host = text.substr(0, colon);
  *port = text.substr(colon + 1);
  return true;
}

std::string DefaultPort(const std::string& scheme) {
  if (scheme == "https") return "443";
  if (scheme == "socks5" || scheme == "socks5h") return "1080";
  return "80";
}

// A request URL's host (lower case, without brackets) and port (the scheme's when none).
void HostPortOfUrl(const std::string& url, std::string* scheme, std::string* host, std::string* port) {
  size_t sep = url.find("://");
  *scheme = sep == std::string::npos ? "" : Lower(url.substr(0, sep));
  std::string rest = sep == std::string::npos ? url : url.substr(sep + 3);
  std::string authority = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  if (!SplitHostPort(authority, host, port)) {
    *host = authority;
    port->clear();
    if (host->size() >= 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  }
  *host = Lower(*host);
  if (port->empty()) *port = DefaultPort(*scheme);
}

std::vector<std::string> Entries(const std::string& no_proxy) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= no_proxy.size()) {
    size_t comma = std::min(no_proxy.find(',', start), no_proxy.size());
    std::string entry = Lower(Trim(no_proxy.substr(start, comma - start)));
    if (!entry.empty()) out.push_back(entry);
    start = comma + 1;
  }
  return out;
}

}  // namespace

ProxySettings ProxySettingsFromEnvironment(const std::function<const char*(const char*)>& getenv) {
  auto get = [&getenv](const char* name) -> std::string {
    const char* value = getenv ? getenv(name) : std::getenv(name);
    return value == nullptr ? "" : value;
  };
  auto any = [&get](const char* upper, const char* lower) {
    std::string value = get(upper);
    return value.empty() ? get(lower) : value;
  };
  ProxySettings s;
  s.https_proxy = any("HTTPS_PROXY", "https_proxy");
  s.http_proxy = any("HTTP_PROXY", "http_proxy");
  s.no_proxy = any("NO_PROXY", "no_proxy");
  return s;
}

Result<std::string> NormalizeProxyUrl(const std::string& value) {
  std::string v = Trim(value);
  if (v.empty()) return Status::InvalidArgument("is empty");
  std::string scheme = "http", rest = v;
  if (size_t sep = v.find("://"); sep != std::string::npos) {
    scheme = Lower(v.substr(0, sep));
    rest = v.substr(sep + 3);
  }
  if (scheme != "http" && scheme != "https" && scheme != "socks5" && scheme != "socks5h") {
    return Status::InvalidArgument("\"" + RedactProxyUrl(v) + "\": the scheme must be http, https, socks5 or socks5h");
  }
  size_t end = rest.find_first_of("/?#");
  std::string authority = rest.substr(0, end);
  std::string path = end == std::string::npos ? "" : rest.substr(end);
  if (!path.empty() && path != "/") {
    return Status::InvalidArgument("\"" + RedactProxyUrl(v) + "\" has a path: a proxy is scheme://host:port");
  }
  std::string userinfo;
  if (size_t at = authority.rfind('@'); at != std::string::npos) {
    userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
  }
  std::string host, port;
  if (!SplitHostPort(authority, &host, &port)) {
    host = authority;
    port.clear();
    bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
    if (bracketed) host = host.substr(1, host.size() - 2);
    if (!bracketed && host.find(':') != std::string::npos) {
      return Status::InvalidArgument("\"" + RedactProxyUrl(v) + "\": write an IPv6 address in brackets, e.g. [fd00::1]:3128");
    }
  }
  if (host.empty()) return Status::InvalidArgument("\"" + RedactProxyUrl(v) + "\" names no host");
  if (host.find_first_of(" \t[]") != std::string::npos) {
    return Status::InvalidArgument("\"" + RedactProxyUrl(v) + "\": not a host name");
  }
  if (!port.empty() && !ValidPort(port)) {
    return Status::InvalidArgument("\"" + RedactProxyUrl(v) + "\": the port must be a number from 1 to 65535");
  }
  if (port.empty()) port = DefaultPort(scheme);
  if (scheme == "socks5") scheme = "socks5h";
  std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return scheme + "://" + (userinfo.empty() ? "" : userinfo + "@") + shown + ":" + port;
}

std::string RedactProxyUrl(const std::string& url) {
  size_t sep = url.find("://");
  size_t start = sep == std::string::npos ? 0 : sep + 3;
  size_t end = std::min(url.find_first_of("/?#", start), url.size());
  size_t at = url.rfind('@', end == 0 ? 0 : end - 1);
  if (at == std::string::npos || at < start) return url;
  return url.substr(0, start) + url.substr(at + 1);
}

std::vector<std::string> ProxySettingsProblems(const ProxySettings& settings, const std::string& https_field,
                                               const std::string& http_field, const std::string& no_proxy_field) {
  std::vector<std::string> problems;
  auto check_url = [&problems](const std::string& value, const std::string& field) {
    if (Trim(value).empty()) return;
    auto normalized = NormalizeProxyUrl(value);
    if (!normalized.ok()) problems.push_back(field + ": " + normalized.status().message());
  };
  check_url(settings.https_proxy, https_field);
  check_url(settings.http_proxy, http_field);
  for (const auto& entry : Entries(settings.no_proxy)) {
    std::array<uint8_t, 16> network{};
    int prefix = 0;
    if (entry.find("://") != std::string::npos) {
      problems.push_back(no_proxy_field + ": \"" + entry + "\" has a URL scheme; write the host (and :port), e.g. " +
                         entry.substr(entry.find("://") + 3));
    } else if (entry.find('/') != std::string::npos && !ParseCidr(entry, &network, &prefix)) {
      problems.push_back(no_proxy_field + ": \"" + entry + "\" is not a host, a domain or a CIDR such as 10.0.0.0/8");
    } else if (entry.find_first_of(" \t") != std::string::npos) {
      problems.push_back(no_proxy_field + ": \"" + entry + "\" has a space; separate entries with commas");
    }
  }
  return problems;
}

ProxyRules::ProxyRules(ProxySettings settings) : settings_(std::move(settings)) {
  auto normalized = [](const std::string& value) -> std::string {
    if (Trim(value).empty()) return "";
    auto n = NormalizeProxyUrl(value);
    return n.ok() ? n.value() : value;
  };
  https_ = normalized(settings_.https_proxy);
  http_ = normalized(settings_.http_proxy);
  // As Go's httpproxy.config.init reads NO_PROXY.
  for (const std::string& entry : Entries(settings_.no_proxy)) {
    if (entry == "*") {
      no_proxy_all_ = true;
      return;
    }
    IpMatch ip;
    if (ParseCidr(entry, &ip.address, &ip.prefix)) {
      ip_matches_.push_back(ip);
      continue;
    }
    std::string host, port;
    if (SplitHostPort(entry, &host, &port)) {
      if (host.empty()) continue;
    } else {
      host = entry;
      port.clear();
      if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
      if (host.empty()) continue;
    }
    if (ParseIp(host, &ip.address)) {
      ip.prefix = -1;
      ip.port = port;
      ip_matches_.push_back(ip);
      continue;
    }
    if (host.rfind("*.", 0) == 0) host = host.substr(1);
    DomainMatch domain;
    domain.also_itself = host[0] != '.';
    domain.suffix = domain.also_itself ? "." + host : host;
    domain.port = port;
    domain_matches_.push_back(domain);
  }
}

bool ProxyRules::UseProxy(const std::string& host, const std::string& port) const {
  if (host.empty()) return true;
  if (host == "localhost") return false;
  Address ip{};
  bool is_ip = ParseIp(host, &ip);
  if (is_ip && IsLoopback(ip)) return false;
  if (no_proxy_all_) return false;
  if (is_ip) {
    for (const auto& m : ip_matches_) {
      if (m.prefix >= 0 ? SamePrefix(ip, m.address, m.prefix) : (ip == m.address && (m.port.empty() || m.port == port))) {
        return false;
      }
    }
  }
  for (const auto& m : domain_matches_) {
    bool below = host.size() >= m.suffix.size() && host.compare(host.size() - m.suffix.size(), m.suffix.size(), m.suffix) == 0;
    bool itself = m.also_itself && host == m.suffix.substr(1);
    if ((below || itself) && (m.port.empty() || m.port == port)) return false;
  }
  return true;
}

std::string ProxyRules::ProxyFor(const std::string& url) const {
  std::string scheme, host, port;
  HostPortOfUrl(url, &scheme, &host, &port);
  std::string proxy = scheme == "https" ? https_ : scheme == "http" ? http_ : std::string();
  if (proxy.empty() || !UseProxy(host, port)) return "";
  return proxy;
}

}  // namespace pullguard
