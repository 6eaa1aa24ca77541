#include "auth/ecr_token.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "auth/docker_config.h"

namespace pullguard::auth {
namespace {

constexpr size_t kMaxTokenBytes = 64 * 1024;

}  // namespace

std::optional<std::chrono::system_clock::time_point> EcrTokenExpiry(const Credential& credential) {
  if (credential.username != "AWS" || credential.password.empty() || credential.password.size() > kMaxTokenBytes) {
    return std::nullopt;
  }
  // Padded or not: add what is missing (a remainder of 1 cannot be base64 and stays wrong).
  std::string text;
  for (char c : credential.password) {
    if (c != '\r' && c != '\n') text.push_back(c);
  }
  while (text.size() % 4 != 0 && text.size() % 4 != 1) text.push_back('=');
  auto decoded = DecodeBase64(text);
  if (!decoded.ok()) return std::nullopt;
  nlohmann::json token = nlohmann::json::parse(decoded.value(), nullptr, /*allow_exceptions=*/false);
  if (!token.is_object()) return std::nullopt;
  auto payload = token.find("payload");
  auto datakey = token.find("datakey");
  auto expiration = token.find("expiration");
  if (payload == token.end() || !payload->is_string() || datakey == token.end() || !datakey->is_string() ||
      expiration == token.end() || !expiration->is_number()) {
    return std::nullopt;
  }
  for (const char* key : {"version", "type"}) {
    auto it = token.find(key);
    if (it != token.end() && !it->is_string()) return std::nullopt;
  }
  double seconds = expiration->get<double>();
  // Between 1970 and 2262 (what system_clock's nanoseconds can hold).
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 9.2e9) return std::nullopt;
  auto since_epoch = std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::duration<double>(std::floor(seconds)));
  return std::chrono::system_clock::time_point(since_epoch);
}

}  // namespace pullguard::auth
