// The real `pullguard serve` under hostile clients: each break of the old server has a test
// (not timed: each asserts what happens, with bounded waits).
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <atomic>
#include <thread>

#include "integration/registry_env.h"
#include "support/process.h"
#include "support/tls_probe.h"
#include "support/webhook_process.h"

namespace pullguard::testing {
namespace {

using nlohmann::json;

std::string SmallReview() {
  json review = json::parse(TestData("admissionreview/pod-create.json"));
  review["request"]["object"]["spec"]["initContainers"] = json::array();
  review["request"]["object"]["spec"]["containers"] = json::array({{{"name", "app"}, {"image", "nginx:1.25"}}});
  return review.dump();
}

std::string PostRequest(const std::string& body) {
  return "POST /validate?timeout=10s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST_CASE("a worker serves a connection's next requests itself, and hands a partial one back with its deadline",
          "[integration][attack]") {
  WebhookProcess webhook("", {"--request-timeout-ms", "1000", "--linger-ms", "50"});
  RawTlsClient client(webhook.port(), webhook.ca_file());
  REQUIRE(client.ok());
  std::string request = PostRequest(SmallReview());
  // Back to back, and two in one write (pipelined): each gets its answer, in order.
  for (int i = 0; i < 5; ++i) {
    REQUIRE(client.Write(request));
    CHECK(client.Read().status == 200);
  }
  REQUIRE(client.Write(request + request));
  CHECK(client.Read().status == 200);
  CHECK(client.Read().status == 200);
  // Half a request within the linger, the rest after it: the worker reads the head, hands the
  // connection back, and the loop completes the request.
  size_t half = request.size() / 2;
  REQUIRE(client.Write(request.substr(0, half)));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  REQUIRE(client.Write(request.substr(half)));
  CHECK(client.Read().status == 200);
  // A request begun and never finished is cut at the request deadline (1 s), not kept.
  REQUIRE(client.Write(request.substr(0, half)));
  CHECK(client.ClosedByServer(4000));
  // With --linger-ms 0 the same exchanges work through the loop alone.
  WebhookProcess plain("", {"--linger-ms", "0"});
  RawTlsClient other(plain.port(), plain.ca_file());
  REQUIRE(other.ok());
  REQUIRE(other.Write(request + request));
  CHECK(other.Read().status == 200);
  CHECK(other.Read().status == 200);
}

TEST_CASE("regression: slow clients are cut at their request deadline while others are served", "[integration][attack]") {
  // 80 connections sending one header byte every 2 s stopped /healthz and /validate.
  WebhookProcess webhook("", {"--request-timeout-ms", "1500"});
  std::vector<std::unique_ptr<RawTlsClient>> slow;
  for (int i = 0; i < 80; ++i) {
    slow.push_back(std::make_unique<RawTlsClient>(webhook.port(), webhook.ca_file()));
    REQUIRE(slow.back()->ok());
    REQUIRE(slow.back()->Write("P"));
  }
  // Meanwhile, the others are served.
  for (int i = 0; i < 10; ++i) {
    CHECK(webhook.Get("/healthz").status == 200);
    CHECK(webhook.Post("/validate?timeout=10s", SmallReview()).status == 200);
  }
  // The slow ones trickle on, one byte each 300 ms; the server cuts them (bounded wait).
  std::string rest = "OST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
  size_t cut = 0;
  for (size_t b = 0; b < rest.size() && cut < slow.size(); ++b) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cut = 0;
    for (auto& c : slow) cut += c->Write(std::string(1, rest[b])) ? 0 : 1;
  }
  for (auto& c : slow) CHECK(c->ClosedByServer(3000));
  CHECK(webhook.Get("/healthz").status == 200);
}

TEST_CASE("regression: connections that never start TLS, and idle ones, hold no thread", "[integration][attack]") {
  // 100 TCP connects without a ClientHello stopped the server for ~10 s; 1,000 idle TLS
  // connections for ~70 s.
  WebhookProcess webhook("", {"--handshake-timeout-ms", "1000", "--max-connections", "400"});
  std::vector<int> silent;
  for (int i = 0; i < 100; ++i) silent.push_back(ConnectTcp(webhook.port()));
  std::vector<std::unique_ptr<RawTlsClient>> idle;
  for (int i = 0; i < 200; ++i) idle.push_back(std::make_unique<RawTlsClient>(webhook.port(), webhook.ca_file()));
  size_t idle_ok = 0;
  for (auto& c : idle) idle_ok += c->ok() ? 1 : 0;
  CHECK(idle_ok == 200);
  CHECK(webhook.Get("/healthz").status == 200);
  CHECK(webhook.Post("/validate", SmallReview()).status == 200);
  // The silent ones are closed once their handshake deadline passes.
  for (int fd : silent) {
    CHECK(TcpClosedByServer(fd, 5000));
    ::close(fd);
  }
  // Beyond --max-connections, new connections are closed at once.
  std::vector<std::unique_ptr<RawTlsClient>> more;
  for (int i = 0; i < 250; ++i) more.push_back(std::make_unique<RawTlsClient>(webhook.port(), webhook.ca_file()));
  size_t refused = 0;
  for (auto& c : more) refused += c->ok() ? 0 : 1;
  CHECK(refused >= 50);
  idle.clear();
  more.clear();
  CHECK(webhook.Get("/healthz").status == 200);
}

TEST_CASE("regression: every body over 3 MiB gets 413, whatever its framing, and a gzip body 415", "[integration][attack]") {
  // Only a declared Content-Length was limited: chunked reached 516 MB, no length 279 MB, gzip
  // inflated to 1 GiB.
  WebhookProcess webhook;
  {
    RawTlsClient c(webhook.port(), webhook.ca_file());
    REQUIRE(c.Write("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4194304\r\n\r\n"));
    TlsAnswer a = c.Read();
    CHECK(a.status == 413);  // before a byte of the body
  }
  {
    RawTlsClient c(webhook.port(), webhook.ca_file());
    REQUIRE(c.Write("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
    std::string chunk = "100000\r\n" + std::string(0x100000, 'x') + "\r\n";  // 1 MiB a chunk
    bool refused = false;
    for (int i = 0; i < 8 && !refused; ++i) refused = !c.Write(chunk);
    TlsAnswer a = c.Read();
    CHECK(a.status == 413);
  }
  {
    RawTlsClient c(webhook.port(), webhook.ca_file());
    REQUIRE(c.Write("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\r\n{}"));
    CHECK(c.Read().status == 411);
  }
  {
    RawTlsClient c(webhook.port(), webhook.ca_file());
    REQUIRE(c.Write("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
                    "Content-Length: 20\r\n\r\n"));
    CHECK(c.Read().status == 415);
  }
  CHECK(webhook.Get("/healthz").status == 200);
}

TEST_CASE("regression: a drain ends within its bound, whatever the clients do", "[integration][attack]") {
  // A SIGTERM drain waited 56 s on slow clients.
  WebhookProcess webhook("", {"--drain-timeout-ms", "1000", "--request-timeout-ms", "60000"});
  RawTlsClient slow(webhook.port(), webhook.ca_file());
  REQUIRE(slow.Write("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"));
  RawTlsClient idle(webhook.port(), webhook.ca_file());
  REQUIRE(idle.ok());
  webhook.process().Signal(SIGTERM);
  auto code = webhook.process().Wait(std::chrono::seconds(15));
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  CHECK(slow.ClosedByServer(2000));
  CHECK_THAT(webhook.process().Stderr(), Catch::Contains("drained; exiting"));
}

TEST_CASE("with --client-ca, only a client with a certificate from that CA gets /validate", "[integration][attack]") {
  TempDir dir;
  MakeClientCerts(dir);
  WebhookProcess webhook("", {"--client-ca", dir.File("client-ca.crt")});
  RawTlsClient anonymous(webhook.port(), webhook.ca_file());
  REQUIRE(anonymous.ok());
  REQUIRE(anonymous.Write(ValidateRequest(SmallReview())));
  CHECK(anonymous.Read().status == 403);
  CHECK(webhook.Get("/healthz").status == 200);  // probes stay open
  RawTlsClient apiserver(webhook.port(), webhook.ca_file(), dir.File("client.crt"), dir.File("client.key"));
  REQUIRE(apiserver.ok());
  REQUIRE(apiserver.Write(ValidateRequest(SmallReview())));
  CHECK(apiserver.Read().status == 200);
}

TEST_CASE("regression: absurd timeouts, fields of the wrong type and huge answers stay bounded", "[integration][attack]") {
  WebhookProcess webhook;
  // ?timeout= overflowed a signed integer (UBSan).
  CHECK(webhook.Post("/validate?timeout=99999999999999999999h", SmallReview()).status == 200);
  // A serviceAccountName of the wrong type was HTTP 500.
  json deployment = json::parse(TestData("admissionreview/deployment-create.json"));
  deployment["request"]["object"]["spec"]["template"]["spec"]["serviceAccountName"] = 42;
  HttpAnswer wrong = webhook.Post("/validate", deployment.dump());
  CHECK(wrong.status == 400);
  CHECK_THAT(wrong.body, Catch::Contains("spec.template.spec.serviceAccountName must be a string"));
  // 5,000 invalid images made a megabytes-long denial; it lists 50 and says how many more.
  json review = json::parse(SmallReview());
  json containers = json::array();
  for (int i = 0; i < 5000; ++i) containers.push_back({{"name", "c" + std::to_string(i)}, {"image", "Bad Image " + std::to_string(i)}});
  review["request"]["object"]["spec"]["containers"] = containers;
  HttpAnswer many = webhook.Post("/validate", review.dump());
  REQUIRE(many.status == 200);
  std::string message = many.Json()["response"]["status"]["message"];
  CHECK(message.size() < 20000);
  CHECK_THAT(message, Catch::EndsWith("... and 4950 more (5000 in all)"));
}

}  // namespace
}  // namespace pullguard::testing
