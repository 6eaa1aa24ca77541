#include "auth/config_syntax.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace pullguard::auth {
namespace {

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// Go's url.Parse: a '%' must start a valid escape.
std::string EscapeProblem(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') continue;
    if (i + 2 >= s.size() || !IsHex(s[i + 1]) || !IsHex(s[i + 2])) return "invalid URL escape " + GoQuote(s.substr(i, 3));
    i += 2;
  }
  return "";
}

// ":" followed by digits, or nothing (Go's validOptionalPort).
bool ValidOptionalPort(std::string_view port) {
  if (port.empty()) return true;
  if (port[0] != ':') return false;
  return std::all_of(port.begin() + 1, port.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string GoQuote(std::string_view s) { return nlohmann::json(std::string(s)).dump(); }

std::string SchemelessUrlProblem(std::string_view s) {
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return "net/url: invalid control character in URL";
  }
  std::string_view rest = s;
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) {
    if (std::string p = EscapeProblem(rest.substr(hash + 1)); !p.empty()) return p;
    rest = rest.substr(0, hash);
  }
  if (size_t q = rest.find('?'); q != std::string_view::npos) rest = rest.substr(0, q);
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    if (std::string p = EscapeProblem(rest.substr(slash)); !p.empty()) return p;
  }
  std::string_view host = authority;
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    for (char c : authority.substr(0, at)) {
      if (!IsAlnum(c) && std::string_view("-._:~!$&'()*+,;=%@").find(c) == std::string_view::npos) {
        return "net/url: invalid userinfo";
      }
    }
    host = authority.substr(at + 1);
  }
  if (!host.empty() && host[0] == '[') {
    size_t close = host.rfind(']');
    if (close == std::string_view::npos) return "missing ']' in host";
    if (!ValidOptionalPort(host.substr(close + 1))) {
      return "invalid port " + GoQuote(host.substr(close + 1)) + " after host";
    }
    return "";
  }
  if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    if (!ValidOptionalPort(host.substr(colon))) return "invalid port " + GoQuote(host.substr(colon)) + " after host";
  }
  for (size_t i = 0; i < host.size(); ++i) {
    char c = host[i];
    if (static_cast<unsigned char>(c) >= 0x80 || IsAlnum(c)) continue;
    if (c == '%') return "invalid URL escape " + GoQuote(host.substr(i, 3));
    if (std::string_view("!$&'()*+,;=:[]<>\"-_.~").find(c) == std::string_view::npos) {
      return "invalid character " + GoQuote(host.substr(i, 1)) + " in host name";
    }
  }
  return "";
}

bool IsDnsSubdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || !IsAlnum(label.front()) || !IsAlnum(label.back())) return false;
    for (char c : label) {
      if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-')) {
        return false;
      }
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::vector<std::string> QualifiedNameProblems(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::vector<std::string> problems;
  std::string_view name = key;
  size_t slash = key.find('/');
  if (slash != std::string::npos) {
    if (key.find('/', slash + 1) != std::string::npos) {
      problems.push_back("a qualified name must be a name with an optional DNS subdomain prefix and '/' "
                         "(e.g. 'example.com/MyName')");
      return problems;
    }
    std::string_view prefix = std::string_view(key).substr(0, slash);
    name = std::string_view(key).substr(slash + 1);
    if (prefix.empty()) {
      problems.push_back("prefix part must be non-empty");
    } else if (!IsDnsSubdomain(prefix)) {
      problems.push_back("prefix part must be a lowercase RFC 1123 subdomain of at most 253 characters");
    }
  }
  if (name.empty()) {
    problems.push_back("name part must be non-empty");
    return problems;
  }
  if (name.size() > 63) problems.push_back("name part must be no more than 63 characters");
  bool chars_ok = IsAlnum(name.front()) && IsAlnum(name.back()) &&
                  std::all_of(name.begin(), name.end(), [](char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; });
  if (!chars_ok) {
    problems.push_back("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                       "with an alphanumeric character");
  }
  return problems;
}

}  // namespace pullguard::auth
