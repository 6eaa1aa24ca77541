// The real `pullguard serve` binary, over TLS verified against a fresh test CA, answering the
// AdmissionReview samples: four captured from a real kube-apiserver, three from the docs, and
// our own (tests/data/admissionreview/own-*.json).
#include <catch2/catch.hpp>

#include "support/webhook_process.h"

namespace pullguard::testing {
namespace {

using nlohmann::json;

// Syntax and policy rules only: the samples name registries that do not exist.
constexpr const char* kSamplePolicy = R"(apiVersion: pullguard.io/v1
kind: Policy
checkRegistries: false
exemptions:
  namespaces: [kube-system]
rules:
  allowedRegistries:
    registries: [docker.io, ghcr.io, quay.io, registry.example.com, "registry.example.com:5000", "*.dkr.ecr.*.amazonaws.com", "localhost:5000"]
  latestTag:
    action: warn
)";

constexpr const char* kAllowedList =
    "use one of: docker.io, ghcr.io, quay.io, registry.example.com, registry.example.com:5000, "
    "*.dkr.ecr.*.amazonaws.com, localhost:5000";

struct Sample {
  const char* file;
  const char* api_version;
  bool allowed;
  std::vector<std::string> denials;   // status.message, one line each
  std::vector<std::string> warnings;  // response.warnings
};

std::vector<Sample> Samples() {
  const std::string not_allowed = std::string("\": PolicyViolation: registry registry.example.invalid is not allowed; ") + kAllowedList;
  return {
      {"pod-create.json", "admission.k8s.io/v1", true, {}, {}},
      {"deployment-create.json", "admission.k8s.io/v1", true, {}, {}},
      {"pod-create-dryrun.json", "admission.k8s.io/v1", false,
       {"spec.containers[0].image \"registry.example.com/Team/worker:1.0\": InvalidReference: repository name must be "
        "lowercase; write \"registry.example.com/team/worker:1.0\""},
       // Warnings keep their fix while they fit the API server's 256 characters.
       {"spec.initContainers[0].image \"docker.io/library/busybox:latest\": PolicyViolation: tag :latest can change "
        "between pulls; pin a version tag or a digest",
        "spec.containers[1].image \"localhost:5000/sidecar\": PolicyViolation: no tag, so it pulls :latest; pin a "
        "version tag or a digest"}},
      {"kube-apiserver-1.26/001-pod-create-dryrun.json", "admission.k8s.io/v1", false,
       {"spec.containers[0].image \"registry.example.invalid/team/web:1.0" + not_allowed}, {}},
      {"kube-apiserver-1.26/002-pod-create.json", "admission.k8s.io/v1", false,
       {"spec.containers[0].image \"registry.example.invalid/team/web:1.0" + not_allowed}, {}},
      {"kube-apiserver-1.26/004-deployment-create-dryrun.json", "admission.k8s.io/v1", false,
       {"spec.template.spec.containers[0].image \"registry.example.invalid/team/web:1.0" + not_allowed}, {}},
      // kubectl label: the image did not change, so nothing is checked (and nothing can fail).
      {"kube-apiserver-1.26/007-deployment-update.json", "admission.k8s.io/v1", true, {}, {}},
      {"own-pod-ephemeralcontainers.json", "admission.k8s.io/v1", false,
       {"spec.ephemeralContainers[0].image \"Busybox:1.36\": InvalidReference: repository name must be lowercase; "
        "write \"busybox:1.36\""},
       {}},
      {"own-cronjob-create-v1beta1.json", "admission.k8s.io/v1beta1", false,
       {"spec.jobTemplate.spec.template.spec.containers[0].image \"ghcr.io/acme/report:\": InvalidReference: the tag "
        "after ':' is empty; use [registry[:port]/]repository[:tag][@sha256:digest]"},
       {}},
      // Only the new exporter image is checked; "Team/backup:1" was already there.
      {"own-statefulset-update-new-image.json", "admission.k8s.io/v1", false,
       {"spec.template.spec.containers[1].image \"https://ghcr.io/acme/pg-exporter:2\": InvalidReference: remove "
        "\"https://\": an image reference has no URL scheme; write \"ghcr.io/acme/pg-exporter:2\""},
       {}},
      {"own-pod-image-volume.json", "admission.k8s.io/v1", false,
       {"spec.volumes[0].image.reference \"registry.example.com/Team/models:v1\": InvalidReference: repository name "
        "must be lowercase; write \"registry.example.com/team/models:v1\""},
       {}},
      {"own-deployment-scale.json", "admission.k8s.io/v1", true, {}, {}},
      {"own-pod-status.json", "admission.k8s.io/v1", true, {}, {}},
      {"own-pod-delete.json", "admission.k8s.io/v1", true, {}, {}},
  };
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

TEST_CASE("the webhook answers every sample with the right decision, uid, paths and warnings", "[integration]") {
  WebhookProcess webhook(kSamplePolicy);
  for (const auto& sample : Samples()) {
    INFO(sample.file);
    std::string body = TestData(std::string("admissionreview/") + sample.file);
    json request = json::parse(body);
    HttpAnswer answer = webhook.Post("/validate?timeout=10s", body);
    REQUIRE(answer.status == 200);
    json review = answer.Json();
    REQUIRE(review.is_object());
    CHECK(review["apiVersion"] == sample.api_version);
    CHECK(review["kind"] == "AdmissionReview");
    const json& response = review["response"];
    CHECK(response["uid"] == request["request"]["uid"]);
    CHECK(response["allowed"].get<bool>() == sample.allowed);
    if (sample.allowed) {
      CHECK_FALSE(response.contains("status"));
    } else {
      CHECK(response["status"]["code"] == 403);
      CHECK(Lines(response["status"]["message"].get<std::string>()) == sample.denials);
    }
    std::vector<std::string> warnings;
    if (response.contains("warnings")) warnings = response["warnings"].get<std::vector<std::string>>();
    CHECK(warnings == sample.warnings);
    for (const auto& w : warnings) CHECK(w.size() <= 256);  // what the API server passes on whole
  }
}

TEST_CASE("a dry run gets exactly the answer of the same request for real", "[integration]") {
  WebhookProcess webhook(kSamplePolicy);
  json dry = json::parse(TestData("admissionreview/kube-apiserver-1.26/001-pod-create-dryrun.json"));
  json real = dry;
  real["request"]["dryRun"] = false;
  json dry_answer = webhook.Post("/validate?timeout=10s", dry.dump()).Json();
  json real_answer = webhook.Post("/validate?timeout=10s", real.dump()).Json();
  REQUIRE(dry_answer.is_object());
  CHECK(dry_answer == real_answer);
  CHECK(dry_answer["response"]["allowed"] == false);
}

TEST_CASE("exempt namespaces are allowed without a look", "[integration]") {
  WebhookProcess webhook(kSamplePolicy);
  json review = json::parse(TestData("admissionreview/own-pod-image-volume.json"));
  review["request"]["namespace"] = "kube-system";
  json answer = webhook.Post("/validate", review.dump()).Json();
  CHECK(answer["response"]["allowed"] == true);
  CHECK_FALSE(answer["response"].contains("warnings"));
}

TEST_CASE("GET /metrics counts reviews and findings by decision, reason and action only", "[integration]") {
  WebhookProcess webhook(kSamplePolicy);
  REQUIRE(webhook.Post("/validate", TestData("admissionreview/pod-create-dryrun.json")).status == 200);
  REQUIRE(webhook.Post("/validate", TestData("admissionreview/pod-create.json")).status == 200);
  HttpAnswer metrics = webhook.Get("/metrics");
  REQUIRE(metrics.status == 200);
  CHECK_THAT(metrics.body, Catch::Contains("pullguard_admission_review_duration_seconds_count{decision=\"deny\"} 1\n"));
  CHECK_THAT(metrics.body, Catch::Contains("pullguard_admission_review_duration_seconds_count{decision=\"allow\"} 1\n"));
  CHECK_THAT(metrics.body, Catch::Contains("pullguard_findings_total{action=\"deny\",reason=\"InvalidReference\"} 1\n"));
  CHECK_THAT(metrics.body, Catch::Contains("pullguard_findings_total{action=\"warn\",reason=\"PolicyViolation\"} 2\n"));
  CHECK(metrics.body.find("Team/worker") == std::string::npos);  // no images, hosts or namespaces
  CHECK(metrics.body.find("jobs") == std::string::npos);
}

TEST_CASE("the webhook logs one JSON line per review, without the object", "[integration]") {
  WebhookProcess webhook(kSamplePolicy);
  json review = json::parse(TestData("admissionreview/pod-create-dryrun.json"));
  REQUIRE(webhook.Post("/validate", review.dump()).status == 200);
  REQUIRE(webhook.process().WaitForStderr("\"msg\":\"review\""));
  std::string log = webhook.process().Stderr();
  size_t at = log.find("\"msg\":\"review\"");
  size_t start = log.rfind('\n', at) + 1;
  json line = json::parse(log.substr(start, log.find('\n', at) - start));
  CHECK(line["uid"] == review["request"]["uid"]);
  CHECK(line["kind"] == "Pod");
  CHECK(line["namespace"] == "jobs");
  CHECK(line["decision"] == "deny");
  CHECK(line["dryRun"] == true);
  CHECK(line.contains("durationMs"));
  // Neither the requesting user nor the object itself is logged.
  CHECK(log.find(review["request"]["userInfo"]["username"].get<std::string>()) == std::string::npos);
  CHECK(log.find("Team/worker") == std::string::npos);
}

}  // namespace
}  // namespace pullguard::testing
