#include "admission/review.h"

#include <simdjson.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace pullguard::admission {
namespace {

using nlohmann::json;

// What the check reads of a review, whichever parser read it. Of request.object and
// request.oldObject everything but metadata and status: in the API server's reviews those
// (managedFields, the last-applied-configuration annotation) are most of the body.
struct Fields {
  std::string api_version, kind;
  bool has_request = false;
  std::string uid, operation, sub_resource, name, ns;
  bool has_kind = false;
  std::string group, version, kind_kind;
  bool dry_run = false;
  json object, old_object;
};

bool SkippedInObject(std::string_view key) { return key == "metadata" || key == "status"; }

// --- simdjson: the fast path -------------------------------------------------------------

json ToJson(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::ARRAY: {
      json out = json::array();
      simdjson::dom::array array = e.get_array().value_unsafe();
      for (simdjson::dom::element v : array) out.push_back(ToJson(v));
      return out;
    }
    case element_type::OBJECT: {
      json out = json::object();
      simdjson::dom::object object = e.get_object().value_unsafe();
      for (auto field : object) out[std::string(field.key)] = ToJson(field.value);
      return out;
    }
    case element_type::INT64:
      return e.get_int64().value_unsafe();
    case element_type::UINT64:
      return e.get_uint64().value_unsafe();
    case element_type::DOUBLE:
      return e.get_double().value_unsafe();
    case element_type::STRING:
      return std::string(e.get_string().value_unsafe());
    case element_type::BOOL:
      return e.get_bool().value_unsafe();
    case element_type::NULL_VALUE:
      return nullptr;
  }
  return nullptr;
}

json ObjectToJson(simdjson::dom::element e) {
  if (!e.is_object()) return ToJson(e);
  json out = json::object();
  simdjson::dom::object object = e.get_object().value_unsafe();
  for (auto field : object) {
    if (!SkippedInObject(field.key)) out[std::string(field.key)] = ToJson(field.value);
  }
  return out;
}

std::string String(simdjson::dom::element e) { return e.is_string() ? std::string(e.get_string().value_unsafe()) : ""; }

// Later keys win, as with nlohmann's parser.
void Extract(simdjson::dom::element root, Fields& f) {
  simdjson::dom::object root_object = root.get_object().value_unsafe();
  for (auto top : root_object) {
    if (top.key == "apiVersion") f.api_version = String(top.value);
    else if (top.key == "kind") f.kind = String(top.value);
    else if (top.key == "request" && top.value.is_object()) {
      f.has_request = true;
      simdjson::dom::object request = top.value.get_object().value_unsafe();
      for (auto r : request) {
        std::string_view k = r.key;
        if (k == "uid") f.uid = String(r.value);
        else if (k == "operation") f.operation = String(r.value);
        else if (k == "subResource") f.sub_resource = String(r.value);
        else if (k == "name") f.name = String(r.value);
        else if (k == "namespace") f.ns = String(r.value);
        else if (k == "dryRun") f.dry_run = r.value.is_bool() && r.value.get_bool().value_unsafe();
        else if (k == "object") f.object = ObjectToJson(r.value);
        else if (k == "oldObject") f.old_object = ObjectToJson(r.value);
        else if (k == "kind" && r.value.is_object()) {
          f.has_kind = true;
          f.group = f.version = f.kind_kind = "";
          simdjson::dom::object kind = r.value.get_object().value_unsafe();
          for (auto g : kind) {
            if (g.key == "group") f.group = String(g.value);
            else if (g.key == "version") f.version = String(g.value);
            else if (g.key == "kind") f.kind_kind = String(g.value);
          }
        }
      }
    }
  }
}

// --- nlohmann: numbers simdjson refuses (beyond 64 bits) -----------------------------------

std::string StringField(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

Status ExtractWithNlohmann(std::string_view body, Fields& f) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("the body is not valid JSON");
  if (!doc.is_object()) return Status::InvalidArgument("the body must be a JSON object (an AdmissionReview)");
  f.api_version = StringField(doc, "apiVersion");
  f.kind = StringField(doc, "kind");
  auto req_it = doc.find("request");
  if (req_it == doc.end() || !req_it->is_object()) return Status::Ok();
  json& req = *req_it;
  f.has_request = true;
  f.uid = StringField(req, "uid");
  f.operation = StringField(req, "operation");
  f.sub_resource = StringField(req, "subResource");
  f.name = StringField(req, "name");
  f.ns = StringField(req, "namespace");
  auto dry_it = req.find("dryRun");
  f.dry_run = dry_it != req.end() && dry_it->is_boolean() && dry_it->get<bool>();
  if (auto it = req.find("kind"); it != req.end() && it->is_object()) {
    f.has_kind = true;
    f.group = StringField(*it, "group");
    f.version = StringField(*it, "version");
    f.kind_kind = StringField(*it, "kind");
  }
  for (auto [key, target] : {std::pair<const char*, json*>{"object", &f.object}, {"oldObject", &f.old_object}}) {
    auto it = req.find(key);
    if (it == req.end()) continue;
    *target = std::move(*it);
    if (target->is_object()) {
      target->erase("metadata");
      target->erase("status");
    }
  }
  return Status::Ok();
}

// simdjson parsers keep their buffers (about 13 bytes per byte of capacity) for the next
// parse. A few are kept for ordinary reviews, as many as there are cores to parse on; a review
// larger than kPooledCapacity, or one arriving while all are in use, gets a parser of its own,
// freed after. So memory stays bounded whatever the worker count: a parser per worker (64)
// kept at 256 KB would be 200 MB.
constexpr size_t kPooledCapacity = 64 * 1024;
// kMaxJsonDepth nested levels pass, one more does not (as JsonDepth counts them; tested).
constexpr size_t kParserDepth = kMaxJsonDepth;

class ParserPool {
 public:
  std::unique_ptr<simdjson::dom::parser> Take(size_t size) {
    if (size <= kPooledCapacity) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!free_.empty()) {
        auto p = std::move(free_.back());
        free_.pop_back();
        return p;
      }
    }
    auto p = std::make_unique<simdjson::dom::parser>(std::max(size, kPooledCapacity));
    if (p->allocate(std::max<size_t>(size, 16 * 1024), kParserDepth) != simdjson::SUCCESS) return nullptr;
    return p;
  }
  void Give(std::unique_ptr<simdjson::dom::parser> p, size_t size) {
    if (p == nullptr || size > kPooledCapacity) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (free_.size() < kKept) free_.push_back(std::move(p));
  }

 private:
  const size_t kKept = std::max(4u, 2 * std::thread::hardware_concurrency());
  std::mutex mutex_;
  std::vector<std::unique_ptr<simdjson::dom::parser>> free_;
};

ParserPool& Parsers() {
  static ParserPool* pool = new ParserPool();  // lives until exit; workers may parse late
  return *pool;
}

Status TooDeep() {
  return Status::InvalidArgument("the body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
}

Status ExtractFields(std::string_view body, Fields& f) {
  std::unique_ptr<simdjson::dom::parser> parser = Parsers().Take(body.size());
  if (parser == nullptr) return Status::InvalidArgument("the body is too large to parse");
  struct GiveBack {
    std::unique_ptr<simdjson::dom::parser>& parser;
    size_t size;
    ~GiveBack() { Parsers().Give(std::move(parser), size); }
  } give_back{parser, body.size()};
  simdjson::dom::element root;
  auto error = parser->parse(body.data(), body.size()).get(root);
  if (error == simdjson::DEPTH_ERROR) return TooDeep();
  if (error == simdjson::NUMBER_OUT_OF_RANGE || error == simdjson::NUMBER_ERROR) {
    // Integers beyond 64 bits: nlohmann reads them as doubles, as before. Its recursive
    // destructor needs the depth bounded first.
    if (JsonDepth(body, kMaxJsonDepth) > kMaxJsonDepth) return TooDeep();
    return ExtractWithNlohmann(body, f);
  }
  if (error) return Status::InvalidArgument("the body is not valid JSON");
  if (!root.is_object()) return Status::InvalidArgument("the body must be a JSON object (an AdmissionReview)");
  Extract(root, f);
  return Status::Ok();
}

}  // namespace

int JsonDepth(std::string_view text, int limit) {
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) max_depth = depth;
      if (max_depth > limit) return max_depth;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return max_depth;
}

Result<ReviewRequest> DecodeReview(std::string_view body) {
  Fields f;
  RETURN_IF_ERROR(ExtractFields(body, f));
  if (f.api_version != kAdmissionV1 && f.api_version != kAdmissionV1beta1) {
    return Status::InvalidArgument("apiVersion must be admission.k8s.io/v1 or admission.k8s.io/v1beta1, not \"" +
                                   f.api_version + "\"");
  }
  if (f.kind != "AdmissionReview") return Status::InvalidArgument("kind must be AdmissionReview");
  if (!f.has_request) return Status::InvalidArgument("the AdmissionReview has no request object");
  ReviewRequest out;
  out.api_version = f.api_version;
  out.uid = std::move(f.uid);
  if (out.uid.empty()) return Status::InvalidArgument("request.uid is missing");
  if (!f.has_kind || f.kind_kind.empty()) return Status::InvalidArgument("request.kind.kind is missing");
  out.kind = {std::move(f.group), std::move(f.version), std::move(f.kind_kind)};
  out.sub_resource = std::move(f.sub_resource);
  out.name = std::move(f.name);
  out.ns = std::move(f.ns);
  out.operation = std::move(f.operation);
  if (out.operation.empty()) return Status::InvalidArgument("request.operation is missing");
  out.dry_run = f.dry_run;
  out.object = std::move(f.object);
  out.old_object = std::move(f.old_object);
  return out;
}

}  // namespace pullguard::admission
