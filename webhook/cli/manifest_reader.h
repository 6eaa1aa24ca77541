// Reads Kubernetes manifests for `pullguard check`: files, directories (*.yaml, *.yml, *.json,
// recursively, in name order, symlinks to directories not followed) and "-" for stdin;
// multi-document YAML; `List` objects (kind: List, or any *List with items) flattened.
// Hostile input gets a problem per file, never a crash, a hang or unbounded memory: files and
// stdin are capped in size, only regular files are opened (a FIFO would block), YAML is read
// within YamlLimits. What is not a Kubernetes object (no apiVersion or kind: a Chart.yaml, a
// config file) is counted and skipped.
// Thread-safety: pure functions over the file system.
#pragma once

#include <nlohmann/json.hpp>
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

  // The line of a field path (the closest enclosing field that has one), or the object's.
  int LineOf(const std::string& path) const;
};

struct ManifestProblem {
  std::string file;
  int line = 0;  // 0 when it concerns the whole file
  std::string message;
  bool unreadable = false;  // the input could not be read at all (a usage-level error)
};

struct ReadOptions {
  size_t max_bytes = 16 << 20;  // per file, and for stdin
  YamlLimits yaml;
  std::vector<std::string> exclude;  // globs over paths ("**" crosses '/'), e.g. "charts/**"
};

struct ManifestSet {
  std::vector<ManifestObject> objects;
  std::vector<ManifestProblem> problems;
  size_t files = 0;
  size_t not_kubernetes = 0;  // documents that are no Kubernetes object
  size_t excluded = 0;        // files left out by --exclude
};

ManifestSet ReadManifests(const std::vector<std::string>& paths, const ReadOptions& options = {});

// The objects and problems of one file's text, named `source` in problems (what ReadManifests
// does with each file it reads).
ManifestSet ReadManifestText(const std::string& text, const std::string& source, const ReadOptions& options = {});

}  // namespace pullguard::cli
