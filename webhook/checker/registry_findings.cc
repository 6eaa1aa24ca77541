#include "checker/registry_findings.h"

#include "checker/finding_at.h"

#include <netdb.h>

#include <algorithm>

#include "checker/suggestions.h"
#include "reference/image.h"
#include "registry/dns.h"

namespace pullguard::checker {
namespace {

using registry::Failure;
using registry::Outcome;
using registry::Problem;
using registry::ProbeResult;
using registry::ProbeTarget;
using registry::TransportError;

std::string Short(const std::string& digest) { return digest.size() > 19 ? digest.substr(0, 19) + "..." : digest; }

std::string List(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string PlatformList(const std::vector<Platform>& platforms) {
  std::vector<std::string> names;
  for (const auto& p : platforms) names.push_back(p.ToString());
  return List(names);
}

bool IsMirror(const ProbeTarget& target, const std::string& host) {
  for (const auto& h : target.hosts) {
    if (h.host == host) return h.is_mirror;
  }
  return false;
}

// The server in words: "the registry", "mirror HOST", "the token service HOST".
std::string Who(const ProbeTarget& target, const Failure& f) {
  if (f.server == registry::Server::kTokenService) return "the token service " + f.host;
  if (IsMirror(target, f.host)) return "mirror " + f.host;
  return "the registry";
}

std::string RegistrySays(const Failure& f) {
  if (f.errors.empty()) return "";
  const auto& e = f.errors[0];
  return " (" + e.code + (e.message.empty() ? "" : ": " + e.message) + ")";
}

// " through the proxy P" for an exchange that went through one, else "".
std::string Via(const Failure& f) { return f.proxy.empty() ? "" : " through the proxy " + f.proxy; }

// What a resolver that did not answer said.
std::string ResolverSaid(const Failure& f) {
  if (registry::CertainlyExists(f.host) && (f.resolver_code == EAI_NONAME
#ifdef EAI_NODATA
                                            || f.resolver_code == EAI_NODATA
#endif
                                            )) {
    return "the resolver says a public registry does not exist";
  }
  return gai_strerror(f.resolver_code);
}

struct Words {
  Reason reason;
  std::string detail;
  std::string fix;
};

Words FailureWords(const ProbeTarget& target, const Failure& f) {
  const std::string& host = f.host;
  switch (f.problem) {
    case Problem::kNoToken:
      return {Reason::kRegistryError, "the token service " + host + " answered without a token",
              "retry; check the registry's auth service"};
    case Problem::kInsecureRealm:
      return {Reason::kRegistryError,
              target.registry + "'s token service " + f.problem_detail + " is not https, so pullguard sent it nothing",
              "serve the token service over https, or mark the registry insecure in the policy"};
    case Problem::kUnsupportedScheme:
      return {Reason::kRegistryError, host + " asks for an authentication scheme pullguard does not speak (" +
                                          f.problem_detail + ")",
              "use a registry with Basic or Bearer token auth"};
    case Problem::kDigestMismatch:
      return {Reason::kRegistryError, host + " answered digest " + Short(f.problem_detail) + " for " + Short(target.reference),
              "check the registry or any proxy in front of it: it serves other content than asked"};
    case Problem::kUnreadableManifest:
      return {Reason::kRegistryError, "the image exists but its platforms could not be read (" + f.problem_detail + ")",
              "retry; the platforms were not checked"};
    case Problem::kNoHost:
      return {Reason::kRegistryError, "no configured host may answer for " + target.registry + " by " +
                                          (target.by_digest ? "digest" : "tag"),
              "give a host the resolve and pull capabilities"};
    case Problem::kNone:
      break;
  }
  switch (f.transport) {
    case TransportError::kDns:
      // Only a name that does not exist (an authoritative answer) may deny; a resolver that did
      // not answer is pullguard's own trouble (RegistryFinding caps it at a warning).
      switch (registry::ClassifyLookup(f.resolver_code, host)) {
        case registry::DnsAnswer::kNoSuchName:
          return {Reason::kRegistryUnresolvable, "registry host " + host + " does not resolve",
                  "check the registry name in the image"};
        case registry::DnsAnswer::kResolverFailed:
          return {Reason::kRegistryUnreachable, "DNS lookup of " + host + " failed (" + ResolverSaid(f) + ")",
                  "retry; pullguard's own DNS did not answer, which says nothing about the image: check the DNS "
                  "where pullguard runs"};
        case registry::DnsAnswer::kResolves:
          break;
      }
      return {Reason::kRegistryUnreachable, "DNS lookup of " + host + " failed (resolved only on a second try)",
              "retry; check the cluster's DNS"};
    case TransportError::kConnect:
      if (!f.proxy.empty()) {
        // The proxy resolves the registry's name: a name that does not exist is among what its
        // refusal may mean, and pullguard cannot tell (so it warns, never denies).
        return {Reason::kRegistryUnreachable, "cannot connect to " + host + Via(f) + " (" + f.transport_detail + ")",
                "check the proxy (HTTPS_PROXY, HTTP_PROXY or the policy's proxy), the registry name, and that the "
                "proxy may reach " + host};
      }
      return {Reason::kRegistryUnreachable, "cannot connect to " + host + " (" + f.transport_detail + ")",
              "check that the registry is up and reachable from the cluster"};
    case TransportError::kReset:
      return {Reason::kRegistryUnreachable, "connection to " + host + Via(f) + " broke (" + f.transport_detail + ")",
              "retry; check the registry and any proxy in between"};
    case TransportError::kTimeout:
      return {Reason::kCheckTimedOut, "no answer from " + host + Via(f) + " within pullguard's check budget",
              "retry; if it persists, check the registry (timeouts.checkMillis)"};
    case TransportError::kTls:
      return {Reason::kRegistryTLSError, "TLS with " + host + Via(f) + " failed: " + f.transport_detail,
              "trust the registry's CA (policy registries[].caFile) or fix its certificate"};
    case TransportError::kBlockedAddress:
      if (!f.proxy.empty()) {
        // Through a proxy only an address written in the image is judged: never the proxy's.
        return {Reason::kRegistryAddressBlocked,
                host + " is the address " + f.transport_detail + ", which pullguard does not contact (through its "
                "proxy either)",
                "if it is your registry, set allowPrivateAddress: true for it under the policy's registries"};
      }
      return {Reason::kRegistryAddressBlocked,
              host + " resolves to " + f.transport_detail + ", an address pullguard does not contact",
              "if it is your registry, set allowPrivateAddress: true for it under the policy's registries"};
    case TransportError::kProtocol:
    case TransportError::kOther:
      return {Reason::kRegistryError, "no usable HTTP answer from " + host + Via(f) + " (" + f.transport_detail + ")",
              "retry; check that " + host + " is a container registry"};
    case TransportError::kNone:
      break;
  }
  std::string who = Who(target, f);
  // A plain-HTTP exchange through a proxy: the proxy may have answered in the registry's stead.
  if (!f.proxy.empty() && f.url.rfind("http://", 0) == 0) who += " or the proxy " + f.proxy;
  std::string status = std::to_string(f.status);
  if (f.status == 429) {
    std::string detail = "429 from " + who;
    if (!f.ratelimit_remaining.empty()) detail += ", ratelimit-remaining " + f.ratelimit_remaining;
    return {Reason::kRateLimited, detail + RegistrySays(f), "retry later, authenticate the pulls, or use a mirror"};
  }
  if (f.status >= 500) {
    return {Reason::kRegistryError, status + " from " + who + RegistrySays(f), "retry later; the registry is failing"};
  }
  std::string what = f.server == registry::Server::kTokenService ? "the token request" : f.method + " " + f.url;
  return {Reason::kRegistryError, "unexpected " + status + " from " + who + " to " + what + RegistrySays(f),
          "check that it is a container registry"};
}

Words UnauthorizedWords(const ProbeTarget& target, const ProbeResult& r) {
  const std::string name = target.registry + "/" + target.repository;
  if (r.anonymous) {
    if (r.failure.challenge_error == "insufficient_scope" || r.failure.server == registry::Server::kTokenService) {
      // Docker Hub answers so for a repository that does not exist.
      std::string meant = target.registry == "docker.io" ? OfficialImageTypo(target.repository) : "";
      return {Reason::kAuthRequired,
              "pull access denied: " + name + " does not exist or needs credentials, and no pull secret matches " +
                  target.registry,
              meant.empty() ? "check the name; if it is private, add an imagePullSecret with an entry for " + target.registry
                            : "did you mean the official image " + meant + "?"};
    }
    return {Reason::kAuthRequired,
            target.registry + " asks for credentials and no pull secret matches it (a 401 may also mean the "
                              "repository does not exist)",
            "add an imagePullSecret with an entry for " + target.registry};
  }
  std::string by = r.failure.server == registry::Server::kTokenService ? " (the token service " + r.failure.host + ")" : "";
  return {Reason::kAuthFailed, target.registry + by + " rejected every matching credential (" + List(r.refused) + ")",
          "update the pull secret's credentials for " + target.registry};
}

Words ForbiddenWords(const ProbeTarget& target, const ProbeResult& r) {
  const std::string name = target.registry + "/" + target.repository;
  std::string who = r.anonymous ? "anonymous pulls" : List(r.no_access);
  if (r.failure.challenge_error == "insufficient_scope") {
    return {Reason::kAccessDenied, "pull access denied: " + name + " does not exist, or " + who + " may not pull it",
            "check the repository name, or grant that account read access to " + target.repository};
  }
  return {Reason::kAccessDenied, target.registry + " denied " + who + " access to " + target.repository + " (403)",
          r.anonymous ? "add an imagePullSecret with read access to " + target.repository
                      : "grant the pull secret's account read access to " + target.repository};
}

// `written`: the image as the user wrote it. The line already quotes it; the detail names the
// repository only when the image did not spell it out ("nginx" is docker.io/library/nginx),
// so that a warning keeps room for its fix within 120 characters.
Words NotFoundWords(const ProbeTarget& target, const ProbeResult& r, const std::string& written) {
  const std::string name = target.registry + "/" + target.repository;
  const std::string in = written.rfind(name, 0) == 0 ? "" : " in " + name;
  if (r.repository == registry::RepositoryState::kMissing) {
    std::string meant = target.registry == "docker.io" ? OfficialImageTypo(target.repository) : "";
    return {Reason::kRepositoryNotFound, "repository " + name + " does not exist",
            meant.empty() ? "check the repository name, or push the image" : "did you mean the official image " + meant + "?"};
  }
  std::string unsure = r.repository == registry::RepositoryState::kExists ? "" : " (nor, perhaps, the repository)";
  if (target.by_digest) {
    return {Reason::kDigestNotFound, "digest " + Short(target.reference) + " does not exist" + in + unsure,
            "use a digest the registry has (skopeo inspect docker://" + name + ":TAG shows it)"};
  }
  std::vector<std::string> nearest = NearestTags(target.reference, r.tags);
  return {Reason::kTagNotFound, "tag " + target.reference + " does not exist" + in + unsure,
          nearest.empty() ? "push the tag, or use one that exists (skopeo list-tags docker://" + name + ")"
                          : "nearest: " + List(nearest)};
}

Words PlatformWords(const ProbeResult& r) {
  std::string missing = PlatformList(r.missing);
  std::string fix = "build and push " + missing + ", or schedule the pod on nodes it runs on (nodeSelector)";
  if (r.single_platform) {
    // containerd pulls a single-platform image whatever its platform; the container then
    // fails to start (exec format error, CrashLoopBackOff).
    return {Reason::kPlatformMismatch,
            "the image is built for " + PlatformList(r.offered) + " only: it pulls, then fails to start on " + missing +
                " nodes (exec format error)",
            fix};
  }
  std::string has = PlatformList(r.offered);
  return {Reason::kPlatformMismatch, "no " + missing + " image (it has " + (has.empty() ? "none" : has) + ")", fix};
}

}  // namespace

std::string LowercaseHostSuggestion(const std::string& written, const std::string& registry) {
  if (registry.find_first_of(".:") != std::string::npos || registry == "localhost") return "";
  if (std::none_of(registry.begin(), registry.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) return "";
  if (written.compare(0, registry.size(), registry) != 0) return "";
  std::string lowered = registry;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string candidate = lowered + written.substr(registry.size());
  auto parsed = reference::ParseImage(candidate);
  if (!parsed.ok() || parsed->registry() != "docker.io") return "";
  return candidate;
}

std::optional<Finding> RegistryFinding(const ImageUse& use, const std::string& normalized, const ProbeTarget& target,
                                       const ProbeResult& result) {
  Words w{Reason::kRegistryError, "", ""};
  switch (result.outcome) {
    case Outcome::kFound:
      return std::nullopt;
    case Outcome::kNotFound:
      w = NotFoundWords(target, result, use.image);
      break;
    case Outcome::kUnauthorized:
      w = UnauthorizedWords(target, result);
      break;
    case Outcome::kForbidden:
      w = ForbiddenWords(target, result);
      break;
    case Outcome::kPlatformMissing:
      w = PlatformWords(result);
      break;
    case Outcome::kFailed:
      w = FailureWords(target, result.failure);
      break;
  }
  Finding f = FindingAt(use, normalized, w.reason, std::move(w.detail), std::move(w.fix));
  // pullguard's own resolver failing says nothing about the image: a pod whose DNS fails must
  // not deny every deploy, whatever the policy does with RegistryUnreachable.
  if (result.outcome == Outcome::kFailed && result.failure.ResolverFailed()) f.at_most_warn = true;
  if (f.reason == Reason::kRegistryUnresolvable) {
    std::string meant = LowercaseHostSuggestion(use.image, target.registry);
    if (!meant.empty()) f.fix = "did you mean \"" + meant + "\"? Docker Hub names are lowercase";
  }
  return f;
}

Finding TimedOutFinding(const ImageUse& use, const std::string& normalized, const std::string& registry,
                        const std::string& why) {
  return FindingAt(use, normalized, Reason::kCheckTimedOut, why,
                   "retry; if it persists, check " + registry + " (pullguard's answer was not in time)");
}

}  // namespace pullguard::checker
