// The registry client's flow, against a scripted transport: the auth handshake learned from
// 401s, token requests as containerd sends them, hosts in order with fallback, platforms,
// and the facts each failure leaves (typed, no words: checker/ writes those).
#include <catch2/catch.hpp>

#include <netdb.h>

#include "registry/fake_transport.h"
#include "registry/registry_client.h"

namespace pullguard::registry {
namespace {

const std::string kDigest = "sha256:" + std::string(64, 'a');
const char* kBearer = R"(Bearer realm="https://auth.example.com/token",service="reg",scope="repository:team/app:pull")";

ProbeTarget Target(const std::string& reference = "1.0") {
  ProbeTarget t;
  t.registry = "registry.example.com";
  t.repository = "team/app";
  t.reference = reference;
  t.by_digest = reference.rfind("sha256:", 0) == 0;
  t.hosts = {UpstreamHost(t.registry, false)};
  t.deadline = Clock::now() + std::chrono::seconds(5);
  return t;
}

ProbeTarget WithCredentials(ProbeTarget t, std::vector<auth::Credential> creds) {
  t.credentials = std::move(creds);
  return t;
}

auth::Credential Cred(const std::string& user, const std::string& pass, const std::string& source) {
  return {user, pass, "", source};
}

HttpResponse Manifest() {
  return Status(200, {{"docker-content-digest", kDigest}, {"content-type", "application/vnd.oci.image.manifest.v1+json"}});
}

bool IsToken(const HttpRequest& r) { return r.url.rfind("https://auth.example.com/token", 0) == 0; }
bool IsManifest(const HttpRequest& r) { return r.url.find("/manifests/") != std::string::npos; }

// No DNS query ever leaves the machine from these tests.
int NxDomain(const std::string&) { return EAI_NONAME; }

TEST_CASE("an open registry: one HEAD with the manifest types, nothing else") {
  FakeTransport t([](const HttpRequest&) { return Manifest(); });
  RegistryClient client(t, NxDomain);
  ProbeResult r = client.Probe(Target());
  CHECK(r.ok());
  CHECK(r.digest == kDigest);
  auto sent = t.sent();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].method == "HEAD");
  CHECK(sent[0].url == "https://registry.example.com/v2/team/app/manifests/1.0");
}

TEST_CASE("regression: a 401 on the manifest after an open /v2/ is answered with its own challenge") {
  // The old client pinged /v2/ (200 here) and never fetched a token, calling the image
  // AuthRequired, or AuthFailed with a credential it had never sent.
  for (bool with_credential : {false, true}) {
    INFO("credential: " << with_credential);
    FakeTransport t([](const HttpRequest& req) {
      if (IsToken(req)) return Status(200, {}, R"({"token":"tok","expires_in":300})");
      if (req.url.ends_with("/v2/")) return Status(200);
      if (AuthorizationOf(req) == "Bearer tok") return Manifest();
      return Status(401, {{"www-authenticate", kBearer}});
    });
    RegistryClient client(t, NxDomain);
    ProbeTarget target = Target();
    if (with_credential) target = WithCredentials(target, {Cred("u", "p", "secret ns/regcred")});
    ProbeResult r = client.Probe(target);
    CHECK(r.ok());
    CHECK(t.Count(IsToken) >= 1);
  }
}

TEST_CASE("token requests: the challenge's scope plus the pull scope, POST for a credential, GET anonymously") {
  FakeTransport t([](const HttpRequest& req) {
    if (IsToken(req)) return Status(200, {}, R"({"access_token":"tok"})");
    if (AuthorizationOf(req) == "Bearer tok") return Manifest();
    return Status(401, {{"www-authenticate", R"(Bearer realm="https://auth.example.com/token",service="reg",scope="repository:team/app:pull repository:other:pull")"}});
  });
  RegistryClient client(t, NxDomain);
  REQUIRE(client.Probe(Target()).ok());
  auto sent = t.sent();
  REQUIRE(sent.size() == 3);
  CHECK(sent[1].method == "GET");
  CHECK(sent[1].url ==
        "https://auth.example.com/token?service=reg&scope=repository%3Aother%3Apull&scope=repository%3Ateam%2Fapp%3Apull");
  CHECK(AuthorizationOf(sent[1]).empty());

  FakeTransport t2([](const HttpRequest& req) {
    if (IsToken(req)) return Status(200, {}, R"({"access_token":"tok"})");
    if (AuthorizationOf(req) == "Bearer tok") return Manifest();
    return Status(401, {{"www-authenticate", kBearer}});
  });
  RegistryClient client2(t2, NxDomain);
  REQUIRE(client2.Probe(WithCredentials(Target(), {Cred("alice", "pa ss&1", "secret ns/a")})).ok());
  auto post = t2.sent()[1];
  CHECK(post.method == "POST");
  CHECK(post.url == "https://auth.example.com/token");
  CHECK(post.body ==
        "scope=repository%3Ateam%2Fapp%3Apull&service=reg&client_id=pullguard&grant_type=password&username=alice&"
        "password=pa%20ss%261");
}

TEST_CASE("a token service without POST: 404, 405, 401 or 400 to the POST falls back to GET with Basic") {
  for (int status : {404, 405, 401, 400}) {
    INFO(status);
    FakeTransport t([status](const HttpRequest& req) {
      if (IsToken(req) && req.method == "POST") return Status(status);
      if (IsToken(req)) return AuthorizationOf(req).rfind("Basic ", 0) == 0 ? Status(200, {}, R"({"token":"tok"})") : Status(401);
      if (AuthorizationOf(req) == "Bearer tok") return Manifest();
      return Status(401, {{"www-authenticate", kBearer}});
    });
    RegistryClient client(t, NxDomain);
    CHECK(client.Probe(WithCredentials(Target(), {Cred("u", "p", "secret ns/a")})).ok());
  }
}

TEST_CASE("regression: Docker Hub's shape for a missing repository is insufficient_scope, not bad credentials") {
  // Docker Hub grants a token that covers nothing, then answers 401 error="insufficient_scope".
  FakeTransport t([](const HttpRequest& req) {
    if (IsToken(req)) return Status(200, {}, R"({"token":"empty-grant"})");
    if (AuthorizationOf(req) == "Bearer empty-grant") {
      return Status(401, {{"www-authenticate", std::string(kBearer) + R"(,error="insufficient_scope")"}});
    }
    return Status(401, {{"www-authenticate", kBearer}});
  });
  RegistryClient client(t, NxDomain);
  ProbeResult anonymous = client.Probe(Target());
  CHECK(anonymous.outcome == Outcome::kUnauthorized);
  CHECK(anonymous.anonymous);
  CHECK(anonymous.failure.challenge_error == "insufficient_scope");

  ProbeResult with_secret = client.Probe(WithCredentials(Target(), {Cred("u", "p", "secret ns/hub")}));
  CHECK(with_secret.outcome == Outcome::kForbidden);  // the credential was accepted; the repository is not theirs
  CHECK(with_secret.no_access == std::vector<std::string>{"secret ns/hub"});
  CHECK(with_secret.refused.empty());
}

TEST_CASE("credentials: each is its own pull, every refusal is listed, none is shown") {
  FakeTransport t([](const HttpRequest& req) {
    if (IsToken(req)) return Status(401, {}, R"({"errors":[{"code":"UNAUTHORIZED"}]})");
    return Status(401, {{"www-authenticate", kBearer}});
  });
  RegistryClient client(t, NxDomain);
  ProbeResult r = client.Probe(WithCredentials(Target(), {Cred("u1", "p1", "secret ns/one"), Cred("u2", "p2", "secret ns/two")}));
  CHECK(r.outcome == Outcome::kUnauthorized);
  CHECK_FALSE(r.anonymous);
  CHECK(r.refused == std::vector<std::string>{"secret ns/one", "secret ns/two"});
  CHECK(r.failure.server == Server::kTokenService);

  // The second credential works: the pull works.
  FakeTransport t2([](const HttpRequest& req) {
    if (AuthorizationOf(req) == "Basic " + std::string("dTI6cDI=")) return Manifest();  // u2:p2
    return Status(401, {{"www-authenticate", R"(Basic realm="reg")"}});
  });
  RegistryClient client2(t2, NxDomain);
  CHECK(client2.Probe(WithCredentials(Target(), {Cred("u1", "p1", "secret ns/one"), Cred("u2", "p2", "secret ns/two")})).ok());
}

TEST_CASE("regression: a token service that fails or hangs is asked, and its failure is transient") {
  FakeTransport failing([](const HttpRequest& req) {
    if (IsToken(req)) return Status(500);
    return Status(401, {{"www-authenticate", kBearer}});
  });
  RegistryClient client(failing, NxDomain);
  ProbeResult r = client.Probe(Target());
  CHECK(r.outcome == Outcome::kFailed);
  CHECK(r.failure.server == Server::kTokenService);
  CHECK(r.failure.status == 500);
  CHECK(r.Transient());

  FakeTransport hanging([](const HttpRequest& req) {
    if (IsToken(req)) return Scripted{Status(200, {}, R"({"token":"late"})"), std::chrono::seconds(30)};
    return Scripted{Status(401, {{"www-authenticate", kBearer}}), {}};
  });
  RegistryClient client2(hanging, NxDomain);
  ProbeTarget target = Target();
  target.deadline = Clock::now() + std::chrono::milliseconds(200);
  ProbeResult hung = client2.Probe(target);
  CHECK(hung.outcome == Outcome::kFailed);
  CHECK(hung.failure.transport == TransportError::kTimeout);
  CHECK(hung.Transient());
}

TEST_CASE("a cached token the registry no longer takes is fetched again, once, a fresh one refused is final") {
  int issued = 0;
  FakeTransport t([&](const HttpRequest& req) {
    if (IsToken(req)) return Status(200, {}, R"({"token":"t)" + std::to_string(++issued) + R"("})");
    if (AuthorizationOf(req) == "Bearer t1" && req.url.find("/2.0") != std::string::npos) return Status(401, {{"www-authenticate", kBearer}});
    if (AuthorizationOf(req).rfind("Bearer t", 0) == 0) return Manifest();
    return Status(401, {{"www-authenticate", kBearer}});
  });
  RegistryClient client(t, NxDomain);
  REQUIRE(client.Probe(Target("1.0")).ok());  // learns the challenge, token t1
  CHECK(issued == 1);
  CHECK(client.Probe(Target("2.0")).ok());  // t1 refused (revoked): t2 fetched, retried
  CHECK(issued == 2);

  FakeTransport never([](const HttpRequest& req) {
    if (IsToken(req)) return Status(200, {}, R"({"token":"x"})");
    return Status(401, {{"www-authenticate", kBearer}});
  });
  RegistryClient client2(never, NxDomain);
  ProbeResult r = client2.Probe(Target());
  CHECK(r.outcome == Outcome::kUnauthorized);
  CHECK(never.Count(IsToken) == 1);
  CHECK(never.Count(IsManifest) == 2);
}

TEST_CASE("hosts: a mirror first, 404 or a failure there falls back to the registry, as containerd does") {
  auto target = [] {
    ProbeTarget t = Target();
    RegistryHost mirror;
    mirror.host = "mirror.local:5000";
    mirror.is_mirror = true;
    t.hosts.insert(t.hosts.begin(), mirror);
    return t;
  };
  FakeTransport lacks([](const HttpRequest& req) {
    if (req.url.find("mirror.local") != std::string::npos) return Status(404);
    return Manifest();
  });
  RegistryClient client(lacks, NxDomain);
  ProbeResult r = client.Probe(target());
  CHECK(r.ok());
  CHECK(r.host == "registry.example.com");
  CHECK_FALSE(r.from_mirror);

  FakeTransport mirror_has([](const HttpRequest& req) {
    if (req.url.find("mirror.local") != std::string::npos) return Manifest();
    return Broken(TransportError::kConnect);
  });
  RegistryClient client2(mirror_has, NxDomain);
  ProbeResult m = client2.Probe(target());
  CHECK(m.ok());
  CHECK(m.from_mirror);
  CHECK(mirror_has.sent().size() == 1);

  // The mirror fails and the registry says 404: the first failure is what the pull reports.
  FakeTransport down([](const HttpRequest& req) {
    if (req.url.find("mirror.local") != std::string::npos) return Status(503);
    return Status(404);
  });
  RegistryClient client3(down, NxDomain);
  ProbeResult d = client3.Probe(target());
  CHECK(d.outcome == Outcome::kFailed);
  CHECK(d.failure.status == 503);
  CHECK(d.Transient());

  FakeTransport both([](const HttpRequest& req) {
    if (req.url.find("/tags/list") != std::string::npos) return Status(200, {}, R"({"name":"team/app","tags":["1.0"]})");
    return Status(404);
  });
  RegistryClient client4(both, NxDomain);
  ProbeResult n = client4.Probe(target());
  CHECK(n.outcome == Outcome::kNotFound);
  CHECK(n.repository == RepositoryState::kExists);
}

TEST_CASE("a 404 is told apart with the tags list and the registry's error code") {
  struct Case {
    HttpResponse tags;
    RepositoryState state;
  };
  const std::vector<Case> cases{
      {Status(404, {}, R"({"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known"}]})"), RepositoryState::kMissing},
      {Status(404), RepositoryState::kMissing},
      {Status(200, {}, R"({"tags":["1.0"]})"), RepositoryState::kExists},
      {Status(401), RepositoryState::kUnknown},
      {Status(404, {}, R"({"errors":[{"code":"UNSUPPORTED"}]})"), RepositoryState::kUnknown},
  };
  for (const auto& c : cases) {
    INFO(c.tags.status << " " << c.tags.body);
    FakeTransport t([&](const HttpRequest& req) { return req.url.find("/tags/list") != std::string::npos ? c.tags : Status(404); });
    RegistryClient client(t, NxDomain);
    ProbeResult r = client.Probe(Target());
    CHECK(r.outcome == Outcome::kNotFound);
    CHECK(r.repository == c.state);
  }
}

TEST_CASE("a missing tag brings the repository's tags, page by page, within the budget") {
  FakeTransport t([](const HttpRequest& req) {
    if (req.url.find("/tags/list?n=1000") != std::string::npos) {
      return Status(200, {{"link", "</v2/team/app/tags/list?last=b&n=1000>; rel=\"next\""}}, R"({"tags":["a","b"]})");
    }
    if (req.url.find("/tags/list?last=b") != std::string::npos) return Status(200, {}, R"({"tags":["c"]})");
    return Status(404);
  });
  RegistryClient client(t, NxDomain);
  ProbeResult r = client.Probe(Target("d"));
  CHECK(r.outcome == Outcome::kNotFound);
  CHECK(r.repository == RepositoryState::kExists);
  CHECK(r.tags == std::vector<std::string>{"a", "b", "c"});
  // By digest there is nothing to suggest: one small request.
  ProbeResult by_digest = client.Probe(Target(kDigest));
  CHECK(by_digest.tags.empty());
  CHECK(t.Count([](const HttpRequest& req) { return req.url.find("tags/list?n=1&") != std::string::npos || req.url.ends_with("tags/list?n=1"); }) == 1);
}

TEST_CASE("405 to HEAD falls back to GET, and a wrong Docker-Content-Digest is a failure, not a verdict") {
  FakeTransport t([&](const HttpRequest& req) {
    if (req.method == "HEAD") return Status(405);
    return Status(200, {{"docker-content-digest", "sha256:" + std::string(64, 'c')}});
  });
  RegistryClient client(t, NxDomain);
  ProbeResult r = client.Probe(Target(kDigest));
  CHECK(r.outcome == Outcome::kFailed);
  CHECK(r.failure.problem == Problem::kDigestMismatch);
  CHECK_FALSE(r.failure.Temporary());
  auto sent = t.sent();
  REQUIRE(sent.size() == 2);
  CHECK(sent[1].method == "GET");
}

TEST_CASE("regression: an index's platforms cost one GET per digest, not one per cache period and credential") {
  std::string index = R"({"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
      {"digest":"sha256:1","platform":{"os":"linux","architecture":"amd64"}},
      {"digest":"sha256:2","platform":{"os":"linux","architecture":"arm64"}},
      {"digest":"sha256:3","platform":{"os":"unknown","architecture":"unknown"}}]})";
  FakeTransport t([&](const HttpRequest& req) {
    auto headers = std::multimap<std::string, std::string>{{"docker-content-digest", kDigest},
                                                          {"content-type", "application/vnd.oci.image.index.v1+json"}};
    return Status(200, headers, req.method == "GET" ? index : "");
  });
  RegistryClient client(t, NxDomain);
  ProbeTarget target = Target();
  target.platforms = {{"linux", "arm64", ""}};
  CHECK(client.Probe(target).ok());
  CHECK(client.Probe(WithCredentials(target, {Cred("u", "p", "secret ns/a")})).ok());
  CHECK(t.Count([](const HttpRequest& r) { return r.method == "GET"; }) == 1);

  target.platforms = {{"linux", "s390x", ""}};
  ProbeResult missing = client.Probe(target);
  CHECK(missing.outcome == Outcome::kPlatformMissing);
  CHECK_FALSE(missing.single_platform);
  REQUIRE(missing.offered.size() == 2);
  CHECK(missing.missing == std::vector<Platform>{{"linux", "s390x", ""}});
}

TEST_CASE("a single-platform image of another architecture: found, with the config's platform") {
  std::string manifest = R"({"config":{"digest":"sha256:cfg"}})";
  FakeTransport t([&](const HttpRequest& req) {
    if (req.url.ends_with("/blobs/sha256:cfg")) return Status(200, {}, R"({"os":"linux","architecture":"arm64"})");
    return Status(200, {{"docker-content-digest", kDigest}, {"content-type", "application/vnd.docker.distribution.manifest.v2+json"}},
                  req.method == "GET" ? manifest : "");
  });
  RegistryClient client(t, NxDomain);
  ProbeTarget target = Target();
  target.platforms = {{"linux", "amd64", ""}};
  ProbeResult r = client.Probe(target);
  CHECK(r.outcome == Outcome::kPlatformMissing);
  CHECK(r.single_platform);
  CHECK(r.offered == std::vector<Platform>{{"linux", "arm64", ""}});
}

TEST_CASE("platforms that cannot be read never deny: the failure is transient") {
  FakeTransport t([&](const HttpRequest& req) {
    if (req.method == "GET") return Status(200, {}, std::string(kMaxBodyBytes + 10, 'x'));
    return Status(200, {{"docker-content-digest", kDigest}, {"content-type", "application/vnd.oci.image.index.v1+json"}});
  });
  RegistryClient client(t, NxDomain);
  ProbeTarget target = Target();
  target.platforms = {{"linux", "amd64", ""}};
  ProbeResult r = client.Probe(target);
  CHECK(r.outcome == Outcome::kFailed);
  CHECK(r.failure.problem == Problem::kUnreadableManifest);
  CHECK(r.Transient());
}

TEST_CASE("transport failures are kept as facts, DNS told apart by asking again") {
  struct Case {
    TransportError error;
    int resolver;
    bool temporary;
  };
  const Case cases[] = {
      {TransportError::kDns, EAI_NONAME, false}, {TransportError::kDns, EAI_AGAIN, true},
      {TransportError::kConnect, 0, true},       {TransportError::kReset, 0, true},
      {TransportError::kTls, 0, false},          {TransportError::kBlockedAddress, 0, false},
      {TransportError::kProtocol, 0, true},      {TransportError::kTimeout, 0, true},
  };
  for (const auto& c : cases) {
    INFO(TransportErrorName(c.error) << " " << c.resolver);
    FakeTransport t([&](const HttpRequest&) { return Broken(c.error); });
    RegistryClient client(t, [&](const std::string&) { return c.resolver; });
    ProbeResult r = client.Probe(Target());
    CHECK(r.outcome == Outcome::kFailed);
    CHECK(r.failure.transport == c.error);
    CHECK(r.failure.host == "registry.example.com");
    CHECK(r.Transient() == c.temporary);
  }
  CHECK(ResolveAgain("localhost:5000") == 0);  // /etc/hosts and a literal: no DNS query
  CHECK(ResolveAgain("[::1]:5000") == 0);
}

TEST_CASE("realms must be https, the credential never goes to a plain-HTTP realm") {
  FakeTransport t([](const HttpRequest& req) {
    if (IsManifest(req)) return Status(401, {{"www-authenticate", R"(Bearer realm="http://auth.example.com/token")"}});
    return Status(200, {}, R"({"token":"t"})");
  });
  RegistryClient client(t, NxDomain);
  ProbeResult r = client.Probe(WithCredentials(Target(), {Cred("u", "p", "secret ns/a")}));
  CHECK(r.outcome == Outcome::kFailed);
  CHECK(r.failure.problem == Problem::kInsecureRealm);
  CHECK(t.sent().size() == 1);
}

TEST_CASE("429 and 5xx keep the registry's words and headers, an unknown scheme is a failure") {
  FakeTransport t([](const HttpRequest& req) {
    if (req.method == "HEAD") return Status(429, {{"ratelimit-remaining", "0;w=21600"}});
    return Status(429);
  });
  RegistryClient client(t, NxDomain);
  ProbeResult r = client.Probe(Target());
  CHECK(r.failure.status == 429);
  CHECK(r.failure.ratelimit_remaining == "0;w=21600");
  CHECK(r.Transient());

  FakeTransport negotiate([](const HttpRequest&) { return Status(401, {{"www-authenticate", "Negotiate"}}); });
  RegistryClient client2(negotiate, NxDomain);
  ProbeResult n = client2.Probe(Target());
  CHECK(n.failure.problem == Problem::kUnsupportedScheme);
}

}  // namespace
}  // namespace pullguard::registry

namespace pullguard::registry {
namespace {

TEST_CASE("regression: each 401 is answered with its own challenge, whatever repository was checked first") {
  // The authorizer kept the first challenge it saw for a host and used it for every repository
  // of that host: with repository a's realm failing and b's refusing anonymous callers, the
  // verdicts depended on which was checked first since the process started.
  auto registry = [](const HttpRequest& req) {
    const char* realm_a = R"(Bearer realm="https://auth-a.example.com/token",service="reg")";
    const char* realm_b = R"(Bearer realm="https://auth-b.example.com/token",service="reg")";
    if (req.url.rfind("https://auth-a.example.com/", 0) == 0) return Status(500);  // a's token service fails
    if (req.url.rfind("https://auth-b.example.com/", 0) == 0) return Status(401);  // b's refuses strangers
    if (req.url.find("/v2/team/a/") != std::string::npos) return Status(401, {{"www-authenticate", realm_a}});
    return Status(401, {{"www-authenticate", realm_b}});
  };
  auto target = [](const std::string& repository) {
    ProbeTarget t = Target();
    t.repository = repository;
    return t;
  };
  for (bool a_first : {true, false}) {
    INFO("a first: " << a_first);
    FakeTransport t(registry);
    RegistryClient client(t, NxDomain);
    ProbeResult a, b;
    if (a_first) {
      a = client.Probe(target("team/a"));
      b = client.Probe(target("team/b"));
    } else {
      b = client.Probe(target("team/b"));
      a = client.Probe(target("team/a"));
    }
    CHECK(a.outcome == Outcome::kFailed);  // RegistryError: a token service that fails may pass
    CHECK(a.failure.server == Server::kTokenService);
    CHECK(a.failure.host == "auth-a.example.com");
    CHECK(b.outcome == Outcome::kUnauthorized);  // AuthRequired: b's realm refuses anonymous pulls
    CHECK(b.failure.host == "auth-b.example.com");
  }
}

}  // namespace
}  // namespace pullguard::registry
