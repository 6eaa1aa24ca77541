#include "registry/authorizer.h"

#include <algorithm>

#include "auth/docker_config.h"
#include "registry/challenge.h"
#include "registry/token_fetch.h"
#include "registry/url.h"

namespace pullguard::registry {
namespace {

std::vector<std::string> SplitScopes(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t space = text.find(' ', start);
    std::string part = text.substr(start, space == std::string::npos ? std::string::npos : space - start);
    if (!part.empty() && out.size() < 8) out.push_back(part.substr(0, 256));
    if (space == std::string::npos) break;
    start = space + 1;
  }
  return out;
}

}  // namespace

std::string BasicAuthorization(const auth::Credential& credential) {
  return "Basic " + auth::EncodeAuthField(credential.username, credential.password);
}

std::optional<Authorizer::Known> Authorizer::KnownFor(const std::string& host) { return known_.Get(host); }

void Authorizer::Remember(const std::string& host, Known known) {
  // A registry's challenge changes only with its configuration: a day, then learned again.
  known_.Put(host, std::move(known), std::chrono::hours(24));
}

Grant Authorizer::Token(const AuthContext& context, const Known& known, std::vector<std::string> scopes, bool refresh) {
  const RegistryHost& host = *context.host;
  // Credentials go to the realm only over TLS; a plain-HTTP realm only for a registry that is
  // itself plain HTTP.
  std::string realm_scheme = UrlScheme(known.realm);
  if (realm_scheme != "https" && !(host.scheme == "http" && realm_scheme == "http")) {
    Failure f;
    f.server = Server::kTokenService;
    f.host = UrlHost(known.realm);
    f.url = RedactUrl(known.realm);
    f.problem = Problem::kInsecureRealm;
    f.problem_detail = RedactUrl(known.realm);
    return {"", false, f, known.Name()};
  }
  scopes.push_back("repository:" + context.repository + ":pull");
  std::sort(scopes.begin(), scopes.end());
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  std::string scope_key;
  for (const auto& s : scopes) scope_key += s + " ";
  std::string identity = context.credential ? context.credential->Identity() : "anonymous";
  std::string key = TokenCache::Key(known.realm, known.service, scope_key, identity);
  if (refresh) tokens_.Forget(key);
  bool fetched = false;
  std::optional<Failure> failure;
  std::optional<std::string> token = tokens_.GetOrFetch(key, [&]() -> std::optional<TokenCache::Fetched> {
    TokenRequest request;
    request.realm = known.realm;
    request.service = known.service;
    request.scopes = scopes;
    request.credential = context.credential;
    request.base = context.base;
    request.base.headers.clear();
    TokenAnswer answer = FetchToken(sender_, request);
    fetched = true;
    if (answer.failure) {
      failure = answer.failure;
      return std::nullopt;
    }
    return TokenCache::Fetched{answer.token, answer.lifetime};
  });
  if (!token) {
    if (!failure) {  // joined a fetch that failed: say so without its details
      Failure f;
      f.server = Server::kTokenService;
      f.host = UrlHost(known.realm);
      f.url = RedactUrl(known.realm);
      f.transport = TransportError::kOther;
      f.transport_detail = "a token request for the same scope failed";
      failure = f;
    }
    return {"", false, failure, known.Name()};
  }
  return {"Bearer " + *token, fetched, std::nullopt, known.Name()};
}

Grant Authorizer::Before(const AuthContext& context) {
  auto known = KnownFor(context.host->host);
  if (!known) return {};
  if (known->scheme == "basic") {
    if (context.credential == nullptr) return {};
    return {BasicAuthorization(*context.credential), false, std::nullopt, "basic"};
  }
  return Token(context, *known, {}, false);
}

std::string Authorizer::ChallengeOf(const std::vector<std::string>& challenges) {
  std::vector<Challenge> parsed = ParseChallenges(challenges);
  for (const auto& c : parsed) {
    if (c.scheme != "bearer" || c.params.count("realm") == 0) continue;
    return Known{"bearer", c.params.at("realm"), c.params.count("service") ? c.params.at("service") : ""}.Name();
  }
  for (const auto& c : parsed) {
    if (c.scheme == "basic") return "basic";
  }
  return "";
}

std::optional<Grant> Authorizer::After401(const AuthContext& context, const std::vector<std::string>& challenges,
                                          bool* unsupported) {
  *unsupported = false;
  std::vector<Challenge> parsed = ParseChallenges(challenges);
  for (const auto& c : parsed) {
    if (c.scheme != "bearer" || c.params.count("realm") == 0) continue;
    Known known{"bearer", c.params.at("realm"), c.params.count("service") ? c.params.at("service") : ""};
    Remember(context.host->host, known);
    std::vector<std::string> scopes = c.params.count("scope") ? SplitScopes(c.params.at("scope")) : std::vector<std::string>{};
    return Token(context, known, std::move(scopes), /*refresh=*/true);
  }
  for (const auto& c : parsed) {
    if (c.scheme != "basic") continue;
    Remember(context.host->host, {"basic", "", ""});
    if (context.credential == nullptr) return std::nullopt;  // nothing to send: the 401 stands
    return Grant{BasicAuthorization(*context.credential), true, std::nullopt, "basic"};
  }
  *unsupported = true;
  return std::nullopt;
}

}  // namespace pullguard::registry
