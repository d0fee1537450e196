// The `dredge report` page: one self-contained static HTML document (inline CSS and SVG; no
// script, no font, no link to anything outside it), rendered from a ReportData alone.
//
// Per section (tier and destination): the age of the newest good backup, bar charts over the
// runs of objects written, bytes written, duration and files scanned (files tier) or rows
// exported (db tier), the newest verify, deep verify and drill results, and the failed runs in
// red with their messages. Every string that comes from a store or the config is HTML-escaped.
//
// Stable hooks for tests and scrapers: <section class="tier" data-tier data-destination>,
// <p class="age" data-age-s> (-1: never succeeded), <svg class="chart" data-metric> holding one
// <rect class="bar" data-value> per run (class "bar failed" for failed runs), <tr class="check"
// data-kind data-status>, <li class="failure">.
#pragma once

#include <string>
#include <string_view>

#include "commands/report_data.h"

namespace dredge {

// & < > " ' as entities (&amp; &lt; &gt; &quot; &apos;).
std::string HtmlEscape(std::string_view text);

std::string RenderReportHtml(const ReportData& data);

}  // namespace dredge
