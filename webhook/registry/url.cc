#include "registry/url.h"

#include <cctype>

namespace pullguard::registry {

std::string UrlScheme(const std::string& url) {
  size_t p = url.find("://");
  return p == std::string::npos ? "" : url.substr(0, p);
}

std::string UrlHost(const std::string& url) {
  size_t p = url.find("://");
  size_t start = p == std::string::npos ? 0 : p + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  size_t at = host.rfind('@');
  return at == std::string::npos ? host : host.substr(at + 1);
}

std::string ResolveLocation(const std::string& base, const std::string& location) {
  if (location.find("://") != std::string::npos) return location;
  std::string origin = UrlScheme(base) + "://" + UrlHost(base);
  if (location.rfind("//", 0) == 0) return UrlScheme(base) + ":" + location;
  if (!location.empty() && location[0] == '/') return origin + location;
  std::string path = base.substr(0, base.find_first_of("?#"));
  return path.substr(0, path.rfind('/') + 1) + location;
}

std::string UrlEncode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string RedactUrl(const std::string& url) { return url.substr(0, url.find('?')); }

}  // namespace pullguard::registry
