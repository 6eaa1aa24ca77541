// ApiClient: GETs against the Kubernetes API over TLS (libcurl), authenticated by a bearer
// token (re-read from its file whenever the file changes: bound tokens rotate) or a client
// certificate. The API is the cluster's own: no address guard applies.
// Thread-safety: Get() may be called from any thread.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "common/file_watch.h"
#include "kube/kube_config.h"

namespace pullguard::kube {

struct ApiResponse {
  int status = 0;  // 0: no HTTP answer (then `error` says why)
  std::string body;
  std::string error;
};

class ApiClient {
 public:
  explicit ApiClient(KubeConfig config) : config_(std::move(config)) {}
  ApiResponse Get(const std::string& path, std::chrono::milliseconds timeout = std::chrono::seconds(3));
  const KubeConfig& config() const { return config_; }

 private:
  std::string Token();

  KubeConfig config_;
  std::mutex mutex_;
  FileFingerprint token_fingerprint_;
  std::string token_;
};

}  // namespace pullguard::kube
