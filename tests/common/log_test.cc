#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "common/log.h"

namespace pullguard {
namespace {

TEST_CASE("JsonQuote gives a JSON string for plain, escaped and invalid UTF-8 input") {
  CHECK(JsonQuote("web-7d4b9c") == "\"web-7d4b9c\"");
  CHECK(JsonQuote("a\"b\\c\n") == "\"a\\\"b\\\\c\\n\"");
  for (std::string input : {std::string("plain"), std::string("quote\"back\\slash"), std::string("ctl\x01"),
                            std::string("bad utf8 \xff\xfe"), std::string("ünïcode")}) {
    INFO(input);
    auto parsed = nlohmann::json::parse(JsonQuote(input), nullptr, false);
    REQUIRE(parsed.is_string());
  }
}

}  // namespace
}  // namespace pullguard
