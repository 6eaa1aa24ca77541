#include "checker/checker.h"

#include "checker/image_rules.h"
#include "reference/image.h"

namespace pullguard::checker {

std::vector<Finding> Checker::Check(const CheckRequest& request, const policy::Policy& policy) const {
  std::vector<Finding> findings;
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
  }
  return findings;
}

}  // namespace pullguard::checker
