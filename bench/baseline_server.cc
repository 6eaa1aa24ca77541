// The do-nothing baseline for the throughput benchmark: a cpp-httplib TLS server set up like
// pullguard's (TLS >= 1.2, keep-alive, TCP_NODELAY, the same worker count) that answers
// POST /validate with a fixed allowed AdmissionReview and does nothing else.
//   baseline_server CERT KEY PORT_FILE
#include <httplib.h>

#include <csignal>
#include <fstream>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: baseline_server CERT KEY PORT_FILE\n";
    return 2;
  }
  httplib::SSLServer server(argv[1], argv[2]);
  SSL_CTX_set_min_proto_version(server.ssl_context(), TLS1_2_VERSION);
  server.new_task_queue = [] { return new httplib::ThreadPool(64); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(100000);
  server.set_keep_alive_timeout(5);
  const std::string answer =
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"x","allowed":true}})";
  server.Post("/validate", [&](const httplib::Request&, httplib::Response& res) { res.set_content(answer, "application/json"); });
  std::signal(SIGPIPE, SIG_IGN);
  int port = server.bind_to_any_port("127.0.0.1");
  std::ofstream(argv[3]) << port << "\n";
  server.listen_after_bind();
  return 0;
}
