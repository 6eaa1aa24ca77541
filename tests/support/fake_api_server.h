// FakeApiServer: the few Kubernetes API endpoints pullguard reads, with the real JSON shapes:
// GET /api/v1/namespaces/NS/secrets/NAME, /api/v1/namespaces/NS/serviceaccounts/NAME and
// /api/v1/nodes (paged with limit and continue); and the discovery documents (/api, /apis,
// /api/v1, /apis/GROUP/VERSION) of the kinds pullguard's manifests use, so that
// `kubectl apply --dry-run=client` can map them (every object GET is 404: nothing exists yet).
// For `pullguard diagnose`: GET /api/v1/nodes/NAME; Pods (GET one; LIST by labelSelector with
// =, ==, !=, in, notin, exists and !exists, paged with limit and continue); Events, stored in
// their core/v1 shape and served by /api/v1/namespaces/NS/events and, converted as the API
// server converts them, by /apis/events.k8s.io/v1/namespaces/NS/events, both filtered by
// fieldSelector (a field label the real server does not support is a 400) and paged; and GET
// of apps/v1 ReplicaSets, Deployments, StatefulSets, DaemonSets and batch/v1 Jobs, CronJobs.
// For `pullguard audit`: LIST of Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs,
// CronJobs (/apis/GROUP/v1/RESOURCE and /apis/GROUP/v1/namespaces/NS/RESOURCE) and Pods
// (/api/v1/pods), paged with limit and continue, items in namespace/name order and without
// kind or apiVersion of their own (as a real list's items); a continue token can be made to
// expire (410 Gone, as etcd's compaction does); coordination.k8s.io/v1 Leases (GET; POST, 409
// AlreadyExists when it exists; PUT, 409 Conflict when metadata.resourceVersion is not the
// stored one, 404 when there is none; every write a new resourceVersion); and POST of core/v1
// Events (the namespace must be the involvedObject's; generateName honoured; 409 on a name
// taken), each recorded and then served by both events APIs.
// TokenRequests (POST /api/v1/namespaces/NS/serviceaccounts/NAME/token, authentication.k8s.io/v1)
// as the API server answers them: 201 with status.token and status.expirationTimestamp (now +
// spec.expirationSeconds, which defaults to 3600); 404 for a ServiceAccount, or a Pod named by
// spec.boundObjectRef, that does not exist; 422 for an expirationSeconds under 600 or a
// boundObjectRef of another kind; 403 in a namespace Forbid() names or after
// ForbidTokenRequests() (RBAC without create on serviceaccounts/token), and for an audience
// LimitTokenAudiences() does not list (a ValidatingAdmissionPolicy's denial, in its words). A
// token is "HEADER.PAYLOAD.fake-signature": base64url JSON, the payload
// {aud, sub: system:serviceaccount:NS:NAME, iat, exp, kubernetes.io: {namespace, serviceaccount}}.
// It checks the bearer token (changeable, to test rotation), answers 403 for namespaces told
// to (and for paths told to), 404 for what it does not have, and counts requests. On
// 127.0.0.1 over TLS.
#pragma once

#include <httplib.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

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
  void AddServiceAccount(const std::string& ns, const std::string& name, const std::vector<std::string>& pull_secrets,
                         const std::map<std::string, std::string>& annotations = {});
  // TokenRequests are refused (403) as RBAC refuses a ServiceAccount without create on
  // serviceaccounts/token.
  void ForbidTokenRequests();
  // Only these audiences are issued; any other is refused (403) as a ValidatingAdmissionPolicy
  // refuses it.
  void LimitTokenAudiences(std::set<std::string> audiences);
  // Every TokenRequest received, in order: {"path", "spec"} (spec as sent, or null when the body
  // is not JSON), and "status", the code answered.
  std::vector<nlohmann::json> TokenRequests();
  // The tokens issued (to check that none is repeated where it must not be).
  std::vector<std::string> IssuedTokens();
  int tokens_issued();
  // Served by GET /api/v1/nodes, in pages (limit/continue). `images`: status.images[].names.
  void AddNode(const std::string& name, const std::string& os, const std::string& arch,
               const std::vector<std::vector<std::string>>& images = {},
               const std::map<std::string, std::string>& labels = {},
               const nlohmann::json& taints = nullptr);  // spec.taints
  // Served by GET /api/v1/namespaces/NS/pods/NAME and listed by GET /api/v1/namespaces/NS/pods
  // (labelSelector, limit/continue); NS and NAME from its metadata.
  void AddPod(const nlohmann::json& pod);
  // An Event in the core/v1 shape (involvedObject, message, count, firstTimestamp...), in the
  // namespace of its metadata, else of its involvedObject. metadata.name and uid are filled in
  // when absent. Both events APIs serve it (events.k8s.io/v1 as regarding, note,
  // deprecatedCount...).
  void AddEvent(const nlohmann::json& event);
  // An apps/v1 ReplicaSet, Deployment, StatefulSet, DaemonSet or batch/v1 Job, CronJob, served
  // by GET /apis/GROUP/v1/namespaces/NS/RESOURCE/NAME.
  void AddObject(const nlohmann::json& object);
  // Every request whose path starts with `prefix` is answered 403 (RBAC refusing one API),
  // or 404 (an API the server does not serve).
  void ForbidPath(const std::string& prefix);
  void HidePath(const std::string& prefix);
  // Removes an object AddObject or AddPod added ("Deployment", "Pod", ...): it is gone.
  void RemoveObject(const std::string& kind, const std::string& ns, const std::string& name);
  // The next list request that carries a continue token is answered 410 Gone.
  void ExpireNextContinue();
  // The Events created by POST, in order, as stored (metadata.name, uid... filled in).
  std::vector<nlohmann::json> CreatedEvents();
  // A Lease as stored; null when there is none.
  nlohmann::json Lease(const std::string& ns, const std::string& name);
  // List pages served per resource ("deployments", "pods", ...) by the audit's list routes.
  int list_pages(const std::string& resource);
  int lease_writes() const { return lease_writes_.load(); }
  int lease_conflicts() const { return lease_conflicts_.load(); }
  int requests() const { return requests_.load(); }
  int node_pages() const { return node_pages_.load(); }
  int pod_pages() const { return pod_pages_.load(); }

  // A kubeconfig for this server, the CA `ca`, and a token file; its context names
  // `ns` as its namespace when one is given.
  std::string Kubeconfig(const std::string& ca, const std::string& token_file, const std::string& ns = "") const;

 private:
  void Serve(const std::string& kind, const httplib::Request& req, httplib::Response& res);
  // GET of one stored object: objects_[resource/ns/name].
  void ServeObject(const std::string& resource, const std::string& ns, const std::string& name, const httplib::Request& req,
                   httplib::Response& res);
  void ServePodList(const httplib::Request& req, httplib::Response& res);
  void ServeEvents(bool events_v1, const httplib::Request& req, httplib::Response& res);
  void ServeDiscovery();
  // The audit's routes: workload lists, Leases, Events POST.
  void ServeAuditRoutes();
  void ServeWorkloadList(const std::string& group, const std::string& resource, const std::string& ns,
                         const httplib::Request& req, httplib::Response& res);
  void CreateLease(const httplib::Request& req, httplib::Response& res);
  void UpdateLease(const httplib::Request& req, httplib::Response& res);
  void CreateEvent(const httplib::Request& req, httplib::Response& res);
  void CreateToken(const httplib::Request& req, httplib::Response& res);
  // REQUIRES: mutex_ held. Answers 401 unless the request carries the current token.
  bool Authorized(const httplib::Request& req, httplib::Response& res) const;
  // REQUIRES: mutex_ held. Answers 403 or 404 for a path ForbidPath or HidePath named.
  bool Refused(const httplib::Request& req, httplib::Response& res) const;

  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::string token_;
  std::set<std::string> forbidden_;
  std::map<std::string, nlohmann::json> objects_;  // "kind/ns/name" (pods: "pods/ns/name")
  nlohmann::json nodes_ = nlohmann::json::array();
  std::vector<nlohmann::json> events_;  // core/v1 shape, in the order added
  std::vector<std::string> forbidden_paths_, hidden_paths_;
  int event_serial_ = 0;
  long resource_version_ = 1000;  // every write of a Lease or an Event takes the next one
  bool expire_next_continue_ = false;
  std::vector<nlohmann::json> created_events_;
  std::map<std::string, int> list_pages_;
  bool tokens_forbidden_ = false;
  std::optional<std::set<std::string>> token_audiences_;  // unset: every audience
  std::vector<nlohmann::json> token_requests_;
  std::vector<std::string> issued_tokens_;
  std::atomic<int> lease_writes_{0};
  std::atomic<int> lease_conflicts_{0};
  std::atomic<int> requests_{0};
  std::atomic<int> node_pages_{0};
  std::atomic<int> pod_pages_{0};
};

}  // namespace pullguard::testing
