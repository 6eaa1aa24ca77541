// Reads Kubernetes manifests for `pullguard check`: files, directories (*.yaml, *.yml,
// *.json, recursively, in name order) and "-" for stdin; multi-document YAML; `List` objects
// (kind: List, or any *List with items) are flattened.
// Thread-safety: pure functions over the file system.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"

namespace pullguard::cli {

struct ManifestObject {
  std::string file;      // as given, or "<stdin>"
  int document = 0;      // 1-based document index in the file
  nlohmann::json object;
};

Result<std::vector<ManifestObject>> ReadManifests(const std::vector<std::string>& paths);

}  // namespace pullguard::cli
