// What `pullguard check` found, and its output formats: text (grouped by file and object,
// colour on a terminal), json (schema in docs/ci.md), sarif (SARIF 2.1.0, for GitHub code
// scanning), github (workflow annotations) and junit (GitLab, Jenkins).
// Thread-safety: value types and pure functions.
#pragma once

#include <ostream>
#include <string>
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
};

struct SkippedObject {
  std::string file;
  int line = 0;
  std::string object;  // Kind/name
  std::string why;
};

struct CheckReport {
  std::vector<CheckedObject> objects;  // objects with images, in input order
  std::vector<ManifestProblem> problems;
  std::vector<SkippedObject> skipped;  // objects pullguard does not check, and why
  size_t files = 0, not_kubernetes = 0, excluded = 0;
  bool offline = false;

  size_t Images() const;
  size_t Denied() const;
  size_t Warned() const;
};

enum class Format { kText, kJson, kSarif, kGithub, kJunit };

struct RenderOptions {
  bool colour = false;
  bool verbose = false;  // list skipped objects
  std::string version;   // pullguard's, for SARIF and JSON
};

void RenderText(const CheckReport& report, const RenderOptions& options, std::ostream& out);
void RenderJson(const CheckReport& report, const RenderOptions& options, std::ostream& out);
void RenderSarif(const CheckReport& report, const RenderOptions& options, std::ostream& out);
void RenderGithub(const CheckReport& report, const RenderOptions& options, std::ostream& out);
void RenderJunit(const CheckReport& report, const RenderOptions& options, std::ostream& out);

}  // namespace pullguard::cli
