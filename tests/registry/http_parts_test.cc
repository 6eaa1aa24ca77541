// The small pieces under the registry client: challenges, the address guard, redirects, URLs,
// token answers, the token and platform caches.
#include <arpa/inet.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "registry/address_guard.h"
#include "registry/challenge.h"
#include "registry/fake_transport.h"
#include "registry/platform_cache.h"
#include "registry/sender.h"
#include "registry/token_cache.h"
#include "registry/token_fetch.h"
#include "registry/url.h"

namespace pullguard::registry {
namespace {

TEST_CASE("WWW-Authenticate: several challenges, quoted values, escapes") {
  auto cs = ParseChallenges({R"(Bearer realm="https://auth.example.com/token",service="reg, ok",scope="repository:a:pull", Basic realm="x\"y")"});
  REQUIRE(cs.size() == 2);
  CHECK(cs[0].scheme == "bearer");
  CHECK(cs[0].params.at("realm") == "https://auth.example.com/token");
  CHECK(cs[0].params.at("service") == "reg, ok");
  CHECK(cs[1].scheme == "basic");
  CHECK(cs[1].params.at("realm") == "x\"y");
  auto two_headers = ParseChallenges({"Basic realm=registry", "BEARER realm=\"https://t\",error=\"insufficient_scope\""});
  REQUIRE(two_headers.size() == 2);
  CHECK(two_headers[1].scheme == "bearer");
  CHECK(two_headers[1].params.at("error") == "insufficient_scope");
  // Junk ends without a loop and yields no challenge with parameters.
  for (const auto& c : ParseChallenges({",,, =", "=\"", "\"unterminated"})) CHECK(c.params.empty());
}

TEST_CASE("the address guard refuses loopback, link-local, metadata and private ranges") {
  struct Case {
    const char* address;
    bool restricted;
    const char* kind;
  };
  const Case cases[] = {
      {"127.0.0.1", true, "loopback"},         {"169.254.169.254", true, "link-local (cloud metadata)"},
      {"10.1.2.3", true, "private"},           {"172.16.0.1", true, "private"},
      {"172.32.0.1", false, ""},               {"192.168.1.1", true, "private"},
      {"100.64.0.1", true, "carrier-grade NAT"}, {"8.8.8.8", false, ""},
      {"::1", true, "loopback"},               {"fe80::1", true, "link-local"},
      {"fd00:ec2::254", true, "link-local (cloud metadata)"}, {"fd12::1", true, "private (unique local)"},
      {"::ffff:127.0.0.1", true, "loopback"},  {"2606:4700::1111", false, ""},
  };
  for (const auto& c : cases) {
    INFO(c.address);
    sockaddr_storage ss{};
    if (std::string(c.address).find(':') != std::string::npos) {
      auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
      v6->sin6_family = AF_INET6;
      REQUIRE(inet_pton(AF_INET6, c.address, &v6->sin6_addr) == 1);
    } else {
      auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
      v4->sin_family = AF_INET;
      REQUIRE(inet_pton(AF_INET, c.address, &v4->sin_addr) == 1);
    }
    auto kind = RestrictedAddressKind(reinterpret_cast<sockaddr*>(&ss));
    CHECK(kind.has_value() == c.restricted);
    if (kind) CHECK(*kind == c.kind);
  }
}

TEST_CASE("redirects: at most 3, never https to http, Authorization dropped across hosts") {
  FakeTransport transport([](const HttpRequest& req) {
    if (req.url == "https://a.example/v2/x") return Status(307, {{"location", "/v2/y"}});
    if (req.url == "https://a.example/v2/y") return Status(302, {{"location", "https://storage.example/blob?sig=1"}});
    if (req.url == "https://storage.example/blob?sig=1") return Status(200);
    if (req.url == "https://a.example/loop") return Status(302, {{"location", "/loop"}});
    if (req.url == "https://a.example/down") return Status(302, {{"location", "http://a.example/plain"}});
    return Status(404);
  });
  Sender sender(transport);
  HttpRequest req;
  req.url = "https://a.example/v2/x";
  req.headers = {{"Authorization", "Bearer secret-token"}};
  HttpResponse r = sender.Send(req);
  CHECK(r.status == 200);
  auto sent = transport.sent();
  REQUIRE(sent.size() == 3);
  CHECK(AuthorizationOf(sent[1]) == "Bearer secret-token");  // same host
  CHECK(AuthorizationOf(sent[2]).empty());                    // another host

  req.url = "https://a.example/loop";
  HttpResponse loop = sender.Send(req);
  CHECK(loop.error == TransportError::kProtocol);
  CHECK(loop.error_detail == "more than 3 redirects");

  req.url = "https://a.example/down";
  HttpResponse down = sender.Send(req);
  CHECK(down.error == TransportError::kProtocol);
  CHECK_THAT(down.error_detail, Catch::Contains("redirect from https to http://a.example/plain refused"));
}

TEST_CASE("URLs: relative locations, hosts, redaction") {
  CHECK(ResolveLocation("https://a.example/v2/x/blobs/y", "/b?s=1") == "https://a.example/b?s=1");
  CHECK(ResolveLocation("https://a.example/v2/x", "https://c.example/d") == "https://c.example/d");
  CHECK(UrlHost("https://user@a.example:8443/path") == "a.example:8443");
  CHECK(RedactUrl("https://s.example/blob?X-Amz-Signature=abc") == "https://s.example/blob");
}

TEST_CASE("token answers: token or access_token, expires_in clamped to [60 s, 24 h]") {
  struct Case {
    const char* body;
    const char* token;
    long long seconds;
  };
  const Case cases[] = {
      {R"({"token":"a","expires_in":300})", "a", 300},
      {R"({"token":"a","access_token":"b"})", "b", 60},
      {R"({"access_token":"b","expires_in":-5})", "b", 60},
      {R"({"token":"a","expires_in":99999999999999999})", "a", 86400},
      {R"({"token":"a","expires_in":"300"})", "a", 60},
  };
  for (const auto& c : cases) {
    INFO(c.body);
    auto a = ParseTokenResponse(c.body);
    REQUIRE(a);
    CHECK(a->token == c.token);
    CHECK(a->lifetime.count() == c.seconds);
  }
  CHECK_FALSE(ParseTokenResponse(R"({"nothing":"here"})"));
  CHECK_FALSE(ParseTokenResponse(R"({"token":""})"));
  CHECK_FALSE(ParseTokenResponse("[1,2]"));
  CHECK_FALSE(ParseTokenResponse(std::string(70000, '{')));
}

TEST_CASE("TokenCache: expires with its lifetime (renewed early), failures are not kept, fetches joined") {
  auto now = TokenCache::Clock::time_point{} + std::chrono::hours(1);
  TokenCache cache(4, [&] { return now; });
  int fetches = 0;
  auto fetch = [&]() -> std::optional<TokenCache::Fetched> {
    ++fetches;
    return TokenCache::Fetched{"t" + std::to_string(fetches), std::chrono::seconds(300)};
  };
  CHECK(cache.GetOrFetch("k", fetch) == "t1");
  CHECK(cache.GetOrFetch("k", fetch) == "t1");
  now += std::chrono::seconds(269);  // 300 - 30 s early renewal - 1
  CHECK(cache.GetOrFetch("k", fetch) == "t1");
  now += std::chrono::seconds(2);
  CHECK(cache.GetOrFetch("k", fetch) == "t2");
  CHECK(fetches == 2);

  CHECK_FALSE(cache.GetOrFetch("bad", [] { return std::optional<TokenCache::Fetched>{}; }));
  CHECK_FALSE(cache.Get("bad"));
  CHECK_FALSE(cache.GetOrFetch("throws", []() -> std::optional<TokenCache::Fetched> { throw std::runtime_error("x"); }));
  CHECK(cache.GetOrFetch("throws", fetch) == "t3");  // not left in flight

  for (int i = 0; i < 10; ++i) cache.Put("many" + std::to_string(i), "x", std::chrono::seconds(300));
  CHECK(cache.size() <= 4);

  TokenCache shared;
  std::atomic<int> slow_fetches{0};
  std::vector<std::thread> threads;
  std::vector<std::optional<std::string>> got(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      got[i] = shared.GetOrFetch("same", [&]() -> std::optional<TokenCache::Fetched> {
        ++slow_fetches;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        return TokenCache::Fetched{"shared", std::chrono::seconds(300)};
      });
    });
  }
  for (auto& t : threads) t.join();
  CHECK(slow_fetches.load() == 1);
  for (const auto& g : got) CHECK(g == "shared");
}

TEST_CASE("PlatformCache: by digest, bounded, oldest out first") {
  PlatformCache cache(2);
  cache.Put("sha256:a", {{"linux", "amd64", ""}});
  cache.Put("sha256:b", {{"linux", "arm64", ""}});
  cache.Put("sha256:c", {});
  CHECK(cache.size() == 2);
  CHECK_FALSE(cache.Get("sha256:a"));
  REQUIRE(cache.Get("sha256:b"));
  CHECK(cache.Get("sha256:b")->front().architecture == "arm64");
  cache.Put("", {{"linux", "amd64", ""}});  // no digest, nothing to key by
  CHECK(cache.size() == 2);
}

}  // namespace
}  // namespace pullguard::registry
