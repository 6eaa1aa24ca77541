#include "policy/policy_yaml.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "common/file_watch.h"
#include "common/glob.h"

namespace pullguard::policy {
namespace {

constexpr std::string_view kApiVersion = "pullguard.io/v1";

// Collects errors with positions as the document is walked.
class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  void Error(const YAML::Node& at, const std::string& field, const std::string& message) {
    const YAML::Mark mark = at.Mark();
    std::string where = source_;
    if (mark.line >= 0) where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    errors_.push_back(where + ": " + field + ": " + message);
  }

  // REQUIRES: node is a map. Reports keys outside `known`.
  void CheckKeys(const YAML::Node& node, const std::string& field, const std::set<std::string>& known) {
    for (const auto& entry : node) {
      std::string key = entry.first.Scalar();
      if (known.count(key) == 0) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        Error(entry.first, Join(field, key), "unknown field (known: " + list + ")");
      }
    }
  }

  bool ExpectMap(const YAML::Node& node, const std::string& field) {
    if (node.IsMap()) return true;
    Error(node, field, "must be a mapping");
    return false;
  }

  std::optional<Action> ReadAction(const YAML::Node& node, const std::string& field) {
    if (!node.IsScalar()) {
      Error(node, field, "must be deny, warn or ignore");
      return std::nullopt;
    }
    auto action = ParseAction(node.Scalar());
    if (!action) Error(node, field, "unknown action \"" + node.Scalar() + "\" (use deny, warn or ignore)");
    return action;
  }

  std::vector<std::string> ReadGlobs(const YAML::Node& node, const std::string& field) {
    std::vector<std::string> out;
    if (!node.IsSequence()) {
      Error(node, field, "must be a list of patterns");
      return out;
    }
    for (size_t i = 0; i < node.size(); ++i) {
      const YAML::Node item = node[i];
      std::string item_field = field + "[" + std::to_string(i) + "]";
      if (!item.IsScalar() || item.Scalar().empty()) {
        Error(item, item_field, "must be a non-empty string");
        continue;
      }
      Status valid = ValidateGlob(item.Scalar());
      if (!valid.ok()) {
        Error(item, item_field, valid.message());
        continue;
      }
      out.push_back(item.Scalar());
    }
    return out;
  }

  static std::string Join(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : parent + "." + key;
  }

  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::string source_;
  std::vector<std::string> errors_;
};

void ReadActions(Reader& r, const YAML::Node& node, Policy& policy) {
  if (!r.ExpectMap(node, "actions")) return;
  for (const auto& entry : node) {
    std::string name = entry.first.Scalar();
    auto reason = ParseReason(name);
    if (!reason) {
      r.Error(entry.first, "actions." + name, "unknown reason code (see DESIGN.md's findings table)");
      continue;
    }
    if (*reason == Reason::kPolicyViolation) {
      r.Error(entry.first, "actions." + name, "set per rule instead (rules.allowedRegistries.action, "
                                              "rules.latestTag.action, rules.requireDigest.action)");
      continue;
    }
    if (auto action = r.ReadAction(entry.second, "actions." + name)) policy.actions[*reason] = *action;
  }
}

void ReadExemptions(Reader& r, const YAML::Node& node, Policy& policy) {
  if (!r.ExpectMap(node, "exemptions")) return;
  r.CheckKeys(node, "exemptions", {"namespaces", "images"});
  if (node["namespaces"]) policy.exempt_namespaces = r.ReadGlobs(node["namespaces"], "exemptions.namespaces");
  if (node["images"]) policy.exempt_images = r.ReadGlobs(node["images"], "exemptions.images");
}

void ReadRules(Reader& r, const YAML::Node& node, Policy& policy) {
  if (!r.ExpectMap(node, "rules")) return;
  r.CheckKeys(node, "rules", {"allowedRegistries", "latestTag", "requireDigest"});
  if (const YAML::Node allowed = node["allowedRegistries"]) {
    if (r.ExpectMap(allowed, "rules.allowedRegistries")) {
      r.CheckKeys(allowed, "rules.allowedRegistries", {"registries", "action"});
      if (allowed["registries"]) {
        policy.rules.allowed_registries = r.ReadGlobs(allowed["registries"], "rules.allowedRegistries.registries");
      }
      if (allowed["action"]) {
        if (auto a = r.ReadAction(allowed["action"], "rules.allowedRegistries.action")) {
          policy.rules.registry_not_allowed = *a;
        }
      }
    }
  }
  for (const auto& [key, target] : {std::pair<const char*, Action*>{"latestTag", &policy.rules.latest_tag},
                                    std::pair<const char*, Action*>{"requireDigest", &policy.rules.missing_digest}}) {
    const YAML::Node rule = node[key];
    if (!rule) continue;
    std::string field = std::string("rules.") + key;
    if (!r.ExpectMap(rule, field)) continue;
    r.CheckKeys(rule, field, {"action"});
    if (rule["action"]) {
      if (auto a = r.ReadAction(rule["action"], field + ".action")) *target = *a;
    }
  }
}

}  // namespace

Result<Policy> ParsePolicy(std::string_view yaml_text, std::string_view source) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    std::string where(source);
    if (e.mark.line >= 0) where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return Status::InvalidArgument(where + ": not valid YAML: " + e.msg);
  }
  Reader r(source);
  Policy policy;
  if (root.IsNull()) return policy;  // an empty file is the default policy
  if (!root.IsMap()) return Status::InvalidArgument(std::string(source) + ": the policy must be a YAML mapping");
  try {
    r.CheckKeys(root, "", {"apiVersion", "kind", "actions", "exemptions", "rules"});
    if (root["apiVersion"] && root["apiVersion"].Scalar() != kApiVersion) {
      r.Error(root["apiVersion"], "apiVersion", "must be " + std::string(kApiVersion));
    }
    if (root["kind"] && root["kind"].Scalar() != "Policy") r.Error(root["kind"], "kind", "must be Policy");
    if (root["actions"]) ReadActions(r, root["actions"], policy);
    if (root["exemptions"]) ReadExemptions(r, root["exemptions"], policy);
    if (root["rules"]) ReadRules(r, root["rules"], policy);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string(source) + ": " + e.msg);
  }
  if (!r.errors().empty()) {
    std::string all;
    for (const auto& e : r.errors()) all += (all.empty() ? "" : "\n") + e;
    return Status::InvalidArgument(all);
  }
  return policy;
}

Result<Policy> LoadPolicyFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path, 1 << 20));
  return ParsePolicy(text, path);
}

}  // namespace pullguard::policy
