// Starts tests/support/aws_fakes.py (local stand-ins for IMDSv2, container credentials, STS and
// the SSO portal, plus a session-token-checking proxy in front of the S3 test server) for one
// test, and reads back what it saw. The process is stopped (by its pid) when the object dies.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_env.h"

namespace dredge::testing {

struct AwsFakeOptions {
  std::string secret = "S3RVER";  // what every credential handed out carries
  double lifetime_s = 3600;
  std::string container_token = "";     // "" = the container endpoint asks for none
  std::string web_identity_token = "";  // what AssumeRoleWithWebIdentity accepts
  std::string sso_token = "";           // what GetRoleCredentials accepts
  std::string s3_upstream = "";         // the S3 test server behind the token-checking proxy
};

class AwsFakes {
 public:
  AwsFakes(const std::string& dir, const AwsFakeOptions& o) : dir_(dir) {
    const std::string port_file = dir + "/fakes.port";
    events_ = dir + "/fakes.events";
    std::vector<std::string> args = {"python3",
                                     SourceDir() + "/tests/support/aws_fakes.py",
                                     "--port-file",
                                     port_file,
                                     "--events",
                                     events_,
                                     "--secret",
                                     o.secret,
                                     "--lifetime",
                                     std::to_string(o.lifetime_s),
                                     "--container-token",
                                     o.container_token,
                                     "--web-identity-token",
                                     o.web_identity_token,
                                     "--sso-token",
                                     o.sso_token,
                                     "--s3-upstream",
                                     o.s3_upstream};
    pid_ = fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execvp("python3", argv.data());
      _exit(127);
    }
    for (int i = 0; i < 100 && !std::filesystem::exists(port_file); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream in(port_file);
    auto ports = nlohmann::json::parse(in, nullptr, false);
    if (!ports.is_object()) {
      ADD_FAILURE() << "aws_fakes.py did not start";
      return;
    }
    service_ = "http://127.0.0.1:" + std::to_string(ports["service"].get<int>());
    if (ports.contains("s3")) s3_ = "http://127.0.0.1:" + std::to_string(ports["s3"].get<int>());
  }
  ~AwsFakes() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  AwsFakes(const AwsFakes&) = delete;
  AwsFakes& operator=(const AwsFakes&) = delete;

  const std::string& service_url() const { return service_; }
  const std::string& s3_url() const { return s3_; }

  std::vector<nlohmann::json> Events() const {
    std::vector<nlohmann::json> out;
    std::ifstream in(events_);
    std::string line;
    while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line, nullptr, false));
    return out;
  }
  // Events of this kind ("issue", "expired-use", "refused", "request") from this source
  // ("imds", "container", "sts", "sso", "s3"; "" = any).
  std::vector<nlohmann::json> Events(const std::string& event, const std::string& source) const {
    std::vector<nlohmann::json> out;
    for (auto& e : Events())
      if (e.value("event", "") == event && (source.empty() || e.value("source", "") == source))
        out.push_back(e);
    return out;
  }

 private:
  std::string dir_, events_, service_, s3_;
  pid_t pid_ = -1;
};

}  // namespace dredge::testing
