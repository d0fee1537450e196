// The proxy streams bodies instead of buffering them whole: with a client that stalls after the
// first megabyte of an upload, the upstream already holds that megabyte; with an upstream that
// stalls after the first megabyte of a response, the client already holds it. The upstream here
// is a scripted server on 127.0.0.1 that the test controls, not s3rver.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "proxy/fault_proxy.h"
#include "proxy/test_objects.h"

namespace dredge::testing {
namespace {

using std::chrono::seconds;

// A one-shot gate: Wait blocks until Open (or a timeout, so a failing test cannot hang).
class Gate {
 public:
  void Open() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool Wait(seconds timeout) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, timeout, [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Polls `cond` for up to `timeout`.
template <typename F>
bool Eventually(F cond, seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return cond();
}

constexpr size_t kSize = 8 * 1024 * 1024;
constexpr size_t kFirst = 1024 * 1024;

// Reads one request (head + Content-Length body) and answers `response` in two parts: the first
// kFirst bytes, then, after `release`, the rest.
class ScriptedUpstream {
 public:
  ScriptedUpstream() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(listen_fd_, 4) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
      return;
    }
    port_ = ntohs(addr.sin_port);
  }
  ~ScriptedUpstream() {
    Join();
    close(listen_fd_);
  }
  void Join() {
    release.Open();
    if (thread_.joinable()) thread_.join();
  }

  void Serve(const std::string& response) {
    thread_ = std::thread([this, response] { Run(response); });
  }

  int port() const { return port_; }
  std::atomic<size_t> body_received{0};
  std::atomic<bool> done{false};
  std::string body;  // valid once done
  Gate release;

 private:
  void Run(const std::string& response) {
    timeval tv{20, 0};
    setsockopt(listen_fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);  // accept() gives up too
    int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string in;
    char buf[65536];
    size_t head_end = std::string::npos, content_length = 0;
    while (true) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      in.append(buf, static_cast<size_t>(n));
      if (head_end == std::string::npos && (head_end = in.find("\r\n\r\n")) != std::string::npos) {
        std::string head = in.substr(0, head_end);
        for (auto& ch : head) ch = static_cast<char>(tolower(ch));
        auto p = head.find("content-length:");
        if (p != std::string::npos) content_length = std::stoul(head.substr(p + 15));
        in.erase(0, head_end + 4);
      }
      if (head_end != std::string::npos) {
        body_received = in.size();
        if (in.size() >= content_length) break;
      }
    }
    body = in;
    std::string head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
        std::to_string(response.size()) + "\r\n\r\n";
    WriteAll(fd, head + response.substr(0, kFirst));
    release.Wait(seconds(20));
    WriteAll(fd, response.substr(kFirst));
    done = true;
    close(fd);
  }
  static void WriteAll(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = write(fd, s.data() + off, s.size() - off);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

struct StallingClient {
  const std::string* upload;
  size_t sent = 0;
  Gate* release;
  std::atomic<size_t> received{0};
  std::string download;

  static size_t Read(char* p, size_t size, size_t n, void* ud) {
    auto* c = static_cast<StallingClient*>(ud);
    if (c->sent == kFirst) c->release->Wait(seconds(20));  // stall after the first megabyte
    size_t limit = c->sent < kFirst ? kFirst : c->upload->size();
    size_t len = std::min(size * n, limit - c->sent);
    c->upload->copy(p, len, c->sent);
    c->sent += len;
    return len;
  }
  static size_t Write(char* p, size_t size, size_t n, void* ud) {
    auto* c = static_cast<StallingClient*>(ud);
    c->download.append(p, size * n);
    c->received = c->download.size();
    return size * n;
  }
};

TEST(FaultProxyStreaming, BodiesFlowThroughBeforeTheyAreComplete) {
  ScriptedUpstream upstream;
  ASSERT_GT(upstream.port(), 0);
  const std::string request_body = PseudoRandomBytes(kSize, 31);
  const std::string response_body = PseudoRandomBytes(kSize, 32);
  upstream.Serve(response_body);
  auto proxy = FaultProxy::Start(
      {"--upstream", "http://127.0.0.1:" + std::to_string(upstream.port()), "--rate", "0"});
  ASSERT_TRUE(proxy);

  Gate client_release;
  StallingClient client{&request_body, 0, &client_release, {}, {}};
  CURLcode code = CURLE_OK;
  std::thread t([&] {
    CURL* h = curl_easy_init();
    const std::string url = proxy->endpoint() + "/bucket/streamed";
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(kSize));
    curl_easy_setopt(h, CURLOPT_READFUNCTION, &StallingClient::Read);
    curl_easy_setopt(h, CURLOPT_READDATA, &client);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &StallingClient::Write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &client);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    code = curl_easy_perform(h);
    curl_easy_cleanup(h);
  });

  // Upload: the client holds back 7 of 8 MB; the upstream must see the first part already.
  bool up_streamed = Eventually([&] { return upstream.body_received >= kFirst / 2; }, seconds(10));
  EXPECT_TRUE(up_streamed) << "upstream got " << upstream.body_received
                           << " bytes while the client had sent " << kFirst;
  EXPECT_LE(upstream.body_received.load(), kFirst) << "more arrived than the client sent";
  client_release.Open();
  // Download: the upstream holds back 7 of 8 MB; the client must see the first part already.
  bool down_streamed = Eventually([&] { return client.received >= kFirst / 2; }, seconds(10));
  EXPECT_TRUE(down_streamed) << "client got " << client.received
                             << " bytes while the upstream had sent " << kFirst;
  EXPECT_FALSE(upstream.done.load());
  upstream.release.Open();
  t.join();
  upstream.Join();

  EXPECT_EQ(code, CURLE_OK) << curl_easy_strerror(code);
  EXPECT_TRUE(upstream.body == request_body) << "upstream got " << upstream.body.size() << " bytes";
  EXPECT_TRUE(client.download == response_body) << "client got " << client.download.size();
  auto stats = proxy->Stats();
  EXPECT_EQ(stats["forwarded"], 1);
  EXPECT_EQ(stats["passed"], 1);
}

}  // namespace
}  // namespace dredge::testing
