#include "registry/curl_transport.h"

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <string_view>
#include <thread>

#include "registry/address_guard.h"
#include "registry/url.h"

namespace pullguard::registry {
namespace {

// One transfer: its request, its answer being built, and the caller waiting for it.
struct Transfer {
  const HttpRequest* request = nullptr;
  HttpResponse response;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string blocked;  // set by the socket guard when it refuses an address
  std::string proxy;    // the proxy this transfer goes through (ProxyRules::ProxyFor); "" directly
  char error_buffer[CURL_ERROR_SIZE] = {};
  // Set when the registry asked for a TLS client certificate and none was configured; shared
  // with the connection's SSL_CTX, which may outlive this transfer.
  std::shared_ptr<std::atomic<bool>> client_cert_asked;
  std::promise<void> done;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  size_t room = kMaxBodyBytes - std::min(kMaxBodyBytes, t->response.body.size());
  if (n > room) {
    t->response.body.append(data, room);
    t->response.body_truncated = true;
    return 0;  // aborts the transfer: the rest is never read
  }
  t->response.body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response.headers.clear();  // a new response (after 100 Continue or a proxy) starts over
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string::npos) return n;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string value = line.substr(colon + 1);
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  value.erase(value.begin(), std::find_if(value.begin(), value.end(), not_space));
  value.erase(std::find_if(value.rbegin(), value.rend(), not_space).base(), value.end());
  if (t->response.headers.size() < 200) t->response.headers.emplace(name, value);
  return n;
}

// The SSL_CTX's flag "a client certificate was asked for" (a heap shared_ptr, freed with the
// SSL_CTX: a reused connection may be asked again after its first transfer is gone).
int ClientCertAskedIndex() {
  static const int index = SSL_CTX_get_ex_new_index(
      0, nullptr, nullptr, nullptr, [](void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
        delete static_cast<std::shared_ptr<std::atomic<bool>>*>(ptr);
      });
  return index;
}

// OpenSSL asks this when the registry requests a client certificate and none is set: note
// it, and send none (the handshake then goes on, or the registry ends it).
int NoteClientCertRequest(SSL* ssl, X509**, EVP_PKEY**) {
  auto* flag = static_cast<std::shared_ptr<std::atomic<bool>>*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ClientCertAskedIndex()));
  if (flag != nullptr) (*flag)->store(true);
  return 0;
}

// Adds the request's extra CA certificates to the connection's trust store, after curl has
// loaded the system roots into it: trust is added, as containerd adds a hosts.toml `ca` to
// the system pool, never replaced.
CURLcode AddExtraCa(const Transfer* t, SSL_CTX* ssl_ctx) {
  const std::string& pem = *t->request->extra_ca_pem;
  X509_STORE* store = SSL_CTX_get_cert_store(ssl_ctx);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr || store == nullptr) {
    BIO_free(bio);
    return CURLE_SSL_CACERT_BADFILE;
  }
  int added = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    if (X509_STORE_add_cert(store, cert) == 1) ++added;
    X509_free(cert);
  }
  BIO_free(bio);
  ERR_clear_error();  // the read that ends the loop leaves "no start line" behind
  return added > 0 ? CURLE_OK : CURLE_SSL_CACERT_BADFILE;
}

// Each new TLS connection's SSL_CTX: the extra CAs, and without a client certificate of its
// own, a note of whether the registry asks for one (so the finding can say so).
CURLcode PrepareTls(CURL*, void* ssl_ctx, void* user) {
  auto* t = static_cast<Transfer*>(user);
  auto* ctx = static_cast<SSL_CTX*>(ssl_ctx);
  if (t->client_cert_asked) {
    SSL_CTX_set_ex_data(ctx, ClientCertAskedIndex(), new std::shared_ptr<std::atomic<bool>>(t->client_cert_asked));
    SSL_CTX_set_client_cert_cb(ctx, &NoteClientCertRequest);
  }
  if (t->request->extra_ca_pem != nullptr && !t->request->extra_ca_pem->empty()) return AddExtraCa(t, ctx);
  return CURLE_OK;
}

// The address guard, on what pullguard itself connects to: the registry's resolved addresses
// when it connects directly. Through a proxy the socket is the proxy's, which the operator
// configured and pullguard trusts; the registry's name is the proxy's to resolve.
curl_socket_t OpenSocket(void* user, curlsocktype, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  if (!t->request->allow_private && t->proxy.empty()) {
    if (auto kind = RestrictedAddressKind(&address->addr)) {
      t->blocked = AddressText(&address->addr) + " (" + *kind + ")";
      return CURL_SOCKET_BAD;
    }
  }
  return ::socket(address->family, address->socktype, address->protocol);
}

// A handshake that failed because the peer reset or closed the connection is a broken
// connection (transient), not a TLS problem: OpenSSL reports it as SSL_ERROR_SYSCALL or an
// unexpected EOF, and the socket's errno says ECONNRESET or EPIPE.
bool HandshakeWasCut(const Transfer& t, long os_errno) {
  if (os_errno == ECONNRESET || os_errno == EPIPE) return true;
  std::string_view message(t.error_buffer);
  for (std::string_view sign : {"SSL_ERROR_SYSCALL", "unexpected eof", "Connection reset", "Broken pipe"}) {
    if (message.find(sign) != std::string_view::npos) return true;
  }
  return false;
}

TransportError Classify(CURLcode code, const Transfer& t, long os_errno) {
  if (!t.blocked.empty()) return TransportError::kBlockedAddress;
  switch (code) {
    case CURLE_OK:
      return TransportError::kNone;
    case CURLE_COULDNT_RESOLVE_HOST:
      return TransportError::kDns;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportError::kConnect;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportError::kTimeout;
    case CURLE_SSL_CONNECT_ERROR:
      return HandshakeWasCut(t, os_errno) ? TransportError::kReset : TransportError::kTls;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
      return TransportError::kTls;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return TransportError::kReset;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_OUT_OF_MEMORY:  // also what libcurl says of a response header over 100 KB
      return TransportError::kProtocol;
    default:
      return TransportError::kOther;
  }
}

// A proxy's refusal to open a tunnel, in words.
std::string ProxyRefusal(long connect_code) {
  std::string said = "the proxy answered " + std::to_string(connect_code) + " to CONNECT";
  if (connect_code == 407) return said + ": it asks for credentials (user:password@ in the proxy URL)";
  if (connect_code == 403 || connect_code == 405) return said + ": it refuses this host or port";
  if (connect_code >= 500) return said + ": it could not resolve or reach the registry";
  return said;
}

}  // namespace

struct CurlTransport::Loop {
  CURLM* multi = nullptr;
  std::mutex mutex;
  std::deque<Transfer*> incoming;
  std::vector<CURL*> active;  // touched by the loop thread only
  bool stopping = false;
  std::thread thread;

  Loop() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 64L);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 256L);
    thread = std::thread([this] { Run(); });
  }

  ~Loop() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    curl_multi_wakeup(multi);
    thread.join();
    curl_multi_cleanup(multi);
  }

  void Submit(Transfer* t) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      incoming.push_back(t);
    }
    curl_multi_wakeup(multi);
  }

  void Start(Transfer* t) {
    const HttpRequest& req = *t->request;
    CURL* easy = curl_easy_init();
    t->easy = easy;
    curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
    curl_easy_setopt(easy, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    // A lookup that timed out leaves its resolver thread behind (it frees itself when
    // getaddrinfo returns) instead of being joined: joining would hold this loop, and with it
    // every transfer, for as long as a resolver that drops queries takes (10 s and more).
    curl_easy_setopt(easy, CURLOPT_QUICK_EXIT, 1L);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);  // redirects are the client's, to strip auth
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);  // prefer multiplexing on an open h2 connection
    curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->error_buffer);
    // The proxy is pullguard's choice (Go's rules, from the environment or the policy), never
    // libcurl's: "" makes it connect directly whatever http_proxy says, and an empty NOPROXY
    // leaves no exception of libcurl's own (no_proxy is read by ProxyRules instead).
    curl_easy_setopt(easy, CURLOPT_PROXY, t->proxy.c_str());
    curl_easy_setopt(easy, CURLOPT_NOPROXY, "");
    if (!t->proxy.empty()) curl_easy_setopt(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    if (req.method == "HEAD") curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    if (req.method == "POST") {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(req.body.size()));
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req.body.c_str());
    }
    if (req.skip_verify) {
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    for (const auto& [name, value] : req.headers) t->headers = curl_slist_append(t->headers, (name + ": " + value).c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &OpenSocket);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, t);
    if (!req.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, req.ca_file.c_str());
    if (!req.client_cert.empty()) {
      curl_easy_setopt(easy, CURLOPT_SSLCERT, req.client_cert.c_str());
      // Without CURLOPT_SSLKEY the key is read from the certificate's file, as containerd does.
      if (!req.client_key.empty()) curl_easy_setopt(easy, CURLOPT_SSLKEY, req.client_key.c_str());
    }
    if (req.client_cert.empty()) t->client_cert_asked = std::make_shared<std::atomic<bool>>(false);
    // Extra CAs go into the connection's own store: libcurl's cached store is shared between
    // connections, and what is added to it would be trusted for every registry.
    if (req.extra_ca_pem != nullptr && !req.extra_ca_pem->empty()) curl_easy_setopt(easy, CURLOPT_CA_CACHE_TIMEOUT, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, &PrepareTls);
    curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, t);
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(req.deadline - Clock::now()).count();
    remaining = std::max<long long>(remaining, 1);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(remaining));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min<long long>(remaining, req.connect_timeout.count())));
    curl_multi_add_handle(multi, easy);
    active.push_back(easy);
  }

  void Finish(CURL* easy, CURLcode code) {
    Transfer* t = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    t->response.status = static_cast<int>(status);
    long os_errno = 0;
    curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
    if (code == CURLE_WRITE_ERROR && t->response.body_truncated) code = CURLE_OK;  // we stopped reading
    long connect_code = 0;  // the proxy's answer to CONNECT
    if (!t->proxy.empty()) curl_easy_getinfo(easy, CURLINFO_HTTP_CONNECTCODE, &connect_code);
    t->response.error = Classify(code, *t, os_errno);
    if (t->response.error != TransportError::kNone) {
      // libcurl's own sentence ("SSL certificate problem: unable to get local issuer
      // certificate") says more than its code's name.
      std::string detail = t->error_buffer[0] != '\0' ? t->error_buffer : curl_easy_strerror(code);
      if (!t->proxy.empty() && code == CURLE_COULDNT_RESOLVE_PROXY) {
        detail = "the proxy's own host name does not resolve: " + detail;
      } else if (!t->proxy.empty() && connect_code >= 300) {
        // The tunnel was refused: the registry was never reached, whatever libcurl's code says.
        t->response.error = TransportError::kConnect;
        detail = ProxyRefusal(connect_code);
      } else if (t->proxy.empty() && code == CURLE_OPERATION_TIMEDOUT &&
                 std::string_view(t->error_buffer).rfind("Resolving timed out", 0) == 0) {
        // A resolver that never answers (a DNS server dropping queries) is a DNS failure, not
        // the registry's silence; asking again would only wait as long once more.
        t->response.error = TransportError::kDns;
        t->response.lookup_timed_out = true;
      }
      // libcurl says "Out of memory" when an answer's header is over its 100 KB limit.
      if (code == CURLE_OUT_OF_MEMORY) detail = "an answer header larger than 100 KB was rejected";
      if (t->client_cert_asked && t->client_cert_asked->load() &&
          (t->response.error == TransportError::kReset || t->response.error == TransportError::kTls)) {
        detail = "the registry asks for a TLS client certificate and none is configured for it (containerd's "
                 "hosts.toml `client`, or NAME.cert beside NAME.key in its certs.d folder): " + detail;
      }
      t->response.error_detail = t->blocked.empty() ? detail.substr(0, 300) : t->blocked;
    }
    curl_multi_remove_handle(multi, easy);
    active.erase(std::remove(active.begin(), active.end(), easy), active.end());
    curl_easy_cleanup(easy);
    curl_slist_free_all(t->headers);
    t->done.set_value();
  }

  void Run() {
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (stopping) break;
        while (!incoming.empty()) {
          Start(incoming.front());
          incoming.pop_front();
        }
      }
      int running = 0;
      curl_multi_perform(multi, &running);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
        if (msg->msg == CURLMSG_DONE) Finish(msg->easy_handle, msg->data.result);
      }
      curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
    }
    // Fail whatever is still running, so no caller waits forever.
    std::vector<CURL*> still_running = active;
    for (CURL* easy : still_running) Finish(easy, CURLE_ABORTED_BY_CALLBACK);
    std::lock_guard<std::mutex> lock(mutex);
    for (Transfer* t : incoming) {
      t->response.error = TransportError::kOther;
      t->response.error_detail = "transport shutting down";
      t->done.set_value();
    }
    incoming.clear();
  }
};

CurlTransport::CurlTransport() : loop_(std::make_unique<Loop>()) {}
CurlTransport::~CurlTransport() = default;

HttpResponse CurlTransport::Send(const HttpRequest& request) {
  Transfer transfer;
  transfer.request = &request;
  if (request.proxy != nullptr) transfer.proxy = request.proxy->ProxyFor(request.url);
  transfer.response.proxy = RedactProxyUrl(transfer.proxy);
  if (!transfer.proxy.empty() && !request.allow_private) {
    // The proxy resolves the registry's name; an address written in the image is judged here.
    if (auto literal = RestrictedLiteral(UrlHost(request.url))) {
      transfer.response.error = TransportError::kBlockedAddress;
      transfer.response.error_detail = *literal;
      return std::move(transfer.response);
    }
  }
  std::future<void> done = transfer.done.get_future();
  loop_->Submit(&transfer);
  done.wait();  // the transfer's own timeout (the request deadline) bounds this wait
  return std::move(transfer.response);
}

}  // namespace pullguard::registry
