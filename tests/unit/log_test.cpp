#include "common/log.h"

#include <gtest/gtest.h>

namespace dredge {
namespace {

TEST(Log, ScrubsRegisteredSecretsFromEveryLine) {
  std::string captured;
  log::CaptureForTest(&captured);
  log::RegisterSecret("Sup3rSecretValue/xyz");
  log::SetStderrLevel(log::Level::kError);
  log::Info("connecting with key Sup3rSecretValue/xyz to the store");
  log::SetFormat(log::Format::kJson);
  log::Warn("again: Sup3rSecretValue/xyzSup3rSecretValue/xyz");
  log::SetFormat(log::Format::kText);
  log::CaptureForTest(nullptr);
  EXPECT_EQ(captured.find("Sup3rSecretValue"), std::string::npos) << captured;
  EXPECT_NE(captured.find("connecting with key *** to the store"), std::string::npos) << captured;
  EXPECT_NE(captured.find("again: ******"), std::string::npos) << captured;
}

TEST(Log, ShortSecretsAreIgnoredSoWordsSurvive) {
  log::RegisterSecret("a");
  EXPECT_EQ(log::Scrub("a cat"), "a cat");
}

TEST(Log, ScrubIsExposedForErrorMessages) {
  log::RegisterSecret("pg-passw0rd-42");
  EXPECT_EQ(log::Scrub("password=pg-passw0rd-42 host=x"), "password=*** host=x");
}

}  // namespace
}  // namespace dredge
