#include "support/registry_front.h"

#include "support/loopback_server.h"

namespace pullguard::testing {

RegistryFront::RegistryFront(const std::string& cert, const std::string& key, const std::string& backend,
                             const std::string& backend_ca, bool hide_refused_manifests)
    : backend_(backend), backend_ca_(backend_ca), hide_refused_manifests_(hide_refused_manifests) {
  server_ = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
  server_->Get("/v2/", [this](const httplib::Request&, httplib::Response& res) {
    ++requests_;
    res.set_content("{}", "application/json");
  });
  server_->Get(R"(/v2/.+)", [this](const httplib::Request& req, httplib::Response& res) { Forward(req, res); });
  port_ = ServeOnLoopback(*server_, thread_);
}

RegistryFront::~RegistryFront() {
  server_->stop();
  thread_.join();
}

void RegistryFront::Forward(const httplib::Request& req, httplib::Response& res) {
  ++requests_;
  const bool manifest = req.path.find("/manifests/") != std::string::npos;
  if (manifest) ++manifest_requests_;
  httplib::SSLClient client(backend_.substr(0, backend_.find(':')), std::stoi(backend_.substr(backend_.find(':') + 1)));
  client.set_ca_cert_path(backend_ca_.c_str());
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(10, 0);
  httplib::Headers headers;
  for (const char* name : {"Authorization", "Accept"}) {
    if (req.has_header(name)) headers.emplace(name, req.get_header_value(name));
  }
  std::string target = req.path;
  if (!req.params.empty()) {
    std::string query;
    for (const auto& [k, v] : req.params) query += (query.empty() ? "?" : "&") + k + "=" + httplib::detail::encode_query_param(v);
    target += query;
  }
  auto answer = req.method == "HEAD" ? client.Head(target.c_str(), headers) : client.Get(target.c_str(), headers);
  if (!answer) {
    res.status = 502;
    return;
  }
  if (hide_refused_manifests_ && manifest && req.has_header("Authorization") &&
      (answer->status == 401 || answer->status == 403)) {
    res.status = 404;
    if (req.method != "HEAD") {
      res.set_content(R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})", "application/json");
    }
    return;
  }
  res.status = answer->status;
  for (const char* name : {"Docker-Content-Digest", "WWW-Authenticate", "Location", "Docker-Distribution-Api-Version"}) {
    if (answer->has_header(name)) res.set_header(name, answer->get_header_value(name));
  }
  std::string type = answer->get_header_value("Content-Type");
  if (req.method == "HEAD") {
    if (!type.empty()) res.set_header("Content-Type", type);
    if (answer->has_header("Content-Length")) res.set_header("Content-Length", answer->get_header_value("Content-Length"));
    return;
  }
  res.set_content(answer->body, type.empty() ? "application/octet-stream" : type.c_str());
}

}  // namespace pullguard::testing
