#include "server/options.h"

#include <cstdlib>

namespace pullguard::server {

Status ServerOptions::SetListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) {
    return Status::InvalidArgument("--listen must be HOST:PORT, e.g. 127.0.0.1:8443 or 0.0.0.0:8443");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  char* end = nullptr;
  long value = std::strtol(listen.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || value < 0 || value > 65535) {
    return Status::InvalidArgument("--listen port must be a number from 0 to 65535");
  }
  this->host = host.empty() ? "0.0.0.0" : host;
  port = static_cast<int>(value);
  return Status::Ok();
}

Status ServerOptions::Validate() const {
  if (tls_cert_file.empty() || tls_key_file.empty()) {
    return Status::InvalidArgument("--tls-cert and --tls-key are required (make one with certs/gen-dev-certs.sh)");
  }
  if (limits.workers == 0) return Status::InvalidArgument("--threads must be at least 1");
  if (reload_interval.count() <= 0) return Status::InvalidArgument("the reload interval must be positive");
  return Status::Ok();
}

}  // namespace pullguard::server
