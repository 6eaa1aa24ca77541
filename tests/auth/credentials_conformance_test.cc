// Runs every case of tests/data/credentials.json (the kubelet's keyring, config and secrets
// test tables).
#include <catch2/catch.hpp>
#include <fstream>
#include <set>

#include "auth/pull_secrets.h"

namespace pullguard::auth {
namespace {

using nlohmann::json;

const json& Data() {
  static const json data = [] {
    std::ifstream in(std::string(PULLGUARD_TEST_DATA) + "/credentials.json");
    return json::parse(in);
  }();
  return data;
}

std::vector<json> Group(const std::string& group) {
  std::vector<json> out;
  for (const auto& c : Data()["cases"]) {
    if (c["group"] == group) out.push_back(c);
  }
  return out;
}

void CheckCredential(const Credential& got, const json& want) {
  CHECK(got.username == want["username"].get<std::string>());
  CHECK(got.password == want["password"].get<std::string>());
  if (want.contains("email")) CHECK(got.email == want["email"].get<std::string>());
}

void CheckLookup(const std::vector<Credential>& got, const json& expected) {
  CHECK(!got.empty() == expected["found"].get<bool>());
  if (expected.contains("first_credential")) {
    REQUIRE_FALSE(got.empty());
    CheckCredential(got[0], expected["first_credential"]);
  }
  if (expected.contains("max_credentials")) CHECK(got.size() <= expected["max_credentials"].get<size_t>());
  if (expected.contains("credentials_in_order")) {
    REQUIRE(got.size() == expected["credentials_in_order"].size());
    for (size_t i = 0; i < got.size(); ++i) CheckCredential(got[i], expected["credentials_in_order"][i]);
  }
}

TEST_CASE("urls-match: credential keys against targets", "[conformance]") {
  for (const auto& c : Group("urls-match")) {
    INFO(c["id"].get<std::string>() << " " << c["registry_key"] << " vs " << c["target"]);
    CHECK(UrlsMatch(c["registry_key"], c["target"]) == c["expected"]["match"].get<bool>());
  }
}

// A keyring made from the case's docker config (under `config_key`), looked up by its image.
void CheckKeyringGroups(const std::vector<std::string>& groups, const char* config_key) {
  for (const auto& group : groups) {
    for (const auto& c : Group(group)) {
      INFO(c["id"].get<std::string>() << " " << c.value("registry_key", "") << " image " << c["image"]);
      auto config = ParseDockercfg(c[config_key].dump());
      REQUIRE(config.ok());
      Keyring keyring;
      keyring.Add(config.value(), "test");
      CheckLookup(keyring.Lookup(c["image"]), c["expected"]);
    }
  }
}

TEST_CASE("keyring groups: legacy dockercfg keys looked up by image", "[conformance]") {
  CheckKeyringGroups({"keyring-glob-hit", "keyring-miss", "keyring-dockerhub"}, "dockercfg");
}

TEST_CASE("keyring order and scheme/path keys: most specific first", "[conformance]") {
  CheckKeyringGroups({"keyring-lookup-order", "keyring-scheme-path-key"}, "docker_config");
}

TEST_CASE("is-default-registry: which images Docker Hub's key covers", "[conformance]") {
  for (const auto& c : Group("is-default-registry")) {
    INFO(c["id"].get<std::string>() << " " << c["image"]);
    CHECK(IsDefaultRegistryMatch(c["image"]) == c["expected"]["default_registry"].get<bool>());
  }
}

TEST_CASE("config decoding: files, dockerconfigjson, dockercfg, entries, auth fields", "[conformance]") {
  for (const auto& c : Group("dockerconfig-file")) {
    INFO(c["id"].get<std::string>());
    CHECK(ParseDockerConfigJson(c["file_content"].get<std::string>()).ok() != c["expected"]["error"].get<bool>());
  }
  auto check_entries = [](const DockerConfig& got, const json& want) {
    REQUIRE(got.size() == want.size());
    for (const auto& [key, entry] : got) {
      REQUIRE(want.contains(key));
      CHECK(entry.username == want[key]["username"].get<std::string>());
      CHECK(entry.password == want[key]["password"].get<std::string>());
      CHECK(entry.email == want[key]["email"].get<std::string>());
    }
  };
  for (const auto& c : Group("dockerconfigjson-decode")) {
    INFO(c["id"].get<std::string>());
    auto got = ParseDockerConfigJson(c["input"].get<std::string>());
    REQUIRE(got.ok());
    check_entries(got.value(), c["expected"]["auths"]);
  }
  for (const auto& c : Group("dockercfg-decode")) {
    INFO(c["id"].get<std::string>());
    auto got = ParseDockercfg(c["input"].get<std::string>());
    REQUIRE(got.ok());
    check_entries(got.value(), c["expected"]["entries"]);
  }
  for (const std::string group : {"read-dockercfg-bytes", "read-dockerconfigjson-bytes"}) {
    for (const auto& c : Group(group)) {
      INFO(c["id"].get<std::string>());
      auto got = group == "read-dockercfg-bytes" ? ParseDockercfg(c["input"].get<std::string>())
                                                 : ParseDockerConfigJson(c["input"].get<std::string>());
      REQUIRE(got.ok() != c["expected"]["error"].get<bool>());
      if (got.ok()) {
        check_entries(got.value(), c["expected"]["entries"]);
      } else {
        CHECK(got.status().message() == c["expected"]["error_message"].get<std::string>());
      }
    }
  }
  for (const auto& c : Group("entry-decode")) {
    INFO(c["id"].get<std::string>());
    DockerConfigEntry partial;
    auto got = DecodeEntry(json::parse(c["input"].get<std::string>()), &partial);
    CHECK(got.ok() != c["expected"]["error"].get<bool>());
    CHECK(partial.username == c["expected"]["username"].get<std::string>());
    CHECK(partial.password == c["expected"]["password"].get<std::string>());
    CHECK(partial.email == c["expected"]["email"].get<std::string>());
  }
  for (const auto& c : Group("auth-field-decode")) {
    INFO(c["id"].get<std::string>() << " " << c["input"]);
    auto got = DecodeAuthField(c["input"].get<std::string>());
    REQUIRE(got.ok() != c["expected"]["error"].get<bool>());
    if (got.ok()) {
      CHECK(got->first == c["expected"]["username"].get<std::string>());
      CHECK(got->second == c["expected"]["password"].get<std::string>());
    }
  }
  for (const auto& c : Group("entry-encode")) {
    INFO(c["id"].get<std::string>());
    DockerConfigEntry entry{c["input"]["username"], c["input"]["password"], c["input"]["email"]};
    CHECK(EncodeEntry(entry) == c["expected"]["json_bytes"].get<std::string>());
  }
}

// Upstream's FakeKeyring: fixed credentials, and the `ok` it was built with.
TEST_CASE("pull-secrets: secret types, keys and the default keyring", "[conformance]") {
  for (const auto& c : Group("pull-secrets")) {
    INFO(c["id"].get<std::string>() << " " << c["description"]);
    std::vector<PullSecret> secrets;
    for (const auto& s : c["pull_secrets"]) {
      PullSecret secret{"ns", "s", s["type"], {}, ""};
      for (const auto& [k, v] : s["data"].items()) secret.data[k] = v.get<std::string>();
      secrets.push_back(secret);
    }
    auto keyring = KeyringFromPullSecrets(secrets);
    REQUIRE(keyring.ok());
    std::vector<Credential> got = keyring->Lookup(c["image"]);
    bool found = !got.empty();
    if (c.contains("default_keyring")) {
      for (const auto& d : c["default_keyring"]["credentials"]) got.push_back({d["username"], d["password"], "", "node"});
      // Upstream returns the default keyring alone when no secret counts, with its own `ok`;
      // with secrets, a union whose `found` is "any credential".
      bool any_secret_counts = false;
      for (const auto& s : secrets) any_secret_counts |= !SecretProblem(s).has_value();
      found = any_secret_counts ? !got.empty() : c["default_keyring"]["ok"].get<bool>();
    }
    CHECK(found == c["expected"]["found"].get<bool>());
    REQUIRE(got.size() == c["expected"]["credentials_in_order"].size());
    for (size_t i = 0; i < got.size(); ++i) CheckCredential(got[i], c["expected"]["credentials_in_order"][i]);
  }
}

TEST_CASE("every group of credentials.json has a test and every case is counted", "[conformance]") {
  const std::set<std::string> handled{"urls-match",       "keyring-glob-hit",        "keyring-miss",
                                      "keyring-dockerhub", "is-default-registry",     "keyring-lookup-order",
                                      "keyring-scheme-path-key", "dockerconfig-file", "dockerconfigjson-decode",
                                      "dockercfg-decode", "entry-decode",            "auth-field-decode",
                                      "entry-encode",     "read-dockercfg-bytes",    "read-dockerconfigjson-bytes",
                                      "pull-secrets"};
  int total = 0;
  for (const auto& c : Data()["cases"]) {
    INFO(c["id"].get<std::string>());
    CHECK(handled.count(c["group"].get<std::string>()) == 1);
    ++total;
  }
  CHECK(total == Data()["counts"]["total"].get<int>());
}

TEST_CASE("a credential's identity names it without revealing it") {
  Credential a{"user", "secret-password", "", "secret ns/a"};
  Credential b{"user", "other-password", "", "secret ns/b"};
  CHECK(a.Identity() != b.Identity());
  CHECK(a.Identity() == Credential{"user", "secret-password", "", "elsewhere"}.Identity());
  CHECK(a.Identity().find("secret-password") == std::string::npos);
  CHECK(a.Identity().find("user") == std::string::npos);
}

TEST_CASE("secret problems say why the kubelet would get no credentials") {
  PullSecret opaque{"ns", "s", "Opaque", {{".dockerconfigjson", "{}"}}, ""};
  CHECK(SecretProblem(opaque) == "type Opaque is not kubernetes.io/dockerconfigjson");
  PullSecret empty{"ns", "s", kDockerConfigJsonType, {}, ""};
  CHECK(SecretProblem(empty) == "it has no .dockerconfigjson key");
  PullSecret broken{"ns", "s", kDockerConfigJsonType, {{".dockerconfigjson", "{not json"}}, ""};
  CHECK_THAT(*SecretProblem(broken), Catch::Contains(".dockerconfigjson does not decode"));
  CHECK_FALSE(KeyringFromPullSecrets({broken}).ok());
  auto obj = PullSecretFromObject(nlohmann::json::parse(
      R"({"kind":"Secret","metadata":{"name":"regcred","namespace":"shop"},"type":"kubernetes.io/dockerconfigjson",
          "data":{".dockerconfigjson":"eyJhdXRocyI6e319"}})"));
  REQUIRE(obj.ok());
  CHECK(obj->data.at(".dockerconfigjson") == "{\"auths\":{}}");
  CHECK(obj->Source() == "secret shop/regcred");
  CHECK_FALSE(SecretProblem(obj.value()).has_value());
}

}  // namespace
}  // namespace pullguard::auth
