// MetricsListener: the audit's plain HTTP endpoint (--metrics-listen): GET /metrics (the
// Prometheus text format: RenderMetrics) and GET /healthz ("ok"). The webhook serves /metrics
// on its TLS port; the audit has no serving certificate and answers only scrapers and probes,
// so this is a small listener of its own: one thread, one connection at a time, each with a
// 5-second deadline for its request head (8 KiB at most), `Connection: close` after each answer.
// Thread-safety: Start() and Stop() from one owner.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "common/status.h"

namespace pullguard::audit {

class MetricsListener {
 public:
  // `render`: the /metrics body.
  explicit MetricsListener(std::function<std::string()> render);
  ~MetricsListener();
  MetricsListener(const MetricsListener&) = delete;
  MetricsListener& operator=(const MetricsListener&) = delete;

  // Binds HOST:PORT ("0.0.0.0:9090", "127.0.0.1:0", "[::1]:9090") and starts serving.
  Status Start(const std::string& listen);
  void Stop();
  int port() const { return port_; }

 private:
  void Serve();
  void Answer(int fd);

  std::function<std::string()> render_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace pullguard::audit
