// Each grammar piece on its own, with the edges the conformance tables do not reach.
#include <catch2/catch.hpp>

#include "reference/explain.h"
#include "reference/grammar.h"
#include "reference/reference.h"

namespace pullguard::reference {
namespace {

TEST_CASE("path components take '.', '_', '__' and runs of '-' between alphanumerics") {
  struct Case {
    const char* input;
    bool valid;
  };
  const Case cases[] = {
      {"a", true},       {"a.b", true},     {"a_b", true},  {"a__b", true}, {"a---b", true},
      {"a___b", false},  {"a._b", false},   {"a-.b", false}, {".a", false}, {"a.", false},
      {"A", false},      {"", false},       {"a b", false},
  };
  for (const auto& c : cases) {
    INFO(c.input);
    CHECK(IsPathComponent(c.input) == c.valid);
  }
}

TEST_CASE("tags are at most 128 word characters, dots and dashes") {
  CHECK(IsTag(std::string(128, 'a')));
  CHECK_FALSE(IsTag(std::string(129, 'a')));
  CHECK_FALSE(IsTag(".hidden"));
  CHECK_FALSE(IsTag("-x"));
  CHECK(IsTag("_x"));
  CHECK(IsTag("v1.2.3-rc.1_b"));
}

TEST_CASE("a hostile, very long input is answered without recursion") {
  // std::regex would recurse per character here; the scanner is iterative.
  std::string long_name = "example.com/" + std::string(1 << 20, 'a');
  auto got = Parse(long_name);
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().kind == ErrorKind::kNameTooLong);
  std::string separators = "a" + std::string(1 << 20, '-');
  CHECK_FALSE(Parse(separators).ok());
}

TEST_CASE("invalid formats get an explanation that names the wrong part") {
  struct Case {
    const char* input;
    const char* explanation_contains;
  };
  const Case cases[] = {
      {"https://ghcr.io/org/app:1", "remove \"https://\""},
      {"nginx:1.25 ", "whitespace"},
      {"nginx:", "the tag after ':' is empty"},
      {"nginx:.bad", "invalid tag format"},
      {"nginx@sha256:xyz", "invalid digest format"},
      {"ghcr.io/org//app", "empty component"},
      {"ghcr.io/org/app-/x", "path component \"app-\""},
      {"ghcr..io/org/app", "registry host \"ghcr..io\""},
      {":justtag", "needs a repository name"},
  };
  for (const auto& c : cases) {
    INFO(c.input);
    auto got = Parse(c.input);
    REQUIRE_FALSE(got.ok());
    CHECK_THAT(got.error().Explanation(), Catch::Contains(c.explanation_contains));
  }
}

TEST_CASE("regression: template placeholders in an image are found, all-caps words are not") {
  // "<YOUR-CONTAINER>" was "repository name must be lowercase"; a placeholder needs rendering.
  struct Case {
    const char* image;
    const char* placeholder;
  };
  const Case cases[] = {
      {"<YOUR-CONTAINER>", "<YOUR-CONTAINER>"},
      {"registry.example.com/<team>/app:1", "<team>"},
      {"{IMAGE}", "{IMAGE}"},
      {"{{ .Values.image }}", "{{ .Values.image }}"},
      {"{{ .Values.image.repository }}:{{ .Values.image.tag }}", "{{ .Values.image.repository }}"},
      {"nginx:${TAG}", "${TAG}"},
      {"nginx:$TAG", "$TAG"},
      {"$(params.image)", "$(params.image)"},
      // Not placeholders: all-caps words, and brackets or dollars that enclose nothing.
      {"REPLACE_ME", ""},
      {"nginx:1.25", ""},
      {"<>", ""},
      {"{}", ""},
      {"nginx:$", ""},
      {"a<b", ""},
  };
  for (const auto& c : cases) {
    INFO(c.image);
    CHECK(FindPlaceholder(c.image) == c.placeholder);
  }
}

}  // namespace
}  // namespace pullguard::reference
