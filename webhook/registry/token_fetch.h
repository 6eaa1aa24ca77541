// Bearer token requests, as containerd's authorizer makes them: with a credential, an OAuth2
// password grant (POST, form-encoded); when the token service does not take POST (404, 405,
// 401 or 400), a GET with Basic auth; without a credential, an anonymous GET. Scopes go as
// one space-separated `scope` field (POST) or one `scope` parameter each (GET).
// Thread-safety: pure functions over a thread-safe Sender.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "auth/keyring.h"
#include "registry/failure.h"
#include "registry/sender.h"

namespace pullguard::registry {

struct TokenRequest {
  std::string realm;  // https URL of the token service
  std::string service;
  std::vector<std::string> scopes;  // e.g. repository:team/app:pull
  const auth::Credential* credential = nullptr;  // null: anonymous
  // How to reach the realm (the registry's own settings).
  HttpRequest base;
};

struct TokenAnswer {
  std::string token;
  std::chrono::seconds lifetime{60};
  std::optional<Failure> failure;  // set when no token came
};

TokenAnswer FetchToken(Sender& sender, const TokenRequest& request);

// A token response's body: {"token" | "access_token", "expires_in"}. expires_in is clamped to
// [60 s, 24 h]: a token service may send anything, and far-future values overflow clocks.
std::optional<TokenAnswer> ParseTokenResponse(const std::string& body);

}  // namespace pullguard::registry
