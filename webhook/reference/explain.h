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

// The first template placeholder in an image as written, or "" when it has none: bracketed
// ("<YOUR-CONTAINER>"), braced ("{IMAGE}", Helm's "{{ .Values.image }}") and dollar forms
// ("${TAG}", "$TAG", "$(params.image)"). None of '<', '{' and '$' can be in a reference, so an
// image holding one never parses; all-caps words such as REPLACE_ME are not placeholders here
// (they are an uppercase repository name, and said so).
std::string FindPlaceholder(std::string_view image);

}  // namespace pullguard::reference
