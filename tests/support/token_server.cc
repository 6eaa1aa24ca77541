#include "support/token_server.h"

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

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
                         std::map<std::string, std::string> users, TokenGrants grants)
    : users_(std::move(users)), grants_(std::move(grants)), signing_cert_(work_dir + "/token-signer.crt"), signing_key_(work_dir + "/token-signer.key") {
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
  auto respond = [this](const std::string& user, const std::string& password, bool authenticated,
                        const std::vector<std::string>& scopes, httplib::Response& res) {
    if (grants_.hang) {
      for (int i = 0; i < 600 && !stopping_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      res.status = 503;
      return;
    }
    int status = 200;
    std::string body = Answer(user, password, authenticated, scopes, &status);
    res.status = status;
    res.set_content(body, "application/json");
  };
  server_->Get("/token", [this, respond](const httplib::Request& req, httplib::Response& res) {
    ++requests_;
    std::string pair = DecodeBasic(req.get_header_value("Authorization"));
    size_t colon = pair.find(':');
    std::vector<std::string> scopes;
    for (size_t i = 0; i < req.get_param_value_count("scope"); ++i) scopes.push_back(req.get_param_value("scope", i));
    respond(pair.substr(0, colon), colon == std::string::npos ? "" : pair.substr(colon + 1), !pair.empty(), scopes, res);
  });
  // OAuth2, as containerd asks with a credential: a form with grant_type=password.
  server_->Post("/token", [this, respond](const httplib::Request& req, httplib::Response& res) {
    ++requests_;
    ++posts_;
    httplib::Params form;
    httplib::detail::parse_query_text(req.body, form);
    auto field = [&form](const char* name) {
      auto it = form.find(name);
      return it == form.end() ? std::string() : it->second;
    };
    if (field("grant_type") != "password") {
      res.status = 400;
      res.set_content(R"({"error":"unsupported_grant_type"})", "application/json");
      return;
    }
    std::vector<std::string> scopes;
    std::string all = field("scope");
    for (size_t start = 0; start < all.size();) {
      size_t space = all.find(' ', start);
      scopes.push_back(all.substr(start, space == std::string::npos ? std::string::npos : space - start));
      if (space == std::string::npos) break;
      start = space + 1;
    }
    respond(field("username"), field("password"), true, scopes, res);
  });
  port_ = ServeOnLoopback(*server_, thread_);
}

TokenServer::~TokenServer() {
  stopping_ = true;
  server_->stop();
  thread_.join();
  EVP_PKEY_free(static_cast<EVP_PKEY*>(key_));
}

std::string TokenServer::Answer(const std::string& user, const std::string& password, bool authenticated,
                                const std::vector<std::string>& scopes, int* status) const {
  if (grants_.fail_status != 0) {
    *status = grants_.fail_status;
    return R"({"errors":[{"code":"UNAVAILABLE","message":"token service failing on purpose"}]})";
  }
  if (authenticated) {
    auto it = users_.find(user);
    if (it == users_.end() || it->second != password) {
      *status = 401;
      return R"({"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]})";
    }
  }
  std::string token = Issue(authenticated ? user : "", scopes);
  return nlohmann::json{{"token", token}, {"access_token", token}, {"expires_in", 300}}.dump();
}

bool TokenServer::Allowed(const std::string& user, const std::string& repo, const std::string& action) const {
  if (!user.empty() && user == grants_.pusher) return true;
  if (!grants_.hub_shape) return !user.empty() || (action == "pull" && repo.rfind("public/", 0) == 0);
  if (action != "pull") return false;
  if (grants_.public_repos.count(repo) > 0) return true;
  auto owners = grants_.owners.find(repo);
  return owners != grants_.owners.end() && owners->second.count(user) > 0;
}

std::string TokenServer::Issue(const std::string& user, const std::vector<std::string>& scopes) const {
  nlohmann::json access = nlohmann::json::array();
  for (const auto& scope : scopes) {
    // repository:NAME:actions
    size_t first = scope.find(':'), last = scope.rfind(':');
    if (first == std::string::npos || last == first) continue;
    std::string name = scope.substr(first + 1, last - first - 1);
    std::string actions = scope.substr(last + 1);
    nlohmann::json granted = nlohmann::json::array();
    size_t start = 0;
    while (start <= actions.size()) {
      size_t comma = actions.find(',', start);
      std::string action = actions.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!action.empty() && Allowed(user, name, action)) granted.push_back(action);
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
