#include "cli/check_report.h"

namespace pullguard::cli {
namespace {

// GitHub's workflow command escaping: data escapes %, \r, \n; properties also ':' and ','.
std::string GithubData(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out += c;
  }
  return out;
}

std::string GithubProperty(const std::string& s) {
  std::string out;
  for (char c : GithubData(s)) {
    if (c == ':') out += "%3A";
    else if (c == ',') out += "%2C";
    else out += c;
  }
  return out;
}

// The length of the valid UTF-8 sequence at s[i], or 0.
size_t Utf8Length(const std::string& s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return 0;
  }
  return n;
}

std::string Xml(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8Length(s, i);
    if (n == 0) {  // not UTF-8: an XML parser would refuse the whole report
      out += "?";
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(s, i, n);
      i += n;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(s[i++]);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 has no control characters but tab, newline and carriage return.
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') out += "?";
        else out += static_cast<char>(c);
    }
  }
  return out;
}

// Whether `f` (of o.Findings()) is one of the object's denials.
bool IsDenial(const CheckedObject& o, const Finding* f) {
  for (const auto& d : o.verdict.denials) {
    if (&d == f) return true;
  }
  return false;
}

}  // namespace

void RenderGithub(const CheckReport& report, const RenderOptions&, std::ostream& out) {
  for (const auto& o : report.objects) {
    for (const Finding* f : o.Findings()) {
      out << "::" << (f->action == Action::kDeny ? "error" : "warning") << " file=" << GithubProperty(o.source->file)
          << ",line=" << o.LineOf(*f) << ",title=" << GithubProperty(std::string(ReasonName(f->reason)) + " (" + o.Label() + ")")
          << "::" << GithubData(FormatFinding(*f)) << "\n";
    }
  }
  // Problems fail the run by default (--fail-on), so they are errors.
  for (const auto& p : report.problems) {
    out << "::error file=" << GithubProperty(p.file) << (p.line > 0 ? ",line=" + std::to_string(p.line) : "")
        << (p.line > 0 && p.column > 0 ? ",col=" + std::to_string(p.column) : "") << ",title=ManifestProblem::"
        << GithubData(p.message) << "\n";
  }
  out << Count(report.objects.size(), "object", "objects") << ", " << Count(report.Images(), "image", "images") << ": "
      << report.Denied() << " denied, " << report.Warned() << " warned";
  if (!report.problems.empty()) out << ", " << Count(report.problems.size(), "problem", "problems");
  out << "\n";
}

void RenderJunit(const CheckReport& report, const RenderOptions&, std::ostream& out) {
  size_t tests = report.objects.size() + report.problems.size();
  size_t failures = 0;
  for (const auto& o : report.objects) failures += o.verdict.denials.empty() ? 0 : 1;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"pullguard\" tests=\"" << tests << "\" failures=\"" << failures << "\" errors=\""
      << report.problems.size() << "\">\n";
  out << "  <testsuite name=\"pullguard check\" tests=\"" << tests << "\" failures=\"" << failures << "\" errors=\""
      << report.problems.size() << "\" skipped=\"0\">\n";
  for (const auto& o : report.objects) {
    out << "    <testcase classname=\"" << Xml(o.source->file) << "\" name=\"" << Xml(o.Label()) << "\">\n";
    if (!o.verdict.denials.empty()) {
      std::string text;
      const Finding* first = nullptr;
      for (const Finding* f : o.Findings()) {
        if (!IsDenial(o, f)) continue;
        if (first == nullptr) first = f;
        text += FormatFinding(*f) + "\n";
      }
      if (first != nullptr) {
        out << "      <failure type=\"" << ReasonName(first->reason) << "\" message=\"" << Xml(FormatFinding(*first))
            << "\">" << Xml(text) << "</failure>\n";
      }
    }
    if (!o.verdict.warnings.empty()) {
      out << "      <system-out>";
      for (const Finding* f : o.Findings()) {
        if (!IsDenial(o, f)) out << Xml("warning: " + FormatFinding(*f)) << "\n";
      }
      out << "</system-out>\n";
    }
    out << "    </testcase>\n";
  }
  for (const auto& p : report.problems) {
    out << "    <testcase classname=\"" << Xml(p.file) << "\" name=\"read " << Xml(p.Where()) << "\">\n";
    out << "      <error type=\"ManifestProblem\" message=\"" << Xml(p.message) << "\"/>\n";
    out << "    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
}

}  // namespace pullguard::cli
