// Explanations for references that do not parse: upstream answers "invalid reference format";
// a user needs to know which part is wrong and how to write it.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace pullguard::reference {

// REQUIRES: `s` does not match the reference grammar. Names the first wrong part.
std::string ExplainInvalidFormat(std::string_view s);

// REQUIRES: `tag` does not match the tag grammar.
std::string ExplainTag(std::string_view tag);

}  // namespace pullguard::reference
