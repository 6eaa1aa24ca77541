// Reference: a parsed image reference, and the parsers of distribution/reference that do not
// normalize (Parse, WithName, WithTag, WithDigest). Pure, no I/O.
// Thread-safety: value types and pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reference/digest.h"
#include "reference/error.h"

namespace pullguard::reference {

// The longest repository path (the part after the domain) upstream accepts.
inline constexpr size_t kNameTotalLengthMax = 255;

struct Reference {
  std::string domain;  // "" when the name has none (Parse without normalization)
  std::string path;    // "" for a digest-only reference (ParseAnyReference)
  std::string tag;     // "" when absent
  std::string digest;  // "" when absent

  bool HasName() const { return !path.empty(); }
  std::string Name() const { return domain.empty() ? path : domain + "/" + path; }
  // name[:tag][@digest], or the bare digest for a digest-only reference.
  std::string String() const;

  bool operator==(const Reference&) const = default;
};

// Parse: the grammar, no normalization ("ubuntu" keeps an empty domain).
Expected<Reference> Parse(std::string_view s, const std::vector<DigestAlgorithm>& algorithms = DefaultAlgorithms());

// WithName: a bare name (no tag, no digest).
Expected<Reference> WithName(std::string_view name);
// WithTag / WithDigest: add a tag or digest to `ref`, keeping what it has.
Expected<Reference> WithTag(Reference ref, std::string_view tag);
Expected<Reference> WithDigest(Reference ref, std::string_view digest);

}  // namespace pullguard::reference
