// A kubelet credential provider plugin for tests. It speaks the real protocol: a
// CredentialProviderRequest on stdin (kind and apiVersion checked), a CredentialProviderResponse
// of the request's apiVersion on stdout. What it does is chosen by environment variables, which
// the tests set through the provider's `env` in the CredentialProviderConfig:
//   FAKE_PROVIDER_MODE            ok (default), fail, hang, garbage, huge, wrong-api-version,
//                                 unknown-field, echo-token
//   FAKE_PROVIDER_CACHE_KEY_TYPE  the answer's cacheKeyType (default Image)
//   FAKE_PROVIDER_CACHE_DURATION  the answer's cacheDuration (unset: the field is omitted)
//   FAKE_PROVIDER_AUTH_KEY        the answer's auth key (default: the image's registry host)
//   FAKE_PROVIDER_USER            username (default fake-user)
//   FAKE_PROVIDER_PASSWORD        password (default fake-password); printed in every mode,
//                                 so that tests can check it never reaches an error
//   FAKE_PROVIDER_DELAY_MS        sleep this long before answering
//   FAKE_PROVIDER_REQUIRE_AUDIENCE  KEP-4412: answer only when the request's
//                                 serviceAccountToken is a JWT whose payload's aud holds this
//                                 audience; exit 1 otherwise (as a cloud's token exchange fails)
//   FAKE_PROVIDER_LOG             append one JSON line per run: {"image", "apiVersion",
//                                 "token" (a token was sent), "audience" and "subject" (the
//                                 token's payload's first aud and sub, "" without one),
//                                 "annotations", "args"}
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

namespace {

using nlohmann::json;

constexpr const char* kGroup = "credentialprovider.kubelet.k8s.io/";

std::string Env(const char* name, const std::string& fallback = "") {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : fallback;
}

std::string StringField(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

json Answer(const std::string& api_version, const std::string& image, const std::string& password) {
  json answer = {{"apiVersion", api_version},
                 {"kind", "CredentialProviderResponse"},
                 {"cacheKeyType", Env("FAKE_PROVIDER_CACHE_KEY_TYPE", "Image")}};
  if (std::getenv("FAKE_PROVIDER_CACHE_DURATION") != nullptr) {
    answer["cacheDuration"] = Env("FAKE_PROVIDER_CACHE_DURATION");
  }
  std::string key = Env("FAKE_PROVIDER_AUTH_KEY", image.substr(0, image.find('/')));
  answer["auth"][key] = {{"username", Env("FAKE_PROVIDER_USER", "fake-user")}, {"password", password}};
  return answer;
}

// base64url (JWT segments: no padding); "" when it does not decode.
std::string DecodeBase64Url(const std::string& text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v = c >= 'A' && c <= 'Z'   ? c - 'A'
            : c >= 'a' && c <= 'z' ? c - 'a' + 26
            : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '-' || c == '+' ? 62
            : c == '_' || c == '/' ? 63
            : c == '='             ? -2
                                   : -1;
    if (v == -2) break;
    if (v < 0) return "";
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

// The payload of a JWT ("HEADER.PAYLOAD.SIGNATURE"); an empty object when it is not one.
json TokenPayload(const std::string& token) {
  size_t first = token.find('.');
  size_t second = first == std::string::npos ? std::string::npos : token.find('.', first + 1);
  if (second == std::string::npos) return json::object();
  json payload = json::parse(DecodeBase64Url(token.substr(first + 1, second - first - 1)), nullptr, false);
  return payload.is_object() ? payload : json::object();
}

// The payload's first audience (aud is a string or a list of them).
std::string AudienceOf(const json& payload) {
  auto aud = payload.find("aud");
  if (aud == payload.end()) return "";
  if (aud->is_string()) return aud->get<std::string>();
  if (aud->is_array() && !aud->empty() && (*aud)[0].is_string()) return (*aud)[0].get<std::string>();
  return "";
}

bool HasAudience(const json& payload, const std::string& wanted) {
  auto aud = payload.find("aud");
  if (aud == payload.end()) return false;
  if (aud->is_string()) return aud->get<std::string>() == wanted;
  if (!aud->is_array()) return false;
  for (const auto& a : *aud) {
    if (a.is_string() && a.get<std::string>() == wanted) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  json request = json::parse(input, nullptr, /*allow_exceptions=*/false);
  if (!request.is_object() || StringField(request, "kind") != "CredentialProviderRequest" ||
      StringField(request, "apiVersion").rfind(kGroup, 0) != 0 || StringField(request, "image").empty()) {
    std::cerr << "fake-credential-provider: stdin is not a CredentialProviderRequest\n";
    return 2;
  }
  const std::string api_version = StringField(request, "apiVersion");
  const std::string image = StringField(request, "image");
  const std::string token = StringField(request, "serviceAccountToken");
  const json payload = TokenPayload(token);

  if (std::getenv("FAKE_PROVIDER_LOG") != nullptr) {
    json line = {{"image", image}, {"apiVersion", api_version}, {"token", !token.empty()},
                 {"audience", AudienceOf(payload)}, {"subject", StringField(payload, "sub")},
                 {"annotations", json::object()}, {"args", json::array()}};
    if (auto it = request.find("serviceAccountAnnotations"); it != request.end() && it->is_object()) {
      line["annotations"] = *it;
    }
    for (int i = 1; i < argc; ++i) line["args"].push_back(std::string(argv[i]));
    std::ofstream log(Env("FAKE_PROVIDER_LOG"), std::ios::app);
    log << line.dump() + "\n";  // one write: concurrent runs do not interleave
  }

  if (std::string delay = Env("FAKE_PROVIDER_DELAY_MS"); !delay.empty()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::atol(delay.c_str())));
  }

  if (std::string audience = Env("FAKE_PROVIDER_REQUIRE_AUDIENCE"); !audience.empty() && !HasAudience(payload, audience)) {
    std::cerr << "fake-credential-provider: no service account token for audience " << audience << "\n";
    return 1;
  }

  const std::string mode = Env("FAKE_PROVIDER_MODE", "ok");
  const std::string password = Env("FAKE_PROVIDER_PASSWORD", "fake-password");
  json answer = Answer(api_version, image, password);
  if (mode == "ok") {
    std::cout << answer.dump() << std::endl;
    return 0;
  }
  if (mode == "fail") {
    std::cout << answer.dump() << std::endl;  // what a failed run printed must not be used
    std::cerr << "fake-credential-provider: failing as asked, password " << password << "\n";
    return 1;
  }
  if (mode == "hang") {
    std::cout << "{\"password\": \"" << password << "\"" << std::flush;
    std::this_thread::sleep_for(std::chrono::hours(1));
    return 0;
  }
  if (mode == "garbage") {
    std::cout << "this is not JSON, and holds the password " << password << std::endl;
    return 0;
  }
  if (mode == "huge") {
    std::string filler(64 * 1024, 'x');
    std::cout << password;
    for (int i = 0; i < 64; ++i) std::cout << filler;  // 4 MiB
    std::cout << std::endl;
    return 0;
  }
  if (mode == "wrong-api-version") {
    answer["apiVersion"] = api_version == std::string(kGroup) + "v1" ? std::string(kGroup) + "v1beta1"
                                                                     : std::string(kGroup) + "v1";
    std::cout << answer.dump() << std::endl;
    return 0;
  }
  if (mode == "unknown-field") {
    answer["foo"] = "bar";
    std::cout << answer.dump() << std::endl;
    return 0;
  }
  if (mode == "echo-token") {
    std::cout << Answer(api_version, image, token).dump() << std::endl;
    return 0;
  }
  std::cerr << "fake-credential-provider: unknown FAKE_PROVIDER_MODE " << mode << "\n";
  return 3;
}
