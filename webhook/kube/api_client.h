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
  // The token file is looked at no more often than `token_recheck` (the kubelet rotates it
  // about hourly), not on every request.
  explicit ApiClient(KubeConfig config, std::chrono::milliseconds token_recheck = std::chrono::seconds(1))
      : config_(std::move(config)), token_recheck_(token_recheck) {}
  ApiResponse Get(const std::string& path, std::chrono::milliseconds timeout = std::chrono::seconds(3));
  const KubeConfig& config() const { return config_; }

 private:
  std::string Token();

  KubeConfig config_;
  std::chrono::milliseconds token_recheck_;
  std::mutex mutex_;
  FileFingerprint token_fingerprint_;
  std::chrono::steady_clock::time_point token_checked_;
  std::string token_;
};

}  // namespace pullguard::kube
