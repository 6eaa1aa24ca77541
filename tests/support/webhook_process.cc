#include "support/webhook_process.h"

#include <regex>
#include <stdexcept>

namespace pullguard::testing {

std::string TestData(const std::string& relative) { return ReadAll(std::string(PULLGUARD_TEST_DATA) + "/" + relative); }

WebhookProcess::WebhookProcess(const std::string& policy_yaml, std::vector<std::string> extra_args,
                               const std::string& binary) {
  RunResult certs = Run({std::string(PULLGUARD_SOURCE_DIR) + "/certs/gen-dev-certs.sh", dir_.File("certs")});
  if (certs.exit_code != 0) throw std::runtime_error("gen-dev-certs.sh failed: " + certs.err);
  std::vector<std::string> argv{binary.empty() ? PULLGUARD_BINARY : binary, "serve", "--listen", "127.0.0.1:0",
                                "--tls-cert", dir_.File("certs/tls.crt"), "--tls-key", dir_.File("certs/tls.key")};
  if (!policy_yaml.empty()) {
    argv.push_back("--policy");
    argv.push_back(dir_.Write("policy.yaml", policy_yaml));
  } else {
    // Without a policy the built-in defaults would ask real registries (Docker Hub for
    // "nginx"): tests that do not bring their own registries stay offline, on loopback.
    argv.push_back("--offline");
  }
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Process>(argv, dir_.path());
  if (!process_->WaitForStderr("\"msg\":\"listening\"")) {
    throw std::runtime_error("pullguard serve did not start: " + process_->Stderr());
  }
  std::smatch m;
  std::string log = process_->Stderr();
  if (!std::regex_search(log, m, std::regex("\"port\":(\\d+)"))) throw std::runtime_error("no port in log: " + log);
  port_ = std::stoi(m[1]);
}

std::unique_ptr<httplib::SSLClient> WebhookProcess::Client(const std::string& host) const {
  auto client = std::make_unique<httplib::SSLClient>(host, port_);
  client->set_ca_cert_path(ca_file().c_str());
  client->enable_server_certificate_verification(true);
  client->set_connection_timeout(5, 0);
  client->set_read_timeout(15, 0);
  // Headers and body go out in two writes; with Nagle on, the second waits ~40 ms for the
  // server's delayed ACK, and every measurement through this client would include it.
  client->set_tcp_nodelay(true);
  return client;
}

HttpAnswer WebhookProcess::Post(const std::string& target, const std::string& body,
                                const std::string& content_type) const {
  auto client = Client();
  auto res = client->Post(target.c_str(), body, content_type.c_str());
  if (!res) return {};
  return {res->status, res->body, res->get_header_value("Content-Type")};
}

HttpAnswer WebhookProcess::Get(const std::string& target) const {
  auto client = Client();
  auto res = client->Get(target.c_str());
  if (!res) return {};
  return {res->status, res->body, res->get_header_value("Content-Type")};
}

}  // namespace pullguard::testing
