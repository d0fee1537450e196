// The scratch world the command-line tests run dredge in: a fresh directory per test
// (/tmp/dredge-<tag>-XXXXXX, removed after it) and `dredge ARGS` run in DIR/cwd with
// HOME=DIR/home, no XDG state or cache directory, and DREDGE_CONFIG set to `config` (empty: no
// config file), so nothing a test runs depends on, or lands in, the caller's environment.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/process.h"
#include "support/test_env.h"

namespace dredge::testing {

class CliSandbox : public ::testing::Test {
 protected:
  // Creates the directory and, in it, "cwd", "home" and each of `dirs` ("src/sub", "store").
  void MakeSandbox(const std::string& tag, std::initializer_list<const char*> dirs = {}) {
    std::string tmpl = "/tmp/dredge-" + tag + "-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    for (const char* d : {"cwd", "home"}) std::filesystem::create_directories(dir_ + "/" + d);
    for (const char* d : dirs) std::filesystem::create_directories(dir_ + "/" + d);
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  ProcessResult Dredge(std::vector<std::string> args, const std::string& config = "") {
    args.insert(args.begin(), DredgeBin());
    return RunProcess(args,
                      {{"HOME", dir_ + "/home"},
                       {"XDG_STATE_HOME", ""},
                       {"XDG_CACHE_HOME", ""},
                       {"DREDGE_CONFIG", config}},
                      dir_ + "/cwd");
  }
  std::string dir_;
};

}  // namespace dredge::testing
