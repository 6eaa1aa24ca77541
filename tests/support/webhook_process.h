// WebhookProcess: the real `pullguard serve` binary on a free loopback port, with a fresh dev
// CA and serving certificate from certs/gen-dev-certs.sh, and a client that verifies the
// server against that CA.
#pragma once

#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/temp_dir.h"

namespace pullguard::testing {

struct HttpAnswer {
  int status = 0;  // 0 when the request failed (connection, TLS)
  std::string body;
  std::string content_type;
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
};

class WebhookProcess {
 public:
  // `policy_yaml` is written to policy.yaml in the temp dir; "" runs with the built-in
  // defaults and --offline, so no registry outside this machine is ever asked.
  // `binary`: another pullguard to run (a benchmark's baseline); "" for the one built here.
  explicit WebhookProcess(const std::string& policy_yaml = "", std::vector<std::string> extra_args = {},
                          const std::string& binary = "");

  int port() const { return port_; }
  const TempDir& dir() const { return dir_; }
  Process& process() { return *process_; }
  std::string ca_file() const { return dir_.File("certs/ca.crt"); }

  // A client that trusts only the test CA and checks the host name.
  std::unique_ptr<httplib::SSLClient> Client(const std::string& host = "127.0.0.1") const;
  HttpAnswer Post(const std::string& target, const std::string& body,
                  const std::string& content_type = "application/json") const;
  HttpAnswer Get(const std::string& target) const;

 private:
  TempDir dir_;
  std::unique_ptr<Process> process_;
  int port_ = 0;
};

// The test data file's text (tests/data/...).
std::string TestData(const std::string& relative);

}  // namespace pullguard::testing
