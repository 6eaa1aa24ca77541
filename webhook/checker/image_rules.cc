#include "checker/image_rules.h"

#include "checker/finding_at.h"

#include <algorithm>

#include "reference/explain.h"

namespace pullguard::checker {
namespace {

std::string Lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// For an uppercase name, the image with its name (not its tag or digest) lowercased, when
// that parses: a concrete suggestion beats a rule.
std::string LowercaseSuggestion(const std::string& written) {
  size_t at = written.find('@');
  std::string before_digest = written.substr(0, at);
  std::string after = at == std::string::npos ? "" : written.substr(at);
  size_t slash = before_digest.rfind('/');
  size_t colon = before_digest.rfind(':');
  std::string name = before_digest, tag;
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    name = before_digest.substr(0, colon);
    tag = before_digest.substr(colon);
  }
  std::string candidate = Lowercase(name) + tag + after;
  if (!reference::ParseImage(candidate).ok()) return "";
  return candidate;
}

// A rule's finding carries the rule's own action.
Finding RuleFinding(const ImageUse& use, Action action) {
  Finding f = FindingAt(use, "", Reason::kPolicyViolation);
  f.action = action;
  f.action_fixed = true;
  return f;
}

}  // namespace

Finding InvalidReferenceFinding(const ImageUse& use, const reference::Error& error) {
  using reference::ErrorKind;
  Finding f = FindingAt(use, "", Reason::kInvalidReference);
  // A template placeholder left in ("<YOUR-CONTAINER>", "${TAG}", "{{ .Values.image }}"):
  // whatever grammar rule it breaks, the image was never rendered.
  if (std::string placeholder = reference::FindPlaceholder(use.image); !placeholder.empty()) {
    f.detail = placeholder == use.image ? "this is a placeholder" : "\"" + placeholder + "\" is a placeholder";
    f.fix = "render the template first (helm template / envsubst / kustomize)";
    return f;
  }
  f.detail = error.Explanation();
  switch (error.kind) {
    case ErrorKind::kNameContainsUppercase: {
      std::string suggestion = LowercaseSuggestion(use.image);
      f.fix = suggestion.empty() ? "write the repository name in lowercase" : "write \"" + suggestion + "\"";
      break;
    }
    case ErrorKind::kNameEmpty:
      f.fix = "set the image, e.g. \"nginx:1.25\"";
      break;
    case ErrorKind::kNameIsIdentifier:
      f.fix = "name the repository, e.g. \"repo@sha256:<hex>\"";
      break;
    case ErrorKind::kChecksumInvalidLength:
    case ErrorKind::kChecksumInvalidFormat:
    case ErrorKind::kDigestInvalidFormat:
    case ErrorKind::kDigestUnsupported:
      f.fix = "copy the digest from the registry (skopeo inspect docker://IMAGE:TAG shows it)";
      break;
    default: {
      // "https://ghcr.io/org/app:1" is the commonest slip: suggest it without the scheme.
      size_t scheme = use.image.find("://");
      std::string candidate = scheme == std::string::npos ? "" : use.image.substr(scheme + 3);
      if (!candidate.empty() && reference::ParseImage(candidate).ok()) {
        f.fix = "write \"" + candidate + "\"";
      } else {
        f.fix = "use [registry[:port]/]repository[:tag][@sha256:digest]";
      }
      break;
    }
  }
  return f;
}

std::vector<Finding> RuleFindings(const ImageUse& use, const reference::Image& image, const policy::Policy& policy) {
  std::vector<Finding> out;
  const auto& rules = policy.rules;
  if (rules.registry_not_allowed != Action::kIgnore && !policy.IsRegistryAllowed(image.registry())) {
    Finding f = RuleFinding(use, rules.registry_not_allowed);
    f.normalized = image.Normalized();
    f.detail = "registry " + image.registry() + " is not allowed";
    std::string allowed;
    for (const auto& r : rules.allowed_registries) allowed += (allowed.empty() ? "" : ", ") + r;
    f.fix = "use one of: " + allowed;
    out.push_back(std::move(f));
  }
  if (rules.latest_tag != Action::kIgnore && image.UsesLatest()) {
    Finding f = RuleFinding(use, rules.latest_tag);
    f.normalized = image.Normalized();
    f.detail = image.ref.tag.empty() ? "no tag, so it pulls :latest" : "tag :latest can change between pulls";
    f.fix = "pin a version tag or a digest";
    out.push_back(std::move(f));
  }
  if (rules.missing_digest != Action::kIgnore && !image.HasDigest()) {
    Finding f = RuleFinding(use, rules.missing_digest);
    f.normalized = image.Normalized();
    f.detail = "a digest is required";
    f.fix = "append @sha256:<digest> to the image";
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace pullguard::checker
