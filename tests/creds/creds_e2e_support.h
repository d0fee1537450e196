// The fixture of the credential end-to-end tests: a scratch HOME (so ~/.aws is the test's
// own), a source tree, the S3 test server behind the fakes' token-checking proxy, and dredge run
// with exactly the environment a test gives it (env -i): the caller's AWS_* cannot leak in.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/aws_fakes.h"
#include "support/file_tree.h"
#include "support/process.h"
#include "support/test_env.h"

namespace dredge::testing {

class CredsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "dredge-creds-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data()) ? tmpl : "";
    ASSERT_FALSE(dir_.empty());
    home_ = dir_ + "/home";
    std::filesystem::create_directories(home_ + "/.aws");
    s3_ = S3Env();
    static int counter = 0;
    dest_ = "s3://" + s3_["DREDGE_TEST_S3_BUCKET"] + "/creds-" + std::to_string(::getpid()) + "-" +
            std::to_string(++counter);
    std::mt19937 rng(7);
    for (int i = 0; i < 5; ++i) {
      std::string bytes(20000 + i * 1000, '\0');
      for (char& c : bytes) c = static_cast<char>(rng());
      Spit(dir_ + "/src/f" + std::to_string(i) + ".bin", bytes);
    }
  }
  void TearDown() override {
    fakes_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Starts the fakes; S3 requests go through their proxy to the test server.
  void StartFakes(AwsFakeOptions o) {
    o.s3_upstream = s3_["DREDGE_TEST_S3_ENDPOINT"];
    fakes_ = std::make_unique<AwsFakes>(dir_, o);
  }

  // What every run gets: HOME, PATH, the region, the S3 endpoint (through the proxy when the
  // fakes run), STS and SSO at the fakes, and instance metadata off unless a test turns it on.
  std::map<std::string, std::string> BaseEnv() const {
    std::map<std::string, std::string> env = {
        {"HOME", home_},
        {"PATH", "/usr/local/bin:/usr/bin:/bin"},
        {"AWS_REGION", "us-east-1"},
        {"AWS_EC2_METADATA_DISABLED", "true"},
        {"AWS_ENDPOINT_URL_S3", fakes_ ? fakes_->s3_url() : s3_.at("DREDGE_TEST_S3_ENDPOINT")}};
    if (fakes_) {
      env["AWS_ENDPOINT_URL_STS"] = fakes_->service_url();
      env["AWS_ENDPOINT_URL_SSO"] = fakes_->service_url();
    }
    return env;
  }

  ProcessResult Dredge(const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env) const {
    std::vector<std::string> argv = {"env", "-i"};
    for (const auto& [k, v] : env) argv.push_back(k + "=" + v);
    argv.push_back(DredgeBin());
    argv.push_back("--log-dir");
    argv.push_back(dir_ + "/logs");
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv);
  }

  // Backs the source up and restores it through whatever credentials `env` leads to; expects
  // both to succeed and the restored tree to equal the source byte for byte. Returns what
  // `dredge check` printed as the credentials' source.
  std::string RoundTrip(const std::map<std::string, std::string>& env,
                        const std::vector<std::string>& extra = {}) {
    auto with = [&](std::vector<std::string> a) {
      a.insert(a.end(), extra.begin(), extra.end());
      return a;
    };
    auto b = Dredge(with({"backup", "files", "--source", dir_ + "/src", "--dest", dest_, "--state",
                          dir_ + "/state.sqlite", "--json"}),
                    env);
    EXPECT_EQ(b.exit_code, 0) << b.out << b.err;
    const std::string target = dir_ + "/restored-" + std::to_string(++restores_);
    auto r = Dredge(with({"restore", "files", "--dest", dest_, "--target", target, "--json"}), env);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(Tree(target), Tree(dir_ + "/src"));
    auto c = Dredge(with({"check", "--dest", dest_}), env);
    EXPECT_EQ(c.exit_code, 0) << c.out << c.err;
    auto at = c.out.find("credentials: ");
    if (at == std::string::npos) return "(no credentials line in: " + c.out + ")";
    return c.out.substr(at + 13, c.out.find('\n', at) - at - 13);
  }

  void WriteHome(const std::string& rel, const std::string& text) const {
    Spit(home_ + "/" + rel, text);
  }

  std::string dir_, home_, dest_;
  std::map<std::string, std::string> s3_;
  std::unique_ptr<AwsFakes> fakes_;
  int restores_ = 0;
};

}  // namespace dredge::testing
