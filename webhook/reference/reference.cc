#include "reference/reference.h"

#include <algorithm>

#include "reference/explain.h"
#include "reference/grammar.h"

namespace pullguard::reference {
namespace {

std::string ToLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string Reference::String() const {
  if (!HasName()) return digest;
  std::string s = Name();
  if (!tag.empty()) s += ":" + tag;
  if (!digest.empty()) s += "@" + digest;
  return s;
}

Expected<Reference> Parse(std::string_view s, const std::vector<DigestAlgorithm>& algorithms) {
  std::string_view name, tag, digest;
  if (!MatchReference(s, &name, &tag, &digest)) {
    if (s.empty()) return MakeError(ErrorKind::kNameEmpty, "the image is empty");
    std::string lower = ToLower(s);
    std::string_view ln, lt, ld;
    if (MatchReference(lower, &ln, &lt, &ld)) return MakeError(ErrorKind::kNameContainsUppercase);
    return MakeError(ErrorKind::kReferenceInvalidFormat, ExplainInvalidFormat(s));
  }
  Reference ref;
  std::string_view domain, remote;
  MatchName(name, &domain, &remote);
  // Upstream counts the path only (the domain does not count) since its 2024 revision.
  if (remote.size() > kNameTotalLengthMax) {
    return MakeError(ErrorKind::kNameTooLong, "repository name must not be more than 255 characters (it has " +
                                                  std::to_string(remote.size()) + ")");
  }
  ref.domain = std::string(domain);
  ref.path = std::string(remote);
  ref.tag = std::string(tag);
  if (!digest.empty()) {
    if (auto err = ValidateDigest(digest, algorithms)) return *err;
    ref.digest = std::string(digest);
  }
  return ref;
}

Expected<Reference> WithName(std::string_view name) {
  std::string_view domain, remote;
  if (!MatchName(name, &domain, &remote)) return MakeError(ErrorKind::kReferenceInvalidFormat);
  if (remote.size() > kNameTotalLengthMax) return MakeError(ErrorKind::kNameTooLong);
  return Reference{std::string(domain), std::string(remote), "", ""};
}

Expected<Reference> WithTag(Reference ref, std::string_view tag) {
  if (!IsTag(tag)) return MakeError(ErrorKind::kTagInvalidFormat, ExplainTag(tag));
  ref.tag = std::string(tag);
  return ref;
}

Expected<Reference> WithDigest(Reference ref, std::string_view digest) {
  if (!IsDigestPattern(digest)) return MakeError(ErrorKind::kDigestInvalidFormat);
  ref.digest = std::string(digest);
  return ref;
}

}  // namespace pullguard::reference
