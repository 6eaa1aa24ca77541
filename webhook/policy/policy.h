// Policy: what pullguard checks and what it does with each finding. Loaded from YAML
// (policy_yaml.h); every field has its documented default here.
// Thread-safety: immutable once built; share as std::shared_ptr<const Policy>.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/finding.h"
#include "common/reason.h"

namespace pullguard::policy {

// A rule on images that may be pulled fine but that the cluster's owners do not want.
struct ImageRules {
  // Registry hosts allowed (globs over the normalized host, e.g. "*.example.com",
  // "docker.io"). Empty: every registry is allowed.
  std::vector<std::string> allowed_registries;
  Action registry_not_allowed = Action::kDeny;
  // Images that pull ":latest", explicitly or by having no tag. Default: allowed.
  Action latest_tag = Action::kIgnore;
  // Images without a digest. Default: allowed.
  Action missing_digest = Action::kIgnore;
};

struct Policy {
  // Action per reason code; reasons not named keep DefaultAction() (DESIGN.md's table).
  std::map<Reason, Action> actions;
  // Namespaces whose workloads are not checked at all (globs, e.g. "kube-*").
  std::vector<std::string> exempt_namespaces;
  // Images not checked (globs over the image as written and its normalized form; "**" crosses
  // '/', e.g. "registry.example.com/sandbox/**").
  std::vector<std::string> exempt_images;
  ImageRules rules;

  Action ActionFor(Reason reason) const;
  bool IsNamespaceExempt(const std::string& ns) const;
  bool IsImageExempt(const std::string& written, const std::string& normalized) const;
  bool IsRegistryAllowed(const std::string& registry) const;
};

// The decision for one object: what denies it and what only warns.
struct Verdict {
  std::vector<Finding> denials;
  std::vector<Finding> warnings;
  bool allowed() const { return denials.empty(); }
};

// Sets each finding's action from the policy, unless a rule already chose one
// (PolicyViolation findings carry their rule's action), and sorts them into a Verdict.
// Ignored findings are dropped.
Verdict Decide(std::vector<Finding> findings, const Policy& policy);

}  // namespace pullguard::policy
