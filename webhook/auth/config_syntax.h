// The syntax checks the kubelet's config validation borrows from Go: net/url's parse of a
// schemeless URL (matchImages) and apimachinery's qualified names (annotation keys), with Go's
// own error words, so an error reads as the kubelet's would.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pullguard::auth {

// A string quoted as Go's %q (and JSON) quote it: "a\"b".
std::string GoQuote(std::string_view s);

// Why url.Parse("https://" + s) fails (the kubelet's ParseSchemelessURL); "" when it does not.
std::string SchemelessUrlProblem(std::string_view s);

// A DNS-1123 subdomain, lowercase (the keys are lowercased before this check).
bool IsDnsSubdomain(std::string_view s);

// apimachinery's IsQualifiedName on the lowercased key, as validateServiceAccountAnnotationKeys:
// each problem in its words; none when the key is valid.
std::vector<std::string> QualifiedNameProblems(std::string key);

}  // namespace pullguard::auth
