// Registry answers in words: each outcome and failure has its reason, and says what the
// kubelet would see and what to do.
#include <catch2/catch.hpp>

#include <netdb.h>

#include "checker/registry_findings.h"
#include "common/reason.h"
#include "policy/policy.h"

namespace pullguard::checker {
namespace {

using registry::Outcome;
using registry::ProbeResult;

registry::ProbeTarget Target(const std::string& reference = "1.0") {
  registry::ProbeTarget t;
  t.registry = "registry.example.com";
  t.repository = "team/app";
  t.reference = reference;
  t.by_digest = reference.rfind("sha256:", 0) == 0;
  t.hosts = {registry::UpstreamHost(t.registry, false)};
  return t;
}

const ImageUse kUse{"spec.containers[0].image", "registry.example.com/team/app:1.0", ""};

Finding Of(const ProbeResult& r, const registry::ProbeTarget& t = Target()) {
  auto f = RegistryFinding(kUse, "registry.example.com/team/app:1.0", t, r);
  REQUIRE(f);
  return *f;
}

ProbeResult Outcome_(Outcome o) {
  ProbeResult r;
  r.outcome = o;
  r.failure.host = "registry.example.com";
  return r;
}

TEST_CASE("a found image gives no finding") {
  ProbeResult r;
  r.outcome = Outcome::kFound;
  CHECK_FALSE(RegistryFinding(kUse, "", Target(), r));
}

TEST_CASE("not found: repository, tag or digest, as the tags list told") {
  ProbeResult r = Outcome_(Outcome::kNotFound);
  r.repository = registry::RepositoryState::kMissing;
  CHECK(FormatFinding(Of(r)) ==
        "spec.containers[0].image \"registry.example.com/team/app:1.0\": RepositoryNotFound: repository "
        "registry.example.com/team/app does not exist; check the repository name, or push the image");
  r.repository = registry::RepositoryState::kExists;
  CHECK(Of(r).reason == Reason::kTagNotFound);
  CHECK(Of(r).detail == "tag 1.0 does not exist");  // the line quotes the image already
  CHECK(RegistryFinding({"p", "team/app:1.0", ""}, "", Target(), r)->detail ==
        "tag 1.0 does not exist in registry.example.com/team/app");  // written short: the name is said
  r.repository = registry::RepositoryState::kUnknown;
  CHECK(Of(r).detail == "tag 1.0 does not exist (nor, perhaps, the repository)");
  Finding digest = Of(r, Target("sha256:" + std::string(64, '0')));
  CHECK(digest.reason == Reason::kDigestNotFound);
  CHECK_THAT(digest.detail, Catch::StartsWith("digest sha256:000000000000... does not exist"));
}

TEST_CASE("regression: insufficient_scope says what the kubelet says, not 'update the credentials'") {
  ProbeResult anonymous = Outcome_(Outcome::kUnauthorized);
  anonymous.failure.challenge_error = "insufficient_scope";
  Finding a = Of(anonymous);
  CHECK(a.reason == Reason::kAuthRequired);
  CHECK(a.detail == "pull access denied: registry.example.com/team/app does not exist or needs credentials, and no "
                    "pull secret matches registry.example.com");

  ProbeResult with_secret = Outcome_(Outcome::kForbidden);
  with_secret.anonymous = false;
  with_secret.no_access = {"secret ns/hub"};
  with_secret.failure.challenge_error = "insufficient_scope";
  Finding s = Of(with_secret);
  CHECK(s.reason == Reason::kAccessDenied);
  CHECK(s.detail == "pull access denied: registry.example.com/team/app does not exist, or secret ns/hub may not pull it");
  CHECK(s.fix.find("credentials") == std::string::npos);
}

TEST_CASE("401 and 403: AuthRequired, AuthFailed, AccessDenied, naming secrets, never their content") {
  ProbeResult plain = Outcome_(Outcome::kUnauthorized);
  CHECK(Of(plain).detail == "registry.example.com asks for credentials and no pull secret matches it (a 401 may also "
                            "mean the repository does not exist)");
  ProbeResult refused = Outcome_(Outcome::kUnauthorized);
  refused.anonymous = false;
  refused.refused = {"secret ns/one", "secret ns/two"};
  refused.failure.server = registry::Server::kTokenService;
  refused.failure.host = "auth.example.com";
  Finding f = Of(refused);
  CHECK(f.reason == Reason::kAuthFailed);
  CHECK(f.detail ==
        "registry.example.com (the token service auth.example.com) rejected every matching credential (secret ns/one, "
        "secret ns/two)");
  ProbeResult denied = Outcome_(Outcome::kForbidden);
  denied.anonymous = false;
  denied.no_access = {"secret ns/one"};
  CHECK(Of(denied).detail == "registry.example.com denied secret ns/one access to team/app (403)");
}

TEST_CASE("platforms: an index without the platform fails the pull, a single other-arch image fails at start") {
  ProbeResult index = Outcome_(Outcome::kPlatformMissing);
  index.offered = {{"linux", "arm64", ""}};
  index.missing = {{"linux", "amd64", ""}};
  CHECK(Of(index).detail == "no linux/amd64 image (it has linux/arm64)");
  ProbeResult single = index;
  single.single_platform = true;
  Finding s = Of(single);
  CHECK(s.reason == Reason::kPlatformMismatch);
  CHECK(s.detail == "the image is built for linux/arm64 only: it pulls, then fails to start on linux/amd64 nodes (exec "
                    "format error)");
}

TEST_CASE("failures: each transport kind, problem and status has its reason") {
  struct Case {
    registry::TransportError transport;
    int resolver;
    int status;
    Reason reason;
    const char* contains;
  };
  using TE = registry::TransportError;
  const Case cases[] = {
      {TE::kDns, EAI_NONAME, 0, Reason::kRegistryUnresolvable, "registry host registry.example.com does not resolve"},
      {TE::kDns, EAI_AGAIN, 0, Reason::kRegistryUnreachable, "DNS lookup of registry.example.com failed ("},
      {TE::kConnect, 0, 0, Reason::kRegistryUnreachable, "cannot connect to registry.example.com (detail)"},
      {TE::kReset, 0, 0, Reason::kRegistryUnreachable, "connection to registry.example.com broke (detail)"},
      {TE::kTimeout, 0, 0, Reason::kCheckTimedOut, "no answer from registry.example.com within pullguard's check budget"},
      {TE::kTls, 0, 0, Reason::kRegistryTLSError, "TLS with registry.example.com failed: detail"},
      {TE::kProtocol, 0, 0, Reason::kRegistryError, "no usable HTTP answer from registry.example.com (detail)"},
      {TE::kNone, 0, 503, Reason::kRegistryError, "503 from the registry"},
      {TE::kNone, 0, 429, Reason::kRateLimited, "429 from the registry"},
      {TE::kNone, 0, 418, Reason::kRegistryError, "unexpected 418 from the registry to HEAD "},
  };
  for (const auto& c : cases) {
    INFO(c.contains);
    ProbeResult r = Outcome_(Outcome::kFailed);
    r.failure.transport = c.transport;
    r.failure.transport_detail = "detail";
    r.failure.resolver_code = c.resolver;
    r.failure.status = c.status;
    r.failure.method = "HEAD";
    Finding f = Of(r);
    CHECK(f.reason == c.reason);
    CHECK_THAT(f.detail, Catch::Contains(c.contains));
  }
}

TEST_CASE("regression: a blocked address is RegistryAddressBlocked, naming the policy field, in plain words") {
  // It was PolicyViolation, worded "resolves to ::1 is loopback".
  ProbeResult r = Outcome_(Outcome::kFailed);
  r.failure.transport = registry::TransportError::kBlockedAddress;
  r.failure.transport_detail = "127.0.0.1 (loopback)";
  Finding f = Of(r);
  CHECK(f.reason == Reason::kRegistryAddressBlocked);
  CHECK(DefaultAction(f.reason) == Action::kWarn);
  CHECK(FormatFinding(f) ==
        "spec.containers[0].image \"registry.example.com/team/app:1.0\": RegistryAddressBlocked: registry.example.com "
        "resolves to 127.0.0.1 (loopback), an address pullguard does not contact; if it is your registry, set "
        "allowPrivateAddress: true for it under the policy's registries");
}

TEST_CASE("a failure at a mirror names the mirror, the registry's error code is quoted") {
  registry::ProbeTarget t = Target();
  registry::RegistryHost mirror;
  mirror.host = "mirror.local:5000";
  mirror.is_mirror = true;
  t.hosts.insert(t.hosts.begin(), mirror);
  ProbeResult r = Outcome_(Outcome::kFailed);
  r.failure.host = "mirror.local:5000";
  r.failure.status = 500;
  r.failure.errors = {{"UNKNOWN", "storage down"}};
  CHECK(Of(r, t).detail == "500 from mirror mirror.local:5000 (UNKNOWN: storage down)");
}

TEST_CASE("an unresolvable single-label host with capitals suggests the Docker Hub name") {
  ImageUse use{"spec.containers[0].image", "Team/worker:1.0", ""};
  registry::ProbeTarget t = Target();
  t.registry = "Team";
  ProbeResult r = Outcome_(Outcome::kFailed);
  r.failure.host = "Team";
  r.failure.transport = registry::TransportError::kDns;
  r.failure.resolver_code = EAI_NONAME;
  auto f = RegistryFinding(use, "Team/worker:1.0", t, r);
  REQUIRE(f);
  CHECK(f->reason == Reason::kRegistryUnresolvable);
  CHECK(f->fix == "did you mean \"team/worker:1.0\"? Docker Hub names are lowercase");
  CHECK(LowercaseHostSuggestion("ghcr.io/a/b", "ghcr.io").empty());
  CHECK(LowercaseHostSuggestion("team/worker", "team").empty());
}

TEST_CASE("regression: a resolver that does not answer never denies, and only a name that does not exist does") {
  // On a runner without DNS every image was "RegistryUnresolvable ... check the registry name
  // in the image": the words blamed the manifests for the machine's own resolver.
  ProbeResult r = Outcome_(Outcome::kFailed);
  r.failure.transport = registry::TransportError::kDns;
  r.failure.resolver_code = EAI_AGAIN;
  Finding down = Of(r);
  CHECK(down.reason == Reason::kRegistryUnreachable);
  CHECK(down.at_most_warn);  // whatever the policy does with RegistryUnreachable
  CHECK(down.detail == "DNS lookup of registry.example.com failed (" + std::string(gai_strerror(EAI_AGAIN)) + ")");
  CHECK_THAT(down.fix, Catch::Contains("pullguard's own DNS did not answer"));
  policy::Policy strict;
  strict.actions[Reason::kRegistryUnreachable] = Action::kDeny;
  CHECK(policy::Decide({down}, strict).allowed());

  r.failure.resolver_code = EAI_NONAME;
  Finding nxdomain = Of(r);
  CHECK(nxdomain.reason == Reason::kRegistryUnresolvable);
  CHECK_FALSE(nxdomain.at_most_warn);
  CHECK_FALSE(policy::Decide({nxdomain}, policy::Policy{}).allowed());

  // A resolver that says a public registry does not exist is broken, not the image.
  registry::ProbeTarget hub = Target();
  hub.registry = "docker.io";
  hub.hosts = {registry::UpstreamHost("docker.io", false)};
  r.failure.host = "registry-1.docker.io";
  Finding filtered = Of(r, hub);
  CHECK(filtered.reason == Reason::kRegistryUnreachable);
  CHECK(filtered.at_most_warn);
  CHECK(filtered.detail == "DNS lookup of registry-1.docker.io failed (the resolver says a public registry does not exist)");
}

TEST_CASE("through a proxy the words say so, and never that the registry resolves to the proxy's address") {
  ProbeResult r = Outcome_(Outcome::kFailed);
  r.failure.proxy = "http://10.1.2.3:3128";
  r.failure.transport = registry::TransportError::kConnect;
  r.failure.transport_detail = "the proxy answered 500 to CONNECT: it could not resolve or reach the registry";
  Finding refused = Of(r);
  CHECK(refused.reason == Reason::kRegistryUnreachable);
  CHECK(refused.detail == "cannot connect to registry.example.com through the proxy http://10.1.2.3:3128 (the proxy "
                          "answered 500 to CONNECT: it could not resolve or reach the registry)");
  CHECK_THAT(refused.fix, Catch::Contains("check the proxy"));
  CHECK(refused.detail.find("resolves to") == std::string::npos);

  // Only an address written in the image is judged through a proxy.
  ProbeResult literal = Outcome_(Outcome::kFailed);
  literal.failure.host = "10.0.0.5:5000";
  literal.failure.proxy = "http://10.1.2.3:3128";
  literal.failure.transport = registry::TransportError::kBlockedAddress;
  literal.failure.transport_detail = "10.0.0.5 (private)";
  Finding blocked = Of(literal);
  CHECK(blocked.reason == Reason::kRegistryAddressBlocked);
  CHECK(blocked.detail == "10.0.0.5:5000 is the address 10.0.0.5 (private), which pullguard does not contact (through its "
                          "proxy either)");

  ProbeResult tls = Outcome_(Outcome::kFailed);
  tls.failure.proxy = "http://10.1.2.3:3128";
  tls.failure.transport = registry::TransportError::kTls;
  tls.failure.transport_detail = "detail";
  CHECK(Of(tls).detail == "TLS with registry.example.com through the proxy http://10.1.2.3:3128 failed: detail");

  // Over plain HTTP a proxy may answer in the registry's stead.
  ProbeResult plain = Outcome_(Outcome::kFailed);
  plain.failure.proxy = "http://10.1.2.3:3128";
  plain.failure.url = "http://registry.example.com/v2/team/app/manifests/1.0";
  plain.failure.status = 502;
  CHECK(Of(plain).detail == "502 from the registry or the proxy http://10.1.2.3:3128");
}

}  // namespace
}  // namespace pullguard::checker
