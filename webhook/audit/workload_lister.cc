#include "audit/workload_lister.h"

#include <nlohmann/json.hpp>

#include "kube/pod_reader.h"

namespace pullguard::audit {
namespace {

using nlohmann::json;

constexpr int kGone = 410;

// Lists one kind whole into `out`; false with `*why` when it could not.
bool ListKind(kube::ApiClient& api, const AuditedKind& kind, const ListOptions& options, Listing& out, std::string* why) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    // A restarted list starts over: drop what the expired one read of this kind.
    std::vector<Workload> workloads, unreadable;
    std::vector<std::string> unreadable_why;
    std::map<std::string, size_t> skipped;
    size_t items = 0;
    std::string path = std::string(kind.api_prefix) +
                       (options.ns.empty() ? "" : "/namespaces/" + kube::QueryEscape(options.ns)) + "/" + kind.resource;
    std::string next;
    bool expired = false;
    while (true) {
      std::string url = path + "?limit=" + std::to_string(options.page_size);
      if (!next.empty()) url += "&continue=" + kube::QueryEscape(next);
      kube::ApiResponse r = api.Get(url, options.timeout);
      ++out.pages;
      if (r.status == kGone && !next.empty()) {
        expired = true;
        break;
      }
      if (r.status != 200) {
        *why = kube::ReadFailure(r, "list", kind.resource, options.ns).message();
        return false;
      }
      json doc = json::parse(r.body, nullptr, false);
      if (!doc.is_object()) {
        *why = std::string("the Kubernetes API answered a ") + kind.resource + " list that is not JSON";
        return false;
      }
      auto list = doc.find("items");
      if (list != doc.end() && !list->is_null() && !list->is_array()) {
        *why = std::string("the Kubernetes API answered a ") + kind.resource + " list whose items are no list";
        return false;
      }
      if (list != doc.end() && list->is_array()) {
        for (const json& item : *list) {
          if (++items > options.max_items) {
            *why = std::string("more than ") + std::to_string(options.max_items) + " " + kind.resource;
            return false;
          }
          ReadItem read = ReadWorkload(kind, item);
          if (read.skip != Skip::kNone) {
            ++skipped[std::string(SkipName(read.skip))];
          } else if (!read.error.empty()) {
            unreadable.push_back(std::move(read.workload));
            unreadable_why.push_back(std::move(read.error));
          } else {
            workloads.push_back(std::move(read.workload));
          }
        }
      }
      next.clear();
      if (auto meta = doc.find("metadata"); meta != doc.end() && meta->is_object()) {
        if (auto c = meta->find("continue"); c != meta->end() && c->is_string()) next = c->get<std::string>();
      }
      if (next.empty()) break;
    }
    if (expired) continue;
    for (auto& w : workloads) out.workloads.push_back(std::move(w));
    for (size_t i = 0; i < unreadable.size(); ++i) {
      out.unreadable.push_back(std::move(unreadable[i]));
      out.unreadable_why.push_back(std::move(unreadable_why[i]));
    }
    for (const auto& [name, n] : skipped) out.skipped[name] += n;
    return true;
  }
  *why = std::string("the ") + kind.resource + " list expired twice while it was read (410 Gone)";
  return false;
}

}  // namespace

Listing ListWorkloads(kube::ApiClient& api, const ListOptions& options) {
  Listing out;
  ListOptions o = options;
  if (o.page_size == 0) o.page_size = 100;
  for (const AuditedKind& kind : AuditedKinds()) {
    if (!o.kinds.empty() && !o.kinds.count(kind.kind)) continue;
    std::string why;
    if (ListKind(api, kind, o, out, &why)) {
      out.complete_kinds.insert(kind.kind);
    } else {
      out.failed_kinds[kind.kind] = why;
    }
  }
  return out;
}

}  // namespace pullguard::audit
