// The registry client's layers, against a scripted fake transport.
#include <arpa/inet.h>

#include <catch2/catch.hpp>

#include <netdb.h>

#include "registry/address_guard.h"
#include "registry/classify.h"
#include "registry/challenge.h"
#include "registry/fake_transport.h"
#include "registry/registry_client.h"
#include "registry/url.h"

namespace pullguard::registry {
namespace {

ProbeTarget Target(const std::string& reference = "1.0") {
  ProbeTarget t;
  t.registry = "registry.example.com";
  t.repository = "team/app";
  t.reference = reference;
  t.by_digest = reference.rfind("sha256:", 0) == 0;
  t.deadline = Clock::now() + std::chrono::seconds(5);
  return t;
}

TEST_CASE("WWW-Authenticate: several challenges, quoted values, escapes") {
  auto cs = ParseChallenges({R"(Bearer realm="https://auth.example.com/token",service="reg, ok",scope="repository:a:pull", Basic realm="x\"y")"});
  REQUIRE(cs.size() == 2);
  CHECK(cs[0].scheme == "bearer");
  CHECK(cs[0].params.at("realm") == "https://auth.example.com/token");
  CHECK(cs[0].params.at("service") == "reg, ok");
  CHECK(cs[1].scheme == "basic");
  CHECK(cs[1].params.at("realm") == "x\"y");
  auto two_headers = ParseChallenges({"Basic realm=registry", "BEARER realm=\"https://t\""});
  REQUIRE(two_headers.size() == 2);
  CHECK(two_headers[1].scheme == "bearer");
  CHECK(ParseChallenges({",,, ="}).size() <= 1);  // junk ends, whatever it yields
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

TEST_CASE("each transport failure has its reason code") {
  struct Case {
    TransportError error;
    Reason reason;
    const char* contains;
  };
  const Case cases[] = {
      {TransportError::kDns, Reason::kRegistryUnresolvable, "registry host registry.example.com does not resolve"},
      {TransportError::kConnect, Reason::kRegistryUnreachable, "cannot connect to registry.example.com"},
      {TransportError::kReset, Reason::kRegistryUnreachable, "broke"},
      {TransportError::kTls, Reason::kRegistryTLSError, "TLS with registry.example.com failed"},
      {TransportError::kBlockedAddress, Reason::kPolicyViolation, "which pullguard does not contact"},
      {TransportError::kProtocol, Reason::kRegistryError, "no usable HTTP answer"},
  };
  for (const auto& c : cases) {
    INFO(TransportErrorName(c.error));
    FakeTransport transport([&](const HttpRequest&) {
      HttpResponse r;
      r.error = c.error;
      r.error_detail = "detail";
      return r;
    });
    // The resolver says NXDOMAIN without asking anyone: no query leaves the machine.
    RegistryClient client(transport, [](const std::string&) { return EAI_NONAME; });
    ProbeAnswer a = client.Probe(Target());
    CHECK_FALSE(a.ok);
    CHECK(a.reason == c.reason);
    CHECK_THAT(a.detail, Catch::Contains(c.contains));
  }
}

TEST_CASE("DNS: a name that does not exist denies, a resolver that does not answer only warns") {
  ProbeAnswer nxdomain = DnsFailure("ghcr.iox", EAI_NONAME);
  CHECK(nxdomain.reason == Reason::kRegistryUnresolvable);
  CHECK_FALSE(nxdomain.transient);
  ProbeAnswer outage = DnsFailure("ghcr.io", EAI_AGAIN);
  CHECK(outage.reason == Reason::kRegistryUnreachable);
  CHECK(outage.transient);
  CHECK_THAT(outage.detail, Catch::StartsWith("DNS lookup of ghcr.io failed ("));
  CHECK(ResolveAgain("localhost:5000") == 0);  // /etc/hosts and a literal: no DNS query
  CHECK(ResolveAgain("[::1]:5000") == 0);
  FakeTransport no_dns([](const HttpRequest&) {
    HttpResponse r;
    r.error = TransportError::kDns;
    return r;
  });
  RegistryClient client(no_dns, [](const std::string&) { return EAI_AGAIN; });
  ProbeAnswer a = client.Probe(Target());
  CHECK(a.reason == Reason::kRegistryUnreachable);
  CHECK(a.transient);
}

TEST_CASE("a stale bearer token is fetched again once, then the HEAD succeeds") {
  int token_requests = 0;
  FakeTransport transport([&](const HttpRequest& req) {
    if (req.url == "https://registry.example.com/v2/") {
      return Status(401, {{"www-authenticate", R"(Bearer realm="https://auth.example.com/token",service="reg")"}});
    }
    if (req.url.rfind("https://auth.example.com/token", 0) == 0) {
      ++token_requests;
      return Status(200, {}, R"({"token":"t)" + std::to_string(token_requests) + R"(","expires_in":300})");
    }
    // The first token is "revoked".
    if (AuthorizationOf(req) == "Bearer t1") return Status(401);
    return Status(200, {{"docker-content-digest", "sha256:" + std::string(64, 'a')},
                        {"content-type", "application/vnd.docker.distribution.manifest.v2+json"}});
  });
  RegistryClient client(transport);
  ProbeAnswer a = client.Probe(Target());
  CHECK(a.ok);
  CHECK(token_requests == 2);
  auto sent = transport.sent();
  // The token request asked for exactly the pull scope, anonymously.
  CHECK_THAT(sent[1].url, Catch::Contains("service=reg&scope=repository%3Ateam%2Fapp%3Apull"));
  CHECK(AuthorizationOf(sent[1]).empty());
}

TEST_CASE("hostile token answers: absurd expires_in, no token, huge body") {
  for (const std::string& body : {std::string(R"({"token":"t","expires_in":99999999999999999})"),
                                 std::string(R"({"token":"t","expires_in":-5})")}) {
    INFO(body);
    FakeTransport transport([&](const HttpRequest& req) {
      if (req.url.ends_with("/v2/")) return Status(401, {{"www-authenticate", R"(Bearer realm="https://auth.example.com/t")"}});
      if (req.url.rfind("https://auth.example.com/t", 0) == 0) return Status(200, {}, body);
      return Status(200);
    });
    RegistryClient client(transport, [](const std::string&) { return EAI_NONAME; });
    CHECK(client.Probe(Target()).ok);
    CHECK(client.Probe(Target("2.0")).ok);  // the cached token serves the second image
    int token_requests = 0;
    for (const auto& r : transport.sent()) token_requests += r.url.rfind("https://auth.example.com/t", 0) == 0;
    CHECK(token_requests == 1);
  }
  FakeTransport empty([](const HttpRequest& req) {
    if (req.url.ends_with("/v2/")) return Status(401, {{"www-authenticate", R"(Bearer realm="https://auth.example.com/t")"}});
    return Status(200, {}, R"({"nothing":"here"})");
  });
  RegistryClient client(empty, [](const std::string&) { return EAI_NONAME; });
  ProbeAnswer a = client.Probe(Target());
  CHECK(a.reason == Reason::kRegistryError);
  CHECK_THAT(a.detail, Catch::Contains("answered without a token"));
}

TEST_CASE("realms must be https, and a token service that refuses a credential is AuthFailed") {
  FakeTransport plain_realm([](const HttpRequest& req) {
    if (req.url.find("/v2/") != std::string::npos) return Status(401, {{"www-authenticate", R"(Bearer realm="http://auth.example.com/token")"}});
    return Status(200, {}, R"({"token":"t"})");
  });
  RegistryClient client(plain_realm);
  ProbeAnswer a = client.Probe(Target());
  CHECK(a.reason == Reason::kRegistryError);
  CHECK_THAT(a.detail, Catch::Contains("is not https"));
  CHECK(plain_realm.sent().size() == 1);  // the credential never went anywhere

  FakeTransport refusing([](const HttpRequest& req) {
    if (req.url.find("/v2/") != std::string::npos) return Status(401, {{"www-authenticate", R"(Bearer realm="https://auth.example.com/token")"}});
    return Status(401);
  });
  RegistryClient client2(refusing);
  ProbeTarget t = Target();
  t.credentials = {{"u1", "p1", "", "secret ns/one"}, {"u2", "p2", "", "secret ns/two"}};
  ProbeAnswer failed = client2.Probe(t);
  CHECK(failed.reason == Reason::kAuthFailed);
  CHECK_THAT(failed.detail, Catch::Contains("rejected every matching credential (secret ns/one, secret ns/two)"));
  CHECK(failed.detail.find("p1") == std::string::npos);
}

TEST_CASE("405 to HEAD falls back to GET, and a wrong Docker-Content-Digest is an error") {
  const std::string digest = "sha256:" + std::string(64, 'b');
  FakeTransport transport([&](const HttpRequest& req) {
    if (req.url.ends_with("/v2/")) return Status(200);
    if (req.method == "HEAD") return Status(405);
    return Status(200, {{"docker-content-digest", "sha256:" + std::string(64, 'c')}});
  });
  RegistryClient client(transport);
  ProbeAnswer a = client.Probe(Target(digest));
  CHECK_FALSE(a.ok);
  CHECK(a.reason == Reason::kRegistryError);
  CHECK_THAT(a.detail, Catch::Contains("answered digest sha256:cccccccccccc... for sha256:bbbbbbbbbbbb..."));
  auto sent = transport.sent();
  REQUIRE(sent.size() == 3);
  CHECK(sent[1].method == "HEAD");
  CHECK(sent[2].method == "GET");
}

TEST_CASE("platforms: attestation entries are ignored, variants matched") {
  auto platforms = PlatformsOfIndex(R"({"manifests":[
      {"platform":{"os":"linux","architecture":"amd64"}},
      {"platform":{"os":"linux","architecture":"arm","variant":"v7"}},
      {"platform":{"os":"unknown","architecture":"unknown"}}]})");
  REQUIRE(platforms.ok());
  REQUIRE(platforms->size() == 2);
  auto arm7 = Platform::Parse("linux/arm/v7");
  auto arm6 = Platform::Parse("linux/arm/v6");
  auto amd = Platform::Parse("linux/amd64");
  REQUIRE(arm7);
  CHECK((*platforms)[1].Serves(*arm7));
  CHECK_FALSE((*platforms)[1].Serves(*arm6));
  CHECK((*platforms)[0].Serves(*amd));
  CHECK_FALSE(Platform::Parse("linux").has_value());
  CHECK_FALSE(Platform::Parse("linux/arm/v7/x").has_value());
  CHECK_FALSE(PlatformsOfIndex("{not json").ok());
}

TEST_CASE("URLs: relative locations, hosts, redaction") {
  CHECK(ResolveLocation("https://a.example/v2/x/blobs/y", "/b?s=1") == "https://a.example/b?s=1");
  CHECK(ResolveLocation("https://a.example/v2/x", "https://c.example/d") == "https://c.example/d");
  CHECK(UrlHost("https://user@a.example:8443/path") == "a.example:8443");
  CHECK(RedactUrl("https://s.example/blob?X-Amz-Signature=abc") == "https://s.example/blob");
}

}  // namespace
}  // namespace pullguard::registry
