// FileFingerprint: notices when a file's content may have changed, including when a Kubernetes
// ConfigMap or Secret mount swaps its `..data` symlink (the path stays, the target changes).
// Thread-safety: value type.
#pragma once

#include <string>

#include "common/status.h"

namespace pullguard {

struct FileFingerprint {
  std::string resolved_path;  // after following symlinks
  long long inode = 0;
  long long size = -1;
  long long mtime_ns = 0;

  bool operator==(const FileFingerprint&) const = default;
};

// Stats `path` through its symlinks. NotFound when it does not exist.
Result<FileFingerprint> Fingerprint(const std::string& path);

// Reads a whole file, up to `max_bytes` (InvalidArgument past that).
Result<std::string> ReadFile(const std::string& path, size_t max_bytes = 16 << 20);

}  // namespace pullguard
