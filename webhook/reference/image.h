// Image: a container image as the kubelet reads it, for pullguard's checks. Adds to the
// upstream parsers what the kubelet does around them (default tag, digest wins over tag).
// As upstream, "Team/app" names a registry host "Team" (a first part with capitals is a
// domain); the checker says what that means for the pull.
// Thread-safety: value type and pure functions.
#pragma once

#include <string>
#include <string_view>

#include "reference/normalize.h"

namespace pullguard::reference {

// Longer images are refused before any parsing (the API server allows far longer strings).
inline constexpr size_t kMaxImageLength = 4096;

struct Image {
  Reference ref;  // normalized: domain filled in; tag and digest as written (tag may be empty)

  const std::string& registry() const { return ref.domain; }   // e.g. docker.io, ghcr.io:443
  const std::string& repository() const { return ref.path; }   // e.g. library/nginx
  // What the pull asks the registry for: the digest when there is one, else the tag or latest.
  std::string PullReference() const;
  // docker.io/library/nginx:latest; with a digest, name@digest (the tag is not used to pull).
  std::string Normalized() const;
  bool HasDigest() const { return !ref.digest.empty(); }
  // True for ":latest" and for no tag and no digest (which pulls latest).
  bool UsesLatest() const;
};

Expected<Image> ParseImage(std::string_view written);

}  // namespace pullguard::reference
