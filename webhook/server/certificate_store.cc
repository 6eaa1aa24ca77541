#include "server/certificate_store.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>

#include "common/log.h"
#include "common/metrics.h"

namespace pullguard::server {
namespace {

std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

std::string NameOf(X509_NAME* name) {
  char buf[512];
  X509_NAME_oneline(name, buf, sizeof buf);
  return buf;
}

std::string TimeOf(const ASN1_TIME* t) {
  BIO* bio = BIO_new(BIO_s_mem());
  ASN1_TIME_print(bio, t);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

int SelectCertificate(SSL* ssl, void* arg) {
  auto* store = static_cast<CertificateStore*>(arg);
  std::shared_ptr<const Keypair> pair = store->Current();
  if (!pair) return 0;
  if (SSL_use_certificate(ssl, pair->leaf) != 1 || SSL_use_PrivateKey(ssl, pair->key) != 1) return 0;
  if (pair->chain != nullptr && SSL_set1_chain(ssl, pair->chain) != 1) return 0;
  return 1;
}

}  // namespace

Keypair::~Keypair() {
  if (leaf) X509_free(leaf);
  if (chain) sk_X509_pop_free(chain, X509_free);
  if (key) EVP_PKEY_free(key);
}

Result<std::shared_ptr<const Keypair>> LoadKeypair(const std::string& cert_path, const std::string& key_path) {
  auto pair = std::make_shared<Keypair>();
  BIO* cert_bio = BIO_new_file(cert_path.c_str(), "r");
  if (cert_bio == nullptr) return Status::NotFound(cert_path + ": cannot open the certificate file");
  pair->leaf = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
  if (pair->leaf == nullptr) {
    BIO_free(cert_bio);
    return Status::InvalidArgument(cert_path + ": no PEM certificate (" + OpenSslError() + ")");
  }
  pair->chain = sk_X509_new_null();
  while (X509* extra = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr)) sk_X509_push(pair->chain, extra);
  ERR_clear_error();  // the loop ends on "no start line"
  BIO_free(cert_bio);

  BIO* key_bio = BIO_new_file(key_path.c_str(), "r");
  if (key_bio == nullptr) return Status::NotFound(key_path + ": cannot open the key file");
  pair->key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
  BIO_free(key_bio);
  if (pair->key == nullptr) return Status::InvalidArgument(key_path + ": no PEM private key (" + OpenSslError() + ")");
  if (X509_check_private_key(pair->leaf, pair->key) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument(key_path + ": the key does not belong to the certificate in " + cert_path);
  }
  pair->subject = NameOf(X509_get_subject_name(pair->leaf));
  pair->not_after = TimeOf(X509_get0_notAfter(pair->leaf));
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(pair->leaf), &tm) == 1) pair->not_after_epoch = static_cast<double>(timegm(&tm));
  return std::shared_ptr<const Keypair>(std::move(pair));
}

CertificateStore::CertificateStore(std::vector<std::string> paths)
    : files_("certificate", std::move(paths), [](const std::vector<std::string>& p, bool) {
        auto pair = LoadKeypair(p[0], p[1]);
        if (pair.ok()) SetCertificateExpiry(pair.value()->not_after_epoch);
        return pair;
      }) {}

Result<std::unique_ptr<CertificateStore>> CertificateStore::Open(std::string cert_path, std::string key_path) {
  std::unique_ptr<CertificateStore> store(new CertificateStore({std::move(cert_path), std::move(key_path)}));
  RETURN_IF_ERROR(store->files_.Load());
  return store;
}

std::shared_ptr<const Keypair> CertificateStore::Current() const { return files_.Current(); }

Status CertificateStore::ReloadIfChanged() { return files_.ReloadIfChanged(); }

void CertificateStore::InstallOn(SSL_CTX* ctx) { SSL_CTX_set_cert_cb(ctx, &SelectCertificate, this); }

}  // namespace pullguard::server
