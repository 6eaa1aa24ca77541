#include "kube/kube_sources.h"

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "common/metrics.h"

namespace pullguard::kube {

Status ApiFailure(const ApiResponse& r, const std::string& resource, const std::string& ns) {
  if (r.status == 0) return Status::Unavailable("the Kubernetes API did not answer (" + r.error + ")");
  if (r.status == 401) return Status::Unavailable("the Kubernetes API rejected pullguard's token (401)");
  if (r.status == 403) {
    return Status::Unavailable("the Kubernetes API forbids pullguard to get " + resource + " in namespace " + ns +
                               " (403); grant it with manifests/base/rbac.yaml");
  }
  return Status::Unavailable("the Kubernetes API answered " + std::to_string(r.status) + " for " + resource);
}

Result<std::optional<auth::PullSecret>> KubeSecretSource::Get(const std::string& ns, const std::string& name) {
  return cache_.Get(ns + "/" + name, [&]() -> Result<std::optional<auth::PullSecret>> {
    ApiResponse r = api_.Get("/api/v1/namespaces/" + ns + "/secrets/" + name);
    if (r.status == 404) return std::optional<auth::PullSecret>{};
    if (r.status != 200) return ApiFailure(r, "secrets", ns);
    auto doc = nlohmann::json::parse(r.body, nullptr, false);
    if (doc.is_discarded()) return Status::Unavailable("the Kubernetes API answered a secret that is not JSON");
    auto secret = auth::PullSecretFromObject(doc);
    if (!secret.ok()) return secret.status();
    return std::optional<auth::PullSecret>{std::move(secret).value()};
  });
}

Result<std::optional<auth::ServiceAccountInfo>> KubeServiceAccountSource::Get(const std::string& ns,
                                                                              const std::string& name) {
  return cache_.Get(ns + "/" + name, [&]() -> Result<std::optional<auth::ServiceAccountInfo>> {
    ApiResponse r = api_.Get("/api/v1/namespaces/" + ns + "/serviceaccounts/" + name);
    if (r.status == 404) return std::optional<auth::ServiceAccountInfo>{};
    if (r.status != 200) return ApiFailure(r, "serviceaccounts", ns);
    auto doc = nlohmann::json::parse(r.body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return Status::Unavailable("the Kubernetes API answered a ServiceAccount that is not JSON");
    return std::optional<auth::ServiceAccountInfo>{auth::ServiceAccountFromObject(doc)};
  });
}

namespace {

// A node object as NodeInfo; the fields pullguard reads, each type-checked.
NodeInfo NodeOf(const nlohmann::json& node) {
  NodeInfo info;
  auto meta = node.find("metadata");
  if (meta != node.end() && meta->is_object()) {
    if (auto name = meta->find("name"); name != meta->end() && name->is_string()) info.name = name->get<std::string>();
    if (auto labels = meta->find("labels"); labels != meta->end() && labels->is_object()) {
      for (const auto& [k, v] : labels->items()) {
        if (v.is_string()) info.labels[k] = v.get<std::string>();
      }
    }
  }
  auto spec = node.find("spec");
  if (spec != node.end() && spec->is_object()) {
    if (auto taints = spec->find("taints"); taints != spec->end() && taints->is_array()) {
      for (const auto& t : *taints) {
        if (!t.is_object()) continue;
        Taint taint;
        auto text = [&t](const char* key) {
          auto it = t.find(key);
          return it != t.end() && it->is_string() ? it->get<std::string>() : std::string();
        };
        taint.key = text("key");
        taint.value = text("value");
        taint.effect = text("effect");
        info.taints.push_back(std::move(taint));
      }
    }
  }
  auto status = node.find("status");
  if (status == node.end() || !status->is_object()) return info;
  auto images = status->find("images");
  if (images == status->end() || !images->is_array()) return info;
  for (const auto& image : *images) {
    if (!image.is_object()) continue;
    auto names = image.find("names");
    if (names == image.end() || !names->is_array()) continue;
    for (const auto& n : *names) {
      if (n.is_string()) info.images.push_back(n.get<std::string>());
    }
  }
  return info;
}

constexpr int kMaxPages = 400;  // 20,000 nodes at 50 a page

}  // namespace

Result<NodeList> KubeNodeSource::Fetch() {
  auto nodes = std::make_shared<std::vector<NodeInfo>>();
  std::string next;
  for (int page = 0; page < kMaxPages; ++page) {
    std::string path = "/api/v1/nodes?limit=" + std::to_string(page_size_) + (next.empty() ? "" : "&continue=" + next);
    ApiResponse r = api_.Get(path, std::chrono::seconds(5));
    if (r.status != 200) return ApiFailure(r, "nodes", "(cluster)");
    auto doc = nlohmann::json::parse(r.body, nullptr, false);
    if (!doc.is_object() || !doc.contains("items") || !doc["items"].is_array()) {
      return Status::Unavailable("the Kubernetes API answered a node list that is not one");
    }
    for (const auto& node : doc["items"]) nodes->push_back(NodeOf(node));
    next.clear();
    if (auto meta = doc.find("metadata"); meta != doc.end() && meta->is_object()) {
      if (auto c = meta->find("continue"); c != meta->end() && c->is_string()) next = c->get<std::string>();
    }
    if (next.empty()) return NodeList(nodes);
    // The token is opaque base64; keep it safe in a query.
    std::string encoded;
    for (unsigned char ch : next) {
      if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.') {
        encoded.push_back(static_cast<char>(ch));
      } else {
        char hex[4];
        std::snprintf(hex, sizeof hex, "%%%02X", ch);
        encoded += hex;
      }
    }
    next = encoded;
  }
  return Status::Unavailable("the node list has more than " + std::to_string(kMaxPages) + " pages");
}

Result<NodeList> KubeNodeSource::Nodes() {
  return cache_.Get("nodes", [this]() -> Result<NodeList> {
    Result<NodeList> got = Status::Internal("unset");
    try {
      got = Fetch();
    } catch (const std::exception& e) {
      got = Status::Internal(std::string("reading the node list: ") + e.what());
    }
    if (!got.ok()) {
      CountNodeListFailure();
      Log(LogLevel::kWarn, "cannot list the cluster's nodes; the policy's platforms stand in",
          {{"error", got.status().message()}});
    }
    return got;
  });
}

}  // namespace pullguard::kube
