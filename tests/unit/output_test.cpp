// The one output path of the commands (cli/output.h): JSON that stays valid for any bytes,
// the --json error form, and human lines.
#include "cli/output.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace dredge {
namespace {

TEST(Output, PrintJsonReplacesBytesThatAreNotUtf8InsteadOfThrowing) {
  ::testing::internal::CaptureStdout();
  PrintJson({{"path", std::string("caf\xe9.txt")}, {"ok", true}});
  const std::string out = ::testing::internal::GetCapturedStdout();
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back(), '\n');
  EXPECT_EQ(out.find('\n'), out.size() - 1) << "one line";
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["path"], "caf\xef\xbf\xbd.txt");
  EXPECT_EQ(j["ok"], true);
}

TEST(Output, FailJsonPrintsTheErrorObjectAndReturnsTheStatusUnchanged) {
  ::testing::internal::CaptureStdout();
  Status st = FailJson(true, Status::Corrupt("manifest 'm' is damaged: \xff\xfe"), "drill");
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(st.kind(), ErrorKind::kCorrupt);
  EXPECT_EQ(st.message(), "manifest 'm' is damaged: \xff\xfe");
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["command"], "drill");
  EXPECT_NE(j["error"].get<std::string>().find("manifest 'm' is damaged"), std::string::npos);
}

TEST(Output, FailJsonWithoutJsonPrintsNothingAndOmitsAnEmptyCommand) {
  ::testing::internal::CaptureStdout();
  Status st = FailJson(false, Status::Usage("--workers must be between 1 and 256"));
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "");
  EXPECT_EQ(st.kind(), ErrorKind::kUsage);
  ::testing::internal::CaptureStdout();
  (void)FailJson(true, Status::Usage("x"));
  auto j = nlohmann::json::parse(::testing::internal::GetCapturedStdout());
  EXPECT_FALSE(j.contains("command"));
}

TEST(Output, PrintTextFEndsEveryLineWithExactlyOneNewline) {
  ::testing::internal::CaptureStdout();
  PrintTextF("%s: %d files", "snap", 3);
  PrintTextF("%s\n", "already ended");
  PrintText("plain");
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "snap: 3 files\nalready ended\nplain\n");
}

}  // namespace
}  // namespace dredge
