#include "checker/placement.h"

#include <algorithm>
#include <charconv>

namespace pullguard::checker {
namespace {

constexpr const char* kOsLabel = "kubernetes.io/os";
constexpr const char* kArchLabel = "kubernetes.io/arch";

std::optional<long long> Integer(const std::string& text) {
  long long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

bool Contains(const std::vector<std::string>& values, const std::string& v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

// One requirement against a value that is there (`value`) or not (nullopt).
bool Holds(const NodeSelectorRequirement& r, const std::optional<std::string>& value) {
  if (r.op == "In") return value && Contains(r.values, *value);
  if (r.op == "NotIn") return !value || !Contains(r.values, *value);
  if (r.op == "Exists") return value.has_value();
  if (r.op == "DoesNotExist") return !value.has_value();
  if (r.op == "Gt" || r.op == "Lt") {
    if (!value || r.values.size() != 1) return false;
    auto have = Integer(*value);
    auto want = Integer(r.values[0]);
    if (!have || !want) return false;
    return r.op == "Gt" ? *have > *want : *have < *want;
  }
  return false;  // the API server refuses other operators
}

std::optional<std::string> Label(const std::map<std::string, std::string>& labels, const std::string& key) {
  auto it = labels.find(key);
  if (it == labels.end()) return std::nullopt;
  return it->second;
}

bool TermMatches(const NodeSelectorTerm& term, const NodeInfo& node) {
  if (term.match_expressions.empty() && term.match_fields.empty()) return false;
  for (const auto& r : term.match_expressions) {
    if (!Holds(r, Label(node.labels, r.key))) return false;
  }
  for (const auto& r : term.match_fields) {
    if (r.key != "metadata.name" || !Holds(r, node.name)) return false;
  }
  return true;
}

// Could a node of platform `p` meet the term? Only its os and arch requirements are known for
// a platform; every other one is taken as met.
bool TermAllowsPlatform(const NodeSelectorTerm& term, const Platform& p) {
  if (term.match_expressions.empty() && term.match_fields.empty()) return false;
  for (const auto& r : term.match_expressions) {
    if (r.key == kOsLabel && !Holds(r, p.os)) return false;
    if (r.key == kArchLabel && !Holds(r, p.architecture)) return false;
  }
  return true;
}

}  // namespace

bool Tolerates(const Toleration& t, const Taint& taint) {
  if (!t.effect.empty() && t.effect != taint.effect) return false;
  if (t.op == "Exists") return t.key.empty() || t.key == taint.key;
  return t.key == taint.key && t.value == taint.value;  // Equal
}

bool MayLandOn(const Placement& placement, const NodeInfo& node) {
  if (!placement.node_name.empty()) return node.name == placement.node_name;  // no scheduler, no taint check
  for (const auto& [key, value] : placement.node_selector) {
    auto label = node.labels.find(key);
    if (label == node.labels.end() || label->second != value) return false;
  }
  if (placement.required_terms) {
    const auto& terms = *placement.required_terms;
    if (std::none_of(terms.begin(), terms.end(), [&node](const NodeSelectorTerm& t) { return TermMatches(t, node); })) {
      return false;
    }
  }
  for (const auto& taint : node.taints) {
    if (taint.effect != "NoSchedule" && taint.effect != "NoExecute") continue;
    auto tolerated = [&taint](const Toleration& t) { return Tolerates(t, taint); };
    if (std::none_of(placement.tolerations.begin(), placement.tolerations.end(), tolerated)) return false;
  }
  return true;
}

std::vector<Toleration> DaemonSetTolerations() {
  return {
      {"node.kubernetes.io/not-ready", "Exists", "", "NoExecute"},
      {"node.kubernetes.io/unreachable", "Exists", "", "NoExecute"},
      {"node.kubernetes.io/disk-pressure", "Exists", "", "NoSchedule"},
      {"node.kubernetes.io/memory-pressure", "Exists", "", "NoSchedule"},
      {"node.kubernetes.io/pid-pressure", "Exists", "", "NoSchedule"},
      {"node.kubernetes.io/unschedulable", "Exists", "", "NoSchedule"},
  };
}

std::vector<Platform> RequiredPlatforms(const std::vector<Platform>& node_platforms, const Placement& placement) {
  const auto& selector = placement.node_selector;
  auto os = selector.find(kOsLabel);
  auto arch = selector.find(kArchLabel);
  std::vector<Platform> narrowed;
  for (const auto& p : node_platforms) {
    if (os != selector.end() && p.os != os->second) continue;
    if (arch != selector.end() && p.architecture != arch->second) continue;
    if (placement.required_terms) {
      const auto& terms = *placement.required_terms;
      if (std::none_of(terms.begin(), terms.end(), [&p](const NodeSelectorTerm& t) { return TermAllowsPlatform(t, p); })) {
        continue;
      }
    }
    narrowed.push_back(p);
  }
  // Pinned to an architecture the list does not have: that is what the nodes need (linux
  // unless the selector says otherwise).
  if (narrowed.empty() && arch != selector.end()) {
    narrowed.push_back({os != selector.end() ? os->second : "linux", arch->second, ""});
  }
  return narrowed;
}

}  // namespace pullguard::checker
