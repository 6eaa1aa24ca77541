// `pullguard check`: the webhook's checks over manifest files, for CI.
#include <iostream>

#include <chrono>
#include <memory>

#include "admission/check_object.h"
#include "admission/response.h"
#include "admission/workload.h"
#include "checker/checker.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/manifest_reader.h"
#include "cli/secrets_loader.h"
#include "registry/curl_transport.h"
#include "registry/registry_client.h"
#include "policy/policy_yaml.h"

namespace pullguard::cli {
namespace {

using nlohmann::json;

constexpr const char* kCheckHelp = R"(Usage: pullguard check -f PATH... [--policy FILE] [--offline] [-o text|json]

Checks the images of every Pod and workload (Deployment, ReplicaSet, StatefulSet, DaemonSet,
Job, CronJob, ReplicationController, PodTemplate) in the manifests, with the same findings and
words as the webhook.

  -f, --filename PATH   a file, a directory (*.yaml, *.yml, *.json, recursively) or - for stdin;
                        repeat for more. Multi-document YAML and List objects are read.
  --policy FILE         the policy file (default: built-in defaults, see policies/default.yaml)
  --offline             check syntax and policy rules only, never contact a registry
                        (otherwise registries are asked, with the pull secrets found among
                        the manifests as Secret objects)
  -o, --output FORMAT   text (default) or json

Exit status: 0 nothing denied, 1 something denied, 2 usage or input error.
)";

struct ObjectFindings {
  const ManifestObject* source;
  std::string object;  // Kind/name
  policy::Verdict verdict;
};

std::string GroupOf(const json& obj) {
  auto it = obj.find("apiVersion");
  if (it == obj.end() || !it->is_string()) return "";
  const std::string& v = it->get_ref<const std::string&>();
  size_t slash = v.find('/');
  return slash == std::string::npos ? "" : v.substr(0, slash);
}

std::string StringAt(const json& obj, const char* a, const char* b) {
  auto ia = obj.find(a);
  if (ia == obj.end() || !ia->is_object()) return "";
  auto ib = ia->find(b);
  return ib != ia->end() && ib->is_string() ? ib->get<std::string>() : "";
}

json FindingJson(const ObjectFindings& o, const Finding& f) {
  return {{"file", o.source->file}, {"object", o.object}, {"path", f.path},   {"image", f.image},
          {"reason", ReasonName(f.reason)}, {"action", ActionName(f.action)}, {"message", FormatFinding(f)}};
}

}  // namespace

int RunCheck(const std::vector<std::string>& argv) {
  auto parsed = ParseArgs(argv, {{"filename", "f"}, {"policy", ""}, {"offline", "", false}, {"output", "o"},
                                 {"help", "h", false}});
  if (!parsed.ok()) {
    std::cerr << "pullguard check: " << parsed.status().message() << "\n";
    return kExitUsage;
  }
  const Args& args = parsed.value();
  if (args.Has("help")) {
    std::cout << kCheckHelp;
    return kExitOk;
  }
  std::vector<std::string> paths;
  if (auto it = args.values.find("filename"); it != args.values.end()) paths = it->second;
  paths.insert(paths.end(), args.positional.begin(), args.positional.end());
  if (paths.empty()) {
    std::cerr << "pullguard check: name the manifests with -f PATH (see --help)\n";
    return kExitUsage;
  }
  std::string format = args.Get("output", "text");
  if (format != "text" && format != "json") {
    std::cerr << "pullguard check: -o must be text or json\n";
    return kExitUsage;
  }
  policy::Policy policy;
  if (args.Has("policy")) {
    auto loaded = policy::LoadPolicyFile(args.Get("policy"));
    if (!loaded.ok()) {
      std::cerr << "pullguard check: " << loaded.status().message() << "\n";
      return kExitUsage;
    }
    policy = std::move(loaded).value();
  }
  auto manifests = ReadManifests(paths);
  if (!manifests.ok()) {
    std::cerr << "pullguard check: " << manifests.status().message() << "\n";
    return kExitUsage;
  }

  auth::StaticSecretSource secrets;
  if (Status st = AddSecrets(manifests.value(), secrets); !st.ok()) {
    std::cerr << "pullguard check: " << st.message() << "\n";
    return kExitUsage;
  }
  bool offline = args.Has("offline");
  registry::CurlTransport transport;
  registry::RegistryClient client(transport);
  std::unique_ptr<checker::Checker> checker =
      offline ? std::make_unique<checker::Checker>() : std::make_unique<checker::Checker>(client);
  std::vector<ObjectFindings> results;
  size_t images_checked = 0, objects_checked = 0;
  for (const auto& m : manifests.value()) {
    std::string kind = m.object.value("kind", "");
    std::string name = StringAt(m.object, "metadata", "name");
    std::string ns = StringAt(m.object, "metadata", "namespace");
    if (policy.IsNamespaceExempt(ns)) continue;
    admission::ObjectToCheck target{GroupOf(m.object), kind, ns, &m.object, nullptr};
    auto deadline = std::chrono::steady_clock::now() + policy.timeouts.check;
    auto checked = admission::CheckObject(target, *checker, policy, {&secrets, nullptr, nullptr}, deadline);
    if (!checked.ok()) {
      std::cerr << "pullguard check: " << m.file << " (document " << m.document << "): " << checked.status().message()
                << "\n";
      return kExitUsage;
    }
    if (checked->images == 0) continue;
    ++objects_checked;
    images_checked += checked->images;
    results.push_back({&m, kind + "/" + name, std::move(checked->verdict)});
  }

  size_t denied = 0, warned = 0;
  for (const auto& r : results) {
    denied += r.verdict.denials.size();
    warned += r.verdict.warnings.size();
  }
  if (format == "json") {
    json findings = json::array();
    for (const auto& r : results) {
      for (const auto& f : r.verdict.denials) findings.push_back(FindingJson(r, f));
      for (const auto& f : r.verdict.warnings) findings.push_back(FindingJson(r, f));
    }
    json out = {{"findings", findings},
                {"summary",
                 {{"objects", objects_checked}, {"images", images_checked}, {"denied", denied}, {"warned", warned},
                  {"offline", offline}}}};
    std::cout << out.dump(2) << "\n";
  } else {
    for (const auto& r : results) {
      for (const auto& f : r.verdict.denials) std::cout << r.source->file << ": " << r.object << ": deny: " << FormatFinding(f) << "\n";
      for (const auto& f : r.verdict.warnings) std::cout << r.source->file << ": " << r.object << ": warn: " << FormatFinding(f) << "\n";
    }
    std::cout << objects_checked << " objects, " << images_checked << " images: " << denied << " denied, " << warned
              << " warned\n";
  }
  return denied > 0 ? kExitDenied : kExitOk;
}

}  // namespace pullguard::cli
