#include "registry/hosts_toml.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>

#include "common/duration.h"
#include "registry/url.h"

namespace pullguard::registry {
namespace {

std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}

// A TOML string at s[i] ("basic" with escapes, or 'literal'); advances i past it.
std::optional<std::string> ReadString(const std::string& s, size_t& i) {
  if (i >= s.size() || (s[i] != '"' && s[i] != '\'')) return std::nullopt;
  char quote = s[i++];
  std::string out;
  while (i < s.size() && s[i] != quote) {
    if (quote == '"' && s[i] == '\\' && i + 1 < s.size()) {
      char e = s[++i];
      out.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
      ++i;
      continue;
    }
    out.push_back(s[i++]);
  }
  if (i >= s.size()) return std::nullopt;
  ++i;
  return out;
}

// Calls on_char(c) for each character of `text` outside TOML strings, until it returns
// false; returns where it stopped, or text.size().
template <typename OnChar>
size_t ScanOutsideStrings(const std::string& text, OnChar on_char) {
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote != 0) {
      if (c == '\\' && quote == '"') ++i;
      else if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (!on_char(c)) {
      return i;
    }
  }
  return text.size();
}

// The line without a trailing comment (a '#' outside strings).
std::string StripComment(const std::string& line) {
  return line.substr(0, ScanOutsideStrings(line, [](char c) { return c != '#'; }));
}

struct Value {
  std::vector<std::string> strings;  // a string is a list of one; an array's plain strings
  std::vector<std::vector<std::string>> nested;  // an array's arrays of strings (client pairs)
  std::optional<bool> boolean;
  bool is_array = false;
};

void SkipSpace(const std::string& t, size_t& i) {
  while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) ++i;
}

// An array of strings at t[i] ('[' ... ']'); advances i past it.
std::optional<std::vector<std::string>> ReadStringArray(const std::string& t, size_t& i) {
  std::vector<std::string> out;
  if (i >= t.size() || t[i] != '[') return std::nullopt;
  ++i;
  while (true) {
    SkipSpace(t, i);
    if (i < t.size() && t[i] == ']') {
      ++i;
      return out;
    }
    auto s = ReadString(t, i);
    if (!s) return std::nullopt;
    out.push_back(*s);
    SkipSpace(t, i);
    if (i < t.size() && t[i] == ',') ++i;
  }
}

std::optional<Value> ReadValue(const std::string& text) {
  Value v;
  std::string t = Trim(text);
  if (t == "true" || t == "false") {
    v.boolean = t == "true";
    return v;
  }
  size_t i = 0;
  if (!t.empty() && t[0] == '[') {
    v.is_array = true;
    ++i;
    while (true) {
      SkipSpace(t, i);
      if (i < t.size() && t[i] == ']') return i + 1 == t.size() ? std::optional<Value>(v) : std::nullopt;
      if (i < t.size() && t[i] == '[') {  // one level of nesting: [["cert", "key"], ...]
        auto inner = ReadStringArray(t, i);
        if (!inner) return std::nullopt;
        v.nested.push_back(std::move(*inner));
      } else {
        auto s = ReadString(t, i);
        if (!s) return std::nullopt;
        v.strings.push_back(*s);
      }
      SkipSpace(t, i);
      if (i < t.size() && t[i] == ',') ++i;
    }
  }
  auto s = ReadString(t, i);
  if (!s || i != t.size()) return std::nullopt;
  v.strings.push_back(*s);
  return v;
}

// '[' minus ']' outside strings: an array value goes on over lines until it is 0.
int BracketDepth(const std::string& text) {
  int depth = 0;
  ScanOutsideStrings(text, [&depth](char c) {
    depth += c == '[' ? 1 : c == ']' ? -1 : 0;
    return true;
  });
  return depth;
}

// Which table a header line opens: the top level's header, a host, or a host's header.
struct Table {
  std::string url;  // "" for the top level
  bool header = false;
};

std::optional<Table> ReadTable(const std::string& line) {
  std::string inner = Trim(line.substr(1, line.size() - 2));
  if (inner == "header") return Table{"", true};
  if (inner.rfind("host", 0) != 0) return std::nullopt;
  size_t i = 4;
  while (i < inner.size() && inner[i] == ' ') ++i;
  if (i >= inner.size() || inner[i] != '.') return std::nullopt;
  ++i;
  while (i < inner.size() && inner[i] == ' ') ++i;
  auto url = ReadString(inner, i);
  if (!url) return std::nullopt;
  std::string rest = Trim(inner.substr(i));
  if (rest.empty()) return Table{*url, false};
  if (rest == ".header" || Trim(rest.substr(1)) == "header") return Table{*url, true};
  return std::nullopt;
}

// scheme, host and API root of a URL, as containerd's parseHostConfig makes them.
Status SetUrl(HostsTomlHost& h, std::string url, bool override_path) {
  if (url.find("://") == std::string::npos) url = "https://" + url;
  std::string scheme = UrlScheme(url);
  if (scheme != "https" && scheme != "http") return Status::InvalidArgument("\"" + url + "\" is not an http(s) URL");
  h.scheme = scheme;
  h.host = UrlHost(url);
  if (h.host.empty()) return Status::InvalidArgument("\"" + url + "\" names no host");
  std::string path = url.substr(scheme.size() + 3 + h.host.size());
  path = path.substr(0, path.find_first_of("?#"));
  // path.Clean, for the paths these files hold: no empty or "." segments, no trailing slash.
  std::string clean;
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    std::string seg = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!seg.empty() && seg != ".") clean += "/" + seg;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (!override_path && (clean.size() < 3 || clean.compare(clean.size() - 3, 3, "/v2") != 0)) clean += "/v2";
  h.path = clean;
  return Status::Ok();
}

// One table's settings before they become a host (the URL needs override_path).
struct Section {
  std::string url;  // "" for the top level until `server` sets it
  bool override_path = false;
  HostsTomlHost host;
};

}  // namespace

Result<std::vector<HostsTomlHost>> ParseHostsToml(const std::string& text, const std::string& folder) {
  std::vector<Section> sections(1);  // [0]: the top level (server); then hosts in file order
  size_t current = 0;
  bool in_header = false;
  int line_no = 0;
  size_t start = 0;
  std::string pending;  // an array continued over lines
  int pending_line = 0;
  while (start < text.size()) {
    size_t eol = text.find('\n', start);
    std::string raw = text.substr(start, eol == std::string::npos ? std::string::npos : eol - start);
    start = eol == std::string::npos ? text.size() : eol + 1;
    ++line_no;
    std::string line = Trim(StripComment(raw));
    auto where = [&](int n) { return "line " + std::to_string(n) + ": "; };
    if (!pending.empty()) {
      pending += "\n" + line;
      if (BracketDepth(pending.substr(pending.find('=') + 1)) > 0) continue;
      line = pending;
      pending.clear();
    } else if (line.empty()) {
      continue;
    } else if (line[0] == '[') {
      if (line.back() != ']') return Status::InvalidArgument(where(line_no) + "a table header ends with ']'");
      auto table = ReadTable(line);
      if (!table) {
        return Status::InvalidArgument(where(line_no) + "unknown table " + line +
                                       " (hosts.toml has [host.\"URL\"], [host.\"URL\".header] and [header])");
      }
      in_header = table->header;
      if (table->url.empty()) {
        current = 0;
        continue;
      }
      auto same = std::find_if(sections.begin() + 1, sections.end(), [&](const Section& s) { return s.url == table->url; });
      if (same == sections.end()) {
        if (table->header) return Status::InvalidArgument(where(line_no) + line + " comes before its [host.\"" + table->url + "\"]");
        sections.push_back(Section{table->url, false, {}});
        same = sections.end() - 1;
      } else if (!table->header) {
        return Status::InvalidArgument(where(line_no) + "[host.\"" + table->url + "\"] is given twice");
      }
      current = static_cast<size_t>(same - sections.begin());
      continue;
    } else {
      pending_line = line_no;
      size_t eq = line.find('=');
      if (eq != std::string::npos && Trim(line.substr(eq + 1)).rfind('[', 0) == 0 && BracketDepth(line.substr(eq + 1)) > 0) {
        pending = line;
        continue;
      }
    }
    int at = pending_line != 0 ? pending_line : line_no;
    pending_line = 0;
    size_t eq = line.find('=');
    if (eq == std::string::npos) return Status::InvalidArgument(where(at) + "expected key = value");
    std::string key = Trim(line.substr(0, eq));
    if (!key.empty() && (key[0] == '"' || key[0] == '\'')) {
      size_t i = 0;
      auto quoted = ReadString(key, i);
      if (!quoted) return Status::InvalidArgument(where(at) + "unterminated key " + key);
      key = *quoted;
    }
    auto value = ReadValue(line.substr(eq + 1));
    if (!value) return Status::InvalidArgument(where(at) + key + ": a value must be a string, an array of strings, or true/false");
    if (!value->nested.empty() && (in_header || key != "client")) {
      return Status::InvalidArgument(where(at) + key + " must be a string or an array of strings");
    }
    auto absolute = [&folder](const std::string& path) { return !path.empty() && path[0] == '/' ? path : folder + "/" + path; };
    Section& s = sections[current];
    HostsTomlHost& h = s.host;
    auto one_string = [&]() -> Result<std::string> {
      if (value->is_array || value->strings.size() != 1) return Status::InvalidArgument(where(at) + key + " must be a string");
      return value->strings[0];
    };
    auto boolean = [&]() -> Result<bool> {
      if (!value->boolean) return Status::InvalidArgument(where(at) + key + " must be true or false");
      return *value->boolean;
    };
    if (in_header) {
      if (value->boolean) return Status::InvalidArgument(where(at) + "header " + key + " must be a string or an array of strings");
      for (const auto& v : value->strings) h.headers.emplace_back(key, v);
    } else if (key == "server") {
      if (current != 0) return Status::InvalidArgument(where(at) + "server belongs at the top level, before any [host]");
      ASSIGN_OR_RETURN(s.url, one_string());
    } else if (key == "capabilities") {
      h.can_pull = h.can_resolve = false;
      for (const auto& c : value->strings) {
        std::string lower = c;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
        if (lower == "pull") h.can_pull = true;
        else if (lower == "resolve") h.can_resolve = true;
        else if (lower != "push") return Status::InvalidArgument(where(at) + "unknown capability \"" + c + "\" (pull, resolve, push)");
      }
      if (value->strings.empty()) h.can_pull = h.can_resolve = true;  // none listed: all, as containerd
    } else if (key == "ca") {
      if (value->boolean) return Status::InvalidArgument(where(at) + "ca must be a file or an array of files");
      for (const auto& c : value->strings) h.ca_files.push_back(absolute(c));
    } else if (key == "client") {
      // A file holding certificate and key, a list of such files, or [certificate, key] pairs.
      if (value->boolean) return Status::InvalidArgument(where(at) + "client must be a file, or an array of files or of [cert, key] pairs");
      for (const auto& c : value->strings) h.client_pairs.emplace_back(absolute(c), "");
      for (const auto& pair : value->nested) {
        if (pair.size() != 2) return Status::InvalidArgument(where(at) + "a client pair is [\"cert.pem\", \"key.pem\"]");
        h.client_pairs.emplace_back(absolute(pair[0]), pair[1].empty() ? "" : absolute(pair[1]));
      }
    } else if (key == "dial_timeout") {
      ASSIGN_OR_RETURN(std::string text, one_string());
      auto timeout = ParseGoDuration(text);
      if (!timeout || timeout->count() < 0) {
        return Status::InvalidArgument(where(at) + "dial_timeout \"" + text + "\" is not a duration such as \"10s\" or \"500ms\"");
      }
      h.dial_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*timeout);
    } else if (key == "skip_verify") {
      ASSIGN_OR_RETURN(h.skip_verify, boolean());
    } else if (key == "override_path") {
      ASSIGN_OR_RETURN(s.override_path, boolean());
    }
    // Other keys are ignored, as containerd's TOML decoding does.
  }
  if (!pending.empty()) return Status::InvalidArgument("line " + std::to_string(pending_line) + ": an array is not closed with ']'");

  std::vector<HostsTomlHost> out;
  for (size_t i = 1; i < sections.size(); ++i) {
    Section& s = sections[i];
    Status set = SetUrl(s.host, s.url, s.override_path);
    if (!set.ok()) return Status::InvalidArgument("[host.\"" + s.url + "\"]: " + set.message());
    out.push_back(std::move(s.host));
  }
  Section& top = sections[0];
  if (!top.url.empty()) {
    Status set = SetUrl(top.host, top.url, top.override_path);
    if (!set.ok()) return Status::InvalidArgument("server: " + set.message());
  }
  out.push_back(std::move(top.host));  // scheme "" without server: the image's registry
  return out;
}

}  // namespace pullguard::registry
