// FakeApiServer: the few Kubernetes API endpoints pullguard reads, with the real JSON shapes:
// GET /api/v1/namespaces/NS/secrets/NAME, /api/v1/namespaces/NS/serviceaccounts/NAME and
// /api/v1/nodes (paged with limit and continue); and the discovery documents (/api, /apis,
// /api/v1, /apis/GROUP/VERSION) of the kinds pullguard's manifests use, so that
// `kubectl apply --dry-run=client` can map them (every object GET is 404: nothing exists yet).
// It checks the bearer token (changeable, to test rotation), answers 403 for namespaces told
// to, 404 for what it does not have, and counts requests. On 127.0.0.1 over TLS.
#pragma once

#include <httplib.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

namespace pullguard::testing {

class FakeApiServer {
 public:
  FakeApiServer(const std::string& cert, const std::string& key, std::string token);
  ~FakeApiServer();

  int port() const { return port_; }
  void SetToken(std::string token);
  void Forbid(const std::string& ns);
  void AddSecret(const std::string& ns, const std::string& name, const std::string& type,
                 const std::map<std::string, std::string>& data);  // data: raw bytes (base64-encoded here)
  void AddServiceAccount(const std::string& ns, const std::string& name, const std::vector<std::string>& pull_secrets);
  // Served by GET /api/v1/nodes, in pages (limit/continue). `images`: status.images[].names.
  void AddNode(const std::string& name, const std::string& os, const std::string& arch,
               const std::vector<std::vector<std::string>>& images = {},
               const std::map<std::string, std::string>& labels = {},
               const nlohmann::json& taints = nullptr);  // spec.taints
  int requests() const { return requests_.load(); }
  int node_pages() const { return node_pages_.load(); }

  // A kubeconfig for this server, the CA `ca`, and a token file.
  std::string Kubeconfig(const std::string& ca, const std::string& token_file) const;

 private:
  void Serve(const std::string& kind, const httplib::Request& req, httplib::Response& res);
  void ServeDiscovery();
  // REQUIRES: mutex_ held. Answers 401 unless the request carries the current token.
  bool Authorized(const httplib::Request& req, httplib::Response& res) const;

  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::string token_;
  std::set<std::string> forbidden_;
  std::map<std::string, nlohmann::json> objects_;  // "kind/ns/name"
  nlohmann::json nodes_ = nlohmann::json::array();
  std::atomic<int> requests_{0};
  std::atomic<int> node_pages_{0};
};

}  // namespace pullguard::testing
