#include "registry/http.h"

namespace pullguard::registry {

std::string HttpResponse::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

std::vector<std::string> HttpResponse::Headers(const std::string& name) const {
  std::vector<std::string> out;
  auto [begin, end] = headers.equal_range(name);
  for (auto it = begin; it != end; ++it) out.push_back(it->second);
  return out;
}

std::string_view TransportErrorName(TransportError error) {
  switch (error) {
    case TransportError::kNone:
      return "none";
    case TransportError::kDns:
      return "dns";
    case TransportError::kConnect:
      return "connect";
    case TransportError::kTimeout:
      return "timeout";
    case TransportError::kTls:
      return "tls";
    case TransportError::kReset:
      return "reset";
    case TransportError::kBlockedAddress:
      return "blocked-address";
    case TransportError::kProtocol:
      return "protocol";
    case TransportError::kOther:
      return "other";
  }
  return "other";
}

}  // namespace pullguard::registry
