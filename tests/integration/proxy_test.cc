// Behind a proxy, as the nodes' containerd is: `pullguard check` through a real forward proxy
// (Debian's tinyproxy) in front of real registries gives the verdicts it gives without one,
// whether the proxy comes from HTTPS_PROXY or from the policy's `proxy`, and the proxy's log
// shows the requests went through it. The registries listen on 127.0.0.1 but are named
// registry.pullguard.test, which only the proxy can resolve (a hosts file of its own): by Go's
// rules a loopback address is never sent through a proxy, and through one the registry's name
// is the proxy's to resolve. The address guard judges what pullguard connects to: the proxy on
// 127.0.0.1, which the operator configured, is never "the registry's address".
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "integration/registry_env.h"
#include "support/forward_proxy.h"
#include "support/image_fixtures.h"
#include "support/process.h"
#include "support/registry_server.h"
#include "support/temp_dir.h"

namespace pullguard::testing {
namespace {

using nlohmann::json;

const std::string kName = "registry.pullguard.test";

// A serving certificate that names registry.pullguard.test (and 127.0.0.1, to push).
std::string MakeNamedCerts(const TempDir& dir) {
  std::string out = dir.File("named-certs");
  RunResult r = Run({std::string(PULLGUARD_SOURCE_DIR) + "/certs/gen-dev-certs.sh", out, "registry", "pullguard.test"});
  if (r.exit_code != 0) throw std::runtime_error("gen-dev-certs.sh failed: " + r.err);
  return out;
}

// `argv` (pullguard's arguments) with `env` set and no other proxy variable.
std::vector<std::string> Pullguard(const std::vector<std::string>& env, const std::vector<std::string>& argv) {
  std::vector<std::string> out{"env", "-u", "HTTPS_PROXY", "-u", "https_proxy", "-u", "HTTP_PROXY", "-u",
                               "http_proxy", "-u", "NO_PROXY", "-u", "no_proxy", "-u", "ALL_PROXY", "-u", "all_proxy"};
  out.insert(out.end(), env.begin(), env.end());
  out.push_back(PULLGUARD_BINARY);
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

// A run's verdicts: the exit status, and each finding's object, field, reason, action and line.
struct Verdicts {
  int exit_code = -1;
  std::vector<std::string> findings;
  std::string err;
};

Verdicts Judge(const RunResult& r) {
  Verdicts v;
  v.exit_code = r.exit_code;
  v.err = r.err;
  json doc = json::parse(r.out, nullptr, false);
  if (!doc.is_object()) {
    v.findings.push_back("no JSON report: " + r.out.substr(0, 500) + r.err.substr(0, 500));
    return v;
  }
  for (const auto& f : doc["findings"]) {
    v.findings.push_back(f["object"].get<std::string>() + " " + f["action"].get<std::string>() + " " +
                         f["message"].get<std::string>());
  }
  return v;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  return all;
}

struct ProxyLab {
  TempDir dir;
  std::string certs = MakeNamedCerts(dir);
  RegistryServer open{certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", RegistryOptions{}};
  RegistryOptions basic_options = [] {
    RegistryOptions o;
    o.auth = RegistryAuth::kBasic;
    return o;
  }();
  RegistryServer basic{certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", basic_options};
  std::string hosts = dir.Write("hosts", "127.0.0.1 localhost\n127.0.0.1 " + kName + "\n");
  ForwardProxy proxy{ForwardProxyOptions{{open.port(), basic.port()}, hosts}};
  std::string open_host = kName + ":" + std::to_string(open.port());
  std::string basic_host = kName + ":" + std::to_string(basic.port());
  std::string manifest;

  ProxyLab() {
    PushSingle(open, "team/app", "1.0", "linux/amd64");
    PushSingle(basic, "team/app", "1.0", "linux/amd64");
    auto pod = [](const std::string& name, const std::string& image, const std::string& secret) {
      return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", namespace: shop}\nspec:\n" +
             (secret.empty() ? "" : "  imagePullSecrets: [{name: " + secret + "}]\n") +
             "  containers:\n    - name: c\n      image: \"" + image + "\"\n";
    };
    manifest = dir.Write(
        "pods.yaml", pod("exists", open_host + "/team/app:1.0", "") + "---\n" +
                         pod("missing-tag", open_host + "/team/app:9.9", "") + "---\n" +
                         pod("needs-auth", basic_host + "/team/app:1.0", "") + "---\n" +
                         pod("with-secret", basic_host + "/team/app:1.0", "regcred") + "---\n" +
                         PullSecretYaml("shop", "regcred", basic_host, basic_options.user, basic_options.password));
  }

  // The policy: the test CA for registry.pullguard.test; `private_ok` lets pullguard connect to
  // its loopback address directly; `extra` adds fields (a proxy).
  std::string Policy(const std::string& name, bool private_ok, const std::string& extra = "") const {
    return dir.Write(name, "registries:\n  - host: \"" + kName + ":*\"\n    caFile: " + certs + "/ca.crt\n" +
                               "    allowPrivateAddress: " + (private_ok ? "true" : "false") +
                               "\nplatforms: [linux/amd64]\n" + extra);
  }
  std::vector<std::string> Check(const std::string& policy) const {
    return {"check", "-f", manifest, "--policy", policy, "--docker-config", "none", "-o", "json"};
  }
};

TEST_CASE("through a real forward proxy the verdicts are those without it: from HTTPS_PROXY and from the policy",
          "[integration][proxy]") {
  if (std::string why = ForwardProxy::Unavailable(/*with_hosts=*/true); !why.empty()) {
    WARN("skipped: " + why);
    return;
  }
  ProxyLab lab;

  // Without a proxy: pullguard resolves the name itself (the same hosts file) and connects to
  // 127.0.0.1, which the policy allows.
  Verdicts direct = Judge(Run(WithHostsFile(lab.hosts, Pullguard({}, lab.Check(lab.Policy("direct.yaml", true)))),
                              "", std::chrono::seconds(60)));
  INFO("direct:\n" << Joined(direct.findings) << direct.err);
  REQUIRE(direct.exit_code == 1);
  REQUIRE(direct.findings.size() == 2);
  CHECK_THAT(direct.findings[0], Catch::Contains("Pod/missing-tag deny") && Catch::Contains("TagNotFound: tag 9.9 does not exist"));
  CHECK_THAT(direct.findings[1], Catch::Contains("Pod/needs-auth deny") && Catch::Contains("AuthRequired: " + lab.basic_host));
  CHECK(lab.proxy.Connects(lab.open_host) == 0);

  // HTTPS_PROXY: pullguard cannot resolve registry.pullguard.test at all here; the proxy can.
  // The policy does not allow private addresses: the proxy's own (127.0.0.1) is not judged.
  std::string no_private = lab.Policy("proxied.yaml", false);
  Verdicts from_env = Judge(Run(Pullguard({"HTTPS_PROXY=" + lab.proxy.url()}, lab.Check(no_private)), "", std::chrono::seconds(60)));
  INFO("HTTPS_PROXY:\n" << Joined(from_env.findings) << from_env.err);
  CHECK(from_env.exit_code == direct.exit_code);
  CHECK(from_env.findings == direct.findings);
  int open_connects = lab.proxy.Connects(lab.open_host), basic_connects = lab.proxy.Connects(lab.basic_host);
  CHECK(open_connects > 0);
  CHECK(basic_connects > 0);
  // The lower-case form, as Go reads it, and a proxy written without its scheme.
  std::string bare = lab.proxy.url().substr(std::string("http://").size());
  Verdicts lower = Judge(Run(Pullguard({"https_proxy=" + bare}, lab.Check(no_private)), "", std::chrono::seconds(60)));
  CHECK(lower.findings == direct.findings);
  CHECK(lab.proxy.Connects(lab.open_host) > open_connects);

  // The policy's proxy, for the webhook's Deployment, with no proxy in the environment.
  open_connects = lab.proxy.Connects(lab.open_host);
  std::string with_proxy = lab.Policy("policy-proxy.yaml", false, "proxy:\n  httpsProxy: " + lab.proxy.url() + "\n");
  Verdicts from_policy = Judge(Run(Pullguard({}, lab.Check(with_proxy)), "", std::chrono::seconds(60)));
  INFO("policy proxy:\n" << Joined(from_policy.findings) << from_policy.err);
  CHECK(from_policy.exit_code == direct.exit_code);
  CHECK(from_policy.findings == direct.findings);
  CHECK(lab.proxy.Connects(lab.open_host) > open_connects);

  // The policy's setting stands instead of the environment's: `proxy: {}` is no proxy at all.
  // Directly, the name resolves (hosts file) to 127.0.0.1, which this policy does not allow:
  // the address guard judges the registry's own address again.
  open_connects = lab.proxy.Connects(lab.open_host);
  std::string no_proxy_policy = lab.Policy("no-proxy.yaml", false, "proxy: {}\n");
  Verdicts overridden = Judge(Run(WithHostsFile(lab.hosts, Pullguard({"HTTPS_PROXY=" + lab.proxy.url()}, lab.Check(no_proxy_policy))),
                                  "", std::chrono::seconds(60)));
  INFO("proxy: {}:\n" << Joined(overridden.findings));
  CHECK(lab.proxy.Connects(lab.open_host) == open_connects);
  REQUIRE_FALSE(overridden.findings.empty());
  CHECK_THAT(overridden.findings[0], Catch::Contains("RegistryAddressBlocked: " + lab.open_host + " resolves to 127.0.0.1 (loopback)"));
}

TEST_CASE("NO_PROXY and loopback go around the proxy, as Go's rules say", "[integration][proxy]") {
  if (std::string why = ForwardProxy::Unavailable(/*with_hosts=*/true); !why.empty()) {
    WARN("skipped: " + why);
    return;
  }
  ProxyLab lab;
  std::string policy = lab.Policy("direct.yaml", true);
  Verdicts direct = Judge(Run(WithHostsFile(lab.hosts, Pullguard({}, lab.Check(policy))), "", std::chrono::seconds(60)));
  REQUIRE(direct.exit_code == 1);
  // NO_PROXY names the registry (a domain and its subdomains, or a suffix): the proxy is not asked.
  for (const char* no_proxy : {"registry.pullguard.test", ".pullguard.test", "*.pullguard.test", "pullguard.test"}) {
    INFO(no_proxy);
    Verdicts around = Judge(Run(WithHostsFile(lab.hosts, Pullguard({"HTTPS_PROXY=" + lab.proxy.url(),
                                                                      std::string("NO_PROXY=") + no_proxy},
                                                                     lab.Check(policy))),
                                "", std::chrono::seconds(60)));
    CHECK(around.findings == direct.findings);
    CHECK(lab.proxy.Connects(lab.open_host) == 0);
  }
  // An image named by its loopback address never goes through the proxy, even a dead one.
  TempDir dir;
  std::string loopback = dir.Write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                                               "    - {name: c, image: \"" + lab.open.host() + "/team/app:9.9\"}\n");
  std::string ip_policy = dir.Write("ip.yaml", "registries:\n  - host: \"127.0.0.1:*\"\n    caFile: " + lab.certs +
                                                   "/ca.crt\n    allowPrivateAddress: true\nplatforms: [linux/amd64]\n");
  RunResult dead = Run(Pullguard({"HTTPS_PROXY=http://127.0.0.1:9", "ALL_PROXY=http://127.0.0.1:9"},
                                 {"check", "-f", loopback, "--policy", ip_policy, "--docker-config", "none"}));
  CHECK(dead.exit_code == 1);
  CHECK_THAT(dead.out, Catch::Contains("TagNotFound: tag 9.9 does not exist"));
}

TEST_CASE("a proxy that refuses the tunnel is named in the words, never taken for the registry's address",
          "[integration][proxy]") {
  if (std::string why = ForwardProxy::Unavailable(/*with_hosts=*/true); !why.empty()) {
    WARN("skipped: " + why);
    return;
  }
  ProxyLab lab;
  // This proxy may CONNECT to no registry port at all: it answers 403.
  ForwardProxy strict(ForwardProxyOptions{{1}, lab.hosts});
  RunResult r = Run(Pullguard({"HTTPS_PROXY=" + strict.url()}, {"check", "-f", lab.manifest, "--policy",
                                                                 lab.Policy("p.yaml", false), "--docker-config", "none"}),
                    "", std::chrono::seconds(60));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);  // nothing is known about the images: warnings only
  CHECK_THAT(r.out, Catch::Contains("RegistryUnreachable: cannot connect to " + lab.open_host + " through the proxy " +
                                    strict.url() + " (the proxy answered 403 to CONNECT: it refuses this host or port)"));
  CHECK(r.out.find("RegistryAddressBlocked") == std::string::npos);
  CHECK(r.out.find("resolves to") == std::string::npos);
  // A proxy URL pullguard cannot use is a usage error, named after its variable.
  RunResult bad = Run(Pullguard({"HTTPS_PROXY=ftp://proxy.example"}, {"check", "-f", lab.manifest, "--docker-config", "none"}));
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("HTTPS_PROXY: \"ftp://proxy.example\": the scheme must be http, https, socks5 or socks5h"));
}

}  // namespace
}  // namespace pullguard::testing
