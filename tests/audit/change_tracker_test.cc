// From good to bad, once (audit/change_tracker.h, audit/workload_result.h): an Event on a
// change, not on every cycle; gone workloads forgotten; series bounded (audit/audit_metrics.h);
// the Event's words (audit/event_recorder.h).
#include <catch2/catch.hpp>

#include "audit/audit_metrics.h"
#include "audit/change_tracker.h"
#include "audit/event_recorder.h"
#include "audit/workload_result.h"

namespace pullguard::audit {
namespace {

Finding Missing(const std::string& path, const std::string& image) {
  Finding f;
  f.path = path;
  f.image = image;
  f.reason = Reason::kTagNotFound;
  f.detail = "tag 1.1 does not exist";
  f.fix = "nearest: 1.0";
  f.action = Action::kDeny;
  return f;
}

Finding Unreachable(const std::string& path, const std::string& image) {
  Finding f = Missing(path, image);
  f.reason = Reason::kRegistryUnreachable;
  f.detail = "connection refused";
  f.fix = "";
  f.action = Action::kWarn;
  return f;
}

// A checked Deployment shop/NAME with one container per image; `bad` marks the unavailable ones.
WorkloadResult Checked(const std::string& name, const std::vector<bool>& bad, const std::string& uid = "uid-1",
                       const std::string& kind = "Deployment") {
  WorkloadResult r;
  r.kind = kind;
  r.api_version = kind == "CronJob" ? "batch/v1" : "apps/v1";
  r.ns = "shop";
  r.name = name;
  r.uid = uid;
  r.outcome = WorkloadResult::Outcome::kChecked;
  for (size_t i = 0; i < bad.size(); ++i) {
    ContainerResult c;
    c.ref = {"spec.template.spec.containers[" + std::to_string(i) + "].image", "c" + std::to_string(i),
             "registry.example.com/team/app:1.1"};
    if (bad[i]) {
      c.findings.push_back(Missing(c.ref.path, c.ref.image));
      c.available = false;
    }
    r.containers.push_back(c);
  }
  return r;
}

const std::set<std::string> kAllKinds{"CronJob", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Pod"};

TEST_CASE("audit: an image unavailable by reason, whatever action the policy gives it") {
  Finding f = Missing("p", "i");
  CHECK(MakesUnavailable(f));
  f.action = Action::kWarn;  // a warn-only admission policy
  CHECK(MakesUnavailable(f));
  CHECK_FALSE(MakesUnavailable(Unreachable("p", "i")));  // may pass by itself
  Finding soft = Missing("p", "i");
  soft.at_most_warn = true;  // pre-pulled: the pod starts
  CHECK_FALSE(MakesUnavailable(soft));
  Finding rule = Missing("p", "i");
  rule.reason = Reason::kPolicyViolation;  // pulls fine
  CHECK_FALSE(MakesUnavailable(rule));
  Finding fixed = Missing("p", "i");
  fixed.reason = Reason::kPullSecretMissing;
  fixed.action = Action::kWarn;
  fixed.action_fixed = true;  // the checker knows every image pulls without it
  CHECK_FALSE(MakesUnavailable(fixed));
}

TEST_CASE("audit: the engine's verdict, container by container") {
  std::string json_text = R"({"metadata":{"namespace":"shop","name":"web","uid":"u"},
    "spec":{"template":{"spec":{"containers":[{"name":"app","image":"a:1"},{"name":"side","image":"b:1"}],
    "imagePullSecrets":[{"name":"gone"}]}}}})";
  ReadItem read = ReadWorkload(*FindAuditedKind("Deployment"), nlohmann::json::parse(json_text));
  REQUIRE(read.error.empty());
  checker::ObjectVerdict verdict;
  verdict.verdict.denials.push_back(Missing("spec.template.spec.containers[0].image", "a:1"));
  verdict.verdict.warnings.push_back(Unreachable("spec.template.spec.containers[1].image", "b:1"));
  Finding secret = Missing("spec.template.spec.imagePullSecrets[0]", "");
  secret.reason = Reason::kPullSecretMissing;
  verdict.verdict.denials.push_back(secret);
  WorkloadResult r = JudgeWorkload(read.workload, verdict);
  REQUIRE(r.outcome == WorkloadResult::Outcome::kChecked);
  REQUIRE(r.containers.size() == 2);
  CHECK_FALSE(r.containers[0].available);
  CHECK(r.containers[0].ref.container == "app");
  CHECK(r.containers[1].available);
  CHECK(r.containers[1].findings.size() == 1);
  REQUIRE(r.pod_findings.size() == 1);
  CHECK(r.pod_findings[0].reason == Reason::kPullSecretMissing);
  CHECK_FALSE(r.available());

  checker::ObjectVerdict skipped;
  skipped.outcome = checker::ObjectVerdict::Outcome::kSkipped;
  skipped.why = "namespace shop is exempt";
  WorkloadResult s = JudgeWorkload(read.workload, skipped);
  CHECK(s.outcome == WorkloadResult::Outcome::kSkipped);
  CHECK(s.why == "namespace shop is exempt");
  CHECK(s.containers.empty());
}

TEST_CASE("audit: good, then bad twice: one announcement") {
  ChangeTracker tracker;
  CHECK(tracker.Update({Checked("web", {false})}, kAllKinds).empty());
  std::vector<WorkloadResult> bad{Checked("web", {true})};
  auto first = tracker.Update(bad, kAllKinds);
  REQUIRE(first.size() == 1);
  CHECK(first[0].result == 0);
  CHECK(first[0].containers == std::vector<size_t>{0});
  CHECK_FALSE(first[0].first_sight);
  tracker.MarkAnnounced(bad[0], first[0].containers);
  CHECK(tracker.Update(bad, kAllKinds).empty());
  CHECK(tracker.Update(bad, kAllKinds).empty());
  // Fixed, then broken again: a new change, a new announcement.
  CHECK(tracker.Update({Checked("web", {false})}, kAllKinds).empty());
  CHECK(tracker.Update(bad, kAllKinds).size() == 1);
}

TEST_CASE("audit: an announcement the API refused is made again next cycle") {
  ChangeTracker tracker;
  tracker.Update({Checked("web", {false})}, kAllKinds);
  std::vector<WorkloadResult> bad{Checked("web", {true})};
  CHECK(tracker.Update(bad, kAllKinds).size() == 1);  // not marked: the POST failed
  auto again = tracker.Update(bad, kAllKinds);
  REQUIRE(again.size() == 1);
  tracker.MarkAnnounced(bad[0], again[0].containers);
  CHECK(tracker.Update(bad, kAllKinds).empty());
}

TEST_CASE("audit: bad at first sight is announced, flagged so an earlier Event can be found") {
  ChangeTracker tracker;
  std::vector<WorkloadResult> bad{Checked("web", {false, true, true})};
  auto a = tracker.Update(bad, kAllKinds);
  REQUIRE(a.size() == 1);
  CHECK(a[0].first_sight);
  CHECK(a[0].containers == std::vector<size_t>{1, 2});
  tracker.MarkAnnounced(bad[0], a[0].containers);
  // Another container breaks: only it is announced.
  auto more = tracker.Update({Checked("web", {true, true, true})}, kAllKinds);
  REQUIRE(more.size() == 1);
  CHECK(more[0].containers == std::vector<size_t>{0});
  CHECK_FALSE(more[0].first_sight);
  // The same name, recreated (a new uid): it starts afresh.
  auto recreated = tracker.Update({Checked("web", {true, true, true}, "uid-2")}, kAllKinds);
  REQUIRE(recreated.size() == 1);
  CHECK(recreated[0].first_sight);
  CHECK(recreated[0].containers.size() == 3);
}

TEST_CASE("audit: workloads that are gone are forgotten, unless their kind could not be listed") {
  ChangeTracker tracker;
  tracker.Update({Checked("web", {false}), Checked("nightly", {true}, "uid-c", "CronJob")}, kAllKinds);
  CHECK(tracker.Current().size() == 2);
  // The CronJob list failed this cycle: the CronJob is kept as it was.
  tracker.Update({Checked("web", {false})}, {"Deployment"});
  auto series = tracker.Current();
  REQUIRE(series.size() == 2);
  CHECK(series[0].kind == "CronJob");
  CHECK_FALSE(series[0].available);
  // Listed whole, and not there: gone.
  tracker.Update({Checked("web", {false})}, kAllKinds);
  series = tracker.Current();
  REQUIRE(series.size() == 1);
  CHECK(series[0].name == "web");
  CHECK(series[0].container == "c0");
  CHECK(series[0].ns == "shop");
  // Exempt now: nothing to say about it.
  WorkloadResult exempt = Checked("web", {});
  exempt.outcome = WorkloadResult::Outcome::kSkipped;
  tracker.Update({exempt}, kAllKinds);
  CHECK(tracker.Current().empty());
}

TEST_CASE("audit: series past the cap are dropped and counted, unavailable ones kept first") {
  std::vector<ChangeTracker::Series> series;
  for (int i = 0; i < 10; ++i) series.push_back({"shop", "Deployment", "w" + std::to_string(i), "app", i != 7});
  size_t dropped = 0;
  auto kept = SelectSeries(series, 3, &dropped);
  CHECK(dropped == 7);
  REQUIRE(kept.size() == 3);
  CHECK(kept[0].name == "w7");
  CHECK(kept[1].name == "w0");
  CHECK(kept[2].name == "w1");
  CHECK(SelectSeries(series, 10, &dropped).size() == 10);
  CHECK(dropped == 0);
}

TEST_CASE("audit: the Event names the workload, says Warning ImageUnavailable, and gives the finding's words and fix") {
  WorkloadResult r = Checked("web", {false, true});
  r.resource_version = "99";
  nlohmann::json e = ImageUnavailableEvent(r, {1}, "audit-a_1234", std::chrono::system_clock::time_point(std::chrono::seconds(1714564800)));
  CHECK(e["apiVersion"] == "v1");
  CHECK(e["kind"] == "Event");
  CHECK(e["metadata"]["namespace"] == "shop");
  CHECK(e["metadata"]["name"].get<std::string>().rfind("web.", 0) == 0);
  CHECK(e["type"] == "Warning");
  CHECK(e["reason"] == "ImageUnavailable");
  CHECK(e["involvedObject"] == nlohmann::json{{"kind", "Deployment"}, {"namespace", "shop"}, {"name", "web"},
                                              {"apiVersion", "apps/v1"}, {"uid", "uid-1"}, {"resourceVersion", "99"}});
  CHECK(e["message"] == "container c1: spec.template.spec.containers[1].image \"registry.example.com/team/app:1.1\": "
                        "TagNotFound: tag 1.1 does not exist; nearest: 1.0");
  CHECK(e["source"]["component"] == "pullguard-audit");
  CHECK(e["reportingInstance"] == "audit-a_1234");
  CHECK(e["firstTimestamp"] == "2024-05-01T12:00:00Z");
  CHECK(e["count"] == 1);

  WorkloadResult cron = Checked("nightly", {true}, "uid-c", "CronJob");
  cron.schedule = "0 3 * * *";
  CHECK(EventMessage(cron, {0}).rfind("the next Job (schedule \"0 3 * * *\") will fail to pull: container c0: ", 0) == 0);
  cron.next_run = "next run 2026-12-04T03:00:00Z";
  CHECK(EventMessage(cron, {0}).rfind("the next Job (schedule \"0 3 * * *\", next run 2026-12-04T03:00:00Z) will fail to "
                                      "pull: container c0: ", 0) == 0);

  WorkloadResult many = Checked("big", std::vector<bool>(40, true));
  std::vector<size_t> all;
  for (size_t i = 0; i < 40; ++i) all.push_back(i);
  std::string message = EventMessage(many, all);
  CHECK(message.size() <= kMaxEventMessage);
  CHECK(message.substr(message.size() - 3) == "...");
}

}  // namespace
}  // namespace pullguard::audit
