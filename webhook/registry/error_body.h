// The registry's error body: {"errors": [{"code": "MANIFEST_UNKNOWN", "message": "..."}]}.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

namespace pullguard::registry {

struct ErrorEntry {
  std::string code;     // e.g. NAME_UNKNOWN, MANIFEST_UNKNOWN, DENIED, TOOMANYREQUESTS
  std::string message;  // cut to a sane length; registry text, shown to users as data
};

// Entries of a registry error body; empty when the body is not one (HEAD answers have none).
std::vector<ErrorEntry> ParseErrorBody(const std::string& body);
bool HasErrorCode(const std::vector<ErrorEntry>& entries, const std::string& code);

}  // namespace pullguard::registry
