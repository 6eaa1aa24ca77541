#include "auth/keyring.h"

#include <algorithm>
#include <string_view>

#include "common/glob.h"
#include "common/sha256.h"

namespace pullguard::auth {
namespace {

constexpr const char* kDefaultRegistryHost = "index.docker.io";

// Views into the string they were cut from: UrlsMatch runs for every keyring entry and every
// preset at every lookup, and allocates nothing.
struct SchemelessUrl {
  std::string_view host;  // with port
  std::string_view path;
};

SchemelessUrl ParseSchemeless(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return {s, ""};
  return {s.substr(0, slash), s.substr(slash)};
}

// net.SplitHostPort, loosely: "host:port" or "[v6]:port"; no port when it does not split.
void SplitHostPort(std::string_view hostport, std::string_view* host, std::string_view* port) {
  size_t colon = hostport.rfind(':');
  size_t bracket = hostport.find(']');
  if (colon == std::string_view::npos || (bracket != std::string_view::npos && colon < bracket)) {
    *host = hostport;
    *port = {};
    return;
  }
  *host = hostport.substr(0, colon);
  *port = hostport.substr(colon + 1);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
}

// The next dot-separated label of `*rest`, which then starts after its dot ("" past the last).
std::string_view NextLabel(std::string_view* rest, bool* more) {
  size_t dot = rest->find('.');
  std::string_view label = rest->substr(0, dot);
  *more = dot != std::string_view::npos;
  *rest = *more ? rest->substr(dot + 1) : std::string_view{};
  return label;
}

}  // namespace

std::string Credential::Identity() const {
  if (!identity.empty()) return identity;
  // 8 bytes of the hash: enough to tell credentials apart, too few to test guesses against.
  return "cred:" + Sha256Hex(username + '\0' + password).substr(0, 16);
}

bool UrlsMatch(const std::string& glob, const std::string& target) {
  SchemelessUrl g = ParseSchemeless(glob);
  SchemelessUrl t = ParseSchemeless(target);
  std::string_view g_host, g_port, t_host, t_port;
  SplitHostPort(g.host, &g_host, &g_port);
  SplitHostPort(t.host, &t_host, &t_port);
  if (g_port != t_port) return false;
  if (std::count(g_host.begin(), g_host.end(), '.') != std::count(t_host.begin(), t_host.end(), '.')) return false;
  if (t.path.substr(0, g.path.size()) != g.path) return false;
  for (bool g_more = true, t_more = true; g_more && t_more;) {
    std::string_view g_label = NextLabel(&g_host, &g_more);
    std::string_view t_label = NextLabel(&t_host, &t_more);
    auto matched = GlobMatch(g_label, t_label);
    if (!matched.ok() || !matched.value()) return false;
  }
  return true;
}

bool IsDefaultRegistryMatch(const std::string& image) {
  size_t slash = image.find('/');
  std::string first = image.substr(0, slash);
  if (first.empty()) return false;
  if (slash == std::string::npos) return true;
  if (first == "docker.io" || first == "index.docker.io") return true;
  return first.find_first_of(".:") == std::string::npos;
}

void Keyring::Add(const DockerConfig& config, const std::string& source) {
  for (const auto& [location, entry] : config) {
    std::string value = location;
    if (value.rfind("https://", 0) != 0 && value.rfind("http://", 0) != 0) value = "https://" + value;
    std::string rest = value.substr(value.find("://") + 3);
    SchemelessUrl parsed = ParseSchemeless(rest);
    // Strip a query or fragment the way url.Parse would.
    parsed.path = parsed.path.substr(0, parsed.path.find_first_of("?#"));
    if (parsed.host.empty()) continue;  // url.Parse would leave no host: nothing can match
    std::string path(parsed.path);
    // The docker client treats /v1/ and /v2/ as the bare host.
    if (path.rfind("/v2/", 0) == 0 || path.rfind("/v1/", 0) == 0) path = path.substr(3);
    std::string key(parsed.host);
    if (!path.empty() && path != "/") key += path;
    Credential credential(entry.username, entry.password, entry.email, source);
    credential.identity = credential.Identity();  // once, not at every cache lookup
    creds_[key].push_back(std::move(credential));
    index_.push_back(key);
  }
  std::sort(index_.begin(), index_.end());
  index_.erase(std::unique(index_.begin(), index_.end()), index_.end());
  std::reverse(index_.begin(), index_.end());
}

void Keyring::Add(const Keyring& other) {
  for (const auto& [key, list] : other.creds_) {
    auto& mine = creds_[key];
    mine.insert(mine.end(), list.begin(), list.end());
    index_.push_back(key);
  }
  std::sort(index_.begin(), index_.end());
  index_.erase(std::unique(index_.begin(), index_.end()), index_.end());
  std::reverse(index_.begin(), index_.end());
}

std::vector<Credential> Keyring::Lookup(const std::string& image) const {
  std::vector<Credential> found;
  for (const auto& key : index_) {
    if (UrlsMatch(key, image)) {
      const auto& list = creds_.at(key);
      found.insert(found.end(), list.begin(), list.end());
    }
  }
  if (!found.empty()) return found;
  if (IsDefaultRegistryMatch(image)) {
    auto it = creds_.find(kDefaultRegistryHost);
    if (it != creds_.end()) return it->second;
  }
  return {};
}

}  // namespace pullguard::auth
