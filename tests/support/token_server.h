// TokenServer: a Bearer token service for distribution's `token` auth, on 127.0.0.1 over TLS.
// It signs ES256 JWTs with a key whose self-signed certificate goes in the JWT's x5c header
// and in the registry's rootcertbundle. Users in `users` get what they ask for; anonymous
// callers get pull on repositories under `public/` only (and an empty grant otherwise, as
// Docker Hub does); a wrong password is a 401.
#pragma once

#include <httplib.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>

namespace pullguard::testing {

class TokenServer {
 public:
  TokenServer(const std::string& tls_cert, const std::string& tls_key, const std::string& work_dir,
              std::map<std::string, std::string> users);
  ~TokenServer();

  int port() const { return port_; }
  std::string realm() const { return "https://127.0.0.1:" + std::to_string(port_) + "/token"; }
  const std::string& signing_cert_file() const { return signing_cert_; }
  static constexpr const char* kService = "pullguard-test-registry";
  static constexpr const char* kIssuer = "pullguard-test-issuer";
  int requests() const { return requests_.load(); }

  // A token for `scope` as `user` (empty: anonymous), e.g. to push fixtures.
  std::string Issue(const std::string& user, const std::string& scope) const;

 private:
  std::map<std::string, std::string> users_;
  std::string signing_cert_, signing_key_;
  std::string x5c_;
  void* key_ = nullptr;  // EVP_PKEY*
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
};

}  // namespace pullguard::testing
