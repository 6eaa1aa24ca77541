#include "kube/api_client.h"

#include <curl/curl.h>

#include <string_view>

namespace pullguard::kube {
namespace {

// A Secret or ServiceAccount is far smaller; a page of 50 nodes with their images fits.
constexpr size_t kMaxBody = 4 << 20;

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  size_t n = size * count;
  if (body->size() + n > kMaxBody) return 0;
  body->append(data, n);
  return n;
}

void SetBlob(CURL* easy, CURLoption option, const std::string& data) {
  curl_blob blob{const_cast<char*>(data.data()), data.size(), CURL_BLOB_COPY};
  curl_easy_setopt(easy, option, &blob);
}

}  // namespace

ApiClient::ApiClient(KubeConfig config, std::chrono::milliseconds token_recheck) : config_(std::move(config)) {
  if (config_.token_file.empty()) return;
  // Bound tokens rotate (the kubelet rewrites the file about hourly): re-read on change.
  token_file_ = std::make_unique<ReloadingValue<std::string>>(
      "API token", std::vector<std::string>{config_.token_file},
      [](const std::vector<std::string>& paths, bool) -> Result<std::shared_ptr<const std::string>> {
        ASSIGN_OR_RETURN(std::string token, ReadFile(paths.front(), 64 * 1024));
        while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
        if (token.empty()) return Status::InvalidArgument(paths.front() + ": the token file is empty");
        return std::make_shared<const std::string>(std::move(token));
      },
      token_recheck);
}

std::string ApiClient::Token() {
  if (token_file_ == nullptr) return config_.token;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // Not there yet at start (the kubelet writes it): try again at every use until it is.
    if (token_file_->Current() == nullptr) (void)token_file_->Load();
  }
  std::shared_ptr<const std::string> token = token_file_->Fresh();
  return token ? *token : std::string();
}

ApiResponse ApiClient::Get(const std::string& path, std::chrono::milliseconds timeout) {
  return Send("GET", path, nullptr, timeout);
}

ApiResponse ApiClient::Post(const std::string& path, const std::string& body, std::chrono::milliseconds timeout) {
  return Send("POST", path, &body, timeout);
}

ApiResponse ApiClient::Put(const std::string& path, const std::string& body, std::chrono::milliseconds timeout) {
  return Send("PUT", path, &body, timeout);
}

ApiResponse ApiClient::Send(const char* method, const std::string& path, const std::string* body,
                            std::chrono::milliseconds timeout) {
  ApiResponse out;
  CURL* easy = curl_easy_init();
  std::string url = config_.server + path;
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &out.body);
  if (!config_.ca_data.empty()) {
    SetBlob(easy, CURLOPT_CAINFO_BLOB, config_.ca_data);
  } else if (!config_.ca_file.empty()) {
    curl_easy_setopt(easy, CURLOPT_CAINFO, config_.ca_file.c_str());
  }
  if (!config_.client_cert_data.empty()) SetBlob(easy, CURLOPT_SSLCERT_BLOB, config_.client_cert_data);
  else if (!config_.client_cert_file.empty()) curl_easy_setopt(easy, CURLOPT_SSLCERT, config_.client_cert_file.c_str());
  if (!config_.client_key_data.empty()) SetBlob(easy, CURLOPT_SSLKEY_BLOB, config_.client_key_data);
  else if (!config_.client_key_file.empty()) curl_easy_setopt(easy, CURLOPT_SSLKEY, config_.client_key_file.c_str());
  if (body != nullptr) {
    // POSTFIELDS makes it a POST; CUSTOMREQUEST turns it into a PUT with the same body.
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body->data());
    if (std::string_view(method) != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
  }
  curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json");
  if (body != nullptr) {
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  }
  std::string token = Token();
  std::string authorization = "Authorization: Bearer " + token;
  if (!token.empty()) headers = curl_slist_append(headers, authorization.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  CURLcode code = curl_easy_perform(easy);
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  if (code != CURLE_OK) out.error = curl_easy_strerror(code);
  out.status = code == CURLE_OK ? static_cast<int>(status) : 0;
  curl_slist_free_all(headers);
  curl_easy_cleanup(easy);
  return out;
}

}  // namespace pullguard::kube
