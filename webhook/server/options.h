// ServerOptions: how `pullguard serve` listens. Plain struct; each field carries its default.
// Thread-safety: value type.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "common/status.h"

namespace pullguard::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8443;
  std::string tls_cert_file;  // PEM chain, leaf first (required)
  std::string tls_key_file;   // PEM private key (required)
  // Worker threads. A keep-alive connection holds one while it is open, so this bounds the
  // API server connections served at once (it keeps a few per replica).
  size_t threads = 64;
  // The API server limits AdmissionReview bodies to 3 MiB; anything larger is no review.
  size_t max_body_bytes = 3 * 1024 * 1024;
  // How often the certificate and policy files are checked for changes.
  std::chrono::milliseconds reload_interval{2000};
  // Idle keep-alive connections close after this; a SIGTERM drain waits at most this long.
  std::chrono::seconds keep_alive_timeout{5};
  size_t keep_alive_max_requests = 100000;
  // After SIGTERM, /readyz answers 503 for this long while requests are still served, so the
  // endpoints controller takes the pod out of the Service before the listener closes.
  std::chrono::milliseconds shutdown_delay{0};

  // Parses "host:port" or "[v6]:port" into host and port.
  Status SetListen(const std::string& listen);
  Status Validate() const;
};

}  // namespace pullguard::server
