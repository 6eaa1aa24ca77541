#include "policy/policy.h"

#include "common/glob.h"

namespace pullguard::policy {
namespace {

bool AnyMatch(const std::vector<std::string>& patterns, const std::string& text, GlobMode mode) {
  for (const auto& pattern : patterns) {
    auto matched = GlobMatch(pattern, text, mode);
    if (matched.ok() && matched.value()) return true;  // patterns are validated at load
  }
  return false;
}

}  // namespace

std::map<Reason, Action> Policy::DefaultActions() {
  std::map<Reason, Action> actions;
  for (Reason r : AllReasons()) actions[r] = DefaultAction(r);
  return actions;
}

Action Policy::ActionFor(Reason reason) const {
  auto it = actions.find(reason);
  return it == actions.end() ? DefaultAction(reason) : it->second;
}

bool Policy::IsNamespaceExempt(const std::string& ns) const {
  return AnyMatch(exempt_namespaces, ns, GlobMode::kPath);
}

bool Policy::IsImageExempt(const std::string& written, const std::string& normalized) const {
  return AnyMatch(exempt_images, written, GlobMode::kPathWithDoubleStar) ||
         (!normalized.empty() && AnyMatch(exempt_images, normalized, GlobMode::kPathWithDoubleStar));
}

bool Policy::IsPrepulled(const std::string& written, const std::string& normalized) const {
  return AnyMatch(prepulled, written, GlobMode::kPathWithDoubleStar) ||
         (!normalized.empty() && AnyMatch(prepulled, normalized, GlobMode::kPathWithDoubleStar));
}

bool Policy::IsRegistryAllowed(const std::string& registry) const {
  return rules.allowed_registries.empty() || AnyMatch(rules.allowed_registries, registry, GlobMode::kPath);
}

RegistrySettings Policy::SettingsFor(const std::string& registry) const {
  for (const auto& r : registries) {
    auto matched = GlobMatch(r.host, registry, GlobMode::kPath);
    if (matched.ok() && matched.value()) return r;
  }
  RegistrySettings defaults;
  defaults.host = registry;
  return defaults;
}

Verdict Decide(std::vector<Finding> findings, const Policy& policy) {
  Verdict verdict;
  for (auto& finding : findings) {
    if (!finding.action_fixed) finding.action = policy.ActionFor(finding.reason);
    if (finding.at_most_warn && finding.action == Action::kDeny) finding.action = Action::kWarn;
    switch (finding.action) {
      case Action::kDeny:
        verdict.denials.push_back(std::move(finding));
        break;
      case Action::kWarn:
        verdict.warnings.push_back(std::move(finding));
        break;
      case Action::kIgnore:
        break;
    }
  }
  return verdict;
}

}  // namespace pullguard::policy
