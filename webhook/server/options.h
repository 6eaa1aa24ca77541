// ServerOptions: how `pullguard serve` listens. Plain struct; each field carries its default.
// Thread-safety: value type.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "common/status.h"
#include "server/https_server.h"

namespace pullguard::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8443;
  std::string tls_cert_file;  // PEM chain, leaf first (required)
  std::string tls_key_file;   // PEM private key (required)
  // Connections, deadlines, workers and the body limit (https_server.h documents each).
  // Workers run reviews; a review waits for registries at most until its deadline, so they
  // bound the reviews answered at once, not the connections.
  ServerLimits limits;
  // A PEM bundle of CAs for client certificates: /validate then answers only a client whose
  // certificate verifies against it (the API server, per its AdmissionConfiguration). Probes
  // and /metrics stay open. "" serves /validate to any client.
  std::string client_ca_file;
  // How often the certificate and policy files are checked for changes.
  std::chrono::milliseconds reload_interval{2000};
  // After SIGTERM, /readyz answers 503 for this long while requests are still served, so the
  // endpoints controller takes the pod out of the Service before the listener closes.
  std::chrono::milliseconds shutdown_delay{0};

  // Parses "host:port" or "[v6]:port" into host and port.
  Status SetListen(const std::string& listen);
  Status Validate() const;
};

}  // namespace pullguard::server
