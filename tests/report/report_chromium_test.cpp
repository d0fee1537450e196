// `dredge report --html` through the real binary, the page loaded in headless Chromium: backups
// (one failing at the damage guard), a verify and a deep verify that finds a corrupt object, then
// the page. Asserts on the DOM Chromium rendered (--dump-dom), that it logged no console error
// and made no request, and that a screenshot was taken (its pixels are not judged).
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/file_tree.h"
#include "support/process.h"
#include "support/test_env.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

size_t Count(const std::string& text, const std::regex& re) {
  return static_cast<size_t>(
      std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

class ReportChromium : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/dredge-report-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    for (int i = 0; i < 40; ++i)
      Spit(dir_ + "/src/page_" + std::to_string(1000 + i) + ".txt",
           std::string(2048, static_cast<char>('a' + i % 26)) + std::to_string(i));
    dest_ = "file://" + dir_ + "/store";
    env_ = {{"HOME", dir_ + "/home"},
            {"XDG_CACHE_HOME", dir_ + "/cache"},
            {"XDG_CONFIG_HOME", dir_ + "/config"},
            {"XDG_STATE_HOME", dir_ + "/state"}};
    Spit(dir_ + "/dredge.toml", "[files]\nsource = \"" + dir_ + "/src\"\n" +
                                    "[[files.destination]]\nurl = \"" + dest_ + "\"\n");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  ProcessResult Dredge(std::vector<std::string> args) {
    args.insert(args.begin(), {DredgeBin(), "--config", dir_ + "/dredge.toml"});
    return RunProcess(args, env_, dir_);
  }
  ProcessResult Chromium(std::vector<std::string> args) {
    args.insert(args.begin(),
                {"chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--user-data-dir=" + dir_ + "/chromium", "--enable-logging=stderr", "--v=0"});
    return RunProcess(args, env_, dir_);
  }

  std::string dir_, dest_;
  std::map<std::string, std::string> env_;
};

TEST_F(ReportChromium, PageLoadsCleanlyAndShowsRunsChecksAndFailures) {
  ASSERT_EQ(Dredge({"backup", "files"}).exit_code, 0);
  Spit(dir_ + "/src/page_1000.txt", "changed");
  Spit(dir_ + "/src/page_1001.txt", "changed too");
  ASSERT_EQ(Dredge({"backup", "files"}).exit_code, 0);
  for (int i = 10; i < 40; ++i) fs::remove(dir_ + "/src/page_" + std::to_string(1000 + i) + ".txt");
  auto guarded = Dredge({"backup", "files"});  // 75 % would change: the damage guard stops it
  ASSERT_NE(guarded.exit_code, 0) << guarded.err;
  ASSERT_EQ(Dredge({"verify", "files"}).exit_code, 0);
  CorruptKeepingMtime(dir_ + "/store/page_1005.txt");
  ASSERT_EQ(Dredge({"verify", "files", "--deep"}).exit_code, 4);

  auto report = Dredge({"report", "--html", dir_ + "/report.html"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const std::string page = "file://" + dir_ + "/report.html";
  auto dom = Chromium({"--dump-dom", page});
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  const std::string& d = dom.out;

  // One section, three runs in each of the four charts; the failed one red.
  EXPECT_EQ(Count(d, std::regex(R"(<section class="tier" data-tier="files")")), 1u) << d;
  EXPECT_EQ(Count(d, std::regex(R"(<svg class="chart")")), 4u);
  EXPECT_EQ(Count(d, std::regex(R"(<rect class="bar)")), 12u);
  EXPECT_EQ(Count(d, std::regex(R"(<rect class="bar failed")")), 4u);
  // Objects written: 40 at first, 2 changed files next, none by the guarded run.
  std::smatch m;
  std::string objects = d.substr(d.find("data-metric=\"objects\""));
  objects = objects.substr(0, objects.find("</svg>"));
  std::vector<std::string> values;
  std::regex value_re(R"re(data-value="([0-9.]+)")re");
  for (auto it = std::sregex_iterator(objects.begin(), objects.end(), value_re);
       it != std::sregex_iterator(); ++it)
    values.push_back((*it)[1]);
  EXPECT_EQ(values, (std::vector<std::string>{"40", "2", "0"}));
  // Newest good backup is seconds old; verify ok, deep verify found the corrupt object.
  ASSERT_TRUE(std::regex_search(d, m, std::regex(R"re(data-age-s="(\d+)")re")));
  EXPECT_LT(std::stoi(m[1]), 600);
  EXPECT_THAT(d, HasSubstr(R"(<tr class="check" data-kind="verify" data-status="ok">)"));
  EXPECT_THAT(d, HasSubstr(R"(<tr class="check" data-kind="verify-deep" data-status="mismatch">)"));
  EXPECT_THAT(d, HasSubstr(R"(<tr class="check" data-kind="drill" data-status="none">)"));
  EXPECT_EQ(Count(d, std::regex(R"(<li class="failure">)")), 1u);
  EXPECT_THAT(d, HasSubstr("--force"));  // the guard's message names the way out
  // No console message of any level, no load failure.
  EXPECT_THAT(dom.err, Not(HasSubstr("CONSOLE")));
  EXPECT_THAT(dom.err, Not(HasSubstr("Uncaught")));
  EXPECT_THAT(dom.err, Not(HasSubstr("ERR_")));

  auto shot = Chromium({"--screenshot=" + dir_ + "/report.png", "--window-size=1280,1600", page});
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  std::string png = Slurp(dir_ + "/report.png");
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(1, 3), "PNG");
}

TEST_F(ReportChromium, NothingBackedUpYetSaysSo) {
  auto report = Dredge({"report", "--html", dir_ + "/report.html"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  auto dom = Chromium({"--dump-dom", "file://" + dir_ + "/report.html"});
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_THAT(dom.out, HasSubstr(R"(data-age-s="-1")"));
  EXPECT_THAT(dom.out, HasSubstr("No successful backup recorded."));
  EXPECT_FALSE(fs::exists(dir_ + "/store/.dredge/checks"));  // the report wrote nothing
}

TEST_F(ReportChromium, AnUnwritablePageIsAnError) {
  auto report = Dredge({"report", "--html", dir_ + "/no/such/dir/report.html"});
  EXPECT_EQ(report.exit_code, 1);
  EXPECT_THAT(report.err, HasSubstr("cannot write"));
}

}  // namespace
}  // namespace dredge::testing
