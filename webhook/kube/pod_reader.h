// PodReader: the reads `pullguard diagnose` makes of the Kubernetes API, with the caller's own
// credentials (a kubeconfig, as kubectl finds it, or in-cluster): one Pod; Pods by label
// selector, page by page (limit/continue); a Pod's events from core/v1 and events.k8s.io/v1
// (either may be missing or forbidden); one Node; the workloads that own pods (ReplicaSet,
// Deployment, StatefulSet, DaemonSet, Job, CronJob). Every read is bounded: ApiClient's body
// limit (4 MiB a page), a timeout per request, and a cap on the items of a list. Failures are
// Status values whose words say what could not be read and which permission is missing
// (NotFound for a 404), never exceptions.
// Thread-safety: PodReader's methods may be called from any thread (ApiClient::Get is).
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/nodes.h"
#include "common/status.h"
#include "kube/api_client.h"
#include "kube/kube_config.h"

namespace pullguard::kube {

struct PodReadLimits {
  size_t page_size = 100;    // items asked for per page (limit=)
  size_t max_items = 1000;   // a list stops there and says it was truncated
  std::chrono::milliseconds timeout{10000};  // per request
};

struct ObjectList {
  std::vector<nlohmann::json> items;
  bool truncated = false;  // the list had more than PodReadLimits::max_items
};

struct PodEventLists {
  // The items of both APIs, each event once (by metadata.uid, else namespace/name): core/v1
  // first, then what only events.k8s.io/v1 had. Both shapes are left as the API gave them
  // (diagnose::ReadEvents reads either).
  std::vector<nlohmann::json> items;
  // Per API that could not be read: which and why ("events.k8s.io/v1 events: not served by
  // this API server", a 403's words).
  std::vector<std::string> unreadable;
  bool any_read = false;  // at least one of the two APIs answered
  bool truncated = false;
};

// What diagnose needs of a Node.
struct NodeDetails {
  NodeInfo info;  // name, labels, status.images, taints
  std::string os;    // label kubernetes.io/os, else status.nodeInfo.operatingSystem
  std::string arch;  // label kubernetes.io/arch, else status.nodeInfo.architecture
  std::string zone;  // label topology.kubernetes.io/zone, else failure-domain.beta.kubernetes.io/zone
  std::string container_runtime;  // status.nodeInfo.containerRuntimeVersion, e.g. containerd://1.7.22
  std::string kubelet_version;    // status.nodeInfo.kubeletVersion, e.g. v1.30.4

  // "linux/arm64"; "" when either part is unknown.
  std::string Platform() const;
};

// A Node object as NodeDetails (lenient: a field of another type is left empty).
NodeDetails ReadNodeDetails(const nlohmann::json& node);

// The workload kinds PodReader::GetWorkload reads, by kind ("Deployment") and their API path
// parts; nullptr for another kind.
struct WorkloadResource {
  const char* kind;         // Deployment
  const char* api_prefix;   // /apis/apps/v1
  const char* resource;     // deployments
};
const WorkloadResource* FindWorkloadResource(std::string_view kind);

class PodReader {
 public:
  explicit PodReader(ApiClient& api, PodReadLimits limits = {});

  // GET /api/v1/namespaces/NS/pods/NAME. NotFound when there is no such pod.
  Result<nlohmann::json> GetPod(const std::string& ns, const std::string& name);
  // GET /api/v1/namespaces/NS/pods?labelSelector=... in pages. `label_selector` as
  // LabelSelectorQuery gives it; it must not be empty (that would list every pod).
  Result<ObjectList> ListPods(const std::string& ns, const std::string& label_selector);
  // GET /api/v1/namespaces/NS/events?fieldSelector=involvedObject.name=POD,involvedObject.kind=Pod
  // and /apis/events.k8s.io/v1/namespaces/NS/events?fieldSelector=regarding.name=POD,regarding.kind=Pod.
  PodEventLists PodEvents(const std::string& ns, const std::string& pod);
  // GET /api/v1/nodes/NAME. NotFound when there is no such node.
  Result<nlohmann::json> GetNode(const std::string& name);
  // GET of one object of a kind FindWorkloadResource knows. NotFound when there is none;
  // InvalidArgument for another kind.
  Result<nlohmann::json> GetWorkload(const std::string& kind, const std::string& ns, const std::string& name);

  const std::string& server() const { return api_.config().server; }

 private:
  // One GET of one object; `what` ("pods") and `ns` name it in errors.
  Result<nlohmann::json> GetObject(const std::string& path, const std::string& what, const std::string& ns);
  // A list in pages: `path` without a query, `query` without limit/continue.
  Result<ObjectList> List(const std::string& path, const std::string& query, const std::string& what, const std::string& ns);

  ApiClient& api_;
  PodReadLimits limits_;
};

// Why an answer is not what was asked for, in words for the person running the command:
// "forbidden (403): you may not list pods in namespace shop (kubectl auth can-i list pods -n
// shop): <the API server's message>". 404 is NotFound, the rest Unavailable.
Status ReadFailure(const ApiResponse& response, const std::string& verb, const std::string& what, const std::string& ns);

// A metav1.LabelSelector (matchLabels, matchExpressions with In, NotIn, Exists,
// DoesNotExist) as the API's labelSelector query text: "app=web,tier in (a,b),!canary".
// InvalidArgument for another operator or a malformed selector; "" for an empty one.
Result<std::string> LabelSelectorQuery(const nlohmann::json& selector);

// Percent-encoding of a query parameter's value (everything but A-Z a-z 0-9 - _ . ~).
std::string QueryEscape(std::string_view value);

// Where the API is, as kubectl finds it: `kubeconfig` when given, else $KUBECONFIG (its first
// file that loads: the files are not merged), else ~/.kube/config when it exists, else
// in-cluster. `context` picks a kubeconfig context other than the current one.
// `*default_namespace` gets the context's namespace (in-cluster: the ServiceAccount's
// namespace file), "" when it names none.
Result<KubeConfig> FindKubeConfig(const std::string& kubeconfig, const std::string& context,
                                  std::string* default_namespace);

// The namespace the kubeconfig's current context (or `context`) names; "" when none.
std::string KubeconfigNamespace(const std::string& path, const std::string& context = "");

}  // namespace pullguard::kube
