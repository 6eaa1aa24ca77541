// YAML documents as JSON values, bounded for hostile input (manifests from pull requests):
// alias expansion has a budget (a 700-byte "billion laughs" file would otherwise grow to
// gigabytes; go-yaml refuses "excessive aliasing" the same way), nesting has a depth limit,
// a mapping key given twice is an error with its line (as kubectl and kubeconform -strict
// say), and YAML merge keys (`<<: *base`) are resolved. Plain scalars become null, booleans
// or numbers as YAML 1.2's core schema reads them; quoted ones stay strings. The line of every
// field is kept by its field path ("spec.template.spec.containers[0].image").
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"

namespace pullguard::cli {

struct YamlLimits {
  size_t max_nodes = 1'000'000;       // values per document
  size_t max_alias_values = 100'000;  // values reached again through aliases, per document
  int max_depth = 200;
};

struct YamlDocument {
  int index = 0;  // 1-based
  int line = 0;   // 1-based line where the document starts
  nlohmann::json value;
  std::map<std::string, int> lines;  // field path -> 1-based line
};

struct YamlFile {
  std::vector<YamlDocument> documents;
  // Problems of single documents (the others are still read): (1-based line, message).
  std::vector<std::pair<int, std::string>> problems;
};

// A file whose YAML does not parse at all is InvalidArgument with "LINE:COLUMN: message".
Result<YamlFile> ParseYamlDocuments(const std::string& text, const YamlLimits& limits = {});

}  // namespace pullguard::cli
