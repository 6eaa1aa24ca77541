#include "kube/pod_reader.h"

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>

#include "common/json_fields.h"
#include "common/file_watch.h"

namespace pullguard::kube {
namespace {

using nlohmann::json;

// The API server's own words from a Status body, shortened; "" when there are none.
std::string ServerMessage(const std::string& body) {
  auto doc = json::parse(body, nullptr, false);
  std::string message = StringAt(doc, "message");
  constexpr size_t kMax = 300;
  if (message.size() > kMax) message = message.substr(0, kMax) + "...";
  return message;
}

std::string InNamespace(const std::string& ns) { return ns.empty() ? "" : " in namespace " + ns; }

constexpr WorkloadResource kWorkloads[] = {
    {"ReplicaSet", "/apis/apps/v1", "replicasets"}, {"Deployment", "/apis/apps/v1", "deployments"},
    {"StatefulSet", "/apis/apps/v1", "statefulsets"}, {"DaemonSet", "/apis/apps/v1", "daemonsets"},
    {"Job", "/apis/batch/v1", "jobs"}, {"CronJob", "/apis/batch/v1", "cronjobs"},
};

std::string YamlScalar(const YAML::Node& node, const char* key) {
  if (!node || !node.IsMap()) return "";
  const YAML::Node v = node[key];
  return v && v.IsScalar() ? v.Scalar() : "";
}

// The namespace file of the mounted ServiceAccount, "" when there is none.
std::string InClusterNamespace() {
  auto text = ReadFile(std::string(kServiceAccountDir) + "/namespace", 4096);
  if (!text.ok()) return "";
  std::string ns = text.value();
  while (!ns.empty() && (ns.back() == '\n' || ns.back() == '\r' || ns.back() == ' ')) ns.pop_back();
  return ns;
}

bool IsFile(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

}  // namespace

std::string NodeDetails::Platform() const { return os.empty() || arch.empty() ? "" : os + "/" + arch; }

NodeDetails ReadNodeDetails(const json& node) {
  NodeDetails d;
  if (const json* meta = ObjectAt(node, "metadata")) {
    d.info.name = StringAt(*meta, "name");
    if (const json* labels = ObjectAt(*meta, "labels")) {
      for (const auto& [k, v] : labels->items()) {
        if (v.is_string()) d.info.labels[k] = v.get<std::string>();
      }
    }
  }
  if (const json* spec = ObjectAt(node, "spec")) {
    auto taints = spec->find("taints");
    if (taints != spec->end() && taints->is_array()) {
      for (const auto& t : *taints) {
        if (!t.is_object()) continue;
        d.info.taints.push_back({StringAt(t, "key"), StringAt(t, "value"), StringAt(t, "effect")});
      }
    }
  }
  const json* info = nullptr;
  if (const json* status = ObjectAt(node, "status")) {
    info = ObjectAt(*status, "nodeInfo");
    auto images = status->find("images");
    if (images != status->end() && images->is_array()) {
      for (const auto& image : *images) {
        if (!image.is_object()) continue;
        auto names = image.find("names");
        if (names == image.end() || !names->is_array()) continue;
        for (const auto& n : *names) {
          if (n.is_string()) d.info.images.push_back(n.get<std::string>());
        }
      }
    }
  }
  auto label = [&d](const char* key) {
    auto it = d.info.labels.find(key);
    return it == d.info.labels.end() ? std::string() : it->second;
  };
  d.os = label("kubernetes.io/os");
  d.arch = label("kubernetes.io/arch");
  d.zone = label("topology.kubernetes.io/zone");
  if (d.zone.empty()) d.zone = label("failure-domain.beta.kubernetes.io/zone");
  if (info != nullptr) {
    if (d.os.empty()) d.os = StringAt(*info, "operatingSystem");
    if (d.arch.empty()) d.arch = StringAt(*info, "architecture");
    d.container_runtime = StringAt(*info, "containerRuntimeVersion");
    d.kubelet_version = StringAt(*info, "kubeletVersion");
  }
  return d;
}

const WorkloadResource* FindWorkloadResource(std::string_view kind) {
  for (const WorkloadResource& w : kWorkloads) {
    if (kind == w.kind) return &w;
  }
  return nullptr;
}

Status ReadFailure(const ApiResponse& r, const std::string& verb, const std::string& what, const std::string& ns) {
  std::string server = ServerMessage(r.body);
  std::string said = server.empty() ? "" : ": " + server;
  if (r.status == 0) return Status::Unavailable("the Kubernetes API did not answer (" + r.error + ")");
  if (r.status == 401) {
    return Status::Unavailable("the Kubernetes API rejected the credentials (401): log in again or check the kubeconfig" + said);
  }
  if (r.status == 403) {
    return Status::Unavailable("forbidden (403): you may not " + verb + " " + what + InNamespace(ns) + " (kubectl auth can-i " +
                               verb + " " + what + (ns.empty() ? "" : " -n " + ns) + ")" + said);
  }
  if (r.status == 404) return Status::NotFound(what + InNamespace(ns) + ": not found" + said);
  return Status::Unavailable("the Kubernetes API answered " + std::to_string(r.status) + " to " + verb + " " + what +
                             InNamespace(ns) + said);
}

std::string QueryEscape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                 c == '.' || c == '~';
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned>(c));
      out += hex;
    }
  }
  return out;
}

Result<std::string> LabelSelectorQuery(const json& selector) {
  if (selector.is_null()) return std::string();
  if (!selector.is_object()) return Status::InvalidArgument("spec.selector must be an object");
  std::vector<std::string> parts;
  if (auto it = selector.find("matchLabels"); it != selector.end() && !it->is_null()) {
    if (!it->is_object()) return Status::InvalidArgument("spec.selector.matchLabels must be a mapping");
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string()) return Status::InvalidArgument("spec.selector.matchLabels." + k + " must be a string");
      parts.push_back(k + "=" + v.get<std::string>());
    }
  }
  if (auto it = selector.find("matchExpressions"); it != selector.end() && !it->is_null()) {
    if (!it->is_array()) return Status::InvalidArgument("spec.selector.matchExpressions must be a list");
    for (size_t i = 0; i < it->size(); ++i) {
      const json& e = (*it)[i];
      std::string where = "spec.selector.matchExpressions[" + std::to_string(i) + "]";
      if (!e.is_object()) return Status::InvalidArgument(where + " must be an object");
      std::string key = StringAt(e, "key");
      std::string op = StringAt(e, "operator");
      if (key.empty()) return Status::InvalidArgument(where + ".key is missing");
      std::string values;
      if (auto v = e.find("values"); v != e.end() && v->is_array()) {
        for (const auto& value : *v) {
          if (!value.is_string()) return Status::InvalidArgument(where + ".values must be strings");
          values += (values.empty() ? "" : ",") + value.get<std::string>();
        }
      }
      if (op == "In" || op == "NotIn") {
        if (values.empty()) return Status::InvalidArgument(where + ": " + op + " needs values");
        parts.push_back(key + (op == "In" ? " in (" : " notin (") + values + ")");
      } else if (op == "Exists") {
        parts.push_back(key);
      } else if (op == "DoesNotExist") {
        parts.push_back("!" + key);
      } else {
        return Status::InvalidArgument(where + ".operator must be In, NotIn, Exists or DoesNotExist");
      }
    }
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

PodReader::PodReader(ApiClient& api, PodReadLimits limits) : api_(api), limits_(limits) {
  if (limits_.page_size == 0) limits_.page_size = 100;
  if (limits_.max_items == 0) limits_.max_items = limits_.page_size;
}

Result<json> PodReader::GetObject(const std::string& path, const std::string& what, const std::string& ns) {
  ApiResponse r = api_.Get(path, limits_.timeout);
  if (r.status != 200) return ReadFailure(r, "get", what, ns);
  auto doc = json::parse(r.body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::Unavailable("the Kubernetes API answered a " + what + " object that is not JSON");
  }
  return doc;
}

Result<ObjectList> PodReader::List(const std::string& path, const std::string& query, const std::string& what,
                                   const std::string& ns) {
  ObjectList out;
  std::string next;
  const size_t max_pages = limits_.max_items / limits_.page_size + 2;
  for (size_t page = 0; page < max_pages; ++page) {
    std::string url = path + "?" + (query.empty() ? "" : query + "&") + "limit=" + std::to_string(limits_.page_size);
    if (!next.empty()) url += "&continue=" + QueryEscape(next);
    ApiResponse r = api_.Get(url, limits_.timeout);
    if (r.status != 200) return ReadFailure(r, "list", what, ns);
    auto doc = json::parse(r.body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
      return Status::Unavailable("the Kubernetes API answered a " + what + " list that is not JSON");
    }
    auto items = doc.find("items");
    if (items != doc.end() && !items->is_null() && !items->is_array()) {
      return Status::Unavailable("the Kubernetes API answered a " + what + " list whose items are no list");
    }
    if (items != doc.end() && items->is_array()) {
      for (auto& item : *items) {
        if (out.items.size() >= limits_.max_items) {
          out.truncated = true;
          return out;
        }
        out.items.push_back(std::move(item));
      }
    }
    next.clear();
    if (const json* meta = ObjectAt(doc, "metadata")) next = StringAt(*meta, "continue");
    if (next.empty()) return out;
    if (out.items.size() >= limits_.max_items) {
      out.truncated = true;
      return out;
    }
  }
  out.truncated = true;
  return out;
}

Result<json> PodReader::GetPod(const std::string& ns, const std::string& name) {
  auto pod = GetObject("/api/v1/namespaces/" + QueryEscape(ns) + "/pods/" + QueryEscape(name), "pods", ns);
  if (!pod.ok() && pod.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("pod " + name + " not found in namespace " + ns);
  }
  return pod;
}

Result<ObjectList> PodReader::ListPods(const std::string& ns, const std::string& label_selector) {
  if (label_selector.empty()) return Status::InvalidArgument("an empty label selector would list every pod");
  return List("/api/v1/namespaces/" + QueryEscape(ns) + "/pods", "labelSelector=" + QueryEscape(label_selector), "pods", ns);
}

PodEventLists PodReader::PodEvents(const std::string& ns, const std::string& pod) {
  struct Source {
    const char* name;
    std::string path;
    std::string field_selector;
  };
  const Source sources[] = {
      {"core/v1 events", "/api/v1/namespaces/" + QueryEscape(ns) + "/events",
       "involvedObject.name=" + pod + ",involvedObject.kind=Pod"},
      {"events.k8s.io/v1 events", "/apis/events.k8s.io/v1/namespaces/" + QueryEscape(ns) + "/events",
       "regarding.name=" + pod + ",regarding.kind=Pod"},
  };
  PodEventLists out;
  std::set<std::string> seen;
  for (const Source& source : sources) {
    auto list = List(source.path, "fieldSelector=" + QueryEscape(source.field_selector), "events", ns);
    if (!list.ok()) {
      std::string why = list.status().code() == StatusCode::kNotFound ? "not served by this API server" : list.status().message();
      out.unreadable.push_back(std::string(source.name) + ": " + why);
      continue;
    }
    out.any_read = true;
    out.truncated = out.truncated || list->truncated;
    for (const json& item : list->items) {
      std::string key;
      if (const json* meta = ObjectAt(item, "metadata")) {
        key = StringAt(*meta, "uid");
        if (key.empty() && !StringAt(*meta, "name").empty()) key = StringAt(*meta, "namespace") + "/" + StringAt(*meta, "name");
      }
      if (!key.empty() && !seen.insert(key).second) continue;
      out.items.push_back(item);
    }
  }
  return out;
}

Result<json> PodReader::GetNode(const std::string& name) {
  auto node = GetObject("/api/v1/nodes/" + QueryEscape(name), "nodes", "");
  if (!node.ok() && node.status().code() == StatusCode::kNotFound) return Status::NotFound("node " + name + " not found");
  return node;
}

Result<json> PodReader::GetWorkload(const std::string& kind, const std::string& ns, const std::string& name) {
  const WorkloadResource* w = FindWorkloadResource(kind);
  if (w == nullptr) return Status::InvalidArgument("diagnose does not read " + kind + " objects");
  auto obj = GetObject(std::string(w->api_prefix) + "/namespaces/" + QueryEscape(ns) + "/" + w->resource + "/" +
                           QueryEscape(name),
                       w->resource, ns);
  if (!obj.ok() && obj.status().code() == StatusCode::kNotFound) {
    return Status::NotFound(kind + " " + name + " not found in namespace " + ns);
  }
  return obj;
}

std::string KubeconfigNamespace(const std::string& path, const std::string& context) {
  try {
    YAML::Node root = YAML::LoadFile(path);
    std::string name = context.empty() ? YamlScalar(root, "current-context") : context;
    const YAML::Node contexts = root["contexts"];
    if (name.empty() || !contexts || !contexts.IsSequence()) return "";
    for (const auto& item : contexts) {
      if (YamlScalar(item, "name") != name) continue;
      return YamlScalar(item["context"], "namespace");
    }
  } catch (const YAML::Exception&) {
    return "";
  }
  return "";
}

Result<KubeConfig> FindKubeConfig(const std::string& kubeconfig, const std::string& context,
                                  std::string* default_namespace) {
  std::string ns;
  auto from_file = [&](const std::string& path) -> Result<KubeConfig> {
    auto config = LoadKubeconfig(path, context);
    if (config.ok()) ns = KubeconfigNamespace(path, context);
    return config;
  };
  auto done = [&](Result<KubeConfig> config) {
    if (default_namespace != nullptr) *default_namespace = config.ok() ? ns : "";
    return config;
  };
  if (!kubeconfig.empty()) return done(from_file(kubeconfig));
  if (const char* env = std::getenv("KUBECONFIG"); env != nullptr && *env != '\0') {
    std::string list = env;
    std::optional<Status> first_error;
    size_t start = 0;
    while (start <= list.size()) {
      size_t colon = list.find(':', start);
      std::string path = list.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      start = colon == std::string::npos ? list.size() + 1 : colon + 1;
      if (path.empty() || !IsFile(path)) continue;
      auto config = from_file(path);
      if (config.ok()) return done(std::move(config));
      if (!first_error) first_error = config.status();
    }
    if (first_error) return done(*first_error);
    return done(Status::NotFound("KUBECONFIG (" + list + ") names no file that exists"));
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    std::string path = std::string(home) + "/.kube/config";
    if (IsFile(path)) return done(from_file(path));
  }
  auto in_cluster = InClusterConfig();
  if (!in_cluster.ok()) {
    return done(Status::NotFound("no kubeconfig: give --kubeconfig, set KUBECONFIG or write ~/.kube/config (in-cluster: " +
                                 in_cluster.status().message() + ")"));
  }
  ns = InClusterNamespace();
  return done(std::move(in_cluster));
}

}  // namespace pullguard::kube
