#include <algorithm>
#include <tuple>

#include "cli/check_report.h"

namespace pullguard::cli {
namespace {

const char* Colour(const RenderOptions& o, Action a) {
  if (!o.colour) return "";
  return a == Action::kDeny ? "\033[31m" : "\033[33m";
}
const char* Reset(const RenderOptions& o) { return o.colour ? "\033[0m" : ""; }

// The summary's words for the objects of one skip category.
std::string SkipWords(SkipCategory category, size_t n) {
  switch (category) {
    case SkipCategory::kNoPodSpec: return Count(n, "object without a pod to check", "objects without a pod to check");
    case SkipCategory::kCustomResource: return Count(n, "custom resource", "custom resources");
    case SkipCategory::kRemovedApi:
      return Count(n, "object of an API version no longer served", "objects of API versions no longer served");
    case SkipCategory::kExempt: return Count(n, "object exempt by the policy", "objects exempt by the policy");
    case SkipCategory::kPatch: return Count(n, "kustomize patch", "kustomize patches");
  }
  return "";
}

}  // namespace

std::string Count(size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string_view SkipCategoryKey(SkipCategory category) {
  switch (category) {
    case SkipCategory::kNoPodSpec: return "noPodSpec";
    case SkipCategory::kCustomResource: return "customResource";
    case SkipCategory::kRemovedApi: return "removedApiVersion";
    case SkipCategory::kExempt: return "exempt";
    case SkipCategory::kPatch: return "kustomizePatch";
  }
  return "";
}

std::vector<const Finding*> CheckedObject::Findings() const {
  std::vector<const Finding*> all;
  all.reserve(verdict.denials.size() + verdict.warnings.size());
  for (const auto& f : verdict.denials) all.push_back(&f);
  for (const auto& f : verdict.warnings) all.push_back(&f);
  std::stable_sort(all.begin(), all.end(), [this](const Finding* a, const Finding* b) { return LineOf(*a) < LineOf(*b); });
  return all;
}

size_t CheckReport::Images() const {
  size_t n = 0;
  for (const auto& o : objects) n += o.images;
  return n;
}
size_t CheckReport::Denied() const {
  size_t n = 0;
  for (const auto& o : objects) n += o.verdict.denials.size();
  return n;
}
size_t CheckReport::Warned() const {
  size_t n = 0;
  for (const auto& o : objects) n += o.verdict.warnings.size();
  return n;
}
size_t CheckReport::Skipped(SkipCategory category) const {
  return static_cast<size_t>(
      std::count_if(skipped.begin(), skipped.end(), [category](const SkippedObject& s) { return s.category == category; }));
}

void CheckReport::Sort() {
  std::stable_sort(objects.begin(), objects.end(), [](const CheckedObject& a, const CheckedObject& b) {
    return std::tie(a.source->file, a.source->line) < std::tie(b.source->file, b.source->line);
  });
  std::stable_sort(problems.begin(), problems.end(), [](const ManifestProblem& a, const ManifestProblem& b) {
    return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
  });
  std::stable_sort(skipped.begin(), skipped.end(), [](const SkippedObject& a, const SkippedObject& b) {
    return std::tie(a.file, a.line) < std::tie(b.file, b.line);
  });
}

void RenderText(const CheckReport& report, const RenderOptions& options, std::ostream& out) {
  std::string file;
  for (const auto& o : report.objects) {
    if (o.verdict.denials.empty() && o.verdict.warnings.empty()) continue;
    if (o.source->file != file) {
      file = o.source->file;
      out << file << "\n";
    }
    out << "  " << o.Label() << (o.ns.empty() ? "" : " (namespace " + o.ns + ")") << "\n";
    for (const Finding* f : o.Findings()) {
      out << "    " << Colour(options, f->action) << ActionName(f->action) << Reset(options) << "  line "
          << o.LineOf(*f) << ": " << FormatFinding(*f) << "\n";
    }
  }
  if (!report.problems.empty()) {
    out << "problems (files, documents or objects that could not be checked, or that the API server would refuse):\n";
    for (const auto& p : report.problems) out << "  " << p.Where() << ": " << p.message << "\n";
  }
  for (const auto& hint : report.hints) out << "hint: " << hint << "\n";
  if (options.verbose && !report.skipped.empty()) {
    out << "not checked:\n";
    for (const auto& s : report.skipped) out << "  " << s.file << ":" << s.line << ": " << s.object << ": " << s.why << "\n";
  }
  out << Count(report.files, "file", "files") << ", " << Count(report.objects.size(), "object", "objects") << ", "
      << Count(report.Images(), "image", "images") << ": " << report.Denied() << " denied, " << report.Warned()
      << " warned";
  if (!report.problems.empty()) out << ", " << Count(report.problems.size(), "problem", "problems");
  std::string skipped;
  auto add = [&skipped](const std::string& words) { skipped += (skipped.empty() ? "" : ", ") + words; };
  for (SkipCategory category : kSkipCategories) {
    if (size_t n = report.Skipped(category); n > 0) add(SkipWords(category, n));
  }
  if (report.not_kubernetes > 0) {
    add(Count(report.not_kubernetes, "document that is no Kubernetes object", "documents that are no Kubernetes object"));
  }
  if (report.excluded > 0) add(Count(report.excluded, "file excluded", "files excluded"));
  if (!skipped.empty()) out << " (skipped: " << skipped << (options.verbose ? "" : "; --verbose lists them") << ")";
  if (report.offline) out << " [offline: syntax and policy rules only]";
  out << "\n";
}

}  // namespace pullguard::cli
