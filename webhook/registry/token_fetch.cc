#include "registry/token_fetch.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "auth/docker_config.h"
#include "common/metrics.h"
#include "registry/url.h"

namespace pullguard::registry {
namespace {

constexpr long long kMinTokenSeconds = 60;
constexpr long long kMaxTokenSeconds = 24 * 3600;

std::string Join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

TokenAnswer Fail(const HttpRequest& req, const HttpResponse& res) { return {"", {}, FailureOf(req, res, Server::kTokenService)}; }

TokenAnswer Answer(const HttpRequest& req, const HttpResponse& res) {
  if (auto parsed = ParseTokenResponse(res.body)) return *parsed;
  TokenAnswer none = Fail(req, res);
  none.failure->problem = Problem::kNoToken;
  return none;
}

HttpRequest GetRequest(const TokenRequest& t) {
  HttpRequest req = t.base;
  req.method = "GET";
  std::string query = t.service.empty() ? "" : "service=" + UrlEncode(t.service);
  for (const auto& scope : t.scopes) query += (query.empty() ? "" : "&") + std::string("scope=") + UrlEncode(scope);
  req.url = t.realm + (query.empty() ? "" : (t.realm.find('?') == std::string::npos ? "?" : "&") + query);
  if (t.credential != nullptr && !t.credential->password.empty()) {
    req.headers.emplace_back("Authorization",
                             "Basic " + auth::EncodeAuthField(t.credential->username, t.credential->password));
  }
  return req;
}

HttpRequest PostRequest(const TokenRequest& t) {
  HttpRequest req = t.base;
  req.method = "POST";
  req.url = t.realm;
  req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  std::string form;
  if (!t.scopes.empty()) form += "scope=" + UrlEncode(Join(t.scopes, " ")) + "&";
  form += "service=" + UrlEncode(t.service) + "&client_id=pullguard";
  if (t.credential->username.empty()) {
    form += "&grant_type=refresh_token&refresh_token=" + UrlEncode(t.credential->password);
  } else {
    form += "&grant_type=password&username=" + UrlEncode(t.credential->username) +
            "&password=" + UrlEncode(t.credential->password);
  }
  req.body = std::move(form);
  return req;
}

}  // namespace

std::optional<TokenAnswer> ParseTokenResponse(const std::string& body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object()) return std::nullopt;
  TokenAnswer a;
  // access_token wins when both are there, as containerd canonicalizes it.
  for (const char* key : {"token", "access_token"}) {
    if (auto t = doc.find(key); t != doc.end() && t->is_string() && !t->get_ref<const std::string&>().empty()) {
      a.token = t->get<std::string>();
    }
  }
  if (a.token.empty()) return std::nullopt;
  long long expires_in = kMinTokenSeconds;
  if (auto e = doc.find("expires_in"); e != doc.end() && e->is_number_integer()) expires_in = e->get<long long>();
  a.lifetime = std::chrono::seconds(std::clamp(expires_in, kMinTokenSeconds, kMaxTokenSeconds));
  return a;
}

namespace {

TokenAnswer FetchTokenUncounted(Sender& sender, const TokenRequest& t) {
  if (t.credential != nullptr && !t.credential->password.empty()) {
    HttpRequest post = PostRequest(t);
    HttpResponse res = sender.Send(post);
    if (res.error != TransportError::kNone) return Fail(post, res);
    if (res.status >= 200 && res.status < 400) return Answer(post, res);
    // Token services without POST: GCR answers 404, Artifactory 401, ACR 400 (containerd's list).
    bool try_get = (res.status == 405 && !t.credential->username.empty()) || res.status == 404 || res.status == 401 ||
                   res.status == 400;
    if (!try_get) return Fail(post, res);
  }
  HttpRequest get = GetRequest(t);
  HttpResponse res = sender.Send(get);
  if (res.error != TransportError::kNone || res.status < 200 || res.status >= 400) return Fail(get, res);
  return Answer(get, res);
}

}  // namespace

TokenAnswer FetchToken(Sender& sender, const TokenRequest& t) {
  TokenAnswer answer = FetchTokenUncounted(sender, t);
  CountTokenFetch(t.base.metrics_label, !answer.failure.has_value());
  return answer;
}

}  // namespace pullguard::registry
