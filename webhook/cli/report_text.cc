#include "cli/check_report.h"

namespace pullguard::cli {
namespace {

const char* Colour(const RenderOptions& o, Action a) {
  if (!o.colour) return "";
  return a == Action::kDeny ? "\033[31m" : "\033[33m";
}
const char* Reset(const RenderOptions& o) { return o.colour ? "\033[0m" : ""; }

}  // namespace

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

void RenderText(const CheckReport& report, const RenderOptions& options, std::ostream& out) {
  std::string file;
  for (const auto& o : report.objects) {
    if (o.verdict.denials.empty() && o.verdict.warnings.empty()) continue;
    if (o.source->file != file) {
      file = o.source->file;
      out << file << "\n";
    }
    out << "  " << o.Label() << (o.ns.empty() ? "" : " (namespace " + o.ns + ")") << "\n";
    for (const auto* list : {&o.verdict.denials, &o.verdict.warnings}) {
      for (const auto& f : *list) {
        out << "    " << Colour(options, f.action) << ActionName(f.action) << Reset(options) << "  line "
            << o.LineOf(f) << ": " << FormatFinding(f) << "\n";
      }
    }
  }
  if (!report.problems.empty()) {
    out << "problems (these files or documents were not checked):\n";
    for (const auto& p : report.problems) {
      out << "  " << p.file << (p.line > 0 ? ":" + std::to_string(p.line) : "") << ": " << p.message << "\n";
    }
  }
  if (options.verbose && !report.skipped.empty()) {
    out << "not checked:\n";
    for (const auto& s : report.skipped) out << "  " << s.file << ":" << s.line << ": " << s.object << ": " << s.why << "\n";
  }
  size_t objects = report.objects.size();
  out << report.files << " files, " << objects << " objects, " << report.Images() << " images: " << report.Denied()
      << " denied, " << report.Warned() << " warned";
  if (!report.problems.empty()) out << ", " << report.problems.size() << " problems";
  std::string skipped;
  if (!report.skipped.empty()) skipped += std::to_string(report.skipped.size()) + " objects without a pod to check";
  if (report.not_kubernetes > 0) {
    skipped += (skipped.empty() ? "" : ", ") + std::to_string(report.not_kubernetes) + " documents that are no Kubernetes object";
  }
  if (report.excluded > 0) skipped += (skipped.empty() ? "" : ", ") + std::to_string(report.excluded) + " files excluded";
  if (!skipped.empty()) out << " (skipped: " << skipped << (options.verbose ? "" : "; --verbose lists them") << ")";
  if (report.offline) out << " [offline: syntax and policy rules only]";
  out << "\n";
}

}  // namespace pullguard::cli
