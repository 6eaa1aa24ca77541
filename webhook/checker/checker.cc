#include "checker/checker.h"

#include "checker/image_rules.h"
#include "checker/platforms.h"
#include "reference/image.h"

namespace pullguard::checker {
namespace {

registry::ProbeTarget TargetFor(const reference::Image& image, const CheckRequest& request,
                                const policy::Policy& policy, const std::vector<registry::Platform>& platforms) {
  registry::ProbeTarget t;
  t.registry = image.registry();
  t.repository = image.repository();
  t.by_digest = image.HasDigest();
  t.reference = image.PullReference();
  // The kubelet looks credentials up by the image's name without tag or digest.
  if (request.credentials) t.credentials = request.credentials->Lookup(image.ref.Name());
  t.platforms = platforms;
  policy::RegistrySettings s = policy.SettingsFor(image.registry());
  t.settings = {s.ca_file, s.insecure, s.mirror, s.allow_private_address};
  t.deadline = request.deadline;
  return t;
}

}  // namespace

Checker::Checker(registry::Prober& prober, size_t threads)
    : registry_checks_(std::make_unique<RegistryChecks>(prober, threads)) {}

auth::Keyring Checker::NodeCredentials(const policy::Policy& policy) const {
  return node_keyring_.Get(policy.node_docker_config);
}

std::vector<Finding> Checker::Check(const CheckRequest& request, const policy::Policy& policy) const {
  std::vector<Finding> findings;
  std::vector<registry::ProbeTarget> targets;
  std::vector<std::pair<const ImageUse*, std::string>> probed;  // use, normalized
  bool probe = registry_checks_ && policy.check_registries;
  std::vector<registry::Platform> platforms =
      RequiredPlatforms(request.platforms.empty() ? policy.platforms : request.platforms, request.node_selector);
  for (const auto& use : request.images) {
    auto image = reference::ParseImage(use.image);
    std::string normalized = image.ok() ? image->Normalized() : "";
    if (policy.IsImageExempt(use.image, normalized)) continue;
    if (!image.ok()) {
      findings.push_back(InvalidReferenceFinding(use, image.error()));
      continue;
    }
    auto rule_findings = RuleFindings(use, image.value(), policy);
    findings.insert(findings.end(), rule_findings.begin(), rule_findings.end());
    // Registries outside the allowed list are never contacted.
    if (probe && policy.IsRegistryAllowed(image->registry())) {
      targets.push_back(TargetFor(image.value(), request, policy, platforms));
      probed.emplace_back(&use, normalized);
    }
  }
  if (targets.empty()) return findings;
  std::vector<registry::ProbeAnswer> answers = registry_checks_->Run(targets, policy, request.deadline);
  for (size_t i = 0; i < answers.size(); ++i) {
    const registry::ProbeAnswer& a = answers[i];
    if (a.ok) continue;
    Finding f;
    f.path = probed[i].first->path;
    f.image = probed[i].first->image;
    f.normalized = probed[i].second;
    f.reason = a.reason;
    f.detail = a.detail;
    f.fix = a.fix;
    // The only PolicyViolation a registry check finds is an address pullguard will not
    // contact: it could not check, so it warns.
    if (a.reason == Reason::kPolicyViolation) f.action = Action::kWarn;
    findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace pullguard::checker
