#include "support/registry_server.h"

#include <openssl/evp.h>

#include <fstream>
#include <stdexcept>
#include <thread>

#include "auth/docker_config.h"
#include "support/free_port.h"

namespace pullguard::testing {

std::string Sha256Digest(const std::string& content) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(content.data(), content.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

RegistryServer::RegistryServer(const std::string& cert, const std::string& key, const std::string& ca, RegistryOptions options)
    : options_(std::move(options)), ca_(ca) {
  port_ = FreePort();
  std::string config = "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n"
                       "storage:\n  filesystem:\n    rootdirectory: " + dir_.File("data") + "\n  delete:\n    enabled: true\n"
                       "http:\n  addr: 127.0.0.1:" + std::to_string(port_) + "\n  secret: pullguard-test\n";
  if (options_.tls) config += "  tls:\n    certificate: " + cert + "\n    key: " + key + "\n";
  if (options_.tls && !options_.client_ca.empty()) config += "    clientcas:\n      - " + options_.client_ca + "\n";
  if (options_.auth == RegistryAuth::kBasic) {
    RunResult h = Run({"htpasswd", "-Bbn", options_.user, options_.password});
    if (h.exit_code != 0) throw std::runtime_error("htpasswd failed: " + h.err);
    dir_.Write("htpasswd", h.out);
    config += "auth:\n  htpasswd:\n    realm: pullguard-test\n    path: " + dir_.File("htpasswd") + "\n";
  } else if (options_.auth == RegistryAuth::kToken) {
    const TokenServer& t = *options_.token_server;
    config += "auth:\n  token:\n    realm: " + t.realm() + "\n    service: " + TokenServer::kService +
              "\n    issuer: " + TokenServer::kIssuer + "\n    rootcertbundle: " + t.signing_cert_file() + "\n";
  }
  dir_.Write("config.yml", config);
  process_ = std::make_unique<Process>(std::vector<std::string>{"docker-registry", "serve", dir_.File("config.yml")}, dir_.path());
  // Ready when /v2/ answers at all (401 counts).
  for (int i = 0; i < 200; ++i) {
    auto res = Client()->Get("/v2/");
    if (res) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  throw std::runtime_error("docker-registry did not start: " + process_->Stderr());
}

std::unique_ptr<httplib::Client> RegistryServer::Client() const {
  std::string url = (options_.tls ? "https://" : "http://") + host();
  auto client = options_.client_cert.empty() ? std::make_unique<httplib::Client>(url)
                                             : std::make_unique<httplib::Client>(url, options_.client_cert, options_.client_key);
  if (options_.tls) {
    client->set_ca_cert_path(ca_.c_str());
    client->enable_server_certificate_verification(true);
  }
  client->set_connection_timeout(5, 0);
  client->set_read_timeout(10, 0);
  return client;
}

httplib::Headers RegistryServer::PushHeaders(const std::string& repo) const {
  httplib::Headers headers;
  if (options_.auth == RegistryAuth::kBasic) {
    headers.emplace("Authorization", "Basic " + auth::EncodeAuthField(options_.user, options_.password));
  } else if (options_.auth == RegistryAuth::kToken) {
    headers.emplace("Authorization",
                    "Bearer " + options_.token_server->Issue(options_.user, "repository:" + repo + ":pull,push"));
  }
  return headers;
}

std::string RegistryServer::PushBlob(const std::string& repo, const std::string& content) {
  std::string digest = Sha256Digest(content);
  // Start an upload session, then PUT the whole blob to its location with ?digest=.
  auto client = Client();
  auto start = client->Post(("/v2/" + repo + "/blobs/uploads/").c_str(), PushHeaders(repo), "", "application/octet-stream");
  if (!start || start->status != 202) {
    throw std::runtime_error("upload start for " + repo + " failed: " + (start ? std::to_string(start->status) + " " + start->body : "no answer"));
  }
  std::string location = start->get_header_value("Location");
  size_t path_at = location.find("/v2/");
  if (path_at == std::string::npos) throw std::runtime_error("upload location without /v2/: " + location);
  location = location.substr(path_at);
  location += (location.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") + digest;
  auto put = client->Put(location.c_str(), PushHeaders(repo), content, "application/octet-stream");
  if (!put || put->status != 201) {
    throw std::runtime_error("blob push to " + repo + " failed: " + (put ? std::to_string(put->status) + " " + put->body : "no answer"));
  }
  return digest;
}

std::string RegistryServer::PushManifest(const std::string& repo, const std::string& tag, const std::string& body,
                                         const std::string& media_type) {
  auto res = Client()->Put(("/v2/" + repo + "/manifests/" + tag).c_str(), PushHeaders(repo), body, media_type.c_str());
  if (!res || res->status != 201) {
    throw std::runtime_error("manifest push to " + repo + ":" + tag + " failed: " +
                             (res ? std::to_string(res->status) + " " + res->body : "no answer"));
  }
  return Sha256Digest(body);
}

}  // namespace pullguard::testing
