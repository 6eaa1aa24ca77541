// Lists the workloads `pullguard audit` re-checks, kind by kind, page by page (`limit` and
// `continue`, as client-go's pager): each page is read into audit::Workload values and
// dropped, so memory holds pod specs, never whole pages. A `continue` token that expired
// (410 Gone: the list took longer than etcd keeps its snapshot) restarts that kind's list
// once. A kind that cannot be listed (403: RBAC; an API the server does not serve) is named
// with why, and the other kinds go on: the caller knows which kinds were listed whole.
// Thread-safety: ListWorkloads may be called from any thread (ApiClient's methods are).
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "audit/workload.h"
#include "kube/api_client.h"

namespace pullguard::audit {

struct ListOptions {
  std::string ns;           // "" : every namespace
  std::set<std::string> kinds;  // only these (AuditedKind::kind, e.g. "CronJob"); empty: every audited kind
  size_t page_size = 100;   // items per page (limit=)
  size_t max_items = 200000;  // per kind; past it the kind counts as not listed whole
  std::chrono::milliseconds timeout{30000};  // per page
};

struct Listing {
  std::vector<Workload> workloads;        // in AuditedKinds() order, then as the API lists them
  std::vector<Workload> unreadable;       // pod spec does not decode: identity only
  std::vector<std::string> unreadable_why;  // per `unreadable` entry
  std::map<std::string, size_t> skipped;  // SkipName -> count
  std::set<std::string> complete_kinds;   // kinds listed to their last page
  std::map<std::string, std::string> failed_kinds;  // kind -> why it could not be listed
  size_t pages = 0;
};

Listing ListWorkloads(kube::ApiClient& api, const ListOptions& options);

}  // namespace pullguard::audit
