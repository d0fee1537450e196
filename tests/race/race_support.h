// Both S3 test servers as one parameter ("moto" or "s3rver"): opening an S3Store on a fresh
// prefix, the environment for the dredge binary, and running dredge processes side by side.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "store/s3/s3_store.h"
#include "support/test_env.h"

namespace dredge::testing {

struct S3Server {
  std::string name;  // "moto" or "s3rver"
  std::string endpoint, bucket, key, secret;
};

inline S3Server ServerNamed(const std::string& name) {
  if (name == "moto") {
    auto env = MotoEnv();
    // moto accepts any key pair (it does not check signatures).
    return {name, env["DREDGE_TEST_MOTO_ENDPOINT"], env["DREDGE_TEST_MOTO_BUCKET"], "MOTOKEY",
            "MOTOSECRET"};
  }
  auto env = S3Env();
  return {name, env["DREDGE_TEST_S3_ENDPOINT"], env["DREDGE_TEST_S3_BUCKET"], "S3RVER", "S3RVER"};
}

inline std::string FreshPrefix(const std::string& what) {
  static std::atomic<int> n{0};
  return "race-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + "-" + what;
}

inline std::shared_ptr<S3Store> OpenOn(const S3Server& s, const std::string& prefix) {
  std::map<std::string, std::string> vars{{"AWS_ACCESS_KEY_ID", s.key},
                                          {"AWS_SECRET_ACCESS_KEY", s.secret},
                                          {"AWS_REGION", "us-east-1"},
                                          {"AWS_ENDPOINT_URL", s.endpoint},
                                          {"HOME", "/nonexistent"}};
  auto store = OpenS3WithEnv(s.bucket + "/" + prefix, {}, [vars](const std::string& n) {
    auto it = vars.find(n);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  });
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (store.ok()) (*store)->DecideCapabilities();  // as OpenS3, the registry's factory, does
  return store.ok() ? *store : nullptr;
}

inline std::string Scratch() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "dredge-race-XXXXXX").string();
  return ::mkdtemp(tmpl.data()) ? tmpl : "";
}

inline std::string SlurpFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `dredge ARGS` through the shell, as from its own host: its own XDG_CACHE_HOME (local lock,
// state index, probe cache), the server's credentials, output into OUT.out / OUT.err.
inline std::string DredgeCommand(const S3Server& s, const std::string& cache_home,
                                 const std::string& args, const std::string& out) {
  return "XDG_CACHE_HOME=" + cache_home + " AWS_ACCESS_KEY_ID=" + s.key +
         " AWS_SECRET_ACCESS_KEY=" + s.secret +
         " AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true HOME=/nonexistent exec " +
         DredgeBin() + " " + args + " --endpoint-url " + s.endpoint + " >" + out + ".out 2>" + out +
         ".err";
}

inline pid_t Spawn(const std::string& command) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// Exit code, or 128 + signal.
inline int Wait(pid_t pid) {
  int st = 0;
  if (::waitpid(pid, &st, 0) != pid) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

}  // namespace dredge::testing
