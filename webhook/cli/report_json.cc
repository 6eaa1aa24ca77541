#include <nlohmann/json.hpp>

#include "cli/check_report.h"

namespace pullguard::cli {
namespace {

using nlohmann::json;

// Output never fails on a byte that is not UTF-8 (an image written with one): it is replaced.
std::string Dump(const json& doc, int indent) { return doc.dump(indent, ' ', false, json::error_handler_t::replace); }

// SARIF wants URIs relative to the checkout; stdin has none.
std::string Uri(const std::string& file) {
  std::string uri = file;
  if (uri.rfind("./", 0) == 0) uri = uri.substr(2);
  return uri == "<stdin>" ? "stdin" : uri;
}

}  // namespace

void RenderJson(const CheckReport& report, const RenderOptions& options, std::ostream& out) {
  json findings = json::array();
  for (const auto& o : report.objects) {
    for (const auto* list : {&o.verdict.denials, &o.verdict.warnings}) {
      for (const auto& f : *list) {
        findings.push_back({{"file", o.source->file}, {"line", o.LineOf(f)}, {"object", o.Label()}, {"namespace", o.ns},
                            {"path", f.path}, {"image", f.image}, {"normalized", f.normalized},
                            {"reason", ReasonName(f.reason)}, {"action", ActionName(f.action)}, {"detail", f.detail},
                            {"fix", f.fix}, {"message", FormatFinding(f)}});
      }
    }
  }
  json problems = json::array();
  for (const auto& p : report.problems) problems.push_back({{"file", p.file}, {"line", p.line}, {"message", p.message}});
  json skipped = json::array();
  for (const auto& s : report.skipped) {
    skipped.push_back({{"file", s.file}, {"line", s.line}, {"object", s.object}, {"why", s.why}});
  }
  json doc = {{"version", 1},
              {"pullguard", options.version},
              {"findings", findings},
              {"problems", problems},
              {"skipped", skipped},
              {"summary",
               {{"files", report.files}, {"objects", report.objects.size()}, {"images", report.Images()},
                {"denied", report.Denied()}, {"warned", report.Warned()}, {"problems", report.problems.size()},
                {"skipped", report.skipped.size()}, {"notKubernetes", report.not_kubernetes},
                {"excluded", report.excluded}, {"offline", report.offline}}}};
  out << Dump(doc, 2) << "\n";
}

void RenderSarif(const CheckReport& report, const RenderOptions& options, std::ostream& out) {
  json rules = json::array();
  for (Reason r : AllReasons()) {
    std::string level = DefaultAction(r) == Action::kDeny ? "error" : "warning";
    rules.push_back({{"id", std::string(ReasonName(r))},
                     {"name", std::string(ReasonName(r))},
                     {"shortDescription", {{"text", std::string(ReasonName(r)) + ": a pod with this image would not start"}}},
                     {"helpUri", "https://github.com/pullguard/pullguard/blob/main/docs/reasons.md#" + std::string(ReasonName(r))},
                     {"defaultConfiguration", {{"level", level}}}});
  }
  rules.push_back({{"id", "ManifestProblem"},
                   {"name", "ManifestProblem"},
                   {"shortDescription", {{"text", "a manifest that could not be read or checked"}}},
                   {"defaultConfiguration", {{"level", "warning"}}}});
  auto location = [](const std::string& file, int line) {
    json region = {{"startLine", line > 0 ? line : 1}};
    return json{{"physicalLocation", {{"artifactLocation", {{"uri", Uri(file)}}}, {"region", region}}}};
  };
  json results = json::array();
  for (const auto& o : report.objects) {
    for (const auto* list : {&o.verdict.denials, &o.verdict.warnings}) {
      for (const auto& f : *list) {
        results.push_back({{"ruleId", std::string(ReasonName(f.reason))},
                           {"level", f.action == Action::kDeny ? "error" : "warning"},
                           {"message", {{"text", o.Label() + ": " + FormatFinding(f)}}},
                           {"locations", json::array({location(o.source->file, o.LineOf(f))})}});
      }
    }
  }
  for (const auto& p : report.problems) {
    results.push_back({{"ruleId", "ManifestProblem"},
                       {"level", "warning"},
                       {"message", {{"text", p.message}}},
                       {"locations", json::array({location(p.file, p.line)})}});
  }
  json doc = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
              {"version", "2.1.0"},
              {"runs", json::array({{{"tool",
                                      {{"driver",
                                        {{"name", "pullguard"},
                                         {"version", options.version},
                                         {"informationUri", "https://github.com/pullguard/pullguard"},
                                         {"rules", rules}}}}},
                                     {"results", results}}})}};
  out << Dump(doc, 2) << "\n";
}

}  // namespace pullguard::cli
