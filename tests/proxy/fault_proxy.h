// Starts one fault proxy (tests/support/faultproxy.sh) for one test, in front of the s3rver the
// ctest fixture runs, each in its own scratch directory so tests may run in parallel with
// different settings. The destructor stops it; a test that dies leaves nothing behind either,
// since the proxy watches the test process (--parent-pid) and has --max-seconds.
#pragma once

#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "proxy/http_client.h"
#include "support/process.h"
#include "support/test_env.h"

namespace dredge::testing {

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A zombie counts as dead: the proxy is reparented to an init that may reap it only later.
inline bool ProcessAlive(pid_t pid) {
  if (pid <= 0 || kill(pid, 0) != 0) return false;
  std::string stat = ReadWholeFile("/proc/" + std::to_string(pid) + "/stat");
  auto paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return !stat.empty();
  char state = stat[paren + 2];
  return state != 'Z' && state != 'X';
}

// Waits up to `seconds` for `pid` to exit; true when it did.
inline bool WaitForExit(pid_t pid, double seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!ProcessAlive(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return !ProcessAlive(pid);
}

class FaultProxy {
 public:
  // Runs `faultproxy.sh start DIR flags...`. On failure returns nullptr and fills *output with
  // the script's exit code and messages (tests of bad flags read it).
  static std::unique_ptr<FaultProxy> Start(const std::vector<std::string>& flags,
                                           std::string* output = nullptr) {
    auto s3 = S3Env();
    if (s3.empty()) return nullptr;
    std::string tmpl = (std::filesystem::temp_directory_path() / "faultproxy-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
      ADD_FAILURE() << "mkdtemp failed";
      return nullptr;
    }
    std::unique_ptr<FaultProxy> p(new FaultProxy(tmpl));
    {
      std::ofstream env(p->dir_ + "/s3.env");
      for (const auto& [k, v] : s3) env << k << "=" << v << "\n";
    }
    std::vector<std::string> argv = {p->Script(), "start", p->dir_};
    argv.insert(argv.end(), flags.begin(), flags.end());
    ProcessResult r = RunProcess(argv);
    if (output) *output = "exit " + std::to_string(r.exit_code) + "\n" + r.out + r.err;
    if (r.exit_code != 0) {
      if (!output) ADD_FAILURE() << "faultproxy.sh start failed: " << r.out << r.err;
      return nullptr;
    }
    auto env = ReadKeyValueFile(p->dir_ + "/faultproxy.env");
    p->endpoint_ = env["DREDGE_TEST_FAULT_ENDPOINT"];
    p->stats_file_ = env["DREDGE_TEST_FAULT_STATS"];
    p->log_file_ = env["DREDGE_TEST_FAULT_LOG"];
    p->pid_ = std::atoi(env["DREDGE_TEST_FAULT_PID"].c_str());
    if (p->endpoint_.empty() || p->pid_ <= 0) {
      ADD_FAILURE() << "faultproxy.env incomplete in " << p->dir_;
      return nullptr;
    }
    return p;
  }

  ~FaultProxy() {
    Stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void Stop() {
    if (stopped_) return;
    stopped_ = true;
    RunProcess({Script(), "stop", dir_});
  }

  // Counters fetched from the running proxy (this also rewrites the stats file).
  nlohmann::json Stats() {
    HttpClient c;
    HttpResponse r = c.Send({.url = endpoint_ + "/__faultproxy/stats", .timeout_seconds = 10});
    if (r.code != CURLE_OK || r.status != 200) {
      ADD_FAILURE() << "stats request failed: curl " << r.code << " status " << r.status;
      return nlohmann::json::object();
    }
    return nlohmann::json::parse(r.body);
  }
  nlohmann::json StatsFile() const {
    std::string text = ReadWholeFile(stats_file_);
    if (text.empty()) {
      ADD_FAILURE() << "stats file " << stats_file_ << " is empty or missing";
      return nlohmann::json::object();
    }
    return nlohmann::json::parse(text);
  }
  std::string Log() const { return ReadWholeFile(log_file_); }
  // What the proxy wrote on stdout/stderr.
  std::string Output() const { return ReadWholeFile(dir_ + "/faultproxy.out"); }

  const std::string& endpoint() const { return endpoint_; }
  pid_t pid() const { return pid_; }

 private:
  explicit FaultProxy(std::string dir) : dir_(std::move(dir)) {}
  static std::map<std::string, std::string> ReadKeyValueFile(const std::string& path) {
    std::map<std::string, std::string> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      auto eq = line.find('=');
      if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return out;
  }
  static std::string Script() { return SourceDir() + "/tests/support/faultproxy.sh"; }

  std::string dir_;
  std::string endpoint_, stats_file_, log_file_;
  pid_t pid_ = -1;
  bool stopped_ = false;
};

}  // namespace dredge::testing
