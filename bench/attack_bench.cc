// Attack and overload on 127.0.0.1, each beside the warm load (wrk, 16 connections) and
// reported side by side with the same load without it (the calm run). Phases, one after another
// against one `pullguard serve`:
//   mixed       from 127.0.0.2: 100 slowloris clients, 1,000 idle TLS connections, chunked and
//               gzip bombs (one address, as one attacker: its cap, not the healthy load's);
//               from 127.0.0.1: 5,000-image reviews on a hanging registry, 2.9 MB reviews from 16 senders
//               (ATTACKS names slow, idle, bombs, big, large; probes: only the probes)
//   pinning     70 senders of ~288 KB reviews whose images are on a hanging registry
//   oneaddress  one client address (127.0.0.2) holding 4,200 TCP connections that never send a
//               byte; those closed are opened again each second
//   partial     64, then 128 connections that declare a 3 MiB body and send all but one byte
//   nonreader   80 clients that pipeline 600 requests each and never read an answer
//   emfile      pullguard's descriptor limit lowered (prlimit) to what it holds + 16, then
//               400 silent connections from 127.0.0.2: its CPU over 4 s out of descriptors
// In every phase, from 127.0.0.1: a one-image missing-tag review with ?timeout=5s every 200 ms
// (must be TagNotFound, never CheckTimedOut) and a fresh-connection GET /healthz every 500 ms
// (must all be answered 200; also counted: within the kubelet's default 1 s probe timeout).
// Per phase: healthy reviews' p99 against the calm p99, the slowest answer of any review against
// its ?timeout=, the probes, and the peak RSS (VmHWM, reset at each phase's start) against the
// calm peak and the Deployment's memory limit (manifests/base/deployment.yaml). A table at the
// end, one row each.
//   pullguard_attack_bench [--seconds N]   (N: each wrk run; 15 by default)
// Environment: ATTACKS=slow,idle,bombs,big,large,probes,pinning,oneaddress,partial,nonreader,emfile
// (some of them; all by default), ATTACKERS_NICE=19 [ATTACKERS_IDLE=1] (the attacking threads
// yield the shared cores), SERVE_ARGS="--linger-ms 0" (flags for pullguard serve).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/registry_env.h"
#include "support/fault_server.h"
#include "support/image_fixtures.h"
#include "support/process.h"
#include "support/registry_server.h"
#include "support/tls_probe.h"

using namespace pullguard::testing;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

// The mixed phase's connection attackers come from here: on 127.0.0.1 with the healthy load,
// the per-address cap (rightly) refused wrk's connections too, and measured the cap, not the
// attacks.
constexpr const char* kAttacker = "127.0.0.2";

constexpr int kPhaseMaxMs = 600000;  // no attacker holds on longer than this, stopped or not

__attribute__((format(printf, 1, 2))) std::string Fmt(const char* format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return buf;
}

long long MsSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

void AtomicMax(std::atomic<long long>& a, long long v) {
  long long seen = a.load();
  while (seen < v && !a.compare_exchange_weak(seen, v)) {
  }
}

// Sleeps `ms`, in steps of 50 ms, less once `stop` is set.
void Nap(const std::atomic<bool>& stop, int ms) {
  for (int slept = 0; slept < ms && !stop; slept += 50) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

// "850.00us", "5.21ms", "1.02s", "1.50m" (wrk's units) in milliseconds; -1 when not one.
double LatencyMs(const std::string& value) {
  std::smatch m;
  if (!std::regex_match(value, m, std::regex("([0-9.]+)(us|ms|s|m|h)"))) return -1;
  double n = std::stod(m[1]);
  const std::string unit = m[2];
  return unit == "us" ? n / 1000 : unit == "ms" ? n : unit == "s" ? n * 1000 : unit == "m" ? n * 60000 : n * 3600000;
}

struct Wrk {
  double rps = 0;
  std::string p50, p99, max;
  long errors = 0;  // socket errors and non-2xx answers
};

Wrk RunWrk(int port, const std::string& body_file, int seconds) {
  // --timeout past post.lua's ?timeout=10s: a late answer is measured, not dropped as wrk's.
  RunResult r = Run({"env", "BODY_FILE=" + body_file, "wrk", "-t2", "-c16", "-d" + std::to_string(seconds) + "s", "--latency",
                     "--timeout", "15s", "-s", std::string(PULLGUARD_SOURCE_DIR) + "/bench/post.lua",
                     "https://127.0.0.1:" + std::to_string(port)},
                    "", std::chrono::seconds(seconds + 30));
  Wrk w;
  std::smatch m;
  if (std::regex_search(r.out, m, std::regex("Requests/sec:\\s+([0-9.]+)"))) w.rps = std::stod(m[1]);
  if (std::regex_search(r.out, m, std::regex("\\n\\s+50%\\s+(\\S+)"))) w.p50 = m[1];
  if (std::regex_search(r.out, m, std::regex("\\n\\s+99%\\s+(\\S+)"))) w.p99 = m[1];
  if (std::regex_search(r.out, m, std::regex("Latency\\s+\\S+\\s+\\S+\\s+(\\S+)"))) w.max = m[1];
  if (std::regex_search(r.out, m, std::regex("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)"))) {
    for (int i = 1; i <= 4; ++i) w.errors += std::stol(m[i]);
  }
  if (std::regex_search(r.out, m, std::regex("Non-2xx or 3xx responses: (\\d+)"))) w.errors += std::stol(m[1]);
  if (w.rps == 0 || r.out.find("errors") != std::string::npos) std::cerr << "wrk said:\n" << r.out << r.err << "\n";
  return w;
}

long PeakRssKb(int pid) {
  std::string status = ReadAll("/proc/" + std::to_string(pid) + "/status");
  std::smatch m;
  return std::regex_search(status, m, std::regex("VmHWM:\\s+(\\d+)")) ? std::stol(m[1]) : 0;
}

// Resets the peak RSS (VmHWM) to the current RSS (Linux: "5" to clear_refs); false if refused.
bool ResetPeakRss(int pid) {
  std::ofstream f("/proc/" + std::to_string(pid) + "/clear_refs");
  f << "5";
  f.flush();
  return static_cast<bool>(f);
}

// CPU time (user + system, all threads) the process has used so far.
long CpuMs(int pid) {
  std::string stat = ReadAll("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 2 > stat.size()) return -1;
  std::istringstream fields(stat.substr(close + 2));  // from field 3 (state)
  std::string field;
  long ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stol(field);  // utime, stime
  }
  return ticks * 1000 / ::sysconf(_SC_CLK_TCK);
}

long OpenFds(int pid) {
  std::error_code ec;
  long n = 0;
  std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end;
  for (; !ec && it != end && n < 1000000; it.increment(ec)) ++n;
  return n;
}

double MetricValue(const std::string& text, const std::string& series) {
  size_t at = text.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::atof(text.c_str() + at + series.size() + 2);
}

// The memory limit of the Deployment's container (manifests/base/deployment.yaml), in KiB;
// 0 when not found.
long MemoryLimitKb() {
  std::string yaml = ReadAll(std::string(PULLGUARD_SOURCE_DIR) + "/manifests/base/deployment.yaml");
  size_t at = yaml.find("limits:");
  if (at == std::string::npos) return 0;
  std::string tail = yaml.substr(at, 160);
  std::smatch m;
  if (!std::regex_search(tail, m, std::regex("memory:\\s*\"?([0-9]+)(Ki|Mi|Gi|k|M|G)?"))) return 0;
  double n = std::stod(m[1]);
  const std::string unit = m[2];
  double kib = unit == "Ki" ? n : unit == "Mi" ? n * 1024 : unit == "Gi" ? n * 1024 * 1024 : unit == "k" ? n * 1000 / 1024
             : unit == "M" ? n * 1e6 / 1024 : unit == "G" ? n * 1e9 / 1024 : n / 1024;
  return static_cast<long>(kib);
}

// ATTACKS picks phases and attacks by name (all when unset).
bool Selected(const char* name) {
  const char* only = std::getenv("ATTACKS");
  return only == nullptr || std::string(only).find(name) != std::string::npos;
}

int AttackerNice() { return std::getenv("ATTACKERS_NICE") ? std::atoi(std::getenv("ATTACKERS_NICE")) : 0; }

// ATTACKERS_NICE=19: the attacking threads (this process's clients, not pullguard) run at that
// nice level, so that their own CPU (encrypting megabytes, handshaking) takes less from wrk and
// pullguard on these shared cores, as attackers on other machines would. What pullguard spends
// on them is still spent.
void AsAttacker() {
  const int level = AttackerNice();
  if (level == 0) return;
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), level);
  if (std::getenv("ATTACKERS_IDLE")) {
    sched_param none{};
    sched_setscheduler(0, SCHED_IDLE, &none);  // this thread only (Linux)
  }
}

// A TCP connection from `source` (a loopback address: 127.0.0.0/8 is all loopback on Linux) to
// 127.0.0.1:port that never sends a byte; -1 when not connected within `wait_ms`.
int ConnectSilent(const char* source, int port, int wait_ms) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
#ifdef IP_BIND_ADDRESS_NO_PORT
  int one = 1;  // the port is chosen at connect, per destination: more connections fit
  ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
#endif
  sockaddr_in from{}, to{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source, &from.sin_addr);
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
            (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0 || errno == EINPROGRESS);
  if (ok) {
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    ok = ::poll(&p, 1, wait_ms) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
  }
  if (!ok) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// True when the server has closed `fd` (end of stream or an error), without waiting.
bool PeerClosed(int fd) {
  char c;
  ssize_t n = ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

// Holds up to `count` silent connections from `source`; each second, those the server closed
// are closed here and opened again (at most 100,000 in all). `held`: the most still open after
// a second.
void HoldSilent(const char* source, int port, size_t count, const std::atomic<bool>& stop, std::atomic<long>& opened,
                std::atomic<long>& held) {
  constexpr long kMaxOpens = 100000;
  std::vector<int> fds;
  for (int round = 0; round < kPhaseMaxMs / 1000 && !stop; ++round) {
    auto closed = [](int fd) {
      if (!PeerClosed(fd)) return false;
      ::close(fd);
      return true;
    };
    fds.erase(std::remove_if(fds.begin(), fds.end(), closed), fds.end());
    if (round > 0) held = std::max(held.load(), static_cast<long>(fds.size()));
    while (fds.size() < count && opened < kMaxOpens && !stop) {
      int fd = ConnectSilent(source, port, 200);
      if (fd < 0) break;  // out of descriptors here, or the server's accept queue is full
      fds.push_back(fd);
      ++opened;
    }
    Nap(stop, 1000);
  }
  for (int fd : fds) ::close(fd);
}

// What pullguard is, and what the phases send it.
struct Target {
  const WebhookProcess& webhook;
  int pid;
  std::string warm_file;      // the warm review wrk sends
  std::string registry_host;  // a healthy registry: its missing tags are TagNotFound
  std::string hang_host;      // the fault server: /hang/ never answers
  int seconds;                // each wrk run
};

// What one phase measured, for its lines and the table.
struct Row {
  std::string name;
  Wrk wrk;
  long long slowest_ms = -1, slowest_timeout_ms = 0;  // the answer latest against its ?timeout=
  int late = 0;                                       // answers past their ?timeout=
  int tags_sent = -1, tags_timed_out = 0, tags_not_found = 0, tags_refused = 0;
  int health_made = -1, health_ok = 0, health_within_1s = 0;  // ok: 200 within the client's 5 s
  long long health_slowest_ms = 0;
  long peak_kb = 0;
  std::string note;
};

// Reviews' answer times against their ?timeout=: the worst ratio, and how many were late.
class Lateness {
 public:
  void Add(long long ms, long long timeout_ms) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (ms > timeout_ms) ++late_;
    if (worst_timeout_ms_ == 0 || ms * worst_timeout_ms_ > worst_ms_ * timeout_ms) {
      worst_ms_ = ms;
      worst_timeout_ms_ = timeout_ms;
    }
  }
  void Fill(Row& row) const {
    std::lock_guard<std::mutex> lock(mutex_);
    row.slowest_ms = worst_ms_;
    row.slowest_timeout_ms = worst_timeout_ms_;
    row.late = late_;
  }

 private:
  mutable std::mutex mutex_;
  long long worst_ms_ = -1, worst_timeout_ms_ = 0;
  int late_ = 0;
};

// One phase: the probes run from its start, attackers join with Attack(); Stop() (or the end of
// scope) ends them all. Whatever an attacker uses must be declared before the Phase.
class Phase {
 public:
  explicit Phase(const Target& t) : target(t) {
    peak_reset = ResetPeakRss(t.pid);
    threads_.emplace_back([this] { ProbeHealth(); });
    threads_.emplace_back([this] { ProbeMissingTag(); });
  }
  ~Phase() { Stop(); }
  Phase(const Phase&) = delete;
  Phase& operator=(const Phase&) = delete;

  void Attack(std::function<void()> body) {
    threads_.emplace_back([body = std::move(body)] {
      AsAttacker();
      body();
    });
  }
  void Stop() {
    stop = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    threads_.clear();
  }
  Row Result(const std::string& name, const Wrk& wrk, const std::string& note);

  const Target& target;
  std::atomic<bool> stop{false};
  Lateness lateness;
  bool peak_reset = false;

 private:
  void ProbeHealth();
  void ProbeMissingTag();

  std::atomic<int> health_made_{0}, health_ok_{0}, health_within_1s_{0};
  std::atomic<long long> health_slowest_ms_{0};
  std::atomic<int> tags_sent_{0}, tags_timed_out_{0}, tags_not_found_{0}, tags_refused_{0};
  std::vector<std::thread> threads_;
};

// A fresh connection's GET /healthz every 500 ms, waiting at most 5 s for its answer; also counted:
// those within 1 s (the kubelet's default probe timeout).
void Phase::ProbeHealth() {
  for (int i = 0; i < kPhaseMaxMs / 500 && !stop; ++i) {
    auto start = Clock::now();
    auto client = target.webhook.Client();
    client->set_connection_timeout(5, 0);
    client->set_read_timeout(5, 0);
    auto res = client->Get("/healthz");
    long long ms = MsSince(start);
    ++health_made_;
    if (res && res->status == 200) ++health_ok_;
    if (res && res->status == 200 && ms <= 1000) ++health_within_1s_;
    AtomicMax(health_slowest_ms_, ms);
    Nap(stop, 500);
  }
}

// A one-image review of a missing tag on the healthy registry, ?timeout=5s, every 200 ms.
void Phase::ProbeMissingTag() {
  for (int n = 0; n < kPhaseMaxMs / 200 && !stop; ++n) {
    std::string body = PodReview("probe", {target.registry_host + "/team/app:missing" + std::to_string(n % 5)}).dump();
    auto start = Clock::now();
    HttpAnswer a = target.webhook.Post("/validate?timeout=5s", body);
    lateness.Add(MsSince(start), 5000);
    ++tags_sent_;
    if (a.status != 200) {
      ++tags_refused_;
    } else if (a.body.find("CheckTimedOut") != std::string::npos) {
      ++tags_timed_out_;
    } else if (a.body.find("TagNotFound") != std::string::npos) {
      ++tags_not_found_;
    }
    Nap(stop, 200);
  }
}

Row Phase::Result(const std::string& name, const Wrk& wrk, const std::string& note) {
  Stop();
  double max_ms = LatencyMs(wrk.max);
  if (max_ms >= 0) lateness.Add(static_cast<long long>(max_ms), 10000);  // post.lua's ?timeout=10s
  Row row;
  row.name = name;
  row.wrk = wrk;
  row.note = note;
  lateness.Fill(row);
  row.tags_sent = tags_sent_;
  row.tags_timed_out = tags_timed_out_;
  row.tags_not_found = tags_not_found_;
  row.tags_refused = tags_refused_;
  row.health_made = health_made_;
  row.health_ok = health_ok_;
  row.health_within_1s = health_within_1s_;
  row.health_slowest_ms = health_slowest_ms_;
  row.peak_kb = PeakRssKb(target.pid);
  if (!peak_reset) row.note += " (VmHWM could not be reset: the peak since pullguard started)";
  return row;
}

// The warm load, once the attack has built up for 3 s.
Wrk LoadBeside(Phase& phase) {
  Nap(phase.stop, 3000);
  return RunWrk(phase.target.webhook.port(), phase.target.warm_file, phase.target.seconds);
}

// How reviews sent by attackers were answered.
struct Sent {
  std::atomic<int> ok{0}, refused{0}, failed{0};
  std::string Describe(const char* what) const {
    return Fmt("%d %s: %d answered 200, %d refused (non-200), %d without an answer",
               ok.load() + refused.load() + failed.load(), what, ok.load(), refused.load(), failed.load());
  }
};

// Posts `body` with ?timeout=10s, one after another, until the phase stops; each answer's
// time counts against its timeout.
void SendUntilStopped(Phase& phase, const std::string& body, Sent& sent) {
  for (int n = 0; n < 100000 && !phase.stop; ++n) {
    auto start = Clock::now();
    HttpAnswer a = phase.target.webhook.Post("/validate?timeout=10s", body);
    phase.lateness.Add(MsSince(start), 10000);
    if (a.status == 200) {
      ++sent.ok;
    } else if (a.status == 0) {
      ++sent.failed;
    } else {
      ++sent.refused;
    }
  }
}

// 100 slowloris clients: a header byte every 2 s; cut, they come back.
void Slowloris(const Target& t, const std::atomic<bool>& stop) {
  std::vector<std::unique_ptr<RawTlsClient>> slow;
  for (int round = 0; round < kPhaseMaxMs / 2000 && !stop; ++round) {
    slow.erase(std::remove_if(slow.begin(), slow.end(), [](auto& c) { return !c->Write("X"); }), slow.end());
    while (slow.size() < 100 && !stop) {
      slow.push_back(std::make_unique<RawTlsClient>(t.webhook.port(), t.webhook.ca_file(), "", "", kAttacker));
    }
    Nap(stop, 2000);
  }
}

// 1,000 idle TLS connections, held.
void HoldIdle(const Target& t, const std::atomic<bool>& stop, std::atomic<size_t>& held) {
  std::vector<std::unique_ptr<RawTlsClient>> idle;
  for (int i = 0; i < 1000 && !stop; ++i) {
    idle.push_back(std::make_unique<RawTlsClient>(t.webhook.port(), t.webhook.ca_file(), "", "", kAttacker));
    held = idle.size();
  }
  Nap(stop, kPhaseMaxMs);
}

// Chunked and gzip bombs, over and over.
void Bombs(const Target& t, const std::atomic<bool>& stop, std::atomic<int>& count) {
  const std::string chunk = "100000\r\n" + std::string(0x100000, 'x') + "\r\n";
  for (int n = 0; n < 100000 && !stop; ++n) {
    RawTlsClient c(t.webhook.port(), t.webhook.ca_file(), "", "", kAttacker);
    c.Write("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 8 && c.Write(chunk); ++i) {
    }
    RawTlsClient g(t.webhook.port(), t.webhook.ca_file(), "", "", kAttacker);
    g.Write("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 1048576\r\n\r\n");
    count += 2;
  }
}

// 5,000 images on the hanging registry (~300 KB).
std::string BigReview(const std::string& hang_host) {
  std::vector<std::string> hanging;
  for (int i = 0; i < 5000; ++i) hanging.push_back(hang_host + "/hang/app" + std::to_string(i) + ":1");
  return PodReview("big", hanging).dump();
}

// 2.9 MB: 50,000 containers.
std::string LargeReview() {
  json review = PodReview("large", {"nginx:1.25"});
  json containers = json::array();
  for (int i = 0; i < 50000; ++i) containers.push_back({{"name", "c" + std::to_string(i)}, {"image", "nginx:1.25"}});
  review["request"]["object"]["spec"]["containers"] = containers;
  return review.dump();
}

// ~288 KB (past the 256 KiB of a "large review"), every image on the hanging registry.
std::string PinningReview(const std::string& hang_host) {
  std::vector<std::string> images;
  // Each container is {"image":"...","name":"cN"}, about 28 bytes and the image.
  for (size_t size = 0; size < 288 * 1000 && images.size() < 10000; size += images.back().size() + 28) {
    images.push_back(hang_host + "/hang/pin" + std::to_string(images.size()) + ":1");
  }
  return PodReview("pinning", images).dump();
}

Row RunMixed(const Target& t) {
  const std::string big = BigReview(t.hang_host), large = LargeReview();
  std::atomic<size_t> idle_held{0};
  std::atomic<int> bombs{0};
  Sent big_sent, large_sent;
  Phase phase(t);
  if (Selected("slow")) phase.Attack([&] { Slowloris(t, phase.stop); });
  if (Selected("idle")) phase.Attack([&] { HoldIdle(t, phase.stop, idle_held); });
  if (Selected("bombs")) phase.Attack([&] { Bombs(t, phase.stop, bombs); });
  if (Selected("big")) phase.Attack([&] { SendUntilStopped(phase, big, big_sent); });
  for (int i = 0; i < 16 && Selected("large"); ++i) phase.Attack([&] { SendUntilStopped(phase, large, large_sent); });
  Wrk w = LoadBeside(phase);
  phase.Stop();
  std::string note = Fmt("%s%zu idle TLS connections, %d chunked/gzip bombs; ", Selected("slow") ? "100 slowloris clients, " : "",
                         idle_held.load(), bombs.load()) +
                     big_sent.Describe("reviews of 5,000 images on a hanging registry") + "; " +
                     large_sent.Describe("reviews of 2.9 MB from 16 senders");
  return phase.Result("mixed", w, note);
}

Row RunPinning(const Target& t) {
  const std::string body = PinningReview(t.hang_host);
  Sent sent;
  Phase phase(t);
  for (int i = 0; i < 70; ++i) phase.Attack([&] { SendUntilStopped(phase, body, sent); });
  Wrk w = LoadBeside(phase);
  phase.Stop();
  const std::string what = Fmt("reviews of %zu KB (70 senders, hanging images)", body.size() / 1000);
  return phase.Result("pinning", w, sent.Describe(what.c_str()));
}

Row RunOneAddress(const Target& t) {
  std::atomic<long> opened{0}, held{0};
  Phase phase(t);
  phase.Attack([&] { HoldSilent("127.0.0.2", t.webhook.port(), 4200, phase.stop, opened, held); });
  Wrk w = LoadBeside(phase);
  phase.Stop();
  return phase.Result("oneaddress", w,
                      Fmt("127.0.0.2 opened %ld silent connections (4,200 at once, the closed ones again each second); "
                          "at most %ld still open after a second",
                          opened.load(), held.load()));
}

// `count` connections that declare 3 MiB and send all but the last byte, each held for the
// request deadline (10 s) and then opened again.
Row RunPartial(const Target& t, int count, long calm_peak_kb) {
  const size_t declared = 3 * 1024 * 1024;
  const std::string request = "POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(declared) + "\r\n\r\n" + std::string(declared - 1, 'x');
  std::atomic<int> whole{0}, cut{0};
  Phase phase(t);
  for (int i = 0; i < count; ++i) {
    phase.Attack([&] {
      for (int n = 0; n < kPhaseMaxMs / 11000 && !phase.stop; ++n) {
        RawTlsClient c(t.webhook.port(), t.webhook.ca_file());
        if (c.ok() && c.Write(request)) {
          ++whole;
        } else {
          ++cut;
        }
        Nap(phase.stop, 11000);
      }
    });
  }
  Wrk w = LoadBeside(phase);
  phase.Stop();
  long peak = PeakRssKb(t.pid);
  return phase.Result(Fmt("partial-%d", count), w,
                      Fmt("%d bodies sent but their last byte, %d cut by the server; peak %ld MB = %.2f x calm (%ld MB)",
                          whole.load(), cut.load(), peak / 1024, calm_peak_kb > 0 ? double(peak) / calm_peak_kb : 0.0,
                          calm_peak_kb / 1024));
}

// 80 clients, each pipelining 600 GET /metrics and reading nothing, opened again every 12 s.
Row RunNonReader(const Target& t) {
  std::string pipelined;
  for (int i = 0; i < 600; ++i) pipelined += "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  std::atomic<int> clients{0};
  Phase phase(t);
  phase.Attack([&] {
    for (int round = 0; round < kPhaseMaxMs / 12000 && !phase.stop; ++round) {
      std::vector<std::unique_ptr<RawTlsClient>> readers;  // that never read
      for (int i = 0; i < 80 && !phase.stop; ++i) {
        readers.push_back(std::make_unique<RawTlsClient>(t.webhook.port(), t.webhook.ca_file()));
        if (readers.back()->Write(pipelined)) ++clients;
      }
      Nap(phase.stop, 12000);
    }
  });
  Wrk w = LoadBeside(phase);
  phase.Stop();
  return phase.Result("nonreader", w, Fmt("%d clients pipelined 600 requests each and read nothing", clients.load()));
}

// pullguard's CPU time over `ms`.
long CpuOver(int pid, const std::atomic<bool>& stop, int ms) {
  long before = CpuMs(pid);
  Nap(stop, ms);
  return CpuMs(pid) - before;
}

// Out of descriptors: wrk connects first; then pullguard's soft limit is lowered to what it
// holds + 16 and 127.0.0.2 holds 400 silent connections. After wrk, its CPU over 4 s, still out
// of descriptors, against 4 s before the attack (probes only).
Row RunEmfile(const Target& t) {
  std::atomic<long> opened{0}, held{0};
  Phase phase(t);
  long idle_cpu = CpuOver(t.pid, phase.stop, 4000);
  auto load = std::async(std::launch::async, [&t] { return RunWrk(t.webhook.port(), t.warm_file, t.seconds); });
  Nap(phase.stop, 1000);  // wrk's 16 connections are open
  rlimit old{};
  const bool known = ::prlimit(t.pid, RLIMIT_NOFILE, nullptr, &old) == 0;
  rlimit low{static_cast<rlim_t>(OpenFds(t.pid) + 16), old.rlim_max};
  const bool lowered = known && ::prlimit(t.pid, RLIMIT_NOFILE, &low, nullptr) == 0;
  phase.Attack([&] { HoldSilent("127.0.0.2", t.webhook.port(), 400, phase.stop, opened, held); });
  Wrk w = load.get();
  long fds = OpenFds(t.pid);
  long spin_cpu = CpuOver(t.pid, phase.stop, 4000);
  phase.Stop();
  if (lowered) ::prlimit(t.pid, RLIMIT_NOFILE, &old, nullptr);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  double pauses = MetricValue(t.webhook.Get("/metrics").body, "pullguard_accept_pauses_total{reason=\"out_of_descriptors\"}");
  return phase.Result("emfile", w,
                      Fmt("%sdescriptor limit %ld, %ld open; CPU over 4 s out of descriptors %ld ms (4 s before: %ld ms); "
                          "accept pauses counted: %.0f; 127.0.0.2 opened %ld connections",
                          lowered ? "" : "THE LIMIT COULD NOT BE LOWERED: ", static_cast<long>(low.rlim_cur), fds, spin_cpu,
                          idle_cpu, pauses, opened.load()));
}

Row CalmRow(const Wrk& calm, int pid) {
  Row row;
  row.name = "calm";
  row.wrk = calm;
  double max_ms = LatencyMs(calm.max);
  row.slowest_ms = max_ms >= 0 ? static_cast<long long>(max_ms) : -1;
  row.slowest_timeout_ms = 10000;
  row.peak_kb = PeakRssKb(pid);
  row.note = "the warm load alone; peak since pullguard started";
  return row;
}

void PrintRow(const Row& r, const Wrk& calm) {
  std::cout << r.name << ": " << r.wrk.rps << " req/s, p50 " << r.wrk.p50 << ", p99 " << r.wrk.p99 << " (calm p99 " << calm.p99
            << "), max " << r.wrk.max << ", wrk errors " << r.wrk.errors << "\n";
  if (r.tags_sent >= 0) {
    std::cout << "  missing-tag reviews (?timeout=5s): " << r.tags_sent << ", TagNotFound " << r.tags_not_found
              << ", CheckTimedOut " << r.tags_timed_out << ", refused or unanswered " << r.tags_refused << "\n";
  }
  std::cout << "  slowest answer against its ?timeout=: " << r.slowest_ms << " ms of " << r.slowest_timeout_ms
            << " ms; answers past their timeout: " << r.late << "\n";
  if (r.health_made >= 0) {
    std::cout << "  fresh /healthz probes: " << r.health_ok << " of " << r.health_made << " answered (" << r.health_within_1s
              << " within 1 s), slowest " << r.health_slowest_ms << " ms\n";
  }
  std::cout << "  peak memory of pullguard: " << r.peak_kb / 1024 << " MB\n";
  if (!r.note.empty()) std::cout << "  " << r.note << "\n";
  std::cout << std::flush;
}

// What a row breaks of issue 19's bars: late, CheckTimedOut, healthz, memory; "ok" when none.
std::string Verdict(const Row& r, long limit_kb) {
  std::string broken;
  if (r.slowest_ms > r.slowest_timeout_ms || r.late > 0) broken += "late,";
  if (r.tags_timed_out > 0) broken += "timedout,";
  if (r.health_made >= 0 && r.health_ok < r.health_made) broken += "healthz,";
  if (limit_kb > 0 && r.peak_kb >= limit_kb) broken += "memory,";
  if (broken.empty()) return "ok";
  broken.pop_back();
  return broken;
}

void PrintTable(const std::vector<Row>& rows, long limit_kb) {
  const Row& calm = rows.front();
  const double calm_p99 = LatencyMs(calm.wrk.p99);
  std::printf("\n%-12s %8s %9s %7s %15s %5s %13s %13s %7s %6s %6s  %s\n", "attack", "req/s", "p99", "x calm",
              "slowest/timeout", "late", "CheckTimedOut", "healthz (1s)", "peak MB", "x calm", "limit", "verdict");
  for (const Row& r : rows) {
    double p99 = LatencyMs(r.wrk.p99);
    std::string ratio = p99 >= 0 && calm_p99 > 0 ? Fmt("%.2f", p99 / calm_p99) : "?";
    std::string slowest = Fmt("%lld/%lldms", r.slowest_ms, r.slowest_timeout_ms);
    std::string timed_out = r.tags_sent >= 0 ? Fmt("%d of %d", r.tags_timed_out, r.tags_sent) : "-";
    std::string health = r.health_made >= 0 ? Fmt("%d/%d (%d)", r.health_ok, r.health_made, r.health_within_1s) : "-";
    std::string of_calm = calm.peak_kb > 0 ? Fmt("%.2f", double(r.peak_kb) / calm.peak_kb) : "?";
    std::string of_limit = limit_kb > 0 ? Fmt("%.2f", double(r.peak_kb) / limit_kb) : "?";
    std::printf("%-12s %8.0f %9s %7s %15s %5d %13s %13s %7ld %6s %6s  %s\n", r.name.c_str(), r.wrk.rps, r.wrk.p99.c_str(),
                ratio.c_str(), slowest.c_str(), r.late, timed_out.c_str(), health.c_str(), r.peak_kb / 1024, of_calm.c_str(),
                of_limit.c_str(), Verdict(r, limit_kb).c_str());
  }
  std::printf("limit: the Deployment's memory limit, %ld MiB (manifests/base/deployment.yaml); healthz: fresh probes "
              "answered 200 / made (within 1 s)\n",
              limit_kb / 1024);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = argc == 3 && std::string(argv[1]) == "--seconds" ? std::atoi(argv[2]) : 15;
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);

  TempDir dir;
  std::string certs = MakeCerts(dir, "certs");
  RegistryServer registry(certs + "/tls.crt", certs + "/tls.key", certs + "/ca.crt", RegistryOptions{});
  PushSingle(registry, "team/app", "1.0", "linux/amd64");
  FaultServer faults;
  std::string policy = "registries:\n  - host: \"" + faults.host() + "\"\n    insecure: true\n    allowPrivateAddress: true\n"
                       "  - host: \"127.0.0.1:*\"\n    caFile: " + certs + "/ca.crt\n    allowPrivateAddress: true\n"
                       "platforms: []\ncache:\n  negativeTTLSeconds: 1\n";
  // SERVE_ARGS: extra flags for pullguard serve, e.g. SERVE_ARGS="--linger-ms 0" to compare.
  std::vector<std::string> serve_args;
  if (const char* extra = std::getenv("SERVE_ARGS")) {
    std::istringstream words(extra);
    for (std::string w; words >> w;) serve_args.push_back(w);
  }
  WebhookProcess webhook(policy, serve_args);  // logging at info, as in production
  std::string warm = dir.Write("warm.json", PodReview("warm", {registry.host() + "/team/app:1.0"}).dump());
  Ask(webhook, PodReview("warm", {registry.host() + "/team/app:1.0"}));  // fill the cache
  const Target target{webhook, webhook.process().pid(), warm, registry.host(), faults.host(), seconds};

  Wrk calm = RunWrk(webhook.port(), warm, seconds);
  std::vector<Row> rows{CalmRow(calm, target.pid)};
  PrintRow(rows.back(), calm);
  auto add = [&](Row row) {
    PrintRow(row, calm);
    rows.push_back(std::move(row));
    std::this_thread::sleep_for(std::chrono::seconds(2));  // what the phase left in flight ends
  };
  if (Selected("slow") || Selected("idle") || Selected("bombs") || Selected("big") || Selected("large") || Selected("probes")) {
    add(RunMixed(target));
  }
  if (Selected("pinning")) add(RunPinning(target));
  if (Selected("oneaddress")) add(RunOneAddress(target));
  if (Selected("partial")) add(RunPartial(target, 64, rows.front().peak_kb));
  if (Selected("partial")) add(RunPartial(target, 128, rows.front().peak_kb));
  if (Selected("nonreader")) add(RunNonReader(target));
  if (Selected("emfile")) add(RunEmfile(target));
  PrintTable(rows, MemoryLimitKb());
  if (AttackerNice() != 0) std::cout << "(the attacking clients ran at nice " << AttackerNice() << ")" << std::endl;
  return 0;
}
