// Shell-style pattern matching for names, namespaces and image references.
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "common/status.h"

namespace pullguard {

enum class GlobMode {
  // Go's path.Match: '*' and '?' never match '/'; "**" is just two '*'.
  kPath,
  // As kPath, but "**" matches any run of characters, '/' included (policy image globs:
  // "registry.example.com/team/**").
  kPathWithDoubleStar,
};

// Matches the whole of `text` against `pattern`: '*', '?', '[abc]', '[a-z]', '[^a]' and '\' escapes.
// Returns InvalidArgument for a malformed pattern (an unclosed '[' or a bad range such as "[-x]"),
// even when an earlier part already failed to match, so typos surface at policy load.
Result<bool> GlobMatch(std::string_view pattern, std::string_view text, GlobMode mode = GlobMode::kPath);

// Checks a pattern's syntax without matching anything.
Status ValidateGlob(std::string_view pattern);

}  // namespace pullguard
