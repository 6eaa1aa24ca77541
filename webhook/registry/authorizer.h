// Authorizer: the handshake before a manifest request, told once:
//   ping GET /v2/ -> 200: no auth | 401 Basic: send the credential | 401 Bearer: exchange the
//   credential (or nothing, anonymously) at the realm for a token with
//   scope=repository:NAME:pull, cached until expires_in.
// Pings are cached per endpoint; tokens per (realm, service, scope, credential identity).
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "registry/classify.h"
#include "registry/probe.h"
#include "registry/sender.h"
#include "registry/token_cache.h"

namespace pullguard::registry {

// The Authorization header for one attempt ("" for none), or why there is none.
struct Authorization {
  std::string header;
  std::string token_cache_key;  // set for bearer tokens, so a rejected one can be forgotten
  std::optional<ProbeAnswer> failure;
};

class Authorizer {
 public:
  Authorizer(Sender& sender, Resolver resolve) : sender_(sender), resolve_(std::move(resolve)) {}

  // `credential` null: anonymous.
  Authorization Authorize(const Endpoint& endpoint, const ProbeTarget& target, const auth::Credential* credential);
  void ForgetToken(const std::string& key) { tokens_.Forget(key); }

 private:
  struct Ping {
    int status = 0;
    std::vector<std::string> challenges;
    Clock::time_point expires;
  };
  std::optional<ProbeAnswer> PingEndpoint(const Endpoint& endpoint, const ProbeTarget& target, Ping* ping);
  Authorization FetchToken(const Endpoint& endpoint, const ProbeTarget& target, const std::map<std::string, std::string>& params,
                           const auth::Credential* credential);

  Sender& sender_;
  Resolver resolve_;
  TokenCache tokens_;
  std::mutex mutex_;
  std::map<std::string, Ping> pings_;
};

std::string BasicAuthorization(const auth::Credential& credential);

}  // namespace pullguard::registry
