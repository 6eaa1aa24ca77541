// Authorizer: the Authorization header for a request, learned from the registry's own 401s,
// as containerd's authorizer does:
//   a request goes out with what is known of its host (nothing at first); a 401 carries a
//   challenge: Basic -> send the credential; Bearer -> exchange the credential (or nothing,
//   anonymously) at the challenge's realm for a token with the challenge's scope plus
//   repository:NAME:pull; then the request is retried once.
// Known challenges are kept per host (bounded) only as a first guess: every 401 is answered
// with its own challenge, as containerd replaces its handler when a 401's challenge differs,
// so a repository whose realm differs from the host's last one (or a registry that changed
// its realm) is judged by its own realm, whatever was checked before. Tokens per (realm,
// service, scopes, credential identity) until expires_in, identical token fetches in flight
// joined.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/keyring.h"
#include "common/bounded_cache.h"
#include "registry/failure.h"
#include "registry/hosts.h"
#include "registry/sender.h"
#include "registry/token_cache.h"

namespace pullguard::registry {

// What one request needs to be authorized: its host, the repository it is for, the
// credential (null: anonymous), and how to reach the token service.
struct AuthContext {
  const RegistryHost* host = nullptr;
  std::string repository;
  const auth::Credential* credential = nullptr;
  HttpRequest base;  // deadline, connect timeout, trust, address policy for token requests
};

struct Grant {
  std::string header;  // "" for none
  bool fresh = false;  // a token fetched for this very request: a 401 to it is final
  std::optional<Failure> failure;  // the token service failed
  std::string challenge;  // the challenge it answers ("bearer REALM SERVICE", "basic"; "" none)
};

class Authorizer {
 public:
  explicit Authorizer(Sender& sender, size_t max_hosts = 1024)
      : sender_(sender), known_("registry_challenges", max_hosts) {}

  // The header for a request before any 401 from it: from the host's known challenge.
  Grant Before(const AuthContext& context);
  // After a 401 with `challenges` (its WWW-Authenticate values): learns them and answers,
  // fetching a new token. nullopt when the 401 is final: no scheme pullguard speaks (then
  // `*unsupported` is set), or Basic without a credential.
  std::optional<Grant> After401(const AuthContext& context, const std::vector<std::string>& challenges,
                                bool* unsupported);
  // The challenge a 401 carries, as Grant::challenge names it ("" when none pullguard speaks).
  static std::string ChallengeOf(const std::vector<std::string>& challenges);

 private:
  struct Known {
    std::string scheme;  // "basic" or "bearer"
    std::string realm, service;
    std::string Name() const { return scheme == "basic" ? "basic" : scheme + " " + realm + " " + service; }
  };
  std::optional<Known> KnownFor(const std::string& host);
  void Remember(const std::string& host, Known known);
  Grant Token(const AuthContext& context, const Known& known, std::vector<std::string> scopes, bool refresh);

  Sender& sender_;
  TokenCache tokens_;
  // Each host's last challenge, for the first request's header (a host that changes its
  // challenge answers a 401, which is learned again).
  BoundedCache<Known> known_;
};

std::string BasicAuthorization(const auth::Credential& credential);

}  // namespace pullguard::registry
