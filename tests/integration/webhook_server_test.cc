// The real `pullguard serve` binary: bad input, TLS, keep-alive, certificate and policy reload,
// and the SIGTERM drain.
#include <openssl/ssl.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/tls_probe.h"
#include "support/webhook_process.h"

namespace pullguard::testing {
namespace {

using nlohmann::json;

std::string PodReview(const std::string& image, const std::string& ns = "shop") {
  json review = json::parse(TestData("admissionreview/pod-create.json"));
  review["request"]["namespace"] = ns;
  review["request"]["object"]["spec"]["initContainers"] = json::array();
  review["request"]["object"]["spec"]["containers"] = json::array({{{"name", "app"}, {"image", image}}});
  return review.dump();
}

TEST_CASE("bad bodies get a clear 4xx, never a crash", "[integration]") {
  WebhookProcess webhook;
  json valid = json::parse(TestData("admissionreview/pod-create.json"));
  auto without = [&](const char* key) {
    json v = valid;
    v["request"].erase(key);
    return v.dump();
  };
  json wrong_shape = valid;
  wrong_shape["request"]["object"]["spec"]["containers"] = "nginx";
  json image_number = valid;
  image_number["request"]["object"]["spec"]["containers"][0]["image"] = 42;
  struct Case {
    std::string name, body;
    int status;
    std::string error_contains;
  };
  const std::vector<Case> cases{
      {"not JSON", "{not json", 400, "not valid JSON"},
      {"empty body", "", 400, "not valid JSON"},
      {"an array", "[]", 400, "must be a JSON object"},
      {"wrong apiVersion", R"({"apiVersion":"v1","kind":"AdmissionReview","request":{}})", 400,
       "apiVersion must be admission.k8s.io/v1"},
      {"wrong kind", R"({"apiVersion":"admission.k8s.io/v1","kind":"Pod"})", 400, "kind must be AdmissionReview"},
      {"no request", R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})", 400, "no request object"},
      {"no uid", without("uid"), 400, "request.uid is missing"},
      {"no kind", without("kind"), 400, "request.kind.kind is missing"},
      {"no operation", without("operation"), 400, "request.operation is missing"},
      {"deep nesting", std::string(100000, '[') + std::string(100000, ']'), 400, "nests deeper than 200"},
      {"containers not a list", wrong_shape.dump(), 400, "spec.containers must be a list"},
      {"image not a string", image_number.dump(), 400, "spec.containers[0].image must be a string"},
      {"invalid UTF-8", std::string("{\"apiVersion\":\"\xff\xfe\"}"), 400, "not valid JSON"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    HttpAnswer answer = webhook.Post("/validate", c.body);
    CHECK(answer.status == c.status);
    json error = answer.Json();
    REQUIRE(error.is_object());
    CHECK_THAT(error["error"].get<std::string>(), Catch::Contains(c.error_contains));
  }
  // Still alive and answering after all of that.
  CHECK(webhook.Get("/healthz").status == 200);
}

TEST_CASE("wrong Content-Type is 415, a body over 3 MiB is 413, unknown paths 404", "[integration]") {
  WebhookProcess webhook;
  HttpAnswer wrong_type = webhook.Post("/validate", PodReview("nginx:1.25"), "text/plain");
  CHECK(wrong_type.status == 415);
  CHECK_THAT(wrong_type.body, Catch::Contains("Content-Type must be application/json"));
  CHECK(webhook.Post("/validate", PodReview("nginx:1.25"), "application/json; charset=utf-8").status == 200);

  std::string huge = PodReview("nginx:1.25");
  huge.insert(huge.size() - 1, ",\"padding\":\"" + std::string(3 * 1024 * 1024, 'x') + "\"");
  HttpAnswer too_big = webhook.Post("/validate", huge);
  CHECK(too_big.status == 413);
  CHECK_THAT(too_big.body, Catch::Contains("3 MiB"));

  HttpAnswer unknown = webhook.Get("/nope");
  CHECK(unknown.status == 404);
  CHECK_THAT(unknown.body, Catch::Contains("POST /validate"));
  CHECK(webhook.Get("/readyz").status == 200);
}

TEST_CASE("kinds without a pod spec are allowed untouched", "[integration]") {
  WebhookProcess webhook;
  json review = json::parse(TestData("admissionreview/pod-create.json"));
  review["request"]["kind"] = {{"group", ""}, {"version", "v1"}, {"kind", "ConfigMap"}};
  review["request"]["object"] = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"data", {{"image", "Not/An:Image:"}}}};
  json answer = webhook.Post("/validate", review.dump()).Json();
  CHECK(answer["response"]["allowed"] == true);
}

TEST_CASE("TLS: 1.2 at least, the certificate verifies for every name it serves", "[integration]") {
  WebhookProcess webhook;
  TlsResult modern = Handshake(webhook.port(), webhook.ca_file());
  CHECK(modern.handshake_ok);
  CHECK(Handshake(webhook.port(), webhook.ca_file(), "localhost").handshake_ok);
  TlsResult old = Handshake(webhook.port(), webhook.ca_file(), "127.0.0.1", TLS1_1_VERSION);
  CHECK_FALSE(old.handshake_ok);
  TlsResult wrong_name = Handshake(webhook.port(), webhook.ca_file(), "evil.example.com");
  CHECK_FALSE(wrong_name.handshake_ok);
}

TEST_CASE("one keep-alive connection serves many reviews", "[integration]") {
  WebhookProcess webhook;
  std::string request = ValidateRequest(PodReview("nginx:1.25"));
  CHECK(RequestsOnOneConnection(webhook.port(), webhook.ca_file(), request, 200) == 200);
}

TEST_CASE("a rotated certificate is served without a restart, a broken one is not", "[integration]") {
  WebhookProcess webhook("", {"--reload-interval-ms", "100"});
  std::string before = Handshake(webhook.port(), webhook.ca_file()).leaf_sha256;
  REQUIRE_FALSE(before.empty());

  // A half-written rotation (a key that does not match the certificate) keeps the old pair.
  std::string cert_dir = webhook.dir().File("certs");
  TempDir other;
  REQUIRE(Run({std::string(PULLGUARD_SOURCE_DIR) + "/certs/gen-dev-certs.sh", other.path()}).exit_code == 0);
  std::filesystem::copy_file(other.File("tls.key"), cert_dir + "/tls.key", std::filesystem::copy_options::overwrite_existing);
  REQUIRE(webhook.process().WaitForStderr("certificate reload failed"));
  CHECK(Handshake(webhook.port(), webhook.ca_file()).leaf_sha256 == before);

  // The whole new pair, written by the script the way cert-manager swaps files.
  Run({"env", "FORCE=1", std::string(PULLGUARD_SOURCE_DIR) + "/certs/gen-dev-certs.sh", cert_dir});
  REQUIRE(webhook.process().WaitForStderr("\"msg\":\"certificate reloaded\""));
  TlsResult after = Handshake(webhook.port(), webhook.ca_file());
  CHECK(after.handshake_ok);  // verified against the new CA the script wrote
  CHECK(after.leaf_sha256 != before);
}

TEST_CASE("the policy reloads on change, through a ConfigMap-style symlink swap, and a bad file keeps the old one",
          "[integration]") {
  TempDir config;
  // A ConfigMap mount: policy.yaml -> ..data/policy.yaml, ..data -> ..v1 (swapped atomically).
  std::filesystem::create_directory(config.File("..v1"));
  std::filesystem::create_directory(config.File("..v2"));
  std::filesystem::create_directory(config.File("..v3"));
  std::string warn_latest = "rules:\n  latestTag:\n    action: warn\ncheckRegistries: false\n";
  std::string deny_latest = "rules:\n  latestTag:\n    action: deny\ncheckRegistries: false\n";
  std::string broken = "rules:\n  latestTag:\n    action: block\ncheckRegistries: false\n";
  config.Write("..v1/policy.yaml", warn_latest);
  config.Write("..v2/policy.yaml", deny_latest);
  config.Write("..v3/policy.yaml", broken);
  std::filesystem::create_directory_symlink("..v1", config.File("..data"));
  std::filesystem::create_symlink("..data/policy.yaml", config.File("policy.yaml"));
  auto swap_to = [&](const std::string& version) {
    std::filesystem::create_directory_symlink(version, config.File("..data_tmp"));
    std::filesystem::rename(config.File("..data_tmp"), config.File("..data"));
  };

  WebhookProcess webhook("", {"--policy", config.File("policy.yaml"), "--reload-interval-ms", "100"});
  auto allowed = [&] { return webhook.Post("/validate", PodReview("nginx")).Json()["response"]["allowed"]; };
  CHECK(allowed() == true);

  swap_to("..v2");
  REQUIRE(webhook.process().WaitForStderr("\"msg\":\"policy reloaded\""));
  CHECK(allowed() == false);

  swap_to("..v3");
  REQUIRE(webhook.process().WaitForStderr("policy reload failed"));
  CHECK_THAT(webhook.process().Stderr(), Catch::Contains("policy.yaml:3:13: rules.latestTag.action: unknown action"));
  CHECK(allowed() == false);  // the deny policy is still in force
}

TEST_CASE("regression: a policy file emptied by a truncating writer keeps the old policy", "[integration]") {
  // A ConfigMap written by a non-atomic writer is 0 bytes for a moment; pullguard reloaded that
  // as the built-in policy, and a missing tag the real policy denied was allowed meanwhile.
  TempDir config;
  std::string deny_latest = "rules:\n  latestTag:\n    action: deny\ncheckRegistries: false\n";
  std::string path = config.Write("policy.yaml", deny_latest);
  WebhookProcess webhook("", {"--policy", path, "--reload-interval-ms", "100"});
  auto allowed = [&] { return webhook.Post("/validate", PodReview("nginx")).Json()["response"]["allowed"]; };
  CHECK(allowed() == false);
  { std::ofstream truncate(path, std::ios::trunc); }  // 0 bytes, in place
  REQUIRE(webhook.process().WaitForStderr("policy reload failed"));
  CHECK_THAT(webhook.process().Stderr(), Catch::Contains("the file became empty"));
  CHECK(allowed() == false);  // the deny policy is still in force
  std::ofstream(path, std::ios::trunc) << deny_latest << "# rewritten\n";
  REQUIRE(webhook.process().WaitForStderr("\"msg\":\"policy reloaded\""));
  CHECK(allowed() == false);
}

TEST_CASE("serve with an empty policy file and with no --policy gives the same verdicts", "[integration]") {
  // Defaults are written once: both are the built-in policy (policies/default.yaml).
  TempDir config;
  std::string empty = config.Write("empty.yaml", "");
  WebhookProcess with_empty("", {"--policy", empty, "--offline"});
  WebhookProcess without("", {"--offline"});
  for (const char* image : {"nginx", "nginx:1.25", "Bad:Image", "ghcr.io/Org/App:1", "http://x/y"}) {
    for (const char* ns : {"shop", "kube-system"}) {
      INFO(image << " in " << ns);
      json a = with_empty.Post("/validate", PodReview(image, ns)).Json()["response"];
      json b = without.Post("/validate", PodReview(image, ns)).Json()["response"];
      CHECK(a == b);
    }
  }
  // And the verdicts are the documented ones: :latest warns, kube-system is exempt.
  json latest = without.Post("/validate", PodReview("nginx")).Json()["response"];
  CHECK(latest["allowed"] == true);
  CHECK(latest["warnings"].size() == 1);
  CHECK_FALSE(without.Post("/validate", PodReview("Bad:Image", "kube-system")).Json()["response"].contains("warnings"));
}

TEST_CASE("SIGTERM lets an in-flight request finish, then exits 0", "[integration]") {
  WebhookProcess webhook;
  std::string request = ValidateRequest(PodReview("nginx:1.25"));
  size_t half = request.size() - 20;
  int status = SplitRequest(webhook.port(), webhook.ca_file(), request, request.substr(0, half), request.substr(half), [&] {
    webhook.process().Signal(SIGTERM);
    REQUIRE(webhook.process().WaitForStderr("draining"));
  });
  CHECK(status == 200);
  auto code = webhook.process().Wait(std::chrono::seconds(15));
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  CHECK_THAT(webhook.process().Stderr(), Catch::Contains("drained; exiting"));
  // And nothing listens any more.
  CHECK_FALSE(Handshake(webhook.port(), webhook.ca_file()).handshake_ok);
}

TEST_CASE("with a shutdown delay, SIGTERM first turns readyz to 503 while requests are still served",
          "[integration]") {
  WebhookProcess webhook("", {"--shutdown-delay-ms", "3000"});
  webhook.process().Signal(SIGTERM);
  REQUIRE(webhook.process().WaitForStderr("not ready"));
  CHECK(webhook.Get("/readyz").status == 503);
  CHECK(webhook.Post("/validate", PodReview("nginx:1.25")).status == 200);
  auto code = webhook.process().Wait(std::chrono::seconds(20));
  REQUIRE(code.has_value());
  CHECK(*code == 0);
}

TEST_CASE("serve refuses to start without certificates, with words that say why", "[integration]") {
  RunResult no_certs = Run({PULLGUARD_BINARY, "serve", "--listen", "127.0.0.1:0"});
  CHECK(no_certs.exit_code == 2);
  CHECK_THAT(no_certs.err, Catch::Contains("--tls-cert and --tls-key are required"));
  RunResult missing = Run({PULLGUARD_BINARY, "serve", "--listen", "127.0.0.1:0", "--tls-cert", "/nonexistent.crt",
                           "--tls-key", "/nonexistent.key"});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("/nonexistent.crt"));
}

}  // namespace
}  // namespace pullguard::testing
