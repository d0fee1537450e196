// A loopback stand-in for AWS S3 serving one bucket that lives in another region than the
// client guessed. A request signed for the bucket's region is served from memory (PUT, GET,
// HEAD, DELETE of objects); a request signed for any other region is answered the way AWS
// answers it, in one of the shapes of Mode. Every request is recorded with the region it was
// signed for. One connection at a time, each closed after its answer.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/hash.h"

namespace dredge::testing {

class RegionFake {
 public:
  enum class Mode {
    // 400 AuthorizationHeaderMalformed with <Region> in the body (what AWS answers a request
    // signed for the wrong region on the bucket's regional or the global endpoint); a HEAD
    // gets the bodiless 400 with only x-amz-bucket-region.
    kMalformed,
    // 301 PermanentRedirect with x-amz-bucket-region (a wrong regional endpoint).
    kRedirect,
    // 301 PermanentRedirect naming only the <Endpoint>: the region must be asked for with a
    // HEAD of the bucket, which answers 301 with x-amz-bucket-region.
    kRedirectWithoutRegion,
    // Names bucket_region in every refusal but refuses every region: a client must not loop.
    kAlwaysRefuse,
  };
  struct Seen {
    std::string method, target, region;
  };

  RegionFake(Mode mode, std::string bucket_region)
      : mode_(mode), bucket_region_(std::move(bucket_region)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd_, 8) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
      return;
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~RegionFake() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    if (thread_.joinable()) thread_.join();
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Seen> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  void Run() {
    while (!stop_) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      timeval tv{10, 0};
      setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      std::string req;
      if (ReadRequest(c, &req)) {
        std::string answer = Answer(req);
        (void)!write(c, answer.data(), answer.size());
      }
      close(c);
    }
  }

  static bool ReadRequest(int c, std::string* req) {
    char buf[65536];
    size_t head_end = std::string::npos;
    while (head_end == std::string::npos) {
      ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) return false;
      req->append(buf, static_cast<size_t>(n));
      head_end = req->find("\r\n\r\n");
    }
    size_t want =
        head_end + 4 + static_cast<size_t>(std::atoll(Header(*req, "content-length").c_str()));
    while (req->size() < want) {
      ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) return false;
      req->append(buf, static_cast<size_t>(n));
    }
    return true;
  }

  // The value of a request header (case-insensitive name), "" when absent.
  static std::string Header(const std::string& req, const std::string& lower_name) {
    std::string head = req.substr(0, req.find("\r\n\r\n"));
    for (char& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    size_t at = head.find("\r\n" + lower_name + ":");
    if (at == std::string::npos) return "";
    size_t from = at + 2 + lower_name.size() + 1;
    std::string v = req.substr(from, req.find("\r\n", from) - from);
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    return v;
  }

  static std::string Reply(const std::string& status, const std::string& headers,
                           const std::string& body, bool head = false) {
    return "HTTP/1.1 " + status + "\r\nConnection: close\r\n" + headers +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + (head ? "" : body);
  }

  std::string Refuse(const std::string& method, const std::string& target) {
    const std::string region_header = "x-amz-bucket-region: " + bucket_region_ + "\r\n";
    const bool head = method == "HEAD";
    const bool bucket_head = head && target.find('/', 1) == std::string::npos;
    if (mode_ == Mode::kMalformed || mode_ == Mode::kAlwaysRefuse) {
      if (head) return Reply("400 Bad Request", region_header, "", true);
      return Reply("400 Bad Request", "Content-Type: application/xml\r\n",
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
                   "AuthorizationHeaderMalformed</Code><Message>The authorization header is "
                   "malformed; the region 'us-east-1' is wrong; expecting '" +
                       bucket_region_ + "'</Message><Region>" + bucket_region_ +
                       "</Region><RequestId>R1</RequestId><HostId>H1</HostId></Error>");
    }
    std::string body =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>PermanentRedirect</Code>"
        "<Message>The bucket you are attempting to access must be addressed using the specified "
        "endpoint. Please send all future requests to this endpoint.</Message><Endpoint>"
        "bucket.s3." +
        bucket_region_ + ".amazonaws.com</Endpoint><RequestId>R2</RequestId></Error>";
    if (mode_ == Mode::kRedirect || bucket_head)
      return Reply("301 Moved Permanently", region_header + "Content-Type: application/xml\r\n",
                   body, head);
    return Reply("301 Moved Permanently", "Content-Type: application/xml\r\n", body, head);
  }

  std::string Answer(const std::string& req) {
    std::string method = req.substr(0, req.find(' '));
    std::string target = req.substr(method.size() + 1);
    target = target.substr(0, target.find(' '));
    std::string auth = Header(req, "authorization");
    // Credential=KEY/DATE/REGION/s3/aws4_request
    size_t cred = auth.find("Credential=");
    std::string region;
    if (cred != std::string::npos) {
      size_t a = auth.find('/', cred), b = auth.find('/', a + 1), e = auth.find('/', b + 1);
      if (a != std::string::npos && b != std::string::npos && e != std::string::npos)
        region = auth.substr(b + 1, e - b - 1);
    }
    {
      std::lock_guard lock(mu_);
      seen_.push_back({method, target, region});
    }
    if (region != bucket_region_ || mode_ == Mode::kAlwaysRefuse) return Refuse(method, target);
    std::string path = target.substr(0, target.find('?'));
    std::string body = req.substr(req.find("\r\n\r\n") + 4);
    std::lock_guard lock(mu_);
    if (method == "PUT") {
      objects_[path] = body;
      return Reply("200 OK", "ETag: \"" + Md5(body) + "\"\r\n", "");
    }
    auto it = objects_.find(path);
    if (method == "DELETE") {
      if (it != objects_.end()) objects_.erase(it);
      return Reply("204 No Content", "", "");
    }
    if (it == objects_.end())
      return Reply("404 Not Found", "Content-Type: application/xml\r\n",
                   "<Error><Code>NoSuchKey</Code><Message>no</Message></Error>", method == "HEAD");
    return Reply("200 OK", "ETag: \"" + Md5(it->second) + "\"\r\n", it->second, method == "HEAD");
  }

  static std::string Md5(const std::string& s) {
    Hasher h(HashAlgo::kMd5);
    h.Update(s);
    return h.FinishHex();
  }

  Mode mode_;
  std::string bucket_region_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<Seen> seen_;
  std::map<std::string, std::string> objects_;
};

}  // namespace dredge::testing
