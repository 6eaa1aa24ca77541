// Reads Kubernetes manifests for `pullguard check`: files, directories (*.yaml, *.yml, *.json,
// recursively, in name order, symlinks to directories not followed) and "-" for stdin;
// multi-document YAML; `List` objects (kind: List, or any *List with items) flattened.
// Hostile input gets a problem per file, never a crash, a hang or unbounded memory: files and
// stdin are capped in size, only regular files are opened (a FIFO would block), YAML is read
// within YamlLimits. What is not a Kubernetes object (no apiVersion or kind: a Chart.yaml, a
// config file; kustomize's own kustomization.yaml) is counted and skipped. Kustomize patches
// (the files a kustomization read in the same run lists under patches, patchesStrategicMerge
// or patchesJson6902, and documents with metadata but without the spec their kind cannot be
// without: a pod kind, a Service, an Ingress, a PVC, an HPA) are set apart: they are not
// objects the API server would get.
// Thread-safety: pure functions over the file system.
#pragma once

#include <nlohmann/json.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cli/yaml_json.h"
#include "common/status.h"

namespace pullguard::cli {

struct ManifestObject {
  std::string file;   // as given, or "<stdin>"
  int document = 0;   // 1-based document index in the file
  int line = 0;       // 1-based line where the object starts
  nlohmann::json object;
  std::map<std::string, int> lines;  // field path -> 1-based line, within this object
  std::string patch = "";          // in ManifestSet::patches: why it is taken for a kustomize patch
  std::string kustomization = "";  // in ManifestSet::patches: the kustomization that lists it, or ""

  // The line of a field path (the closest enclosing field that has one), or the object's.
  int LineOf(const std::string& path) const;
};

struct ManifestProblem {
  std::string file;
  int line = 0;  // 0 when it concerns the whole file
  std::string message;
  bool unreadable = false;  // the input could not be read at all (a usage-level error)
  int column = 0;           // 1-based, when known (YAML syntax errors)

  // "file", "file:line" or "file:line:column": the place, said once.
  std::string Where() const;
};

struct ReadOptions {
  size_t max_bytes = 16 << 20;  // per file, and for stdin
  YamlLimits yaml;
  std::vector<std::string> exclude;  // globs over paths ("**" crosses '/'), e.g. "charts/**"
  // Called after each file (or stdin) is read, with the files and objects read so far (for a
  // progress line); may be empty.
  std::function<void(size_t files, size_t objects)> progress;
};

struct ManifestSet {
  std::vector<ManifestObject> objects;
  std::vector<ManifestObject> patches;  // kustomize patches, each with its `patch` reason
  std::vector<ManifestProblem> problems;
  std::vector<std::string> kustomizations;  // the folders of the kustomization files read
  std::vector<std::string> components;      // those of them that are kind: Component (not renderable alone)
  size_t files = 0;
  size_t not_kubernetes = 0;  // documents that are no Kubernetes object (kustomizations too)
  size_t excluded = 0;        // files left out by --exclude
};

ManifestSet ReadManifests(const std::vector<std::string>& paths, const ReadOptions& options = {});

// The objects and problems of one file's text, named `source` in problems (what ReadManifests
// does with each file it reads).
ManifestSet ReadManifestText(const std::string& text, const std::string& source, const ReadOptions& options = {});

}  // namespace pullguard::cli
