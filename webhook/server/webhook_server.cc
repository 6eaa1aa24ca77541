#include "server/webhook_server.h"

#include <httplib.h>

#include <chrono>

#include "admission/timeout.h"
#include "common/log.h"
#include "common/metrics.h"

namespace pullguard::server {
namespace {

using Clock = std::chrono::steady_clock;

bool IsJsonContentType(const std::string& value) {
  std::string type = value.substr(0, value.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type == "application/json";
}

void SendJsonError(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(nlohmann::json{{"error", message}}.dump(), "application/json");
}

}  // namespace

WebhookServer::WebhookServer(ServerOptions options, std::unique_ptr<CertificateStore> certificates,
                             policy::PolicyStore& policies, const admission::ReviewHandler& handler)
    : options_(std::move(options)), certificates_(std::move(certificates)), policies_(policies), handler_(handler) {
  http_ = std::make_unique<httplib::SSLServer>([this](SSL_CTX& ctx) {
    SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
    certificates_->InstallOn(&ctx);
    return true;
  });
  size_t threads = options_.threads;
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_->set_tcp_nodelay(true);
  http_->set_keep_alive_max_count(options_.keep_alive_max_requests);
  http_->set_keep_alive_timeout(options_.keep_alive_timeout.count());
  http_->set_read_timeout(10, 0);
  http_->set_write_timeout(10, 0);
  http_->set_payload_max_length(options_.max_body_bytes);
  RegisterRoutes();
}

WebhookServer::~WebhookServer() {
  Stop();
  if (watcher_.joinable()) watcher_.join();
}

void WebhookServer::RegisterRoutes() {
  http_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
  http_->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    if (draining_.load()) {
      res.status = 503;
      res.set_content("draining\n", "text/plain");
      return;
    }
    res.set_content("ok\n", "text/plain");
  });
  http_->Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(RenderMetrics(), "text/plain; version=0.0.4");
  });
  http_->Post("/validate", [this](const httplib::Request& req, httplib::Response& res) {
    auto start = Clock::now();
    if (!IsJsonContentType(req.get_header_value("Content-Type"))) {
      SendJsonError(res, 415, "Content-Type must be application/json");
      CountReview("error", 0);
      Log(LogLevel::kWarn, "review rejected", {{"status", 415}, {"error", "wrong Content-Type"}});
      return;
    }
    std::optional<std::chrono::milliseconds> api_timeout;
    if (req.has_param("timeout")) api_timeout = admission::ParseGoDuration(req.get_param_value("timeout"));
    auto margin = policies_.Current()->timeouts.margin;
    admission::HandleResult result = handler_.Handle(req.body, admission::CheckBudget(api_timeout, margin));
    res.status = result.http_status;
    res.set_content(std::move(result.body), "application/json");
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    CountReview(result.log.decision, ms / 1000);
    if (LogEnabled(result.http_status == 200 ? LogLevel::kInfo : LogLevel::kWarn)) {
      LogRaw(result.log.Format(result.http_status, ms));
    }
  });
  http_->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string message = res.status == 413   ? "the body is larger than the 3 MiB an AdmissionReview may have"
                          : res.status == 404 ? "no such endpoint: use POST /validate, GET /healthz, /readyz or /metrics"
                                              : "request failed";
    SendJsonError(res, res.status, message);
    Log(LogLevel::kWarn, "http error", {{"status", res.status}, {"path", req.path}, {"method", req.method}});
  });
  http_->set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    SendJsonError(res, 500, "internal error");
    Log(LogLevel::kError, "handler exception", {{"path", req.path}, {"error", what}});
  });
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
  if (!http_->is_valid()) return Status::Internal("TLS setup failed");
  int port = options_.port;
  if (port == 0) {
    port = http_->bind_to_any_port(options_.host);
  } else if (!http_->bind_to_port(options_.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    return Status::Unavailable("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                               " (in use, or not an address of this machine)");
  }
  bound_port_ = port;
  if (stop_requested_.load()) return Status::Ok();  // stopped before it began
  watcher_ = std::thread([this] { WatchFiles(); });
  Log(LogLevel::kInfo, "listening", {{"address", options_.host}, {"port", port}, {"threads", options_.threads}});
  bool ok = http_->listen_after_bind();
  {
    std::lock_guard<std::mutex> lock(watch_mutex_);
    watch_stop_ = true;
  }
  watch_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
  if (!ok && !draining_.load()) return Status::Internal("the server stopped unexpectedly");
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
  // httplib's stop() does nothing before listen_after_bind() marks the server running; when
  // Run() is between bind and listen, wait for it (bounded) so the stop is not lost.
  for (int i = 0; i < 500 && bound_port_.load() > 0 && !http_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  http_->stop();
}

}  // namespace pullguard::server
