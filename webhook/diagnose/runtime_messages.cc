#include "diagnose/runtime_messages.h"

#include <array>
#include <initializer_list>
#include <iterator>

namespace pullguard::diagnose {
namespace {

constexpr bool kFixed = false;
constexpr bool kTransient = true;

// An entry matches when its needles occur in the message in this order. A needle that ends in
// a digit must not be followed by another digit (": 401" is not ": 4010"). Where the texts come
// from: the comment above each group; the test data names a real message for most entries.
struct Entry {
  std::string_view id;
  Reason reason;
  bool transient;
  std::string_view explanation;
  std::array<std::string_view, 3> needles;
};

constexpr Entry E(std::string_view id, Reason reason, bool transient, std::string_view explanation,
                  std::string_view n1, std::string_view n2 = {}, std::string_view n3 = {}) {
  return Entry{id, reason, transient, explanation, {n1, n2, n3}};
}

constexpr std::string_view kNoPullAccess =
    "no pull access: the repository is private and no credential matched it, the credential lacks pull rights, or the "
    "repository does not exist (registries such as Docker Hub answer all three alike)";
constexpr std::string_view kPlatform = "the image has no manifest for this node's os/architecture";
constexpr std::string_view kServerError = "the registry (or a proxy in front of it) failed with a 5xx answer";

// Most specific first: the first entry that matches decides.
constexpr Entry kCatalogue[] = {
    // The kubelet's own verdicts (pkg/kubelet/images/image_manager.go); no runtime was asked.
    E("kubelet.never-pull", Reason::kImageNotOnNodes, kFixed,
      "imagePullPolicy is Never and the image is not on this node, so the kubelet does not pull it",
      "is not present with pull policy of Never"),
    E("kubelet.invalid-image-name", Reason::kInvalidReference, kFixed,
      "the kubelet cannot parse the image reference, so it never asks the runtime", "Failed to apply default image tag"),
    // distribution/reference's ErrReferenceInvalidFormat, from the kubelet or the runtime.
    E("runtime.invalid-reference-format", Reason::kInvalidReference, kFixed, "the image reference does not parse",
      "invalid reference format"),

    // Platforms: containerd core/images/handlers.go, containers/image internal/manifest,
    // dockershim / cri-dockerd.
    E("containerd.no-match-for-platform", Reason::kPlatformMismatch, kFixed, kPlatform,
      "no match for platform in manifest"),
    E("crio.no-image-for-platform", Reason::kPlatformMismatch, kFixed, kPlatform, "no image found in ",
      "for architecture "),
    E("docker.no-matching-manifest", Reason::kPlatformMismatch, kFixed, kPlatform, "no matching manifest for ",
      "in the manifest list entries"),

    // CRI-O short names (containers/image pkg/shortnames, CRI-O internal/storage/image.go).
    E("crio.short-name-unresolved", Reason::kInvalidReference, kFixed,
      "a short name (no registry host) that CRI-O cannot qualify: no alias and no unqualified-search registry; write "
      "the full name, e.g. docker.io/library/nginx:1.27",
      "short-name \"", "did not resolve to an alias"),
    E("crio.short-name-ambiguous", Reason::kInvalidReference, kFixed,
      "CRI-O 1.34+ enforces short names and more than one unqualified-search registry could serve this one; write "
      "the full name",
      "short name mode is enforcing", "returns ambiguous list"),
    E("crio.no-registries-configured", Reason::kInvalidReference, kFixed,
      "a short name and no registry to search on the node; write the full name",
      "no registries configured while trying to pull an unqualified image"),

    // Docker schema 1 manifests: containerd 2.1+ core/remotes/docker/resolver.go and
    // core/transfer/local/pull.go.
    E("containerd.schema1-unsupported", Reason::kRegistryError, kFixed,
      "a Docker schema 1 manifest, which containerd 2.1+ no longer pulls; rebuild and push the image",
      "is no longer supported since containerd v2.0"),
    E("containerd.schema1-transfer", Reason::kRegistryError, kFixed,
      "a Docker schema 1 manifest, which containerd 2.1+ no longer pulls; rebuild and push the image",
      "schema 1 image manifests are no longer supported"),

    // Rate limits: the registry's TOOMANYREQUESTS error code, an HTTP 429, containers/image's
    // ErrTooManyRequests.
    E("registry.toomanyrequests", Reason::kRateLimited, kTransient,
      "the registry is rate-limiting pulls; authenticate the pulls or use a mirror", "toomanyrequests"),
    E("http.429", Reason::kRateLimited, kTransient, "the registry is rate-limiting pulls (429)", ": 429"),
    E("crio.too-many-requests", Reason::kRateLimited, kTransient, "the registry is rate-limiting pulls (429)",
      "too many requests to registry"),
    E("registry.pull-rate-limit", Reason::kRateLimited, kTransient, "the registry's pull rate limit is reached",
      "pull rate limit"),

    // Credentials: registry error codes (DENIED, UNAUTHORIZED), containerd's authorizer
    // (core/remotes/docker/authorizer.go) and resolver, containers/image docker/errors.go.
    E("registry.token-expired", Reason::kAuthFailed, kFixed,
      "the registry refused an expired token (ECR tokens last 12 hours): the credential is stale",
      "authorization token has expired"),
    E("registry.token-expired-ecr", Reason::kAuthFailed, kFixed,
      "the registry refused an expired token (ECR tokens last 12 hours): the credential is stale",
      "Authorization Token has expired"),
    E("registry.security-token-invalid", Reason::kAuthFailed, kFixed, "the registry refused the credential's token",
      "security token included in the request is invalid"),
    E("containerd.oauth-token-401", Reason::kAuthFailed, kFixed,
      "the registry's token service refused the credentials sent: the username, password or token is wrong or "
      "expired",
      "failed to fetch oauth token", ": 401"),
    E("containerd.oauth-token-403", Reason::kAccessDenied, kFixed,
      "the token service accepted the credentials but refuses them this repository", "failed to fetch oauth token",
      ": 403"),
    E("containerd.anonymous-token-401", Reason::kAuthRequired, kFixed,
      "the token service wants credentials and none were sent: no pull secret or node credential matches this "
      "registry",
      "failed to fetch anonymous token", ": 401"),
    E("containerd.no-basic-auth-credentials", Reason::kAuthRequired, kFixed,
      "the registry asks for credentials and none matches it: add an imagePullSecret for this registry",
      "no basic auth credentials"),
    E("crio.invalid-username-password", Reason::kAuthFailed, kFixed, "the registry refused the username and password",
      "invalid username/password"),
    E("registry.pull-access-denied", Reason::kAuthRequired, kFixed, kNoPullAccess,
      "repository does not exist or may require"),
    E("registry.resource-denied", Reason::kAuthRequired, kFixed, kNoPullAccess,
      "requested access to the resource is denied"),
    E("registry.not-authorized", Reason::kAuthRequired, kFixed,
      "the registry wants credentials this pull did not have, or the repository does not exist",
      "access to the requested resource is not authorized"),
    E("registry.authentication-required", Reason::kAuthRequired, kFixed,
      "the registry requires authentication and accepted none", "authentication required"),
    E("registry.unauthorized", Reason::kAuthRequired, kFixed,
      "the registry answered unauthorized: no credential for it, or one it does not accept", "unauthorized: "),
    E("registry.denied", Reason::kAccessDenied, kFixed,
      "the registry denied the pull: the credential may not read this repository", ": denied: "),
    E("registry.denied-line", Reason::kAccessDenied, kFixed,
      "the registry denied the pull: the credential may not read this repository", "\ndenied: "),
    E("http.401", Reason::kAuthRequired, kFixed,
      "the registry answered 401: no credential for it, or one it does not accept", ": 401"),
    E("http.403", Reason::kAccessDenied, kFixed,
      "the registry answered 403: the credential may not read this repository, or a network or IP rule refuses it",
      ": 403"),

    // Missing manifests: registry error codes (containers/image prints the bare message when it
    // is the code's default), containerd's resolver (`REF: not found`, 404 from every host).
    E("crio.manifest-unknown-digest", Reason::kDigestNotFound, kFixed, "no manifest with this digest",
      "reading manifest sha256:", "manifest unknown"),
    E("registry.manifest-unknown", Reason::kTagNotFound, kFixed, "the registry has no manifest for this tag",
      "manifest unknown"),
    E("registry.name-unknown", Reason::kRepositoryNotFound, kFixed, "the registry has no such repository",
      "name unknown"),
    E("registry.repository-not-known", Reason::kRepositoryNotFound, kFixed, "the registry has no such repository",
      "repository name not known to registry"),
    E("containerd.resolve-not-found-digest", Reason::kDigestNotFound, kFixed,
      "no manifest with this digest on any host tried", "failed to resolve reference \"", "@sha256:", ": not found"),
    E("containerd.resolve-not-found", Reason::kTagNotFound, kFixed,
      "404 for the manifest: the tag does not exist, or the repository does not (containerd cannot tell which)",
      "failed to resolve reference \"", ": not found"),
    E("containerd.transfer-not-found-digest", Reason::kDigestNotFound, kFixed,
      "no manifest with this digest on any host tried", "failed to resolve image: ", "@sha256:", ": not found"),
    E("containerd.transfer-not-found", Reason::kTagNotFound, kFixed,
      "404 for the manifest: the tag does not exist, or the repository does not (containerd cannot tell which)",
      "failed to resolve image: ", ": not found"),
    E("crio.http-404", Reason::kTagNotFound, kFixed,
      "404 with a body that is no registry error: no such tag or repository", "StatusCode: 404"),
    E("crio.http-404-body", Reason::kTagNotFound, kFixed,
      "404 with a body that is no registry error: no such tag or repository", "error parsing HTTP 404 response body"),

    // TLS: Go's crypto/tls and crypto/x509 texts, as every runtime wraps them.
    E("tls.unknown-authority", Reason::kRegistryTLSError, kFixed,
      "the registry's certificate is signed by a CA the node does not trust: give the nodes the CA (containerd "
      "hosts.toml `ca`, CRI-O /etc/containers/certs.d) or fix the certificate",
      "certificate signed by unknown authority"),
    E("tls.hostname-mismatch", Reason::kRegistryTLSError, kFixed, "the registry's certificate names another host",
      "x509: certificate is valid for"),
    E("tls.expired", Reason::kRegistryTLSError, kFixed,
      "the registry's certificate has expired or is not yet valid (or the node's clock is wrong)",
      "x509: certificate has expired or is not yet valid"),
    E("tls.x509", Reason::kRegistryTLSError, kFixed, "the registry's certificate does not verify", "x509: "),
    E("tls.http-response-to-https", Reason::kRegistryTLSError, kFixed,
      "the registry speaks plain HTTP: serve TLS, or declare it an HTTP host on the nodes",
      "server gave HTTP response to HTTPS client"),
    E("tls.first-record", Reason::kRegistryTLSError, kFixed, "the peer does not speak TLS on this port",
      "first record does not look like a TLS handshake"),
    E("tls.remote-error", Reason::kRegistryTLSError, kFixed,
      "the registry refused the TLS handshake (it may require a client certificate)", "remote error: tls: "),

    // Proxy and DNS: Go's net and net/http texts.
    E("net.proxyconnect", Reason::kRegistryUnreachable, kTransient,
      "the node's HTTP(S) proxy cannot be reached or resolved", "proxyconnect tcp: "),
    E("net.no-such-host", Reason::kRegistryUnresolvable, kFixed,
      "the registry's host name does not exist in DNS: a typo, or a private name the nodes cannot resolve",
      "no such host"),
    E("net.dns-temporary", Reason::kRegistryUnreachable, kTransient, "the node's DNS server did not answer",
      "Temporary failure in name resolution"),
    E("net.dns-misbehaving", Reason::kRegistryUnreachable, kTransient, "the node's DNS server failed",
      "server misbehaving"),
    E("net.dns-lookup", Reason::kRegistryUnreachable, kTransient, "the registry's name could not be looked up",
      "dial tcp: lookup "),

    // Connections: the kubelet's RegistryUnavailable (CRI-O on ECONNREFUSED), Go's net texts.
    E("kubelet.registry-unavailable", Reason::kRegistryUnreachable, kTransient,
      "the runtime found the registry unavailable", "because the registry is unavailable"),
    E("net.connection-refused", Reason::kRegistryUnreachable, kTransient,
      "the registry host refused the connection: nothing listens on that port, or a firewall rejects it",
      "connection refused"),
    E("net.connection-reset", Reason::kRegistryUnreachable, kTransient,
      "the connection to the registry was reset (a proxy, a firewall or an overloaded registry)",
      "connection reset by peer"),
    E("net.connection-timed-out", Reason::kRegistryUnreachable, kTransient, "connecting to the registry timed out",
      "connection timed out"),
    E("net.io-timeout", Reason::kRegistryUnreachable, kTransient, "the registry did not answer in time", "i/o timeout"),
    E("net.no-route", Reason::kRegistryUnreachable, kTransient, "no route from the node to the registry",
      "no route to host"),
    E("net.network-unreachable", Reason::kRegistryUnreachable, kTransient, "no route from the node to the registry",
      "network is unreachable"),
    E("net.tls-handshake-timeout", Reason::kRegistryUnreachable, kTransient,
      "the registry did not finish the TLS handshake in time", "TLS handshake timeout"),
    E("net.client-timeout", Reason::kRegistryUnreachable, kTransient, "the registry did not answer in time",
      "Client.Timeout exceeded"),
    E("net.unexpected-eof", Reason::kRegistryUnreachable, kTransient,
      "the connection closed in the middle of a transfer", "unexpected EOF"),

    // The registry's own failures, and pulls the runtime gave up on.
    E("http.500", Reason::kRegistryError, kTransient, kServerError, "Internal Server Error"),
    E("http.502", Reason::kRegistryError, kTransient, kServerError, "Bad Gateway"),
    E("http.503", Reason::kRegistryError, kTransient, kServerError, "Service Unavailable"),
    E("http.504", Reason::kRegistryError, kTransient, kServerError, "Gateway Timeout"),
    E("containerd.commit-digest", Reason::kRegistryError, kTransient,
      "a downloaded blob did not match its digest", "unexpected commit digest"),
    E("containerd.commit-size", Reason::kRegistryError, kTransient, "a downloaded blob had the wrong size",
      "unexpected commit size"),
    E("runtime.pull-cancelled", Reason::kRegistryError, kTransient,
      "the pull was cancelled: no progress within containerd's image_pull_progress_timeout or CRI-O's "
      "pull_progress_timeout (a stalled registry or network)",
      "context canceled"),
    E("runtime.deadline-exceeded", Reason::kRegistryError, kTransient, "the pull ran out of time",
      "context deadline exceeded"),
};

constexpr Entry kExecFormat = E("runtime.exec-format-error", Reason::kPlatformMismatch, kFixed,
                                "the image was built for another platform: the node's kernel cannot execute it",
                                "exec format error");

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool Matches(const Entry& entry, std::string_view message) {
  size_t from = 0;
  for (std::string_view needle : entry.needles) {
    if (needle.empty()) continue;
    size_t at = message.find(needle, from);
    // A numeric needle must end on a number's end: look further when it does not.
    while (at != std::string_view::npos && IsDigit(needle.back()) && at + needle.size() < message.size() &&
           IsDigit(message[at + needle.size()])) {
      at = message.find(needle, at + 1);
    }
    if (at == std::string_view::npos) return false;
    from = at + needle.size();
  }
  return true;
}

RuntimeCause CauseOf(const Entry& entry) {
  return RuntimeCause{entry.reason, entry.transient, entry.id, entry.explanation};
}

const Entry* FindEntry(std::string_view id) {
  for (const Entry& entry : kCatalogue) {
    if (entry.id == id) return &entry;
  }
  return nullptr;
}

}  // namespace

std::optional<RuntimeCause> ClassifyPullMessage(std::string_view message) {
  for (const Entry& entry : kCatalogue) {
    if (Matches(entry, message)) return CauseOf(entry);
  }
  return std::nullopt;
}

std::optional<RuntimeCause> ClassifyWaiting(std::string_view reason, std::string_view message) {
  const Entry* decided = nullptr;
  if (reason == "ErrImageNeverPull") decided = FindEntry("kubelet.never-pull");
  if (reason == "InvalidImageName") decided = FindEntry("kubelet.invalid-image-name");
  if (decided != nullptr) return CauseOf(*decided);
  return ClassifyPullMessage(message);
}

std::optional<RuntimeCause> ClassifyTerminated(std::string_view reason, std::string_view message, int exit_code) {
  if (exit_code == 0) return std::nullopt;
  for (std::string_view text : {reason, message}) {
    // Go's syscall.ENOEXEC text, and glibc's strerror (crun) with its capital E.
    if (text.find("exec format error") != std::string_view::npos ||
        text.find("Exec format error") != std::string_view::npos) {
      return CauseOf(kExecFormat);
    }
  }
  return std::nullopt;
}

bool IsBareBackOff(std::string_view message) {
  constexpr std::string_view kPrefix = "Back-off pulling image \"";
  if (!message.starts_with(kPrefix)) return false;
  // The image is Go-quoted (%q): skip escaped characters up to the closing quote.
  size_t i = kPrefix.size();
  for (; i < message.size(); ++i) {
    if (message[i] == '\\') {
      ++i;
      continue;
    }
    if (message[i] == '"') break;
  }
  if (i >= message.size()) return false;
  return message.substr(i + 1).find_first_not_of(" \t\r\n") == std::string_view::npos;
}

std::vector<std::string_view> CatalogueIds() {
  std::vector<std::string_view> ids;
  ids.reserve(std::size(kCatalogue) + 1);
  for (const Entry& entry : kCatalogue) ids.push_back(entry.id);
  ids.push_back(kExecFormat.id);
  return ids;
}

}  // namespace pullguard::diagnose
