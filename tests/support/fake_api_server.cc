#include "support/fake_api_server.h"

#include <chrono>

#include "auth/docker_config.h"
#include "support/loopback_server.h"


namespace pullguard::testing {
namespace {

nlohmann::json StatusBody(int code, const std::string& reason, const std::string& message) {
  return {{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", nlohmann::json::object()}, {"status", "Failure"},
          {"message", message}, {"reason", reason}, {"code", code}};
}

}  // namespace

FakeApiServer::FakeApiServer(const std::string& cert, const std::string& key, std::string token) : token_(std::move(token)) {
  server_ = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
  server_->Get(R"(/api/v1/namespaces/([^/]+)/secrets/([^/]+))",
               [this](const httplib::Request& req, httplib::Response& res) { Serve("secrets", req, res); });
  server_->Get(R"(/api/v1/namespaces/([^/]+)/serviceaccounts/([^/]+))",
               [this](const httplib::Request& req, httplib::Response& res) { Serve("serviceaccounts", req, res); });
  server_->Get("/api/v1/nodes", [this](const httplib::Request& req, httplib::Response& res) {
    ++requests_;
    std::lock_guard<std::mutex> lock(mutex_);
    if (!Authorized(req, res)) return;
    // Pages as the API server gives them: `limit` items, and an opaque `continue` token.
    size_t offset = 0, limit = nodes_.size();
    if (req.has_param("continue")) offset = std::stoul(req.get_param_value("continue").substr(3));
    if (req.has_param("limit")) limit = std::stoul(req.get_param_value("limit"));
    nlohmann::json items = nlohmann::json::array();
    for (size_t i = offset; i < nodes_.size() && i < offset + limit; ++i) items.push_back(nodes_[i]);
    nlohmann::json meta = {{"resourceVersion", "7"}};
    if (offset + limit < nodes_.size()) meta["continue"] = "tok" + std::to_string(offset + limit);
    ++node_pages_;
    res.set_content(nlohmann::json{{"kind", "NodeList"}, {"apiVersion", "v1"}, {"metadata", meta}, {"items", items}}.dump(),
                    "application/json");
  });
  ServeDiscovery();
  port_ = ServeOnLoopback(*server_, thread_);
}

void FakeApiServer::ServeDiscovery() {
  // group/version -> (resource, kind, namespaced), what pullguard's manifests use.
  struct Resource {
    const char* name;
    const char* kind;
    bool namespaced;
  };
  static const std::map<std::string, std::vector<Resource>> kResources{
      {"v1",
       {{"namespaces", "Namespace", false}, {"serviceaccounts", "ServiceAccount", true}, {"services", "Service", true},
        {"configmaps", "ConfigMap", true}, {"secrets", "Secret", true}, {"pods", "Pod", true}, {"nodes", "Node", false}}},
      {"apps/v1", {{"deployments", "Deployment", true}}},
      {"rbac.authorization.k8s.io/v1",
       {{"clusterroles", "ClusterRole", false}, {"clusterrolebindings", "ClusterRoleBinding", false},
        {"roles", "Role", true}, {"rolebindings", "RoleBinding", true}}},
      {"policy/v1", {{"poddisruptionbudgets", "PodDisruptionBudget", true}}},
      {"autoscaling/v2", {{"horizontalpodautoscalers", "HorizontalPodAutoscaler", true}}},
      {"admissionregistration.k8s.io/v1", {{"validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false}}},
      {"cert-manager.io/v1", {{"issuers", "Issuer", true}, {"certificates", "Certificate", true}}},
  };
  auto list = [](const std::string& gv, const std::vector<Resource>& resources) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& r : resources) {
      std::string singular = r.kind;
      for (auto& c : singular) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      items.push_back({{"name", r.name}, {"singularName", singular}, {"namespaced", r.namespaced}, {"kind", r.kind},
                       {"verbs", {"create", "delete", "get", "list", "patch", "update", "watch"}}});
    }
    return nlohmann::json{{"kind", "APIResourceList"}, {"apiVersion", "v1"}, {"groupVersion", gv}, {"resources", items}}.dump();
  };
  server_->Get("/version", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"major":"1","minor":"30","gitVersion":"v1.30.0"})", "application/json");
  });
  server_->Get("/api", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1"}]})",
                    "application/json");
  });
  server_->Get("/api/v1", [list](const httplib::Request&, httplib::Response& res) {
    res.set_content(list("v1", kResources.at("v1")), "application/json");
  });
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& [gv, resources] : kResources) {
    if (gv == "v1") continue;
    std::string group = gv.substr(0, gv.find('/')), version = gv.substr(gv.find('/') + 1);
    nlohmann::json v = {{"groupVersion", gv}, {"version", version}};
    groups.push_back({{"name", group}, {"versions", {v}}, {"preferredVersion", v}});
    std::string body = list(gv, resources);
    server_->Get("/apis/" + gv, [body](const httplib::Request&, httplib::Response& res) { res.set_content(body, "application/json"); });
  }
  std::string group_list = nlohmann::json{{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}}.dump();
  server_->Get("/apis", [group_list](const httplib::Request&, httplib::Response& res) {
    res.set_content(group_list, "application/json");
  });
}

FakeApiServer::~FakeApiServer() {
  server_->stop();
  thread_.join();
}

void FakeApiServer::SetToken(std::string token) {
  std::lock_guard<std::mutex> lock(mutex_);
  token_ = std::move(token);
}

void FakeApiServer::Forbid(const std::string& ns) {
  std::lock_guard<std::mutex> lock(mutex_);
  forbidden_.insert(ns);
}

void FakeApiServer::AddSecret(const std::string& ns, const std::string& name, const std::string& type,
                              const std::map<std::string, std::string>& data) {
  nlohmann::json encoded = nlohmann::json::object();
  for (const auto& [k, v] : data) encoded[k] = auth::EncodeBase64(v);  // as the API server encodes Secret data
  std::lock_guard<std::mutex> lock(mutex_);
  objects_["secrets/" + ns + "/" + name] = {{"kind", "Secret"},
                                             {"apiVersion", "v1"},
                                             {"metadata", {{"name", name}, {"namespace", ns}, {"uid", "0b1c"}, {"resourceVersion", "1"}}},
                                             {"type", type},
                                             {"data", encoded}};
}

void FakeApiServer::AddServiceAccount(const std::string& ns, const std::string& name, const std::vector<std::string>& pull_secrets) {
  nlohmann::json refs = nlohmann::json::array();
  for (const auto& s : pull_secrets) refs.push_back({{"name", s}});
  nlohmann::json sa = {{"kind", "ServiceAccount"},
                       {"apiVersion", "v1"},
                       {"metadata", {{"name", name}, {"namespace", ns}, {"uid", "5a7e"}, {"resourceVersion", "1"}}}};
  if (!pull_secrets.empty()) sa["imagePullSecrets"] = refs;
  std::lock_guard<std::mutex> lock(mutex_);
  objects_["serviceaccounts/" + ns + "/" + name] = sa;
}

bool FakeApiServer::Authorized(const httplib::Request& req, httplib::Response& res) const {
  if (req.get_header_value("Authorization") == "Bearer " + token_) return true;
  res.status = 401;
  res.set_content(StatusBody(401, "Unauthorized", "Unauthorized").dump(), "application/json");
  return false;
}

void FakeApiServer::AddNode(const std::string& name, const std::string& os, const std::string& arch,
                            const std::vector<std::vector<std::string>>& images,
                            const std::map<std::string, std::string>& labels, const nlohmann::json& taints) {
  std::lock_guard<std::mutex> lock(mutex_);
  nlohmann::json all_labels = {{"kubernetes.io/os", os}, {"kubernetes.io/arch", arch}, {"kubernetes.io/hostname", name}};
  for (const auto& [k, v] : labels) all_labels[k] = v;
  nlohmann::json image_list = nlohmann::json::array();
  for (const auto& names : images) image_list.push_back({{"names", names}, {"sizeBytes", 1000000}});
  nodes_.push_back({{"kind", "Node"},
                    {"apiVersion", "v1"},
                    {"metadata", {{"name", name}, {"labels", all_labels}}},
                    {"status", {{"nodeInfo", {{"operatingSystem", os}, {"architecture", arch}}}, {"images", image_list}}}});
  if (!taints.is_null()) nodes_.back()["spec"] = {{"taints", taints}};
}

void FakeApiServer::Serve(const std::string& kind, const httplib::Request& req, httplib::Response& res) {
  ++requests_;
  std::string ns = req.matches[1], name = req.matches[2];
  std::lock_guard<std::mutex> lock(mutex_);
  if (!Authorized(req, res)) return;
  if (forbidden_.count(ns)) {
    res.status = 403;
    res.set_content(StatusBody(403, "Forbidden",
                               kind + " \"" + name + "\" is forbidden: User \"system:serviceaccount:pullguard-system:pullguard\" "
                               "cannot get resource \"" + kind + "\" in API group \"\" in the namespace \"" + ns + "\"")
                        .dump(),
                    "application/json");
    return;
  }
  auto it = objects_.find(kind + "/" + ns + "/" + name);
  if (it == objects_.end()) {
    res.status = 404;
    res.set_content(StatusBody(404, "NotFound", kind + " \"" + name + "\" not found").dump(), "application/json");
    return;
  }
  res.set_content(it->second.dump(), "application/json");
}

std::string FakeApiServer::Kubeconfig(const std::string& ca, const std::string& token_file) const {
  return "apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n- name: test\n  cluster:\n    server: https://127.0.0.1:" +
         std::to_string(port_) + "\n    certificate-authority: " + ca +
         "\nusers:\n- name: pullguard\n  user:\n    tokenFile: " + token_file +
         "\ncontexts:\n- name: test\n  context:\n    cluster: test\n    user: pullguard\n";
}

}  // namespace pullguard::testing
