// Where a pod may land, as the scheduler's hard rules decide: nodeName, nodeSelector, required
// node affinity (every operator), taints and tolerations; and the platforms that leaves.
#include <catch2/catch.hpp>

#include "checker/placement.h"

namespace pullguard::checker {
namespace {

NodeInfo Node(const std::string& name, std::map<std::string, std::string> labels, std::vector<Taint> taints = {}) {
  return {name, std::move(labels), {}, std::move(taints)};
}

Placement Affinity(std::vector<NodeSelectorTerm> terms) {
  Placement p;
  p.required_terms = std::move(terms);
  return p;
}

NodeSelectorTerm Expr(const std::string& key, const std::string& op, std::vector<std::string> values = {}) {
  return {{{key, op, std::move(values)}}, {}};
}

TEST_CASE("required node affinity: each operator, terms ORed, requirements ANDed") {
  NodeInfo gpu = Node("g1", {{"pool", "gpu"}, {"cores", "64"}});
  NodeInfo web = Node("w1", {{"pool", "web"}, {"cores", "8"}});
  NodeInfo bare = Node("b1", {});
  CHECK(MayLandOn(Affinity({Expr("pool", "In", {"gpu", "ml"})}), gpu));
  CHECK_FALSE(MayLandOn(Affinity({Expr("pool", "In", {"gpu", "ml"})}), web));
  CHECK_FALSE(MayLandOn(Affinity({Expr("pool", "In", {"gpu"})}), bare));
  CHECK(MayLandOn(Affinity({Expr("pool", "NotIn", {"gpu"})}), web));
  CHECK(MayLandOn(Affinity({Expr("pool", "NotIn", {"gpu"})}), bare));  // no label: not in the list
  CHECK_FALSE(MayLandOn(Affinity({Expr("pool", "NotIn", {"gpu"})}), gpu));
  CHECK(MayLandOn(Affinity({Expr("pool", "Exists")}), web));
  CHECK_FALSE(MayLandOn(Affinity({Expr("pool", "Exists")}), bare));
  CHECK(MayLandOn(Affinity({Expr("pool", "DoesNotExist")}), bare));
  CHECK_FALSE(MayLandOn(Affinity({Expr("pool", "DoesNotExist")}), web));
  CHECK(MayLandOn(Affinity({Expr("cores", "Gt", {"16"})}), gpu));
  CHECK_FALSE(MayLandOn(Affinity({Expr("cores", "Gt", {"16"})}), web));
  CHECK(MayLandOn(Affinity({Expr("cores", "Lt", {"16"})}), web));
  CHECK_FALSE(MayLandOn(Affinity({Expr("cores", "Lt", {"16"})}), bare));      // no label
  CHECK_FALSE(MayLandOn(Affinity({Expr("pool", "Gt", {"1"})}), web));         // not a number
  // ORed terms; ANDed requirements in one term.
  CHECK(MayLandOn(Affinity({Expr("pool", "In", {"gpu"}), Expr("pool", "In", {"web"})}), web));
  NodeSelectorTerm both{{{"pool", "In", {"gpu"}}, {"cores", "Lt", {"16"}}}, {}};
  CHECK_FALSE(MayLandOn(Affinity({both}), gpu));
  // A term without requirements matches no node; so does an empty list of terms.
  CHECK_FALSE(MayLandOn(Affinity({NodeSelectorTerm{}}), web));
  CHECK_FALSE(MayLandOn(Affinity({}), web));
  // matchFields: metadata.name only.
  NodeSelectorTerm by_name{{}, {{"metadata.name", "In", {"w1"}}}};
  CHECK(MayLandOn(Affinity({by_name}), web));
  CHECK_FALSE(MayLandOn(Affinity({by_name}), gpu));
}

TEST_CASE("taints: NoSchedule and NoExecute keep pods off unless tolerated, PreferNoSchedule never") {
  NodeInfo cp = Node("cp", {}, {{"node-role.kubernetes.io/control-plane", "", "NoSchedule"}});
  NodeInfo dedicated = Node("d", {}, {{"dedicated", "batch", "NoExecute"}});
  NodeInfo soft = Node("s", {}, {{"spot", "true", "PreferNoSchedule"}});
  Placement plain;
  CHECK_FALSE(MayLandOn(plain, cp));
  CHECK_FALSE(MayLandOn(plain, dedicated));
  CHECK(MayLandOn(plain, soft));

  Placement p;
  p.tolerations = {{"node-role.kubernetes.io/control-plane", "Exists", "", "NoSchedule"}};
  CHECK(MayLandOn(p, cp));
  CHECK_FALSE(MayLandOn(p, dedicated));
  p.tolerations = {{"node-role.kubernetes.io/control-plane", "Exists", "", "NoExecute"}};  // the wrong effect
  CHECK_FALSE(MayLandOn(p, cp));
  p.tolerations = {{"dedicated", "Equal", "batch", ""}};  // any effect
  CHECK(MayLandOn(p, dedicated));
  p.tolerations = {{"dedicated", "", "batch", "NoExecute"}};  // Equal is the default
  CHECK(MayLandOn(p, dedicated));
  p.tolerations = {{"dedicated", "Equal", "web", ""}};
  CHECK_FALSE(MayLandOn(p, dedicated));
  p.tolerations = {{"", "Exists", "", ""}};  // tolerates everything
  CHECK(MayLandOn(p, cp));
  CHECK(MayLandOn(p, dedicated));
}

TEST_CASE("nodeName binds without the scheduler, and a DaemonSet's pods tolerate cordoned and unready nodes") {
  NodeInfo cordoned = Node("n1", {}, {{"node.kubernetes.io/unschedulable", "", "NoSchedule"}});
  NodeInfo unready = Node("n2", {}, {{"node.kubernetes.io/not-ready", "", "NoExecute"}});
  Placement bound;
  bound.node_name = "n1";
  CHECK(MayLandOn(bound, cordoned));
  CHECK_FALSE(MayLandOn(bound, unready));
  Placement daemon;
  daemon.tolerations = DaemonSetTolerations();
  CHECK(MayLandOn(daemon, cordoned));
  CHECK(MayLandOn(daemon, unready));
  CHECK_FALSE(MayLandOn(Placement{}, cordoned));
}

TEST_CASE("platforms narrowed by nodeSelector and required node affinity on os and arch") {
  std::vector<Platform> all = {{"linux", "amd64", ""}, {"linux", "arm64", ""}, {"windows", "amd64", ""}};
  CHECK(RequiredPlatforms(all, Placement{}).size() == 3);
  Placement arm = Affinity({Expr("kubernetes.io/arch", "In", {"arm64"})});
  REQUIRE(RequiredPlatforms(all, arm).size() == 1);
  CHECK(RequiredPlatforms(all, arm)[0].architecture == "arm64");
  Placement not_windows = Affinity({Expr("kubernetes.io/os", "NotIn", {"windows"})});
  CHECK(RequiredPlatforms(all, not_windows).size() == 2);
  // Other labels say nothing about a platform: no narrowing.
  CHECK(RequiredPlatforms(all, Affinity({Expr("pool", "In", {"gpu"})})).size() == 3);
  // Either of two terms.
  Placement either = Affinity({Expr("kubernetes.io/arch", "In", {"arm64"}), Expr("kubernetes.io/os", "In", {"windows"})});
  CHECK(RequiredPlatforms(all, either).size() == 2);
  // nodeSelector and affinity together.
  Placement linux_arm = Affinity({Expr("kubernetes.io/arch", "In", {"arm64", "amd64"})});
  linux_arm.node_selector = {{"kubernetes.io/os", "windows"}};
  REQUIRE(RequiredPlatforms(all, linux_arm).size() == 1);
  CHECK(RequiredPlatforms(all, linux_arm)[0].os == "windows");
  // Pinned by nodeSelector to an architecture the list lacks: that one is needed.
  Placement riscv;
  riscv.node_selector = {{"kubernetes.io/arch", "riscv64"}};
  REQUIRE(RequiredPlatforms(all, riscv).size() == 1);
  CHECK(RequiredPlatforms(all, riscv)[0].ToString() == "linux/riscv64");
}

}  // namespace
}  // namespace pullguard::checker
