// CheckObject, the one path from an object to a verdict: its skip rules, UPDATE's known
// images, the deadline from one policy snapshot, and a policy reload racing the callers.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "checker/object_check.h"
#include "policy/policy_store.h"
#include "policy/policy_yaml.h"

namespace pullguard::checker {
namespace {

using nlohmann::json;

json PodWith(const std::string& image) {
  return json{{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "p"}}},
              {"spec", {{"containers", json::array({{{"name", "c"}, {"image", image}}})}}}};
}

ObjectToCheck Request(const json& object, const std::string& operation = "CREATE") {
  ObjectToCheck r;
  r.kind = "Pod";
  r.ns = "shop";
  r.operation = operation;
  r.object = &object;
  return r;
}

ReviewTiming Now() { return {std::chrono::steady_clock::now(), std::nullopt}; }

TEST_CASE("operations, subresources, kinds and namespaces that pull nothing are skipped, and say why") {
  Checker checker;
  json pod = PodWith("Bad:Image");
  policy::Policy policy;
  struct Case {
    std::string operation, sub_resource, kind, ns, why;
  };
  const Case cases[] = {
      {"DELETE", "", "Pod", "shop", "operation DELETE pulls nothing"},
      {"UPDATE", "status", "Pod", "shop", "subresource status pulls nothing"},
      {"CREATE", "", "ConfigMap", "shop", "kind ConfigMap has no pod spec"},
      {"CREATE", "", "Pod", "kube-system", "namespace kube-system is exempt"},
  };
  for (const auto& c : cases) {
    INFO(c.why);
    ObjectToCheck r = Request(pod, c.operation);
    r.sub_resource = c.sub_resource;
    r.kind = c.kind;
    r.ns = c.ns;
    ObjectVerdict v = CheckObject(checker, r, policy, Now());
    CHECK(v.outcome == ObjectVerdict::Outcome::kSkipped);
    CHECK(v.why == c.why);
  }
  // A Pod's ephemeral containers are checked.
  ObjectToCheck ephemeral = Request(pod, "UPDATE");
  ephemeral.sub_resource = "ephemeralcontainers";
  CHECK(CheckObject(checker, ephemeral, policy, Now()).outcome == ObjectVerdict::Outcome::kChecked);
}

TEST_CASE("a pod spec that does not decode is unreadable, naming the field") {
  Checker checker;
  json pod = PodWith("nginx:1");
  pod["spec"]["containers"] = "not a list";
  ObjectVerdict v = CheckObject(checker, Request(pod), policy::Policy{}, Now());
  CHECK(v.outcome == ObjectVerdict::Outcome::kUnreadable);
  CHECK(v.why == "spec.containers must be a list");
}

TEST_CASE("UPDATE checks only the images the old object did not run") {
  Checker checker;
  json old_pod = PodWith("Bad:Image");
  json new_pod = PodWith("Bad:Image");
  ObjectToCheck r = Request(new_pod, "UPDATE");
  r.old_object = &old_pod;
  ObjectVerdict same = CheckObject(checker, r, policy::Policy{}, Now());
  CHECK(same.images == 0);
  CHECK(same.verdict.allowed());
  json other = PodWith("Other:Image");
  r.old_object = &other;
  ObjectVerdict changed = CheckObject(checker, r, policy::Policy{}, Now());
  CHECK(changed.images == 1);
  CHECK_FALSE(changed.verdict.allowed());
}

TEST_CASE("the deadline is the API server's timeout less the margin, within the wait budget") {
  policy::Policy policy;
  policy.timeouts.margin = std::chrono::milliseconds(500);
  policy.timeouts.wait = std::chrono::milliseconds(9000);
  auto t0 = std::chrono::steady_clock::now();
  using std::chrono::milliseconds;
  CHECK(AnswerDeadline({t0, milliseconds(10000)}, policy) == t0 + milliseconds(9000));  // the wait budget
  CHECK(AnswerDeadline({t0, milliseconds(5000)}, policy) == t0 + milliseconds(4500));
  CHECK(AnswerDeadline({t0, std::nullopt}, policy) == t0 + milliseconds(9000));  // the API server's 10 s
  CHECK(AnswerDeadline({t0, milliseconds(300)}, policy) == t0 + kMinimumWait);
  policy.timeouts.wait = std::chrono::milliseconds(2000);
  CHECK(AnswerDeadline({t0, milliseconds(30000)}, policy) == t0 + milliseconds(2000));
}

// Two policies that differ in two independent rules: an answer made from one snapshot denies
// an untagged image twice (A) or not at all (B); a mix of two snapshots would deny it once.
TEST_CASE("a policy reload racing the callers never mixes two policies in one answer") {
  // The policy file is swapped between the two (write, rename: a ConfigMap's way) and reloaded
  // through the store's own path while the callers take their snapshots.
  std::string dir = std::filesystem::temp_directory_path() / ("pullguard-race-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string texts[2] = {"rules:\n  latestTag: {action: deny}\n  requireDigest: {action: deny}\n",
                                "rules:\n  latestTag: {action: ignore}\n  requireDigest: {action: ignore}\n"};
  auto write = [&](int which) {
    std::string tmp = dir + "/.policy.tmp";
    std::ofstream(tmp) << texts[which];
    std::filesystem::rename(tmp, dir + "/policy.yaml");
  };
  write(0);
  auto opened = policy::PolicyStore::Open(dir + "/policy.yaml");
  REQUIRE(opened.ok());
  policy::PolicyStore& store = *opened.value();
  Checker checker;
  json pod = PodWith("nginx");
  std::atomic<bool> stop{false};
  std::thread reloader([&] {
    for (int i = 0; i < 5000 && !stop.load(); ++i) {
      write((i + 1) % 2);
      (void)store.ReloadIfChanged();
    }
  });
  size_t seen_a = 0, seen_b = 0, mixed = 0;
  for (int i = 0; i < 4000; ++i) {
    std::shared_ptr<const policy::Policy> snapshot = store.Current();  // as the server and `check` take it
    ObjectVerdict v = CheckObject(checker, Request(pod), *snapshot, Now());
    size_t denials = v.verdict.denials.size();
    if (denials == 2) ++seen_a;
    else if (denials == 0) ++seen_b;
    else ++mixed;
  }
  stop = true;
  reloader.join();
  std::filesystem::remove_all(dir);
  CHECK(mixed == 0);
  CHECK(store.generation() > 0);  // the reloads did happen
  CHECK(seen_a + seen_b == 4000);
}

}  // namespace
}  // namespace pullguard::checker
