#include "kube/kube_config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "auth/docker_config.h"
#include "common/file_watch.h"

namespace pullguard::kube {
namespace {

std::string Scalar(const YAML::Node& node, const char* key) {
  const YAML::Node v = node[key];
  return v && v.IsScalar() ? v.Scalar() : "";
}

// The `inner` map of the entry called `name`; nullopt when there is none (a default YAML::Node
// is a defined null, so it cannot stand for "missing").
std::optional<YAML::Node> Named(const YAML::Node& list, const std::string& name, const char* inner) {
  if (!list || !list.IsSequence()) return std::nullopt;
  for (const auto& item : list) {
    if (Scalar(item, "name") == name && item[inner] && item[inner].IsMap()) return item[inner];
  }
  return std::nullopt;
}

// kubeconfig paths are relative to the file's directory.
std::string Resolve(const std::string& base_file, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  return (std::filesystem::path(base_file).parent_path() / path).string();
}

Result<std::string> Base64Field(const std::string& value, const std::string& what) {
  auto decoded = auth::DecodeBase64(value);
  if (!decoded.ok()) return Status::InvalidArgument(what + " is not base64");
  return decoded.value();
}

}  // namespace

Result<KubeConfig> InClusterConfig(const std::function<const char*(const char*)>& getenv, const std::string& sa_dir) {
  const char* host = getenv("KUBERNETES_SERVICE_HOST");
  const char* port = getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || port == nullptr || *host == '\0') {
    return Status::NotFound("not in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set (use --kubeconfig)");
  }
  KubeConfig c;
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6 service address
  c.server = "https://" + h + ":" + port;
  c.ca_file = sa_dir + "/ca.crt";
  c.token_file = sa_dir + "/token";
  c.source = "in-cluster";
  if (!Fingerprint(c.token_file).ok()) return Status::NotFound(c.token_file + ": no ServiceAccount token mounted");
  return c;
}

Result<KubeConfig> LoadKubeconfig(const std::string& path, const std::string& context_name) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ": " + e.what());
  }
  std::string context = context_name.empty() ? Scalar(root, "current-context") : context_name;
  if (context.empty()) return Status::InvalidArgument(path + ": no current-context");
  std::optional<YAML::Node> found_ctx = Named(root["contexts"], context, "context");
  if (!found_ctx) return Status::InvalidArgument(path + ": context \"" + context + "\" not found");
  const YAML::Node ctx = *found_ctx;
  std::optional<YAML::Node> found_cluster = Named(root["clusters"], Scalar(ctx, "cluster"), "cluster");
  if (!found_cluster) return Status::InvalidArgument(path + ": cluster \"" + Scalar(ctx, "cluster") + "\" not found");
  const YAML::Node cluster = *found_cluster;
  std::optional<YAML::Node> user = Named(root["users"], Scalar(ctx, "user"), "user");
  KubeConfig c;
  c.source = path;
  c.server = Scalar(cluster, "server");
  if (c.server.rfind("https://", 0) != 0) return Status::InvalidArgument(path + ": the server must be https://");
  c.ca_file = Resolve(path, Scalar(cluster, "certificate-authority"));
  if (std::string data = Scalar(cluster, "certificate-authority-data"); !data.empty()) {
    ASSIGN_OR_RETURN(c.ca_data, Base64Field(data, "certificate-authority-data"));
  }
  if (user) {
    c.token = Scalar(*user, "token");
    c.token_file = Resolve(path, Scalar(*user, "tokenFile"));
    c.client_cert_file = Resolve(path, Scalar(*user, "client-certificate"));
    c.client_key_file = Resolve(path, Scalar(*user, "client-key"));
    if (std::string data = Scalar(*user, "client-certificate-data"); !data.empty()) {
      ASSIGN_OR_RETURN(c.client_cert_data, Base64Field(data, "client-certificate-data"));
    }
    if (std::string data = Scalar(*user, "client-key-data"); !data.empty()) {
      ASSIGN_OR_RETURN(c.client_key_data, Base64Field(data, "client-key-data"));
    }
  }
  return c;
}

}  // namespace pullguard::kube
