// The HTTP transport shared by the s3:// driver and the AWS credential providers (STS, SSO,
// IMDS, container credentials): libcurl, HTTP/1.1, connections kept alive.
//
// Contract:
//  - Thread-safe. Easy handles live in a pool; a request takes an idle handle (and with it
//    that handle's live connection) and gives it back, so sequential requests reuse one
//    connection and concurrent ones open one each, up to the pool size kept idle. DNS answers
//    and TLS sessions are shared between handles.
//  - Sends exactly the given headers (plus User-Agent, and a bare `Expect:` so no
//    100-continue round trip is made) and the path as given (CURLOPT_PATH_AS_IS: "./" and
//    "../" segments and "//" are never rewritten). No redirects are followed; no content
//    encoding is negotiated, so bodies are the stored bytes.
//  - Request bodies are streamed from a ByteSource and can be rewound (CURLOPT_SEEKFUNCTION),
//    so curl may replay them on a reused connection that turned out dead.
//  - Response bodies of 2xx answers go to the sink when one is given; every other body (and
//    2xx bodies without a sink) is kept in HttpResponse::body, up to a cap. `on_start` is called
//    once, with status and headers, before the first body byte reaches the sink; its error
//    aborts the transfer and is returned.
//  - Failures: a sink/source error is returned unchanged; TLS verification failures are
//    Permanent (with what to check); every other transport failure (refused, reset, DNS,
//    connect timeout, too slow for low_speed_time_s) is Retryable. Never hangs on a dead peer.
//    The HTTP status itself is not judged here: callers map it.
//  - TLS peers are verified unless verify_tls=false; ca_bundle replaces the system store.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/byte_io.h"
#include "store/s3/sigv4.h"

namespace dredge::s3 {

struct HttpRequest {
  std::string method;  // GET, HEAD, PUT, POST, DELETE
  std::string url;     // already encoded
  HeaderList headers;
  const ByteSource* body = nullptr;  // PUT/POST body; nullptr sends none (Content-Length: 0)
  // What the S3 request builder signed (without Host) and for which region, so the request can
  // be signed again when the bucket turns out to be in another region; null otherwise.
  std::shared_ptr<const SigningInput> unsigned_input;
  std::string signed_region;
};

struct HttpResponse {
  long status = 0;
  HeaderList headers;       // names lower-cased, values trimmed, in arrival order
  std::string body;         // see the contract: non-2xx bodies, or 2xx without a sink
  uint64_t body_bytes = 0;  // bytes received (sink or body)
  // Value of the first header with this (lower-case) name, or "".
  std::string Header(std::string_view lower_name) const;
};

using ResponseStartFn = std::function<Status(const HttpResponse& head)>;

struct HttpClientOptions {
  std::string ca_bundle;
  bool verify_tls = true;
  long connect_timeout_ms = 10000;
  // A transfer slower than 1 byte/s for this long is abandoned as Retryable.
  long low_speed_time_s = 60;
  size_t max_idle_handles = 32;
  size_t max_buffered_body = 16u << 20;  // cap for HttpResponse::body
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions opts);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Result<HttpResponse> Perform(const HttpRequest& req, ByteSink* sink = nullptr,
                               const ResponseStartFn& on_start = nullptr);

  // Connections opened so far (sum of CURLINFO_NUM_CONNECTS): a measure of reuse.
  uint64_t connections_opened() const { return connections_opened_.load(); }
  uint64_t requests_sent() const { return requests_.load(); }

 private:
  void* AcquireHandle();
  void ReleaseHandle(void* handle);

  HttpClientOptions opts_;
  void* share_ = nullptr;   // CURLSH*
  std::mutex share_mu_[8];  // one per curl_lock_data
  std::mutex pool_mu_;
  std::vector<void*> idle_;  // CURL*
  std::atomic<uint64_t> connections_opened_{0};
  std::atomic<uint64_t> requests_{0};
};

}  // namespace dredge::s3
