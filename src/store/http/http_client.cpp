#include "store/http/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace dredge::s3 {
namespace {

std::once_flag g_curl_init;

// State of one transfer, shared with libcurl's callbacks.
struct Transfer {
  CURL* curl = nullptr;
  const HttpRequest* req = nullptr;
  ByteSink* sink = nullptr;
  const ResponseStartFn* on_start = nullptr;
  size_t max_body = 0;
  HttpResponse resp;
  bool started = false;  // on_start called / routing decided
  bool to_sink = false;
  uint64_t read_offset = 0;
  Status local_error;  // a sink, source or on_start failure: returned as is
};

std::string TrimCopy(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

Status Start(Transfer* t) {
  t->started = true;
  long code = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);
  t->resp.status = code;
  t->to_sink = t->sink != nullptr && code >= 200 && code < 300;
  if (t->on_start && *t->on_start) return (*t->on_start)(t->resp);
  return Status::Ok();
}

size_t OnHeader(char* data, size_t size, size_t n, void* ud) {
  auto* t = static_cast<Transfer*>(ud);
  std::string_view line(data, size * n);
  if (line.substr(0, 5) == "HTTP/") {
    t->resp.headers.clear();  // a new response (after 100 Continue): forget the previous one
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  t->resp.headers.emplace_back(std::move(name), TrimCopy(line.substr(colon + 1)));
  return size * n;
}

size_t OnWrite(char* data, size_t size, size_t n, void* ud) {
  auto* t = static_cast<Transfer*>(ud);
  size_t len = size * n;
  if (!t->started) {
    t->local_error = Start(t);
    if (!t->local_error.ok()) return 0;
  }
  t->resp.body_bytes += len;
  if (t->to_sink) {
    t->local_error = t->sink->Write(std::string_view(data, len));
    return t->local_error.ok() ? len : 0;
  }
  if (t->resp.body.size() + len > t->max_body) {
    t->local_error = Status::Corrupt("the response to " + t->req->method + " " + t->req->url +
                                     " is larger than " + std::to_string(t->max_body) +
                                     " bytes, more than this request can be answered with");
    return 0;
  }
  t->resp.body.append(data, len);
  return len;
}

size_t OnRead(char* buf, size_t size, size_t n, void* ud) {
  auto* t = static_cast<Transfer*>(ud);
  auto r = t->req->body->ReadAt(t->read_offset, std::span<char>(buf, size * n));
  if (!r.ok()) {
    t->local_error = r.status();
    return CURL_READFUNC_ABORT;
  }
  if (*r == 0 && t->read_offset < t->req->body->size()) {
    t->local_error =
        Status::Io("the source of " + t->req->method + " " + t->req->url + " ended at byte " +
                   std::to_string(t->read_offset) + " of " + std::to_string(t->req->body->size()) +
                   ": it changed while being uploaded");
    return CURL_READFUNC_ABORT;
  }
  t->read_offset += *r;
  return *r;
}

int OnSeek(void* ud, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(ud);
  if (origin != SEEK_SET || offset < 0) return CURL_SEEKFUNC_CANTSEEK;
  t->read_offset = static_cast<uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

void LockShare(CURL*, curl_lock_data data, curl_lock_access, void* ud) {
  static_cast<std::mutex*>(ud)[static_cast<int>(data) & 7].lock();
}
void UnlockShare(CURL*, curl_lock_data data, void* ud) {
  static_cast<std::mutex*>(ud)[static_cast<int>(data) & 7].unlock();
}

Status MapCurlError(CURLcode rc, const char* detail, const HttpRequest& req) {
  std::string what = req.method + " " + req.url + ": " + curl_easy_strerror(rc);
  if (detail && *detail) what += std::string(" (") + detail + ")";
  switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return Status::Permanent(
          what +
          ": the server's TLS certificate could not be verified; check the endpoint URL "
          "and --ca-bundle / AWS_CA_BUNDLE");
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return Status::InvalidArgument(what + ": check the endpoint URL");
    default:
      return Status::Retryable(what);
  }
}

// Every option a transfer sets besides its method and headers (curl_easy_reset cleared them).
void SetTransferOptions(CURL* c, const HttpClientOptions& o, CURLSH* share, const std::string& url,
                        Transfer* t, char* errbuf) {
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_SHARE, share);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(c, CURLOPT_USERAGENT, "dredge/" DREDGE_VERSION);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, o.connect_timeout_ms);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o.low_speed_time_s);
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, o.verify_tls ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, o.verify_tls ? 2L : 0L);
  if (!o.ca_bundle.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, o.ca_bundle.c_str());
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnWrite);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
}

// The method; PUT and POST both go through the upload path so the body is streamed with a
// known length (no chunked encoding, which S3 refuses without aws-chunked signing).
void SetMethod(CURL* c, const std::string& method, Transfer* t) {
  if (method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (method == "DELETE") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "DELETE");
  } else {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t->req->body->size()));
    curl_easy_setopt(c, CURLOPT_READFUNCTION, &OnRead);
    curl_easy_setopt(c, CURLOPT_READDATA, t);
    curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, &OnSeek);
    curl_easy_setopt(c, CURLOPT_SEEKDATA, t);
    if (method != "PUT") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
}

}  // namespace

std::string HttpResponse::Header(std::string_view lower_name) const {
  for (const auto& [n, v] : headers)
    if (n == lower_name) return v;
  return "";
}

HttpClient::HttpClient(HttpClientOptions opts) : opts_(std::move(opts)) {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURLSH* sh = curl_share_init();
  curl_share_setopt(sh, CURLSHOPT_LOCKFUNC, &LockShare);
  curl_share_setopt(sh, CURLSHOPT_UNLOCKFUNC, &UnlockShare);
  curl_share_setopt(sh, CURLSHOPT_USERDATA, share_mu_);
  curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  // Connections are not put in the share: libcurl 7.88 documents sharing the connection cache
  // between concurrent threads as unsafe. Each pooled handle keeps its own live connection.
  share_ = sh;
}

HttpClient::~HttpClient() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
  curl_share_cleanup(static_cast<CURLSH*>(share_));
}

void* HttpClient::AcquireHandle() {
  {
    std::lock_guard lock(pool_mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void HttpClient::ReleaseHandle(void* h) {
  {
    std::lock_guard lock(pool_mu_);
    if (idle_.size() < opts_.max_idle_handles) {
      idle_.push_back(h);
      return;
    }
  }
  curl_easy_cleanup(static_cast<CURL*>(h));
}

Result<HttpResponse> HttpClient::Perform(const HttpRequest& req, ByteSink* sink,
                                         const ResponseStartFn& on_start) {
  const bool upload = req.method == "PUT" || req.method == "POST";
  if (!upload && req.method != "GET" && req.method != "HEAD" && req.method != "DELETE")
    return Status::InvalidArgument("HTTP method " + req.method + " is not supported");
  // The read callback reads t.req->body: give bodiless uploads an empty source.
  MemorySource empty("");
  HttpRequest with_empty;
  const HttpRequest* effective = &req;
  if (upload && !req.body) {
    with_empty = req;
    with_empty.body = &empty;
    effective = &with_empty;
  }

  CURL* c = static_cast<CURL*>(AcquireHandle());
  if (!c) return Status::Io("cannot create a libcurl handle (out of memory?)");
  // reset keeps the handle's live connection and caches; it clears every option.
  curl_easy_reset(c);

  Transfer t;
  t.curl = c;
  t.req = effective;
  t.sink = sink;
  t.on_start = &on_start;
  t.max_body = opts_.max_buffered_body;

  char errbuf[CURL_ERROR_SIZE] = {0};
  SetTransferOptions(c, opts_, static_cast<CURLSH*>(share_), req.url, &t, errbuf);

  curl_slist* hdrs = nullptr;
  for (const auto& [n, v] : req.headers) hdrs = curl_slist_append(hdrs, (n + ": " + v).c_str());
  hdrs = curl_slist_append(hdrs, "Expect:");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);

  SetMethod(c, req.method, &t);

  ++requests_;
  CURLcode rc = curl_easy_perform(c);
  long connects = 0;
  curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
  connections_opened_ += static_cast<uint64_t>(std::max(0L, connects));
  if (rc == CURLE_OK && !t.started) t.local_error = Start(&t);  // bodiless answers
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(hdrs);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);

  if (rc != CURLE_OK) {
    // A failed transfer may leave the connection in an unknown state: do not pool the handle.
    curl_easy_cleanup(c);
    if (!t.local_error.ok()) return t.local_error;
    return MapCurlError(rc, errbuf, req);
  }
  ReleaseHandle(c);
  if (!t.local_error.ok()) return t.local_error;
  return std::move(t.resp);
}

}  // namespace dredge::s3
