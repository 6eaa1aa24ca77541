// `pullguard check` and the other subcommands, through the real binary, as a CI job runs them.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

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

// check-repo: a folder as real repositories have them: workloads with findings, a Service, a
// kustomization, a Helm chart, a docker config Secret that does not decode, an Opaque one with
// odd data, an alias bomb, two files concatenated without ---, a partial Deployment, an old API
// group, a List with an item of the wrong type, a merge key.
TEST_CASE("check on a real-shaped folder: findings for every good object, per-file problems for the rest") {
  RunResult r = Pullguard({"check", "--offline", "-f", Data("check-repo"), "--verbose"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);  // something is denied; the problems do not make it exit 2
  const std::string repo = Data("check-repo");
  CHECK_THAT(r.out, Catch::Contains(repo + "/app/deployment.yaml\n  Deployment/web (namespace shop)\n    deny  line 21: "
                                           "spec.template.spec.containers[0].image \"ghcr.io/Acme/web:1.4.2\": "
                                           "InvalidReference: repository name must be lowercase"));
  CHECK_THAT(r.out, Catch::Contains("    warn  line 24: spec.template.spec.containers[1].image \"busybox\": PolicyViolation"));
  CHECK_THAT(r.out, Catch::Contains("  StatefulSet/db (namespace shop)\n    deny  line 49: "));
  CHECK_THAT(r.out, Catch::Contains(repo + "/ops/bomb.yaml:2: document 1: excessive aliasing"));
  CHECK_THAT(r.out, Catch::Contains(repo + "/ops/concatenated.yaml:7: document 1: key \"apiVersion\" is given twice"));
  CHECK_THAT(r.out, Catch::Contains(repo + "/chart/templates/deployment.yaml:4: document 1: a mapping key must be a string "
                                           "(a Helm template? check its output: helm template ... | pullguard check -f -)"));
  CHECK_THAT(r.out, Catch::Contains(repo + "/ops/odd.yaml:3: document 1: Deployment/partial: spec.template is missing"));
  CHECK_THAT(r.out, Catch::Contains(repo + "/ops/odd.yaml:20: document 3: items[0] is not a Kubernetes object"));
  CHECK_THAT(r.out, Catch::Contains("Deployment/ancient: extensions/v1beta1 is no longer served by the API server"));
  CHECK_THAT(r.out, Catch::Contains("Kustomization/: no pod spec in a Kustomization"));
  // The Job in the List, its second container made with a merge key, is checked: 6 images.
  CHECK_THAT(r.out, Catch::Contains("8 files, 3 objects, 6 images: 2 denied, 1 warned, 5 problems (skipped: 3 objects "
                                    "without a pod to check, 1 documents that are no Kubernetes object)"));
  CHECK(r.err.empty());
}

TEST_CASE("regression: a billion-laughs file is refused in bounded time and memory") {
  // It grew to gigabytes and died with std::bad_alloc (exit 134), or hung.
  RunResult r = Pullguard({"check", "--offline", "-f", Data("check-repo/ops/bomb.yaml")});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("excessive aliasing"));
  CHECK(r.max_rss_kb > 0);
  CHECK(r.max_rss_kb < 200 * 1024);
}

TEST_CASE("regression: concatenated files without --- are an error, not the last document silently") {
  // `cat a.yaml b.yaml | pullguard check -f -` said "0 objects", exit 0, with an invalid image inside.
  RunResult r = Pullguard({"check", "--offline", "-f", "-"}, ReadAll(Data("check-repo/ops/concatenated.yaml")));
  CHECK_THAT(r.out, Catch::Contains("<stdin>:7: document 1: key \"apiVersion\" is given twice"));
  RunResult strict = Pullguard({"check", "--offline", "-f", "-", "--fail-on", "warn"}, ReadAll(Data("check-repo/ops/concatenated.yaml")));
  CHECK(strict.exit_code == 1);
}

TEST_CASE("regression: a stray comma outside any flow collection is a problem of its file, not an endless loop") {
  // yaml-cpp's LoadAll looped forever on it, its memory growing (found by fuzz_manifest_reader).
  for (const std::string text : {",a\n", "- a\n,\n", "kind: Pod\n---\n,js concatcnatt\n"}) {
    INFO(text);
    RunResult r = Run({PULLGUARD_BINARY, "check", "--offline", "-f", "-"}, text, std::chrono::seconds(20));
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("not valid YAML: a ',' outside [ ] or { }"));
  }
}

TEST_CASE("regression: hostile inputs get a problem each, never an abort") {
  TempDir dir;
  dir.Write("kind5.yaml", "apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: 5}\n");
  dir.Write("metadata5.yaml", "apiVersion: v1\nkind: Secret\nmetadata: 5\ntype: kubernetes.io/dockerconfigjson\n");
  dir.Write("name5.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: 5}\n");
  dir.Write("nullsecret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {x: null}\n");
  dir.Write("utf8.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: \"ngi\xffnx\"}]\n");
  std::filesystem::create_directory_symlink(dir.path(), dir.File("loop"));
  REQUIRE(::mkfifo(dir.File("fifo.yaml").c_str(), 0644) == 0);
  for (const char* format : {"text", "json", "sarif", "github", "junit"}) {
    INFO(format);
    RunResult r = Pullguard({"check", "--offline", "-f", dir.path(), "-o", format});
    CHECK((r.exit_code == 0 || r.exit_code == 1));
  }
  RunResult json_out = Pullguard({"check", "--offline", "-f", dir.path(), "-o", "json"});
  json doc = json::parse(json_out.out);  // valid JSON, invalid UTF-8 replaced
  CHECK(doc["summary"]["denied"] == 1);  // the image with a byte that is not UTF-8
  CHECK(doc["problems"].size() >= 2);
  // A FIFO named on the command line is refused, not opened (which would block for ever).
  RunResult fifo = Pullguard({"check", "--offline", "-f", dir.File("fifo.yaml")});
  CHECK(fifo.exit_code == 0);
  CHECK_THAT(fifo.out, Catch::Contains("fifo.yaml: not a regular file"));
  // stdin has the same size limit as files.
  RunResult big = Pullguard({"check", "--offline", "-f", "-"}, std::string(17 << 20, '\n'));
  CHECK(big.exit_code == 2);
  CHECK_THAT(big.err, Catch::Contains("<stdin>: larger than 16 MiB"));
}

TEST_CASE("check -o json: a stable schema with file and line") {
  RunResult r = Pullguard({"check", "--offline", "-f", Data("manifests/list.yaml"), "-o", "json"});
  CHECK(r.exit_code == 1);
  json out = json::parse(r.out);
  CHECK(out["version"] == 1);
  REQUIRE(out["findings"].size() == 1);
  const json& f = out["findings"][0];
  CHECK(f["file"] == Data("manifests/list.yaml"));
  CHECK(f["line"] == 16);
  CHECK(f["object"] == "CronJob/report");
  CHECK(f["namespace"] == "default");
  CHECK(f["path"] == "spec.jobTemplate.spec.template.spec.containers[0].image");
  CHECK(f["image"] == "ghcr.io/Team/report:1");
  CHECK(f["reason"] == "InvalidReference");
  CHECK(f["action"] == "deny");
  CHECK(f["detail"] == "repository name must be lowercase");
  CHECK(f["fix"] == "write \"ghcr.io/team/report:1\"");
  CHECK_THAT(f["message"].get<std::string>(), Catch::StartsWith(f["path"].get<std::string>() + " \"ghcr.io/Team/report:1\""));
  for (const char* key : {"files", "objects", "images", "denied", "warned", "problems", "skipped", "notKubernetes", "excluded"}) {
    CHECK(out["summary"][key].is_number());
  }
  CHECK(out["summary"]["objects"] == 2);
  CHECK(out["summary"]["offline"] == true);
}

TEST_CASE("check -o sarif: SARIF 2.1.0 that GitHub code scanning takes, located at the image's line") {
  RunResult r = Pullguard({"check", "--offline", "-f", Data("check-repo"), "-o", "sarif"});
  json doc = json::parse(r.out);
  // The shape the SARIF 2.1.0 schema requires of what is here.
  CHECK(doc["version"] == "2.1.0");
  REQUIRE(doc["runs"].is_array());
  REQUIRE(doc["runs"].size() == 1);
  const json& run = doc["runs"][0];
  CHECK(run["tool"]["driver"]["name"] == "pullguard");
  std::set<std::string> rule_ids;
  for (const auto& rule : run["tool"]["driver"]["rules"]) {
    REQUIRE(rule["id"].is_string());
    rule_ids.insert(rule["id"].get<std::string>());
    CHECK(std::set<std::string>{"none", "note", "warning", "error"}.count(rule["defaultConfiguration"]["level"]) == 1);
  }
  REQUIRE(run["results"].size() == 8);
  for (const auto& result : run["results"]) {
    CHECK(rule_ids.count(result["ruleId"].get<std::string>()) == 1);
    CHECK(std::set<std::string>{"none", "note", "warning", "error"}.count(result["level"]) == 1);
    REQUIRE(result["message"]["text"].is_string());
    const json& loc = result["locations"][0]["physicalLocation"];
    CHECK(loc["artifactLocation"]["uri"].is_string());
    CHECK(loc["region"]["startLine"].get<int>() >= 1);
  }
  const json& first = run["results"][0];
  CHECK(first["ruleId"] == "InvalidReference");
  CHECK(first["level"] == "error");
  CHECK(first["locations"][0]["physicalLocation"]["region"]["startLine"] == 21);
}

// Validates a SARIF document against the OASIS 2.1.0 schema (tests/data/sarif) with Debian's
// python3-jsonschema: every error, one per line, or nothing.
RunResult ValidateSarif(const TempDir& dir, const std::string& name, const std::string& document) {
  const std::string file = dir.Write(name, document);
  const char* validate =
      "import json, sys, jsonschema\n"
      "schema = json.load(open(sys.argv[1]))\n"
      "validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.draft4_format_checker)\n"
      "errors = list(validator.iter_errors(json.load(open(sys.argv[2]))))\n"
      "for e in errors: print('/'.join(map(str, e.absolute_path)) + ': ' + e.message)\n"
      "sys.exit(1 if errors else 0)\n";
  return Run({"/usr/bin/python3", "-c", validate, Data("sarif/sarif-schema-2.1.0.json"), file});
}

TEST_CASE("check -o sarif: valid against the OASIS SARIF 2.1.0 schema") {
  RunResult r = Pullguard({"check", "--offline", "-f", Data("check-repo"), "-o", "sarif"});
  REQUIRE(r.exit_code == 1);
  TempDir dir;
  RunResult valid = ValidateSarif(dir, "check.sarif", r.out);
  INFO(valid.out << valid.err);
  CHECK(valid.exit_code == 0);
  // The validator is really at work: the same document with a level SARIF does not know fails.
  json broken = json::parse(r.out);
  broken["runs"][0]["results"][0]["level"] = "fatal";
  broken["runs"][0].erase("tool");
  RunResult invalid = ValidateSarif(dir, "broken.sarif", broken.dump());
  CHECK(invalid.exit_code == 1);
  CHECK_THAT(invalid.out, Catch::Contains("runs/0/results/0/level: 'fatal' is not one of"));
  CHECK_THAT(invalid.out, Catch::Contains("runs/0: 'tool' is a required property"));
}

TEST_CASE("check -o github: workflow annotations in the documented syntax") {
  RunResult r = Pullguard({"check", "--offline", "-f", Data("check-repo"), "-o", "github"});
  std::regex annotation(R"(^::(error|warning|notice) file=[^,:]+,line=\d+,title=[^:]+::.+$)");
  size_t annotations = 0;
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("::", 0) != 0) continue;
    INFO(line);
    CHECK(std::regex_match(line, annotation));
    ++annotations;
  }
  CHECK(annotations == 8);
  CHECK_THAT(r.out, Catch::Contains("::error file=" + Data("check-repo/app/deployment.yaml") + ",line=21,title=InvalidReference "
                                    "(Deployment/web)::spec.template.spec.containers[0].image"));
}

TEST_CASE("check -o junit: JUnit XML, one test case per object, a failure per denied object") {
  RunResult r = Pullguard({"check", "--offline", "-f", Data("check-repo"), "-o", "junit"});
  TempDir dir;
  std::string file = dir.Write("junit.xml", r.out);
  RunResult lint = Run({"xmllint", "--noout", file});
  INFO(lint.err);
  CHECK(lint.exit_code == 0);
  auto count = [&](const std::string& xpath) {
    return std::stoi(Run({"xmllint", "--xpath", "count(" + xpath + ")", file}).out);
  };
  CHECK(count("/testsuites/testsuite/testcase") == 8);
  CHECK(count("//testcase/failure[@type='InvalidReference']") == 2);
  CHECK(count("//testcase/error[@type='ManifestProblem']") == 5);
}

TEST_CASE("check: --exclude, --fail-on, a directory, stdin, and a policy that warns instead") {
  RunResult excluded = Pullguard({"check", "--offline", "-f", Data("check-repo"), "--exclude", "**/ops/**", "--exclude", "Chart.yaml",
                                  "--exclude", "**/templates/*"});
  CHECK_THAT(excluded.out, Catch::Contains("3 files, 2 objects, 4 images: 2 denied, 1 warned (skipped: 2 objects without a pod "
                                           "to check, 5 files excluded"));
  RunResult dir = Pullguard({"check", "--offline", "-f", Data("manifests/dir")});
  CHECK(dir.exit_code == 0);
  CHECK_THAT(dir.out, Catch::Contains("2 files, 2 objects, 2 images: 0 denied, 0 warned"));
  RunResult warn_fails = Pullguard({"check", "--offline", "-f", Data("manifests/multi.yaml"), "--fail-on", "warn", "--policy",
                                    Data("../../policies/audit.yaml")});
  CHECK(warn_fails.exit_code == 1);

  TempDir tmp;
  std::string policy = tmp.Write("p.yaml", "actions:\n  InvalidReference: warn\nrules:\n  latestTag: {action: warn}\n");
  RunResult piped = Pullguard({"check", "--offline", "-f", "-", "--policy", policy}, ReadAll(Data("manifests/multi.yaml")));
  CHECK(piped.exit_code == 0);
  CHECK_THAT(piped.out, Catch::Contains("<stdin>\n  Pod/worker (namespace jobs)\n"));
  CHECK_THAT(piped.out, Catch::Contains("    warn  line 27: spec.containers[0].image"));
  CHECK_THAT(piped.out, Catch::Contains("    warn  line 24: spec.initContainers[0].image \"busybox\": PolicyViolation: no tag"));
}

TEST_CASE("check: usage errors and unreadable inputs exit 2 and say what is wrong") {
  struct Case {
    std::vector<std::string> args;
    std::string err_contains;
  };
  const std::vector<Case> cases{
      {{"check"}, "name the manifests with -f PATH"},
      {{"check", "-f", "/nonexistent.yaml"}, "/nonexistent.yaml: no such file"},
      {{"check", "-f", Data("manifests/dir"), "-o", "xml"}, "-o must be text, json, sarif, github or junit"},
      {{"check", "-f", Data("manifests/dir"), "--fail-on", "never"}, "--fail-on must be deny or warn"},
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
  // A broken file is a problem of that file, not a usage error.
  RunResult broken = Pullguard({"check", "-f", Data("manifests/broken.yaml"), "--offline"});
  CHECK(broken.exit_code == 0);
  CHECK_THAT(broken.out, Catch::Contains("broken.yaml:4: 4:5: not valid YAML: end of map flow not found"));
}

TEST_CASE("policy validate reads every hosts.toml under hostsDir as the webhook will") {
  TempDir tmp;
  std::filesystem::create_directories(tmp.File("certs.d/registry.local_5000_"));
  std::filesystem::create_directories(tmp.File("certs.d/docker.io"));
  tmp.Write("certs.d/docker.io/hosts.toml", "server = \"https://registry-1.docker.io\"\n[host.\"https://mirror.local\"]\n");
  std::string policy = tmp.Write("policy.yaml", "hostsDir: " + tmp.File("certs.d") + "\n");
  CHECK(Pullguard({"policy", "validate", policy}).exit_code == 0);
  tmp.Write("certs.d/registry.local_5000_/hosts.toml", "[host.\"https://m\"]\n  capabilities = [\"pull\", \"push-only\"]\n");
  RunResult broken = Pullguard({"policy", "validate", policy});
  CHECK(broken.exit_code == 2);
  CHECK_THAT(broken.err, Catch::Contains("registry.local_5000_/hosts.toml: line 2: unknown capability \"push-only\""));
  // Not mounted here (a laptop validating the cluster's policy): said, not an error.
  std::string elsewhere = tmp.Write("elsewhere.yaml", "hostsDir: /nonexistent/certs.d\n");
  RunResult absent = Pullguard({"policy", "validate", elsewhere});
  CHECK(absent.exit_code == 0);
  CHECK_THAT(absent.out, Catch::Contains("hostsDir /nonexistent/certs.d is not here"));
  CHECK(Pullguard({"policy", "validate", tmp.Write("relative.yaml", "hostsDir: certs.d\n")}).exit_code == 2);
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
