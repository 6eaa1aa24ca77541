// The runtime message catalogue (diagnose/runtime_messages.h) against real messages, each with
// where it was seen (tests/data/diagnose/runtime-messages.json), and against one short fragment
// per entry the real messages do not reach, so every entry is tried and the order is pinned.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "diagnose/runtime_messages.h"

namespace pullguard::diagnose {
namespace {

using nlohmann::json;

const json& Data() {
  static const json data = [] {
    std::ifstream in(std::string(PULLGUARD_TEST_DATA) + "/diagnose/runtime-messages.json");
    return json::parse(in);
  }();
  return data;
}

// Fragments in the runtimes' wording, ours: the part of a message an entry keys on. A null id
// means no entry may match.
struct Fragment {
  const char* id;
  const char* message;
};

const Fragment kFragments[] = {
    {"runtime.invalid-reference-format",
     "failed to parse image reference \"Nginx:1.0\": invalid reference format: repository name must be lowercase"},
    {"containerd.schema1-unsupported",
     "failed to resolve image: not implemented: media type \"application/vnd.docker.distribution.manifest.v1+prettyjws\" is no longer supported since containerd v2.0, please rebuild the image as \"application/vnd.docker.distribution.manifest.v2+json\" or \"application/vnd.oci.image.manifest.v1+json\""},
    {"http.429",
     "unexpected status from HEAD request to https://ghcr.io/v2/acme/app/manifests/1.0: 429 Too Many Requests"},
    {"crio.too-many-requests",
     "pinging container registry registry-1.docker.io: too many requests to registry"},
    {"registry.pull-rate-limit",
     "You have reached your unauthenticated pull rate limit. https://www.docker.com/increase-rate-limit"},
    {"registry.token-expired-ecr",
     "denied: Your Authorization Token has expired. Please run 'aws ecr get-login --no-include-email' to fetch a new one."},
    {"registry.security-token-invalid",
     "denied: The security token included in the request is invalid"},
    {"containerd.oauth-token-403",
     "failed to authorize: failed to fetch oauth token: unexpected status from POST request to https://auth.example.com/token: 403 Forbidden"},
    {"crio.invalid-username-password",
     "unable to retrieve auth token: invalid username/password: unauthorized: incorrect username or password"},
    {"registry.authentication-required",
     "Error response from daemon: unauthorized: authentication required"},
    {"registry.unauthorized",
     "reading manifest 1.0 in harbor.example.com/team/app: unauthorized: unauthorized to access repository: team/app, action: pull"},
    {"registry.denied",
     "reading manifest 1.0 in europe-docker.pkg.dev/acme/images/app: denied: Permission \"artifactregistry.repositories.downloadArtifacts\" denied on resource"},
    {"registry.denied-line",
     "errors:\ndenied: access forbidden\n"},
    {"registry.repository-not-known",
     "reading manifest latest in registry.example.com/team/nope: repository name not known to registry"},
    {"containerd.resolve-not-found-digest",
     "failed to resolve reference \"docker.io/library/nginx@sha256:4f2a0e1c9d8b7a6f5e4d3c2b1a09f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1\": docker.io/library/nginx@sha256:4f2a0e1c9d8b7a6f5e4d3c2b1a09f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1: not found"},
    {"crio.http-404",
     "reading manifest 1.0 in registry.example.com/team/app: StatusCode: 404, \"<html><body>Not Found</body></html>\""},
    {"crio.http-404-body",
     "Error reading manifest latest in quay.io/prahapiraticz_site: error parsing HTTP 404 response body: invalid character '<' looking for beginning of value"},
    {"tls.expired",
     "tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2025-01-01T00:00:00Z is after 2024-12-31T23:59:59Z"},
    {"tls.x509",
     "tls: failed to verify certificate: x509: cannot validate certificate for 10.0.0.5 because it doesn't contain any IP SANs"},
    {"tls.http-response-to-https",
     "failed to do request: Head \"https://10.0.0.5:5000/v2/app/manifests/1.0\": http: server gave HTTP response to HTTPS client"},
    {"tls.first-record",
     "failed to do request: Head \"https://10.0.0.5:22/v2/app/manifests/1.0\": tls: first record does not look like a TLS handshake"},
    {"net.dns-temporary",
     "dial tcp: lookup gcr.io: Temporary failure in name resolution"},
    {"net.dns-misbehaving",
     "dial tcp: lookup registry-1.docker.io on 127.0.0.53:53: server misbehaving"},
    {"net.connection-reset",
     "failed to do request: Head \"https://registry-1.docker.io/v2/curlimages/curl/manifests/latest\": read tcp 172.16.104.30:46708->34.233.65.253:443: read: connection reset by peer"},
    {"net.no-route",
     "dial tcp 10.0.0.5:443: connect: no route to host"},
    {"net.network-unreachable",
     "dial tcp [2600:1f18::1]:443: connect: network is unreachable"},
    {"net.client-timeout",
     "net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)"},
    {"net.unexpected-eof",
     "failed to copy: httpReadSeeker: failed open: unexpected EOF"},
    {"http.502",
     "unexpected status from HEAD request to https://registry.example.com/v2/app/manifests/1.0: 502 Bad Gateway"},
    {"http.503",
     "unexpected status from HEAD request to https://registry.example.com/v2/app/manifests/1.0: 503 Service Unavailable"},
    {"http.504",
     "unexpected status from HEAD request to https://registry.example.com/v2/app/manifests/1.0: 504 Gateway Timeout"},
    {"containerd.commit-digest",
     "failed commit on ref \"layer-sha256:4f2a0e1c9d8b7a6f5e4d3c2b1a09f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1\": unexpected commit digest sha256:4f2a0e1c9d8b7a6f5e4d3c2b1a09f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1, expected sha256:4f2a0e1c9d8b7a6f5e4d3c2b1a09f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1: failed precondition"},
    {"containerd.commit-size",
     "failed commit on ref \"layer-sha256:4f2a0e1c9d8b7a6f5e4d3c2b1a09f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1\": unexpected commit size 1024, expected 2048: failed precondition"},
    {"runtime.deadline-exceeded",
     "rpc error: code = DeadlineExceeded desc = context deadline exceeded"},
    {nullptr,
     "unexpected status: 4010 Weird"},
    {"http.401",
     "unexpected status from GET request to https://registry.example.com/v2/: 401"},
    {nullptr,
     ""},
};

TEST_CASE("every real pull failure classifies as its source says") {
  const json& cases = Data().at("cases");
  CHECK(cases.size() >= 25);
  std::map<std::string, int> per_runtime;
  for (const json& c : cases) {
    const std::string message = c.at("message").get<std::string>();
    INFO(c.at("runtime").get<std::string>() << " " << c.at("version").get<std::string>() << "\n"
                                            << c.at("source").get<std::string>() << "\n"
                                            << message);
    ++per_runtime[c.at("runtime").get<std::string>()];
    auto got = ClassifyPullMessage(message);
    if (c.at("reason").is_null()) {
      CHECK_FALSE(got.has_value());
      continue;
    }
    REQUIRE(got.has_value());
    INFO("matched " << got->matched);
    CHECK(ReasonName(got->reason) == c.at("reason").get<std::string>());
    CHECK(got->transient == c.at("transient").get<bool>());
    CHECK_FALSE(got->explanation.empty());
  }
  CHECK(per_runtime["containerd"] >= 15);
  CHECK(per_runtime["cri-o"] >= 10);
}

TEST_CASE("every catalogue entry is reached, most specific first") {
  std::set<std::string_view> hit;
  for (const json& c : Data().at("cases")) {
    if (auto got = ClassifyPullMessage(c.at("message").get<std::string>())) hit.insert(got->matched);
  }
  for (const Fragment& f : kFragments) {
    INFO(f.message);
    auto got = ClassifyPullMessage(f.message);
    if (f.id == nullptr) {
      CHECK_FALSE(got.has_value());
      continue;
    }
    REQUIRE(got.has_value());
    CHECK(got->matched == std::string_view(f.id));
    hit.insert(got->matched);
  }
  auto exec = ClassifyTerminated("StartError", "exec format error", 128);
  REQUIRE(exec.has_value());
  hit.insert(exec->matched);

  std::set<std::string_view> seen;
  for (std::string_view id : CatalogueIds()) {
    INFO(id);
    CHECK(seen.insert(id).second);  // each id once
    CHECK(hit.count(id) == 1);
  }
}

TEST_CASE("matching is case-sensitive, as the runtimes' texts are") {
  CHECK_FALSE(ClassifyPullMessage("dial tcp 10.0.0.1:443: connect: CONNECTION REFUSED").has_value());
  CHECK_FALSE(ClassifyPullMessage("Manifest Unknown").has_value());
  // A status code needle ends on the number's end.
  CHECK_FALSE(ClassifyPullMessage("unexpected status: 4030 Custom").has_value());
  auto forbidden = ClassifyPullMessage("unexpected status: 403");
  REQUIRE(forbidden.has_value());
  CHECK(forbidden->reason == Reason::kAccessDenied);
}

TEST_CASE("the kubelet's own waiting reasons decide before the message") {
  struct Case {
    const char* reason;
    const char* message;
    std::optional<Reason> want;
  };
  const Case cases[] = {
    {"ErrImageNeverPull", "Container image \"app:1.0\" is not present with pull policy of Never",
       Reason::kImageNotOnNodes},
    {"ErrImageNeverPull", "", Reason::kImageNotOnNodes},
    {"InvalidImageName", "", Reason::kInvalidReference},
    {"ErrImagePull",
     "rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:nope\": "
     "failed to resolve reference \"docker.io/library/nginx:nope\": docker.io/library/nginx:nope: not found",
       Reason::kTagNotFound},
    {"ImagePullBackOff", "Back-off pulling image \"nginx:nope\"", std::nullopt},
    {"ContainerCreating", "", std::nullopt},
  };
  for (const Case& c : cases) {
    INFO(c.reason << ": " << c.message);
    auto got = ClassifyWaiting(c.reason, c.message);
    REQUIRE(got.has_value() == c.want.has_value());
    if (got) CHECK(ReasonName(got->reason) == ReasonName(*c.want));
  }
}

TEST_CASE("exec format error at start means another platform") {
  struct Case {
    const char* reason;
    const char* message;
    int exit_code;
    bool platform_mismatch;
  };
  const Case cases[] = {
      // runc through containerd, reported as the start error.
    {"StartError",
     "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: "
     "unable to start container process: exec: \"/app/server\": exec format error: unknown",
       128, true},
      // runc 1.1+ in the container's log, read with terminationMessagePolicy FallbackToLogsOnError.
    {"Error", "exec /node-problem-detector: exec format error\n", 1, true},
      // Older runc.
    {"Error", "standard_init_linux.go:228: exec user process caused: exec format error", 1, true},
      // glibc's strerror, as crun prints it.
    {"ContainerCannotRun", "Exec format error", 127, true},
    {"Error", "exec format error", 0, false},  // exit code 0: it ran
    {"Completed", "", 0, false},
    {"OOMKilled", "", 137, false},
    {"Error", "panic: runtime error: index out of range", 2, false},
  };
  for (const Case& c : cases) {
    INFO(c.reason << ": " << c.message);
    auto got = ClassifyTerminated(c.reason, c.message, c.exit_code);
    CHECK(got.has_value() == c.platform_mismatch);
    if (got) {
      CHECK(got->reason == Reason::kPlatformMismatch);
      CHECK_FALSE(got->transient);
    }
  }
}

TEST_CASE("a bare back-off message names no cause") {
  struct Case {
    const char* message;
    bool bare;
  };
  const Case cases[] = {
    {"Back-off pulling image \"nginx:1.27\"", true},
    {"Back-off pulling image \"registry.example.com:5000/team/app@sha256:abc\"\n", true},
    {"Back-off pulling image \"odd\\\"name\"", true},  // Go's %q escapes a quote
    {"Back-off pulling image \"nginx:nope\": ErrImagePull: rpc error: code = NotFound desc = not found", false},
    {"Back-off pulling image \"unterminated", false},
    {"Back-off restarting failed container app in pod web-1_default(0b1c)", false},
    {"", false},
  };
  for (const Case& c : cases) {
    INFO(c.message);
    CHECK(IsBareBackOff(c.message) == c.bare);
  }
}

}  // namespace
}  // namespace pullguard::diagnose
