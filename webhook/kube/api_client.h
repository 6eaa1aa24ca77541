// ApiClient: requests to the Kubernetes API over TLS (libcurl), authenticated by a bearer
// token (re-read from its file whenever the file changes: bound tokens rotate) or a client
// certificate. The API is the cluster's own: no address guard applies.
// GET reads; POST and PUT (JSON bodies) are for the few writes `pullguard audit` makes (its
// Lease, Events).
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "common/reloading_value.h"
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
  explicit ApiClient(KubeConfig config, std::chrono::milliseconds token_recheck = std::chrono::seconds(1));
  ApiResponse Get(const std::string& path, std::chrono::milliseconds timeout = std::chrono::seconds(3));
  // `body`: a JSON object (sent as application/json).
  ApiResponse Post(const std::string& path, const std::string& body,
                   std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ApiResponse Put(const std::string& path, const std::string& body,
                  std::chrono::milliseconds timeout = std::chrono::seconds(5));
  const KubeConfig& config() const { return config_; }

 private:
  std::string Token();
  // One exchange: `method` GET, POST or PUT; `body` is sent when `method` is not GET.
  ApiResponse Send(const char* method, const std::string& path, const std::string* body,
                   std::chrono::milliseconds timeout);

  KubeConfig config_;
  std::mutex mutex_;
  std::unique_ptr<ReloadingValue<std::string>> token_file_;  // when the config names a token file
};

}  // namespace pullguard::kube
