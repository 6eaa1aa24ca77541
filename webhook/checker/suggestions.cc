#include "checker/suggestions.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace pullguard::checker {
namespace {

// A tag read as a version: its numbers (v1.25.3 -> 1, 25, 3) and its flavour (what follows
// them: "-alpine"). `numbers` is empty for tags that do not start with a number.
struct Version {
  std::vector<uint64_t> numbers;
  std::string flavour;
};

Version Parse(const std::string& tag) {
  Version v;
  size_t i = (!tag.empty() && (tag[0] == 'v' || tag[0] == 'V')) ? 1 : 0;
  while (i < tag.size() && std::isdigit(static_cast<unsigned char>(tag[i]))) {
    uint64_t n = 0;
    size_t digits = 0;
    while (i < tag.size() && std::isdigit(static_cast<unsigned char>(tag[i])) && digits < 18) {
      n = n * 10 + static_cast<uint64_t>(tag[i++] - '0');
      ++digits;
    }
    v.numbers.push_back(n);
    if (i < tag.size() && tag[i] == '.' && i + 1 < tag.size() && std::isdigit(static_cast<unsigned char>(tag[i + 1]))) {
      ++i;
      continue;
    }
    break;
  }
  v.flavour = v.numbers.empty() ? tag : tag.substr(i);
  return v;
}

// The same line: the same major and minor (or major only, when that is all the tag has),
// and the same flavour.
bool SameLine(const Version& a, const Version& b) {
  if (a.numbers.empty() || b.numbers.empty() || a.flavour != b.flavour) return false;
  size_t n = std::min<size_t>(2, a.numbers.size() - (a.numbers.size() > 1 ? 1 : 0));
  if (b.numbers.size() < n) return false;
  return std::equal(a.numbers.begin(), a.numbers.begin() + static_cast<long>(n), b.numbers.begin());
}

constexpr std::array<const char*, 64> kOfficialImages{
    "alpine",   "amazonlinux", "bash",      "busybox",   "caddy",     "cassandra", "centos",     "consul",
    "couchbase", "couchdb",   "debian",    "docker",    "drupal",    "eclipse-temurin", "elasticsearch", "erlang",
    "fedora",   "flink",      "gcc",       "ghost",     "golang",    "gradle",    "haproxy",    "httpd",
    "influxdb", "jenkins",    "jetty",     "kibana",    "kong",      "logstash",  "mariadb",    "maven",
    "memcached", "mongo",     "mysql",     "nats",      "neo4j",     "nextcloud", "nginx",      "node",
    "openjdk",  "oraclelinux", "perl",     "php",       "postgres",  "python",    "rabbitmq",   "redis",
    "redmine",  "registry",   "rockylinux", "ruby",     "rust",      "solr",      "sonarqube",  "telegraf",
    "tomcat",   "traefik",    "ubuntu",    "vault",     "wordpress", "zookeeper", "openresty",  "swift",
};

}  // namespace

std::vector<std::string> NearestTags(const std::string& wanted, const std::vector<std::string>& tags, size_t count) {
  std::vector<std::string> out;
  if (count == 0 || tags.empty()) return out;
  Version w = Parse(wanted);
  // The newest of the same line.
  const std::string* newest = nullptr;
  Version newest_version;
  for (const auto& t : tags) {
    if (t == wanted) continue;
    Version v = Parse(t);
    if (!SameLine(w, v)) continue;
    if (newest == nullptr || v.numbers > newest_version.numbers) {
      newest = &t;
      newest_version = v;
    }
  }
  if (newest != nullptr) out.push_back(*newest);
  // Then the closest spellings (ties: the later in the list, which registries sort as pushed
  // or by name).
  std::vector<std::pair<size_t, const std::string*>> ranked;
  size_t limit = std::max<size_t>(3, wanted.size() / 2);
  for (const auto& t : tags) {
    if (t == wanted || (newest && t == *newest)) continue;
    size_t d = EditDistance(wanted, t, limit);
    if (d <= limit) ranked.emplace_back(d, &t);
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first < b.first || (a.first == b.first && *a.second > *b.second);
  });
  for (const auto& [d, t] : ranked) {
    if (out.size() >= count) break;
    out.push_back(*t);
  }
  return out;
}

std::string OfficialImageTypo(const std::string& repository) {
  if (repository.rfind("library/", 0) != 0) return "";
  std::string name = repository.substr(8);
  std::string best;
  size_t best_distance = 3;
  for (const char* official : kOfficialImages) {
    if (name == official) return "";
    size_t d = EditDistance(name, official, 2);
    if (d < best_distance && d <= (std::string(official).size() > 4 ? 2u : 1u)) {
      best = official;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace pullguard::checker
