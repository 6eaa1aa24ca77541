#include "support/token_server.h"

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "auth/docker_config.h"
#include "support/loopback_server.h"
#include "support/process.h"

namespace pullguard::testing {
namespace {

// base64 (x5c) or base64url without padding (JWS segments).
std::string Base64(const std::string& in, bool url) {
  std::string out = auth::EncodeBase64(in);
  if (!url) return out;
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (auto& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

std::string DecodeBasic(const std::string& header) {
  if (header.rfind("Basic ", 0) != 0) return "";
  auto decoded = auth::DecodeBase64(header.substr(6));
  return decoded.ok() ? decoded.value() : "";
}

}  // namespace

TokenServer::TokenServer(const std::string& tls_cert, const std::string& tls_key, const std::string& work_dir,
                         std::map<std::string, std::string> users)
    : users_(std::move(users)), signing_cert_(work_dir + "/token-signer.crt"), signing_key_(work_dir + "/token-signer.key") {
  RunResult made = Run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-keyout", signing_key_, "-out", signing_cert_, "-days", "2", "-subj", "/CN=pullguard test token signer"});
  if (made.exit_code != 0) throw std::runtime_error("openssl req failed: " + made.err);
  FILE* f = std::fopen(signing_key_.c_str(), "r");
  key_ = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  f = std::fopen(signing_cert_.c_str(), "r");
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  x5c_ = Base64(std::string(reinterpret_cast<char*>(der), len), false);
  OPENSSL_free(der);
  X509_free(cert);

  server_ = std::make_unique<httplib::SSLServer>(tls_cert.c_str(), tls_key.c_str());
  server_->Get("/token", [this](const httplib::Request& req, httplib::Response& res) {
    ++requests_;
    std::string user;
    std::string auth = req.get_header_value("Authorization");
    if (!auth.empty()) {
      std::string pair = DecodeBasic(auth);
      size_t colon = pair.find(':');
      std::string name = pair.substr(0, colon), pass = colon == std::string::npos ? "" : pair.substr(colon + 1);
      auto it = users_.find(name);
      if (it == users_.end() || it->second != pass) {
        res.status = 401;
        res.set_content(R"({"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]})", "application/json");
        return;
      }
      user = name;
    }
    std::string token = Issue(user, req.get_param_value("scope"));
    res.set_content(nlohmann::json{{"token", token}, {"access_token", token}, {"expires_in", 300}}.dump(), "application/json");
  });
  port_ = ServeOnLoopback(*server_, thread_);
}

TokenServer::~TokenServer() {
  server_->stop();
  thread_.join();
  EVP_PKEY_free(static_cast<EVP_PKEY*>(key_));
}

std::string TokenServer::Issue(const std::string& user, const std::string& scope) const {
  nlohmann::json access = nlohmann::json::array();
  // scope: repository:NAME:actions (one scope is all the client sends)
  size_t first = scope.find(':'), last = scope.rfind(':');
  if (first != std::string::npos && last != first) {
    std::string name = scope.substr(first + 1, last - first - 1);
    std::string actions = scope.substr(last + 1);
    nlohmann::json granted = nlohmann::json::array();
    size_t start = 0;
    while (start <= actions.size()) {
      size_t comma = actions.find(',', start);
      std::string action = actions.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      bool allowed = !user.empty() || (action == "pull" && name.rfind("public/", 0) == 0);
      if (allowed && !action.empty()) granted.push_back(action);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    access.push_back({{"type", "repository"}, {"name", name}, {"actions", granted}});
  }
  long long now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  nlohmann::json header = {{"typ", "JWT"}, {"alg", "ES256"}, {"x5c", {x5c_}}};
  nlohmann::json claims = {{"iss", kIssuer}, {"sub", user}, {"aud", kService}, {"exp", now + 300}, {"nbf", now - 10},
                           {"iat", now}, {"jti", std::to_string(now) + "-" + std::to_string(requests_.load())},
                           {"access", access}};
  std::string signing_input = Base64(header.dump(), true) + "." + Base64(claims.dump(), true);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, static_cast<EVP_PKEY*>(key_));
  size_t sig_len = 0;
  EVP_DigestSign(ctx, nullptr, &sig_len, reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size());
  std::string der(sig_len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(der.data()), &sig_len,
                 reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size());
  EVP_MD_CTX_free(ctx);
  // JWS wants r||s, 32 bytes each, not DER.
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig_len));
  const BIGNUM *r = nullptr, *s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  std::string raw(64, '\0');
  BN_bn2binpad(r, reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(s, reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return signing_input + "." + Base64(raw, true);
}

}  // namespace pullguard::testing
