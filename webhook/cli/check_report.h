// What `pullguard check` found, and its output formats: text (grouped by file and object,
// colour on a terminal), json (schema in docs/ci.md), sarif (SARIF 2.1.0, for GitHub code
// scanning), github (workflow annotations) and junit (GitLab, Jenkins). Every format lists
// findings, problems and skipped objects in file and line order (CheckReport::Sort).
// Thread-safety: value types and pure functions.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/manifest_reader.h"
#include "policy/policy.h"

namespace pullguard::cli {

struct CheckedObject {
  const ManifestObject* source = nullptr;
  std::string kind, name, ns;
  size_t images = 0;
  policy::Verdict verdict;

  std::string Label() const { return kind + "/" + name; }
  int LineOf(const Finding& f) const { return source->LineOf(f.path); }
  // The denials and warnings together, in line order (on one line, denials first).
  std::vector<const Finding*> Findings() const;
};

// Why an object was not checked, as counted in the summaries.
enum class SkipCategory {
  kNoPodSpec,       // a built-in kind without a pod (Service, ConfigMap, ...)
  kCustomResource,  // another API group's kind (a CRD's): pullguard reads built-in kinds
  kRemovedApi,      // an API version the API server no longer serves (extensions/v1beta1, ...)
  kExempt,          // exempt by the policy (its namespace, or every image of it)
  kPatch,           // a kustomize patch, not a whole object
};
inline constexpr SkipCategory kSkipCategories[] = {SkipCategory::kNoPodSpec, SkipCategory::kCustomResource,
                                                   SkipCategory::kRemovedApi, SkipCategory::kExempt,
                                                   SkipCategory::kPatch};

// The category's key in the JSON report ("noPodSpec", "customResource", ...).
std::string_view SkipCategoryKey(SkipCategory category);

struct SkippedObject {
  std::string file;
  int line = 0;
  std::string object;  // Kind/name
  std::string why;
  SkipCategory category = SkipCategory::kNoPodSpec;
};

struct CheckReport {
  std::vector<CheckedObject> objects;  // objects with images
  std::vector<ManifestProblem> problems;
  std::vector<SkippedObject> skipped;  // objects pullguard does not check, and why
  std::vector<std::string> hints;      // said once per run (e.g. "check kustomize's output")
  size_t files = 0, not_kubernetes = 0, excluded = 0;
  bool offline = false;

  size_t Images() const;
  size_t Denied() const;
  size_t Warned() const;
  size_t Skipped(SkipCategory category) const;
  // Orders objects, problems and skipped objects by file, then line (then column).
  void Sort();
};

enum class Format { kText, kJson, kSarif, kGithub, kJunit };

struct RenderOptions {
  bool colour = false;
  bool verbose = false;  // list skipped objects
  std::string version;   // pullguard's, for SARIF and JSON
};

// "1 file", "2 files": every count in words is written with it.
std::string Count(size_t n, std::string_view one, std::string_view many);

void RenderText(const CheckReport& report, const RenderOptions& options, std::ostream& out);
void RenderJson(const CheckReport& report, const RenderOptions& options, std::ostream& out);
void RenderSarif(const CheckReport& report, const RenderOptions& options, std::ostream& out);
void RenderGithub(const CheckReport& report, const RenderOptions& options, std::ostream& out);
void RenderJunit(const CheckReport& report, const RenderOptions& options, std::ostream& out);

}  // namespace pullguard::cli
