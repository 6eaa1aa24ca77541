// Runs every case of tests/data/reference.json (distribution/reference's own test tables).
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "reference/grammar.h"
#include "reference/normalize.h"

namespace pullguard::reference {
namespace {

using nlohmann::json;

const json& Cases() {
  static const json data = [] {
    std::ifstream in(std::string(PULLGUARD_TEST_DATA) + "/reference.json");
    return json::parse(in);
  }();
  return data;
}

std::vector<json> Group(const std::string& group) {
  std::vector<json> out;
  for (const auto& c : Cases()["cases"]) {
    if (c["group"] == group) out.push_back(c);
  }
  return out;
}

ErrorKind KindFromName(const std::string& name) {
  static const std::map<std::string, ErrorKind> kinds{
      {"ErrReferenceInvalidFormat", ErrorKind::kReferenceInvalidFormat},
      {"ErrTagInvalidFormat", ErrorKind::kTagInvalidFormat},
      {"ErrDigestInvalidFormat", ErrorKind::kDigestInvalidFormat},
      {"ErrNameContainsUppercase", ErrorKind::kNameContainsUppercase},
      {"ErrNameEmpty", ErrorKind::kNameEmpty},
      {"ErrNameTooLong", ErrorKind::kNameTooLong},
      {"ErrNameNotCanonical", ErrorKind::kNameNotCanonical},
      {"digest.ErrDigestInvalidLength", ErrorKind::kChecksumInvalidLength},
      {"digest.ErrDigestInvalidFormat", ErrorKind::kChecksumInvalidFormat},
      {"digest.ErrDigestUnsupported", ErrorKind::kDigestUnsupported},
  };
  auto it = kinds.find(name);
  REQUIRE(it != kinds.end());
  return it->second;
}

// The data file gives ErrDigestInvalidLength the message "invalid checksum digest format";
// go-digest's digest.go (v1.0.0, the version reference's go.mod pins) says
// "invalid checksum digest length". We follow the upstream source.
std::string ExpectedMessage(const json& error) {
  if (error["name"] == "digest.ErrDigestInvalidLength") return "invalid checksum digest length";
  return error["message"];
}

// Upstream's test binary registers only sha256 (see the data file's notes).
const std::vector<DigestAlgorithm>& UpstreamTestAlgorithms() {
  static const std::vector<DigestAlgorithm> algorithms{{"sha256", 64}};
  return algorithms;
}

std::string OrEmpty(const json& v) { return v.is_null() ? "" : v.get<std::string>(); }

template <typename T>
void CheckError(const Expected<T>& got, const json& c) {
  REQUIRE_FALSE(got.ok());
  const json& err = c["error"];
  if (err.is_object() && !err["name"].is_null()) {
    CHECK(got.error().kind == KindFromName(err["name"]));
    CHECK(got.error().message == ExpectedMessage(err));
  }
}

TEST_CASE("parse: Parse splits domain, repository, tag and digest", "[conformance]") {
  for (const auto& c : Group("parse")) {
    INFO(c["id"].get<std::string>() << " " << c["input"]);
    auto got = Parse(c["input"].get<std::string>(), UpstreamTestAlgorithms());
    if (!c["valid"]) {
      CheckError(got, c);
      continue;
    }
    REQUIRE(got.ok());
    const json& e = c["expected"];
    CHECK(got->String() == e["string"]);
    CHECK(got->Name() == e["repository"]);
    CHECK(got->domain == e["domain"]);
    CHECK(got->tag == OrEmpty(e["tag"]));
    CHECK(got->digest == OrEmpty(e["digest"]));
  }
}

TEST_CASE("with-name and domain-and-path: WithName", "[conformance]") {
  for (const auto& c : Group("with-name")) {
    INFO(c["id"].get<std::string>());
    CheckError(WithName(c["input"].get<std::string>()), c);
  }
  for (const auto& c : Group("domain-and-path")) {
    INFO(c["id"].get<std::string>());
    auto got = WithName(c["input"].get<std::string>());
    REQUIRE(got.ok());
    CHECK(got->domain == c["expected"]["domain"]);
    CHECK(got->path == c["expected"]["path"]);
  }
}

TEST_CASE("serialization: Parse round-trips name, tag and digest", "[conformance]") {
  for (const auto& c : Group("serialization")) {
    INFO(c["id"].get<std::string>());
    auto got = Parse(c["input"].get<std::string>(), UpstreamTestAlgorithms());
    if (!c["valid"]) {
      CheckError(got, c);
      continue;
    }
    REQUIRE(got.ok());
    CHECK(got->Name() == c["expected"]["name"]);
    CHECK(got->tag == OrEmpty(c["expected"]["tag"]));
    CHECK(got->digest == OrEmpty(c["expected"]["digest"]));
    CHECK(got->String() == c["input"]);
  }
}

TEST_CASE("with-tag and with-digest: builders keep what the reference has", "[conformance]") {
  for (const std::string group : {"with-tag", "with-digest"}) {
    for (const auto& c : Group(group)) {
      INFO(c["id"].get<std::string>());
        const json& in = c["input"];
      auto named = WithName(in["name"].get<std::string>());
      REQUIRE(named.ok());
      Reference ref = named.value();
      // Apply in the upstream order: the other component first, then the one under test.
      if (group == "with-tag") {
        if (!in["digest"].is_null()) ref = WithDigest(ref, in["digest"].get<std::string>()).value();
        auto got = WithTag(ref, in["tag"].get<std::string>());
        REQUIRE(got.ok());
        CHECK(got->String() == c["expected"]["string"]);
      } else {
        if (!in["tag"].is_null()) ref = WithTag(ref, in["tag"].get<std::string>()).value();
        auto got = WithDigest(ref, in["digest"].get<std::string>());
        REQUIRE(got.ok());
        CHECK(got->String() == c["expected"]["string"]);
      }
    }
  }
}

TEST_CASE("parse-named: ParseNamed requires the canonical form", "[conformance]") {
  for (const auto& c : Group("parse-named")) {
    INFO(c["id"].get<std::string>());
    auto got = ParseNamed(c["input"].get<std::string>());
    if (!c["valid"]) {
      CheckError(got, c);
      continue;
    }
    REQUIRE(got.ok());
    CHECK(got->domain == c["expected"]["domain"]);
    CHECK(got->path == c["expected"]["path"]);
  }
}

TEST_CASE("normalize: ParseNormalizedNamed accepts and rejects as upstream", "[conformance]") {
  for (const std::string group : {"normalize-validate", "normalize-remote-name", "invalid-components"}) {
    for (const auto& c : Group(group)) {
      INFO(c["id"].get<std::string>() << " " << c["input"]);
        if (c["input"].is_string()) {
        auto got = ParseNormalizedNamed(c["input"].get<std::string>());
        CHECK(got.ok() == c["valid"].get<bool>());
        continue;
      }
      auto named = ParseNormalizedNamed(c["input"]["name"].get<std::string>());
      REQUIRE(named.ok());
      if (c["input"].contains("tag")) {
        CHECK_FALSE(WithTag(named.value(), c["input"]["tag"].get<std::string>()).ok());
      } else {
        CHECK_FALSE(WithDigest(named.value(), c["input"]["digest"].get<std::string>()).ok());
      }
    }
  }
}

TEST_CASE("normalize-split: the registry a familiar name points at", "[conformance]") {
  for (const auto& c : Group("normalize-split")) {
    INFO(c["id"].get<std::string>());
    auto got = ParseNormalizedNamed(c["input"].get<std::string>());
    REQUIRE(got.ok() == c["valid"].get<bool>());
    if (!got.ok()) continue;
    CHECK(got->domain == c["expected"]["domain"]);
    CHECK(got->path == c["expected"]["path"]);
  }
}

TEST_CASE("familiar: FamiliarName, String, Domain and Path", "[conformance]") {
  for (const auto& c : Group("familiar")) {
    INFO(c["id"].get<std::string>() << " " << c["input"]);
    auto got = ParseNormalizedNamed(c["input"].get<std::string>());
    REQUIRE(got.ok());
    const json& e = c["expected"];
    if (e.contains("familiar_name")) CHECK(FamiliarName(got.value()) == e["familiar_name"]);
    if (e.contains("full_name")) CHECK(got->Name() == e["full_name"]);
    if (e.contains("domain")) CHECK(got->domain == e["domain"]);
    if (e.contains("path")) CHECK(got->path == e["path"]);
    if (e.contains("full_string")) CHECK(got->String() == e["full_string"]);
    if (e.contains("familiar_string")) CHECK(FamiliarString(got.value()) == e["familiar_string"]);
    if (e.contains("is_named_tagged")) CHECK(!got->tag.empty() == e["is_named_tagged"].get<bool>());
    if (e.contains("is_canonical")) CHECK(!got->digest.empty() == e["is_canonical"].get<bool>());
  }
}

TEST_CASE("parse-any: digests alone or names", "[conformance]") {
  for (const auto& c : Group("parse-any")) {
    INFO(c["id"].get<std::string>());
    auto got = ParseAnyReference(c["input"].get<std::string>());
    REQUIRE(got.ok());
    CHECK(got->String() == c["expected"]["string"]);
    if (c["expected"]["kind"] == "digest-only") {
      CHECK_FALSE(got->HasName());
      CHECK(got->digest == c["expected"]["digest"]);
    } else {
      CHECK(got->HasName());
    }
  }
}

TEST_CASE("familiar-match: path.Match on the familiar forms", "[conformance]") {
  for (const auto& c : Group("familiar-match")) {
    INFO(c["id"].get<std::string>());
    auto ref = ParseAnyReference(c["input"]["reference"].get<std::string>());
    REQUIRE(ref.ok());
    bool bad_pattern = false;
    bool matched = FamiliarMatch(c["input"]["pattern"].get<std::string>(), ref.value(), &bad_pattern);
    if (!c["valid"]) {
      CHECK(bad_pattern);
      continue;
    }
    CHECK_FALSE(bad_pattern);
    CHECK(matched == c["expected"]["match"].get<bool>());
  }
}

TEST_CASE("docker-ref: ParseDockerRef adds latest and lets a digest win", "[conformance]") {
  for (const auto& c : Group("docker-ref")) {
    INFO(c["id"].get<std::string>());
    auto got = ParseDockerRef(c["input"].get<std::string>());
    REQUIRE(got.ok());
    CHECK(got->String() == c["expected"]["string"]);
    CHECK(Parse(got->String()).ok());
  }
}

TEST_CASE("regexp groups: each grammar piece alone", "[conformance]") {
  for (const auto& c : Group("regexp-domain")) {
    INFO(c["id"].get<std::string>() << " " << c["input"]);
    CHECK(IsDomainAndPort(c["input"].get<std::string>()) == c["expected"]["match"].get<bool>());
  }
  for (const auto& c : Group("regexp-name")) {
    INFO(c["id"].get<std::string>() << " " << c["input"]);
    std::string_view domain, remote;
    std::string input = c["input"];
    bool matched = MatchName(input, &domain, &remote);
    REQUIRE(matched == c["expected"]["match"].get<bool>());
    if (matched && c["expected"].contains("submatches")) {
      CHECK(domain == c["expected"]["submatches"]["domain"].get<std::string>());
      CHECK(remote == c["expected"]["submatches"]["remote_name"].get<std::string>());
    }
  }
  for (const auto& c : Group("regexp-reference")) {
    INFO(c["id"].get<std::string>() << " " << c["input"]);
    std::string_view name, tag, digest;
    std::string input = c["input"];
    bool matched = MatchReference(input, &name, &tag, &digest);
    REQUIRE(matched == c["expected"]["match"].get<bool>());
    if (matched) {
      CHECK(name == c["expected"]["submatches"]["name"].get<std::string>());
      CHECK(tag == c["expected"]["submatches"]["tag"].get<std::string>());
      CHECK(digest == c["expected"]["submatches"]["digest"].get<std::string>());
    }
  }
  for (const auto& c : Group("regexp-identifier")) {
    INFO(c["id"].get<std::string>());
    CHECK(IsIdentifier(c["input"].get<std::string>()) == c["expected"]["match"].get<bool>());
  }
}

// Each group above is named here; a group in the data file that no test handles fails.
TEST_CASE("every group of the data file has a test, and every case is counted", "[conformance]") {
  const std::set<std::string> handled{
      "parse", "with-name", "domain-and-path", "serialization", "with-tag", "with-digest",
      "parse-named", "normalize-validate", "normalize-remote-name", "invalid-components",
      "normalize-split", "familiar", "parse-any", "familiar-match", "docker-ref",
      "regexp-domain", "regexp-name", "regexp-reference", "regexp-identifier"};
  int total = 0;
  for (const auto& c : Cases()["cases"]) {
    INFO(c["id"].get<std::string>());
    CHECK(handled.count(c["group"].get<std::string>()) == 1);
    ++total;
  }
  CHECK(total == Cases()["counts"]["total"].get<int>());
  for (const auto& group : handled) {
    INFO(group);
    CHECK(static_cast<int>(Group(group).size()) == Cases()["counts"][group].get<int>());
  }
}

}  // namespace
}  // namespace pullguard::reference
