// CertificateStore: the serving certificate chain and key, re-read when their files change
// (cert-manager rotates them in place). Each TLS handshake takes the pair current at that
// moment, so a rotation needs no restart and never disturbs open connections.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <mutex>
#include <string>

#include "common/reloading_value.h"
#include "common/status.h"

namespace pullguard::server {

// A loaded, matching certificate chain and private key.
struct Keypair {
  X509* leaf = nullptr;
  STACK_OF(X509)* chain = nullptr;  // intermediates, may be empty
  EVP_PKEY* key = nullptr;
  std::string subject;    // for logs
  std::string not_after;  // for logs
  double not_after_epoch = 0;  // the same, in seconds since the epoch (for the metric)

  Keypair() = default;
  Keypair(const Keypair&) = delete;
  Keypair& operator=(const Keypair&) = delete;
  ~Keypair();
};

// Loads a PEM chain (leaf first) and a PEM key, and checks that they belong together.
Result<std::shared_ptr<const Keypair>> LoadKeypair(const std::string& cert_path, const std::string& key_path);

class CertificateStore {
 public:
  static Result<std::unique_ptr<CertificateStore>> Open(std::string cert_path, std::string key_path);

  std::shared_ptr<const Keypair> Current() const;

  // Re-reads the files when either changed. A pair that does not load (say, the key is not
  // written yet) is logged and the old pair stays; the next change retries.
  Status ReloadIfChanged();

  // Makes `ctx` ask this store for the certificate at every handshake.
  void InstallOn(SSL_CTX* ctx);

 private:
  explicit CertificateStore(std::vector<std::string> paths);

  ReloadingValue<Keypair> files_;  // the certificate, then the key
};

}  // namespace pullguard::server
