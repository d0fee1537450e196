// Shared helpers of the hardening suites: run the real dredge binary (argv, no shell) with the
// test S3 server's credentials, spawn it to kill it later, compare trees byte for byte, and
// print the one-line figures each suite reports ("HARDENING <suite>: k=v ...").
// Every helper fails the test (never skips) when a server it needs is missing.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/file_tree.h"
#include "support/process.h"
#include "support/test_env.h"

namespace dredge::hardening {

namespace fs = std::filesystem;
using nlohmann::json;

using testing::Slurp;
using testing::Spit;

// A scratch directory removed at destruction.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag) {
    std::string t = (fs::temp_directory_path() / ("dredge-hard-" + tag + "-XXXXXX")).string();
    path_ = ::mkdtemp(t.data()) ? t : "";
    EXPECT_FALSE(path_.empty()) << "mkdtemp failed";
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Relative path → bytes of every regular file under root (top-level .dredge/ excluded).
inline std::map<std::string, std::string> Tree(const std::string& root) {
  return testing::Tree(root);
}

// Names of the keys where two trees differ (for failure messages).
inline std::string TreeDiff(const std::map<std::string, std::string>& want,
                            const std::map<std::string, std::string>& got) {
  std::string d;
  for (const auto& [k, v] : want) {
    auto it = got.find(k);
    if (it == got.end())
      d += " missing:" + k;
    else if (it->second != v)
      d += " different:" + k;
  }
  for (const auto& [k, v] : got)
    if (!want.count(k)) d += " extra:" + k;
  return d;
}

// Credentials of the test S3 server and nothing from the caller's AWS setup.
inline std::map<std::string, std::string> AwsEnv() {
  return {{"AWS_ACCESS_KEY_ID", "S3RVER"},
          {"AWS_SECRET_ACCESS_KEY", "S3RVER"},
          {"AWS_DEFAULT_REGION", "us-east-1"},
          {"AWS_REGION", "us-east-1"},
          {"AWS_EC2_METADATA_DISABLED", "true"},
          {"AWS_CONFIG_FILE", "/nonexistent"},
          {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"}};
}

// Sets the fixture cluster's PG* variables in this process (children inherit them).
inline void UsePgEnv() {
  for (const auto& [k, v] : testing::PgEnv()) setenv(k.c_str(), v.c_str(), 1);
}

struct DredgeRun {
  int code = -1;
  std::string out, err;
  json j;  // stdout parsed when it is JSON, else null
};

inline DredgeRun Dredge(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {testing::DredgeBin()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto p = testing::RunProcess(argv, AwsEnv());
  DredgeRun r{p.exit_code, p.out, p.err, json()};
  r.j = json::parse(r.out, nullptr, false);
  if (r.j.is_discarded()) r.j = json();
  return r;
}

// Starts dredge in the background (output discarded) so a test can kill it.
inline pid_t SpawnDredge(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {testing::DredgeBin()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto env = AwsEnv();
  pid_t pid = ::fork();
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> a;
    for (auto& s : argv) a.push_back(s.data());
    a.push_back(nullptr);
    ::execv(a[0], a.data());
    ::_exit(127);
  }
  return pid;
}

#define EXPECT_EXIT_CODE(r, want) \
  EXPECT_EQ((r).code, want) << "stdout: " << (r).out << "\nstderr: " << (r).err

// Concatenation of every file in a directory (the run logs under --log-dir).
inline std::string AllLogs(const std::string& dir) {
  std::string all;
  if (!fs::exists(dir)) return all;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) all += Slurp(e.path().string());
  return all;
}

// Lines of `text` holding `needle` (and `also`, when given).
inline int CountLines(const std::string& text, const std::string& needle,
                      const std::string& also = "") {
  int n = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    n += line.find(needle) != std::string::npos && line.find(also) != std::string::npos;
  return n;
}

// The suite's figures, one line on stdout (ctest --output-on-failure / -V shows them).
inline void Report(const std::string& suite, const std::string& figures) {
  std::cout << "HARDENING " << suite << ": " << figures << std::endl;
}

// DREDGE_HARDENING_LONG=1 selects the full-strength counts.
inline bool LongMode() {
  const char* v = std::getenv("DREDGE_HARDENING_LONG");
  return v && std::string(v) == "1";
}

// The SigV4-checking test server: endpoint and a unique prefix in its bucket.
struct S3Target {
  std::string endpoint, bucket;
};
inline S3Target S3() {
  auto env = testing::S3Env();
  return {env["DREDGE_TEST_S3_ENDPOINT"], env["DREDGE_TEST_S3_BUCKET"]};
}
inline std::string UniquePrefix(const std::string& tag) {
  static int n = 0;
  return "hard-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

}  // namespace dredge::hardening
