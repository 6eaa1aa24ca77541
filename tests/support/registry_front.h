// RegistryFront: a TLS front for a real registry on 127.0.0.1 that answers GET /v2/ itself
// with 200, as some registries do while still asking for credentials on the manifest
// (401 with a Bearer challenge). Everything else is passed through: method, path, query,
// Authorization and Accept; status, body and the headers a client reads (Content-Type,
// Content-Length of HEAD answers, Docker-Content-Digest, WWW-Authenticate, Location).
// It counts what it is asked: every request, and those for a manifest (HEAD or GET).
// With `hide_refused_manifests`, a manifest request that carried an Authorization the registry
// refuses (401, 403: a stranger's token that does not cover the repository) is answered 404
// MANIFEST_UNKNOWN, as registries that hide private repositories from strangers do; a 401 to a
// request without one still carries its challenge, and the tags list passes through as it is.
#pragma once

#include <httplib.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

namespace pullguard::testing {

class RegistryFront {
 public:
  // `backend`: host:port of the registry (https, trusted through `backend_ca`).
  RegistryFront(const std::string& cert, const std::string& key, const std::string& backend, const std::string& backend_ca,
                bool hide_refused_manifests = false);
  ~RegistryFront();
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_.load(); }
  int manifest_requests() const { return manifest_requests_.load(); }

 private:
  void Forward(const httplib::Request& req, httplib::Response& res);

  std::string backend_, backend_ca_;
  bool hide_refused_manifests_ = false;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::atomic<int> manifest_requests_{0};
};

}  // namespace pullguard::testing
