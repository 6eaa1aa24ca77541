#include "auth/keyring.h"

#include <algorithm>

#include "common/glob.h"
#include "common/sha256.h"

namespace pullguard::auth {
namespace {

constexpr const char* kDefaultRegistryHost = "index.docker.io";

struct SchemelessUrl {
  std::string host;  // with port
  std::string path;
};

SchemelessUrl ParseSchemeless(const std::string& s) {
  size_t slash = s.find('/');
  if (slash == std::string::npos) return {s, ""};
  return {s.substr(0, slash), s.substr(slash)};
}

// net.SplitHostPort, loosely: "host:port" or "[v6]:port"; no port when it does not split.
void SplitHostPort(const std::string& hostport, std::string* host, std::string* port) {
  size_t colon = hostport.rfind(':');
  if (colon == std::string::npos || (hostport.find(']') != std::string::npos && colon < hostport.find(']'))) {
    *host = hostport;
    port->clear();
    return;
  }
  *host = hostport.substr(0, colon);
  *port = hostport.substr(colon + 1);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
}

std::vector<std::string> SplitDots(const std::string& host) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    parts.push_back(host.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
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
  std::string g_host, g_port, t_host, t_port;
  SplitHostPort(g.host, &g_host, &g_port);
  SplitHostPort(t.host, &t_host, &t_port);
  if (g_port != t_port) return false;
  std::vector<std::string> g_parts = SplitDots(g_host), t_parts = SplitDots(t_host);
  if (g_parts.size() != t_parts.size()) return false;
  if (t.path.compare(0, g.path.size(), g.path) != 0) return false;
  for (size_t i = 0; i < g_parts.size(); ++i) {
    auto matched = GlobMatch(g_parts[i], t_parts[i]);
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
    size_t cut = parsed.path.find_first_of("?#");
    if (cut != std::string::npos) parsed.path.resize(cut);
    if (parsed.host.empty()) continue;  // url.Parse would leave no host: nothing can match
    std::string path = parsed.path;
    // The docker client treats /v1/ and /v2/ as the bare host.
    if (path.rfind("/v2/", 0) == 0 || path.rfind("/v1/", 0) == 0) path = path.substr(3);
    std::string key = (!path.empty() && path != "/") ? parsed.host + path : parsed.host;
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
