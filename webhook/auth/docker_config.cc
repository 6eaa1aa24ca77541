#include "auth/docker_config.h"

namespace pullguard::auth {
namespace {

using nlohmann::json;

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Go's base64: '\r' and '\n' are skipped; `padded` selects StdEncoding (length a multiple of 4,
// '=' padding) or RawStdEncoding (no '=').
Result<std::string> DecodeGoBase64(std::string_view text, bool padded) {
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    if (c != '\r' && c != '\n') clean.push_back(c);
  }
  size_t pad = 0;
  if (padded) {
    if (clean.size() % 4 != 0) return Status::InvalidArgument("illegal base64 data: bad length");
    while (pad < 2 && !clean.empty() && clean[clean.size() - 1 - pad] == '=') ++pad;
  } else if (clean.size() % 4 == 1) {
    return Status::InvalidArgument("illegal base64 data: bad length");
  }
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < clean.size() - pad; ++i) {
    int v = Base64Value(clean[i]);
    if (v < 0) return Status::InvalidArgument("illegal base64 data at input byte " + std::to_string(i));
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

std::string StringField(const json& obj, const char* key, Status* error) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return "";
  if (!it->is_string()) {
    *error = Status::InvalidArgument(std::string("field \"") + key + "\" must be a string");
    return "";
  }
  return it->get<std::string>();
}

Result<DockerConfig> ParseEntries(const json& map) {
  if (!map.is_object()) return Status::InvalidArgument("registry entries must be a JSON object");
  DockerConfig config;
  for (const auto& [key, value] : map.items()) {
    auto entry = DecodeEntry(value);
    if (!entry.ok()) return Status::InvalidArgument("entry \"" + key + "\": " + entry.status().message());
    config.emplace_back(key, std::move(entry).value());
  }
  return config;
}

}  // namespace

Result<std::string> DecodeBase64(std::string_view text) { return DecodeGoBase64(text, true); }

Result<std::pair<std::string, std::string>> DecodeAuthField(std::string_view field) {
  std::string_view trimmed = field;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.remove_suffix(1);
  bool padded = !trimmed.empty() && trimmed.back() == '=';
  ASSIGN_OR_RETURN(std::string decoded, DecodeGoBase64(field, padded));
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) return Status::InvalidArgument("auth must be formatted as base64(username:password)");
  return std::make_pair(decoded.substr(0, colon), decoded.substr(colon + 1));
}

std::string EncodeBase64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(n >> s) & 63]);
  }
  if (i < in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) n |= uint8_t(in[i + 1]) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string EncodeAuthField(std::string_view username, std::string_view password) {
  return EncodeBase64(std::string(username) + ":" + std::string(password));
}

Result<DockerConfigEntry> DecodeEntry(const json& value, DockerConfigEntry* partial) {
  DockerConfigEntry entry;
  if (partial) *partial = entry;
  if (!value.is_object()) return Status::InvalidArgument("an entry must be a JSON object");
  Status error;
  std::string username = StringField(value, "username", &error);
  std::string password = StringField(value, "password", &error);
  std::string email = StringField(value, "email", &error);
  std::string auth = StringField(value, "auth", &error);
  if (!error.ok()) return error;  // like a failed json.Unmarshal: nothing is filled
  entry = {username, password, email};
  if (!auth.empty()) {
    auto decoded = DecodeAuthField(auth);
    entry.username.clear();
    entry.password.clear();
    if (!decoded.ok()) {
      if (partial) *partial = entry;
      return Status::InvalidArgument("auth: " + decoded.status().message());
    }
    entry.username = decoded->first;
    entry.password = decoded->second;
  }
  if (partial) *partial = entry;
  return entry;
}

std::string EncodeEntry(const DockerConfigEntry& entry) {
  // Field order as Go's encoder writes the struct.
  std::string text = "{\"username\":" + json(entry.username).dump() + ",\"password\":" + json(entry.password).dump() +
                     ",\"email\":" + json(entry.email).dump() + ",\"auth\":" +
                     json(EncodeAuthField(entry.username, entry.password)).dump() + "}";
  return text;
}

Result<DockerConfig> ParseDockercfg(std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return Status::InvalidArgument("error occurred while trying to unmarshal json");
  return ParseEntries(doc);
}

Result<DockerConfig> ParseDockerConfigJson(std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return Status::InvalidArgument("error occurred while trying to unmarshal json");
  if (!doc.is_object()) return Status::InvalidArgument("a docker config must be a JSON object");
  auto auths = doc.find("auths");
  if (auths == doc.end() || auths->is_null()) return DockerConfig{};
  return ParseEntries(*auths);
}

}  // namespace pullguard::auth
