#include "reference/explain.h"

#include <cctype>

#include "reference/grammar.h"

namespace pullguard::reference {
namespace {

bool HasSpaceOrControl(std::string_view s) {
  for (unsigned char c : s) {
    if (c <= 0x20 || c == 0x7f) return true;
  }
  return false;
}

bool HasNonAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return true;
  }
  return false;
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string ExplainPath(std::string_view path) {
  size_t start = 0;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      std::string_view component = path.substr(start, i - start);
      if (component.empty()) return "the repository path has an empty component (\"//\" or a trailing \"/\")";
      if (!IsPathComponent(component)) {
        return "path component " + Quote(component) +
               " is invalid: use lowercase letters and digits, joined by '.', '_', '__' or '-'";
      }
      start = i + 1;
    }
  }
  return "invalid reference format";
}

}  // namespace

std::string ExplainTag(std::string_view tag) {
  if (tag.empty()) return "the tag after ':' is empty";
  if (tag.size() > 128) return "invalid tag format: a tag has at most 128 characters, this one " + std::to_string(tag.size());
  return "invalid tag format: " + Quote(tag) +
         " may use only letters, digits, '_', '.' and '-', and not start with '.' or '-'";
}

std::string FindPlaceholder(std::string_view s) {
  auto closed = [&](size_t start, size_t open_size, std::string_view close) -> std::string {
    size_t end = s.find(close, start + open_size);
    if (end == std::string_view::npos || end == start + open_size) return "";
    return std::string(s.substr(start, end + close.size() - start));
  };
  for (size_t i = 0; i < s.size(); ++i) {
    std::string found;
    if (s[i] == '<') {
      found = closed(i, 1, ">");
    } else if (s[i] == '{') {
      found = s.substr(i, 2) == "{{" ? closed(i, 2, "}}") : closed(i, 1, "}");
    } else if (s[i] == '$' && i + 1 < s.size()) {
      if (s[i + 1] == '{') {
        found = closed(i, 2, "}");
      } else if (s[i + 1] == '(') {
        found = closed(i, 2, ")");
      } else {
        size_t end = i + 1;
        while (end < s.size() && (std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '_')) ++end;
        if (end > i + 1) found = std::string(s.substr(i, end - i));
      }
    }
    if (!found.empty()) return found;
  }
  return "";
}

std::string ExplainInvalidFormat(std::string_view s) {
  size_t scheme = s.find("://");
  if (scheme != std::string_view::npos) {
    return "remove " + Quote(s.substr(0, scheme + 3)) + ": an image reference has no URL scheme";
  }
  if (HasSpaceOrControl(s)) return "the image contains whitespace or control characters";
  if (HasNonAscii(s)) return "the image contains non-ASCII characters";
  std::string_view rest = s;
  size_t at = s.find('@');
  if (at != std::string_view::npos) {
    std::string_view digest = s.substr(at + 1);
    if (!IsDigestPattern(digest)) {
      return "invalid digest format " + Quote(digest) + ": expected ALGORITHM:HEX such as sha256:<64 hex>";
    }
    rest = s.substr(0, at);
    if (rest.empty()) return "a digest needs a repository name before '@'";
  }
  size_t colon = rest.rfind(':');
  size_t slash = rest.rfind('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    std::string_view tag = rest.substr(colon + 1);
    if (!IsTag(tag)) return ExplainTag(tag);
    rest = rest.substr(0, colon);
    if (rest.empty()) return "a tag needs a repository name before ':'";
  }
  size_t first_slash = rest.find('/');
  if (first_slash != std::string_view::npos) {
    std::string_view head = rest.substr(0, first_slash);
    bool looks_like_host = head.find_first_of(".:[") != std::string_view::npos || head == "localhost";
    if (looks_like_host && !IsDomainAndPort(head)) {
      return "registry host " + Quote(head) + " is invalid: use a DNS name or [IPv6] with an optional :port";
    }
    if (looks_like_host || IsDomainAndPort(head)) {
      std::string explained = ExplainPath(rest.substr(first_slash + 1));
      if (IsDomainAndPort(head) || explained != "invalid reference format") return explained;
    }
  }
  return ExplainPath(rest);
}

}  // namespace pullguard::reference
