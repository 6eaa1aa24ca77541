// Small URL helpers for the registry client.
// Thread-safety: pure functions.
#pragma once

#include <string>

namespace pullguard::registry {

std::string UrlScheme(const std::string& url);  // "https"
std::string UrlHost(const std::string& url);    // "auth.example.com:443" (with port as written)
// Resolves a Location header against the URL it answered.
std::string ResolveLocation(const std::string& base, const std::string& location);
std::string UrlEncode(const std::string& s);
// The URL without its query (for messages: queries may carry tokens).
std::string RedactUrl(const std::string& url);

}  // namespace pullguard::registry
