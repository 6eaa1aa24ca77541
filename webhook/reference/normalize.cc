#include "reference/normalize.h"

#include <algorithm>

#include "common/glob.h"
#include "reference/grammar.h"

namespace pullguard::reference {
namespace {

bool HasUppercase(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// splitDockerDomain: which part of a familiar name is the registry.
std::pair<std::string, std::string> SplitDockerDomain(std::string_view name) {
  size_t slash = name.find('/');
  if (slash == std::string_view::npos) {
    return {std::string(kDefaultDomain), std::string(kOfficialRepoPrefix) + std::string(name)};
  }
  std::string_view maybe_domain = name.substr(0, slash);
  std::string_view remainder = name.substr(slash + 1);
  std::string domain;
  if (maybe_domain == "localhost") {
    domain = std::string(maybe_domain);
  } else if (maybe_domain == kLegacyDefaultDomain) {
    domain = std::string(kDefaultDomain);
  } else if (maybe_domain.find_first_of(".:") != std::string_view::npos) {
    domain = std::string(maybe_domain);  // a DNS name, an IP address, or host:port
  } else if (HasUppercase(maybe_domain)) {
    domain = std::string(maybe_domain);  // Docker Hub namespaces are lowercase: a host, then
  } else {
    domain = std::string(kDefaultDomain);
    remainder = name;
  }
  std::string remote(remainder);
  if (domain == kDefaultDomain && remote.find('/') == std::string::npos) {
    remote = std::string(kOfficialRepoPrefix) + remote;
  }
  return {domain, remote};
}

}  // namespace

Expected<Reference> ParseNormalizedNamed(std::string_view s) {
  if (IsIdentifier(s)) {
    return MakeError(ErrorKind::kNameIsIdentifier,
                     "a bare 64-character hex string is an image ID, not a repository name");
  }
  auto [domain, remainder] = SplitDockerDomain(s);
  std::string_view remote_name = remainder;
  size_t tag_sep = remote_name.find(':');
  if (tag_sep != std::string_view::npos) remote_name = remote_name.substr(0, tag_sep);
  if (HasUppercase(remote_name)) {
    return MakeError(ErrorKind::kNameContainsUppercase);
  }
  auto parsed = Parse(domain + "/" + remainder);
  if (!parsed.ok()) return parsed;
  if (!parsed->HasName()) return MakeError(ErrorKind::kReferenceInvalidFormat, "the reference has no name");
  return parsed;
}

Expected<Reference> ParseNamed(std::string_view s) {
  auto named = ParseNormalizedNamed(s);
  if (!named.ok()) return named;
  if (named->String() != s) return MakeError(ErrorKind::kNameNotCanonical);
  return named;
}

Expected<Reference> ParseAnyReference(std::string_view s) {
  if (IsIdentifier(s)) return Reference{"", "", "", "sha256:" + std::string(s)};
  if (!ValidateDigest(s).has_value()) return Reference{"", "", "", std::string(s)};
  return ParseNormalizedNamed(s);
}

Reference TagNameOnly(Reference ref) {
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = std::string(kDefaultTag);
  return ref;
}

Expected<Reference> ParseDockerRef(std::string_view s) {
  auto named = ParseNormalizedNamed(s);
  if (!named.ok()) return named;
  Reference ref = named.value();
  if (!ref.digest.empty()) {
    ref.tag.clear();
    return ref;
  }
  return TagNameOnly(ref);
}

std::string FamiliarName(const Reference& ref) {
  if (ref.domain != kDefaultDomain) return ref.Name();
  std::string_view path = ref.path;
  if (path.substr(0, kOfficialRepoPrefix.size()) == kOfficialRepoPrefix) {
    std::string_view rest = path.substr(kOfficialRepoPrefix.size());
    if (rest.find('/') == std::string_view::npos) return std::string(rest);
  }
  return std::string(path);
}

std::string FamiliarString(const Reference& ref) {
  if (!ref.HasName()) return ref.digest;
  std::string s = FamiliarName(ref);
  if (!ref.tag.empty()) s += ":" + ref.tag;
  if (!ref.digest.empty()) s += "@" + ref.digest;
  return s;
}

bool FamiliarMatch(std::string_view pattern, const Reference& ref, bool* bad_pattern) {
  *bad_pattern = false;
  auto matched = GlobMatch(pattern, FamiliarString(ref));
  if (!matched.ok()) {
    *bad_pattern = true;
    return false;
  }
  if (!matched.value() && ref.HasName()) {
    auto by_name = GlobMatch(pattern, FamiliarName(ref));
    return by_name.ok() && by_name.value();
  }
  return matched.value();
}

}  // namespace pullguard::reference
