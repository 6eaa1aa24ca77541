#include "audit/distinct_images.h"

#include <algorithm>
#include <map>

#include "reference/image.h"

namespace pullguard::audit {

std::string NormalizedImage(const std::string& written) {
  auto parsed = reference::ParseImage(written);
  if (!parsed.ok()) return written;
  const reference::Image& image = parsed.value();
  // What is pulled: name@digest, or name:tag (latest when there is none).
  if (image.HasDigest()) return image.Normalized();
  return image.ref.Name() + ":" + image.PullReference();
}

ImageDemand CountDistinctImages(const std::vector<Workload>& workloads) {
  ImageDemand out;
  std::map<std::string, size_t> index;  // key -> position in out.checks
  for (size_t w = 0; w < workloads.size(); ++w) {
    const Workload& workload = workloads[w];
    std::vector<std::string> secrets;
    for (const auto& ref : workload.spec.pull_secrets) secrets.push_back(ref.name);
    std::sort(secrets.begin(), secrets.end());
    secrets.erase(std::unique(secrets.begin(), secrets.end()), secrets.end());
    std::string account;
    if (workload.kind != "Pod") account = workload.spec.service_account.empty() ? "default" : workload.spec.service_account;
    std::string context = workload.ns + "|" + account + "|";
    for (const auto& s : secrets) context += s + ",";
    std::set<std::string> mine;  // a workload naming an image twice needs one check
    for (const workload::ImageUse& use : workload.spec.images) {
      ++out.image_uses;
      if (use.pull_policy == "Never") {
        ++out.never_pulled;
        continue;
      }
      std::string image = NormalizedImage(use.image);
      out.images.insert(image);
      std::string key = image + "|" + context;
      if (!mine.insert(key).second) continue;
      auto [it, added] = index.emplace(key, out.checks.size());
      if (added) out.checks.push_back({image, workload.ns, secrets, account, {}});
      out.checks[it->second].workloads.push_back(w);
    }
  }
  return out;
}

}  // namespace pullguard::audit
