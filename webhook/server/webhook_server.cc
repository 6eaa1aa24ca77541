#include "server/webhook_server.h"

#include <algorithm>

#include <malloc.h>

#include <chrono>

#include "checker/deadline.h"
#include "common/duration.h"
#include "common/log.h"
#include "common/metrics.h"

namespace pullguard::server {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kLargeReview = ServerLimits{}.heavy_body_bytes;

bool IsJsonContentType(const std::string& value) {
  std::string type = value.substr(0, value.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type == "application/json";
}

// The API server's ?timeout= (a Go duration such as "10s"), or nullopt when absent or not one.
std::optional<std::chrono::milliseconds> ApiTimeout(const HttpRequest& request) {
  bool has_timeout = false;
  std::string text = request.Query("timeout", &has_timeout);
  if (!has_timeout) return std::nullopt;
  auto parsed = ParseGoDuration(text);
  if (!parsed || parsed->count() < 0) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(*parsed);
}

Answer JsonError(int status, const std::string& message) {
  return {status, "application/json", nlohmann::json{{"error", message}}.dump()};
}

}  // namespace

WebhookServer::WebhookServer(ServerOptions options, std::unique_ptr<CertificateStore> certificates,
                             policy::PolicyStore& policies, const checker::Checker& checker)
    : options_(std::move(options)), certificates_(std::move(certificates)), policies_(policies), handler_(checker) {
  ctx_ = SSL_CTX_new(TLS_server_method());
  if (ctx_ != nullptr) {
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx_, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    certificates_->InstallOn(ctx_);
    if (!options_.client_ca_file.empty()) {
      // Ask for a certificate; a client without one still gets the probes (/metrics and
      // /validate answer only a verified client).
      if (SSL_CTX_load_verify_locations(ctx_, options_.client_ca_file.c_str(), nullptr) == 1) {
        SSL_CTX_set_client_CA_list(ctx_, SSL_load_client_CA_file(options_.client_ca_file.c_str()));
        SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
      } else {
        SSL_CTX_free(ctx_);
        ctx_ = nullptr;
      }
    }
  }
  if (ctx_ != nullptr) {
    // A review's answer is wanted until the API server's ?timeout= (10 s when absent), less the
    // policy's margin for the answer's way back: one still queued then gets its 503 at once, and
    // it reaches the API server before the API server stops waiting. (Only the margin is read
    // here; the verdict's own deadline comes from the review's one policy snapshot.)
    auto deadline_of = [this](const HttpRequest& r, const RequestInfo& i) {
      std::chrono::milliseconds wanted = ApiTimeout(r).value_or(checker::kApiServerDefaultTimeout);
      return i.arrived + std::max(wanted - policies_.Current()->timeouts.margin, checker::kMinimumWait);
    };
    http_ = std::make_unique<HttpsServer>(
        options_.limits, ctx_, [this](const HttpRequest& r, const RequestInfo& i) { return Route(r, i); }, deadline_of);
  }
}

WebhookServer::~WebhookServer() {
  Stop();
  if (watcher_.joinable()) watcher_.join();
  http_.reset();
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
}

Answer WebhookServer::Route(const HttpRequest& request, const RequestInfo& info) {
  const std::string& path = request.path;
  bool get = request.method == "GET" || request.method == "HEAD";
  if (path == "/validate") {
    if (request.method != "POST") return JsonError(405, "use POST /validate");
    return Validate(request, info);
  }
  if (path == "/healthz" && get) return {200, "text/plain", "ok\n"};
  if (path == "/readyz" && get) return draining_.load() ? Answer{503, "text/plain", "draining\n"} : Answer{200, "text/plain", "ok\n"};
  if (path == "/metrics" && get) {
    // The same rule as /validate: with a client CA, what pullguard knows of the cluster's
    // registries is for verified clients only (give the scraper a certificate from that CA).
    if (!options_.client_ca_file.empty() && !info.client_verified) {
      return JsonError(403, "a client certificate signed by the client CA is required for /metrics");
    }
    return {200, "text/plain; version=0.0.4", RenderMetrics()};
  }
  return JsonError(404, "no such endpoint: use POST /validate, GET /healthz, /readyz or /metrics");
}

Answer WebhookServer::Validate(const HttpRequest& request, const RequestInfo& info) {
  if (!options_.client_ca_file.empty() && !info.client_verified) {
    ObserveReview(ReviewDecision::kError, 0);
    Log(LogLevel::kWarn, "review refused", {{"status", 403}, {"error", "no verified client certificate"}});
    return JsonError(403, "a client certificate signed by the client CA is required (the API server's AdmissionConfiguration)");
  }
  if (!IsJsonContentType(request.Header("content-type"))) {
    ObserveReview(ReviewDecision::kError, 0);
    Log(LogLevel::kWarn, "review rejected", {{"status", 415}, {"error", "wrong Content-Type"}});
    return JsonError(415, "Content-Type must be application/json");
  }
  // The API server's clock started when it sent the request: count from its first byte. One
  // policy snapshot serves the whole review (a reload meanwhile applies to the next one).
  checker::ReviewTiming timing{info.arrived, ApiTimeout(request)};
  std::shared_ptr<const policy::Policy> policy = policies_.Current();
  admission::HandleResult result = handler_.Handle(request.body, timing, *policy);
  // A large review's tens of megabytes go back to the system now, not at some later malloc.
  if (request.body.size() >= kLargeReview) ::malloc_trim(0);
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - info.arrived).count();
  ObserveReview(result.log.decision == "allow"  ? ReviewDecision::kAllow
                : result.log.decision == "deny" ? ReviewDecision::kDeny
                                                : ReviewDecision::kError,
                ms / 1000);
  if (LogEnabled(result.http_status == 200 ? LogLevel::kInfo : LogLevel::kWarn)) {
    LogRaw(result.log.Format(result.http_status, ms));
  }
  return {result.http_status, "application/json", std::move(result.body)};
}

void WebhookServer::WatchFiles() {
  std::unique_lock<std::mutex> lock(watch_mutex_);
  while (!watch_cv_.wait_for(lock, options_.reload_interval, [this] { return watch_stop_; })) {
    lock.unlock();
    (void)certificates_->ReloadIfChanged();  // failures are logged by the stores
    (void)policies_.ReloadIfChanged();
    lock.lock();
  }
}

Status WebhookServer::Run() {
  if (http_ == nullptr) return Status::Internal("TLS setup failed (is --client-ca a PEM file?)");
  RETURN_IF_ERROR(http_->Bind(options_.host, options_.port));
  bound_port_ = http_->port();
  if (stop_requested_.load()) return Status::Ok();  // stopped before it began
  watcher_ = std::thread([this] { WatchFiles(); });
  Log(LogLevel::kInfo, "listening",
      {{"address", options_.host}, {"port", bound_port_.load()}, {"workers", options_.limits.workers}});
  Status served = http_->Run();
  {
    std::lock_guard<std::mutex> lock(watch_mutex_);
    watch_stop_ = true;
  }
  watch_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
  if (!served.ok()) return served;
  Log(LogLevel::kInfo, "drained; exiting");
  return Status::Ok();
}

void WebhookServer::Stop() {
  if (draining_.exchange(true)) return;
  if (options_.shutdown_delay.count() > 0) {
    Log(LogLevel::kInfo, "shutting down: not ready, still serving",
        {{"delayMs", static_cast<long long>(options_.shutdown_delay.count())}});
    std::this_thread::sleep_for(options_.shutdown_delay);
  }
  Log(LogLevel::kInfo, "draining: no new connections, finishing in-flight requests");
  stop_requested_ = true;
  if (http_) http_->Stop();
}

}  // namespace pullguard::server
