#include "registry/error_body.h"

#include <nlohmann/json.hpp>

namespace pullguard::registry {

std::vector<ErrorEntry> ParseErrorBody(const std::string& body) {
  std::vector<ErrorEntry> out;
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return out;
  auto errors = doc.find("errors");
  if (errors == doc.end() || !errors->is_array()) return out;
  for (const auto& e : *errors) {
    if (!e.is_object() || out.size() >= 8) continue;
    ErrorEntry entry;
    if (auto c = e.find("code"); c != e.end() && c->is_string()) entry.code = c->get<std::string>().substr(0, 64);
    if (auto m = e.find("message"); m != e.end() && m->is_string()) entry.message = m->get<std::string>().substr(0, 200);
    // Keep only printable ASCII: the text ends up in one-line messages.
    for (auto& ch : entry.message) {
      if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) > 0x7e) ch = ' ';
    }
    out.push_back(entry);
  }
  return out;
}

bool HasErrorCode(const std::vector<ErrorEntry>& entries, const std::string& code) {
  for (const auto& e : entries) {
    if (e.code == code) return true;
  }
  return false;
}

}  // namespace pullguard::registry
