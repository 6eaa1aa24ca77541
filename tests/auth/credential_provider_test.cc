// The kubelet's credential provider plugins: the config file as the kubelet reads it, matchImages,
// the clouds' presets, ECR token expiry, and real plugin runs (tests/support/
// fake_credential_provider.cc, located by PULLGUARD_TEST_PLUGIN) with the kubelet's caching.
#include <sys/stat.h>
#include <sys/wait.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "auth/credential_provider.h"
#include "auth/credential_provider_config.h"
#include "auth/docker_config.h"
#include "auth/ecr_token.h"
#include "auth/node_credentials.h"
#include "auth/plugin_exec.h"
#include "auth/provider_presets.h"
#include "support/temp_dir.h"

namespace pullguard::auth {
namespace {

using namespace std::chrono_literals;
using Catch::Contains;
using pullguard::testing::TempDir;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kV1 = "credentialprovider.kubelet.k8s.io/v1";
constexpr const char* kPassword = "s3cr3t-PASSWORD-42";

// ---- The config file -------------------------------------------------------------------------

constexpr const char* kHead = "apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\nproviders:\n";

// A config whose one provider has `fields`, one a line from line 4 on ("name: ecr", ...).
std::string Doc(const std::vector<std::string>& fields, const std::string& head = kHead) {
  std::string out = head;
  for (size_t i = 0; i < fields.size(); ++i) out += (i == 0 ? "  - " : "    ") + fields[i] + "\n";
  return out;
}

const std::vector<std::string> kGood = {"name: ecr", "matchImages: [\"*.dkr.ecr.*.amazonaws.com\"]",
                                        "defaultCacheDuration: \"12h\"",
                                        "apiVersion: credentialprovider.kubelet.k8s.io/v1"};

std::vector<std::string> With(std::vector<std::string> fields, size_t index, const std::string& line) {
  if (index < fields.size()) {
    fields[index] = line;
  } else {
    fields.push_back(line);
  }
  return fields;
}

std::vector<std::string> Without(std::vector<std::string> fields, size_t index) {
  fields.erase(fields.begin() + static_cast<std::ptrdiff_t>(index));
  return fields;
}

// tokenAttributes as the 5th field: "tokenAttributes:" on line 8, its fields from line 9 on.
std::string Tokens(const std::vector<std::string>& lines) {
  std::string out = "tokenAttributes:";
  for (const auto& line : lines) out += "\n      " + line;
  return out;
}

TEST_CASE("a v1 CredentialProviderConfig in YAML, with args, env and tokenAttributes") {
  const std::string text = R"(apiVersion: kubelet.config.k8s.io/v1
kind: CredentialProviderConfig
providers:
  - name: ecr-credential-provider
    matchImages:
      - "*.dkr.ecr.*.amazonaws.com"
      - "*.dkr.ecr.*.amazonaws.com.cn"
    defaultCacheDuration: "12h"
    apiVersion: credentialprovider.kubelet.k8s.io/v1
    args: [get-credentials, --v=3]
    env:
      - name: AWS_DEFAULT_REGION
        value: eu-west-1
      - name: AWS_PROFILE
        value: nodes
    tokenAttributes:
      serviceAccountTokenAudience: sts.amazonaws.com
      cacheType: ServiceAccount
      requireServiceAccount: true
      requiredServiceAccountAnnotationKeys: [eks.amazonaws.com/ecr-role-arn]
      optionalServiceAccountAnnotationKeys: [team]
  - name: auth-provider-gcp
    apiVersion: credentialprovider.kubelet.k8s.io/v1
    matchImages: ["gcr.io", "*.gcr.io", "*.pkg.dev"]
    defaultCacheDuration: 1m
)";
  auto parsed = ParseCredentialProviderConfig(text, "providers.yaml");
  INFO(parsed.status().message());
  REQUIRE(parsed.ok());
  const auto& providers = parsed->providers;
  REQUIRE(providers.size() == 2);
  const CredentialProviderSpec& ecr = providers[0];
  CHECK(ecr.name == "ecr-credential-provider");
  CHECK(ecr.match_images == std::vector<std::string>{"*.dkr.ecr.*.amazonaws.com", "*.dkr.ecr.*.amazonaws.com.cn"});
  CHECK(ecr.default_cache_duration == 12h);
  CHECK(ecr.api_version == kV1);
  CHECK(ecr.args == std::vector<std::string>{"get-credentials", "--v=3"});
  REQUIRE(ecr.env.size() == 2);
  CHECK(ecr.env[0] == std::make_pair(std::string("AWS_DEFAULT_REGION"), std::string("eu-west-1")));
  CHECK(ecr.env[1].first == "AWS_PROFILE");
  REQUIRE(ecr.token_attributes.has_value());
  CHECK(ecr.token_attributes->service_account_token_audience == "sts.amazonaws.com");
  CHECK(ecr.token_attributes->cache_type == ServiceAccountTokenCacheType::kServiceAccount);
  CHECK(ecr.token_attributes->require_service_account);
  CHECK(ecr.token_attributes->required_service_account_annotation_keys ==
        std::vector<std::string>{"eks.amazonaws.com/ecr-role-arn"});
  CHECK(ecr.token_attributes->optional_service_account_annotation_keys == std::vector<std::string>{"team"});
  CHECK(providers[1].name == "auth-provider-gcp");
  CHECK(providers[1].default_cache_duration == 1min);
  CHECK_FALSE(providers[1].token_attributes.has_value());
}

TEST_CASE("v1beta1 and v1alpha1 configs, in JSON as the EKS AMI writes them") {
  for (const char* version : {"v1beta1", "v1alpha1"}) {
    INFO(version);
    const std::string text = std::string(R"({
  "apiVersion": "kubelet.config.k8s.io/)") + version + R"(",
  "kind": "CredentialProviderConfig",
  "providers": [
    {
      "name": "ecr-credential-provider",
      "matchImages": ["*.dkr.ecr.*.amazonaws.com", "*.dkr-ecr.*.on.aws"],
      "defaultCacheDuration": "12h",
      "apiVersion": "credentialprovider.kubelet.k8s.io/)" + version + R"("
    }
  ]
})";
    auto parsed = ParseCredentialProviderConfig(text, "config.json");
    INFO(parsed.status().message());
    REQUIRE(parsed.ok());
    REQUIRE(parsed->providers.size() == 1);
    CHECK(parsed->providers[0].api_version == std::string("credentialprovider.kubelet.k8s.io/") + version);
    CHECK(parsed->providers[0].default_cache_duration == 12h);
  }
}

TEST_CASE("every config error names its file, line and field, as the kubelet refuses them") {
  struct Case {
    std::string text;
    std::string want;
    int line;
  };
  const std::string v1beta1_head =
      "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: CredentialProviderConfig\nproviders:\n";
  const std::vector<Case> cases = {
      {"apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\nproviders: []\n",
       "providers: required value: at least 1 item in plugins is required", 3},
      {"apiVersion: kubelet.config.k8s.io/v1\nkind: KubeletConfiguration\nproviders: []\n",
       "kind: failed to decode \"KubeletConfiguration\" (wrong Kind)", 2},
      {"kind: CredentialProviderConfig\nproviders: []\n", "apiVersion: required", 1},
      {"apiVersion: kubelet.config.k8s.io/v2\nkind: CredentialProviderConfig\n", "no kind \"CredentialProviderConfig\"", 1},
      {"apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\nplugins: []\n",
       "plugins: unknown field", 3},
      {"apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\nproviders: [\n", "not valid YAML", 0},
      {Doc(With(kGood, 0, "name: bin/ecr")), "providers[0].name: invalid value \"bin/ecr\": provider name cannot contain '/'", 4},
      {Doc(With(kGood, 0, "name: \"ecr provider\"")), "provider name cannot contain spaces", 4},
      {Doc(With(kGood, 0, "name: \"..\"")), "provider name cannot be '..'", 4},
      {Doc(With(kGood, 0, "name: 123")), "providers[0].name: must be a string, not a number", 4},
      {Doc(Without(kGood, 0)), "providers[0].name: required value", 4},
      {Doc(kGood) + Doc(kGood, ""), "providers[1].name: duplicate value \"ecr\"", 8},
      {Doc(Without(kGood, 1)), "providers[0].matchImages: required value: at least 1 item in matchImages is required", 4},
      {Doc(With(kGood, 1, "matchImages: []")), "at least 1 item in matchImages is required", 5},
      {Doc(With(kGood, 1, "matchImages: [\"gcr.io\", \"registry.io:abc/team\"]")),
       "providers[0].matchImages[1]: invalid value \"registry.io:abc/team\": match image is invalid: invalid port "
       "\":abc\" after host",
       5},
      {Doc(With(kGood, 1, "matchImages: [\"bad host.io\"]")), "invalid character \" \" in host name", 5},
      {Doc(Without(kGood, 2)), "providers[0].defaultCacheDuration: required value", 4},
      {Doc(With(kGood, 2, "defaultCacheDuration: \"-1m\"")), "defaultCacheDuration must be greater than or equal to 0", 6},
      {Doc(With(kGood, 2, "defaultCacheDuration: 0")), "providers[0].defaultCacheDuration: must be a string holding a Go duration, not a number", 6},
      {Doc(With(kGood, 2, "defaultCacheDuration: ten minutes")), "defaultCacheDuration: not a Go duration", 6},
      {Doc(Without(kGood, 3)), "providers[0].apiVersion: required value", 4},
      {Doc(With(kGood, 3, "apiVersion: credentialprovider.kubelet.k8s.io/v2")),
       "providers[0].apiVersion: unsupported value \"credentialprovider.kubelet.k8s.io/v2\"", 7},
      {Doc(With(kGood, 4, "image: x")), "providers[0].image: unknown field", 8},
      {Doc(With(kGood, 4, "name: again")), "providers[0].name: duplicate field", 8},
      {Doc(With(kGood, 4, "args: get-credentials")), "providers[0].args: must be a list of strings, not a string", 8},
      {Doc(With(kGood, 4, Tokens({"serviceAccountTokenAudience: a", "cacheType: Token", "requireServiceAccount: true"})),
           v1beta1_head),
       "providers[0].tokenAttributes: unknown field", 8},
      {Doc(With(With(kGood, 3, "apiVersion: credentialprovider.kubelet.k8s.io/v1beta1"), 4,
                Tokens({"serviceAccountTokenAudience: a", "cacheType: Token", "requireServiceAccount: true"}))),
       "providers[0].tokenAttributes: forbidden: tokenAttributes is only supported for "
       "credentialprovider.kubelet.k8s.io/v1 API version",
       9},
      {Doc(With(kGood, 4, Tokens({"cacheType: Token", "requireServiceAccount: true"}))),
       "providers[0].tokenAttributes.serviceAccountTokenAudience: required value", 9},
      {Doc(With(kGood, 4, Tokens({"serviceAccountTokenAudience: a", "cacheType: Token"}))),
       "providers[0].tokenAttributes.requireServiceAccount: required value", 9},
      {Doc(With(kGood, 4, Tokens({"serviceAccountTokenAudience: a", "requireServiceAccount: true"}))),
       "providers[0].tokenAttributes.cacheType: required value: cacheType is required", 9},
      {Doc(With(kGood, 4, Tokens({"serviceAccountTokenAudience: a", "cacheType: Pod", "requireServiceAccount: true"}))),
       "providers[0].tokenAttributes.cacheType: unsupported value \"Pod\"", 10},
      {Doc(With(kGood, 4, Tokens({"serviceAccountTokenAudience: a", "cacheType: Token", "requireServiceAccount: false",
                                  "requiredServiceAccountAnnotationKeys: [team]"}))),
       "requireServiceAccount cannot be false when requiredServiceAccountAnnotationKeys is set", 12},
      {Doc(With(kGood, 4, Tokens({"serviceAccountTokenAudience: a", "cacheType: Token", "requireServiceAccount: true",
                                  "optionalServiceAccountAnnotationKeys: [team, \"bad key!\"]"}))),
       "providers[0].tokenAttributes.optionalServiceAccountAnnotationKeys[1]: invalid value \"bad key!\": name part "
       "must consist of",
       12},
      {Doc(With(kGood, 4, Tokens({"serviceAccountTokenAudience: a", "cacheType: Token", "requireServiceAccount: true",
                                  "requiredServiceAccountAnnotationKeys: [team]",
                                  "optionalServiceAccountAnnotationKeys: [team]"}))),
       "annotation keys cannot be both required and optional", 9},
      {Doc(With(kGood, 4, Tokens({"serviceAccountTokenAudience: a", "cacheType: Token", "requireServiceAccount: yes"}))),
       "requireServiceAccount: must be true or false, not a string", 11},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto parsed = ParseCredentialProviderConfig(c.text, "cfg.yaml");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(parsed.status().message(), Contains(c.want));
    if (c.line > 0) CHECK_THAT(parsed.status().message(), Contains("cfg.yaml:" + std::to_string(c.line) + ":"));
  }
}

TEST_CASE("env values and args never appear in an error") {
  std::vector<std::string> fields = With(kGood, 4, "env: [{name: AWS_SECRET_ACCESS_KEY, value: wJalrXUtnFEMI, extra: 1}]");
  auto parsed = ParseCredentialProviderConfig(Doc(fields), "cfg.yaml");
  REQUIRE_FALSE(parsed.ok());
  CHECK_THAT(parsed.status().message(), Contains("providers[0].env[0].extra: unknown field"));
  CHECK_THAT(parsed.status().message(), !Contains("wJalrXUtnFEMI"));
}

TEST_CASE("a config directory: its *.json, *.yaml and *.yml files merged in name order") {
  TempDir dir;
  std::filesystem::create_directory(dir.File("conf"));
  std::string gcp = Doc({"name: auth-provider-gcp", "matchImages: [\"gcr.io\"]", "defaultCacheDuration: 1m",
                         "apiVersion: credentialprovider.kubelet.k8s.io/v1"});
  dir.Write("conf/20-gcp.yml", gcp);
  dir.Write("conf/10-ecr.yaml", Doc(kGood));
  dir.Write("conf/README.md", "not a config");
  auto merged = LoadCredentialProviderConfig(dir.File("conf"));
  INFO(merged.status().message());
  REQUIRE(merged.ok());
  REQUIRE(merged->providers.size() == 2);
  CHECK(merged->providers[0].name == "ecr");
  CHECK(merged->providers[1].name == "auth-provider-gcp");

  dir.Write("conf/30-ecr-again.json", Doc(kGood));
  auto duplicate = LoadCredentialProviderConfig(dir.File("conf"));
  REQUIRE_FALSE(duplicate.ok());
  CHECK_THAT(duplicate.status().message(), Contains("duplicate provider name \"ecr\""));
  CHECK(LoadCredentialProviderConfig(dir.File("nothing-here")).status().code() == StatusCode::kNotFound);
}

// ---- matchImages, presets, ECR tokens -------------------------------------------------------

TEST_CASE("matchImages as the kubelet matches them: labels, ports, path prefixes") {
  struct Case {
    const char* glob;
    const char* image;
    bool match;
  };
  const Case cases[] = {
      {"registry.io:8080/path", "registry.io:8080/path/app", true},
      {"registry.io:8080/path", "registry.io/path/app", false},       // the port must be there
      {"registry.io:8080/path", "registry.io:9090/path/app", false},  // and be the same
      {"registry.io:8080/path", "registry.io:8080/other/app", false}, // the path is a prefix
      {"registry.io", "registry.io:5000/app", false},                 // a port the key lacks
      {"*.azurecr.io", "team.azurecr.io/app", true},
      {"*.azurecr.io", "azurecr.io/app", false},
      {"*.azurecr.io", "a.b.azurecr.io/app", false},                  // '*' is one label
      {"*.*.registry.io", "a.b.registry.io/app", true},
      {"k8s.*", "k8s.io/pause", true},
      {"app*.k8s.io", "app1.k8s.io/x", true},
      {"app*.k8s.io", "bpp.k8s.io/x", false},
      {"gcr.io", "gcr.io/project/image", true},
      {"gcr.io", "gcr.io.evil.com/project/image", false},
      {"*.dkr.ecr.*.amazonaws.com", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api", true},
      {"*.dkr.ecr.*.amazonaws.com", "123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.com/shop/api", false},
  };
  for (const auto& c : cases) {
    INFO(c.glob << " vs " << c.image);
    CredentialProviderSpec spec;
    spec.match_images = {"unrelated.example.com", c.glob};
    CHECK(ProviderMatchesImage(spec, c.image) == c.match);
  }
}

TEST_CASE("the clouds' presets match their registries and not look-alikes") {
  struct Case {
    const char* image;
    const char* preset;  // nullptr: none
  };
  const Case cases[] = {
      {"123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api", "ecr-credential-provider"},
      {"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app", "ecr-credential-provider"},
      {"123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/app", "ecr-credential-provider"},
      {"123456789012.dkr-ecr.us-east-1.on.aws/app", "ecr-credential-provider"},
      {"123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov/app", "ecr-credential-provider"},
      {"123456789012.dkr.ecr.us-isob-east-1.sc2s.sgov.gov/app", "ecr-credential-provider"},
      {"public.ecr.aws/nginx/nginx", "ecr-credential-provider"},
      {"gcr.io/project/image", "auth-provider-gcp"},
      {"eu.gcr.io/project/image", "auth-provider-gcp"},
      {"europe-west1-docker.pkg.dev/project/repo/image", "auth-provider-gcp"},
      {"container.cloud.google.com/x", "auth-provider-gcp"},
      {"team.azurecr.io/app", "acr-credential-provider"},
      {"team.azurecr.cn/app", "acr-credential-provider"},
      {"team.azurecr.us/app", "acr-credential-provider"},
      // regression: a geo-replica of an ACR registry was denied AuthRequired (no preset matched)
      {"team.westeurope.geo.azurecr.io/app", "acr-credential-provider"},
      {"dkr.ecr.eu-west-1.amazonaws.com.evil.com/app", nullptr},
      {"123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.com/app", nullptr},
      {"dkr.ecr.eu-west-1.amazonaws.com/app", nullptr},
      {"gcr.io.evil.com/project/image", nullptr},
      {"evilgcr.io/project/image", nullptr},
      {"azurecr.io/app", nullptr},
      {"team.azurecr.io.evil.com/app", nullptr},
      {"docker.io/library/nginx", nullptr},
  };
  for (const auto& c : cases) {
    INFO(c.image);
    const ProviderPreset* preset = PresetMatching(c.image);
    if (c.preset == nullptr) {
      CHECK(preset == nullptr);
    } else {
      REQUIRE(preset != nullptr);
      CHECK(preset->name == c.preset);
    }
  }
  REQUIRE(BuiltinProviderPresets().size() == 3);
  CHECK(BuiltinProviderPresets()[0].name == "ecr-credential-provider");
}

std::string EcrPassword(const std::string& json_text, bool padded) {
  std::string encoded = EncodeBase64(json_text);
  if (!padded) {
    while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  }
  return encoded;
}

TEST_CASE("an ECR token's expiry, padded or not, and other credentials have none") {
  const std::string token = R"({"payload":"AQID","datakey":"AQIDBA==","version":"2","type":"DATA_KEY","expiration":1700000000})";
  for (bool padded : {true, false}) {
    INFO("padded " << padded);
    Credential credential("AWS", EcrPassword(token, padded), "", "credential provider ecr-credential-provider");
    auto expiry = EcrTokenExpiry(credential);
    REQUIRE(expiry.has_value());
    CHECK(std::chrono::duration_cast<std::chrono::seconds>(expiry->time_since_epoch()).count() == 1700000000);
  }
  struct Case {
    const char* what;
    Credential credential;
  };
  const Case not_tokens[] = {
      {"another user", Credential("bob", EcrPassword(token, true), "", "")},
      {"not base64", Credential("AWS", "%%%not-base64%%%", "", "")},
      {"not JSON", Credential("AWS", EncodeBase64("hunter2"), "", "")},
      {"no expiration", Credential("AWS", EncodeBase64(R"({"payload":"a","datakey":"b"})"), "", "")},
      {"expiration not a number", Credential("AWS", EncodeBase64(R"({"payload":"a","datakey":"b","expiration":"soon"})"), "", "")},
      {"empty", Credential("AWS", "", "", "")},
  };
  for (const auto& c : not_tokens) {
    INFO(c.what);
    CHECK_FALSE(EcrTokenExpiry(c.credential).has_value());
  }
}

// ---- RunPlugin ---------------------------------------------------------------------------------

PluginLimits Within(std::chrono::milliseconds budget) {
  PluginLimits limits;
  limits.deadline = SteadyClock::now() + budget;
  return limits;
}

TEST_CASE("RunPlugin: stdin in, stdout out, the environment merged, no SIGPIPE, the process group killed") {
  SECTION("what goes in comes out, both larger than a pipe's buffer") {
    std::string input(300 * 1024, 'a');
    PluginRun run = RunPlugin("/bin/cat", {}, {}, input, Within(10s));
    CHECK(run.kind == PluginRunKind::kOk);
    CHECK(run.stdout_bytes == input);
  }
  SECTION("a child that reads nothing: EPIPE, and this process lives on") {
    PluginRun run = RunPlugin("/bin/true", {}, {}, std::string(1 << 20, 'x'), Within(10s));
    CHECK(run.kind == PluginRunKind::kOk);
  }
  SECTION("the configured variables override the process's, the last one given winning") {
    PluginRun run = RunPlugin("/bin/sh", {"-c", "printf '%s|%s' \"$PG_TEST_VAR\" \"${PATH:+has-path}\""},
                              {{"PG_TEST_VAR", "first"}, {"PG_TEST_VAR", "second"}}, "", Within(10s));
    CHECK(run.kind == PluginRunKind::kOk);
    CHECK(run.stdout_bytes == "second|has-path");
  }
  SECTION("exit status, signal, stderr head") {
    PluginRun exit3 = RunPlugin("/bin/sh", {"-c", "echo oops >&2; exit 3"}, {}, "", Within(10s));
    CHECK(exit3.kind == PluginRunKind::kExitNonZero);
    CHECK(exit3.exit_code == 3);
    CHECK(exit3.stderr_head == "oops\n");
    PluginRun killed = RunPlugin("/bin/sh", {"-c", "kill -9 $$"}, {}, "", Within(10s));
    CHECK(killed.kind == PluginRunKind::kSignaled);
    CHECK(killed.signal == 9);
  }
  SECTION("a grandchild holding stdout open dies with the group at the deadline") {
    auto start = SteadyClock::now();
    PluginRun run = RunPlugin("/bin/sh", {"-c", "sleep 30 & sleep 30"}, {}, "", Within(500ms));
    CHECK(run.kind == PluginRunKind::kTimedOut);
    CHECK(SteadyClock::now() - start < 5s);
    CHECK(DescribePluginRun(run, "/bin/sh", Within(0ms)).rfind("timed out after ", 0) == 0);
  }
  SECTION("missing, not executable") {
    TempDir dir;
    CHECK(RunPlugin(dir.File("absent"), {}, {}, "", Within(10s)).kind == PluginRunKind::kNotFound);
    std::string text = dir.Write("text", "#!/bin/sh\nexit 0\n");
    ::chmod(text.c_str(), 0644);
    CHECK(RunPlugin(text, {}, {}, "", Within(10s)).kind == PluginRunKind::kNotExecutable);
  }
  SECTION("regression: a plugin whose interpreter is missing was called absent") {
    // execve answers ENOENT for the missing #! interpreter (or dynamic loader) of a file that is
    // there: "no executable at PATH" sent people looking for a file they could see.
    TempDir dir;
    std::string script = dir.Write("needs-interpreter", "#!/nonexistent/interpreter\nexit 0\n");
    ::chmod(script.c_str(), 0755);
    PluginRun run = RunPlugin(script, {}, {}, "", Within(10s));
    REQUIRE(run.kind == PluginRunKind::kNotFound);
    std::string said = DescribePluginRun(run, script, Within(10s));
    CHECK_THAT(said, Contains("is there but does not start"));
    CHECK_THAT(said, !Contains("no executable at"));
  }
  int status = 0;
  CHECK(::waitpid(-1, &status, WNOHANG) <= 0);  // no zombie of ours left
}

// ---- CredentialProviders with the fake plugin -------------------------------------------------

// One provider of the test config; its plugin is the fake, under `name` in the bin dir.
struct Fake {
  std::string name = "fake";
  std::vector<std::string> match_images = {"*.registry.test"};
  std::string default_cache = "5m";
  std::string api_version = kV1;
  std::vector<std::pair<std::string, std::string>> env;
  std::string extra;    // further YAML lines of the provider, indented by 4
  bool install = true;  // false: no executable in the bin dir
};

Fake FakeWith(std::vector<std::pair<std::string, std::string>> env) {
  Fake fake;
  fake.env = std::move(env);
  fake.env.emplace_back("FAKE_PROVIDER_PASSWORD", kPassword);
  return fake;
}

// A manual clock for the cache.
class FakeClock {
 public:
  SteadyClock::time_point now() const { return base_ + std::chrono::nanoseconds(offset_ns_.load()); }
  void Advance(std::chrono::nanoseconds d) { offset_ns_ += d.count(); }

 private:
  const SteadyClock::time_point base_ = SteadyClock::now();
  std::atomic<int64_t> offset_ns_{0};
};

class World {
 public:
  explicit World(std::vector<Fake> fakes, const std::shared_ptr<FakeClock>& clock = nullptr) {
    std::string yaml = kHead;
    for (auto& fake : fakes) {
      fake.env.emplace_back("FAKE_PROVIDER_LOG", dir_.File("runs.log"));
      yaml += "  - name: " + fake.name + "\n    apiVersion: " + fake.api_version +
              "\n    defaultCacheDuration: \"" + fake.default_cache + "\"\n    matchImages:\n";
      for (const auto& m : fake.match_images) yaml += "      - " + nlohmann::json(m).dump() + "\n";
      yaml += "    args: [--from-config]\n    env:\n";
      for (const auto& [name, value] : fake.env) {
        yaml += "      - name: " + name + "\n        value: " + nlohmann::json(value).dump() + "\n";
      }
      yaml += fake.extra;
      if (fake.install) std::filesystem::create_symlink(PULLGUARD_TEST_PLUGIN, dir_.File(fake.name));
    }
    auto config = ParseCredentialProviderConfig(yaml, "test-config.yaml");
    if (!config.ok()) FAIL(config.status().message() << "\n" << yaml);
    CredentialProviders::Options options;
    if (clock) options.now = [clock] { return clock->now(); };
    providers_ = std::make_unique<CredentialProviders>(config.value(), dir_.path(), options);
  }

  CredentialProviders& providers() { return *providers_; }

  ProviderAnswer Ask(const std::string& image, std::chrono::milliseconds budget = 10s, const std::string& name = "fake",
                     ProviderRequest request = {}) {
    request.image = image;
    for (const auto& spec : providers_->config().providers) {
      if (spec.name == name) return providers_->Provide(spec, request, SteadyClock::now() + budget);
    }
    FAIL("no provider " << name);
    return {};
  }

  size_t execs(const std::string& name = "fake") const { return providers_->execs(name); }

  // One JSON object per plugin run.
  std::vector<nlohmann::json> Runs() const {
    std::vector<nlohmann::json> runs;
    std::ifstream in(dir_.File("runs.log"));
    for (std::string line; std::getline(in, line);) runs.push_back(nlohmann::json::parse(line));
    return runs;
  }

 private:
  TempDir dir_;
  std::unique_ptr<CredentialProviders> providers_;
};

TEST_CASE("a plugin's credentials come for images its auth keys match, and only those") {
  World world({FakeWith({{"FAKE_PROVIDER_AUTH_KEY", "*.registry.test/team"}, {"FAKE_PROVIDER_USER", "robot"}})});
  ProviderAnswer got = world.Ask("eu.registry.test/team/app");
  INFO(got.failure_text);
  REQUIRE(got.ok);
  CHECK(got.provider == "fake");
  CHECK_FALSE(got.from_cache);
  REQUIRE(got.credentials.size() == 1);
  CHECK(got.credentials[0].username == "robot");
  CHECK(got.credentials[0].password == kPassword);
  CHECK(got.credentials[0].source == "credential provider fake");
  CHECK(got.credentials[0].identity.empty());
  REQUIRE(got.auth.size() == 1);
  CHECK(got.auth[0].first == "*.registry.test/team");

  // Matched by the provider, answered, but the key is for another path: no credentials.
  ProviderAnswer other = world.Ask("eu.registry.test/other/app");
  REQUIRE(other.ok);
  CHECK(other.credentials.empty());
  CHECK(other.auth.size() == 1);

  auto runs = world.Runs();
  REQUIRE(runs.size() == 2);
  CHECK(runs[0]["image"] == "eu.registry.test/team/app");
  CHECK(runs[0]["apiVersion"] == kV1);
  CHECK(runs[0]["token"] == false);
  CHECK(runs[0]["args"] == nlohmann::json::array({"--from-config"}));

  // Not one of its matchImages: not run at all.
  ProviderAnswer unmatched = world.Ask("ghcr.io/org/app");
  CHECK(unmatched.failure == ProviderFailure::kImageNotMatched);
  CHECK(world.execs() == 2);
}

TEST_CASE("Matching lists the providers for an image in config order") {
  Fake first = FakeWith({});
  first.name = "first";
  Fake second = FakeWith({});
  second.name = "second";
  second.match_images = {"*.*"};
  Fake third = FakeWith({});
  third.name = "third";
  third.match_images = {"gcr.io"};
  World world({first, second, third});
  auto matching = world.providers().Matching("eu.registry.test/app");
  REQUIRE(matching.size() == 1);  // "*.*" has two labels, the host three
  CHECK(matching[0]->name == "first");
  matching = world.providers().Matching("gcr.io/project/app");
  REQUIRE(matching.size() == 2);
  CHECK(matching[0]->name == "second");
  CHECK(matching[1]->name == "third");
}

TEST_CASE("cacheKeyType Image, Registry and Global cache under the image, its host, or one key") {
  struct Case {
    const char* key_type;
    size_t execs;
  };
  const Case cases[] = {{"Image", 3}, {"Registry", 2}, {"Global", 1}};
  for (const auto& c : cases) {
    INFO(c.key_type);
    World world({FakeWith({{"FAKE_PROVIDER_CACHE_KEY_TYPE", c.key_type}, {"FAKE_PROVIDER_AUTH_KEY", "*.registry.test"}})});
    for (const char* image : {"eu.registry.test/team/app", "eu.registry.test/team/other", "us.registry.test/team/app",
                              "eu.registry.test/team/app"}) {
      ProviderAnswer got = world.Ask(image);
      INFO(image << ": " << got.failure_text);
      REQUIRE(got.ok);
      CHECK(got.credentials.size() == 1);  // a cached answer is matched against each image anew
    }
    CHECK(world.execs() == c.execs);
    CHECK(world.Runs().size() == c.execs);
  }
}

TEST_CASE("cacheDuration: 0 is not cached, absent is defaultCacheDuration, else as given") {
  SECTION("\"0\": every request runs the plugin") {
    World world({FakeWith({{"FAKE_PROVIDER_CACHE_DURATION", "0"}})});
    REQUIRE(world.Ask("eu.registry.test/app").ok);
    REQUIRE(world.Ask("eu.registry.test/app").ok);
    CHECK(world.execs() == 2);
  }
  SECTION("absent: the provider's defaultCacheDuration") {
    auto clock = std::make_shared<FakeClock>();
    Fake fake = FakeWith({});
    fake.default_cache = "1m";
    World world({fake}, clock);
    REQUIRE(world.Ask("eu.registry.test/app").ok);
    clock->Advance(59s);
    ProviderAnswer cached = world.Ask("eu.registry.test/app");
    REQUIRE(cached.ok);
    CHECK(cached.from_cache);
    CHECK(world.execs() == 1);
    clock->Advance(2s);
    ProviderAnswer again = world.Ask("eu.registry.test/app");
    REQUIRE(again.ok);
    CHECK_FALSE(again.from_cache);
    CHECK(world.execs() == 2);
  }
  SECTION("absent, and a defaultCacheDuration of 0: not cached") {
    Fake fake = FakeWith({});
    fake.default_cache = "0";
    World world({fake});
    REQUIRE(world.Ask("eu.registry.test/app").ok);
    REQUIRE(world.Ask("eu.registry.test/app").ok);
    CHECK(world.execs() == 2);
  }
  SECTION("given: it wins over the default") {
    auto clock = std::make_shared<FakeClock>();
    Fake fake = FakeWith({{"FAKE_PROVIDER_CACHE_DURATION", "10s"}});
    fake.default_cache = "1h";
    World world({fake}, clock);
    REQUIRE(world.Ask("eu.registry.test/app").ok);
    clock->Advance(11s);
    REQUIRE(world.Ask("eu.registry.test/app").ok);
    CHECK(world.execs() == 2);
  }
}

TEST_CASE("a failing plugin: the right failure, no credentials, nothing it printed, nothing cached") {
  struct Case {
    std::vector<std::pair<std::string, std::string>> env;
    ProviderFailure failure;
    std::string text;
  };
  const std::vector<Case> cases = {
      {{{"FAKE_PROVIDER_MODE", "fail"}}, ProviderFailure::kExitNonZero, "exited with status 1"},
      {{{"FAKE_PROVIDER_MODE", "garbage"}}, ProviderFailure::kBadResponse, "its response is not a JSON object"},
      {{{"FAKE_PROVIDER_MODE", "huge"}}, ProviderFailure::kOutputTooLarge, "wrote more than 1048576 bytes to stdout"},
      {{{"FAKE_PROVIDER_MODE", "wrong-api-version"}}, ProviderFailure::kWrongApiVersion,
       "answered apiVersion credentialprovider.kubelet.k8s.io/v1beta1, configured credentialprovider.kubelet.k8s.io/v1"},
      {{{"FAKE_PROVIDER_MODE", "unknown-field"}}, ProviderFailure::kBadResponse, "unknown field \"foo\" in its response"},
      {{{"FAKE_PROVIDER_CACHE_KEY_TYPE", "Forever"}}, ProviderFailure::kBadCacheKeyType,
       "answered cacheKeyType \"Forever\", not Image, Registry or Global"},
      {{{"FAKE_PROVIDER_CACHE_DURATION", "a while"}}, ProviderFailure::kBadResponse, "cacheDuration is not a Go duration"},
      {{{"FAKE_PROVIDER_MODE", "no-such-mode"}}, ProviderFailure::kExitNonZero, "exited with status 3"},
  };
  for (const auto& c : cases) {
    INFO(c.env[0].first << "=" << c.env[0].second);
    World world({FakeWith(c.env)});
    for (int attempt = 0; attempt < 2; ++attempt) {
      ProviderAnswer got = world.Ask("eu.registry.test/app");
      CHECK_FALSE(got.ok);
      CHECK(got.failure == c.failure);
      CHECK_THAT(got.failure_text, Contains(c.text));
      CHECK_THAT(got.failure_text, !Contains(kPassword));
      CHECK(got.credentials.empty());
      CHECK(got.auth.empty());
    }
    CHECK(world.execs() == 2);  // failures are not cached
  }
}

TEST_CASE("a plugin that hangs is killed at the deadline, and the answer comes within it") {
  World world({FakeWith({{"FAKE_PROVIDER_MODE", "hang"}})});
  auto start = SteadyClock::now();
  ProviderAnswer got = world.Ask("eu.registry.test/app", 1000ms);
  auto took = SteadyClock::now() - start;
  CHECK(got.failure == ProviderFailure::kTimedOut);
  CHECK_THAT(got.failure_text, Contains("timed out after 1."));
  CHECK_THAT(got.failure_text, !Contains(kPassword));
  CHECK(took >= 900ms);
  CHECK(took < 3s);
  int status = 0;
  CHECK(::waitpid(-1, &status, WNOHANG) <= 0);  // reaped, not a zombie
}

TEST_CASE("a missing or non-executable plugin") {
  Fake missing = FakeWith({});
  missing.name = "missing";
  missing.install = false;
  Fake text = FakeWith({});
  text.name = "text";
  text.install = false;
  World world({missing, text});
  ProviderAnswer none = world.Ask("eu.registry.test/app", 10s, "missing");
  CHECK(none.failure == ProviderFailure::kNotFound);
  CHECK_THAT(none.failure_text, Contains("no executable at "));
  // The bin dir is the World's temp dir; put a file there that cannot run.
  std::string bin = none.failure_text.substr(std::string("no executable at ").size());
  bin = bin.substr(0, bin.rfind('/'));
  { std::ofstream(bin + "/text") << "not a program\n"; }
  ::chmod((bin + "/text").c_str(), 0644);
  CHECK(world.Ask("eu.registry.test/app", 10s, "text").failure == ProviderFailure::kNotExecutable);
}

TEST_CASE("two identical requests at once run the plugin once") {
  World world({FakeWith({{"FAKE_PROVIDER_CACHE_DURATION", "0"}, {"FAKE_PROVIDER_DELAY_MS", "700"}})});
  std::atomic<bool> go{false};
  ProviderAnswer answers[2];
  std::thread threads[2];
  for (int i = 0; i < 2; ++i) {
    threads[i] = std::thread([&, i] {
      while (!go.load()) std::this_thread::yield();
      answers[i] = world.Ask("eu.registry.test/app");
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  for (const auto& answer : answers) {
    CHECK(answer.ok);
    CHECK(answer.credentials.size() == 1);
  }
  CHECK(world.execs() == 1);
  CHECK(world.Runs().size() == 1);
  // Different images are different flights.
  REQUIRE(world.Ask("eu.registry.test/other").ok);
  CHECK(world.execs() == 2);
}

TEST_CASE("tokenAttributes: the token and the listed annotations go to the plugin, or it is not run") {
  Fake fake = FakeWith({});
  fake.extra =
      "    tokenAttributes:\n"
      "      serviceAccountTokenAudience: registry.test\n"
      "      cacheType: ServiceAccount\n"
      "      requireServiceAccount: true\n"
      "      requiredServiceAccountAnnotationKeys: [registry.test/role]\n"
      "      optionalServiceAccountAnnotationKeys: [registry.test/team]\n";
  Fake echo = FakeWith({{"FAKE_PROVIDER_MODE", "echo-token"}});
  echo.name = "echo";
  echo.extra = fake.extra;
  World world({fake, echo});

  CHECK(world.Ask("eu.registry.test/app").failure == ProviderFailure::kServiceAccountRequired);
  ProviderRequest request;
  request.service_account_token = "eyJhbGciOi.token.sig";
  request.service_account_namespace = "shop";
  request.service_account_name = "builder";
  request.service_account_uid = "0b7c-uid";
  request.service_account_annotations = {{"registry.test/team", "payments"}, {"unrelated", "x"}};
  ProviderAnswer missing = world.Ask("eu.registry.test/app", 10s, "fake", request);
  CHECK(missing.failure == ProviderFailure::kAnnotationMissing);
  CHECK_THAT(missing.failure_text, Contains("registry.test/role"));
  CHECK(world.execs() == 0);

  request.service_account_annotations["registry.test/role"] = "puller";
  ProviderAnswer got = world.Ask("eu.registry.test/app", 10s, "fake", request);
  INFO(got.failure_text);
  REQUIRE(got.ok);
  auto runs = world.Runs();
  REQUIRE(runs.size() == 1);
  CHECK(runs[0]["token"] == true);
  CHECK(runs[0]["annotations"] == nlohmann::json({{"registry.test/role", "puller"}, {"registry.test/team", "payments"}}));
  // Cached per service account: another service account runs the plugin again.
  CHECK(world.Ask("eu.registry.test/app", 10s, "fake", request).from_cache);
  request.service_account_uid = "another-uid";
  CHECK_FALSE(world.Ask("eu.registry.test/app", 10s, "fake", request).from_cache);
  CHECK(world.execs() == 2);

  // The token itself as the password, with cacheType ServiceAccount: refused, and not repeated.
  ProviderAnswer echoed = world.Ask("eu.registry.test/app", 10s, "echo", request);
  CHECK(echoed.failure == ProviderFailure::kTokenEchoed);
  CHECK_THAT(echoed.failure_text, !Contains("eyJhbGciOi"));
}

TEST_CASE("KEP-4412 for a pod: the kubelet's skips are mirrored, no token is asked, and a token sends the listed annotations") {
  TempDir dir;
  std::filesystem::create_symlink(PULLGUARD_TEST_PLUGIN, dir.File("fake"));
  NodeCredentialSettings settings;
  settings.provider_config = dir.Write(
      "config.yaml", std::string(kHead) +
                         "  - name: fake\n    apiVersion: credentialprovider.kubelet.k8s.io/v1\n"
                         "    defaultCacheDuration: \"5m\"\n    matchImages: [\"*.registry.test\"]\n    env:\n"
                         "      - name: FAKE_PROVIDER_LOG\n        value: " + nlohmann::json(dir.File("runs.log")).dump() + "\n"
                         "    tokenAttributes:\n      serviceAccountTokenAudience: registry.test\n"
                         "      cacheType: ServiceAccount\n      requireServiceAccount: true\n"
                         "      requiredServiceAccountAnnotationKeys: [registry.test/role]\n"
                         "      optionalServiceAccountAnnotationKeys: [registry.test/team]\n");
  settings.provider_bin_dir = dir.path();
  settings.presets = false;
  auto runs = [&dir] {
    std::vector<nlohmann::json> out;
    std::ifstream in(dir.File("runs.log"));
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    return out;
  };
  NodeCredentials node;
  PodServiceAccount account;
  account.ns = "shop";
  account.name = "builder";
  ServiceAccountInfo info;
  info.uid = "uid-1";
  info.annotations = {{"registry.test/team", "payments"}, {"unlisted.test/key", "x"}};
  account.account = info;
  const std::string image = "eu.registry.test/app";

  // A required annotation missing: the kubelet skips the provider, so no node plugin pulls it.
  NodeCredentialAnswer skipped = node.For(image, settings, SteadyClock::now() + 10s, &account);
  CHECK(skipped.provider.empty());
  CHECK(skipped.credentials.empty());
  // With it, the kubelet runs the plugin with the pod's token, which pullguard does not ask for.
  account.account->annotations["registry.test/role"] = "puller";
  NodeCredentialAnswer unverified = node.For(image, settings, SteadyClock::now() + 10s, &account);
  CHECK(unverified.provider == "fake");
  CHECK(unverified.credentials.empty());
  CHECK_THAT(unverified.unverified_because,
             Contains("fake pulls with the pod's ServiceAccount token, which pullguard does not ask for "
                      "(nodeCredentials.serviceAccountTokens is off)"));
  CHECK_THAT(unverified.unverified_because, !Contains("puller"));
  CHECK_THAT(node.For(image, settings, SteadyClock::now() + 10s).unverified_because, Contains("does not ask for"));
  CHECK(runs().empty());

  // A TokenRequest that fails: its words say why, after the provider's name; the plugin is not run.
  account.token = [](const std::string&, SteadyClock::time_point) -> Result<std::string> {
    return Status::Unavailable("pullguard may not request ServiceAccount tokens in namespace shop (403): install it");
  };
  NodeCredentialAnswer refused = node.For(image, settings, SteadyClock::now() + 10s, &account);
  CHECK(refused.provider == "fake");
  CHECK(refused.credentials.empty());
  CHECK_THAT(refused.unverified_because,
             Contains("fake pulls with the pod's ServiceAccount token, and pullguard may not request ServiceAccount tokens "
                      "in namespace shop (403)"));
  CHECK(runs().empty());

  // Given a token (the TokenRequest's), the plugin gets it and only the annotations the provider
  // lists; the token is asked for the provider's audience, by the plugin's deadline.
  std::string audience;
  SteadyClock::time_point asked_by{};
  const SteadyClock::time_point deadline = SteadyClock::now() + 10s;
  account.token = [&audience, &asked_by](const std::string& asked, SteadyClock::time_point by) -> Result<std::string> {
    audience = asked;
    asked_by = by;
    return std::string("eyJhbGciOi.pod-token.sig");
  };
  NodeCredentialAnswer got = node.For(image, settings, deadline, &account);
  CHECK(got.unverified_because.empty());
  CHECK(got.provider == "fake");
  CHECK(got.credentials.size() == 1);
  CHECK(audience == "registry.test");
  CHECK(asked_by == deadline);
  auto ran = runs();
  REQUIRE(ran.size() == 1);
  CHECK(ran[0]["token"] == true);
  CHECK(ran[0]["annotations"] == nlohmann::json({{"registry.test/role", "puller"}, {"registry.test/team", "payments"}}));
}

}  // namespace
}  // namespace pullguard::auth
