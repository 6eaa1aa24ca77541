#include <nlohmann/json.hpp>

#include "cli/check_report.h"

namespace pullguard::cli {
namespace {

using nlohmann::json;

// Output never fails on a byte that is not UTF-8 (an image written with one): it is replaced.
std::string Dump(const json& doc, int indent) { return doc.dump(indent, ' ', false, json::error_handler_t::replace); }

// SARIF wants URIs relative to the checkout; stdin has none.
std::string Uri(const std::string& file) {
  std::string uri = file;
  if (uri.rfind("./", 0) == 0) uri = uri.substr(2);
  return uri == "<stdin>" ? "stdin" : uri;
}

constexpr const char* kDocs = "https://github.com/pullguard/pullguard/blob/main/docs/";

// A reason's SARIF rule texts. `full` is docs/reasons.md's own words (its section's sentences,
// without the Markdown); `anchor` is that section's GitHub anchor. The tests hold both to the
// file.
struct RuleText {
  const char* anchor;
  const char* short_text;
  const char* full;
};

// One case per enumerator and no default: a new reason does not compile without its texts.
RuleText TextOf(Reason reason) {
  constexpr const char* kNotFound = "repositorynotfound-tagnotfound-digestnotfound";
  switch (reason) {
    case Reason::kInvalidReference:
      return {"invalidreference", "The image reference does not parse: the pod stays in InvalidImageName",
              "The image does not parse with distribution's grammar, so the kubelet never pulls it: the pod stays in "
              "InvalidImageName. Fix the image."};
    case Reason::kRegistryUnresolvable:
      return {"registryunresolvable", "The registry's host name does not exist in DNS",
              "The registry's host name does not exist in DNS (NXDOMAIN): every pull fails. A DNS server that does not "
              "answer is RegistryUnreachable instead."};
    case Reason::kRegistryUnreachable:
      return {"registryunreachable", "The registry could not be reached; the pull may work later",
              "The registry refused the connection, reset it (during the TLS handshake too) or DNS did not answer. Often "
              "transient; check that the registry is up and reachable from the cluster."};
    case Reason::kRegistryTLSError:
      return {"registrytlserror", "The registry's TLS certificate does not verify",
              "The registry's certificate does not verify, names another host, or the peer speaks no TLS."};
    case Reason::kRepositoryNotFound:
      return {kNotFound, "The repository does not exist",
              "The manifest is not there (404 from every host the nodes would ask). RepositoryNotFound: the repository "
              "itself does not exist."};
    case Reason::kTagNotFound:
      return {kNotFound, "The tag does not exist in the repository",
              "The manifest is not there (404 from every host the nodes would ask). TagNotFound: the repository exists, "
              "the tag does not. Push the tag, or use one that exists."};
    case Reason::kDigestNotFound:
      return {kNotFound, "No manifest with that digest exists in the repository",
              "The manifest is not there (404 from every host the nodes would ask). DigestNotFound: no manifest of the "
              "repository has that digest."};
    case Reason::kAuthRequired:
      return {"authrequired", "The registry asks for credentials and no pull secret matches it",
              "The registry answered 401 and no pull secret of the pod (or its ServiceAccount, or the node's docker "
              "config) has an entry for it. It may also mean that the repository does not exist: registries such as "
              "Docker Hub do not tell the two apart for anonymous callers."};
    case Reason::kAuthFailed:
      return {"authfailed", "Every matching pull credential was refused",
              "Every matching credential was refused (by the registry, or by its token service). Update the pull "
              "secret's credentials."};
    case Reason::kAccessDenied:
      return {"accessdenied", "The credential may not pull this repository",
              "The credential was accepted, but may not pull this repository: a 403, or a token that does not cover it "
              "(insufficient_scope, which is also how Docker Hub answers for a repository that does not exist). Grant "
              "the account read access, or check the name."};
    case Reason::kPullSecretMissing:
      return {"pullsecretmissing", "A named imagePullSecret does not exist",
              "A secret named in imagePullSecrets (the pod's, or its ServiceAccount's) does not exist in the namespace."};
    case Reason::kPullSecretInvalid:
      return {"pullsecretinvalid", "A pull secret gives no usable credential",
              "The secret exists but gives no credential: not of type kubernetes.io/dockerconfigjson (or dockercfg), its "
              "data does not decode, or it has no entry for any registry the pod uses."};
    case Reason::kServiceAccountMissing:
      return {"serviceaccountmissing", "The workload's ServiceAccount does not exist",
              "A workload names a ServiceAccount that does not exist: its controller will create no pod."};
    case Reason::kPlatformMismatch:
      return {"platformmismatch", "The image is not built for the nodes' platform",
              "An image index has no manifest for a platform the nodes run (the pull fails), or a single-platform image "
              "is built for another one (it pulls, then the container fails to start with exec format error)."};
    case Reason::kRateLimited:
      return {"ratelimited", "The registry rate-limited the check; the pull may work later",
              "429 from the registry (with ratelimit-remaining when it says). The pull may work later; authenticate the "
              "pulls or use a mirror."};
    case Reason::kRegistryError:
      return {"registryerror", "The registry failed or gave an answer that makes no sense; it may pass later",
              "A 5xx, a token service that fails, or an answer that makes no sense (a digest that does not match, a "
              "manifest that does not parse, a plain-HTTP token realm pullguard will not send credentials to). It may "
              "pass later."};
    case Reason::kCheckTimedOut:
      return {"checktimedout", "The registry did not answer in time",
              "No answer before the API server's deadline (its ?timeout= minus timeouts.marginMillis), or within "
              "timeouts.checkMillis. The probe goes on, and its answer serves the next request."};
    case Reason::kRegistryAddressBlocked:
      return {"registryaddressblocked", "The registry resolves to an address pullguard does not contact",
              "The registry resolves to a loopback, link-local (cloud metadata) or private address, which pullguard does "
              "not contact unless the policy allows it for that registry (registries[].allowPrivateAddress: true). "
              "pullguard did not ask, so it only warns."};
    case Reason::kImageNotOnNodes:
      return {"imagenotonnodes", "imagePullPolicy Never, and no node the pod may land on lists the image",
              "The container's imagePullPolicy is Never, so the kubelet never pulls: the image must be on the node "
              "already, or the pod fails with ErrImageNeverPull."};
    case Reason::kNodeCredentialsUnverified:
      return {"nodecredentialsunverified", "Only the node's credential provider could prove the pull",
              "Only the node's credentials (a kubelet credential provider plugin) could prove the pull; pullguard's own "
              "attempt was refused or impossible."};
    case Reason::kServiceAccountAnnotationMissing:
      return {"serviceaccountannotationmissing", "The pod's ServiceAccount lacks an annotation a credential provider requires",
              "A kubelet credential provider with tokenAttributes (KEP-4412) matches the image, and the pod's "
              "ServiceAccount lacks one of its requiredServiceAccountAnnotationKeys. The kubelet then skips that "
              "provider for the pod: it does not run the plugin, and pulls with the pod's other credentials, or "
              "anonymously when there are none."};
    case Reason::kPolicyViolation:
      return {"policyviolation", "The image breaks one of the policy's rules",
              "One of the policy's own rules: a registry not in rules.allowedRegistries, :latest or no tag "
              "(rules.latestTag), no digest (rules.requireDigest). Each rule has its own action."};
  }
  return {"", "", ""};  // not reached: the switch names every enumerator
}

}  // namespace

void RenderJson(const CheckReport& report, const RenderOptions& options, std::ostream& out) {
  json findings = json::array();
  for (const auto& o : report.objects) {
    for (const Finding* f : o.Findings()) {
      findings.push_back({{"file", o.source->file}, {"line", o.LineOf(*f)}, {"object", o.Label()}, {"namespace", o.ns},
                          {"path", f->path}, {"image", f->image}, {"normalized", f->normalized},
                          {"reason", ReasonName(f->reason)}, {"action", ActionName(f->action)}, {"detail", f->detail},
                          {"fix", f->fix}, {"message", FormatFinding(*f)}});
    }
  }
  json problems = json::array();
  for (const auto& p : report.problems) {
    problems.push_back({{"file", p.file}, {"line", p.line}, {"column", p.column}, {"message", p.message}});
  }
  json skipped = json::array();
  json skipped_by = json::object();
  for (SkipCategory category : kSkipCategories) skipped_by[std::string(SkipCategoryKey(category))] = report.Skipped(category);
  for (const auto& s : report.skipped) {
    skipped.push_back({{"file", s.file}, {"line", s.line}, {"object", s.object}, {"why", s.why},
                       {"category", std::string(SkipCategoryKey(s.category))}});
  }
  json doc = {{"version", 1},
              {"pullguard", options.version},
              {"findings", findings},
              {"problems", problems},
              {"skipped", skipped},
              {"hints", report.hints},
              {"summary",
               {{"files", report.files}, {"objects", report.objects.size()}, {"images", report.Images()},
                {"denied", report.Denied()}, {"warned", report.Warned()}, {"problems", report.problems.size()},
                {"skipped", report.skipped.size()}, {"skippedBy", skipped_by}, {"notKubernetes", report.not_kubernetes},
                {"excluded", report.excluded}, {"offline", report.offline}}}};
  out << Dump(doc, 2) << "\n";
}

void RenderSarif(const CheckReport& report, const RenderOptions& options, std::ostream& out) {
  json rules = json::array();
  for (Reason r : AllReasons()) {
    // The level a finding of this reason has unless the policy says otherwise.
    std::string level = DefaultAction(r) == Action::kDeny ? "error" : "warning";
    RuleText text = TextOf(r);
    rules.push_back({{"id", std::string(ReasonName(r))},
                     {"name", std::string(ReasonName(r))},
                     {"shortDescription", {{"text", text.short_text}}},
                     {"fullDescription", {{"text", text.full}}},
                     {"helpUri", std::string(kDocs) + "reasons.md#" + text.anchor},
                     {"defaultConfiguration", {{"level", level}}}});
  }
  // Problems fail the run by default (--fail-on), so they are errors.
  rules.push_back({{"id", "ManifestProblem"},
                   {"name", "ManifestProblem"},
                   {"shortDescription", {{"text", "A manifest that could not be checked, or that the API server would refuse"}}},
                   {"fullDescription",
                    {{"text", "A file or document that does not parse or cannot be read, an object whose pod spec does "
                              "not decode, or an object the API server would refuse (a container without an image)."}}},
                   {"helpUri", std::string(kDocs) + "ci.md#problems"},
                   {"defaultConfiguration", {{"level", "error"}}}});
  auto location = [](const std::string& file, int line, int column) {
    json region = {{"startLine", line > 0 ? line : 1}};
    if (line > 0 && column > 0) region["startColumn"] = column;
    return json{{"physicalLocation", {{"artifactLocation", {{"uri", Uri(file)}}}, {"region", region}}}};
  };
  json results = json::array();
  for (const auto& o : report.objects) {
    for (const Finding* f : o.Findings()) {
      results.push_back({{"ruleId", std::string(ReasonName(f->reason))},
                         {"level", f->action == Action::kDeny ? "error" : "warning"},
                         {"message", {{"text", o.Label() + ": " + FormatFinding(*f)}}},
                         {"locations", json::array({location(o.source->file, o.LineOf(*f), 0)})}});
    }
  }
  for (const auto& p : report.problems) {
    results.push_back({{"ruleId", "ManifestProblem"},
                       {"level", "error"},
                       {"message", {{"text", p.message}}},
                       {"locations", json::array({location(p.file, p.line, p.column)})}});
  }
  json doc = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
              {"version", "2.1.0"},
              {"runs", json::array({{{"tool",
                                      {{"driver",
                                        {{"name", "pullguard"},
                                         {"version", options.version},
                                         {"informationUri", "https://github.com/pullguard/pullguard"},
                                         {"rules", rules}}}}},
                                     {"results", results}}})}};
  out << Dump(doc, 2) << "\n";
}

}  // namespace pullguard::cli
