// A fixture for end-to-end tests of the dredge binary on both kinds of store: the parameter is
// "file" (a file:// store under the scratch directory), "s3" (a fresh prefix on the
// SigV4-checking S3 test server) or "moto" (a fresh prefix on moto's S3 server; binaries that
// use it need the fixture s3both or servers). It gives each test a scratch directory with an empty
// src/, the destination, and Dredge(args): the binary run through the shell with the test server's
// credentials, its output captured and stdout parsed as JSON when it is one object.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/file_tree.h"
#include "support/test_env.h"

namespace dredge::testing {

struct E2ERun {
  int code = -1;
  std::string out, err;
  nlohmann::json j;  // stdout as JSON; discarded when it is not JSON
};

#define EXPECT_RUN(r, want) \
  EXPECT_EQ((r).code, want) << "stdout: " << (r).out << "\nstderr: " << (r).err

class StoreE2E : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "dredge-e2e-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data()) ? tmpl : "";
    ASSERT_FALSE(dir_.empty()) << "mkdtemp failed";
    src_ = dir_ + "/src";
    log_dir_ = dir_ + "/logs";
    std::filesystem::create_directories(src_);
    static int counter = 0;
    if (GetParam() == "file") {
      dest_ = "file://" + dir_ + "/store";
    } else if (GetParam() == "moto") {
      auto env = MotoEnv();
      endpoint_ = env["DREDGE_TEST_MOTO_ENDPOINT"];
      bucket_ = env["DREDGE_TEST_MOTO_BUCKET"];
    } else {
      auto env = S3Env();
      endpoint_ = env["DREDGE_TEST_S3_ENDPOINT"];
      bucket_ = env["DREDGE_TEST_S3_BUCKET"];
    }
    if (GetParam() != "file") {
      prefix_ = "e2e-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
      dest_ = "s3://" + bucket_ + "/" + prefix_;
    }
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // The test server's credentials (and endpoint), nothing from the caller's AWS setup (moto
  // accepts any key, so the same ones serve both servers).
  std::string Env() const {
    return "AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1 "
           "AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true " +
           (endpoint_.empty() ? std::string() : "AWS_ENDPOINT_URL=" + endpoint_ + " ");
  }
  // " --dest URL [--endpoint-url E]" for commands that take a destination.
  std::string Common() const {
    return " --dest " + Quote(dest_) +
           (endpoint_.empty() ? std::string() : " --endpoint-url " + endpoint_);
  }

  E2ERun Dredge(const std::string& args) const {
    E2ERun r;
    std::string out = dir_ + "/out.txt", err = dir_ + "/err.txt";
    std::string cmd = Env() + Quote(DredgeBin()) + " --log-dir " + Quote(log_dir_) + " " + args +
                      " >" + out + " 2>" + err;
    int st = std::system(cmd.c_str());
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = Slurp(out);
    r.err = Slurp(err);
    if (!r.out.empty()) r.j = nlohmann::json::parse(r.out, nullptr, false);
    return r;
  }

  std::string dir_, src_, dest_, endpoint_, bucket_, prefix_, log_dir_;
};

}  // namespace dredge::testing
