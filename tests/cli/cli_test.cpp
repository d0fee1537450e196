// The command line as a user meets it: help, version, usage errors.
#include <gtest/gtest.h>

#include "support/process.h"
#include "support/test_env.h"

namespace dredge::testing {
namespace {

TEST(Cli, HelpListsCommandsAndExitsZero) {
  auto r = RunProcess({DredgeBin(), "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Subcommands:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("version"), std::string::npos) << r.out;
}

TEST(Cli, VersionFlagPrintsVersion) {
  auto r = RunProcess({DredgeBin(), "--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("dredge ", 0), 0u) << r.out;
}

TEST(Cli, UnknownFlagIsOneLineUsageErrorExitTwo) {
  auto r = RunProcess({DredgeBin(), "version", "--no-such-flag"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "more than one line: " << r.err;
  EXPECT_NE(r.err.find("--no-such-flag"), std::string::npos) << r.err;
}

TEST(Cli, MissingCommandIsUsageError) {
  auto r = RunProcess({DredgeBin()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
}

TEST(Cli, MissingOptionValueIsUsageError) {
  auto r = RunProcess({DredgeBin(), "--log-dir"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
}

TEST(Cli, BadChoiceIsUsageError) {
  auto r = RunProcess({DredgeBin(), "--log-format", "xml", "version"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("xml"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace dredge::testing
