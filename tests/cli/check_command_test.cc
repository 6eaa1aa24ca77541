// `pullguard check` and the other subcommands, through the real binary, as a CI job runs them.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
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

std::string Source(const std::string& relative) { return std::string(PULLGUARD_SOURCE_DIR) + "/" + relative; }

// A Pod manifest with these containers (name, image), one a line, in block style: the first
// container's "- name:" is on line 6, each next one two lines further.
std::string PodYaml(const std::string& name, const std::vector<std::pair<std::string, std::string>>& containers,
                    const std::string& ns = "") {
  std::string yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + (ns.empty() ? "" : ", namespace: " + ns) +
                     "}\nspec:\n  containers:\n";
  for (const auto& [container, image] : containers) yaml += "    - name: " + container + "\n      image: \"" + image + "\"\n";
  return yaml;
}

// Markdown: each "## " heading of a file, with its section's text as one line, backticks out
// and runs of white space made one space (as the SARIF rules quote it).
std::map<std::string, std::string> Sections(const std::string& markdown) {
  std::map<std::string, std::string> sections;
  std::istringstream in(markdown);
  std::string line, heading;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) {
      heading = line.substr(3);
      sections[heading];
      continue;
    }
    if (heading.empty()) continue;
    std::string& text = sections[heading];
    for (char c : line) {
      if (c == '`') continue;
      bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
      if (space && (text.empty() || text.back() == ' ')) continue;
      text += space ? ' ' : c;
    }
    if (!text.empty() && text.back() != ' ') text += ' ';
  }
  return sections;
}

// GitHub's anchor for a heading: lowercase, spaces to '-', other punctuation dropped.
std::string GithubAnchor(const std::string& heading) {
  std::string anchor;
  for (unsigned char c : heading) {
    if (std::isalnum(c)) anchor += static_cast<char>(std::tolower(c));
    else if (c == ' ') anchor += '-';
    else if (c == '-' || c == '_') anchor += static_cast<char>(c);
  }
  return anchor;
}

// The sentences of a text (split at ". "), each without its final '.'.
std::vector<std::string> Sentences(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(". ", start);
    std::string sentence = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!sentence.empty() && sentence.back() == '.') sentence.pop_back();
    out.push_back(sentence);
    if (end == std::string::npos) break;
    start = end + 2;
  }
  return out;
}

// docs/reasons.md's table: each reason's (anchor it links to, default column).
std::map<std::string, std::pair<std::string, std::string>> ReasonsTable(const std::string& markdown) {
  std::map<std::string, std::pair<std::string, std::string>> rows;
  std::istringstream in(markdown);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| [", 0) != 0) continue;
    size_t name_end = line.find("](#");
    size_t link_end = line.find(')', name_end);
    size_t cell = line.find('|', link_end);
    size_t cell_end = line.find('|', cell + 1);
    if (name_end == std::string::npos || link_end == std::string::npos || cell == std::string::npos ||
        cell_end == std::string::npos) {
      continue;
    }
    std::string value = line.substr(cell + 1, cell_end - cell - 1);
    value = value.substr(value.find_first_not_of(' '));
    rows[line.substr(3, name_end - 3)] = {line.substr(name_end + 3, link_end - name_end - 3), value};
  }
  return rows;
}

size_t Occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// check-repo: a folder as real repositories have them: workloads with findings, a Service, a
// kustomization and the patch it applies, a Helm chart, a docker config Secret that does not
// decode, an Opaque one with odd data, an alias bomb, two files concatenated without ---, a
// partial Deployment, an old API group, a custom resource (an OpenKruise CloneSet), a List with
// an item of the wrong type, a merge key.
TEST_CASE("check on a real-shaped folder: findings for every good object, per-file problems for the rest") {
  RunResult r = Pullguard({"check", "--offline", "-f", Data("check-repo"), "--verbose"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);  // something is denied, and there are problems
  const std::string repo = Data("check-repo");
  CHECK_THAT(r.out, Catch::Contains(repo + "/app/deployment.yaml\n  Deployment/web (namespace shop)\n    deny  line 21: "
                                           "spec.template.spec.containers[0].image \"ghcr.io/Acme/web:1.4.2\": "
                                           "InvalidReference: repository name must be lowercase"));
  CHECK_THAT(r.out, Catch::Contains("    warn  line 24: spec.template.spec.containers[1].image \"busybox\": PolicyViolation"));
  CHECK_THAT(r.out, Catch::Contains("  StatefulSet/db (namespace shop)\n    deny  line 49: "));
  CHECK_THAT(r.out, Catch::Contains(repo + "/ops/bomb.yaml:2: document 1: excessive aliasing"));
  CHECK_THAT(r.out, Catch::Contains(repo + "/ops/concatenated.yaml:7: document 1: key \"apiVersion\" is given twice "
                                           "(a missing --- between documents?)"));
  CHECK_THAT(r.out, Catch::Contains(repo + "/chart/templates/deployment.yaml:4: document 1: a mapping key must be a string "
                                           "(a Helm template? check its output: helm template ... | pullguard check -f -)"));
  CHECK_THAT(r.out, Catch::Contains(repo + "/ops/odd.yaml:3: document 1: Deployment/partial: spec.template is missing"));
  CHECK_THAT(r.out, Catch::Contains(repo + "/ops/odd.yaml:20: document 3: items[0] is not a Kubernetes object"));
  CHECK(r.out.find(repo + "/ops/odd.yaml:3:") < r.out.find(repo + "/ops/odd.yaml:20:"));  // in line order
  CHECK_THAT(r.out, Catch::Contains("Deployment/ancient: extensions/v1beta1 is no longer served by the API server (use apps/v1)"));
  CHECK_THAT(r.out, Catch::Contains(repo + "/ops/cloneset.yaml:3: CloneSet/sample: custom resource: not checked "
                                           "(pullguard reads built-in kinds)"));
  CHECK_THAT(r.out, !Catch::Contains("Nginx:alpine"));  // the custom resource's image is not checked
  CHECK_THAT(r.out, Catch::Contains(repo + "/app/replicas-patch.yaml:2: Deployment/web: a kustomize patch (listed in " + repo +
                                    "/app/kustomization.yaml)"));
  CHECK_THAT(r.out, Catch::Contains("hint: 1 document is a kustomize patch (" + repo + "/app/replicas-patch.yaml), not "
                                    "checked: a patch is not what the cluster gets. Check what kustomize renders instead: "
                                    "kubectl kustomize " + repo + "/app | pullguard check -f -\n"));
  CHECK_THAT(r.out, !Catch::Contains("Kustomization/"));  // kustomize's own file is no Kubernetes object
  // The Job in the List, its second container made with a merge key, is checked: 6 images.
  CHECK_THAT(r.out, Catch::Contains("10 files, 3 objects, 6 images: 2 denied, 1 warned, 5 problems (skipped: 1 object "
                                    "without a pod to check, 1 custom resource, 1 object of an API version no longer "
                                    "served, 1 kustomize patch, 2 documents that are no Kubernetes object)"));
  CHECK(r.err.empty());  // no progress line: stderr is no terminal
}

TEST_CASE("regression: a billion-laughs file is refused in bounded time and memory") {
  // It grew to gigabytes and died with std::bad_alloc (exit 134), or hung.
  RunResult r = Pullguard({"check", "--offline", "-f", Data("check-repo/ops/bomb.yaml")});
  CHECK(r.exit_code == 2);  // the file holds no Kubernetes object at all
  CHECK_THAT(r.out, Catch::Contains("excessive aliasing"));
  CHECK(r.max_rss_kb > 0);
  CHECK(r.max_rss_kb < 200 * 1024);
  // Let through as empty, its problem still fails the run.
  CHECK(Pullguard({"check", "--offline", "--allow-empty", "-f", Data("check-repo/ops/bomb.yaml")}).exit_code == 1);
}

TEST_CASE("regression: concatenated files without --- are an error, not the last document silently") {
  // `cat a.yaml b.yaml | pullguard check -f -` said "0 objects", exit 0, with an invalid image inside.
  const std::string text = ReadAll(Data("check-repo/ops/concatenated.yaml"));
  RunResult r = Pullguard({"check", "--offline", "-f", "-"}, text);
  CHECK_THAT(r.out, Catch::Contains("<stdin>:7: document 1: key \"apiVersion\" is given twice (a missing --- between documents?)"));
  CHECK(r.exit_code == 2);  // nothing else was in it: no Kubernetes object
  CHECK(Pullguard({"check", "--offline", "-f", "-", "--allow-empty"}, text).exit_code == 1);  // a problem fails the run
  CHECK(Pullguard({"check", "--offline", "-f", "-", "--allow-empty", "--fail-on", "warn"}, text).exit_code == 1);
  CHECK(Pullguard({"check", "--offline", "-f", "-", "--allow-empty", "--fail-on", "deny-only"}, text).exit_code == 0);
}

TEST_CASE("regression: a stray comma outside any flow collection is a problem of its file, not an endless loop") {
  // yaml-cpp's LoadAll looped forever on it, its memory growing (found by fuzz_manifest_reader).
  for (const std::string text : {",a\n", "- a\n,\n", "kind: Pod\n---\n,js concatcnatt\n"}) {
    INFO(text);
    RunResult r = Run({PULLGUARD_BINARY, "check", "--offline", "-f", "-"}, text, std::chrono::seconds(20));
    CHECK(r.exit_code == 2);  // no Kubernetes object could be read
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
    CHECK(r.exit_code == 1);  // an image denied, and problems
  }
  RunResult json_out = Pullguard({"check", "--offline", "-f", dir.path(), "-o", "json"});
  json doc = json::parse(json_out.out);  // valid JSON, invalid UTF-8 replaced
  CHECK(doc["summary"]["denied"] == 1);  // the image with a byte that is not UTF-8
  CHECK(doc["problems"].size() >= 2);
  bool fifo_listed = false;  // a FIFO inside a directory is a problem too, never opened
  for (const auto& p : doc["problems"]) {
    fifo_listed = fifo_listed || (p["file"] == dir.File("fifo.yaml") &&
                                  p["message"].get<std::string>().rfind("not a regular file", 0) == 0);
  }
  CHECK(fifo_listed);
  // A FIFO named on the command line is refused, not opened (which would block for ever);
  // nothing else was given, so there is no Kubernetes object at all.
  RunResult fifo = Pullguard({"check", "--offline", "-f", dir.File("fifo.yaml")});
  CHECK(fifo.exit_code == 2);
  CHECK_THAT(fifo.out, Catch::Contains("fifo.yaml: not a regular file"));
  CHECK_THAT(fifo.err, Catch::Contains("no Kubernetes object in the input"));
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
  std::regex annotation(R"(^::(error|warning|notice) file=[^,:]+,line=\d+(,col=\d+)?,title=[^:]+::.+$)");
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
  CHECK_THAT(excluded.out, Catch::Contains("4 files, 2 objects, 4 images: 2 denied, 1 warned (skipped: 1 object without a pod "
                                           "to check, 1 kustomize patch, 1 document that is no Kubernetes object, 6 files "
                                           "excluded"));
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
      {{"check", "-f", Data("manifests/dir"), "--fail-on", "never"}, "--fail-on must be deny, warn, deny-only or none"},
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
  // A broken file is a problem of that file; being the only input, it leaves no Kubernetes
  // object to check, which exits 2 too (--allow-empty: the problem fails the run, exit 1).
  RunResult broken = Pullguard({"check", "-f", Data("manifests/broken.yaml"), "--offline"});
  CHECK(broken.exit_code == 2);
  CHECK_THAT(broken.out, Catch::Contains("broken.yaml:4:5: not valid YAML: end of map flow not found"));
  CHECK_THAT(broken.err, Catch::Contains("no Kubernetes object in the input (1 file read, 1 problem)"));
  CHECK(Pullguard({"check", "-f", Data("manifests/broken.yaml"), "--offline", "--allow-empty"}).exit_code == 1);
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

// Item 3 of issue 20: empty or broken input passed.

TEST_CASE("regression: an empty input (a pipeline whose producer failed) exits 2, not 0 with 0 objects") {
  // `true | pullguard check -f -` and a failed `kubectl kustomize ... |` said "0 objects", exit 0.
  for (const char* format : {"text", "json", "sarif", "github", "junit"}) {
    INFO(format);
    RunResult r = Pullguard({"check", "--offline", "-f", "-", "-o", format}, "");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("no Kubernetes object in the input (1 file read)"));
    CHECK_THAT(r.err, Catch::Contains("--allow-empty"));
  }
  // The producer fails: its error goes to the terminal, pullguard reads nothing.
  RunResult piped = Run({"sh", "-c", "(echo 'error: accumulating resources: no such file' >&2; exit 1) | '" +
                                         std::string(PULLGUARD_BINARY) + "' check --offline -f -"});
  CHECK(piped.exit_code == 2);
  CHECK_THAT(piped.err, Catch::Contains("no Kubernetes object in the input"));
  // Only comments and markers, or only documents that are no Kubernetes object: the same.
  CHECK(Pullguard({"check", "--offline", "-f", "-"}, "# rendered nothing\n---\n---\n").exit_code == 2);
  CHECK(Pullguard({"check", "--offline", "-f", Data("manifests/not-an-object.yaml")}).exit_code == 2);
  // --allow-empty: an empty input is fine where it is expected.
  RunResult allowed = Pullguard({"check", "--offline", "-f", "-", "--allow-empty"}, "");
  CHECK(allowed.exit_code == 0);
  CHECK_THAT(allowed.out, Catch::Contains("1 file, 0 objects, 0 images: 0 denied, 0 warned"));
  // An object with no pod is an object: not empty.
  CHECK(Pullguard({"check", "--offline", "-f", "-"}, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n").exit_code == 0);
}

TEST_CASE("regression: a document that does not parse fails the run by default, not only with --fail-on warn") {
  // Problems were listed and the run passed (exit 0) unless --fail-on warn.
  TempDir dir;
  std::string file = dir.Write("mixed.yaml", PodYaml("good", {{"a", "nginx:1.25"}}) +
                                                 "---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nmetadata: {name: c}\n");
  struct Case {
    std::vector<std::string> flags;
    int exit_code;
  };
  const std::vector<Case> cases{
      {{}, 1}, {{"--fail-on", "deny"}, 1}, {{"--fail-on", "warn"}, 1}, {{"--fail-on", "deny-only"}, 0}, {{"--fail-on", "none"}, 0},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args{"check", "--offline", "-f", file};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    INFO((c.flags.empty() ? "(default)" : c.flags.back()));
    RunResult r = Pullguard(args);
    CHECK(r.exit_code == c.exit_code);
    CHECK_THAT(r.out, Catch::Contains(file + ":12: document 2: key \"metadata\" is given twice"));
  }
  // --fail-on none is a report only, even with a denial; deny-only fails on denials alone.
  std::string denied = dir.Write("denied.yaml", PodYaml("bad", {{"a", "Bad/Image:1"}}));
  CHECK(Pullguard({"check", "--offline", "-f", denied, "--fail-on", "none"}).exit_code == 0);
  CHECK(Pullguard({"check", "--offline", "-f", denied, "--fail-on", "deny-only"}).exit_code == 1);
}

TEST_CASE("regression: kustomize patches get one hint to check kubectl kustomize output, not a problem each") {
  // Each patch of an overlay was a problem ("spec.template is missing") or, with no image in
  // its containers, silently nothing.
  TempDir dir;
  dir.Write("kustomization.yaml",
            "resources: [../base]\npatches:\n  - path: replicas.yaml\n  - path: set-resources.yaml\n"
            "patchesStrategicMerge:\n  - labels.yaml\n");
  dir.Write("replicas.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 5\n");
  dir.Write("set-resources.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n"
            "        - name: web\n          resources: {limits: {memory: 1Gi}}\n");
  dir.Write("labels.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, labels: {tier: front}}\n");
  // Named by no kustomization, but a Pod with metadata and no spec is a patch all the same.
  dir.Write("unlisted.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: web, annotations: {a: b}}\n");
  RunResult r = Pullguard({"check", "--offline", "-f", dir.path(), "--verbose"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);  // patches only: nothing the cluster would get
  CHECK(Occurrences(r.out, "hint: ") == 1);
  CHECK_THAT(r.out, Catch::Contains("hint: 4 documents are kustomize patches ("));
  CHECK_THAT(r.out, Catch::Contains("Check what kustomize renders instead: kubectl kustomize " + dir.path() +
                                    " | pullguard check -f -"));
  CHECK_THAT(r.out, !Catch::Contains("problems"));
  CHECK_THAT(r.out, !Catch::Contains("is required"));
  CHECK_THAT(r.out, Catch::Contains(dir.File("unlisted.yaml") + ":1: Pod/web: a kustomize patch, it seems: kind and metadata, no spec"));
  CHECK_THAT(r.out, Catch::Contains(dir.File("replicas.yaml") + ":1: Deployment/web: a kustomize patch (listed in " +
                                    dir.File("kustomization.yaml") + ")"));
  CHECK_THAT(r.out, Catch::Contains("(skipped: 4 kustomize patches, 1 document that is no Kubernetes object)"));
  CHECK_THAT(r.err, Catch::Contains("no Kubernetes object in the input (5 files read, 1 document that is no Kubernetes "
                                    "object, 4 kustomize patches)"));
  RunResult as_json = Pullguard({"check", "--offline", "-f", dir.path(), "-o", "json", "--allow-empty"});
  CHECK(as_json.exit_code == 0);
  json doc = json::parse(as_json.out);
  CHECK(doc["hints"].size() == 1);
  CHECK(doc["problems"].empty());
  CHECK(doc["summary"]["skippedBy"]["kustomizePatch"] == 4);
  // A repository's manifests folder, bases and overlays together: the overlay's patch gets the
  // hint, with the overlay to render.
  RunResult repo = Pullguard({"check", "--offline", "-f", Source("manifests")});
  INFO(repo.out << repo.err);
  CHECK(repo.exit_code == 0);
  CHECK(Occurrences(repo.out, "hint: ") == 1);
  CHECK_THAT(repo.out, Catch::Contains(Source("manifests") + "/overlays/cert-manager/webhook-ca-injection.yaml"));
  // regression: a component's patch came first and the hint said to render the component,
  // which kubectl kustomize refuses (a kind: Component is rendered only from an overlay).
  CHECK_THAT(repo.out, Catch::Contains("kubectl kustomize " + Source("manifests") + "/overlays/cert-manager | pullguard check -f -"));
}

// Item 5: policy validate passed what the docs say it refuses.

TEST_CASE("regression: policy validate refuses what it passed: a reason twice, an empty file, a URL for a registry") {
  TempDir tmp;
  struct Case {
    const char* name;
    std::string yaml;
    std::string err_contains;
  };
  const std::vector<Case> cases{
      // yaml-cpp kept one of the two silently.
      {"twice.yaml", "actions:\n  TagNotFound: deny\n  TagNotFound: warn\n",
       "twice.yaml:3:3: actions.TagNotFound: given twice; keep one"},
      // An empty file is the built-in policy for serve and check, which validate says.
      {"empty.yaml", "", "empty.yaml: empty: no setting in it (only comments, or nothing)"},
      {"comments.yaml", "# TODO: the policy\n---\n", "comments.yaml: empty"},
      // Accepted, then every ghcr.io image was denied.
      {"url.yaml", "rules:\n  allowedRegistries:\n    registries: [\"https://ghcr.io\"]\n",
       "url.yaml:3:18: rules.allowedRegistries.registries[0]: \"https://ghcr.io\" has a URL scheme, but it is matched "
       "against the registry host (and :port) only; write ghcr.io"},
      {"path.yaml", "rules:\n  allowedRegistries:\n    registries: [ghcr.io/acme]\n",
       "rules.allowedRegistries.registries[0]: \"ghcr.io/acme\" has a path, but it is matched against the registry host "
       "(and :port) only; write ghcr.io"},
      {"host.yaml", "registries:\n  - host: \"https://registry.internal:5000/v2\"\n",
       "registries[0].host: \"https://registry.internal:5000/v2\" has a URL scheme and a path, but it is matched against "
       "the registry host (and :port) only; write registry.internal:5000"},
      // The error pointed to a DESIGN.md the repository does not have.
      {"typo.yaml", "actions:\n  RegistryUnreachible: deny\n",
       "typo.yaml:2:3: actions.RegistryUnreachible: unknown reason code (see docs/reasons.md); did you mean "
       "RegistryUnreachable?"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    RunResult r = Pullguard({"policy", "validate", tmp.Write(c.name, c.yaml)});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.err_contains));
    CHECK_THAT(r.err, !Catch::Contains("DESIGN.md"));
  }
  // serve and check still take an empty file as the built-in policy: only validate refuses it.
  RunResult check = Pullguard({"check", "--offline", "-f", Data("manifests/dir"), "--policy", tmp.File("empty.yaml")});
  CHECK(check.exit_code == 0);
  std::string hosts = tmp.Write("ok.yaml", "rules:\n  allowedRegistries:\n    registries: [ghcr.io, \"registry.internal:5000\", "
                                          "\"*.example.com\"]\n");
  CHECK(Pullguard({"policy", "validate", hosts}).exit_code == 0);
}

// Item 6: words wrong for the case.

TEST_CASE("regression: a template placeholder in an image is called one, not an uppercase repository name") {
  // "<YOUR-CONTAINER>" got "repository name must be lowercase; write \"<your-container>\"".
  TempDir dir;
  std::string file = dir.Write("templated.yaml", PodYaml("p", {{"a", "<YOUR-CONTAINER>"},
                                                                   {"b", "{IMAGE}"},
                                                                   {"c", "nginx:${TAG}"},
                                                                   {"d", "{{ .Values.image }}"},
                                                                   {"e", "$(IMAGE)"},
                                                                   {"f", "REPLACE_ME"}}));
  RunResult r = Pullguard({"check", "--offline", "-f", file});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  const std::string fix = "; render the template first (helm template / envsubst / kustomize)\n";
  CHECK_THAT(r.out, Catch::Contains("line 7: spec.containers[0].image \"<YOUR-CONTAINER>\": InvalidReference: this is a placeholder" + fix));
  CHECK_THAT(r.out, Catch::Contains("line 9: spec.containers[1].image \"{IMAGE}\": InvalidReference: this is a placeholder" + fix));
  CHECK_THAT(r.out, Catch::Contains("line 11: spec.containers[2].image \"nginx:${TAG}\": InvalidReference: \"${TAG}\" is a placeholder" + fix));
  CHECK_THAT(r.out, Catch::Contains("line 13: spec.containers[3].image \"{{ .Values.image }}\": InvalidReference: this is a placeholder" + fix));
  CHECK_THAT(r.out, Catch::Contains("line 15: spec.containers[4].image \"$(IMAGE)\": InvalidReference: this is a placeholder" + fix));
  // An all-caps word is no placeholder: it is an uppercase name, and said so.
  CHECK_THAT(r.out, Catch::Contains("line 17: spec.containers[5].image \"REPLACE_ME\": InvalidReference: repository name must be lowercase"));
  CHECK(Occurrences(r.out, "placeholder") == 5);
}

TEST_CASE("regression: a nested key given twice is not taken for a missing --- between documents") {
  TempDir dir;
  std::string file = dir.Write("nested.yaml", PodYaml("good", {{"a", "nginx:1.25"}}) +
                                                  "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n");
  RunResult r = Pullguard({"check", "--offline", "-f", file});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains(file + ":13: document 2: key \"name\" in metadata is given twice\n"));
  CHECK_THAT(r.out, !Catch::Contains("missing ---"));
}

TEST_CASE("regression: a YAML error's position is said once (file:4:5:, not file:4: 4:5:)") {
  RunResult r = Pullguard({"check", "--offline", "-f", Data("manifests/broken.yaml"), "--allow-empty"});
  CHECK_THAT(r.out, Catch::Contains(Data("manifests/broken.yaml") + ":4:5: not valid YAML: end of map flow not found"));
  CHECK_THAT(r.out, !Catch::Contains(":4: 4:5:"));
  json doc = json::parse(Pullguard({"check", "--offline", "-f", Data("manifests/broken.yaml"), "--allow-empty", "-o", "json"}).out);
  REQUIRE(doc["problems"].size() == 1);
  CHECK(doc["problems"][0]["line"] == 4);
  CHECK(doc["problems"][0]["column"] == 5);
  CHECK(doc["problems"][0]["message"] == "not valid YAML: end of map flow not found");
  json sarif = json::parse(Pullguard({"check", "--offline", "-f", Data("manifests/broken.yaml"), "--allow-empty", "-o", "sarif"}).out);
  const json& region = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
  CHECK(region.value("startLine", 0) == 4);
  CHECK(region.value("startColumn", 0) == 5);
}

TEST_CASE("regression: counts of one are singular in the text report (1 problem, not 1 problems)") {
  TempDir dir;
  std::string file = dir.Write("one.yaml", PodYaml("one", {{"a", "nginx:1.25"}}) +
                                               "---\napiVersion: v1\nkind: Service\nmetadata: {name: one}\nspec: {ports: [{port: 80}]}\n"
                                               "---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nmetadata: {name: c}\n");
  RunResult r = Pullguard({"check", "--offline", "-f", file});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("\n1 file, 1 object, 1 image: 0 denied, 0 warned, 1 problem (skipped: 1 object without a "
                                    "pod to check; --verbose lists them) [offline: syntax and policy rules only]\n"));
  RunResult github = Pullguard({"check", "--offline", "-f", file, "-o", "github"});
  CHECK_THAT(github.out, Catch::Contains("\n1 object, 1 image: 0 denied, 0 warned, 1 problem\n"));
}

// Item 7: skips miscounted.

TEST_CASE("regression: a custom resource is called one, not an API version no longer served") {
  // An OpenKruise CloneSet (apps.kruise.io) was "no longer served by the API server".
  RunResult r = Pullguard({"check", "--offline", "-f", Data("check-repo/ops/cloneset.yaml"), "--verbose"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("CloneSet/sample: custom resource: not checked (pullguard reads built-in kinds)"));
  CHECK_THAT(r.out, Catch::Contains("(skipped: 1 custom resource)"));
  CHECK_THAT(r.out, !Catch::Contains("no longer served"));
  // The built-in groups' old versions still are, each with the version to use.
  TempDir dir;
  std::string old = dir.Write("old.yaml",
                              "apiVersion: apps/v1beta2\nkind: DaemonSet\nmetadata: {name: agent}\nspec: {}\n---\n"
                              "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: nightly}\nspec: {}\n---\n"
                              "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web}\n");
  RunResult o = Pullguard({"check", "--offline", "-f", old, "--verbose"});
  CHECK(o.exit_code == 0);
  CHECK_THAT(o.out, Catch::Contains("DaemonSet/agent: apps/v1beta2 is no longer served by the API server (use apps/v1)"));
  CHECK_THAT(o.out, Catch::Contains("CronJob/nightly: batch/v1beta1 is no longer served by the API server (use batch/v1)"));
  CHECK_THAT(o.out, Catch::Contains("HTTPRoute/web: custom resource: not checked"));
  CHECK_THAT(o.out, Catch::Contains("(skipped: 1 custom resource, 2 objects of API versions no longer served)"));
}

TEST_CASE("regression: objects exempt by the policy are counted as exempt, not as objects without a pod") {
  TempDir dir;
  std::string file = dir.Write("sys.yaml", PodYaml("sys", {{"a", "Bad Image"}}, "kube-system"));
  RunResult r = Pullguard({"check", "--offline", "-f", file, "--verbose"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains(file + ":1: Pod/sys: namespace kube-system is exempt (exemptions.namespaces)"));
  CHECK_THAT(r.out, Catch::Contains("1 file, 0 objects, 0 images: 0 denied, 0 warned (skipped: 1 object exempt by the policy)"));
  CHECK_THAT(r.out, !Catch::Contains("without a pod"));
  json doc = json::parse(Pullguard({"check", "--offline", "-f", file, "-o", "json"}).out);
  CHECK(doc["summary"]["skippedBy"]["exempt"] == 1);
  CHECK(doc["summary"]["skippedBy"]["noPodSpec"] == 0);
  CHECK(doc["skipped"][0]["category"] == "exempt");
  // Every image of an object exempt (exemptions.images): it was not counted at all.
  std::string policy = dir.Write("policy.yaml", "exemptions:\n  images: [\"legacy/app:1\"]\n");
  std::string legacy = dir.Write("legacy.yaml", PodYaml("legacy", {{"a", "legacy/app:1"}}));
  RunResult images = Pullguard({"check", "--offline", "-f", legacy, "--policy", policy, "--verbose"});
  CHECK(images.exit_code == 0);
  CHECK_THAT(images.out, Catch::Contains("Pod/legacy: every image is exempt (exemptions.images)"));
  CHECK_THAT(images.out, Catch::Contains("(skipped: 1 object exempt by the policy)"));
}

TEST_CASE("regression: a dangling symbolic link is a problem, not nothing at all") {
  // A link to a manifest that moved was skipped without a word.
  TempDir dir;
  dir.Write("good.yaml", PodYaml("good", {{"a", "nginx:1.25"}}));
  std::filesystem::create_symlink("/nonexistent/moved.yaml", dir.File("gone.yaml"));
  RunResult r = Pullguard({"check", "--offline", "-f", dir.path()});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("  " + dir.File("gone.yaml") + ": a symbolic link to /nonexistent/moved.yaml, which does not exist\n"));
  // Named on the command line, it is an input that cannot be read at all.
  RunResult named = Pullguard({"check", "--offline", "-f", dir.File("gone.yaml")});
  CHECK(named.exit_code == 2);
  CHECK_THAT(named.err, Catch::Contains("gone.yaml: a symbolic link to /nonexistent/moved.yaml, which does not exist"));
}

TEST_CASE("regression: a container without an image is a problem (the API server requires one), not silence") {
  TempDir dir;
  std::string file = dir.Write("noimage.yaml",
                               "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
                               "      containers:\n        - name: a\n          image: nginx:1.25\n        - name: b\n"
                               "          command: [sleep]\n---\n"
                               "apiVersion: v1\nkind: Pod\nmetadata: {name: empty}\nspec:\n  containers: []\n");
  RunResult r = Pullguard({"check", "--offline", "-f", file});
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains(file + ":10: document 1: Deployment/web: spec.template.spec.containers[1].image is "
                                           "required (the API server refuses the object: Required value)"));
  CHECK_THAT(r.out, Catch::Contains(file + ":17: document 2: Pod/empty: spec.containers is required (the API server refuses "
                                           "a pod without a container)"));
  CHECK_THAT(r.out, Catch::Contains("1 object, 1 image: 0 denied, 0 warned, 2 problems"));
}

// Item 8: SARIF rules.

TEST_CASE("regression: SARIF rules have their own words, level and a helpUri anchor docs/reasons.md has") {
  // Every rule said "a pod with this image would not start" (false for the warning codes), and
  // pointed to #InvalidReference-style anchors, which GitHub never makes (they are lowercase).
  RunResult r = Pullguard({"check", "--offline", "-f", Data("check-repo"), "-o", "sarif"});
  json doc = json::parse(r.out);
  const json& rules = doc["runs"][0]["tool"]["driver"]["rules"];
  const std::string reasons_md = ReadAll(Source("docs/reasons.md"));
  auto sections = Sections(reasons_md);
  std::map<std::string, std::string> heading_of;  // anchor -> heading
  for (const auto& [heading, text] : sections) heading_of[GithubAnchor(heading)] = heading;
  auto table = ReasonsTable(reasons_md);
  REQUIRE(table.size() >= 21);
  CHECK(table.count("NodeCredentialsUnverified") == 1);
  for (const auto& [reason, row] : table) {
    INFO("reasons.md's table links " << reason << " to #" << row.first);
    CHECK(heading_of.count(row.first) == 1);
  }
  const std::string base = "https://github.com/pullguard/pullguard/blob/main/docs/";
  std::set<std::string> short_texts, reasons;
  for (const auto& rule : rules) {
    const std::string id = rule["id"].get<std::string>();
    INFO(id);
    const std::string short_text = rule["shortDescription"]["text"].get<std::string>();
    const std::string full = rule["fullDescription"]["text"].get<std::string>();
    const std::string uri = rule["helpUri"].get<std::string>();
    CHECK(short_texts.insert(short_text).second);  // each its own
    CHECK_THAT(short_text, !Catch::Contains("would not start"));
    if (id == "ManifestProblem") {
      CHECK(uri == base + "ci.md#problems");
      auto ci = Sections(ReadAll(Source("docs/ci.md")));
      REQUIRE(ci.count("Problems") == 1);
      for (const auto& sentence : Sentences(full)) CHECK_THAT(ci["Problems"], Catch::Contains(sentence));
      CHECK(rule["defaultConfiguration"]["level"] == "error");
      continue;
    }
    reasons.insert(id);
    REQUIRE_THAT(uri, Catch::StartsWith(base + "reasons.md#"));
    const std::string anchor = uri.substr((base + "reasons.md#").size());
    REQUIRE(heading_of.count(anchor) == 1);
    const std::string heading = heading_of[anchor];
    CHECK_THAT(heading, Catch::Contains(id));
    // The full description is the section's own words.
    for (const auto& sentence : Sentences(full)) CHECK_THAT(sections[heading], Catch::Contains(sentence));
    // The default level is the reason's default action, as the table gives it.
    REQUIRE(table.count(id) == 1);
    const std::string& action = table[id].second;
    if (action.rfind("warn", 0) == 0) CHECK(rule["defaultConfiguration"]["level"] == "warning");
    if (action.rfind("deny", 0) == 0) CHECK(rule["defaultConfiguration"]["level"] == "error");
  }
  CHECK(reasons.size() == table.size());  // a rule for every reason the docs list, and no other
  for (const auto& [reason, row] : table) CHECK(reasons.count(reason) == 1);
}

// Item 9: long runs are silent, findings out of order.

TEST_CASE("regression: findings come in file and line order in every format, a warning before a denial below it") {
  // Denials came before warnings whatever their lines, and files in the order they were given.
  TempDir dir;
  const std::string b = dir.Write("b.yaml", PodYaml("b", {{"w", "busybox"}, {"d", "Upper/case:1"}}));
  const std::string a = dir.Write("a.yaml", PodYaml("a", {{"w", "busybox"}, {"d", "Upper/case:1"}}));
  const std::vector<std::pair<std::string, int>> expected{{a, 7}, {a, 9}, {b, 7}, {b, 9}};

  json out = json::parse(Pullguard({"check", "--offline", "-f", b, "-f", a, "-o", "json"}).out);
  REQUIRE(out["findings"].size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    CHECK(out["findings"][i]["file"] == expected[i].first);
    CHECK(out["findings"][i]["line"] == expected[i].second);
  }
  json sarif = json::parse(Pullguard({"check", "--offline", "-f", b, "-f", a, "-o", "sarif"}).out);
  REQUIRE(sarif["runs"][0]["results"].size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const json& loc = sarif["runs"][0]["results"][i]["locations"][0]["physicalLocation"];
    CHECK(loc["artifactLocation"]["uri"] == expected[i].first);
    CHECK(loc["region"]["startLine"] == expected[i].second);
  }
  RunResult github = Pullguard({"check", "--offline", "-f", b, "-f", a, "-o", "github"});
  size_t at = 0;
  for (const auto& [file, line] : expected) {
    size_t next = github.out.find("file=" + file + ",line=" + std::to_string(line) + ",", at);
    CHECK(next != std::string::npos);
    at = next == std::string::npos ? at : next + 1;
  }
  RunResult text = Pullguard({"check", "--offline", "-f", b, "-f", a});
  CHECK(text.out.find(a + "\n") < text.out.find(b + "\n"));
  CHECK(text.out.find("    warn  line 7: ") < text.out.find("    deny  line 9: "));
  RunResult junit = Pullguard({"check", "--offline", "-f", b, "-f", a, "-o", "junit"});
  CHECK(junit.out.find("classname=\"" + a + "\"") < junit.out.find("classname=\"" + b + "\""));
}

TEST_CASE("regression: on a terminal, a progress line says the files read and the objects checked") {
  // Long runs were silent: a line came only online, past 20 objects, and said objects only.
  if (!std::filesystem::exists("/usr/bin/script")) {
    WARN("no /usr/bin/script (util-linux) to give pullguard a terminal: not tested");
    return;
  }
  TempDir dir;
  dir.Write("a.yaml", PodYaml("a", {{"a", "nginx:1.25"}}));
  dir.Write("b.yaml", PodYaml("b", {{"a", "nginx:1.25"}}));
  RunResult tty = Run({"/usr/bin/script", "-qec", "'" + std::string(PULLGUARD_BINARY) + "' check --offline -f " + dir.path(),
                       "/dev/null"});
  INFO(tty.out);
  CHECK(tty.exit_code == 0);
  CHECK_THAT(tty.out, Catch::Contains("pullguard check: reading: 1 file, 1 object"));
  CHECK_THAT(tty.out, Catch::Contains("pullguard check: 2 files read, checked 1/2 objects"));
  CHECK_THAT(tty.out, Catch::Contains("\r\033[K"));  // and erased
  // Not a terminal (a CI log, a pipe): nothing on stderr.
  CHECK(Pullguard({"check", "--offline", "-f", dir.path()}).err.empty());
}

// Item 10: words and docs.

TEST_CASE("regression: fixes suggest skopeo (Debian packages it), never crane") {
  TempDir dir;
  std::string file = dir.Write("digest.yaml", PodYaml("d", {{"a", "nginx@sha256:0123456789abcdef0123456789abcdef0123"}}));
  RunResult r = Pullguard({"check", "--offline", "-f", file});
  CHECK_THAT(r.out, Catch::Contains("copy the digest from the registry (skopeo inspect docker://IMAGE:TAG shows it)"));
  for (const char* doc : {"README.md", "docs/ci.md", "docs/reasons.md", "policies/README.md"}) {
    INFO(doc);
    CHECK_THAT(ReadAll(Source(doc)), !Catch::Contains("crane "));
  }
}

TEST_CASE("regression: make run builds the pullguard target only, not the whole test suite") {
  // `make run` depended on `build`, which compiles every test first.
  std::ifstream in(Source("Makefile"));
  std::map<std::string, std::pair<std::string, std::string>> rules;  // target -> (prerequisites, recipe)
  std::string line, target;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '\t') {
      if (!target.empty()) rules[target].second += line + "\n";
      continue;
    }
    size_t colon = line.find(':');
    target = (colon != std::string::npos && line.find('=') == std::string::npos && line[0] != '#' && line[0] != '.')
                 ? line.substr(0, colon)
                 : "";
    if (!target.empty()) rules[target].first = line.substr(colon + 1);
  }
  REQUIRE(rules.count("run") == 1);
  std::istringstream prerequisites(rules["run"].first);
  std::string builds;
  for (std::string p; prerequisites >> p;) builds += rules[p].second;
  builds += rules["run"].second;
  CHECK_THAT(builds, Catch::Contains("--target pullguard"));
  CHECK(Occurrences(builds, "cmake --build") == Occurrences(builds, "--target pullguard"));
  // make test still builds everything, in the sanitizer script.
  CHECK_THAT(rules["test"].second, Catch::Contains(".ci/sanitizers.sh address,undefined"));
  std::string script = ReadAll(Source(".ci/sanitizers.sh"));
  CHECK_THAT(script, Catch::Contains("ctest"));
  CHECK_THAT(script, !Catch::Contains("--target"));
}

}  // namespace
}  // namespace pullguard::testing
