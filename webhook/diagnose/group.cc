#include "diagnose/group.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

namespace pullguard::diagnose {
namespace {

using NodeSet = std::set<std::string>;

// Failing groups first, in reason order; then the ones that pulled.
std::tuple<int, int, std::string, std::string> SortKey(const std::optional<Reason>& cause, const std::string& platform,
                                                       const std::string& zone) {
  return {cause ? 0 : 1, cause ? static_cast<int>(*cause) : 0, platform, zone};
}

// "linux/arm64" is "arm64": the OS is Linux unless it says otherwise.
std::string Arch(const std::string& platform) {
  constexpr std::string_view kLinux = "linux/";
  return platform.starts_with(kLinux) ? platform.substr(kLinux.size()) : platform;
}

std::string Join(const NodeSet& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::string CountNodes(size_t n) { return std::to_string(n) + (n == 1 ? " node" : " nodes"); }

bool Disjoint(const NodeSet& a, const NodeSet& b) {
  return std::none_of(a.begin(), a.end(), [&](const std::string& x) { return b.count(x) > 0; });
}

// What the summary needs of each scheduled node.
struct Nodes {
  std::map<std::string, std::string> platform;  // node -> platform
  std::map<std::string, std::string> zone;      // node -> zone
  std::map<std::string, NodeSet> by_platform;   // platform -> nodes
  std::map<Reason, NodeSet> failing;            // cause -> nodes
  NodeSet pulled;
  NodeSet all;
};

Nodes Collect(const std::vector<PodGroup>& groups) {
  Nodes n;
  for (const PodGroup& g : groups) {
    for (const std::string& node : g.nodes) {
      n.all.insert(node);
      n.platform.emplace(node, g.platform);
      n.zone.emplace(node, g.zone);
      n.by_platform[g.platform].insert(node);
      if (g.cause) {
        n.failing[*g.cause].insert(node);
      } else {
        n.pulled.insert(node);
      }
    }
  }
  return n;
}

NodeSet Archs(const Nodes& n, const NodeSet& nodes) {
  NodeSet archs;
  for (const std::string& node : nodes) {
    const std::string& platform = n.platform.at(node);
    if (!platform.empty()) archs.insert(Arch(platform));
  }
  return archs;
}

NodeSet Zones(const Nodes& n, const NodeSet& nodes) {
  NodeSet zones;
  for (const std::string& node : nodes) {
    const std::string& zone = n.zone.at(node);
    if (!zone.empty()) zones.insert(zone);
  }
  return zones;
}

// Every node of the platforms of `nodes` is in `nodes`, and those platforms are known.
bool CoversItsPlatforms(const Nodes& n, const NodeSet& nodes) {
  for (const std::string& node : nodes) {
    const std::string& platform = n.platform.at(node);
    if (platform.empty()) return false;
    for (const std::string& other : n.by_platform.at(platform)) {
      if (!nodes.count(other)) return false;
    }
  }
  return true;
}

std::string FailClause(const Nodes& n, Reason cause, const NodeSet& nodes) {
  std::string line = "fails with " + std::string(ReasonName(cause)) + " on ";
  NodeSet archs = Archs(n, nodes);
  if (nodes.size() == n.all.size()) {
    line += "all " + CountNodes(nodes.size());
    if (archs.size() > 1) line += " (" + Join(archs, ", ") + ")";
    return line;
  }
  bool platform_wide = CoversItsPlatforms(n, nodes);
  size_t count = nodes.size();
  if (platform_wide) {
    line += "the " + std::to_string(count) + " " + Join(archs, ", ") + (count == 1 ? " node" : " nodes");
  } else if (archs.size() == 1) {
    line += std::to_string(count) + " " + *archs.begin() + (count == 1 ? " node" : " nodes");
  } else {
    line += CountNodes(count);
  }
  NodeSet zones = Zones(n, nodes);
  if (!zones.empty()) line += " (zone " + Join(zones, ", ") + ")";
  return line;
}

// Where the pods that pulled are, told by what sets their nodes apart from the failing ones:
// their platforms, else their zones (known for every node, and shared by none), else only
// their count. `n.pulled` is not empty.
std::string PullClause(const Nodes& n) {
  NodeSet failing_nodes;
  for (const auto& [cause, nodes] : n.failing) failing_nodes.insert(nodes.begin(), nodes.end());
  auto all_known = [](const std::map<std::string, std::string>& attribute, const NodeSet& nodes) {
    return std::all_of(nodes.begin(), nodes.end(), [&](const std::string& node) { return !attribute.at(node).empty(); });
  };
  auto sets_apart = [&](const std::map<std::string, std::string>& attribute) {
    return all_known(attribute, n.pulled) && all_known(attribute, failing_nodes);
  };
  NodeSet pulled_archs = Archs(n, n.pulled);
  if (sets_apart(n.platform) && Disjoint(pulled_archs, Archs(n, failing_nodes))) {
    return "pulls on " + Join(pulled_archs, ", ");
  }
  NodeSet pulled_zones = Zones(n, n.pulled);
  if (sets_apart(n.zone) && Disjoint(pulled_zones, Zones(n, failing_nodes))) {
    return "pulls in zone " + Join(pulled_zones, ", ");
  }
  return "pulls on " + CountNodes(n.pulled.size());
}

}  // namespace

std::vector<PodGroup> GroupPods(const std::vector<PodOutcome>& pods) {
  std::map<std::tuple<int, int, std::string, std::string>, PodGroup> groups;
  for (const PodOutcome& p : pods) {
    PodGroup& g = groups[SortKey(p.cause, p.platform, p.zone)];
    g.cause = p.cause;
    g.platform = p.platform;
    g.zone = p.zone;
    g.pods.push_back(p.pod);
    if (!p.node.empty()) g.nodes.push_back(p.node);
  }
  std::vector<PodGroup> out;
  out.reserve(groups.size());
  for (auto& [key, g] : groups) {
    std::sort(g.pods.begin(), g.pods.end());
    std::sort(g.nodes.begin(), g.nodes.end());
    g.nodes.erase(std::unique(g.nodes.begin(), g.nodes.end()), g.nodes.end());
    out.push_back(std::move(g));
  }
  return out;
}

std::string SummarizeGroups(const std::vector<PodGroup>& groups) {
  Nodes n = Collect(groups);
  if (n.all.empty()) return "";
  if (n.failing.empty()) return "pulls on all " + CountNodes(n.all.size());
  // The widest cause first; ties in reason order.
  std::vector<std::pair<Reason, const NodeSet*>> causes;
  for (const auto& [cause, nodes] : n.failing) causes.emplace_back(cause, &nodes);
  std::stable_sort(causes.begin(), causes.end(),
                   [](const auto& a, const auto& b) { return a.second->size() > b.second->size(); });
  std::string line;
  for (const auto& [cause, nodes] : causes) {
    if (!line.empty()) line += "; ";
    line += FailClause(n, cause, *nodes);
  }
  if (!n.pulled.empty()) line += ", " + PullClause(n);
  return line;
}

}  // namespace pullguard::diagnose
