// Normalization as Docker and the kubelet do it: "nginx" is docker.io/library/nginx,
// "index.docker.io" is docker.io, "localhost" and anything with '.' or ':' is a registry, and
// the familiar form shortens the normalized one back.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "reference/reference.h"

namespace pullguard::reference {

inline constexpr std::string_view kDefaultDomain = "docker.io";
inline constexpr std::string_view kLegacyDefaultDomain = "index.docker.io";
inline constexpr std::string_view kOfficialRepoPrefix = "library/";
inline constexpr std::string_view kDefaultTag = "latest";

// The kubelet's parser (ParseNormalizedNamed): a named reference with its domain filled in.
Expected<Reference> ParseNormalizedNamed(std::string_view s);

// ParseNamed: as ParseNormalizedNamed, but the input must already be in normalized form.
Expected<Reference> ParseNamed(std::string_view s);

// ParseAnyReference: a 64-hex identifier or "algo:hex" is a digest-only reference; anything
// else is ParseNormalizedNamed.
Expected<Reference> ParseAnyReference(std::string_view s);

// ParseDockerRef: normalized, with ":latest" added when there is neither tag nor digest, and
// the tag dropped when there is a digest (the digest alone decides what is pulled).
Expected<Reference> ParseDockerRef(std::string_view s);

// Adds ":latest" when `ref` has neither tag nor digest.
Reference TagNameOnly(Reference ref);

// Familiar forms: docker.io/library/nginx -> nginx, docker.io/foo/bar -> foo/bar.
std::string FamiliarName(const Reference& ref);
std::string FamiliarString(const Reference& ref);

// FamiliarMatch: Go path.Match of `pattern` against FamiliarString, then FamiliarName.
// A malformed pattern matches nothing and sets `*bad_pattern`.
bool FamiliarMatch(std::string_view pattern, const Reference& ref, bool* bad_pattern);

}  // namespace pullguard::reference
