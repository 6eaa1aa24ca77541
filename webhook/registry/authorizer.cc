#include "registry/authorizer.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "auth/docker_config.h"
#include "registry/challenge.h"
#include "registry/classify.h"
#include "registry/url.h"

namespace pullguard::registry {
namespace {

constexpr auto kPingTtl = std::chrono::minutes(5);
constexpr long long kMinTokenSeconds = 60;
// A token service may send any expires_in; far-future ones would overflow clock arithmetic.
constexpr long long kMaxTokenSeconds = 24 * 3600;


}  // namespace

std::string BasicAuthorization(const auth::Credential& credential) {
  return "Basic " + auth::EncodeAuthField(credential.username, credential.password);
}

std::optional<ProbeAnswer> Authorizer::PingEndpoint(const Endpoint& endpoint, const ProbeTarget& target, Ping* ping) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = pings_.find(endpoint.base_url);
    if (it != pings_.end() && Clock::now() < it->second.expires) {
      *ping = it->second;
      return std::nullopt;
    }
  }
  HttpRequest req;
  req.method = "GET";
  req.url = endpoint.base_url + "/v2/";
  req.deadline = target.deadline;
  req.ca_file = endpoint.settings.ca_file;
  req.allow_private = endpoint.settings.allow_private;
  HttpResponse r = sender_.Send(req);
  if (r.error != TransportError::kNone) return TransportFailure(r, endpoint.host, target, resolve_);
  if (r.status != 200 && r.status != 401) return UnexpectedStatus(r, Who(endpoint), "GET /v2/");
  ping->status = r.status;
  ping->challenges = r.Headers("www-authenticate");
  ping->expires = Clock::now() + kPingTtl;
  std::lock_guard<std::mutex> lock(mutex_);
  pings_[endpoint.base_url] = *ping;
  return std::nullopt;
}

Authorization Authorizer::Authorize(const Endpoint& endpoint, const ProbeTarget& target, const auth::Credential* credential) {
  Ping ping;
  if (auto failure = PingEndpoint(endpoint, target, &ping)) return {"", "", failure};
  if (ping.status == 200) return {};  // an open registry: nothing to send
  std::vector<Challenge> challenges = ParseChallenges(ping.challenges);
  for (const auto& c : challenges) {
    if (c.scheme == "bearer" && c.params.count("realm")) return FetchToken(endpoint, target, c.params, credential);
  }
  for (const auto& c : challenges) {
    if (c.scheme == "basic") return {credential ? BasicAuthorization(*credential) : "", "", std::nullopt};
  }
  return {"", "", Failure(Reason::kRegistryError, endpoint.host + " asks for an authentication scheme pullguard does not speak",
                       "use a registry with Basic or Bearer token auth", false)};
}

Authorization Authorizer::FetchToken(const Endpoint& endpoint, const ProbeTarget& target,
                                     const std::map<std::string, std::string>& params, const auth::Credential* credential) {
  const std::string realm = params.at("realm");
  const std::string service = params.count("service") ? params.at("service") : "";
  const std::string scope = "repository:" + target.repository + ":pull";
  // Credentials go to the realm only over TLS; a plain-HTTP realm is accepted only for a
  // registry that is itself marked insecure.
  if (UrlScheme(realm) != "https" && !(endpoint.settings.insecure && UrlScheme(realm) == "http")) {
    return {"", "", Failure(Reason::kRegistryError, endpoint.host + "'s token realm " + RedactUrl(realm) + " is not https",
                         "fix the registry's auth configuration, or mark it insecure in the policy", false)};
  }
  std::string identity = credential ? credential->Identity() : "anonymous";
  std::string key = TokenCache::Key(realm, service, scope, identity);
  if (auto token = tokens_.Get(key)) return {"Bearer " + *token, key, std::nullopt};

  HttpRequest req;
  req.method = "GET";
  req.url = realm + (realm.find('?') == std::string::npos ? "?" : "&") +
            (service.empty() ? "" : "service=" + UrlEncode(service) + "&") + "scope=" + UrlEncode(scope);
  req.deadline = target.deadline;
  req.ca_file = endpoint.settings.ca_file;
  req.allow_private = endpoint.settings.allow_private;
  if (credential) req.headers.emplace_back("Authorization", BasicAuthorization(*credential));
  HttpResponse r = sender_.Send(req);
  std::string realm_host = UrlHost(realm);
  if (r.error != TransportError::kNone) return {"", "", TransportFailure(r, realm_host, target, resolve_)};
  if (r.status == 401 || r.status == 403) {
    if (credential) {
      return {"", "", Failure(Reason::kAuthFailed, "the token service " + realm_host + " rejected " + credential->source,
                           "update the pull secret's credentials for " + endpoint.registry)};
    }
    return {"", "", Failure(Reason::kAuthRequired,
                         endpoint.registry + " allows no anonymous pulls and no pull secret matches it (a 401 may "
                                             "also mean the repository does not exist)",
                         "add an imagePullSecret with an entry for " + endpoint.registry)};
  }
  if (r.status != 200) return {"", "", UnexpectedStatus(r, "the token service " + realm_host, "the token request")};
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  std::string token;
  long long expires_in = kMinTokenSeconds;
  if (doc.is_object()) {
    if (auto t = doc.find("token"); t != doc.end() && t->is_string()) token = t->get<std::string>();
    if (auto t = doc.find("access_token"); token.empty() && t != doc.end() && t->is_string()) token = t->get<std::string>();
    if (auto e = doc.find("expires_in"); e != doc.end() && e->is_number_integer()) expires_in = e->get<long long>();
  }
  if (token.empty()) {
    return {"", "", Failure(Reason::kRegistryError, "the token service " + realm_host + " answered without a token",
                         "check the registry's auth service", true)};
  }
  tokens_.Put(key, token, std::chrono::seconds(std::clamp(expires_in, kMinTokenSeconds, kMaxTokenSeconds)));
  return {"Bearer " + token, key, std::nullopt};
}

}  // namespace pullguard::registry
