// A small libcurl client for the proxy tests: one easy handle per client, so consecutive
// requests reuse the kept-alive connection unless `fresh_connection` asks otherwise. It reports
// what a client sees on the wire: the curl result code, status, headers in order, body bytes,
// elapsed time and how many new connections the request opened. Not thread-safe.
#pragma once

#include <curl/curl.h>
#include <strings.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace dredge::testing {

struct HttpRequest {
  std::string method = "GET";
  std::string url{};
  std::string body{};  // sent for PUT and POST
  std::vector<std::string> headers{};
  std::string sigv4_userpwd{};  // "KEY:SECRET": sign with curl's SigV4 (UNSIGNED-PAYLOAD)
  bool fresh_connection = false;
  long timeout_seconds = 30;
};

struct HttpResponse {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // of the final response
  std::string body;
  double seconds = 0;
  long new_connections = 0;

  bool HasHeader(const std::string& name) const {
    for (const auto& h : headers)
      if (strcasecmp(h.first.c_str(), name.c_str()) == 0) return true;
    return false;
  }
  std::string Header(const std::string& name) const {
    for (const auto& h : headers)
      if (strcasecmp(h.first.c_str(), name.c_str()) == 0) return h.second;
    return "";
  }
};

class HttpClient {
 public:
  HttpClient() : curl_(curl_easy_init()) {}
  ~HttpClient() { curl_easy_cleanup(curl_); }
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse Send(const HttpRequest& req) {
    HttpResponse resp;
    Upload up{&req.body, 0};
    curl_easy_reset(curl_);  // keeps the connection cache: keep-alive survives
    curl_easy_setopt(curl_, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(curl_, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT, req.timeout_seconds);
    curl_easy_setopt(curl_, CURLOPT_FRESH_CONNECT, req.fresh_connection ? 1L : 0L);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &HttpClient::OnBody);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &HttpClient::OnHeader);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &resp);
    if (req.method == "PUT" || req.method == "POST") {
      curl_easy_setopt(curl_, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(curl_, CURLOPT_READFUNCTION, &HttpClient::OnRead);
      curl_easy_setopt(curl_, CURLOPT_READDATA, &up);
      curl_easy_setopt(curl_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
      if (req.method == "POST") curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, "POST");
    } else if (req.method == "HEAD") {
      curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
    } else if (req.method != "GET") {
      curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }
    curl_slist* list = nullptr;
    for (const auto& h : req.headers) list = curl_slist_append(list, h.c_str());
    if (!req.sigv4_userpwd.empty()) {
      list = curl_slist_append(list, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
      curl_easy_setopt(curl_, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:s3");
      curl_easy_setopt(curl_, CURLOPT_USERPWD, req.sigv4_userpwd.c_str());
    }
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
    resp.code = curl_easy_perform(curl_);
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &resp.status);
    curl_easy_getinfo(curl_, CURLINFO_TOTAL_TIME, &resp.seconds);
    curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &resp.new_connections);
    curl_slist_free_all(list);
    return resp;
  }

 private:
  struct Upload {
    const std::string* data;
    size_t offset;
  };

  static size_t OnBody(char* p, size_t size, size_t n, void* ud) {
    static_cast<HttpResponse*>(ud)->body.append(p, size * n);
    return size * n;
  }
  static size_t OnRead(char* p, size_t size, size_t n, void* ud) {
    auto* up = static_cast<Upload*>(ud);
    size_t len = std::min(size * n, up->data->size() - up->offset);
    up->data->copy(p, len, up->offset);
    up->offset += len;
    return len;
  }
  // Header lines of every response arrive here (a 100 Continue included): a status line starts
  // a new set, so only the final response's headers remain.
  static size_t OnHeader(char* p, size_t size, size_t n, void* ud) {
    auto* resp = static_cast<HttpResponse*>(ud);
    std::string line(p, size * n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.rfind("HTTP/", 0) == 0) {
      resp->headers.clear();
    } else if (auto colon = line.find(':'); colon != std::string::npos) {
      size_t v = line.find_first_not_of(' ', colon + 1);
      resp->headers.emplace_back(line.substr(0, colon),
                                 v == std::string::npos ? "" : line.substr(v));
    }
    return size * n;
  }

  CURL* curl_;
};

}  // namespace dredge::testing
