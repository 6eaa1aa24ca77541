#include "support/fake_api_server.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <utility>

#include "auth/docker_config.h"
#include "common/rfc3339.h"
#include "support/loopback_server.h"


namespace pullguard::testing {
namespace {

using nlohmann::json;

nlohmann::json StatusBody(int code, const std::string& reason, const std::string& message) {
  return {{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", nlohmann::json::object()}, {"status", "Failure"},
          {"message", message}, {"reason", reason}, {"code", code}};
}

void Answer(httplib::Response& res, int code, const std::string& reason, const std::string& message) {
  res.status = code;
  res.set_content(StatusBody(code, reason, message).dump(), "application/json");
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(' ');
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(' ');
  return s.substr(b, e - b + 1);
}

// The string at a dotted field path ("involvedObject.name"); "" when absent or not a string.
std::string FieldValue(const json& obj, const std::string& dotted) {
  const json* at = &obj;
  size_t start = 0;
  while (true) {
    size_t dot = dotted.find('.', start);
    std::string part = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!at->is_object()) return "";
    auto it = at->find(part);
    if (it == at->end()) return "";
    at = &*it;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return at->is_string() ? at->get<std::string>() : std::string();
}

// One requirement of a label or field selector. op: "=", "!=", "in", "notin", "exists", "!".
struct Requirement {
  std::string key;
  std::string op;
  std::vector<std::string> values;
};

// The terms of a selector, split at the commas outside parentheses.
std::vector<std::string> Terms(const std::string& text) {
  std::vector<std::string> terms;
  std::string current;
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      terms.push_back(current);
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  terms.push_back(current);
  return terms;
}

// "k=v", "k==v", "k!=v" into a requirement; nullopt for anything else.
std::optional<Requirement> EqualityTerm(const std::string& term) {
  if (size_t at = term.find("!="); at != std::string::npos) return Requirement{Trim(term.substr(0, at)), "!=", {Trim(term.substr(at + 2))}};
  if (size_t at = term.find("=="); at != std::string::npos) return Requirement{Trim(term.substr(0, at)), "=", {Trim(term.substr(at + 2))}};
  if (size_t at = term.find('='); at != std::string::npos) return Requirement{Trim(term.substr(0, at)), "=", {Trim(term.substr(at + 1))}};
  return std::nullopt;
}

// A labelSelector as the API server reads it (labels.Parse); nullopt when it does not parse.
std::optional<std::vector<Requirement>> ParseLabelSelector(const std::string& text) {
  std::vector<Requirement> out;
  if (Trim(text).empty()) return out;
  for (const std::string& raw : Terms(text)) {
    std::string term = Trim(raw);
    if (term.empty()) return std::nullopt;
    if (term[0] == '!') {
      out.push_back({Trim(term.substr(1)), "!", {}});
      continue;
    }
    for (const std::string op : {"notin", "in"}) {
      size_t at = term.find(" " + op + " ");
      if (at == std::string::npos) continue;
      std::string list = Trim(term.substr(at + op.size() + 2));
      if (list.size() < 2 || list.front() != '(' || list.back() != ')') return std::nullopt;
      Requirement r{Trim(term.substr(0, at)), op, {}};
      for (const std::string& v : Terms(list.substr(1, list.size() - 2))) r.values.push_back(Trim(v));
      out.push_back(std::move(r));
      term.clear();
      break;
    }
    if (term.empty()) continue;
    if (auto eq = EqualityTerm(term)) {
      out.push_back(std::move(*eq));
    } else if (term.find(' ') == std::string::npos) {
      out.push_back({term, "exists", {}});
    } else {
      return std::nullopt;
    }
  }
  for (const auto& r : out) {
    if (r.key.empty()) return std::nullopt;
  }
  return out;
}

bool LabelsMatch(const std::vector<Requirement>& selector, const json& object) {
  json labels = json::object();
  if (object.contains("metadata") && object["metadata"].is_object() && object["metadata"].contains("labels")) {
    labels = object["metadata"]["labels"];
  }
  for (const auto& r : selector) {
    bool has = labels.is_object() && labels.contains(r.key) && labels[r.key].is_string();
    std::string value = has ? labels[r.key].get<std::string>() : "";
    bool in = has && std::find(r.values.begin(), r.values.end(), value) != r.values.end();
    if (r.op == "=" && !(has && value == r.values[0])) return false;
    if (r.op == "!=" && has && value == r.values[0]) return false;
    if (r.op == "in" && !in) return false;
    if (r.op == "notin" && in) return false;
    if (r.op == "exists" && !has) return false;
    if (r.op == "!" && has) return false;
  }
  return true;
}

// The field labels the API server supports for Events in each API (others are a 400).
const std::vector<std::string>& EventFieldLabels(bool events_v1) {
  static const std::vector<std::string> kCore{
      "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
      "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
      "reportingComponent", "source", "type", "metadata.name", "metadata.namespace"};
  static const std::vector<std::string> kEventsV1{
      "regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "regarding.apiVersion",
      "regarding.resourceVersion", "regarding.fieldPath", "reason", "reportingController", "type", "metadata.name",
      "metadata.namespace"};
  return events_v1 ? kEventsV1 : kCore;
}

// A fieldSelector (only =, == and !=); nullopt and `bad` naming the label when it does not parse.
std::optional<std::vector<Requirement>> ParseFieldSelector(const std::string& text, bool events_v1, std::string* bad) {
  std::vector<Requirement> out;
  if (Trim(text).empty()) return out;
  const auto& labels = EventFieldLabels(events_v1);
  for (const std::string& term : Terms(text)) {
    auto r = EqualityTerm(term);
    if (!r) {
      *bad = term;
      return std::nullopt;
    }
    if (std::find(labels.begin(), labels.end(), r->key) == labels.end()) {
      *bad = r->key;
      return std::nullopt;
    }
    out.push_back(std::move(*r));
  }
  return out;
}

bool FieldsMatch(const std::vector<Requirement>& selector, const json& object) {
  for (const auto& r : selector) {
    std::string key = r.key == "source" ? "source.component" : r.key;
    std::string value = FieldValue(object, key);
    if (r.op == "=" && value != r.values[0]) return false;
    if (r.op == "!=" && value == r.values[0]) return false;
  }
  return true;
}

// A core/v1 Event as events.k8s.io/v1 serves it (the API server's conversion).
json ToEventsV1(const json& e) {
  json out = {{"kind", "Event"}, {"apiVersion", "events.k8s.io/v1"}, {"metadata", json::object()}};
  if (e.contains("metadata")) out["metadata"] = e["metadata"];
  const std::pair<const char*, const char*> renamed[] = {
      {"involvedObject", "regarding"},        {"message", "note"},
      {"count", "deprecatedCount"},           {"firstTimestamp", "deprecatedFirstTimestamp"},
      {"lastTimestamp", "deprecatedLastTimestamp"}, {"source", "deprecatedSource"},
      {"reportingComponent", "reportingController"}, {"eventTime", "eventTime"},
      {"series", "series"},                   {"reason", "reason"},
      {"type", "type"},                       {"action", "action"},
      {"related", "related"},                 {"reportingInstance", "reportingInstance"}};
  for (const auto& [from, to] : renamed) {
    if (e.contains(from)) out[to] = e[from];
  }
  if (!out.contains("eventTime")) out["eventTime"] = nullptr;
  return out;
}

// The offset a `continue` token ("tok<N>") names; nullopt when it is not one of ours.
std::optional<size_t> TokenOffset(const std::string& token) {
  if (token.size() < 4 || token.rfind("tok", 0) != 0) return std::nullopt;
  size_t n = 0;
  for (size_t i = 3; i < token.size(); ++i) {
    if (token[i] < '0' || token[i] > '9') return std::nullopt;
    n = n * 10 + static_cast<size_t>(token[i] - '0');
  }
  return n;
}

// A page of `items` as the API server pages a list: `limit` items from the continue token's
// offset, with the next token in `meta`. False (and a 400 answered) for a bad token or limit.
bool PageOf(const std::vector<json>& items, const httplib::Request& req, httplib::Response& res, json& page, json& meta) {
  size_t offset = 0, limit = items.size();
  if (req.has_param("continue")) {
    auto at = TokenOffset(req.get_param_value("continue"));
    if (!at) {
      Answer(res, 400, "BadRequest", "the provided continue parameter is too old or malformed");
      return false;
    }
    offset = *at;
  }
  if (req.has_param("limit")) {
    auto n = TokenOffset("tok" + req.get_param_value("limit"));
    if (!n) {
      Answer(res, 400, "BadRequest", "limit must be a number");
      return false;
    }
    if (*n > 0) limit = *n;
  }
  page = json::array();
  for (size_t i = offset; i < items.size() && i < offset + limit; ++i) page.push_back(items[i]);
  meta = {{"resourceVersion", "7"}};
  if (offset + limit < items.size()) meta["continue"] = "tok" + std::to_string(offset + limit);
  return true;
}

// The page `req` asks for of `total` items, as PageOf reads limit and continue: false (and a
// 400 answered) for a bad token or limit. `*next` gets the next page's token, "" at the end.
bool PageBounds(size_t total, const httplib::Request& req, httplib::Response& res, size_t* offset, size_t* limit,
                std::string* next) {
  *offset = 0;
  *limit = total;
  if (req.has_param("continue")) {
    auto at = TokenOffset(req.get_param_value("continue"));
    if (!at) {
      Answer(res, 400, "BadRequest", "the provided continue parameter is too old or malformed");
      return false;
    }
    *offset = *at;
  }
  if (req.has_param("limit")) {
    auto n = TokenOffset("tok" + req.get_param_value("limit"));
    if (!n) {
      Answer(res, 400, "BadRequest", "limit must be a number");
      return false;
    }
    if (*n > 0) *limit = *n;
  }
  next->clear();
  if (*offset + *limit < total) *next = "tok" + std::to_string(*offset + *limit);
  return true;
}

// kind -> (group, resource) of what AddObject takes.
const std::map<std::string, std::pair<std::string, std::string>>& Workloads() {
  static const std::map<std::string, std::pair<std::string, std::string>> kWorkloads{
      {"ReplicaSet", {"apps", "replicasets"}}, {"Deployment", {"apps", "deployments"}},
      {"StatefulSet", {"apps", "statefulsets"}}, {"DaemonSet", {"apps", "daemonsets"}},
      {"Job", {"batch", "jobs"}},               {"CronJob", {"batch", "cronjobs"}}};
  return kWorkloads;
}

}  // namespace

FakeApiServer::FakeApiServer(const std::string& cert, const std::string& key, std::string token) : token_(std::move(token)) {
  server_ = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
  server_->Get(R"(/api/v1/namespaces/([^/]+)/secrets/([^/]+))",
               [this](const httplib::Request& req, httplib::Response& res) { Serve("secrets", req, res); });
  server_->Get(R"(/api/v1/namespaces/([^/]+)/serviceaccounts/([^/]+))",
               [this](const httplib::Request& req, httplib::Response& res) { Serve("serviceaccounts", req, res); });
  server_->Get(R"(/api/v1/namespaces/([^/]+)/pods/([^/]+))",
               [this](const httplib::Request& req, httplib::Response& res) { Serve("pods", req, res); });
  server_->Get(R"(/api/v1/namespaces/([^/]+)/pods)",
               [this](const httplib::Request& req, httplib::Response& res) { ServePodList(req, res); });
  server_->Get(R"(/api/v1/namespaces/([^/]+)/events)",
               [this](const httplib::Request& req, httplib::Response& res) { ServeEvents(false, req, res); });
  server_->Get(R"(/apis/events.k8s.io/v1/namespaces/([^/]+)/events)",
               [this](const httplib::Request& req, httplib::Response& res) { ServeEvents(true, req, res); });
  server_->Get(R"(/apis/(apps|batch)/v1/namespaces/([^/]+)/([a-z]+)/([^/]+))",
               [this](const httplib::Request& req, httplib::Response& res) {
                 ServeObject(std::string(req.matches[1]) + "/" + std::string(req.matches[3]), req.matches[2], req.matches[4],
                             req, res);
               });
  server_->Get(R"(/api/v1/nodes/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    ++requests_;
    std::string name = req.matches[1];
    std::lock_guard<std::mutex> lock(mutex_);
    if (!Authorized(req, res) || Refused(req, res)) return;
    for (const auto& node : std::as_const(nodes_)) {
      if (node["metadata"]["name"] == name) {
        res.set_content(node.dump(), "application/json");
        return;
      }
    }
    Answer(res, 404, "NotFound", "nodes \"" + name + "\" not found");
  });
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
  ServeAuditRoutes();
  ServeDiscovery();
  port_ = ServeOnLoopback(*server_, thread_);
}

void FakeApiServer::ServeAuditRoutes() {
  server_->Get(R"(/apis/(apps|batch)/v1/([a-z]+))", [this](const httplib::Request& req, httplib::Response& res) {
    ServeWorkloadList(req.matches[1], req.matches[2], "", req, res);
  });
  server_->Get(R"(/apis/(apps|batch)/v1/namespaces/([^/]+)/([a-z]+))", [this](const httplib::Request& req, httplib::Response& res) {
    ServeWorkloadList(req.matches[1], req.matches[3], req.matches[2], req, res);
  });
  server_->Get("/api/v1/pods", [this](const httplib::Request& req, httplib::Response& res) {
    ServeWorkloadList("", "pods", "", req, res);
  });
  const std::string leases = R"(/apis/coordination\.k8s\.io/v1/namespaces/([^/]+)/leases)";
  server_->Get(leases + R"(/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    ServeObject("coordination.k8s.io/leases", req.matches[1], req.matches[2], req, res);
  });
  server_->Post(leases, [this](const httplib::Request& req, httplib::Response& res) { CreateLease(req, res); });
  server_->Put(leases + R"(/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) { UpdateLease(req, res); });
  server_->Post(R"(/api/v1/namespaces/([^/]+)/events)",
                [this](const httplib::Request& req, httplib::Response& res) { CreateEvent(req, res); });
  server_->Post(R"(/api/v1/namespaces/([^/]+)/serviceaccounts/([^/]+)/token)",
                [this](const httplib::Request& req, httplib::Response& res) { CreateToken(req, res); });
}

namespace {

std::string Base64Url(const std::string& bytes) {
  std::string out = auth::EncodeBase64(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

}  // namespace

void FakeApiServer::CreateToken(const httplib::Request& req, httplib::Response& res) {
  ++requests_;
  const std::string ns = req.matches[1], name = req.matches[2];
  std::lock_guard<std::mutex> lock(mutex_);
  json body = json::parse(req.body, nullptr, false);
  json record = {{"path", req.path}, {"spec", body.is_object() && body.contains("spec") ? body["spec"] : json()}};
  auto answer = [&](int code, const std::string& reason, const std::string& message) {
    record["status"] = code;
    token_requests_.push_back(record);
    Answer(res, code, reason, message);
  };
  if (!Authorized(req, res) || Refused(req, res)) {
    record["status"] = res.status;
    token_requests_.push_back(record);
    return;
  }
  // Authorization first, as the API server does: RBAC without create on serviceaccounts/token.
  if (tokens_forbidden_ || forbidden_.count(ns)) {
    answer(403, "Forbidden",
           "serviceaccounts \"" + name + "\" is forbidden: User \"system:serviceaccount:pullguard-system:pullguard\" cannot "
           "create resource \"serviceaccounts/token\" in API group \"\" in the namespace \"" + ns + "\"");
    return;
  }
  if (!body.is_object() || (body.contains("spec") && !body["spec"].is_object())) {
    answer(400, "BadRequest", "the body of the request was in an unknown format");
    return;
  }
  if ((body.contains("kind") && body["kind"] != "TokenRequest") ||
      (body.contains("apiVersion") && body["apiVersion"] != "authentication.k8s.io/v1")) {
    answer(400, "BadRequest", "the object provided is not a TokenRequest of authentication.k8s.io/v1");
    return;
  }
  json spec = body.contains("spec") ? body["spec"] : json::object();
  // Defaults: the API server's own audience, an hour.
  json audiences = spec.contains("audiences") && spec["audiences"].is_array() && !spec["audiences"].empty()
                       ? spec["audiences"]
                       : json::array({"https://kubernetes.default.svc.cluster.local"});
  long long seconds = 3600;
  if (spec.contains("expirationSeconds")) {
    if (!spec["expirationSeconds"].is_number_integer()) {
      answer(400, "BadRequest", "spec.expirationSeconds: expected an integer");
      return;
    }
    seconds = spec["expirationSeconds"].get<long long>();
  }
  if (seconds < 600) {
    answer(422, "Invalid", "TokenRequest.authentication.k8s.io \"" + name + "\" is invalid: spec.expirationSeconds: Invalid value: " +
                               std::to_string(seconds) + ": may not specify a duration less than 10 minutes");
    return;
  }
  if (seconds > (1LL << 32)) {
    answer(422, "Invalid", "TokenRequest.authentication.k8s.io \"" + name + "\" is invalid: spec.expirationSeconds: Invalid value: " +
                               std::to_string(seconds) + ": may not specify a duration larger than 2^32 seconds");
    return;
  }
  // The component's ValidatingAdmissionPolicy: only the listed audiences.
  if (token_audiences_) {
    for (const auto& a : audiences) {
      if (!a.is_string() || token_audiences_->count(a.get<std::string>()) == 0) {
        answer(403, "Forbidden",
               "serviceaccounts \"" + name + "\" is forbidden: ValidatingAdmissionPolicy 'pullguard-serviceaccount-tokens' "
               "with binding 'pullguard-serviceaccount-tokens' denied request: pullguard may request tokens only for the "
               "audiences in ConfigMap pullguard-system/pullguard-token-audiences");
        return;
      }
    }
  }
  auto sa = objects_.find("serviceaccounts/" + ns + "/" + name);
  if (sa == objects_.end()) {
    answer(404, "NotFound", "serviceaccounts \"" + name + "\" not found");
    return;
  }
  json bound = spec.contains("boundObjectRef") ? spec["boundObjectRef"] : json();
  if (!bound.is_null()) {
    if (!bound.is_object() || FieldValue(bound, "kind") != "Pod") {
      answer(422, "Invalid", "TokenRequest.authentication.k8s.io \"" + name +
                                 "\" is invalid: spec.boundObjectRef.kind: Unsupported value (this fake binds to Pods only)");
      return;
    }
    auto pod = objects_.find("pods/" + ns + "/" + FieldValue(bound, "name"));
    if (pod == objects_.end()) {
      answer(404, "NotFound", "pods \"" + FieldValue(bound, "name") + "\" not found");
      return;
    }
    if (!FieldValue(bound, "uid").empty() && FieldValue(bound, "uid") != FieldValue(pod->second, "metadata.uid")) {
      answer(409, "Conflict", "the UID in the bound object reference (" + FieldValue(bound, "uid") +
                                  ") does not match the UID in record. The object might have been deleted and then recreated");
      return;
    }
  }
  const auto now = std::chrono::system_clock::now();
  const auto iat = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  json payload = {{"aud", audiences},
                  {"sub", "system:serviceaccount:" + ns + ":" + name},
                  {"iat", iat},
                  {"nbf", iat},
                  {"exp", iat + seconds},
                  {"jti", std::to_string(++resource_version_)},
                  {"kubernetes.io", {{"namespace", ns}, {"serviceaccount", {{"name", name}, {"uid", FieldValue(sa->second, "metadata.uid")}}}}}};
  std::string token = Base64Url(R"({"alg":"none","kid":"fake"})") + "." + Base64Url(payload.dump()) + ".fake-signature";
  issued_tokens_.push_back(token);
  spec["audiences"] = audiences;
  spec["expirationSeconds"] = seconds;
  if (!spec.contains("boundObjectRef")) spec["boundObjectRef"] = nullptr;
  json out = {{"kind", "TokenRequest"},
              {"apiVersion", "authentication.k8s.io/v1"},
              {"metadata", {{"name", name}, {"namespace", ns}, {"creationTimestamp", nullptr}}},
              {"spec", spec},
              {"status", {{"token", token}, {"expirationTimestamp", FormatRfc3339(now + std::chrono::seconds(seconds))}}}};
  record["status"] = 201;
  token_requests_.push_back(record);
  res.status = 201;
  res.set_content(out.dump(), "application/json");
}

void FakeApiServer::ServeWorkloadList(const std::string& group, const std::string& resource, const std::string& ns,
                                      const httplib::Request& req, httplib::Response& res) {
  ++requests_;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!Authorized(req, res) || Refused(req, res)) return;
  std::string list_kind;
  for (const auto& [kind, where] : Workloads()) {
    if (where.first == group && where.second == resource) list_kind = kind + "List";
  }
  if (group.empty() && resource == "pods") list_kind = "PodList";
  if (list_kind.empty()) {
    Answer(res, 404, "NotFound", "the server could not find the requested resource");
    return;
  }
  if (!ns.empty() && forbidden_.count(ns)) {
    Answer(res, 403, "Forbidden",
           resource + " is forbidden: User \"system:serviceaccount:pullguard-system:pullguard-audit\" cannot list resource \"" +
               resource + "\" in API group \"" + group + "\" in the namespace \"" + ns + "\"");
    return;
  }
  if (req.has_param("continue") && expire_next_continue_) {
    expire_next_continue_ = false;
    Answer(res, 410, "Expired",
           "The provided continue parameter is too old to display a consistent list result. You can start a new list "
           "without the continue parameter.");
    return;
  }
  // objects_ is ordered by key: namespace, then name, as etcd lists them.
  const std::string prefix = (group.empty() ? "" : group + "/") + resource + "/" + (ns.empty() ? "" : ns + "/");
  std::vector<const json*> matching;
  for (auto it = objects_.lower_bound(prefix); it != objects_.end() && it->first.rfind(prefix, 0) == 0; ++it) {
    matching.push_back(&it->second);
  }
  size_t offset = 0, limit = 0;
  std::string next;
  if (!PageBounds(matching.size(), req, res, &offset, &limit, &next)) return;
  json page = json::array();
  for (size_t i = offset; i < matching.size() && i < offset + limit; ++i) {
    json item = *matching[i];
    item.erase("kind");  // a list's items carry neither
    item.erase("apiVersion");
    page.push_back(std::move(item));
  }
  json meta = {{"resourceVersion", std::to_string(resource_version_)}};
  if (!next.empty()) meta["continue"] = next;
  ++list_pages_[resource];
  res.set_content(json{{"kind", list_kind}, {"apiVersion", group.empty() ? "v1" : group + "/v1"}, {"metadata", meta},
                       {"items", page}}
                      .dump(),
                  "application/json");
}

void FakeApiServer::CreateLease(const httplib::Request& req, httplib::Response& res) {
  ++requests_;
  const std::string ns = req.matches[1];
  std::lock_guard<std::mutex> lock(mutex_);
  if (!Authorized(req, res) || Refused(req, res)) return;
  json body = json::parse(req.body, nullptr, false);
  std::string name = body.is_object() ? FieldValue(body, "metadata.name") : "";
  if (name.empty()) {
    Answer(res, 422, "Invalid", "Lease.coordination.k8s.io \"\" is invalid: metadata.name: Required value: name or generateName is required");
    return;
  }
  if (std::string meta_ns = FieldValue(body, "metadata.namespace"); !meta_ns.empty() && meta_ns != ns) {
    Answer(res, 400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
    return;
  }
  const std::string key = "coordination.k8s.io/leases/" + ns + "/" + name;
  if (objects_.count(key)) {
    Answer(res, 409, "AlreadyExists", "leases.coordination.k8s.io \"" + name + "\" already exists");
    return;
  }
  body["kind"] = "Lease";
  body["apiVersion"] = "coordination.k8s.io/v1";
  body["metadata"]["namespace"] = ns;
  body["metadata"]["uid"] = "1ea5e000-0000-4000-8000-" + std::to_string(100000000000 + resource_version_);
  body["metadata"]["resourceVersion"] = std::to_string(++resource_version_);
  body["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00Z";
  objects_[key] = body;
  ++lease_writes_;
  res.status = 201;
  res.set_content(body.dump(), "application/json");
}

void FakeApiServer::UpdateLease(const httplib::Request& req, httplib::Response& res) {
  ++requests_;
  const std::string ns = req.matches[1], name = req.matches[2];
  std::lock_guard<std::mutex> lock(mutex_);
  if (!Authorized(req, res) || Refused(req, res)) return;
  json body = json::parse(req.body, nullptr, false);
  if (!body.is_object() || FieldValue(body, "metadata.name") != name) {
    Answer(res, 400, "BadRequest", "the name of the object (" + (body.is_object() ? FieldValue(body, "metadata.name") : "") +
                                       ") does not match the name on the URL (" + name + ")");
    return;
  }
  const std::string key = "coordination.k8s.io/leases/" + ns + "/" + name;
  auto it = objects_.find(key);
  if (it == objects_.end()) {
    Answer(res, 404, "NotFound", "leases.coordination.k8s.io \"" + name + "\" not found");
    return;
  }
  // A resourceVersion makes the update conditional (Leases also take unconditional ones).
  std::string wanted = FieldValue(body, "metadata.resourceVersion");
  if (!wanted.empty() && wanted != FieldValue(it->second, "metadata.resourceVersion")) {
    ++lease_conflicts_;
    Answer(res, 409, "Conflict",
           "Operation cannot be fulfilled on leases.coordination.k8s.io \"" + name +
               "\": the object has been modified; please apply your changes to the latest version and try again");
    return;
  }
  body["kind"] = "Lease";
  body["apiVersion"] = "coordination.k8s.io/v1";
  body["metadata"]["namespace"] = ns;
  body["metadata"]["uid"] = it->second["metadata"]["uid"];
  body["metadata"]["creationTimestamp"] = it->second["metadata"]["creationTimestamp"];
  body["metadata"]["resourceVersion"] = std::to_string(++resource_version_);
  it->second = body;
  ++lease_writes_;
  res.set_content(body.dump(), "application/json");
}

void FakeApiServer::CreateEvent(const httplib::Request& req, httplib::Response& res) {
  ++requests_;
  const std::string ns = req.matches[1];
  std::lock_guard<std::mutex> lock(mutex_);
  if (!Authorized(req, res) || Refused(req, res)) return;
  if (forbidden_.count(ns)) {
    Answer(res, 403, "Forbidden",
           "events is forbidden: User \"system:serviceaccount:pullguard-system:pullguard-audit\" cannot create resource "
           "\"events\" in API group \"\" in the namespace \"" + ns + "\"");
    return;
  }
  json body = json::parse(req.body, nullptr, false);
  if (!body.is_object()) {
    Answer(res, 400, "BadRequest", "the body is not a JSON object");
    return;
  }
  if (std::string meta_ns = FieldValue(body, "metadata.namespace"); !meta_ns.empty() && meta_ns != ns) {
    Answer(res, 400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
    return;
  }
  std::string name = FieldValue(body, "metadata.name");
  if (name.empty() && !FieldValue(body, "metadata.generateName").empty()) {
    name = FieldValue(body, "metadata.generateName") + std::to_string(100000 + resource_version_);
  }
  std::string involved_ns = FieldValue(body, "involvedObject.namespace");
  std::vector<std::string> invalid;
  if (name.empty()) invalid.push_back("metadata.name: Required value: name or generateName is required");
  if (involved_ns != ns) invalid.push_back("involvedObject.namespace: Invalid value: \"" + involved_ns + "\": does not match event.namespace");
  if (FieldValue(body, "reason").empty()) invalid.push_back("reason: Required value");
  if (!invalid.empty()) {
    std::string all;
    for (const auto& i : invalid) all += (all.empty() ? "" : ", ") + i;
    Answer(res, 422, "Invalid", "Event \"" + name + "\" is invalid: " + all);
    return;
  }
  for (const json& e : events_) {
    if (FieldValue(e, "metadata.namespace") == ns && FieldValue(e, "metadata.name") == name) {
      Answer(res, 409, "AlreadyExists", "events \"" + name + "\" already exists");
      return;
    }
  }
  body["kind"] = "Event";
  body["apiVersion"] = "v1";
  body["metadata"]["name"] = name;
  body["metadata"]["namespace"] = ns;
  body["metadata"]["uid"] = "e7e7e7e7-0000-4000-8000-" + std::to_string(100000000000 + resource_version_);
  body["metadata"]["resourceVersion"] = std::to_string(++resource_version_);
  events_.push_back(body);
  created_events_.push_back(body);
  res.status = 201;
  res.set_content(body.dump(), "application/json");
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
      {"admissionregistration.k8s.io/v1",
       {{"validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false},
        {"validatingadmissionpolicies", "ValidatingAdmissionPolicy", false},
        {"validatingadmissionpolicybindings", "ValidatingAdmissionPolicyBinding", false}}},
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

void FakeApiServer::AddServiceAccount(const std::string& ns, const std::string& name, const std::vector<std::string>& pull_secrets,
                                      const std::map<std::string, std::string>& annotations) {
  nlohmann::json refs = nlohmann::json::array();
  for (const auto& s : pull_secrets) refs.push_back({{"name", s}});
  nlohmann::json sa = {{"kind", "ServiceAccount"},
                       {"apiVersion", "v1"},
                       {"metadata", {{"name", name}, {"namespace", ns}, {"uid", "5a7e"}, {"resourceVersion", "1"}}}};
  if (!pull_secrets.empty()) sa["imagePullSecrets"] = refs;
  if (!annotations.empty()) sa["metadata"]["annotations"] = annotations;
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
                    {"status", {{"nodeInfo", {{"operatingSystem", os}, {"architecture", arch},
                                              {"containerRuntimeVersion", "containerd://1.7.22"}, {"kubeletVersion", "v1.30.4"}}},
                                {"images", image_list}}}});
  if (!taints.is_null()) nodes_.back()["spec"] = {{"taints", taints}};
}

void FakeApiServer::Serve(const std::string& kind, const httplib::Request& req, httplib::Response& res) {
  ServeObject(kind, req.matches[1], req.matches[2], req, res);
}

void FakeApiServer::ServeObject(const std::string& resource, const std::string& ns, const std::string& name,
                                const httplib::Request& req, httplib::Response& res) {
  ++requests_;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!Authorized(req, res) || Refused(req, res)) return;
  // "apps/deployments": resource "deployments" in API group "apps"; "secrets": the core group.
  size_t slash = resource.find('/');
  std::string group = slash == std::string::npos ? "" : resource.substr(0, slash);
  std::string plural = slash == std::string::npos ? resource : resource.substr(slash + 1);
  if (forbidden_.count(ns)) {
    res.status = 403;
    res.set_content(StatusBody(403, "Forbidden",
                               plural + " \"" + name + "\" is forbidden: User \"system:serviceaccount:pullguard-system:pullguard\" "
                               "cannot get resource \"" + plural + "\" in API group \"" + group + "\" in the namespace \"" + ns + "\"")
                        .dump(),
                    "application/json");
    return;
  }
  auto it = objects_.find(resource + "/" + ns + "/" + name);
  if (it == objects_.end()) {
    res.status = 404;
    res.set_content(StatusBody(404, "NotFound", plural + " \"" + name + "\" not found").dump(), "application/json");
    return;
  }
  res.set_content(it->second.dump(), "application/json");
}

void FakeApiServer::ServePodList(const httplib::Request& req, httplib::Response& res) {
  ++requests_;
  std::string ns = req.matches[1];
  std::lock_guard<std::mutex> lock(mutex_);
  if (!Authorized(req, res) || Refused(req, res)) return;
  if (forbidden_.count(ns)) {
    Answer(res, 403, "Forbidden",
           "pods is forbidden: User \"system:serviceaccount:pullguard-system:pullguard\" cannot list resource \"pods\" in "
           "API group \"\" in the namespace \"" + ns + "\"");
    return;
  }
  auto selector = ParseLabelSelector(req.has_param("labelSelector") ? req.get_param_value("labelSelector") : "");
  if (!selector) {
    Answer(res, 400, "BadRequest", "unable to parse requirement: " + req.get_param_value("labelSelector"));
    return;
  }
  std::vector<json> matching;
  const std::string prefix = "pods/" + ns + "/";
  for (const auto& [key, pod] : objects_) {
    if (key.rfind(prefix, 0) == 0 && LabelsMatch(*selector, pod)) matching.push_back(pod);
  }
  json page, meta;
  if (!PageOf(matching, req, res, page, meta)) return;
  ++pod_pages_;
  res.set_content(json{{"kind", "PodList"}, {"apiVersion", "v1"}, {"metadata", meta}, {"items", page}}.dump(), "application/json");
}

void FakeApiServer::ServeEvents(bool events_v1, const httplib::Request& req, httplib::Response& res) {
  ++requests_;
  std::string ns = req.matches[1];
  std::lock_guard<std::mutex> lock(mutex_);
  if (!Authorized(req, res) || Refused(req, res)) return;
  if (forbidden_.count(ns)) {
    Answer(res, 403, "Forbidden",
           "events" + std::string(events_v1 ? ".events.k8s.io" : "") +
               " is forbidden: User \"system:serviceaccount:pullguard-system:pullguard\" cannot list resource \"events\" in "
               "API group \"" + std::string(events_v1 ? "events.k8s.io" : "") + "\" in the namespace \"" + ns + "\"");
    return;
  }
  std::string bad;
  auto selector = ParseFieldSelector(req.has_param("fieldSelector") ? req.get_param_value("fieldSelector") : "", events_v1, &bad);
  if (!selector) {
    Answer(res, 400, "BadRequest", "field label not supported: " + bad);
    return;
  }
  std::vector<json> matching;
  for (const json& e : events_) {
    if (FieldValue(e, "metadata.namespace") != ns) continue;
    json shaped = events_v1 ? ToEventsV1(e) : e;
    if (FieldsMatch(*selector, shaped)) matching.push_back(std::move(shaped));
  }
  json page, meta;
  if (!PageOf(matching, req, res, page, meta)) return;
  res.set_content(json{{"kind", "EventList"}, {"apiVersion", events_v1 ? "events.k8s.io/v1" : "v1"}, {"metadata", meta},
                       {"items", page}}
                      .dump(),
                  "application/json");
}

bool FakeApiServer::Refused(const httplib::Request& req, httplib::Response& res) const {
  for (const auto& prefix : forbidden_paths_) {
    if (req.path.rfind(prefix, 0) == 0) {
      Answer(res, 403, "Forbidden", "forbidden: User \"system:serviceaccount:pullguard-system:pullguard\" cannot get path \"" +
                                        req.path + "\"");
      return true;
    }
  }
  for (const auto& prefix : hidden_paths_) {
    if (req.path.rfind(prefix, 0) == 0) {
      Answer(res, 404, "NotFound", "the server could not find the requested resource");
      return true;
    }
  }
  return false;
}

void FakeApiServer::AddPod(const nlohmann::json& pod) {
  std::string ns = FieldValue(pod, "metadata.namespace"), name = FieldValue(pod, "metadata.name");
  if (ns.empty() || name.empty()) throw std::invalid_argument("AddPod: a pod needs metadata.namespace and metadata.name");
  json stored = pod;
  stored["kind"] = "Pod";
  stored["apiVersion"] = "v1";
  std::lock_guard<std::mutex> lock(mutex_);
  objects_["pods/" + ns + "/" + name] = std::move(stored);
}

void FakeApiServer::AddEvent(const nlohmann::json& event) {
  json stored = event;
  stored["kind"] = "Event";
  stored["apiVersion"] = "v1";
  if (!stored.contains("metadata") || !stored["metadata"].is_object()) stored["metadata"] = json::object();
  std::lock_guard<std::mutex> lock(mutex_);
  int serial = ++event_serial_;
  json& meta = stored["metadata"];
  if (!meta.contains("namespace")) meta["namespace"] = FieldValue(stored, "involvedObject.namespace");
  if (!meta.contains("name")) meta["name"] = FieldValue(stored, "involvedObject.name") + ".17f0" + std::to_string(serial);
  if (!meta.contains("uid")) meta["uid"] = "e0e0e0e0-0000-4000-8000-" + std::to_string(100000000000 + serial);
  events_.push_back(std::move(stored));
}

void FakeApiServer::AddObject(const nlohmann::json& object) {
  std::string kind = FieldValue(object, "kind");
  auto it = Workloads().find(kind);
  if (it == Workloads().end()) throw std::invalid_argument("AddObject: not a kind the fake serves: " + kind);
  std::string ns = FieldValue(object, "metadata.namespace"), name = FieldValue(object, "metadata.name");
  if (ns.empty() || name.empty()) throw std::invalid_argument("AddObject: an object needs metadata.namespace and metadata.name");
  std::lock_guard<std::mutex> lock(mutex_);
  objects_[it->second.first + "/" + it->second.second + "/" + ns + "/" + name] = object;
}

void FakeApiServer::RemoveObject(const std::string& kind, const std::string& ns, const std::string& name) {
  std::string key;
  if (kind == "Pod") {
    key = "pods/" + ns + "/" + name;
  } else {
    auto it = Workloads().find(kind);
    if (it == Workloads().end()) throw std::invalid_argument("RemoveObject: not a kind the fake serves: " + kind);
    key = it->second.first + "/" + it->second.second + "/" + ns + "/" + name;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  objects_.erase(key);
}

void FakeApiServer::ExpireNextContinue() {
  std::lock_guard<std::mutex> lock(mutex_);
  expire_next_continue_ = true;
}

std::vector<nlohmann::json> FakeApiServer::CreatedEvents() {
  std::lock_guard<std::mutex> lock(mutex_);
  return created_events_;
}

nlohmann::json FakeApiServer::Lease(const std::string& ns, const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = objects_.find("coordination.k8s.io/leases/" + ns + "/" + name);
  return it == objects_.end() ? nlohmann::json() : it->second;
}

int FakeApiServer::list_pages(const std::string& resource) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = list_pages_.find(resource);
  return it == list_pages_.end() ? 0 : it->second;
}

void FakeApiServer::ForbidTokenRequests() {
  std::lock_guard<std::mutex> lock(mutex_);
  tokens_forbidden_ = true;
}

void FakeApiServer::LimitTokenAudiences(std::set<std::string> audiences) {
  std::lock_guard<std::mutex> lock(mutex_);
  token_audiences_ = std::move(audiences);
}

std::vector<nlohmann::json> FakeApiServer::TokenRequests() {
  std::lock_guard<std::mutex> lock(mutex_);
  return token_requests_;
}

std::vector<std::string> FakeApiServer::IssuedTokens() {
  std::lock_guard<std::mutex> lock(mutex_);
  return issued_tokens_;
}

int FakeApiServer::tokens_issued() {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(issued_tokens_.size());
}

void FakeApiServer::ForbidPath(const std::string& prefix) {
  std::lock_guard<std::mutex> lock(mutex_);
  forbidden_paths_.push_back(prefix);
}

void FakeApiServer::HidePath(const std::string& prefix) {
  std::lock_guard<std::mutex> lock(mutex_);
  hidden_paths_.push_back(prefix);
}

std::string FakeApiServer::Kubeconfig(const std::string& ca, const std::string& token_file, const std::string& ns) const {
  return "apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n- name: test\n  cluster:\n    server: https://127.0.0.1:" +
         std::to_string(port_) + "\n    certificate-authority: " + ca +
         "\nusers:\n- name: pullguard\n  user:\n    tokenFile: " + token_file +
         "\ncontexts:\n- name: test\n  context:\n    cluster: test\n    user: pullguard\n" +
         (ns.empty() ? "" : "    namespace: " + ns + "\n");
}

}  // namespace pullguard::testing
