// RegistryFront: a TLS front for a real registry on 127.0.0.1 that answers GET /v2/ itself
// with 200, as some registries do while still asking for credentials on the manifest
// (401 with a Bearer challenge). Everything else is passed through: method, path, query,
// Authorization and Accept; status, body and the headers a client reads (Content-Type,
// Content-Length of HEAD answers, Docker-Content-Digest, WWW-Authenticate, Location).
// It counts what it is asked: every request, and those for a manifest (HEAD or GET).
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
  RegistryFront(const std::string& cert, const std::string& key, const std::string& backend, const std::string& backend_ca);
  ~RegistryFront();
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_.load(); }
  int manifest_requests() const { return manifest_requests_.load(); }

 private:
  void Forward(const httplib::Request& req, httplib::Response& res);

  std::string backend_, backend_ca_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::atomic<int> manifest_requests_{0};
};

}  // namespace pullguard::testing
