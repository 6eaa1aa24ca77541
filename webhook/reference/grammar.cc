#include "reference/grammar.h"

namespace pullguard::reference {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAsciiAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsWord(char c) { return IsAsciiAlnum(c) || c == '_'; }
bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsPort(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// "[" [a-fA-F0-9:]+ "]"
bool IsBracketedIpv6(std::string_view s) {
  if (s.size() < 3 || s.front() != '[' || s.back() != ']') return false;
  for (char c : s.substr(1, s.size() - 2)) {
    if (!IsHex(c) && c != ':') return false;
  }
  return true;
}

// component := [A-Za-z][A-Za-z0-9]*
bool IsAlgorithmComponent(std::string_view s) {
  if (s.empty() || !IsAsciiAlpha(s[0])) return false;
  for (char c : s) {
    if (!IsAsciiAlnum(c)) return false;
  }
  return true;
}

bool IsAlgorithm(std::string_view s) {
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '-' || s[i] == '_' || s[i] == '+' || s[i] == '.') {
      if (!IsAlgorithmComponent(s.substr(start, i - start))) return false;
      start = i + 1;
    }
  }
  return true;
}

}  // namespace

bool IsDomainComponent(std::string_view s) {
  if (s.empty() || !IsAsciiAlnum(s.front()) || !IsAsciiAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsAsciiAlnum(c) && c != '-') return false;
  }
  return true;
}

bool IsDomainName(std::string_view s) {
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      if (!IsDomainComponent(s.substr(start, i - start))) return false;
      start = i + 1;
    }
  }
  return true;
}

bool IsDomainAndPort(std::string_view s) {
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view rest = s.substr(close + 1);
    if (!IsBracketedIpv6(s.substr(0, close + 1))) return false;
    return rest.empty() || (rest.front() == ':' && IsPort(rest.substr(1)));
  }
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) return IsDomainName(s);
  return IsDomainName(s.substr(0, colon)) && IsPort(s.substr(colon + 1));
}

bool IsPathComponent(std::string_view s) {
  // alnum (separator alnum)*: starts and ends with alnum; every run of non-alnum is exactly
  // ".", "_", "__" or one or more "-".
  if (s.empty() || !IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return false;
  size_t i = 0;
  while (i < s.size()) {
    if (IsLowerAlnum(s[i])) {
      ++i;
      continue;
    }
    size_t run_start = i;
    while (i < s.size() && !IsLowerAlnum(s[i])) ++i;
    std::string_view sep = s.substr(run_start, i - run_start);
    bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
  }
  return true;
}

bool IsRemoteName(std::string_view s) {
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '/') {
      if (!IsPathComponent(s.substr(start, i - start))) return false;
      start = i + 1;
    }
  }
  return true;
}

bool IsTag(std::string_view s) {
  if (s.empty() || s.size() > 128 || !IsWord(s[0])) return false;
  for (char c : s) {
    if (!IsWord(c) && c != '.' && c != '-') return false;
  }
  return true;
}

bool IsDigestPattern(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view hex = s.substr(colon + 1);
  if (hex.size() < 32) return false;
  for (char c : hex) {
    if (!IsHex(c)) return false;
  }
  return IsAlgorithm(s.substr(0, colon));
}

bool IsIdentifier(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool MatchName(std::string_view s, std::string_view* domain, std::string_view* remote) {
  // A domain cannot contain '/', so the only candidate is the first component.
  size_t slash = s.find('/');
  if (slash != std::string_view::npos && IsDomainAndPort(s.substr(0, slash)) &&
      IsRemoteName(s.substr(slash + 1))) {
    *domain = s.substr(0, slash);
    *remote = s.substr(slash + 1);
    return true;
  }
  if (IsRemoteName(s)) {
    *domain = {};
    *remote = s;
    return true;
  }
  return false;
}

bool MatchReference(std::string_view s, std::string_view* name, std::string_view* tag,
                    std::string_view* digest) {
  // Neither name nor tag may hold '@', so a digest starts after the first '@'.
  std::string_view rest = s;
  std::string_view digest_part;
  size_t at = s.find('@');
  if (at != std::string_view::npos) {
    digest_part = s.substr(at + 1);
    if (!IsDigestPattern(digest_part)) return false;
    rest = s.substr(0, at);
  }
  // A name holds ':' only in its domain's port, which a '/' follows; so a ':' after the last
  // '/' can only start the tag. The two readings never both match.
  std::string_view tag_part;
  size_t colon = rest.rfind(':');
  size_t slash = rest.rfind('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    tag_part = rest.substr(colon + 1);
    if (!IsTag(tag_part)) return false;
    rest = rest.substr(0, colon);
  }
  std::string_view d, r;
  if (!MatchName(rest, &d, &r)) return false;
  *name = rest;
  *tag = tag_part;
  *digest = digest_part;
  return true;
}

}  // namespace pullguard::reference
