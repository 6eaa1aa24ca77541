#include "registry/registry_client.h"

#include <netdb.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/sha256.h"
#include "registry/manifest.h"

namespace pullguard::registry {
namespace {

bool IsManifestPath(const std::string& path) { return path.rfind("/manifests/", 0) == 0; }

constexpr int kTagPage = 1000;
constexpr int kMaxTagPages = 4;
constexpr size_t kMaxTags = 4000;

std::vector<std::string> TagsOfList(const std::string& body) {
  std::vector<std::string> out;
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object()) return out;
  auto tags = doc.find("tags");
  if (tags == doc.end() || !tags->is_array()) return out;
  for (const auto& t : *tags) {
    if (t.is_string() && t.get_ref<const std::string&>().size() <= 128) out.push_back(t.get<std::string>());
  }
  return out;
}

// The target of a Link header's rel="next", or "".
std::string NextPage(const std::string& link) {
  size_t open = link.find('<'), close = link.find('>');
  if (open == std::string::npos || close == std::string::npos || close < open) return "";
  if (link.find("rel=\"next\"", close) == std::string::npos && link.find("rel=next", close) == std::string::npos) return "";
  return link.substr(open + 1, close - open - 1);
}

std::string Sha256(const std::string& content) { return "sha256:" + Sha256Hex(content); }

// How far a failed pull attempt got, to pick what to report when every credential failed:
// the attempt that learned the most about the image.
int Depth(const ProbeResult& r) {
  switch (r.outcome) {
    case Outcome::kFound:
      return 6;
    case Outcome::kPlatformMissing:
      return 5;
    case Outcome::kNotFound:
      return 4;
    case Outcome::kFailed:
      return 3;
    case Outcome::kForbidden:
      return 2;
    case Outcome::kUnauthorized:
      return 1;
  }
  return 0;
}

Failure Unusable(const HttpRequest& req, Problem problem, std::string detail) {
  Failure f = FailureOf(req, HttpResponse{}, Server::kRegistry);
  f.status = 200;
  f.problem = problem;
  f.problem_detail = std::move(detail);
  return f;
}

}  // namespace

RegistryClient::Exchange RegistryClient::Send(const RegistryHost& host, const ProbeTarget& target,
                                              const auth::Credential* credential, const std::string& method,
                                              const std::string& path) {
  Exchange ex;
  HttpRequest base;
  base.deadline = target.deadline;
  base.connect_timeout = target.connect_timeout;
  base.ca_file = host.ca_file;
  base.extra_ca_pem = host.extra_ca_pem;
  base.metrics_label = target.metrics_label;
  base.skip_verify = host.skip_verify;
  base.client_cert = host.client_cert;
  base.client_key = host.client_key;
  if (host.dial_timeout) base.connect_timeout = std::min(base.connect_timeout, *host.dial_timeout);
  base.allow_private = host.allow_private;
  base.proxy = target.proxy;
  ex.request = base;
  ex.request.method = method;
  ex.request.url = host.BaseUrl() + "/" + target.repository + path;
  ex.request.headers = host.headers;
  if (IsManifestPath(path)) ex.request.headers.emplace_back("Accept", ManifestAccept());

  AuthContext context{&host, target.repository, credential, base};
  // The host's last challenge is a guess for this repository: when its token service fails,
  // ask without it and let the registry's own 401 say which realm this repository uses.
  Grant grant = authorizer_.Before(context);
  if (grant.failure) grant = Grant{};
  auto send = [&](const std::string& authorization) {
    HttpRequest req = ex.request;
    if (!authorization.empty()) req.headers.emplace_back("Authorization", authorization);
    ex.response = sender_.Send(req);
    if (ex.response.error != TransportError::kNone) {
      ex.failure = FailureOf(ex.request, ex.response, Server::kRegistry);
      // Asked again to tell a name that does not exist from a resolver that did not answer;
      // one that timed out is not asked again (it would only wait as long once more).
      if (ex.response.error == TransportError::kDns) {
        ex.failure->resolver_code = ex.response.lookup_timed_out ? EAI_AGAIN : resolve_(host.host);
      }
      return false;
    }
    return true;
  };
  if (!send(grant.header) || ex.response.status != 401) return ex;
  // A 401 to a token fetched for this very request is final when it names the same challenge;
  // any other 401 carries the challenge to answer, once.
  if (grant.fresh && Authorizer::ChallengeOf(ex.response.Headers("www-authenticate")) == grant.challenge) return ex;
  bool unsupported = false;
  std::optional<Grant> retry = authorizer_.After401(context, ex.response.Headers("www-authenticate"), &unsupported);
  if (unsupported) {
    ex.failure = FailureOf(ex.request, ex.response, Server::kRegistry);
    ex.failure->problem = Problem::kUnsupportedScheme;
    ex.failure->problem_detail = ex.response.Header("www-authenticate").substr(0, 60);
    return ex;
  }
  if (retry && retry->failure) {
    ex.failure = retry->failure;
    return ex;
  }
  if (!retry || retry->header == grant.header) return ex;
  send(retry->header);
  return ex;
}

ProbeResult RegistryClient::Probe(const ProbeTarget& target) {
  if (target.credentials.empty()) return WithCredential(target, nullptr);
  std::vector<ProbeResult> attempts;
  for (const auto& credential : target.credentials) {
    ProbeResult r = WithCredential(target, &credential);
    r.anonymous = false;
    r.answered_with = credential.source;
    if (r.ok()) return r;
    attempts.push_back(std::move(r));
  }
  // Every credential failed, so the pull fails now. If any failure may pass later, say that
  // one (a warning); else the attempt that got furthest.
  const ProbeResult* chosen = nullptr;
  for (const auto& r : attempts) {
    if (r.Transient()) {
      chosen = &r;
      break;
    }
  }
  if (chosen == nullptr) {
    for (const auto& r : attempts) {
      if (chosen == nullptr || Depth(r) > Depth(*chosen)) chosen = &r;
    }
  }
  ProbeResult out = *chosen;
  out.refused.clear();
  out.no_access.clear();
  for (size_t i = 0; i < attempts.size(); ++i) {
    if (attempts[i].outcome == Outcome::kUnauthorized) out.refused.push_back(target.credentials[i].source);
    if (attempts[i].outcome == Outcome::kForbidden) out.no_access.push_back(target.credentials[i].source);
  }
  return out;
}

ProbeResult RegistryClient::WithCredential(const ProbeTarget& target, const auth::Credential* credential) {
  std::optional<ProbeResult> first_failure;
  const RegistryHost* not_found_on = nullptr;
  ProbeResult not_found;
  for (const RegistryHost* host : HostsFor(target.hosts, target.by_digest)) {
    ProbeResult r = OnHost(*host, target, credential);
    if (r.outcome == Outcome::kFound || r.outcome == Outcome::kPlatformMissing) return r;
    if (r.outcome == Outcome::kNotFound) {
      not_found_on = host;
      not_found = std::move(r);
      continue;
    }
    if (!first_failure) first_failure = std::move(r);
  }
  if (first_failure) return *first_failure;
  if (not_found_on == nullptr) {
    ProbeResult none;
    none.failure.problem = Problem::kNoHost;
    return none;
  }
  not_found.repository = RepositoryOn(*not_found_on, target, credential, target.by_digest ? nullptr : &not_found.tags);
  return not_found;
}

ProbeResult RegistryClient::OnHost(const RegistryHost& host, const ProbeTarget& target,
                                   const auth::Credential* credential) {
  ProbeResult result;
  result.anonymous = credential == nullptr;
  result.host = host.host;
  result.from_mirror = host.is_mirror;
  Exchange ex = Send(host, target, credential, "HEAD", "/manifests/" + target.reference);
  // Some registries refuse HEAD on manifests; only then a GET (which may count as a pull).
  if (!ex.failure && ex.response.status == 405) ex = Send(host, target, credential, "GET", "/manifests/" + target.reference);
  if (ex.failure) {
    result.failure = *ex.failure;
    // A token service that refuses the credential (or anonymous callers) is the registry
    // refusing the pull.
    bool refused = result.failure.server == Server::kTokenService &&
                   (result.failure.status == 401 || result.failure.status == 403);
    if (refused) result.outcome = Outcome::kUnauthorized;
    return result;
  }
  const HttpResponse& r = ex.response;
  result.failure = FailureOf(ex.request, r, Server::kRegistry);
  switch (r.status) {
    case 200:
      break;
    case 404:
      result.outcome = Outcome::kNotFound;
      return result;
    case 401:
      // A credential the token service accepted but whose token does not cover the
      // repository is not a bad credential: the repository is missing or not theirs.
      result.outcome = credential != nullptr && result.failure.challenge_error == "insufficient_scope"
                           ? Outcome::kForbidden
                           : Outcome::kUnauthorized;
      return result;
    case 403:
      result.outcome = Outcome::kForbidden;
      return result;
    default:
      return result;  // kFailed: 429, 5xx, anything else
  }
  result.failure = {};
  result.outcome = Outcome::kFound;
  result.digest = r.Header("docker-content-digest");
  result.media_type = r.Header("content-type");
  if (target.by_digest && !result.digest.empty() && result.digest != target.reference) {
    result.outcome = Outcome::kFailed;
    result.failure = Unusable(ex.request, Problem::kDigestMismatch, result.digest);
    return result;
  }
  if (target.by_digest && result.digest.empty()) result.digest = target.reference;
  if (target.platforms.empty()) return result;
  return CheckPlatforms(host, target, credential, std::move(result));
}

RepositoryState RegistryClient::RepositoryOn(const RegistryHost& host, const ProbeTarget& target,
                                             const auth::Credential* credential, std::vector<std::string>* tags) {
  std::string path = tags ? "/tags/list?n=" + std::to_string(kTagPage) : "/tags/list?n=1";
  for (int page = 0;; ++page) {
    Exchange ex = Send(host, target, credential, "GET", path);
    if (ex.failure) return page == 0 ? RepositoryState::kUnknown : RepositoryState::kExists;
    if (ex.response.status == 404 && page == 0) {
      auto errors = ParseErrorBody(ex.response.body);
      return errors.empty() || HasErrorCode(errors, "NAME_UNKNOWN") ? RepositoryState::kMissing : RepositoryState::kUnknown;
    }
    if (ex.response.status != 200) return page == 0 ? RepositoryState::kUnknown : RepositoryState::kExists;
    if (tags == nullptr) return RepositoryState::kExists;
    std::vector<std::string> got = TagsOfList(ex.response.body);
    tags->insert(tags->end(), got.begin(), got.end());
    // The next page (Link: </v2/NAME/tags/list?last=X&n=N>; rel="next"), while the budget lasts.
    std::string next = NextPage(ex.response.Header("link"));
    if (next.empty() || page + 1 >= kMaxTagPages || tags->size() >= kMaxTags ||
        Clock::now() + std::chrono::seconds(1) > target.deadline) {
      return RepositoryState::kExists;
    }
    std::string prefix = host.path + "/" + target.repository;
    if (next.rfind(prefix, 0) != 0) return RepositoryState::kExists;  // another repository: not followed
    path = next.substr(prefix.size());
  }
}

std::optional<Failure> RegistryClient::ReadPlatforms(const RegistryHost& host, const ProbeTarget& target,
                                                     const auth::Credential* credential, ProbeResult& found) {
  bool index = IsIndexMediaType(found.media_type);
  if (!found.digest.empty()) {
    if (auto cached = platforms_.Get(found.digest)) {
      found.offered = *cached;
      found.single_platform = !index;
      return std::nullopt;
    }
  }
  std::string ref = found.digest.empty() ? target.reference : found.digest;
  Exchange ex = Send(host, target, credential, "GET", "/manifests/" + ref);
  if (ex.failure) return ex.failure;
  if (ex.response.status != 200) return FailureOf(ex.request, ex.response, Server::kRegistry);
  if (ex.response.body_truncated) return Unusable(ex.request, Problem::kUnreadableManifest, "larger than 64 KiB");
  std::string digest = found.digest.empty() ? Sha256(ex.response.body) : found.digest;
  index = index || IsIndexMediaType(ex.response.Header("content-type"));
  if (index) {
    auto platforms = PlatformsOfIndex(ex.response.body);
    if (!platforms.ok()) return Unusable(ex.request, Problem::kUnreadableManifest, platforms.status().message());
    found.offered = platforms.value();
  } else {
    auto config_digest = ConfigDigestOfManifest(ex.response.body);
    if (!config_digest.ok()) return Unusable(ex.request, Problem::kUnreadableManifest, config_digest.status().message());
    Exchange blob = Send(host, target, credential, "GET", "/blobs/" + config_digest.value());
    if (blob.failure) return blob.failure;
    if (blob.response.status != 200) return FailureOf(blob.request, blob.response, Server::kRegistry);
    auto platform = PlatformOfConfig(blob.response.body);
    if (!platform.ok()) return Unusable(blob.request, Problem::kUnreadableManifest, platform.status().message());
    found.offered = {platform.value()};
  }
  found.single_platform = !index;
  platforms_.Put(digest, found.offered);
  return std::nullopt;
}

ProbeResult RegistryClient::CheckPlatforms(const RegistryHost& host, const ProbeTarget& target,
                                           const auth::Credential* credential, ProbeResult found) {
  if (auto failure = ReadPlatforms(host, target, credential, found)) {
    found.outcome = Outcome::kFailed;
    found.failure = *failure;
    // The image exists; only its platforms are unknown, which must never deny.
    if (!found.failure.Temporary()) {
      found.failure.problem = Problem::kUnreadableManifest;
      if (found.failure.problem_detail.empty()) found.failure.problem_detail = "the platform lookup failed";
    }
    return found;
  }
  for (const auto& node : target.platforms) {
    bool runs = false;
    for (const auto& offered : found.offered) runs |= offered.RunsOn(node);
    if (!runs) found.missing.push_back(node);
  }
  if (!found.missing.empty()) found.outcome = Outcome::kPlatformMissing;
  return found;
}

}  // namespace pullguard::registry
