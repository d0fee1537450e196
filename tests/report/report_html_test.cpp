// The report page renderer (src/commands/report_html.h) in-process: strings from the store are
// HTML-escaped, each chart has one bar per run with its value, failures are red with their
// message, and the page references nothing outside itself.
#include <regex>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "commands/report_html.h"

namespace dredge {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kSec = 1000000000;

RunRecord Run(int64_t start_s, double seconds, uint64_t objects, uint64_t bytes, bool ok,
              std::string error = "") {
  RunRecord r;
  r.tier = "files";
  r.command = "backup";
  r.run.start_ns = start_s * kSec;
  r.end_ns = r.run.start_ns + static_cast<int64_t>(seconds * kSec);
  r.status = ok ? "ok" : "failed";
  r.exit_code = ok ? 0 : 1;
  r.error = std::move(error);
  r.objects = objects;
  r.bytes = bytes;
  r.counts["scanned"] = 100;
  return r;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

ReportData Sample() {
  ReportData d;
  d.generated_ns = 1748000000 * kSec;
  ReportSection s;
  s.tier = "files";
  s.destination = "file:///srv/b\"<x>";
  s.runs = {Run(1747900000, 12.5, 40, 245760, true),
            Run(1747950000, 3, 0, 0, false, "cannot write <script>alert('x')</script> & more"),
            Run(1747990000, 2, 2, 12288, true)};
  s.total_runs = 3;
  s.last_success = s.runs.back();
  CheckRecord v;
  v.kind = "verify";
  v.status = "ok";
  v.run.start_ns = 1747995000 * kSec;
  s.verify = v;
  CheckRecord deep = v;
  deep.kind = "verify-deep";
  deep.status = "mismatch";
  deep.exit_code = 4;
  deep.message = "1 different object <page_1.txt>";
  s.verify_deep = deep;
  d.sections.push_back(s);
  return d;
}

TEST(ReportHtml, EscapesEveryStringFromTheStore) {
  std::string html = RenderReportHtml(Sample());
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html,
              HasSubstr("cannot write &lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; more"));
  EXPECT_THAT(html, HasSubstr("data-destination=\"file:///srv/b&quot;&lt;x&gt;\""));
  EXPECT_THAT(html, HasSubstr("1 different object &lt;page_1.txt&gt;"));
}

TEST(ReportHtml, OneBarPerRunInEachChartWithItsValue) {
  std::string html = RenderReportHtml(Sample());
  EXPECT_EQ(Count(html, "<svg class=\"chart\""), 4u);
  EXPECT_EQ(Count(html, "<rect class=\"bar"), 12u);  // 4 charts × 3 runs
  EXPECT_EQ(Count(html, "<rect class=\"bar failed\""), 4u);
  EXPECT_THAT(html, HasSubstr("data-metric=\"objects\""));
  EXPECT_THAT(html, HasSubstr("<rect class=\"bar\" data-value=\"40\""));
  EXPECT_THAT(html, HasSubstr("<rect class=\"bar\" data-value=\"245760\""));
  EXPECT_THAT(html, HasSubstr("<rect class=\"bar\" data-value=\"12.5\""));
}

TEST(ReportHtml, AgeChecksAndFailures) {
  std::string html = RenderReportHtml(Sample());
  // Newest good run ended at 1747990002; generated at 1748000000.
  EXPECT_THAT(html, HasSubstr("data-age-s=\"9998\""));
  EXPECT_THAT(html, HasSubstr("<tr class=\"check\" data-kind=\"verify\" data-status=\"ok\">"));
  EXPECT_THAT(html,
              HasSubstr("<tr class=\"check\" data-kind=\"verify-deep\" data-status=\"mismatch\">"));
  EXPECT_THAT(html, HasSubstr("<tr class=\"check\" data-kind=\"drill\" data-status=\"none\">"));
  EXPECT_EQ(Count(html, "<li class=\"failure\">"), 1u);
}

TEST(ReportHtml, NeverSucceededAndUnreadableDestinations) {
  ReportData d;
  d.generated_ns = 1748000000 * kSec;
  ReportSection never;
  never.tier = "db";
  never.destination = "file:///b";
  ReportSection broken;
  broken.tier = "files";
  broken.destination = "s3://bucket";
  broken.error = "403 <AccessDenied>";
  d.sections = {never, broken};
  std::string html = RenderReportHtml(d);
  EXPECT_THAT(html, HasSubstr("data-age-s=\"-1\""));
  EXPECT_THAT(html, HasSubstr("Cannot read this destination: 403 &lt;AccessDenied&gt;"));
}

TEST(ReportHtml, ReferencesNothingOutsideThePage) {
  std::string html = RenderReportHtml(Sample());
  EXPECT_FALSE(std::regex_search(html, std::regex(R"((src|href)\s*=)"))) << html;
  EXPECT_THAT(html, Not(HasSubstr("@import")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
}

}  // namespace
}  // namespace dredge
