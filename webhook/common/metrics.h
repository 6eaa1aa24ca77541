// Metrics for GET /metrics, kept and rendered by prometheus-cpp (its text serializer).
// Every label value comes from a fixed set (decisions, reason codes, actions, methods, status
// classes, reload kinds) or, for registries, from a bounded one (well-known public registries
// and the policy's registries[].host patterns; the rest is "other"): never an image, a tag, a
// namespace or a secret, so cardinality stays bounded and nothing sensitive is exported.
// Process metrics (resident memory, CPU, open file descriptors, start time) are read from
// /proc at each scrape.
// Thread-safety: all functions may be called from any thread. The hot-path ones take no lock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/reason.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace pullguard {

enum class ReviewDecision { kAllow, kDeny, kError };

// An AdmissionReview answered (or refused as malformed: kError), with its latency.
void ObserveReview(ReviewDecision decision, double seconds);
void CountFinding(Reason reason, Action action);
// Registry checks by outcome: answered from the cache, probed, joined to one in flight,
// timed out; and stale answers standing in while a registry fails.
void CountRegistryChecks(uint64_t cache_hits, uint64_t probes, uint64_t joined, uint64_t timed_out);
void CountStaleAnswer();
// Probes running now, and waiting for a worker or for their registry's concurrency limit.
void AddChecksInFlight(int delta);
void AddChecksQueued(int delta);

// One HTTP exchange with a registry or its token service. `registry`: a bounded label
// (RegistryMetricLabel); `status` 0 when there was no answer (DNS, connect, TLS, timeout).
void ObserveRegistryRequest(std::string_view registry, std::string_view method, int status, double seconds);
void CountTokenFetch(std::string_view registry, bool ok);
// The label for a registry: itself when it is one of the well-known public registries,
// `policy_pattern` when a policy entry names it (its host glob), else "other".
std::string RegistryMetricLabel(std::string_view registry, std::string_view policy_pattern);

// The server: requests refused before a review (by HTTP status), connections closed by it.
void CountRefused(int status);
void CountConnectionClosed(std::string_view reason);  // idle, read_timeout, write_timeout, ...
// Accepting paused a moment: out_of_descriptors or out_of_memory.
void CountAcceptPause(std::string_view reason);

// Files reloaded (kind: policy, certificate), the serving certificate's notAfter, node lists
// that could not be read.
void CountReload(std::string_view kind, bool ok);
void SetCertificateExpiry(double unix_seconds);
void CountNodeListFailure();

// A cache's lookups (pullguard_cache_requests_total{cache,result="hit|miss"}) and its size
// (pullguard_cache_entries{cache}), resolved once per cache name: one atomic update per lookup.
class CacheMetrics {
 public:
  void Count(bool hit);
  void SetEntries(size_t entries);

 private:
  friend CacheMetrics& CacheMetricsFor(std::string_view cache);
  void* hits_ = nullptr;
  void* misses_ = nullptr;
  void* entries_ = nullptr;
};
// `cache` is a constant name (a bounded label); the same object for the same name.
CacheMetrics& CacheMetricsFor(std::string_view cache);

// Images judged, by where the credential that decided came from: pod_secret,
// serviceaccount_secret, node_provider, node_docker_config, anonymous, or unverified (only the
// node's own credentials could tell: NodeCredentialsUnverified).
void CountCredentialSource(std::string_view source);

// pullguard_build_info{version=...} 1.
void SetBuildInfo(std::string_view version);

// Every metric in the Prometheus text format (version 0.0.4).
std::string RenderMetrics();

// The registry every metric above lives in, for a command that keeps families of its own
// (`pullguard audit`'s per-workload gauges, registered only by that command); RenderMetrics
// renders them too.
prometheus::Registry& MetricsRegistry();

}  // namespace pullguard
