#include "registry/registry_client.h"

#include "registry/classify.h"
#include "registry/error_body.h"

namespace pullguard::registry {
namespace {


std::string Sources(const std::vector<std::string>& sources) {
  std::string out;
  for (const auto& s : sources) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string Short(const std::string& digest) { return digest.size() > 19 ? digest.substr(0, 19) + "..." : digest; }

constexpr size_t kMaxCachedPlatforms = 10000;

}  // namespace

HttpRequest RegistryClient::Request(const Endpoint& endpoint, const ProbeTarget& target, const std::string& method,
                                    const std::string& path, const std::string& authorization) const {
  HttpRequest req;
  req.method = method;
  req.url = endpoint.base_url + "/v2/" + target.repository + path;
  req.deadline = target.deadline;
  req.ca_file = endpoint.settings.ca_file;
  req.allow_private = endpoint.settings.allow_private;
  if (!authorization.empty()) req.headers.emplace_back("Authorization", authorization);
  return req;
}

ProbeAnswer RegistryClient::Probe(const ProbeTarget& target) {
  Endpoint endpoint = ResolveEndpoint(target.registry, target.settings);
  std::vector<const auth::Credential*> attempts;
  for (const auto& c : target.credentials) attempts.push_back(&c);
  if (attempts.empty()) attempts.push_back(nullptr);

  std::vector<std::string> rejected;
  for (const auth::Credential* credential : attempts) {
    for (int round = 0; round < 2; ++round) {  // a second round only after a stale token
      Authorization authz = authorizer_.Authorize(endpoint, target, credential);
      if (authz.failure) {
        if (authz.failure->reason == Reason::kAuthFailed && credential) {
          rejected.push_back(credential->source);
          break;
        }
        return *authz.failure;
      }
      HttpRequest head = Request(endpoint, target, "HEAD", "/manifests/" + target.reference, authz.header);
      head.headers.emplace_back("Accept", ManifestAccept());
      HttpResponse r = sender_.Send(head);
      if (r.error != TransportError::kNone) return TransportFailure(r, endpoint.host, target, resolve_);
      if (r.status == 401) {
        if (!authz.token_cache_key.empty() && round == 0) {
          authorizer_.ForgetToken(authz.token_cache_key);  // expired or revoked: fetch a new one once
          continue;
        }
        if (credential) {
          rejected.push_back(credential->source);
          break;
        }
        return Failure(Reason::kAuthRequired,
                    target.registry + " asks for credentials and no pull secret matches it (a 401 may also mean "
                                      "the repository does not exist)",
                    "add an imagePullSecret with an entry for " + target.registry);
      }
      if (r.status == 403) {
        return Failure(Reason::kAccessDenied,
                    target.registry + " denied " + (credential ? credential->source : std::string("anonymous pulls")) +
                        " access to " + target.repository + " (403)",
                    "grant the pull secret's account read access to " + target.repository);
      }
      return Interpret(endpoint, target, authz.header, r);
    }
  }
  return Failure(Reason::kAuthFailed, target.registry + " rejected every matching credential (" + Sources(rejected) + ")",
              "update the pull secret's credentials for " + target.registry);
}

ProbeAnswer RegistryClient::Interpret(const Endpoint& endpoint, const ProbeTarget& target,
                                      const std::string& authorization, const HttpResponse& head) {
  HttpResponse r = head;
  if (r.status == 405) {
    // Some registries refuse HEAD; only then a GET (which may count as a pull).
    HttpRequest get = Request(endpoint, target, "GET", "/manifests/" + target.reference, authorization);
    get.headers.emplace_back("Accept", ManifestAccept());
    r = sender_.Send(get);
    if (r.error != TransportError::kNone) return TransportFailure(r, endpoint.host, target, resolve_);
  }
  if (r.status == 404) return MissingRepositoryOrReference(endpoint, target, authorization);
  if (r.status != 200) return UnexpectedStatus(r, Who(endpoint), "the manifest request");
  ProbeAnswer found;
  found.ok = true;
  found.digest = r.Header("docker-content-digest");
  found.media_type = r.Header("content-type");
  if (target.by_digest && !found.digest.empty() && found.digest != target.reference) {
    return Failure(Reason::kRegistryError,
                endpoint.host + " answered digest " + Short(found.digest) + " for " + Short(target.reference),
                "check the registry or any proxy in front of it: it serves other content than asked", false);
  }
  if (target.by_digest && found.digest.empty()) found.digest = target.reference;
  if (target.platforms.empty()) return found;
  return CheckPlatforms(endpoint, target, authorization, found);
}

ProbeAnswer RegistryClient::MissingRepositoryOrReference(const Endpoint& endpoint, const ProbeTarget& target,
                                                         const std::string& authorization) {
  HttpResponse tags = sender_.Send(Request(endpoint, target, "GET", "/tags/list?n=1", authorization));
  bool repo_missing = tags.error == TransportError::kNone && tags.status == 404;
  std::string name = target.registry + "/" + target.repository;
  if (repo_missing) {
    return Failure(Reason::kRepositoryNotFound, "repository " + name + " does not exist",
                "check the repository name, or push the image");
  }
  std::string unsure = (tags.error == TransportError::kNone && tags.status == 200) ? "" : " (nor, perhaps, the repository)";
  if (target.by_digest) {
    return Failure(Reason::kDigestNotFound, "digest " + Short(target.reference) + " does not exist in " + name + unsure,
                "use a digest the registry has (crane digest " + name + ":TAG)");
  }
  return Failure(Reason::kTagNotFound, "tag " + target.reference + " does not exist in " + name + unsure,
              "push the tag, or use one that exists (crane ls " + name + ")");
}

Result<std::vector<Platform>> RegistryClient::OfferedPlatforms(const Endpoint& endpoint, const ProbeTarget& target,
                                                               const std::string& authorization, const ProbeAnswer& found) {
  std::string ref = found.digest.empty() ? target.reference : found.digest;
  if (!IsIndexMediaType(found.media_type)) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = single_platforms_.find(ref); it != single_platforms_.end()) return std::vector<Platform>{it->second};
  }
  HttpRequest get = Request(endpoint, target, "GET", "/manifests/" + ref, authorization);
  get.headers.emplace_back("Accept", ManifestAccept());
  HttpResponse r = sender_.Send(get);
  if (r.error != TransportError::kNone) return Status::Unavailable(r.error_detail);
  if (r.status != 200) return Status::Unavailable("the manifest GET answered " + std::to_string(r.status));
  if (r.body_truncated) return Status::InvalidArgument("the manifest is larger than 64 KiB");
  if (IsIndexMediaType(found.media_type) || IsIndexMediaType(r.Header("content-type"))) return PlatformsOfIndex(r.body);

  ASSIGN_OR_RETURN(std::string config_digest, ConfigDigestOfManifest(r.body));
  HttpResponse blob = sender_.Send(Request(endpoint, target, "GET", "/blobs/" + config_digest, authorization));
  if (blob.error != TransportError::kNone) return Status::Unavailable(blob.error_detail);
  if (blob.status != 200) return Status::Unavailable("the config blob GET answered " + std::to_string(blob.status));
  ASSIGN_OR_RETURN(Platform platform, PlatformOfConfig(blob.body));
  if (!found.digest.empty()) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (single_platforms_.size() >= kMaxCachedPlatforms) single_platforms_.clear();
    single_platforms_[found.digest] = platform;  // content-addressed: true for good
  }
  return std::vector<Platform>{platform};
}

ProbeAnswer RegistryClient::CheckPlatforms(const Endpoint& endpoint, const ProbeTarget& target,
                                           const std::string& authorization, ProbeAnswer found) {
  auto offered = OfferedPlatforms(endpoint, target, authorization, found);
  if (!offered.ok()) {
    return Failure(Reason::kRegistryError, "could not read the platforms of " + target.Image() + ": " + offered.status().message(),
                "retry; the image exists but its platforms were not checked", true);
  }
  for (const auto& p : offered.value()) found.platforms.push_back(p.ToString());
  std::string missing;
  for (const auto& required : target.platforms) {
    bool served = false;
    for (const auto& p : offered.value()) served |= p.Serves(required);
    if (!served) missing += (missing.empty() ? "" : ", ") + required.ToString();
  }
  if (missing.empty()) return found;
  std::string has;
  for (const auto& p : found.platforms) has += (has.empty() ? "" : ", ") + p;
  return Failure(Reason::kPlatformMismatch, "no " + missing + " image (it has " + (has.empty() ? "none" : has) + ")",
              "build and push " + missing + ", or schedule the pod on nodes it runs on (nodeSelector)");
}

}  // namespace pullguard::registry
