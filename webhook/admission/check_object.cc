#include "admission/check_object.h"

#include <algorithm>
#include <set>

#include "admission/pod_spec.h"
#include "admission/workload.h"
#include "checker/pod_credentials.h"
#include "reference/image.h"

namespace pullguard::admission {

namespace {

Finding AccountFinding(const std::string& path, const std::string& name, std::string detail, std::string fix) {
  Finding f;
  f.path = path;
  f.image = name;
  f.reason = Reason::kServiceAccountMissing;
  f.detail = std::move(detail);
  f.fix = std::move(fix);
  return f;
}

// The kubelet pulls a workload's pods with the pod's imagePullSecrets plus its
// ServiceAccount's; the API server merges the latter into Pods only, so for pod templates
// pullguard adds them itself. A workload whose ServiceAccount does not exist never gets pods.
void AddServiceAccountSecrets(const ObjectToCheck& target, const nlohmann::json& spec, const std::string& prefix,
                              auth::ServiceAccountSource* accounts, std::vector<checker::PullSecretRef>& refs,
                              std::vector<Finding>& findings) {
  if (accounts == nullptr || target.kind == "Pod") return;
  std::string field = "serviceAccountName";
  std::string name = spec.value("serviceAccountName", "");
  if (name.empty()) {
    name = spec.value("serviceAccount", "");
    if (!name.empty()) field = "serviceAccount";
  }
  if (name.empty()) name = "default";
  std::string path = prefix + "." + field;
  std::string where = target.ns + "/" + name;
  auto got = accounts->PullSecretsOf(target.ns, name);
  if (!got.ok()) {
    findings.push_back(AccountFinding(path, name, "ServiceAccount " + where + " could not be read: " + got.status().message(),
                                      "check pullguard's RBAC (get serviceaccounts)"));
    return;
  }
  if (!got.value()) {
    findings.push_back(AccountFinding(path, name, "ServiceAccount " + where + " does not exist, so no pod will be created",
                                      "create it (kubectl create serviceaccount " + name + " -n " + target.ns +
                                          ") or fix " + field));
    return;
  }
  const auto& names = *got.value();
  for (size_t i = 0; i < names.size(); ++i) {
    refs.push_back({"serviceaccounts/" + name + ".imagePullSecrets[" + std::to_string(i) + "]", names[i]});
  }
}

}  // namespace

Result<ObjectResult> CheckObject(const ObjectToCheck& target, const checker::Checker& checker,
                                 const policy::Policy& policy, const ClusterSources& sources,
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

  std::vector<Finding> findings;
  checker::PodCredentials creds;
  bool with_registry = checker.checks_registries() && policy.check_registries;
  if (with_registry) {
    // The registries the pod pulls from, for "this secret covers none of them".
    std::vector<std::string> registries;
    for (const auto& use : images) {
      auto image = reference::ParseImage(use.image);
      if (image.ok() && std::find(registries.begin(), registries.end(), image->registry()) == registries.end()) {
        registries.push_back(image->registry());
      }
    }
    std::vector<checker::PullSecretRef> refs = PullSecretRefsOfPodSpec(*spec, prefix);
    std::vector<Finding> account_findings;
    AddServiceAccountSecrets(target, *spec, prefix, sources.accounts, refs, account_findings);
    creds = checker::ResolvePodCredentials(target.ns, refs, registries, sources.secrets, checker.NodeCredentials(policy));
    findings = std::move(account_findings);
    findings.insert(findings.end(), creds.findings.begin(), creds.findings.end());
  }
  checker::CheckRequest request;
  request.ns = target.ns;
  request.images = std::move(images);
  request.credentials = &creds.credentials;
  request.node_selector = NodeSelectorOfPodSpec(*spec);
  if (with_registry && policy.platforms_from_nodes && sources.nodes != nullptr) {
    auto platforms = sources.nodes->Platforms();
    if (platforms.ok() && !platforms->empty()) request.platforms = std::move(platforms).value();  // else the policy's
  }
  request.deadline = deadline;
  std::vector<Finding> image_findings = checker.Check(request, policy);
  findings.insert(findings.end(), image_findings.begin(), image_findings.end());
  result.verdict = policy::Decide(std::move(findings), policy);
  return result;
}

}  // namespace pullguard::admission
