// containerd as the judge: for every registry scenario the tests know, pullguard's verdict
// (through the real webhook, with the pull secrets the pod names) is compared with what a
// real containerd does when it pulls the same image for the same platform with the
// credential the kubelet would pass. Every deny must be a failed pull (or, for a
// single-platform image of another architecture, a pull of the wrong architecture: the pod
// would fail to start); every clean allow a successful pull of the right platform. Warnings
// (transient causes: the pull may work later) are printed, not judged.
#include <catch2/catch.hpp>

#include <filesystem>
#include <iostream>

#include "auth/docker_config.h"
#include "integration/registry_env.h"
#include "support/containerd.h"
#include "support/fault_server.h"
#include "support/free_port.h"
#include "support/image_fixtures.h"
#include "support/registry_front.h"
#include "support/registry_server.h"
#include "support/token_server.h"

namespace pullguard::testing {
namespace {

struct Scenario {
  std::string name;
  std::string image;
  std::string platform = "linux/amd64";
  std::string secret;  // the pod's pull secret, in its own namespace ("" for none)
  std::string user;    // what the kubelet passes to the runtime for it: "user:password"
  std::string expect;  // the reason (or "allow") pullguard should give; checked too
};

struct Verdict {
  enum Kind { kAllow, kWarn, kDeny } kind;
  std::string text;
};

Verdict Classify(const Decision& d) {
  if (!d.allowed) return {Verdict::kDeny, d.message};
  if (!d.warnings.empty()) return {Verdict::kWarn, d.warnings[0]};
  return {Verdict::kAllow, ""};
}

bool Contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// The registries of the scenarios, all on 127.0.0.1, all trusting one test CA.
struct Lab {
  TempDir dir;
  std::string certs = MakeCerts(dir, "certs");
  std::string cert = certs + "/tls.crt", key = certs + "/tls.key", ca = certs + "/ca.crt";

  RegistryServer open{cert, key, ca, RegistryOptions{}};
  RegistryServer basic{cert, key, ca, [] {
                         RegistryOptions o;
                         o.auth = RegistryAuth::kBasic;
                         return o;
                       }()};
  TokenServer prefix_tokens{cert, key, dir.path(), {{"pusher", "s3cret-pass"}, {"reader", "read-pass"}}};
  RegistryServer prefix{cert, key, ca, Tokens(&prefix_tokens)};
  RegistryServer plain{cert, key, ca, [] {
                         RegistryOptions o;
                         o.tls = false;
                         return o;
                       }()};
  RegistryFront front{cert, key, prefix.host(), ca};
  TokenServer failing_tokens{cert, key, Sub(dir, "f"), {{"pusher", "s3cret-pass"}, {"reader", "read-pass"}}, Failing(500)};
  RegistryServer failing{cert, key, ca, Tokens(&failing_tokens)};
  TokenServer hanging_tokens{cert, key, Sub(dir, "h"), {{"pusher", "s3cret-pass"}, {"reader", "read-pass"}}, Hanging()};
  RegistryServer hanging{cert, key, ca, Tokens(&hanging_tokens)};
  TokenServer hub_tokens{cert, key, Sub(dir, "hub"),
                         {{"pusher", "s3cret-pass"}, {"alice", "alice-pass"}, {"bob", "bob-pass"}}, HubGrants()};
  RegistryServer hub{cert, key, ca, Tokens(&hub_tokens)};
  FaultServer faults;
  FaultServer tls_reset{FaultMode::kResetTlsHandshake};
  FaultServer tls_close{FaultMode::kCloseTlsHandshake};
  int closed_port = FreePort();

  std::string multi_digest;

  // A directory of its own for a token server's signing key.
  static std::string Sub(const TempDir& d, const char* name) {
    std::filesystem::create_directories(d.File(name));
    return d.File(name);
  }
  static RegistryOptions Tokens(const TokenServer* server) {
    RegistryOptions o;
    o.auth = RegistryAuth::kToken;
    o.token_server = server;
    return o;
  }
  static TokenGrants Failing(int status) {
    TokenGrants g;
    g.fail_status = status;
    return g;
  }
  static TokenGrants Hanging() {
    TokenGrants g;
    g.hang = true;
    return g;
  }
  static TokenGrants HubGrants() {
    TokenGrants g;
    g.hub_shape = true;
    g.public_repos = {"library/nginx"};
    g.owners = {{"acme/private", {"alice"}}};
    return g;
  }

  Lab() {
    PushSingle(open, "team/app", "1.0", "linux/amd64", ManifestKind::kDocker);
    PushSingle(open, "team/oci-app", "1.0", "linux/amd64", ManifestKind::kOci);
    PushSingle(open, "team/arm-only", "1.0", "linux/arm64", ManifestKind::kOci);
    multi_digest = PushIndex(open, "team/multi", "1.0", {"linux/amd64", "linux/arm64"});
    PushIndex(open, "team/s390", "1.0", {"linux/amd64", "linux/s390x"});
    PushSingle(basic, "team/app", "1.0", "linux/amd64");
    PushSingle(prefix, "public/tool", "1.0", "linux/amd64");
    PushSingle(prefix, "private/app", "1.0", "linux/amd64");
    PushSingle(plain, "team/app", "1.0", "linux/amd64");
    PushSingle(failing, "private/app", "1.0", "linux/amd64");
    PushSingle(hanging, "private/app", "1.0", "linux/amd64");
    PushSingle(hub, "library/nginx", "1.0", "linux/amd64");
    PushSingle(hub, "acme/private", "1.0", "linux/amd64");
  }
};

}  // namespace

TEST_CASE("containerd agrees with every deny and every clean allow", "[integration][containerd]") {
  Lab lab;
  Containerd containerd;
  for (const auto* r : {&lab.open, &lab.basic, &lab.prefix, &lab.failing, &lab.hanging, &lab.hub}) {
    containerd.AddHost(r->host(), lab.ca);
  }
  containerd.AddHost(lab.front.host(), lab.ca);
  containerd.AddHost(lab.plain.host(), "", /*plain_http=*/true);
  containerd.AddHost(lab.faults.host(), "", /*plain_http=*/true);
  containerd.AddHost(lab.tls_reset.host(), lab.ca);
  containerd.AddHost(lab.tls_close.host(), lab.ca);
  containerd.AddHost("127.0.0.1:" + std::to_string(lab.closed_port), lab.ca);

  // Pull secrets, one namespace each, with the credentials the scenarios name.
  struct Secret {
    std::string ns, registry, user, password;
  };
  const std::vector<Secret> secrets{
      {"basic-good", lab.basic.host(), "pusher", "s3cret-pass"}, {"basic-bad", lab.basic.host(), "pusher", "nope"},
      {"prefix-reader", lab.prefix.host(), "reader", "read-pass"}, {"prefix-bad", lab.prefix.host(), "reader", "nope"},
      {"front-reader", lab.front.host(), "reader", "read-pass"}, {"failing-reader", lab.failing.host(), "reader", "read-pass"},
      {"hub-alice", lab.hub.host(), "alice", "alice-pass"},     {"hub-bob", lab.hub.host(), "bob", "bob-pass"},
  };
  std::filesystem::create_directory(lab.dir.File("secrets"));
  for (const auto& s : secrets) {
    lab.dir.Write("secrets/" + s.ns + ".yaml", PullSecretYaml(s.ns, "regcred", s.registry, s.user, s.password));
  }
  auto plain = [](const std::string& host) {
    return "  - host: \"" + host + "\"\n    insecure: true\n    allowPrivateAddress: true\n";
  };
  std::string policy = "apiVersion: pullguard.io/v1\nkind: Policy\nregistries:\n" + plain(lab.plain.host()) +
                       plain(lab.faults.host()) + "  - host: \"127.0.0.1:*\"\n    caFile: " + lab.ca +
                       "\n    allowPrivateAddress: true\nplatforms: [linux/amd64]\ntimeouts:\n  checkMillis: 4000\n";
  WebhookProcess webhook(policy, {"--secrets-dir", lab.dir.File("secrets")});

  auto creds = [](const std::string& ns) {
    if (ns.empty()) return std::string();
    if (ns.rfind("basic-good", 0) == 0) return std::string("pusher:s3cret-pass");
    if (ns == "basic-bad") return std::string("pusher:nope");
    if (ns == "prefix-bad") return std::string("reader:nope");
    if (ns == "hub-alice") return std::string("alice:alice-pass");
    if (ns == "hub-bob") return std::string("bob:bob-pass");
    return std::string("reader:read-pass");
  };
  const std::string zero = "sha256:" + std::string(64, '0');
  std::vector<Scenario> scenarios{
      {"open: a tag", lab.open.host() + "/team/app:1.0", "linux/amd64", "", "", "allow"},
      {"open: an OCI manifest", lab.open.host() + "/team/oci-app:1.0", "linux/amd64", "", "", "allow"},
      {"open: an index, amd64", lab.open.host() + "/team/multi:1.0", "linux/amd64", "", "", "allow"},
      {"open: an index, arm64", lab.open.host() + "/team/multi:1.0", "linux/arm64", "", "", "allow"},
      {"open: an index by digest", lab.open.host() + "/team/multi@" + lab.multi_digest, "linux/amd64", "", "", "allow"},
      {"open: a missing tag", lab.open.host() + "/team/app:9.9", "linux/amd64", "", "", "TagNotFound"},
      {"open: a missing repository", lab.open.host() + "/team/nothere:1.0", "linux/amd64", "", "", "RepositoryNotFound"},
      {"open: a missing digest", lab.open.host() + "/team/app@" + zero, "linux/amd64", "", "", "DigestNotFound"},
      {"open: an index without the platform", lab.open.host() + "/team/s390:1.0", "linux/arm64", "", "", "PlatformMismatch"},
      {"open: single-platform, other arch", lab.open.host() + "/team/arm-only:1.0", "linux/amd64", "", "", "PlatformMismatch"},
      {"open: single-platform, its arch", lab.open.host() + "/team/arm-only:1.0", "linux/arm64", "", "", "allow"},
      {"basic: the right password", lab.basic.host() + "/team/app:1.0", "linux/amd64", "basic-good", "", "allow"},
      {"basic: a wrong password", lab.basic.host() + "/team/app:1.0", "linux/amd64", "basic-bad", "", "AuthFailed"},
      {"basic: no secret", lab.basic.host() + "/team/app:1.0", "linux/amd64", "", "", "AuthRequired"},
      {"basic: a missing tag", lab.basic.host() + "/team/app:2.0", "linux/amd64", "basic-good", "", "TagNotFound"},
      {"token: public, anonymous", lab.prefix.host() + "/public/tool:1.0", "linux/amd64", "", "", "allow"},
      {"token: public, missing tag", lab.prefix.host() + "/public/tool:2.0", "linux/amd64", "", "", "TagNotFound"},
      {"token: private, anonymous", lab.prefix.host() + "/private/app:1.0", "linux/amd64", "", "", "AuthRequired"},
      {"token: private, a reader", lab.prefix.host() + "/private/app:1.0", "linux/amd64", "prefix-reader", "", "allow"},
      {"token: private, a wrong password", lab.prefix.host() + "/private/app:1.0", "linux/amd64", "prefix-bad", "", "AuthFailed"},
      {"plain HTTP: a tag", lab.plain.host() + "/team/app:1.0", "linux/amd64", "", "", "allow"},
      {"plain HTTP: a missing tag", lab.plain.host() + "/team/app:2", "linux/amd64", "", "", "TagNotFound"},
      {"ping 200, then 401: a reader", lab.front.host() + "/private/app:1.0", "linux/amd64", "front-reader", "", "allow"},
      {"ping 200, then 401: anonymous", lab.front.host() + "/private/app:1.0", "linux/amd64", "", "", "AuthRequired"},
      {"ping 200, then 401: public", lab.front.host() + "/public/tool:1.0", "linux/amd64", "", "", "allow"},
      {"Docker Hub shape: public", lab.hub.host() + "/library/nginx:1.0", "linux/amd64", "", "", "allow"},
      {"Docker Hub shape: public, missing tag", lab.hub.host() + "/library/nginx:2.0", "linux/amd64", "", "", "TagNotFound"},
      {"Docker Hub shape: missing repository", lab.hub.host() + "/library/missing:1.0", "linux/amd64", "", "", "AuthRequired"},
      {"Docker Hub shape: private, its owner", lab.hub.host() + "/acme/private:1.0", "linux/amd64", "hub-alice", "", "allow"},
      {"Docker Hub shape: private, another user", lab.hub.host() + "/acme/private:1.0", "linux/amd64", "hub-bob", "", "AccessDenied"},
      {"Docker Hub shape: private, anonymous", lab.hub.host() + "/acme/private:1.0", "linux/amd64", "", "", "AuthRequired"},
      {"Docker Hub shape: missing, with a user", lab.hub.host() + "/acme/nothing:1.0", "linux/amd64", "hub-alice", "", "AccessDenied"},
      {"token service 500", lab.failing.host() + "/private/app:1.0", "linux/amd64", "failing-reader", "", "RegistryError"},
      {"token service 500, anonymous", lab.failing.host() + "/private/app:1.0", "linux/amd64", "", "", "RegistryError"},
      {"token service hangs", lab.hanging.host() + "/private/app:1.0", "linux/amd64", "", "", "CheckTimedOut"},
      {"fault: 429", lab.faults.host() + "/ratelimited/app:1", "linux/amd64", "", "", "RateLimited"},
      {"fault: 500", lab.faults.host() + "/broken/app:1", "linux/amd64", "", "", "RegistryError"},
      {"fault: reset", lab.faults.host() + "/reset/app:1", "linux/amd64", "", "", "RegistryUnreachable"},
      {"fault: garbage", lab.faults.host() + "/garbage/app:1", "linux/amd64", "", "", "RegistryError"},
      {"fault: TLS handshake reset", lab.tls_reset.host() + "/team/app:1", "linux/amd64", "", "", "RegistryUnreachable"},
      {"fault: TLS handshake closed", lab.tls_close.host() + "/team/app:1", "linux/amd64", "", "", "RegistryUnreachable"},
      {"fault: connection refused", "127.0.0.1:" + std::to_string(lab.closed_port) + "/team/app:1", "linux/amd64", "", "",
       "RegistryUnreachable"},
  };
  for (auto& s : scenarios) s.user = creds(s.secret);

  int judged = 0, agreed = 0, warned = 0;
  std::vector<std::string> disagreements;
  for (const auto& s : scenarios) {
    std::map<std::string, std::string> selector{{"kubernetes.io/arch", s.platform.substr(s.platform.rfind('/') + 1)}};
    std::vector<std::string> pull_secrets;
    if (!s.secret.empty()) pull_secrets.push_back("regcred");
    Decision d = Ask(webhook, PodReview(s.secret.empty() ? "plain" : s.secret, {s.image}, pull_secrets, selector), "3s");
    Verdict v = Classify(d);
    std::string reason = v.kind == Verdict::kAllow ? "allow" : v.text;
    INFO(s.name << ": pullguard said " << (reason.empty() ? "allow" : reason));
    CHECK_THAT(reason, Catch::Contains(s.expect));
    PullOutcome pull = containerd.Pull(s.image, s.platform, s.user, std::chrono::seconds(v.kind == Verdict::kWarn ? 6 : 20));
    std::string said = v.kind == Verdict::kAllow ? "allow" : (v.kind == Verdict::kWarn ? "warn " : "deny ") + s.expect;
    std::string platforms;
    for (const auto& p : pull.platforms) platforms += (platforms.empty() ? "" : ",") + p;
    std::string ctr = pull.pulled ? "pulled " + (platforms.empty() ? std::string("?") : platforms) : "failed";
    std::cout << "  " << s.name << ": pullguard " << said << ", containerd " << ctr << "\n";
    if (v.kind == Verdict::kWarn) {
      ++warned;
      continue;
    }
    ++judged;
    bool agrees = v.kind == Verdict::kAllow ? pull.pulled && (pull.platforms.empty() || Contains(pull.platforms, s.platform))
                                            : !pull.pulled || !Contains(pull.platforms, s.platform);
    if (agrees) {
      ++agreed;
    } else {
      disagreements.push_back(s.name + ": pullguard " + said + " / containerd: " + pull.output);
    }
  }
  std::cout << "containerd agreement: " << agreed << "/" << judged << " (" << warned
            << " warnings not judged: the pull may work later)" << std::endl;
  for (const auto& d : disagreements) std::cout << "  DISAGREES " << d << "\n";
  CHECK(disagreements.empty());
  CHECK(judged >= 30);
}

}  // namespace pullguard::testing

namespace pullguard::testing {

TEST_CASE("the nodes' certs.d: a mirror that lacks a tag, pullguard reads the same hosts.toml and agrees with containerd",
          "[integration][containerd]") {
  TempDir dir;
  std::string certs = MakeCerts(dir, "certs");
  RegistryServer upstream{certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", RegistryOptions{}};
  RegistryServer mirror{certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", RegistryOptions{}};
  PushSingle(upstream, "team/app", "1.0", "linux/amd64");
  PushSingle(upstream, "team/app", "2.0", "linux/amd64");
  PushSingle(mirror, "team/app", "1.0", "linux/amd64");
  PushSingle(mirror, "team/app", "mirror-only", "linux/amd64");  // proves the mirror is asked first

  Containerd containerd;
  // One folder, as a node's /etc/containerd/certs.d: the mirror first, the registry last, the
  // test CA beside hosts.toml (a relative path, as a ConfigMap mount would have it).
  containerd.SetHostsToml(upstream.host(), "server = \"https://" + upstream.host() + "\"\nca = \"ca.crt\"\n\n[host.\"https://" +
                                               mirror.host() + "\"]\n  capabilities = [\"pull\", \"resolve\"]\n  ca = \"ca.crt\"\n");
  std::filesystem::copy_file(certs + "/ca.crt", containerd.hosts_dir() + "/" + upstream.host() + "/ca.crt");
  // pullguard gets the same folder and no CA of its own: only hosts.toml makes the TLS work.
  std::string policy = "hostsDir: " + containerd.hosts_dir() +
                       "\nregistries:\n  - host: \"127.0.0.1:*\"\n    allowPrivateAddress: true\nplatforms: [linux/amd64]\n";
  WebhookProcess webhook(policy);

  struct Case {
    std::string tag;
    bool pulls;
    std::string why;
  };
  for (const Case& c : std::vector<Case>{{"1.0", true, "both have it"},
                                         {"2.0", true, "the mirror lacks it, the registry has it"},
                                         {"mirror-only", true, "only the mirror has it"},
                                         {"3.0", false, "neither has it"}}) {
    std::string image = upstream.host() + "/team/app:" + c.tag;
    INFO(c.why);
    Decision d = Ask(webhook, PodReview("shop", {image}));
    PullOutcome pull = containerd.Pull(image, "linux/amd64");
    std::cout << "  certs.d, " << c.why << ": pullguard " << (d.allowed ? "allow" : "deny") << ", containerd "
              << (pull.pulled ? "pulled" : "failed") << "\n";
    CHECK(pull.pulled == c.pulls);
    CHECK(d.allowed == c.pulls);
    CHECK(d.warnings.empty());
    if (!c.pulls) CHECK_THAT(d.message, Catch::Contains("TagNotFound"));
  }
}

}  // namespace pullguard::testing

namespace pullguard::testing {

TEST_CASE("the nodes' certs.d: a registry that asks for a client certificate, in hosts.toml and in Docker's layout",
          "[integration][containerd]") {
  TempDir dir;
  std::string certs = MakeCerts(dir, "certs");
  MakeClientCerts(dir);
  RegistryOptions options;
  options.client_ca = dir.File("client-ca.crt");
  options.client_cert = dir.File("client.crt");
  options.client_key = dir.File("client.key");
  RegistryServer toml_registry{certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", options};
  RegistryServer docker_registry{certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", options};
  RegistryServer bare_registry{certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", options};
  for (RegistryServer* r : {&toml_registry, &docker_registry, &bare_registry}) PushSingle(*r, "team/app", "1.0", "linux/amd64");

  Containerd containerd;
  auto copy = [&](const std::string& from, const std::string& host, const std::string& name) {
    std::filesystem::copy_file(from, containerd.hosts_dir() + "/" + host + "/" + name);
  };
  // hosts.toml with a [cert, key] pair, relative to its folder, for the server and a [host]
  // table (containerd 1.6 and early 1.7 refuse a hosts.toml without one and fall back to
  // Docker's layout).
  const std::string tls = "ca = \"ca.crt\"\nclient = [[\"client.crt\", \"client.key\"]]\ndial_timeout = \"2s\"\n";
  containerd.SetHostsToml(toml_registry.host(), "server = \"https://" + toml_registry.host() + "\"\n" + tls + "\n[host.\"https://" +
                                                    toml_registry.host() + "\"]\n" + tls);
  copy(certs + "/ca.crt", toml_registry.host(), "ca.crt");
  copy(dir.File("client.crt"), toml_registry.host(), "client.crt");
  copy(dir.File("client.key"), toml_registry.host(), "client.key");
  // The CA only: the registry's certificate is trusted, but no client certificate is offered.
  containerd.SetHostsToml(bare_registry.host(), "server = \"https://" + bare_registry.host() + "\"\nca = \"ca.crt\"\n\n[host.\"https://" +
                                                    bare_registry.host() + "\"]\nca = \"ca.crt\"\n");
  copy(certs + "/ca.crt", bare_registry.host(), "ca.crt");
  // Docker's layout, no hosts.toml: ca.crt, and client.cert with client.key beside it.
  std::filesystem::create_directories(containerd.hosts_dir() + "/" + docker_registry.host());
  copy(certs + "/ca.crt", docker_registry.host(), "ca.crt");
  copy(dir.File("client.crt"), docker_registry.host(), "client.cert");
  copy(dir.File("client.key"), docker_registry.host(), "client.key");

  std::string policy = "hostsDir: " + containerd.hosts_dir() +
                       "\nregistries:\n  - host: \"127.0.0.1:*\"\n    allowPrivateAddress: true\nplatforms: [linux/amd64]\n";
  WebhookProcess webhook(policy);
  for (const auto& [tag, pulls] : std::vector<std::pair<std::string, bool>>{{"1.0", true}, {"2.0", false}}) {
    std::string image = toml_registry.host() + "/team/app:" + tag;
    INFO(image);
    Decision d = Ask(webhook, PodReview("shop", {image}));
    PullOutcome pull = containerd.Pull(image, "linux/amd64");
    std::cout << "  client certificate in hosts.toml, tag " << tag << ": pullguard " << (d.allowed ? "allow" : "deny")
              << ", containerd " << (pull.pulled ? "pulled" : "failed") << "\n";
    INFO(pull.output);
    CHECK(pull.pulled == pulls);
    CHECK(d.allowed == pulls);
    CHECK(d.warnings.empty());
    if (!pulls) CHECK_THAT(d.message, Catch::Contains("TagNotFound"));
  }
  // Without the certificate the pull fails. pullguard's copy of the folder may lack keys the
  // nodes hold (they are secrets), so it warns rather than denies, and says what is missing.
  std::string image = bare_registry.host() + "/team/app:1.0";
  Decision bare = Ask(webhook, PodReview("shop", {image}));
  PullOutcome pull = containerd.Pull(image, "linux/amd64");
  std::cout << "  no client certificate: pullguard " << (bare.allowed ? "allow (warns)" : "deny") << ", containerd "
            << (pull.pulled ? "pulled" : "failed") << "\n";
  INFO(pull.output << bare.All());
  CHECK_FALSE(pull.pulled);
  CHECK(bare.allowed);
  CHECK_THAT(bare.All(), Catch::Contains("the registry asks for a TLS client certificate and none is configured for it"));

  // Docker's layout, judged by pullguard alone: containerd 1.6 asks a loopback registry
  // without a hosts.toml over plain HTTP (later versions try HTTPS first when certificates are
  // configured), so this test's registries cannot show its side.
  CHECK(Ask(webhook, PodReview("shop", {docker_registry.host() + "/team/app:1.0"})).allowed);
  Decision missing = Ask(webhook, PodReview("shop", {docker_registry.host() + "/team/app:2.0"}));
  CHECK_FALSE(missing.allowed);
  CHECK_THAT(missing.message, Catch::Contains("TagNotFound"));
}

}  // namespace pullguard::testing
