#include "checker/pull_plan.h"

#include <set>
#include <unordered_map>

#include "checker/finding_at.h"
#include "checker/image_rules.h"
#include "checker/node_images.h"
#include "checker/registry_findings.h"

namespace pullguard::checker {
namespace {

// Offline, a registry host such as "Team" is not looked up; say what the kubelet would do.
Finding UnlookedHostFinding(const ImageUse& use, const ParsedImage& p, const std::string& meant) {
  // The essentials first: a warning longer than 120 characters loses its fix.
  Finding f = FindingAt(use, p.normalized, Reason::kRegistryUnresolvable,
                        "did you mean \"" + meant + "\"? \"" + p.image.registry() + "\" is a host",
                        "the kubelet would pull from a registry named " + p.image.registry() +
                            " (not looked up: offline); Docker Hub names are lowercase");
  f.action = Action::kWarn;  // a guess without asking DNS never denies
  f.action_fixed = true;
  return f;
}

}  // namespace

PullPlan PlanPulls(const PodToCheck& pod, const policy::Policy& policy, bool probing) {
  PullPlan plan;
  std::set<std::string> known(pod.known_images.begin(), pod.known_images.end());
  // Each distinct image is parsed once and checked once, however many containers name it
  // (a review of 50,000 containers of one image is one check, not 50,000).
  std::unordered_map<std::string, size_t> parsed_index;  // image as written -> parsed
  for (const auto& use : pod.spec.images) {
    if (known.count(use.image) > 0) continue;
    auto [slot, fresh] = parsed_index.try_emplace(use.image, plan.parsed.size());
    if (fresh) {
      auto image = reference::ParseImage(use.image);
      if (!image.ok()) {
        if (!policy.IsImageExempt(use.image, "")) {
          ++plan.images;
          plan.findings.push_back(InvalidReferenceFinding(use, image.error()));
        }
        parsed_index.erase(slot);  // an invalid image is reported per use
        continue;
      }
      std::string normalized = image->Normalized();
      plan.parsed.push_back({std::move(image).value(), std::move(normalized)});
    }
    const size_t index = slot->second;
    const ParsedImage& p = plan.parsed[index];
    if (policy.IsImageExempt(use.image, p.normalized)) {
      plan.unchecked_pulls = true;  // the kubelet pulls it all the same
      continue;
    }
    ++plan.images;
    auto rule_findings = RuleFindings(use, p.image, policy);
    plan.findings.insert(plan.findings.end(), rule_findings.begin(), rule_findings.end());
    // Registries outside the allowed list are never contacted (a rule finding says why).
    if (!policy.IsRegistryAllowed(p.image.registry())) {
      plan.unchecked_pulls = true;
      continue;
    }
    // The kubelet never pulls it: only the nodes matter.
    if (PullPolicyOf(use.pull_policy, p.image) == PullPolicy::kNever) {
      plan.never_pulled.push_back({&use, index});
      continue;
    }
    if (!probing) {
      std::string meant = LowercaseHostSuggestion(use.image, p.image.registry());
      if (!meant.empty()) plan.findings.push_back(UnlookedHostFinding(use, p, meant));
      continue;
    }
    plan.to_probe.push_back({&use, index});
  }
  return plan;
}

}  // namespace pullguard::checker
