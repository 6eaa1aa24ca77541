// `pullguard check` and the other subcommands, through the real binary.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/process.h"
#include "support/temp_dir.h"

namespace pullguard::testing {
namespace {

using nlohmann::json;

std::string Data(const std::string& relative) { return std::string(PULLGUARD_TEST_DATA) + "/" + relative; }

RunResult Pullguard(std::vector<std::string> args, const std::string& stdin_text = "") {
  args.insert(args.begin(), PULLGUARD_BINARY);
  return Run(args, stdin_text);
}

TEST_CASE("check: multi-document YAML, denied findings exit 1 with the webhook's words") {
  RunResult r = Pullguard({"check", "--offline", "-f", Data("manifests/multi.yaml")});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains(
                        "multi.yaml: Pod/worker: deny: spec.containers[0].image \"registry.example.com/Team/worker:1.0\": "
                        "InvalidReference: repository name must be lowercase; write \"registry.example.com/team/worker:1.0\""));
  // The built-in policy is policies/default.yaml: it warns on :latest (busybox has no tag).
  CHECK_THAT(r.out, Catch::Contains("multi.yaml: Pod/worker: warn: spec.initContainers[0].image \"busybox\": "
                                    "PolicyViolation: no tag, so it pulls :latest"));
  CHECK_THAT(r.out, Catch::Contains("2 objects, 3 images: 1 denied, 1 warned"));
  CHECK(r.out.find("ConfigMap") == std::string::npos);
}

TEST_CASE("check -o json: findings with file, object, path, image, reason, action, message") {
  RunResult r = Pullguard({"check", "--offline", "-f", Data("manifests/list.yaml"), "-o", "json"});
  CHECK(r.exit_code == 1);
  json out = json::parse(r.out);
  REQUIRE(out["findings"].size() == 1);
  const json& f = out["findings"][0];
  CHECK(f["file"] == Data("manifests/list.yaml"));
  CHECK(f["object"] == "CronJob/report");
  CHECK(f["path"] == "spec.jobTemplate.spec.template.spec.containers[0].image");
  CHECK(f["image"] == "ghcr.io/Team/report:1");
  CHECK(f["reason"] == "InvalidReference");
  CHECK(f["action"] == "deny");
  CHECK_THAT(f["message"].get<std::string>(), Catch::StartsWith(f["path"].get<std::string>() + " \"ghcr.io/Team/report:1\""));
  CHECK(out["summary"]["objects"] == 2);
  CHECK(out["summary"]["denied"] == 1);
  CHECK(out["summary"]["offline"] == true);
}

TEST_CASE("check: a directory, stdin, and a policy that warns instead") {
  RunResult dir = Pullguard({"check", "--offline", "-f", Data("manifests/dir")});
  CHECK(dir.exit_code == 0);
  CHECK_THAT(dir.out, Catch::Contains("2 objects, 2 images: 0 denied, 0 warned"));

  TempDir tmp;
  std::string policy = tmp.Write("p.yaml", "actions:\n  InvalidReference: warn\nrules:\n  latestTag: {action: warn}\n");
  RunResult piped = Pullguard({"check", "--offline", "-f", "-", "--policy", policy}, ReadAll(Data("manifests/multi.yaml")));
  CHECK(piped.exit_code == 0);
  CHECK_THAT(piped.out, Catch::Contains("<stdin>: Pod/worker: warn: spec.containers[0].image"));
  CHECK_THAT(piped.out, Catch::Contains("<stdin>: Pod/worker: warn: spec.initContainers[0].image \"busybox\": "
                                        "PolicyViolation: no tag, so it pulls :latest"));
}

TEST_CASE("check: usage and input errors exit 2 and say what is wrong") {
  struct Case {
    std::vector<std::string> args;
    std::string err_contains;
  };
  const std::vector<Case> cases{
      {{"check"}, "name the manifests with -f PATH"},
      {{"check", "-f", Data("manifests/broken.yaml")}, "broken.yaml:4:5: not valid YAML: end of map flow not found"},
      {{"check", "-f", Data("manifests/not-an-object.yaml")}, "not-an-object.yaml (document 1): not a Kubernetes object"},
      {{"check", "-f", "/nonexistent.yaml"}, "/nonexistent.yaml: no such file"},
      {{"check", "-f", Data("manifests/dir"), "-o", "xml"}, "-o must be text or json"},
      {{"check", "--bogus"}, "unknown flag --bogus"},
      {{"check", "-f", Data("manifests/dir"), "--policy", Data("manifests/list.yaml")}, "unknown field"},
      {{"nonsense"}, "unknown command \"nonsense\""},
  };
  for (const auto& c : cases) {
    INFO(c.args[0] << " " << (c.args.size() > 1 ? c.args[1] : ""));
    RunResult r = Pullguard(c.args);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.err_contains));
  }
}

TEST_CASE("policy validate reports line numbers, version and --help work") {
  TempDir tmp;
  std::string bad = tmp.Write("bad.yaml", "actions:\n  TagNotFound: maybe\n");
  RunResult invalid = Pullguard({"policy", "validate", bad});
  CHECK(invalid.exit_code == 2);
  CHECK_THAT(invalid.err, Catch::Contains("bad.yaml:2:16: actions.TagNotFound: unknown action \"maybe\""));
  RunResult valid = Pullguard({"policy", "validate", std::string(PULLGUARD_SOURCE_DIR) + "/policies/default.yaml"});
  CHECK(valid.exit_code == 0);

  RunResult version = Pullguard({"version"});
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.out, Catch::StartsWith("pullguard "));
  for (const char* command : {"serve", "check", "policy", "version"}) {
    INFO(command);
    RunResult help = Pullguard({command, "--help"});
    CHECK(help.exit_code == 0);
    CHECK_THAT(help.out, Catch::StartsWith("Usage: pullguard"));
  }
}

}  // namespace
}  // namespace pullguard::testing
