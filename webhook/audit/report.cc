#include "audit/report.h"

#include <ctime>

#include "common/rfc3339.h"

namespace pullguard::audit {
namespace {

using nlohmann::json;


json FindingJson(const Finding& f) {
  return {{"reason", std::string(ReasonName(f.reason))}, {"action", std::string(ActionName(f.action))},
          {"unavailable", MakesUnavailable(f)}, {"path", f.path}, {"image", f.image}, {"detail", f.detail},
          {"fix", f.fix}, {"message", FormatFinding(f)}};
}

std::string Plural(size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

const char* OutcomeName(WorkloadResult::Outcome o) {
  switch (o) {
    case WorkloadResult::Outcome::kChecked:
      return "checked";
    case WorkloadResult::Outcome::kSkipped:
      return "skipped";
    case WorkloadResult::Outcome::kUnreadable:
      return "unreadable";
    case WorkloadResult::Outcome::kNotChecked:
      return "notChecked";
  }
  return "notChecked";
}

bool HasFindings(const WorkloadResult& r) {
  if (!r.pod_findings.empty()) return true;
  for (const ContainerResult& c : r.containers) {
    if (!c.findings.empty()) return true;
  }
  return false;
}

std::string Title(const WorkloadResult& r) {
  std::string t = r.kind + " " + r.ns + "/" + r.name;
  if (r.kind == "CronJob" && !r.schedule.empty()) {
    t += " (schedule \"" + r.schedule + "\"" + (r.next_run.empty() ? "" : ", " + r.next_run) + ")";
  }
  return t;
}

}  // namespace

json ReportJson(const CycleReport& report, const std::string& version) {
  json results = json::array();
  for (const WorkloadResult& r : report.results) {
    json containers = json::array();
    for (const ContainerResult& c : r.containers) {
      json findings = json::array();
      for (const Finding& f : c.findings) findings.push_back(FindingJson(f));
      containers.push_back({{"name", c.ref.container}, {"image", c.ref.image}, {"path", c.ref.path},
                            {"available", c.available}, {"findings", findings}});
    }
    json pod = json::array();
    for (const Finding& f : r.pod_findings) pod.push_back(FindingJson(f));
    json item = {{"kind", r.kind}, {"namespace", r.ns}, {"name", r.name}, {"outcome", OutcomeName(r.outcome)}};
    if (r.outcome == WorkloadResult::Outcome::kChecked) {
      item["available"] = r.available();
      item["containers"] = containers;
      item["podFindings"] = pod;
    } else {
      item["why"] = r.why;
    }
    if (!r.schedule.empty()) item["schedule"] = r.schedule;
    if (!r.next_run.empty()) item["nextRun"] = r.next_run;
    results.push_back(std::move(item));
  }
  json unreadable = json::array();
  for (const WorkloadResult& r : report.unreadable) {
    unreadable.push_back({{"kind", r.kind}, {"namespace", r.ns}, {"name", r.name}, {"why", r.why}});
  }
  json findings = json::object();
  for (const auto& [reason, n] : report.findings_by_reason) findings[std::string(ReasonName(reason))] = n;
  json failed = json::object();
  for (const auto& [kind, why] : report.failed_kinds) failed[kind] = why;
  json out = {{"version", 1},
              {"pullguard", version},
              {"startedAt", FormatRfc3339(report.started)},
              {"durationSeconds", report.seconds},
              {"complete", report.failed_kinds.empty() && !report.cancelled && report.error.empty()},
              {"kindsListed", json(std::vector<std::string>(report.complete_kinds.begin(), report.complete_kinds.end()))},
              {"kindsNotListed", failed},
              {"workloads", report.checked()},
              {"unavailable", report.unavailable()},
              {"skipped", report.skipped},
              {"imageUses", report.image_uses},
              {"neverPulled", report.never_pulled},
              {"images", report.images},
              {"imageChecks", report.image_checks},
              {"registryChecks", report.registry_checks},
              {"findings", findings},
              {"results", results},
              {"unreadable", unreadable},
              {"exitCode", ReportExitCode(report)}};
  if (!report.error.empty()) out["error"] = report.error;
  return out;
}

void RenderReportText(const CycleReport& report, std::ostream& out) {
  if (!report.error.empty()) {
    out << "pullguard audit: the cycle could not run: " << report.error << "\n";
    return;
  }
  // Unavailable first, then workloads with warnings only.
  for (int pass = 0; pass < 2; ++pass) {
    for (const WorkloadResult& r : report.results) {
      if (r.outcome != WorkloadResult::Outcome::kChecked || !HasFindings(r)) continue;
      bool unavailable = !r.available();
      if ((pass == 0) != unavailable) continue;
      out << Title(r) << ": " << (unavailable ? "UNAVAILABLE" : "warnings") << "\n";
      for (const ContainerResult& c : r.containers) {
        for (const Finding& f : c.findings) {
          out << "  container " << c.ref.container << ": " << (MakesUnavailable(f) ? "" : "(warning) ") << FormatFinding(f)
              << "\n";
        }
      }
      for (const Finding& f : r.pod_findings) out << "  " << FormatFinding(f) << "\n";
    }
  }
  for (const WorkloadResult& r : report.unreadable) out << Title(r) << ": not checked: " << r.why << "\n";
  for (const WorkloadResult& r : report.results) {
    if (r.outcome == WorkloadResult::Outcome::kNotChecked) out << Title(r) << ": not checked: " << r.why << "\n";
  }
  for (const auto& [kind, why] : report.failed_kinds) out << "could not list " << kind << " objects: " << why << "\n";
  std::string skipped;
  for (const auto& [why, n] : report.skipped) skipped += (skipped.empty() ? "" : ", ") + std::to_string(n) + " " + why;
  out << "\npullguard audit: " << Plural(report.checked(), "workload", "workloads") << " checked"
      << (skipped.empty() ? "" : " (skipped: " + skipped + ")") << "; " << Plural(report.images, "image", "images") << " in "
      << Plural(report.image_checks, "credential context", "credential contexts") << ", "
      << Plural(report.registry_checks, "registry check", "registry checks") << ", "
      << static_cast<long long>(report.seconds * 1000) << " ms\n";
  size_t bad = report.unavailable();
  if (bad == 0) {
    out << "every image is available\n";
  } else {
    out << bad << " of " << report.checked() << " workload" << (report.checked() == 1 ? "" : "s") << " cannot pull an image\n";
  }
  if (report.cancelled) out << "the cycle was cancelled before it checked everything\n";
}

int ReportExitCode(const CycleReport& report) {
  if (!report.error.empty()) return 2;
  if (report.complete_kinds.empty() && !report.failed_kinds.empty()) return 2;
  return report.unavailable() > 0 ? 1 : 0;
}

}  // namespace pullguard::audit
