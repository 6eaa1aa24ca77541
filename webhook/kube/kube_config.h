// Where the Kubernetes API is and how to authenticate: in-cluster (the ServiceAccount's token
// file, re-read as the kubelet rotates it; ca.crt; KUBERNETES_SERVICE_HOST/PORT) or a
// kubeconfig file (current context: server, CA, token or client certificate).
// Thread-safety: value types and pure functions over the file system.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"

namespace pullguard::kube {

inline constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

struct KubeConfig {
  std::string server;        // https://10.96.0.1:443
  std::string ca_file;       // PEM file, or
  std::string ca_data;       // PEM bytes
  std::string token;         // a fixed bearer token, or
  std::string token_file;    // a file holding it (re-read when it changes)
  std::string client_cert_file, client_cert_data;
  std::string client_key_file, client_key_data;
  std::string source;        // "in-cluster" or the kubeconfig path, for messages
};

// `getenv` and `sa_dir` are parameters so tests need no real cluster.
Result<KubeConfig> InClusterConfig(const std::function<const char*(const char*)>& getenv = ::getenv,
                                   const std::string& sa_dir = kServiceAccountDir);

// The kubeconfig's current context (or `context` when given).
Result<KubeConfig> LoadKubeconfig(const std::string& path, const std::string& context = "");

}  // namespace pullguard::kube
