#include "admission/check_object.h"

#include <algorithm>
#include <set>

#include "admission/pod_spec.h"
#include "admission/workload.h"
#include "checker/pod_credentials.h"
#include "reference/image.h"

namespace pullguard::admission {

Result<ObjectResult> CheckObject(const ObjectToCheck& target, const checker::Checker& checker,
                                 const policy::Policy& policy, auth::SecretSource* secrets,
                                 std::chrono::steady_clock::time_point deadline) {
  ObjectResult result;
  std::string prefix;
  ASSIGN_OR_RETURN(const nlohmann::json* spec, FindPodSpec(target.group, target.kind, *target.object, &prefix));
  if (spec == nullptr) return result;
  ASSIGN_OR_RETURN(std::vector<checker::ImageUse> images, ImagesOfPodSpec(*spec, prefix));
  if (target.old_images != nullptr) {
    std::set<std::string> seen(target.old_images->begin(), target.old_images->end());
    images.erase(std::remove_if(images.begin(), images.end(), [&](const auto& u) { return seen.count(u.image) > 0; }),
                 images.end());
  }
  result.images = images.size();
  if (images.empty()) return result;

  std::vector<std::string> registries;
  for (const auto& use : images) {
    auto image = reference::ParseImage(use.image);
    if (image.ok() && std::find(registries.begin(), registries.end(), image->registry()) == registries.end()) {
      registries.push_back(image->registry());
    }
  }
  std::vector<Finding> findings;
  checker::PodCredentials creds;
  bool with_registry = checker.checks_registries() && policy.check_registries;
  if (with_registry) {
    creds = checker::ResolvePodCredentials(target.ns, PullSecretRefsOfPodSpec(*spec, prefix), registries, secrets,
                                           checker.NodeCredentials(policy));
    findings = creds.findings;
  }
  checker::CheckRequest request;
  request.ns = target.ns;
  request.images = std::move(images);
  request.credentials = &creds.credentials;
  request.node_selector = NodeSelectorOfPodSpec(*spec);
  request.deadline = deadline;
  std::vector<Finding> image_findings = checker.Check(request, policy);
  findings.insert(findings.end(), image_findings.begin(), image_findings.end());
  result.verdict = policy::Decide(std::move(findings), policy);
  return result;
}

}  // namespace pullguard::admission
