// The pod model every caller shares (the webhook, `check`, `diagnose`, `audit`): the images of
// a pod spec with their field paths, its pull secrets and ServiceAccount, and where it may
// land. Decoded from any object with a pod spec by kinds.h and pod_spec.h; no I/O.
// Thread-safety: value types and pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pullguard::workload {

// One image at one place in an object, the unit the checker works on.
struct ImageUse {
  std::string path;         // field path, e.g. spec.template.spec.containers[0].image
  std::string image;        // as written
  std::string pull_policy;  // the container's imagePullPolicy as written; "" when unset
};

struct PullSecretRef {
  std::string path;  // spec.imagePullSecrets[0]
  std::string name;
};

// One of a node selector term's matchExpressions or matchFields: In, NotIn, Exists,
// DoesNotExist, Gt, Lt.
struct NodeSelectorRequirement {
  std::string key;
  std::string op;
  std::vector<std::string> values;
};

// The terms are ORed; within a term every requirement must hold. A term without any
// requirement matches no node, as in Kubernetes.
struct NodeSelectorTerm {
  std::vector<NodeSelectorRequirement> match_expressions;
  std::vector<NodeSelectorRequirement> match_fields;  // metadata.name only
};

struct Toleration {
  std::string key;       // "" with Exists: every taint
  std::string op;        // Equal (the default) or Exists
  std::string value;
  std::string effect;    // "" : every effect
};

// Where a pod may land, by the scheduler's hard rules (checker/placement.h applies them).
struct Placement {
  std::string node_name;  // spec.nodeName: bound without the scheduler
  std::map<std::string, std::string> node_selector;
  // affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
  // nullopt when the pod has none.
  std::optional<std::vector<NodeSelectorTerm>> required_terms;
  std::vector<Toleration> tolerations;
};

struct PodSpec {
  std::vector<ImageUse> images;  // init containers, containers, ephemeral containers, image volumes
  std::vector<PullSecretRef> pull_secrets;
  std::string service_account;        // serviceAccountName, else serviceAccount; "" for default
  std::string service_account_field;  // the field that named it, e.g. spec.template.spec.serviceAccountName
  Placement placement;  // nodeName, nodeSelector, required node affinity, tolerations
};

// The operators Kubernetes accepts for matchExpressions (matchFields: In and NotIn).
bool KnownNodeSelectorOperator(const std::string& op);
bool KnownTolerationOperator(const std::string& op);

}  // namespace pullguard::workload
