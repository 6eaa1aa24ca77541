// A CI runner without DNS, as a user meets it: `pullguard check` online in a network namespace
// with no network at all, where getaddrinfo answers EAI_AGAIN ("Temporary failure in name
// resolution") for every name. That is one problem of the run (exit 2, one sentence), never a
// finding for each image that blames the manifests.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "integration/registry_env.h"
#include "support/forward_proxy.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace pullguard::testing {
namespace {

const std::string kMachineCannotResolve =
    "pullguard check: this machine cannot resolve registry names; use --offline or run where the registries are "
    "reachable (";

// `argv` in a network namespace of its own with no interface up, and no proxy in its
// environment: every DNS query fails to leave the machine.
std::vector<std::string> WithoutNetwork(std::vector<std::string> argv) {
  std::vector<std::string> out{"unshare", "-n", "env", "-u", "HTTPS_PROXY", "-u", "https_proxy", "-u", "HTTP_PROXY",
                               "-u", "http_proxy", "-u", "NO_PROXY", "-u", "no_proxy", PULLGUARD_BINARY};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

bool CanUnshareNetwork() { return Run({"unshare", "-n", "true"}).exit_code == 0; }

const char* kManifest = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: "gcr.io/distroless/static:nonroot"
        - name: pause
          image: "registry.k8s.io/pause:3.9"
---
apiVersion: v1
kind: Pod
metadata: {name: tool}
spec:
  containers:
    - name: tool
      image: "nginx:1.25"
)";

TEST_CASE("a runner without DNS: one problem of the run, exit 2, not a finding per image", "[integration][dns]") {
  if (!CanUnshareNetwork()) {
    WARN("skipped: cannot make a network namespace here (unshare -n needs root)");
    return;
  }
  TempDir dir;
  std::string manifest = dir.Write("app.yaml", kManifest);
  for (const char* format : {"text", "json", "sarif"}) {
    INFO(format);
    RunResult r = Run(WithoutNetwork({"check", "-f", manifest, "--docker-config", "none", "-o", format}));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::StartsWith(kMachineCannotResolve));
    CHECK_THAT(r.err, Catch::Contains("gcr.io"));
    // No word about the images: they are not what failed.
    CHECK(r.out.find("RegistryUnresolvable") == std::string::npos);
    CHECK(r.out.find("RegistryUnreachable") == std::string::npos);
    CHECK(r.out.find("check the registry name") == std::string::npos);
  }
  // Whatever --fail-on says: the run could not tell what the registries hold.
  RunResult none = Run(WithoutNetwork({"check", "-f", manifest, "--docker-config", "none", "--fail-on", "none"}));
  CHECK(none.exit_code == 2);
  // The way out the message names works there.
  RunResult offline = Run(WithoutNetwork({"check", "-f", manifest, "--docker-config", "none", "--offline"}));
  CHECK(offline.exit_code == 0);
  CHECK(offline.err.find("cannot resolve") == std::string::npos);
  CHECK_THAT(offline.out, Catch::Contains("2 objects, 3 images: 0 denied"));
}

TEST_CASE("without DNS, a policy that denies RegistryUnreachable still gets no finding per image", "[integration][dns]") {
  // The webhook's side of the rule is a warning at most (checker/registry_findings_test); check's
  // is one problem of the run, whatever the policy's actions say.
  if (!CanUnshareNetwork()) {
    WARN("skipped: cannot make a network namespace here (unshare -n needs root)");
    return;
  }
  TempDir dir;
  std::string manifest = dir.Write("app.yaml", kManifest);
  std::string policy = dir.Write("strict.yaml", "actions:\n  RegistryUnreachable: deny\n");
  RunResult r = Run(WithoutNetwork({"check", "-f", manifest, "--policy", policy, "--docker-config", "none", "-o", "json"}));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::StartsWith(kMachineCannotResolve));
  CHECK(r.out.empty());
}

TEST_CASE("a webhook whose own DNS fails never denies for it, whatever its policy does with RegistryUnreachable",
          "[integration][dns]") {
  // A pod whose resolver is broken must not deny every deploy: that is pullguard's trouble,
  // not the image's. The webhook runs with a resolv.conf of its own naming 127.0.0.1, where
  // nothing answers on port 53 in the tests' loopback-only namespace (.ci/loopback-only.sh):
  // every lookup fails at once with EAI_AGAIN, as on a node whose DNS is down.
  if (std::string why = CannotBindFiles(); !why.empty()) {
    WARN("skipped: " + why);
    return;
  }
  TempDir dir;
  std::string resolv = dir.Write("resolv.conf", "nameserver 127.0.0.1\noptions attempts:1 timeout:1\n");
  std::vector<std::string> wrapped = WithFileOver(resolv, "/etc/resolv.conf", {PULLGUARD_BINARY});
  std::string script = "#!/bin/sh\nexec";
  for (const auto& a : wrapped) script += " '" + a + "'";
  script += " \"$@\"\n";
  std::string wrapper = dir.Write("pullguard-without-dns", script);
  ::chmod(wrapper.c_str(), 0755);
  WebhookProcess webhook("actions:\n  RegistryUnreachable: deny\nplatforms: [linux/amd64]\n", {}, wrapper);
  Decision d = Ask(webhook, PodReview("shop", {"gcr.io/distroless/static:nonroot", "registry.example.com/team/app:1.0"}));
  INFO(d.All());
  CHECK(d.allowed);
  CHECK_THAT(d.All(), Catch::Contains("RegistryUnreachable: DNS lookup of gcr.io failed ("));
  CHECK_THAT(d.All(), Catch::Contains("RegistryUnreachable: DNS lookup of registry.example.com failed ("));
  CHECK(d.All().find("RegistryUnresolvable") == std::string::npos);
}

}  // namespace
}  // namespace pullguard::testing
