// RegistryServer: a real registry (Debian's docker-registry, the CNCF distribution registry)
// on 127.0.0.1 and a free port, with its own storage, optionally TLS with the test CA, and
// htpasswd Basic or Bearer-token auth. Push fixtures with PushBlob / PushManifest.
#pragma once

#include <httplib.h>

#include <memory>
#include <string>

#include "support/process.h"
#include "support/temp_dir.h"
#include "support/token_server.h"

namespace pullguard::testing {

enum class RegistryAuth { kNone, kBasic, kToken };

struct RegistryOptions {
  bool tls = true;
  RegistryAuth auth = RegistryAuth::kNone;
  std::string user = "pusher";      // htpasswd user (kBasic) or token-server user (kToken)
  std::string password = "s3cret-pass";
  const TokenServer* token_server = nullptr;  // for kToken
  // TLS client authentication: the registry asks for a certificate from client_ca; the test
  // pushes with client_cert/client_key.
  std::string client_ca;
  std::string client_cert;
  std::string client_key;
};

class RegistryServer {
 public:
  // `cert`/`key`: a serving pair for 127.0.0.1; `ca`: its CA (for pushing over TLS).
  RegistryServer(const std::string& cert, const std::string& key, const std::string& ca, RegistryOptions options);

  int port() const { return port_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

  std::string PushBlob(const std::string& repo, const std::string& content);  // returns the digest
  std::string PushManifest(const std::string& repo, const std::string& tag, const std::string& body,
                           const std::string& media_type);  // returns the digest
  std::string Log() const { return process_->Stderr(); }
  int pid() const { return process_->pid(); }

 private:
  std::unique_ptr<httplib::Client> Client() const;
  httplib::Headers PushHeaders(const std::string& repo) const;

  TempDir dir_;
  RegistryOptions options_;
  std::string ca_;
  int port_ = 0;
  std::unique_ptr<Process> process_;
};

std::string Sha256Digest(const std::string& content);

}  // namespace pullguard::testing
