// Policy files: defaults, every field, and errors that point at the line.
#include <catch2/catch.hpp>

#include "policy/default_policy.h"
#include "policy/policy_yaml.h"

namespace pullguard::policy {
namespace {

TEST_CASE("an empty policy is the reasons table's defaults") {
  auto policy = ParsePolicy("", "empty.yaml");
  REQUIRE(policy.ok());
  for (Reason r : AllReasons()) CHECK(policy->ActionFor(r) == DefaultAction(r));
  CHECK(policy->IsRegistryAllowed("anything.example.com"));
}

TEST_CASE("regression: defaults are written once: an empty file, no file and policies/default.yaml are one policy") {
  // An empty file gave latestTag ignore, platformsFromNodes false and no exempt namespace,
  // while no --policy (the embedded default.yaml) gave warn, true and kube-system.
  auto empty = ParsePolicy("", "empty.yaml");
  REQUIRE(empty.ok());
  auto file = LoadPolicyFile(std::string(PULLGUARD_SOURCE_DIR) + "/policies/default.yaml");
  REQUIRE(file.ok());
  CHECK(empty.value() == Policy{});
  CHECK(DefaultPolicy() == Policy{});
  CHECK(file.value() == Policy{});
  // What the three agree on is what the docs say.
  CHECK(Policy{}.rules.latest_tag == Action::kWarn);
  CHECK(Policy{}.platforms_from_nodes);
  CHECK(Policy{}.IsNamespaceExempt("kube-system"));
  // The comparison sees every field: a change in one makes them differ.
  Policy changed;
  changed.timeouts.probe += std::chrono::milliseconds(1);
  CHECK_FALSE(changed == Policy{});
}

TEST_CASE("regression: a policy yaml-cpp reads as nothing is not valid, only an empty one is the default") {
  // ",a" (a ',' outside [ ] or { }) loaded as null and passed as the default policy.
  auto stray = ParsePolicy(",a\n", "stray.yaml");
  REQUIRE_FALSE(stray.ok());
  CHECK_THAT(stray.status().message(), Catch::Contains("stray.yaml:1:1: not valid YAML"));
  CHECK(ParsePolicy("# nothing but a comment\n---\n", "comment.yaml").ok());
}

TEST_CASE("every field of a policy is read") {
  auto policy = ParsePolicy(R"(apiVersion: pullguard.io/v1
kind: Policy
actions:
  RegistryUnreachable: deny
  TagNotFound: warn
exemptions:
  namespaces: ["kube-*", sandbox]
  images: ["registry.example.com/sandbox/**"]
rules:
  allowedRegistries:
    registries: ["*.example.com", docker.io]
    action: warn
  latestTag:
    action: deny
  requireDigest:
    action: warn
)", "p.yaml");
  REQUIRE(policy.ok());
  CHECK(policy->ActionFor(Reason::kRegistryUnreachable) == Action::kDeny);
  CHECK(policy->ActionFor(Reason::kTagNotFound) == Action::kWarn);
  CHECK(policy->ActionFor(Reason::kAuthFailed) == Action::kDeny);
  CHECK(policy->IsNamespaceExempt("kube-system"));
  CHECK(policy->IsNamespaceExempt("sandbox"));
  CHECK_FALSE(policy->IsNamespaceExempt("sandbox-2"));
  CHECK(policy->IsImageExempt("registry.example.com/sandbox/team/app:1", ""));
  CHECK_FALSE(policy->IsImageExempt("registry.example.com/prod/app:1", ""));
  CHECK(policy->IsImageExempt("nginx", "") == false);
  CHECK(policy->IsRegistryAllowed("ghcr.example.com"));
  CHECK(policy->IsRegistryAllowed("docker.io"));
  CHECK_FALSE(policy->IsRegistryAllowed("ghcr.io"));
  CHECK(policy->rules.registry_not_allowed == Action::kWarn);
  CHECK(policy->rules.latest_tag == Action::kDeny);
  CHECK(policy->rules.missing_digest == Action::kWarn);
}

TEST_CASE("nodeCredentials.serviceAccountTokens: off unless the policy sets it, and a boolean") {
  CHECK_FALSE(Policy{}.node_credentials.service_account_tokens);
  auto on = ParsePolicy("nodeCredentials:\n  serviceAccountTokens: true\n", "on.yaml");
  REQUIRE(on.ok());
  CHECK(on->node_credentials.service_account_tokens);
  CHECK(on->node_credentials.presets);  // the other settings keep their defaults
  auto off = ParsePolicy("nodeCredentials:\n  serviceAccountTokens: false\n", "off.yaml");
  REQUIRE(off.ok());
  CHECK(off.value() == Policy{});
  auto bad = ParsePolicy("nodeCredentials:\n  serviceAccountTokens: yes-please\n", "bad.yaml");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.status().message(), Catch::Contains("bad.yaml:2:25: nodeCredentials.serviceAccountTokens: must be true or false"));
}

TEST_CASE("image exemptions match the normalized form too") {
  auto policy = ParsePolicy("exemptions:\n  images: [\"docker.io/library/*\"]\n", "p.yaml");
  REQUIRE(policy.ok());
  CHECK(policy->IsImageExempt("nginx:1.25", "docker.io/library/nginx:1.25"));
  CHECK_FALSE(policy->IsImageExempt("team/app", "docker.io/team/app:latest"));
}

TEST_CASE("policy errors name file, line, column and field, all of them at once") {
  struct Case {
    const char* yaml;
    std::vector<std::string> errors;
  };
  const Case cases[] = {
      {"actions:\n  TagNotFound: block\n",
       {"p.yaml:2:16: actions.TagNotFound: unknown action \"block\" (use deny, warn or ignore)"}},
      {"actions:\n  TagMissing: deny\n", {"p.yaml:2:3: actions.TagMissing: unknown reason code"}},
      {"actions:\n  PolicyViolation: warn\n", {"p.yaml:2:3: actions.PolicyViolation: set per rule instead"}},
      {"rulez: {}\n", {"p.yaml:1:1: rulez: unknown field (known: actions, apiVersion, audit, cache, checkRegistries"}},
      {"exemptions:\n  namespaces: kube-system\n", {"p.yaml:2:15: exemptions.namespaces: must be a list of patterns"}},
      {"exemptions:\n  images: [\"[-x]\"]\n", {"p.yaml:2:12: exemptions.images[0]: bad pattern \"[-x]\""}},
      {"rules:\n  latestTag:\n    action: nope\n  requireDigest:\n    when: always\n",
       {"p.yaml:3:13: rules.latestTag.action: unknown action \"nope\"",
        "p.yaml:5:5: rules.requireDigest.when: unknown field (known: action)"}},
      {"apiVersion: pullguard.io/v2\n", {"p.yaml:1:13: apiVersion: must be pullguard.io/v1"}},
      {"actions: [deny]\n", {"p.yaml:1:10: actions: must be a mapping"}},
      {"rules:\n  latestTag: {action: deny\n", {"p.yaml:3:1: not valid YAML"}},
      {"- just\n- a list\n", {"p.yaml: the policy must be a YAML mapping"}},
  };
  for (const auto& c : cases) {
    INFO(c.yaml);
    auto policy = ParsePolicy(c.yaml, "p.yaml");
    REQUIRE_FALSE(policy.ok());
    const std::string& message = policy.status().message();
    size_t lines = std::count(message.begin(), message.end(), '\n') + 1;
    CHECK(lines == c.errors.size());
    for (const auto& e : c.errors) CHECK_THAT(message, Catch::Contains(e));
  }
}

TEST_CASE("the example policies in policies/ are valid") {
  for (const char* name : {"default.yaml", "strict.yaml", "audit.yaml"}) {
    INFO(name);
    auto policy = LoadPolicyFile(std::string(PULLGUARD_SOURCE_DIR) + "/policies/" + name);
    CHECK(policy.ok());
  }
  auto missing = LoadPolicyFile("/nonexistent/policy.yaml");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.status().message(), Catch::Contains("/nonexistent/policy.yaml: no such file"));
}

TEST_CASE("regression: a key given twice is an error, not a silent overwrite") {
  auto policy = ParsePolicy("registries:\n  - host: a.example\nplatforms: []\nregistries: []\n", "p.yaml");
  REQUIRE_FALSE(policy.ok());
  CHECK_THAT(policy.status().message(), Catch::Contains("p.yaml:4:1: registries: given twice; keep one"));
}

TEST_CASE("regression: a reason code given twice under actions is an error, not the second one silently") {
  // yaml-cpp keeps one of the two: TagNotFound was deny or warn depending on the parser.
  auto policy = ParsePolicy("actions:\n  TagNotFound: deny\n  AuthFailed: warn\n  TagNotFound: warn\n", "p.yaml");
  REQUIRE_FALSE(policy.ok());
  CHECK(policy.status().message() == "p.yaml:4:3: actions.TagNotFound: given twice; keep one");
}

TEST_CASE("regression: a registry glob with a URL scheme or a path is refused, with the host to write") {
  // allowedRegistries: ["https://ghcr.io"] was accepted, then every ghcr.io image was denied.
  struct Case {
    const char* yaml;
    const char* error;
  };
  const Case cases[] = {
      {"rules:\n  allowedRegistries:\n    registries: [\"https://ghcr.io\"]\n",
       "p.yaml:3:18: rules.allowedRegistries.registries[0]: \"https://ghcr.io\" has a URL scheme, but it is matched "
       "against the registry host (and :port) only; write ghcr.io"},
      {"rules:\n  allowedRegistries:\n    registries: [docker.io, ghcr.io/acme/]\n",
       "p.yaml:3:29: rules.allowedRegistries.registries[1]: \"ghcr.io/acme/\" has a path, but it is matched against the "
       "registry host (and :port) only; write ghcr.io"},
      {"registries:\n  - host: \"http://registry.internal:5000\"\n",
       "p.yaml:2:11: registries[0].host: \"http://registry.internal:5000\" has a URL scheme, but it is matched against "
       "the registry host (and :port) only; write registry.internal:5000"},
      {"registries:\n  - host: ghcr.io\n    mirror: https://mirror.local/v2/\n",
       "p.yaml:3:13: registries[0].mirror: \"https://mirror.local/v2/\" has a URL scheme and a path, but it is matched "
       "against the registry host (and :port) only; write mirror.local"},
  };
  for (const auto& c : cases) {
    INFO(c.yaml);
    auto policy = ParsePolicy(c.yaml, "p.yaml");
    REQUIRE_FALSE(policy.ok());
    CHECK(policy.status().message() == c.error);
  }
  // Hosts, ports and globs over them stay valid.
  auto fine = ParsePolicy("rules:\n  allowedRegistries:\n    registries: [ghcr.io, \"*.example.com\", \"127.0.0.1:*\", "
                          "\"registry.internal:5000\"]\nregistries:\n  - {host: \"127.0.0.1:*\", mirror: \"mirror.local:5000\"}\n",
                          "p.yaml");
  CHECK(fine.ok());
}

TEST_CASE("regression: an unknown reason code points to docs/reasons.md and the closest name, not to DESIGN.md") {
  // "unknown reason code (see DESIGN.md's findings table)": the repository has no DESIGN.md.
  struct Case {
    const char* yaml;
    std::string error;
  };
  const std::vector<Case> cases{
      {"actions:\n  RegistryUnreachible: deny\n",
       "p.yaml:2:3: actions.RegistryUnreachible: unknown reason code (see docs/reasons.md); did you mean RegistryUnreachable?"},
      {"actions:\n  tagnotfound: warn\n",
       "p.yaml:2:3: actions.tagnotfound: unknown reason code (see docs/reasons.md); did you mean TagNotFound?"},
      {"actions:\n  RegistryTlsError: warn\n",
       "p.yaml:2:3: actions.RegistryTlsError: unknown reason code (see docs/reasons.md); did you mean RegistryTLSError?"},
      {"actions:\n  NodeCredentialUnverified: deny\n",
       "p.yaml:2:3: actions.NodeCredentialUnverified: unknown reason code (see docs/reasons.md); did you mean "
       "NodeCredentialsUnverified?"},
      // Nothing close: no guess.
      {"actions:\n  ImagePullBackOff: deny\n", "p.yaml:2:3: actions.ImagePullBackOff: unknown reason code (see docs/reasons.md)"},
  };
  for (const auto& c : cases) {
    INFO(c.yaml);
    auto policy = ParsePolicy(c.yaml, "p.yaml");
    REQUIRE_FALSE(policy.ok());
    CHECK(policy.status().message() == c.error);
  }
  // Field names get the same "did you mean", after the list of known fields.
  auto field = ParsePolicy("rulez: {}\n", "p.yaml");
  REQUIRE_FALSE(field.ok());
  CHECK_THAT(field.status().message(), Catch::EndsWith("); did you mean rules?"));
  auto nested = ParsePolicy("rules:\n  latestTags: {action: warn}\n", "p.yaml");
  REQUIRE_FALSE(nested.ok());
  CHECK_THAT(nested.status().message(), Catch::Contains("rules.latestTags: unknown field (known: allowedRegistries, "
                                                        "latestTag, requireDigest); did you mean latestTag?"));
}

TEST_CASE("Decide sorts findings by the policy's actions, rule findings keep their own") {
  auto policy = ParsePolicy("actions:\n  RegistryError: ignore\n  TagNotFound: warn\n", "p.yaml");
  REQUIRE(policy.ok());
  std::vector<Finding> findings(4);
  findings[0].reason = Reason::kInvalidReference;
  findings[1].reason = Reason::kTagNotFound;
  findings[2].reason = Reason::kRegistryError;
  findings[3].reason = Reason::kPolicyViolation;
  findings[3].action = Action::kWarn;
  findings[3].action_fixed = true;
  Verdict verdict = Decide(findings, policy.value());
  CHECK_FALSE(verdict.allowed());
  REQUIRE(verdict.denials.size() == 1);
  CHECK(verdict.denials[0].reason == Reason::kInvalidReference);
  REQUIRE(verdict.warnings.size() == 2);
  CHECK(verdict.warnings[0].reason == Reason::kTagNotFound);
  CHECK(verdict.warnings[1].reason == Reason::kPolicyViolation);
}

TEST_CASE("proxy: the webhook Deployment's HTTPS_PROXY, HTTP_PROXY and NO_PROXY, in the policy") {
  auto policy = ParsePolicy("proxy:\n  httpsProxy: http://proxy.corp:3128\n  httpProxy: proxy.corp:3128\n"
                            "  noProxy: [.svc, .cluster.local, 10.0.0.0/8]\n", "p.yaml");
  REQUIRE(policy.ok());
  REQUIRE(policy->proxy.has_value());
  CHECK(policy->proxy->https_proxy == "http://proxy.corp:3128");
  CHECK(policy->proxy->http_proxy == "proxy.corp:3128");
  CHECK(policy->proxy->no_proxy == ".svc,.cluster.local,10.0.0.0/8");
  auto as_string = ParsePolicy("proxy: {httpsProxy: \"http://p:1\", noProxy: \"a.example, b.example\"}\n", "p.yaml");
  REQUIRE(as_string.ok());
  CHECK(as_string->proxy->no_proxy == "a.example, b.example");
  // Not set: the environment's; set empty: no proxy, whatever the environment says.
  CHECK_FALSE(ParsePolicy("", "p.yaml")->proxy.has_value());
  auto none = ParsePolicy("proxy: {}\n", "p.yaml");
  REQUIRE(none.ok());
  REQUIRE(none->proxy.has_value());
  CHECK(none->proxy->empty());

  struct Case {
    const char* yaml;
    std::string error;
  };
  const std::vector<Case> cases{
      {"proxy:\n  httpsProxy: ftp://proxy.corp\n",
       "p.yaml:2:15: proxy.httpsProxy: \"ftp://proxy.corp\": the scheme must be http, https, socks5 or socks5h"},
      {"proxy:\n  httpProxy: http://proxy.corp:3128/path\n",
       "p.yaml:2:14: proxy.httpProxy: \"http://proxy.corp:3128/path\" has a path: a proxy is scheme://host:port"},
      {"proxy:\n  noProxy: [\"https://registry.internal\"]\n",
       "p.yaml:2:12: proxy.noProxy: \"https://registry.internal\" has a URL scheme; write the host (and :port), e.g. "
       "registry.internal"},
      {"proxy:\n  httpsProxys: http://p:1\n",
       "p.yaml:2:3: proxy.httpsProxys: unknown field (known: httpProxy, httpsProxy, noProxy); did you mean httpsProxy?"},
      {"proxy: http://p:1\n", "p.yaml:1:8: proxy: must be a mapping"},
  };
  for (const auto& c : cases) {
    INFO(c.yaml);
    auto p = ParsePolicy(c.yaml, "p.yaml");
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().message() == c.error);
  }
  // Credentials in a proxy URL never reach a message.
  auto secret = ParsePolicy("proxy:\n  httpsProxy: ftp://user:s3cret@proxy.corp\n", "p.yaml");
  REQUIRE_FALSE(secret.ok());
  CHECK(secret.status().message().find("s3cret") == std::string::npos);
}

}  // namespace
}  // namespace pullguard::policy
