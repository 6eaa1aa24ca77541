// TokenServer: a Bearer token service for distribution's `token` auth, on 127.0.0.1 over TLS.
// It signs ES256 JWTs with a key whose self-signed certificate goes in the JWT's x5c header
// and in the registry's rootcertbundle. GET with Basic auth (or none), and OAuth2 POST
// (grant_type=password, form-encoded) as containerd sends it. A wrong password is a 401.
// What is granted (TokenGrants):
//   default: users get what they ask for; anonymous callers get pull on `public/` only.
//   Docker Hub's shape: only repositories that exist are granted, pull anonymously for the
//     public ones and for their owners otherwise; anything else gets an empty grant, so the
//     registry answers 401 insufficient_scope, as Docker Hub does for a missing repository.
// It can also fail on purpose: answer `fail_status`, or hang until it stops.
#pragma once

#include <httplib.h>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>
#include <thread>

namespace pullguard::testing {

struct TokenGrants {
  bool hub_shape = false;
  std::set<std::string> public_repos;                  // hub_shape: pull for anyone
  std::map<std::string, std::set<std::string>> owners;  // hub_shape: repo -> users who pull it
  std::string pusher = "pusher";                        // always gets what it asks (fixtures)
  int fail_status = 0;  // answer this status to every token request (e.g. 500)
  bool hang = false;    // never answer (until the server stops)
};

class TokenServer {
 public:
  TokenServer(const std::string& tls_cert, const std::string& tls_key, const std::string& work_dir,
              std::map<std::string, std::string> users, TokenGrants grants = {});
  ~TokenServer();

  int port() const { return port_; }
  std::string realm() const { return "https://127.0.0.1:" + std::to_string(port_) + "/token"; }
  const std::string& signing_cert_file() const { return signing_cert_; }
  static constexpr const char* kService = "pullguard-test-registry";
  static constexpr const char* kIssuer = "pullguard-test-issuer";
  int requests() const { return requests_.load(); }
  int posts() const { return posts_.load(); }

  // A token for `scopes` as `user` (empty: anonymous), e.g. to push fixtures.
  std::string Issue(const std::string& user, const std::vector<std::string>& scopes) const;
  std::string Issue(const std::string& user, const std::string& scope) const {
    return Issue(user, std::vector<std::string>{scope});
  }

 private:
  std::string Answer(const std::string& user, const std::string& password, bool authenticated,
                     const std::vector<std::string>& scopes, int* status) const;
  bool Allowed(const std::string& user, const std::string& repo, const std::string& action) const;

  std::map<std::string, std::string> users_;
  TokenGrants grants_;
  std::atomic<bool> stopping_{false};
  std::string signing_cert_, signing_key_;
  std::string x5c_;
  void* key_ = nullptr;  // EVP_PKEY*
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::atomic<int> posts_{0};
};

}  // namespace pullguard::testing
