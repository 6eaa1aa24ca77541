// GET /metrics as Prometheus reads it: the text format's rules (HELP and TYPE once per family
// and before its samples, valid names and label syntax, histogram buckets cumulative with
// +Inf equal to _count, _sum present), the series operators alert on, and label sets that stay
// bounded however many images, namespaces and registries the reviews name.
#include <catch2/catch.hpp>

#include <map>
#include <regex>
#include <set>

#include "integration/registry_env.h"
#include "support/fault_server.h"
#include "support/image_fixtures.h"
#include "support/registry_server.h"

namespace pullguard::testing {
namespace {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct Exposition {
  std::map<std::string, std::string> types;  // family -> counter, gauge, histogram, ...
  std::vector<Sample> samples;
  std::vector<std::string> errors;

  double Value(const std::string& name, const std::map<std::string, std::string>& labels) const {
    for (const auto& s : samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
    return -1;
  }
};

// The family a sample belongs to: histograms' _bucket/_sum/_count suffixes stripped.
std::string FamilyOf(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string s = suffix;
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      std::string base = name.substr(0, name.size() - s.size());
      auto t = types.find(base);
      if (t != types.end() && (t->second == "histogram" || t->second == "summary")) return base;
    }
  }
  return name;
}

// Parses the text format (0.0.4), recording every rule it breaks.
Exposition Parse(const std::string& text) {
  Exposition e;
  const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*))");
  const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
  const std::regex sample(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? ([-+]?(?:[0-9.eE+-]+|Inf|NaN))( -?[0-9]+)?)");
  const std::regex label(R"(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)\",?)");
  std::set<std::string> helped, sampled;
  size_t start = 0;
  int n = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      e.errors.push_back("the last line does not end with a newline");
      break;
    }
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++n;
    std::smatch m;
    if (line.rfind("# HELP ", 0) == 0) {
      if (!std::regex_match(line, m, help)) e.errors.push_back("line " + std::to_string(n) + ": bad HELP");
      else if (!helped.insert(m[1]).second) e.errors.push_back("HELP twice for " + m[1].str());
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      if (!std::regex_match(line, m, type)) {
        e.errors.push_back("line " + std::to_string(n) + ": bad TYPE");
      } else if (e.types.count(m[1]) > 0) {
        e.errors.push_back("TYPE twice for " + m[1].str());
      } else if (sampled.count(m[1]) > 0) {
        e.errors.push_back("TYPE after samples of " + m[1].str());
      } else {
        e.types[m[1]] = m[2];
      }
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    if (!std::regex_match(line, m, sample)) {
      e.errors.push_back("line " + std::to_string(n) + ": not a sample: " + line);
      continue;
    }
    Sample s;
    s.name = m[1];
    std::string labels = m[3];
    for (std::sregex_iterator it(labels.begin(), labels.end(), label), stop; it != stop; ++it) s.labels[(*it)[1]] = (*it)[2];
    s.value = std::stod(m[4]);
    std::string family = FamilyOf(s.name, e.types);
    if (e.types.count(family) == 0) e.errors.push_back("a sample of " + family + " before its TYPE");
    sampled.insert(family);
    e.samples.push_back(std::move(s));
  }
  // Histograms: per label set, buckets ascending and cumulative, +Inf == _count, _sum there.
  for (const auto& [family, t] : e.types) {
    if (t != "histogram") continue;
    std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> buckets;
    std::map<std::map<std::string, std::string>, double> counts;
    std::set<std::map<std::string, std::string>> sums;
    for (const auto& s : e.samples) {
      std::map<std::string, std::string> key = s.labels;
      if (s.name == family + "_bucket") {
        if (key.count("le") == 0) {
          e.errors.push_back(family + ": a bucket without le");
          continue;
        }
        double le = key["le"] == "+Inf" ? INFINITY : std::stod(key["le"]);
        key.erase("le");
        buckets[key].emplace_back(le, s.value);
      } else if (s.name == family + "_count") {
        counts[key] = s.value;
      } else if (s.name == family + "_sum") {
        sums.insert(key);
      }
    }
    for (const auto& [key, list] : buckets) {
      for (size_t i = 1; i < list.size(); ++i) {
        if (!(list[i].first > list[i - 1].first)) e.errors.push_back(family + ": buckets out of order");
        if (list[i].second < list[i - 1].second) e.errors.push_back(family + ": buckets not cumulative");
      }
      if (list.empty() || list.back().first != INFINITY) e.errors.push_back(family + ": no +Inf bucket");
      else if (counts.count(key) == 0 || counts[key] != list.back().second) e.errors.push_back(family + ": +Inf != _count");
      if (sums.count(key) == 0) e.errors.push_back(family + ": no _sum");
    }
  }
  return e;
}

TEST_CASE("the format checker itself catches broken expositions") {
  CHECK(Parse("# TYPE a counter\na 1\n").errors.empty());
  CHECK_FALSE(Parse("a 1\n").errors.empty());                                    // no TYPE
  CHECK_FALSE(Parse("# TYPE a counter\n# TYPE a counter\na 1\n").errors.empty());  // TYPE twice
  CHECK_FALSE(Parse("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 0\n").errors.empty());
  CHECK_FALSE(Parse("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 3\nh_count 2\nh_sum 0\n").errors.empty());
  CHECK_FALSE(Parse("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n").errors.empty());
  CHECK_FALSE(Parse("# TYPE a counter\na{b=\"c\" 1\n").errors.empty());
}

TEST_CASE("/metrics: valid text format, the series operators alert on, and bounded labels", "[integration]") {
  TempDir dir;
  std::string certs = MakeCerts(dir, "registry-certs");
  RegistryServer registry(certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", RegistryOptions{});
  PushSingle(registry, "team/app", "1.0", "linux/amd64");
  FaultServer faults;
  std::string policy = "registries:\n  - host: \"" + faults.host() + "\"\n    insecure: true\n    allowPrivateAddress: true\n" +
                       "  - host: \"127.0.0.1:*\"\n    caFile: " + certs + "/ca.crt\n    allowPrivateAddress: true\n" +
                       "platforms: [linux/amd64]\n";
  WebhookProcess webhook(policy);
  // Many namespaces, images and tags; a registry error; a rate limit.
  std::vector<std::string> names;
  for (int i = 0; i < 30; ++i) {
    std::string ns = "tenant-" + std::to_string(i);
    std::string image = registry.host() + "/team/app:" + (i % 3 == 0 ? "1.0" : "missing-" + std::to_string(i));
    names.push_back(ns);
    Ask(webhook, PodReview(ns, {image}));
  }
  Ask(webhook, PodReview("faulty", {faults.host() + "/broken/app:1", faults.host() + "/ratelimited/app:1"}));
  HttpAnswer metrics = webhook.Get("/metrics");
  REQUIRE(metrics.status == 200);
  CHECK_THAT(metrics.content_type, Catch::StartsWith("text/plain; version=0.0.4"));
  Exposition e = Parse(metrics.body);
  for (const auto& error : e.errors) FAIL_CHECK(error);

  // What the README's alerts and dashboards read.
  CHECK(e.types["pullguard_admission_review_duration_seconds"] == "histogram");
  CHECK(e.Value("pullguard_admission_review_duration_seconds_count", {{"decision", "deny"}}) == 20);
  CHECK(e.Value("pullguard_admission_review_duration_seconds_count", {{"decision", "allow"}}) == 11);
  CHECK(e.Value("pullguard_findings_total", {{"reason", "TagNotFound"}, {"action", "deny"}}) == 20);
  CHECK(e.types["pullguard_registry_request_duration_seconds"] == "histogram");
  CHECK(e.Value("pullguard_registry_request_duration_seconds_count", {{"registry", "127.0.0.1:*"}, {"method", "HEAD"}, {"status_class", "2xx"}}) >= 1);
  CHECK(e.Value("pullguard_registry_request_duration_seconds_count", {{"registry", "127.0.0.1:*"}, {"method", "HEAD"}, {"status_class", "4xx"}}) >= 20);
  CHECK(e.Value("pullguard_registry_request_duration_seconds_count", {{"registry", faults.host()}, {"method", "HEAD"}, {"status_class", "5xx"}}) >= 1);
  CHECK(e.Value("pullguard_registry_checks_total", {{"outcome", "probe"}}) >= 22);
  CHECK(e.Value("pullguard_registry_checks_total", {{"outcome", "cache_hit"}}) >= 8);  // 1.0, asked 10 times
  CHECK(e.Value("pullguard_certificate_expiry_timestamp_seconds", {}) > 1.7e9);
  CHECK(e.Value("pullguard_build_info", {{"version", "0.1.0"}}) == 1);
  CHECK(e.Value("process_resident_memory_bytes", {}) > 1e6);
  CHECK(e.Value("process_open_fds", {}) > 3);
  CHECK(e.Value("process_cpu_seconds_total", {}) >= 0);
  CHECK(e.Value("pullguard_registry_checks_in_flight", {}) == 0);

  // Bounded: no label carries a namespace, an image, a tag or a repository, and the series
  // are few, whatever the reviews named.
  size_t series = 0;
  std::set<std::string> label_names;
  for (const auto& s : e.samples) {
    if (s.name.size() > 7 && s.name.compare(s.name.size() - 7, 7, "_bucket") == 0) continue;
    ++series;
    for (const auto& [k, v] : s.labels) {
      label_names.insert(k);
      for (const auto& ns : names) CHECK(v.find(ns) == std::string::npos);
      CHECK(v.find("team/app") == std::string::npos);
      CHECK(v.find("missing-") == std::string::npos);
      CHECK(v.find("broken") == std::string::npos);
    }
  }
  CHECK(series < 150);
  CHECK(label_names == std::set<std::string>{"action", "cache", "decision", "kind", "method", "outcome", "reason", "registry",
                                             "result", "source", "status_class", "version"});
  // Verdicts by credential source: a fixed set of six values.
  for (const auto& s : e.samples) {
    if (s.name != "pullguard_image_verdicts_by_credential_source_total") continue;
    static const std::set<std::string> kSources{"pod_secret", "serviceaccount_secret", "node_provider",
                                                "node_docker_config", "anonymous", "unverified"};
    CHECK(kSources.count(s.labels.at("source")) == 1);
  }
  // The caches are a fixed set of names, and the registry answers' cache was used.
  CHECK(e.Value("pullguard_cache_requests_total", {{"cache", "registry_answers"}, {"result", "hit"}}) > 0);
  CHECK(e.Value("pullguard_cache_entries", {{"cache", "registry_answers"}}) > 0);
}

}  // namespace
}  // namespace pullguard::testing
