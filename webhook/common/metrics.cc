#include "common/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <memory>
#include <mutex>
#include <map>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace pullguard {
namespace {

using prometheus::Counter;
using prometheus::Gauge;
using prometheus::Histogram;

const Histogram::BucketBoundaries& LatencyBuckets() {
  static const Histogram::BucketBoundaries buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                   0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return buckets;
}

constexpr std::array<std::string_view, 8> kWellKnownRegistries{
    "docker.io", "ghcr.io", "quay.io", "registry.k8s.io", "gcr.io", "public.ecr.aws", "mcr.microsoft.com", "nvcr.io"};
constexpr std::array<const char*, 3> kDecisions{"allow", "deny", "error"};
constexpr std::array<const char*, 4> kOutcomes{"cache_hit", "probe", "joined", "timed_out"};

size_t ActionIndex(Action a) { return a == Action::kDeny ? 0 : a == Action::kWarn ? 1 : 2; }

std::string StatusClass(int status) {
  if (status <= 0) return "error";
  if (status < 200 || status > 599) return "other";
  return std::to_string(status / 100) + "xx";
}

// Every family, registered once; the fixed series resolved up front so the hot path is one
// atomic update.
constexpr std::array<std::string_view, 6> kCredentialSources = {
    "pod_secret", "serviceaccount_secret", "node_provider", "node_docker_config", "anonymous", "unverified"};

struct Metrics {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();

  prometheus::Family<Histogram>& reviews = prometheus::BuildHistogram()
                                               .Name("pullguard_admission_review_duration_seconds")
                                               .Help("AdmissionReviews answered, by decision, and how long each took.")
                                               .Register(*registry);
  std::array<Histogram*, 3> review_series{};
  prometheus::Family<Counter>& findings = prometheus::BuildCounter()
                                              .Name("pullguard_findings_total")
                                              .Help("Findings reported, by reason code and action.")
                                              .Register(*registry);
  std::vector<std::array<Counter*, 3>> finding_series;
  prometheus::Family<Counter>& checks = prometheus::BuildCounter()
                                            .Name("pullguard_registry_checks_total")
                                            .Help("Registry checks, by outcome: cache_hit, probe, joined (to one in flight), timed_out.")
                                            .Register(*registry);
  std::array<Counter*, 4> check_series{};
  Counter& stale = prometheus::BuildCounter()
                       .Name("pullguard_cache_stale_answers_total")
                       .Help("Older 'exists' answers that stood in while a registry failed.")
                       .Register(*registry)
                       .Add({});
  Gauge& in_flight = prometheus::BuildGauge()
                         .Name("pullguard_registry_checks_in_flight")
                         .Help("Registry probes running now.")
                         .Register(*registry)
                         .Add({});
  Gauge& queued = prometheus::BuildGauge()
                      .Name("pullguard_registry_checks_queued")
                      .Help("Registry probes waiting for a worker or for their registry's concurrency limit.")
                      .Register(*registry)
                      .Add({});
  prometheus::Family<Histogram>& requests = prometheus::BuildHistogram()
                                                .Name("pullguard_registry_request_duration_seconds")
                                                .Help("HTTP exchanges with registries and their token services, by registry, method and status class.")
                                                .Register(*registry);
  prometheus::Family<Counter>& tokens = prometheus::BuildCounter()
                                            .Name("pullguard_token_fetches_total")
                                            .Help("Bearer tokens asked for, by registry and result.")
                                            .Register(*registry);
  prometheus::Family<Counter>& refused = prometheus::BuildCounter()
                                             .Name("pullguard_requests_refused_total")
                                             .Help("HTTP requests refused before any review, by status.")
                                             .Register(*registry);
  prometheus::Family<Counter>& closed = prometheus::BuildCounter()
                                            .Name("pullguard_connections_closed_total")
                                            .Help("Connections pullguard closed, by reason.")
                                            .Register(*registry);
  prometheus::Family<Counter>& accept_pauses = prometheus::BuildCounter()
                                                   .Name("pullguard_accept_pauses_total")
                                                   .Help("Times accepting connections paused for a moment, by reason (out_of_descriptors, out_of_memory).")
                                                   .Register(*registry);
  prometheus::Family<Counter>& reloads = prometheus::BuildCounter()
                                             .Name("pullguard_reloads_total")
                                             .Help("Files reloaded, by kind (policy, certificate) and result.")
                                             .Register(*registry);
  Gauge& cert_expiry = prometheus::BuildGauge()
                           .Name("pullguard_certificate_expiry_timestamp_seconds")
                           .Help("When the serving certificate expires (its notAfter), in seconds since the epoch.")
                           .Register(*registry)
                           .Add({});
  Counter& node_list_failures = prometheus::BuildCounter()
                                    .Name("pullguard_node_list_failures_total")
                                    .Help("Node lists that could not be read from the Kubernetes API.")
                                    .Register(*registry)
                                    .Add({});
  prometheus::Family<Counter>& cache_requests = prometheus::BuildCounter()
                                                    .Name("pullguard_cache_requests_total")
                                                    .Help("Cache lookups, by cache and result (hit, miss).")
                                                    .Register(*registry);
  prometheus::Family<Gauge>& cache_entries = prometheus::BuildGauge()
                                                 .Name("pullguard_cache_entries")
                                                 .Help("Entries held, by cache.")
                                                 .Register(*registry);
  std::mutex cache_mutex;
  std::map<std::string, std::unique_ptr<CacheMetrics>, std::less<>> caches;
  prometheus::Family<Counter>& credential_sources = prometheus::BuildCounter()
                                                        .Name("pullguard_image_verdicts_by_credential_source_total")
                                                        .Help("Images judged, by the source of the credential the answer came with (unverified: only the node's own credentials could tell).")
                                                        .Register(*registry);
  std::array<Counter*, kCredentialSources.size()> credential_source_series{};  // looked up once
  prometheus::Family<Gauge>& build_info = prometheus::BuildGauge()
                                              .Name("pullguard_build_info")
                                              .Help("Always 1; the version is a label.")
                                              .Register(*registry);

  Metrics() {
    for (size_t i = 0; i < kDecisions.size(); ++i) review_series[i] = &reviews.Add({{"decision", kDecisions[i]}}, LatencyBuckets());
    finding_series.resize(AllReasons().size());
    for (Reason reason : AllReasons()) {
      size_t r = static_cast<size_t>(reason);
      if (r >= finding_series.size()) finding_series.resize(r + 1);
      for (Action action : {Action::kDeny, Action::kWarn, Action::kIgnore}) {
        finding_series[r][ActionIndex(action)] =
            &findings.Add({{"reason", std::string(ReasonName(reason))}, {"action", std::string(ActionName(action))}});
      }
    }
    for (size_t i = 0; i < kOutcomes.size(); ++i) check_series[i] = &checks.Add({{"outcome", kOutcomes[i]}});
    for (size_t i = 0; i < kCredentialSources.size(); ++i) {
      credential_source_series[i] = &credential_sources.Add({{"source", std::string(kCredentialSources[i])}});
    }
    for (const char* kind : {"policy", "certificate"}) {
      for (const char* result : {"ok", "failed"}) reloads.Add({{"kind", kind}, {"result", result}});
    }
  }
};

Metrics& Get() {
  static Metrics* metrics = new Metrics();  // lives until exit; handlers may count late
  return *metrics;
}

// Process metrics, as the Go and Python clients export them by default.
std::vector<prometheus::MetricFamily> ProcessMetrics() {
  std::vector<prometheus::MetricFamily> out;
  auto add = [&out](const char* name, const char* help, prometheus::MetricType type, double value) {
    prometheus::MetricFamily f;
    f.name = name;
    f.help = help;
    f.type = type;
    prometheus::ClientMetric m;
    if (type == prometheus::MetricType::Counter) {
      m.counter.value = value;
    } else {
      m.gauge.value = value;
    }
    f.metric.push_back(m);
    out.push_back(std::move(f));
  };
  static const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  std::ifstream stat("/proc/self/stat");
  std::string line;
  if (std::getline(stat, line)) {
    // Fields after the command (which may hold spaces), from field 3 on.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::vector<std::string> f{"", "", ""};
    for (std::string v; rest >> v;) f.push_back(v);
    if (f.size() > 24) {
      double cpu = (std::stod(f[14]) + std::stod(f[15])) / ticks;
      add("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", prometheus::MetricType::Counter, cpu);
      add("process_virtual_memory_bytes", "Virtual memory size in bytes.", prometheus::MetricType::Gauge, std::stod(f[23]));
      add("process_resident_memory_bytes", "Resident memory size in bytes.", prometheus::MetricType::Gauge, std::stod(f[24]) * page);
      std::ifstream uptime("/proc/uptime");
      double up = 0;
      uptime >> up;
      double start = static_cast<double>(std::time(nullptr)) - up + std::stod(f[22]) / ticks;
      add("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", prometheus::MetricType::Gauge, start);
    }
  }
  std::error_code ec;
  double fds = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) ++fds;
  add("process_open_fds", "Number of open file descriptors.", prometheus::MetricType::Gauge, fds);
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    add("process_max_fds", "Maximum number of open file descriptors.", prometheus::MetricType::Gauge,
        static_cast<double>(limit.rlim_cur));
  }
  return out;
}

}  // namespace

void ObserveReview(ReviewDecision decision, double seconds) {
  Get().review_series[static_cast<size_t>(decision)]->Observe(seconds);
}

void CountFinding(Reason reason, Action action) {
  Metrics& m = Get();
  size_t r = static_cast<size_t>(reason);
  if (r < m.finding_series.size()) m.finding_series[r][ActionIndex(action)]->Increment();
}

void CountRegistryChecks(uint64_t cache_hits, uint64_t probes, uint64_t joined, uint64_t timed_out) {
  Metrics& m = Get();
  uint64_t values[4] = {cache_hits, probes, joined, timed_out};
  for (size_t i = 0; i < 4; ++i) {
    if (values[i] != 0) m.check_series[i]->Increment(static_cast<double>(values[i]));
  }
}

void CountStaleAnswer() { Get().stale.Increment(); }
void AddChecksInFlight(int delta) { Get().in_flight.Increment(delta); }
void AddChecksQueued(int delta) { Get().queued.Increment(delta); }

void ObserveRegistryRequest(std::string_view registry, std::string_view method, int status, double seconds) {
  Get()
      .requests.Add({{"registry", std::string(registry)}, {"method", std::string(method)}, {"status_class", StatusClass(status)}},
                    LatencyBuckets())
      .Observe(seconds);
}

void CountTokenFetch(std::string_view registry, bool ok) {
  Get().tokens.Add({{"registry", std::string(registry)}, {"result", ok ? "ok" : "failed"}}).Increment();
}

std::string RegistryMetricLabel(std::string_view registry, std::string_view policy_pattern) {
  for (std::string_view known : kWellKnownRegistries) {
    if (registry == known) return std::string(known);
  }
  if (registry == "index.docker.io" || registry == "registry-1.docker.io") return "docker.io";
  return policy_pattern.empty() ? "other" : std::string(policy_pattern);
}

void CountRefused(int status) {
  int bounded = status >= 100 && status <= 599 ? status : 0;
  Get().refused.Add({{"status", std::to_string(bounded)}}).Increment();
}

void CountConnectionClosed(std::string_view reason) { Get().closed.Add({{"reason", std::string(reason)}}).Increment(); }

void CountAcceptPause(std::string_view reason) {
  Get().accept_pauses.Add({{"reason", reason == "out_of_descriptors" ? "out_of_descriptors" : "out_of_memory"}}).Increment();
}

void CountReload(std::string_view kind, bool ok) {
  Get().reloads.Add({{"kind", std::string(kind)}, {"result", ok ? "ok" : "failed"}}).Increment();
}

void SetCertificateExpiry(double unix_seconds) { Get().cert_expiry.Set(unix_seconds); }
void CountNodeListFailure() { Get().node_list_failures.Increment(); }

void CacheMetrics::Count(bool hit) { static_cast<Counter*>(hit ? hits_ : misses_)->Increment(); }

void CacheMetrics::SetEntries(size_t entries) { static_cast<Gauge*>(entries_)->Set(static_cast<double>(entries)); }

CacheMetrics& CacheMetricsFor(std::string_view cache) {
  Metrics& m = Get();
  std::lock_guard<std::mutex> lock(m.cache_mutex);
  auto it = m.caches.find(cache);
  if (it != m.caches.end()) return *it->second;
  auto metrics = std::make_unique<CacheMetrics>();
  std::string name(cache);
  metrics->hits_ = &m.cache_requests.Add({{"cache", name}, {"result", "hit"}});
  metrics->misses_ = &m.cache_requests.Add({{"cache", name}, {"result", "miss"}});
  metrics->entries_ = &m.cache_entries.Add({{"cache", name}});
  return *m.caches.emplace(name, std::move(metrics)).first->second;
}

void CountCredentialSource(std::string_view source) {
  // Once per image judged: the series were looked up when the metrics were made, not here.
  for (size_t i = 0; i < kCredentialSources.size(); ++i) {
    if (kCredentialSources[i] == source) {
      Get().credential_source_series[i]->Increment();
      return;
    }
  }
}

void SetBuildInfo(std::string_view version) { Get().build_info.Add({{"version", std::string(version)}}).Set(1); }

prometheus::Registry& MetricsRegistry() { return *Get().registry; }

std::string RenderMetrics() {
  std::vector<prometheus::MetricFamily> families = Get().registry->Collect();
  for (auto& f : ProcessMetrics()) families.push_back(std::move(f));
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace pullguard
