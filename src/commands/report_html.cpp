#include "commands/report_html.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

#include "common/progress.h"
#include "common/time_util.h"
#include "ops/status_report.h"
#include "store/s3/s3_xml.h"

namespace dredge {
namespace {

constexpr int kChartWidth = 640, kChartHeight = 170, kLeft = 70, kBottom = 24, kTop = 14;

const char* kStyle = R"(
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em;color:#1d2330}
h1{font-size:1.5em} h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccd}
.ok{color:#1e7d34} .fail,.failed-text{color:#c0392b;font-weight:600} .muted{color:#667}
table{border-collapse:collapse} td,th{padding:2px 10px;text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:12px}
svg.chart{background:#f7f8fb;border:1px solid #dde}
svg .bar{fill:#4a78c2} svg .bar.failed{fill:#c0392b} svg text{font-size:11px;fill:#445}
svg .axis{stroke:#99a;stroke-width:1}
)";

std::string Fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string Seconds(double s) {
  if (s < 120) return Fmt("%.1f s", s);
  return FormatAge(static_cast<int64_t>(s));
}

struct Metric {
  const char* id;
  std::string title;
  std::function<double(const RunRecord&)> value;
  std::function<std::string(double)> show;
};

std::string When(int64_t ns) {
  return FormatIsoUtc(ns / 1000000000);
}

// One bar per run, oldest left; failed runs red; each bar carries its value and a tooltip.
std::string Chart(const Metric& m, const std::vector<RunRecord>& runs) {
  double max = 0;
  for (const auto& r : runs) max = std::max(max, m.value(r));
  const double plot_w = kChartWidth - kLeft - 10, plot_h = kChartHeight - kTop - kBottom;
  const double step = runs.empty() ? plot_w : plot_w / static_cast<double>(runs.size());
  std::string svg = "<svg class=\"chart\" data-metric=\"" + std::string(m.id) +
                    "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    std::to_string(kChartWidth) + "\" height=\"" + std::to_string(kChartHeight) +
                    "\" role=\"img\" aria-label=\"" + HtmlEscape(m.title) + "\">";
  svg += "<text x=\"" + std::to_string(kLeft) + "\" y=\"11\">" + HtmlEscape(m.title) + "</text>";
  svg += "<text x=\"4\" y=\"" + std::to_string(kTop + 10) + "\">" + HtmlEscape(m.show(max)) +
         "</text><text x=\"4\" y=\"" + std::to_string(kTop + static_cast<int>(plot_h)) +
         "\">0</text>";
  svg += "<line class=\"axis\" x1=\"" + std::to_string(kLeft) + "\" y1=\"" +
         std::to_string(kTop + static_cast<int>(plot_h)) + "\" x2=\"" +
         std::to_string(kChartWidth - 10) + "\" y2=\"" +
         std::to_string(kTop + static_cast<int>(plot_h)) + "\"/>";
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunRecord& r = runs[i];
    double v = m.value(r);
    double h = max > 0 ? v / max * plot_h : 0;
    if (v > 0 && h < 1) h = 1;
    svg += "<rect class=\"bar" + std::string(r.ok() ? "" : " failed") + "\" data-value=\"" +
           Fmt("%.15g", v) + "\" x=\"" + Fmt("%.2f", kLeft + step * i + step * 0.1) + "\" y=\"" +
           Fmt("%.2f", kTop + plot_h - h) + "\" width=\"" + Fmt("%.2f", std::max(step * 0.8, 0.5)) +
           "\" height=\"" + Fmt("%.2f", h) + "\"><title>" +
           HtmlEscape(When(r.run.start_ns) + ": " + m.show(v) +
                      (r.ok() ? "" : " (" + r.status + ")")) +
           "</title></rect>";
  }
  if (!runs.empty())
    svg += "<text x=\"" + std::to_string(kLeft) + "\" y=\"" + std::to_string(kChartHeight - 6) +
           "\">" + HtmlEscape(When(runs.front().run.start_ns)) + "</text><text x=\"" +
           std::to_string(kChartWidth - 10) + "\" y=\"" + std::to_string(kChartHeight - 6) +
           "\" text-anchor=\"end\">" + HtmlEscape(When(runs.back().run.start_ns)) + "</text>";
  return svg + "</svg>";
}

std::vector<Metric> MetricsFor(const std::string& tier) {
  auto count = [](double v) { return Fmt("%.0f", v); };
  auto bytes = [](double v) { return HumanBytes(static_cast<uint64_t>(v)); };
  std::vector<Metric> m = {
      {"objects", "Objects written per run", [](const RunRecord& r) { return double(r.objects); },
       count},
      {"bytes", "Bytes written per run", [](const RunRecord& r) { return double(r.bytes); }, bytes},
      {"duration", "Duration per run", [](const RunRecord& r) { return r.duration_seconds(); },
       Seconds}};
  if (tier == "db")
    m.push_back({"rows", "Rows exported per run", [](const RunRecord& r) { return double(r.rows); },
                 count});
  else
    m.push_back({"files", "Files scanned per run",
                 [](const RunRecord& r) {
                   auto it = r.counts.find("scanned");
                   return it == r.counts.end() ? 0.0 : double(it->second);
                 },
                 count});
  return m;
}

std::string CheckRow(const char* label, const char* kind, const std::optional<CheckRecord>& c) {
  std::string row = "<tr class=\"check\" data-kind=\"" + std::string(kind) + "\" data-status=\"" +
                    (c ? HtmlEscape(c->status) : "none") + "\"><th>" + label + "</th>";
  if (!c) return row + "<td class=\"muted\" colspan=\"3\">never run</td></tr>";
  const bool ok = c->status == "ok";
  row += "<td class=\"" + std::string(ok ? "ok" : "fail") + "\">" + HtmlEscape(c->status) +
         (ok ? "" : " (exit " + std::to_string(c->exit_code) + ")") + "</td><td>" +
         HtmlEscape(When(c->run.start_ns)) + "</td><td" + (ok ? "" : " class=\"failed-text\"") +
         ">" + HtmlEscape(c->message) + "</td></tr>";
  return row;
}

std::string Age(const ReportSection& s, int64_t now_ns) {
  if (!s.last_success)
    return "<p class=\"age fail\" data-age-s=\"-1\">No successful backup recorded.</p>";
  int64_t age = std::max<int64_t>(0, (now_ns - s.last_success->end_ns) / 1000000000);
  return "<p class=\"age\" data-age-s=\"" + std::to_string(age) +
         "\">Newest good backup: <strong>" + HtmlEscape(FormatAge(age)) + " ago</strong> (" +
         HtmlEscape(When(s.last_success->end_ns)) + "), " + std::to_string(s.total_runs) +
         " runs recorded.</p>";
}

std::string Failures(const std::vector<RunRecord>& runs) {
  std::string out;
  size_t shown = 0;
  for (auto it = runs.rbegin(); it != runs.rend() && shown < 20; ++it) {
    if (it->ok()) continue;
    ++shown;
    out += "<li class=\"failure\"><span class=\"fail\">" + HtmlEscape(When(it->run.start_ns)) +
           " " + HtmlEscape(it->status) + " (exit " + std::to_string(it->exit_code) +
           ")</span>: <span class=\"failed-text\">" + HtmlEscape(it->error) + "</span></li>";
  }
  if (out.empty()) return "<p class=\"ok\">No failed runs among those shown.</p>";
  return "<h3>Failed runs (newest first)</h3><ul class=\"failures\">" + out + "</ul>";
}

std::string Section(const ReportSection& s, int64_t now_ns) {
  std::string out = "<section class=\"tier\" data-tier=\"" + HtmlEscape(s.tier) +
                    "\" data-destination=\"" + HtmlEscape(s.destination) + "\"><h2>" +
                    HtmlEscape(s.tier) + " tier — " + HtmlEscape(s.destination) + "</h2>";
  if (!s.error.empty())
    return out + "<p class=\"fail\">Cannot read this destination: " + HtmlEscape(s.error) +
           "</p></section>";
  out += Age(s, now_ns);
  out += "<table class=\"checks\">" + CheckRow("Verify", "verify", s.verify) +
         CheckRow("Deep verify", "verify-deep", s.verify_deep) +
         CheckRow("Drill", "drill", s.drill) + "</table>";
  out += "<div class=\"charts\">";
  for (const auto& m : MetricsFor(s.tier)) out += Chart(m, s.runs);
  out += "</div>" + Failures(s.runs);
  return out + "</section>";
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  return s3::XmlEscape(text);  // the same five characters; &apos; is an HTML5 entity too
}

std::string RenderReportHtml(const ReportData& data) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>dredge report</title><style>" +
      std::string(kStyle) + "</style></head><body><h1>dredge report</h1><p class=\"muted\">" +
      "Generated " + HtmlEscape(FormatIsoUtc(data.generated_ns / 1000000000)) +
      " from the run and check records of each destination.</p>";
  if (data.sections.empty())
    out += "<p class=\"fail\">No destination to report on: configure one or give --dest.</p>";
  for (const auto& s : data.sections) out += Section(s, data.generated_ns);
  return out + "</body></html>\n";
}

}  // namespace dredge
